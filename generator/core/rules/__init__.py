"""The compliance rules, one module per group of categories, and their registry.

``RULES`` maps each rule id to its :class:`~generator.core.rules.base.Rule`; importing this package
registers them all. See :mod:`generator.core.rules.base` for what a rule is.
"""

import importlib
import pkgutil

from generator.core.rules.base import (
    CATEGORIES,
    KINDS,
    RULES,
    Context,
    Deadline,
    Hit,
    Rule,
    SchoolView,
    due,
    rule,
)

# Every module of this package registers its rules when imported, in name order: a new
# module needs no list to be added to.
for _module in sorted(m.name for m in pkgutil.iter_modules(__path__) if m.name != "base"):
    importlib.import_module(f"{__name__}.{_module}")

# Registered module by module; kept in the order of the categories, for pages and reports.
_ordered = sorted(RULES.values(), key=lambda r: list(CATEGORIES).index(r.category))
RULES.clear()
RULES.update((r.id, r) for r in _ordered)

__all__ = [
    "CATEGORIES", "KINDS", "RULES", "Context", "Deadline", "Hit", "Rule", "SchoolView", "due",
    "rule",
]  # fmt: skip
