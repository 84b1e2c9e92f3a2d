"""The compliance rules, one module per group of categories, and their registry.

``RULES`` maps each rule id to its :class:`~generator.core.rules.base.Rule`; importing this package
registers them all. See :mod:`generator.core.rules.base` for what a rule is.
"""

from generator.core.rules import (  # noqa: F401  (imported to register their rules)
    buses,
    canteen,
    chemicals,
    devices,
    drills,
    education,
    hazards,
    plans,
    police,
    reports,
    responsibilities,
    risks,
    special,
)
from generator.core.rules.base import CATEGORIES, KINDS, RULES, Context, Hit, Rule, SchoolView, rule

# Registered module by module; kept in the order of the categories, for pages and reports.
_ordered = sorted(RULES.values(), key=lambda r: list(CATEGORIES).index(r.category))
RULES.clear()
RULES.update((r.id, r) for r in _ordered)

__all__ = ["CATEGORIES", "KINDS", "RULES", "Context", "Hit", "Rule", "SchoolView", "rule"]
