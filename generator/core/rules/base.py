"""What every rule is made of: the :func:`rule` decorator, :class:`Hit`, :class:`SchoolView`
and :class:`Context`.

A rule is a small function ``check(school, ctx) -> Iterable[Hit]`` with metadata. It reads a
schema-valid dossier through :class:`SchoolView`, the settings and dates through
:class:`Context`, and yields a :class:`Hit` for each problem: the path of the offending item
(the finding gets its line from it), a Chinese message, the kind of problem, which drives
the school's status, and, for a dated duty, the day it fell (or will fall) due.

Messages carry ids, dates, counts, categories and public titles only — never a value the
schema marks private (names, phones, locations, hazard descriptions): findings reach the
public site. The same holds for ``due``, and for a day computed from a private one.

Messages say dates, never days counted from ``as_of`` ("应于 2026-11-03 前复核,已逾期", not
"已逾期 32 天"): a finding then reads the same on every day its evaluation holds.
``evaluate_school`` gives the rules an :class:`~generator.core.dates.AsOf` as ``ctx.as_of``,
which records each comparison a rule makes with it; from them the school's result knows the
days it stays true (``valid_from``, ``next_change``). So a rule compares dates
(``as_of > found + limit``) rather than counting days (``(as_of - found).days``, which would
make its result change every day).

History: events dated after ``as_of`` did not happen yet, and a hazard closed after ``as_of``
was still open then, so a dossier can be evaluated as of any past day.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from generator.core.dates import Period, SchoolCalendar, Semester, parse_date, periods_before

CATEGORIES = {
    "责任": "responsibility",
    "风险": "risks",
    "隐患": "hazards",
    "演练": "drills",
    "人防": "guards",
    "物防": "physical",
    "技防": "technical",
    "一校一警": "police",
    "预案": "plans",
    "教育": "education",
    "校车": "buses",
    "食堂": "canteen",
    "危化品": "chemicals",
    "特种设备": "equipment",
    "报告": "reports",
}
"""The categories of rules, in the order pages show them, each with the slug that names it in
URLs (badges at /badges/<school>.<slug>.svg, anchors). Inspections (检查记录) are under 报告:
they are records of the bureau's and police's visits, kept with the reports."""

KINDS = ("major", "overdue", "open")
"""What a hit means for the status: an open major hazard, something overdue, something open."""

SEVERITIES = ("error", "warning")


@dataclass(frozen=True, slots=True)
class Hit:
    """One problem a rule found: where (a path into the dossier), what, of which kind, and
    the day the duty fell (or, for a warning of something coming, will fall) due."""

    path: tuple
    message: str
    kind: str = "open"
    due: date | None = None


@dataclass(frozen=True)
class Deadline:
    """One thing due on one day, which a rule will check when it has passed: the calendar
    feeds remind of it (and a later build can tell when a school's status may change)."""

    kind: str  # hazard, drill, spray, monthly-report, annual-report, risk-review, equipment, bus-sign
    key: str  # the item's id (or another stable name) within the school
    day: date
    summary: str
    description: str
    category: str  # as the calendar shows it
    remind: tuple[int, ...]  # days before ``day``
    rrule: dict | None = None


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    severity: str
    title: str
    source: str
    settings: tuple[str, ...]
    fields: tuple[str, ...]
    check: Callable[[SchoolView, Context], Iterable[Hit]]
    due: Callable[[SchoolView, Context], Iterable[Deadline]] | None = None
    """The coming deadlines this rule will check, from ``as_of`` on (see :func:`due`)."""


RULES: dict[str, Rule] = {}
"""Every rule, by id; :mod:`generator.core.rules` orders them by category."""


def rule(
    *,
    id: str,
    category: str,
    severity: str,
    title: str,
    source: str,
    settings: tuple[str, ...] = (),
    fields: tuple[str, ...] = (),
) -> Callable:
    """Register ``check`` as a rule. ``settings`` are the rule-set settings it reads (dotted
    names), ``fields`` the dossier fields it looks at (for the coverage matrix)."""
    if category not in CATEGORIES:
        raise ValueError(f"rule {id}: unknown category {category!r}")
    if severity not in SEVERITIES:
        raise ValueError(f"rule {id}: unknown severity {severity!r}")
    if id in RULES:
        raise ValueError(f"rule {id} registered twice")

    def register(check: Callable) -> Callable:
        RULES[id] = Rule(
            id, category, severity, title, source, tuple(settings), tuple(fields), check
        )
        return check

    return register


def due(rule_id: str) -> Callable:
    """Register the deadlines of an already registered rule: a function of (school, context)
    giving the :class:`Deadline` s it will check, dated from ``context.as_of`` on. Declared
    beside the rule, so its dates and the rule's checks come from one reading of the seed."""

    def register(deadlines: Callable) -> Callable:
        RULES[rule_id] = replace(RULES[rule_id], due=deadlines)
        return deadlines

    return register


def recurring(
    value: Any,
    as_of: date,
    days: int,
    where: tuple,
    field: str,
    missing: str,
    late: str,
    private: bool = False,
) -> Iterator[Hit]:
    """The hit of a duty done again every ``days`` days, last done on ``value`` (a date): none
    on record is ``missing``, open, at ``where``; one done longer ago is ``late``, overdue, at
    ``(*where, field)``, due ``days`` after the last time (unless the field is ``private``);
    ``late`` may use ``{last}``, ``{due}`` and ``{days}``. A date after ``as_of`` says nothing
    of that day (the field keeps only the latest): no hit."""
    last = parse_date(value)
    if last is None:
        yield Hit(where, missing)
    elif as_of > last + timedelta(days=days):
        due = last + timedelta(days=days)
        message = late.format(last=last, due=due, days=days)
        yield Hit((*where, field), message, "overdue", None if private else due)


# ---------------------------------------------------------------------------------------------
# The dossier, as rules read it


class SchoolView:
    """A schema-valid dossier, with helpers for lists, dates and history as of a day."""

    def __init__(self, data: dict, file: str = ""):
        self.data = data
        self.file = file
        profile = data.get("profile", {})
        self.id: str = profile.get("id", "")
        self.name: str = profile.get("name", "")
        self.district: str = profile.get("district", "")
        self.stage: str = profile.get("stage", "")

    def get(self, *path: str | int, default: Any = None) -> Any:
        """The value at ``path``, or ``default`` where any part is missing."""
        value: Any = self.data
        for key in path:
            try:
                value = value[key]
            except (KeyError, IndexError, TypeError):
                return default
        return value

    def items(self, *path: str) -> Iterator[tuple[tuple, dict]]:
        """``(path, item)`` for each item of the list at ``path`` (none if it is missing)."""
        for i, item in enumerate(self.get(*path, default=None) or ()):
            yield (*path, i), item

    @property
    def headcount(self) -> int:
        return int(self.get("profile", "students", default=0)) + int(
            self.get("profile", "staff", default=0)
        )

    def dated(self, *path: str, as_of: date, key: str = "date") -> list[tuple[tuple, dict, date]]:
        """Items of a list with their date ``key``, those dated on or before ``as_of``."""
        out = []
        for p, item in self.items(*path):
            d = parse_date(item.get(key))
            if d is not None and d <= as_of:
                out.append((p, item, d))
        return out

    def hazards(self, as_of: date) -> list[tuple[tuple, dict, bool]]:
        """``(path, hazard, open)`` for each hazard found by ``as_of``; ``open`` is whether it
        was still open that day (a hazard closed later was open then)."""
        out = []
        for p, h in self.items("hazards"):
            found = parse_date(h.get("found"))
            if found is not None and found > as_of:
                continue
            closed = parse_date(h.get("closed"))
            is_open = not (h.get("status") == "已销号" and closed is not None and closed <= as_of)
            out.append((p, h, is_open))
        return out


# ---------------------------------------------------------------------------------------------
# The day and the rule set


class Context:
    """The day a school is evaluated, the rule set's settings and its school calendar."""

    def __init__(self, as_of: date, rule_set):
        self.as_of = as_of
        self.rule_set = rule_set

    def setting(self, name: str) -> Any:
        """A rule-set setting by dotted name (``drills.interval``); ``None`` = not required."""
        return self.rule_set.setting(name)

    @property
    def calendar(self) -> SchoolCalendar:
        return self.rule_set.calendar

    @cached_property
    def school_year(self) -> int:
        """The school year holding ``as_of`` (2026 for 2026–2027)."""
        return self.calendar.school_year_of(self.as_of)

    @cached_property
    def school_year_start(self) -> date:
        return self.calendar.school_year_period(self.school_year).start

    @cached_property
    def current_semester(self) -> Semester | None:
        """The semester ``as_of`` falls in; ``None`` in a vacation."""
        return self.calendar.semester_of(self.as_of)

    @cached_property
    def last_ended_semester(self) -> Semester:
        """The latest semester that ended before ``as_of``: the one now due."""
        return self.calendar.last_ended_semester(self.as_of)

    def last_due_period(self, unit: str) -> Period | None:
        """The latest month or quarter (``unit``) that ended before ``as_of`` and had at least
        ``drills.min_term_days`` days of term: the one whose duty is now due."""
        need = self.setting("drills.min_term_days")
        for _, period in zip(range(24), periods_before(self.as_of, unit), strict=False):
            if self.calendar.term_days(period) >= need:
                return period
        return None  # no term time for two years: nothing is due
