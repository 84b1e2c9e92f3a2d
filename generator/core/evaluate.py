"""Evaluate dossiers as of a day: rule findings, each school's status, district 达标率.

:func:`evaluate` takes what :func:`generator.core.validate.validate_tree` returns (the valid
dossiers, the district files and the validation findings) and runs every rule of each
district's rule set on each school. Pure data in, data out; the only I/O is reading rule sets.

Status, worst first (:data:`STATUSES`): 重大隐患 (an open major hazard), 逾期 (something
overdue), 待整改 (open findings not yet overdue), 达标. A school's status is the worst of its
categories'; a category's, the worst of its findings'.

A school's result holds on more days than ``as_of``: from ``valid_from`` to the day before
``next_change`` it would come out the same (findings, statuses, counts), as the rules' own
comparisons with the day say (:class:`generator.core.dates.AsOf`). A page built from it
stays true until ``next_change``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from generator.core import schema, workers
from generator.core.dates import AsOf, iso, parse_date, plain
from generator.core.findings import Finding, pointer
from generator.core.load import Document
from generator.core.rules import CATEGORIES, RULES, Context, SchoolView
from generator.core.ruleset import BASELINE, MEASURES, RuleSet, RuleSetError, load_rule_set

STATUSES = ("重大隐患", "逾期", "待整改", "达标")
"""School and category statuses, worst first."""
INVALID = "档案有误"
"""Shown instead of a status for a dossier that does not pass validation."""
KIND_STATUS = {"major": "重大隐患", "overdue": "逾期", "open": "待整改"}
_RANK = {s: i for i, s in enumerate(STATUSES)}


def worst(statuses: Iterable[str]) -> str:
    """The worst of ``statuses`` (达标 when there are none)."""
    return min(statuses, key=_RANK.__getitem__, default="达标")


@dataclass
class Rate:
    """One district rate against its target: ``value`` is ``None`` when nothing was counted."""

    id: str
    title: str
    numerator: int
    denominator: int
    value: float | None
    target: float
    met: bool | None
    source: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class SchoolResult:
    id: str
    file: str
    name: str
    district: str
    stage: str
    rule_set: str
    status: str
    categories: dict[str, str]
    findings: list[Finding]
    counts: dict[str, int]
    rate_parts: dict[str, tuple[int, int]] = field(default_factory=dict, repr=False)
    """Each rate's (numerator, denominator) share from this school, summed per district."""
    valid_from: date | None = None
    """The first day this result holds on (``None``: as far back as dates go)."""
    next_change: date | None = None
    """The first day after ``as_of`` on which it may not hold (``None``: none coming)."""

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "file": self.file,
            "name": self.name,
            "district": self.district,
            "stage": self.stage,
            "rule_set": self.rule_set,
            "status": self.status,
            "categories": self.categories,
            "counts": self.counts,
            "valid_from": iso(self.valid_from),
            "next_change": iso(self.next_change),
            "findings": [f.as_dict() for f in self.findings],
        }


@dataclass
class DistrictResult:
    id: str
    name: str
    rule_set: str
    schools: list[str]
    status_counts: dict[str, int]
    rates: list[Rate]

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "rule_set": self.rule_set,
            "schools": self.schools,
            "status_counts": self.status_counts,
            "rates": [r.as_dict() for r in self.rates],
        }


@dataclass
class Evaluation:
    as_of: date
    schools: list[SchoolResult]
    districts: list[DistrictResult]
    findings: list[Finding] = field(default_factory=list)
    """Problems that keep files from being evaluated: validation findings, unknown rule sets."""

    def to_json(self) -> dict:
        return {
            "as_of": self.as_of.isoformat(),
            "schools": [s.as_dict() for s in self.schools],
            "districts": [d.as_dict() for d in self.districts],
            "findings": [f.as_dict() for f in self.findings],
        }

    def dumps(self) -> str:
        return json.dumps(self.to_json(), ensure_ascii=False, indent=2) + "\n"

    @property
    def all_findings(self) -> list[Finding]:
        """Validation findings, then every school's rule findings."""
        return [*self.findings, *(f for s in self.schools for f in s.findings)]


# ---------------------------------------------------------------------------------------------
# One school


def evaluate_school(doc: Document, ctx: Context) -> SchoolResult:
    """Every rule of ``ctx``'s rule set on one schema-valid dossier, and the days the result
    holds on: the rules get the day as an :class:`AsOf`, which keeps their questions."""
    as_of = AsOf(ctx.as_of)
    ctx = Context(as_of, ctx.rule_set)
    school = SchoolView(doc.data, doc.file)
    findings: list[Finding] = []
    kinds: dict[str, list[str]] = {c: [] for c in CATEGORIES}
    hit_rules: set[str] = set()

    def add(rule, path: tuple, message: str, kind: str, severity: str, due=None) -> None:
        line, column = doc.locate(path)
        findings.append(
            Finding(
                file=doc.file, message=message, code=rule.id, line=line, column=column,
                path=pointer(path), place=_place(path), severity=severity, school=school.id,
                category=rule.category, source=rule.source, status=KIND_STATUS[kind],
                due=plain(due),
            )
        )  # fmt: skip
        kinds[rule.category].append(KIND_STATUS[kind])
        hit_rules.add(rule.id)

    for rule in RULES.values():
        if rule.id in ctx.rule_set.disabled:
            continue
        try:
            hits = list(rule.check(school, ctx))
        except Exception as exc:  # noqa: BLE001 - a bug in one rule must not stop the run
            message = f"规则 {rule.id} 无法检查这份档案(程序错误 {type(exc).__name__}),请报告维护者"
            add(rule, (), message, "open", "error")
            continue
        for hit in hits:
            add(rule, hit.path, hit.message, hit.kind, rule.severity, hit.due)
    categories = {c: worst(k) for c, k in kinds.items()}
    findings.sort(key=Finding.sort_key)
    counts = _counts(school, ctx, findings)
    return SchoolResult(
        id=school.id,
        file=doc.file,
        name=school.name,
        district=school.district,
        stage=school.stage,
        rule_set=ctx.rule_set.name,
        status=worst(categories.values()),
        categories=categories,
        findings=findings,
        counts=counts,
        rate_parts=_rate_parts(school, ctx, hit_rules, counts),
        valid_from=as_of.window.valid_from,
        next_change=as_of.window.next_change,
    )


@lru_cache(maxsize=4096)
def _place(path: tuple) -> str:
    return schema.place(path) if path else ""


def _counts(school: SchoolView, ctx: Context, findings: list[Finding]) -> dict[str, int]:
    c = Counter()
    for _, h, is_open in school.hazards(ctx.as_of):
        deadline = parse_date(h.get("deadline"))
        major = h.get("grade") == "重大"
        if is_open:
            c["open_hazards"] += 1
            c["major_open"] += major
            if deadline is not None and ctx.as_of > deadline:
                c["overdue_hazards"] += 1
                c["due_hazards"] += 1
        else:
            c["closed_hazards"] += 1
            c["due_hazards"] += 1
            closed = parse_date(h.get("closed"))
            c["closed_on_time"] += deadline is None or (closed is not None and closed <= deadline)
        c["major_hazards"] += major
        c["major_closed"] += major and not is_open
        nearby = major and h.get("category") == "周边环境"
        c["major_nearby"] += nearby
        c["major_nearby_closed"] += nearby and not is_open
    year_ago = ctx.as_of - timedelta(days=365)
    c["drills_last_year"] = sum(d > year_ago for _, _, d in school.dated("drills", as_of=ctx.as_of))
    c["education_last_year"] = sum(
        d > year_ago for _, _, d in school.dated("safety_education", as_of=ctx.as_of)
    )
    c["errors"] = sum(f.severity == "error" for f in findings)
    c["warnings"] = sum(f.severity == "warning" for f in findings)
    keys = (
        "open_hazards",
        "overdue_hazards",
        "major_open",
        "closed_hazards",
        "closed_on_time",
        "due_hazards",
        "major_hazards",
        "major_closed",
        "major_nearby",
        "major_nearby_closed",
        "drills_last_year",
        "education_last_year",
        "errors",
        "warnings",
    )
    return {k: int(c[k]) for k in keys}


def _rate_parts(
    school: SchoolView, ctx: Context, hit_rules: set[str], counts: dict
) -> dict[str, tuple[int, int]]:
    """This school's share of each rate: (1, 1) or (0, 1) for a rate over schools, counts of
    hazards for the hazard rates."""
    parts = {}
    for rate in ctx.rule_set.rates:
        if rate.measure:
            parts[rate.id] = MEASURES[rate.measure].parts(counts)
        else:
            parts[rate.id] = (int(not hit_rules.intersection(rate.rules)), 1)
    return parts




# ---------------------------------------------------------------------------------------------
# The tree


def evaluate(
    records: Any,
    as_of: date,
    rule_set: str | None = None,
    *,
    only: Iterable[str] | None = None,
    districts: bool = True,
    others: Iterable[SchoolResult] = (),
    store: Any = None,
) -> Evaluation:
    """Evaluate ``records`` (a :class:`generator.core.validate.Records`) as of ``as_of``.

    ``rule_set`` overrides every district's own. ``only`` (files, as in the findings) limits
    which schools are listed; the district aggregates still use every school, unless
    ``districts`` is false (then only the listed schools are evaluated at all). ``others`` are
    results of schools not in ``records`` (summaries kept by :mod:`generator.core.cache`),
    counted in the district aggregates only. With a ``store``
    (:class:`generator.core.store.Store`), a school evaluated before under the same rule set,
    with a result that holds on ``as_of``, is not evaluated again.
    Raises :class:`~generator.core.ruleset.UnknownRuleSet` for an unknown ``rule_set``.
    """
    forced = load_rule_set(rule_set) if rule_set else None
    contexts: dict[str, Context] = {}
    problems: list[Finding] = list(getattr(records, "findings", []))

    def context_for(district: str) -> Context:
        if district not in contexts:
            contexts[district] = _context(records, district, as_of, forced, problems)
        return contexts[district]

    wanted = set(only) if only is not None else None
    docs = [d for d in records.schools if districts or wanted is None or d.file in wanted]
    if store is None:
        results = _evaluate_all(docs, context_for, getattr(records, "districts", {}))
    else:
        results = _evaluate_stored(docs, context_for, records, as_of, store)
    listed_results = [r for r in results if wanted is None or r.file in wanted]
    district_results = []
    if districts:
        others = list(others)
        for r in [*results, *others]:
            context_for(r.district)
        district_results = _districts(records, [*results, *others], contexts)
    problems.sort(key=Finding.sort_key)
    return Evaluation(
        as_of=as_of, schools=listed_results, districts=district_results, findings=problems
    )


def _evaluate_all(
    docs: list[Document], context_for: Callable[[str], Context], districts: Iterable[str]
) -> list[SchoolResult]:
    """Each school evaluated, in order; with many, in forked workers (a school needs only its
    own dossier and rule set). The workers find every district's rule set ready, so that
    problems with one are reported here, once."""
    if len(docs) >= workers.PARALLEL_FROM:
        for district in districts:
            context_for(district)
    return workers.map_chunks(
        lambda chunk: [evaluate_school(d, context_for(d.data["profile"]["district"])) for d in chunk],
        docs,
    )


def _evaluate_stored(
    docs: list[Document], context_for: Callable[[str], Context], records, as_of: date, store
) -> list[SchoolResult]:
    """:func:`_evaluate_all` for the schools the store holds no result for that holds on
    ``as_of`` (under the same rule set, shown by the same name); the others from the store."""
    keys = [
        f"{records.keys[d.file]} {context_for(records.district_of(d)).rule_set.digest} {d.file}"
        if d.file in records.keys else None
        for d in docs
    ]  # fmt: skip
    kept = store.results([k for k in keys if k], as_of)
    missed = [d for d, k in zip(docs, keys, strict=True) if k not in kept]
    fresh = iter(_evaluate_all(missed, context_for, records.districts))
    out, new = [], []
    for key in keys:
        if key in kept:
            out.append(kept[key])
        else:
            out.append(next(fresh))
            if key:
                new.append((key, out[-1]))
    store.keep_results(new)
    return out


def _context(
    records, district: str, as_of: date, forced: RuleSet | None, problems: list[Finding]
) -> Context:
    """The district's own rule set (named in its ``_district.yaml``), else the baseline.

    A district naming a rule set that does not exist, or is broken, gets an error finding and
    is evaluated under the baseline meanwhile, so its schools still have a status.
    """
    if forced is not None:
        return Context(as_of, forced)
    doc = getattr(records, "districts", {}).get(district)
    name = doc.data["rule_set"] if doc is not None else BASELINE
    try:
        return Context(as_of, load_rule_set(name))
    except RuleSetError as exc:
        line, column = doc.locate(("rule_set",)) if doc is not None else (None, None)
        problems.append(
            Finding(
                file=doc.file if doc is not None else district,
                message=f"{exc};本区县的学校暂按全国基线({BASELINE})评估",
                code="ruleset.unknown",
                line=line,
                column=column,
                path="/rule_set",
                place="规则集",
            )
        )
        return Context(as_of, load_rule_set(BASELINE))


def _districts(
    records, results: list[SchoolResult], contexts: dict[str, Context]
) -> list[DistrictResult]:
    by_district: dict[str, list[SchoolResult]] = {}
    for r in sorted(results, key=lambda r: r.id):
        by_district.setdefault(r.district, []).append(r)
    out = []
    for district_id in sorted(by_district):
        schools = by_district[district_id]
        ctx = contexts[district_id]
        doc = getattr(records, "districts", {}).get(district_id)
        counts = Counter(r.status for r in schools)
        rates = []
        for rate in ctx.rule_set.rates:
            num = sum(r.rate_parts[rate.id][0] for r in schools)
            den = sum(r.rate_parts[rate.id][1] for r in schools)
            value = num / den if den else None
            rates.append(
                Rate(
                    id=rate.id,
                    title=rate.title,
                    numerator=num,
                    denominator=den,
                    value=value,
                    target=rate.target,
                    met=None if value is None else value >= rate.target - 1e-9,
                    source=rate.source,
                )
            )
        out.append(
            DistrictResult(
                id=district_id,
                name=doc.data["name"] if doc is not None else district_id,
                rule_set=ctx.rule_set.name,
                schools=[r.id for r in schools],
                status_counts={s: counts.get(s, 0) for s in STATUSES},
                rates=rates,
            )
        )
    return out
