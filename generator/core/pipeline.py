"""The pipeline's entry point: records → :class:`Records` (validated) → :class:`Evaluation`
(as of a date). Every command, the site, the pull-request check, the overdue report, the
sign-off ledger, the workbook import and CODEOWNERS ask here, so that "is this valid?" and
"what is its status today?" have one answer each.

It owns three decisions the callers used to make on their own:

- **today**: records may hold events dated up to the later of the evaluation date and the
  real today (:func:`today_for`), so a later ``--as-of`` sees records dated up to it;
- **the cache**: with a few named files, district rates still count every school, the
  others from :mod:`generator.core.cache`; a whole-tree run refreshes it;
- **the findings**: validation and evaluation findings are collected in one list.

A caller that runs over the same large tree again and again (the site build) may keep what
validation and evaluation found in a :class:`Store`, so that the next run redoes only the
files that changed.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from generator.core import cache
from generator.core.evaluate import Evaluation, evaluate
from generator.core.findings import Finding
from generator.core.load import MAX_BYTES
from generator.core.store import Store
from generator.core.validate import Records, check_document, validate_tree

__all__ = ["Run", "Store", "check_document", "evaluate", "run", "today_for", "validate"]


def today_for(as_of: datetime.date | None) -> datetime.date:
    """The latest date records may hold for an evaluation as of ``as_of``."""
    today = datetime.date.today()
    return max(as_of, today) if as_of else today


@dataclass
class Run:
    """What one run of the pipeline found."""

    records: Records
    evaluation: Evaluation

    @property
    def findings(self) -> list[Finding]:
        """Validation findings, then the evaluation's rule findings."""
        return self.evaluation.all_findings

    @property
    def ok(self) -> bool:
        """No error among the findings of validation or of the rule sets themselves."""
        return not any(f.severity == "error" for f in self.evaluation.findings)


def validate(
    root: Path,
    files: list[Path] | None = None,
    *,
    as_of: datetime.date | None = None,
    today: datetime.date | None = None,
    display: Callable[[Path], str] = str,
    documents: bool = True,
    jobs: int | None = None,
    max_bytes: int = MAX_BYTES,
    store: Store | None = None,
) -> Records:
    """Validate the records under ``root`` (or only ``files``) for an evaluation as of
    ``as_of`` (default: today); ``today`` overrides :func:`today_for`. With a ``store``
    (:meth:`Store.open`), files found valid before are not checked again; pass it to
    :func:`evaluate` too."""
    return validate_tree(
        root, files, today=today or today_for(as_of), display=display, documents=documents,
        jobs=jobs, max_bytes=max_bytes, store=store,
    )  # fmt: skip


def run(
    root: Path,
    as_of: datetime.date | None = None,
    *,
    files: list[Path] | None = None,
    rule_set: str | None = None,
    districts: bool = True,
    use_cache: bool = False,
    today: datetime.date | None = None,
    display: Callable[[Path], str] = str,
) -> Run:
    """Validate and evaluate the records under ``root`` as of ``as_of`` (default: today).

    ``files`` limits which schools are listed; with ``districts``, the district aggregates
    still count every school (the others from the cache, when ``use_cache``). ``rule_set``
    overrides every district's own. A whole-tree run with ``use_cache`` refreshes the cache.
    Raises :class:`~generator.core.ruleset.RuleSetError` for a rule set that cannot be used.
    """
    root = Path(root)
    as_of = as_of or datetime.date.today()
    today = today or today_for(as_of)
    records = validate_tree(root, files, today=today, display=display)
    others = []
    if files is not None and districts and root.is_dir():
        others = cache.summaries(
            root, files, records.districts, as_of, rule_set, today, display, use_cache=use_cache
        )
    evaluation = evaluate(
        records, as_of, rule_set, districts=files is None or districts, others=others
    )
    if files is None and use_cache:
        cache.remember(root, evaluation.schools, records.districts, rule_set, today)
    return Run(records, evaluation)
