"""Date arithmetic for the rules: months, quarters, deadlines and the school calendar.

Every rule that asks "is this late?" gets its dates from here, so the edge cases (month ends,
leap years, vacations between semesters) are handled, and tested, once.

Deadlines are inclusive: something due on a day is on time all that day and late from the
next (``is_late(due, as_of)`` is ``as_of > due``).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

ONE_DAY = timedelta(days=1)


@lru_cache(maxsize=8192)
def parse_date(value: object) -> date | None:
    """``YYYY-MM-DD`` text as a date; ``None`` for anything else (missing or malformed)."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def is_late(due: date, as_of: date) -> bool:
    """Past ``due``: the deadline day itself still counts as on time."""
    return as_of > due


def month_end(year: int, month: int) -> date:
    """The last day of a month (29 February in a leap year)."""
    return date(year, month, calendar.monthrange(year, month)[1])


def add_months(d: date, months: int) -> date:
    """``d`` moved by whole months; a day the target month lacks becomes its last day
    (31 January + 1 month = 28 or 29 February)."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True, order=True, slots=True)
class Period:
    """A span of days, both ends included, with a Chinese label (``2026年10月``)."""

    start: date
    end: date
    label: str = ""

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end

    def overlap_days(self, other: Period) -> int:
        first, last = max(self.start, other.start), min(self.end, other.end)
        return max((last - first).days + 1, 0)


def month_period(year: int, month: int) -> Period:
    return Period(date(year, month, 1), month_end(year, month), f"{year}年{month}月")


def quarter_period(year: int, quarter: int) -> Period:
    first = 3 * (quarter - 1) + 1
    return Period(date(year, first, 1), month_end(year, first + 2), f"{year}年第{quarter}季度")


def period_of(d: date, unit: str) -> Period:
    """The calendar month (``unit="month"``) or quarter (``"quarter"``) holding ``d``."""
    if unit == "month":
        return month_period(d.year, d.month)
    if unit == "quarter":
        return quarter_period(d.year, (d.month - 1) // 3 + 1)
    raise ValueError(f"unknown period unit {unit!r}")


def periods_before(d: date, unit: str) -> Iterator[Period]:
    """The months or quarters ending before ``d``, latest first (endless)."""
    current = period_of(d, unit)
    while True:
        current = period_of(current.start - ONE_DAY, unit)
        yield current


def last_monthly_due(as_of: date, day: int) -> tuple[int, int, date]:
    """The latest monthly deadline already passed on ``as_of`` — day ``day`` of a month
    (clamped to its last day) strictly before ``as_of`` — as ``(year, month, due)``.

    On 2028-03-10 the March deadline is not yet passed, so February's (2028-02-10) is the one
    now due; from 2028-03-11 it is March's.
    """
    this = _clamped(as_of.year, as_of.month, day)
    if this < as_of:
        return as_of.year, as_of.month, this
    prev = add_months(date(as_of.year, as_of.month, 1), -1)
    return prev.year, prev.month, _clamped(prev.year, prev.month, day)


def last_yearly_due(as_of: date, month: int, day: int) -> tuple[int, date]:
    """The latest yearly deadline (``month-day``) already passed on ``as_of``: ``(year, due)``.
    The annual report due 15 December: on 2026-12-15 it is 2025's, from 2026-12-16 2026's."""
    due = _clamped(as_of.year, month, day)
    if due < as_of:
        return as_of.year, due
    return as_of.year - 1, _clamped(as_of.year - 1, month, day)


# ---------------------------------------------------------------------------------------------
# The school calendar


@dataclass(frozen=True, slots=True)
class Semester:
    """One semester of a school year: ``school_year`` 2026 is the 2026–2027 school year."""

    school_year: int
    number: int  # 1 = 第一学期 (autumn), 2 = 第二学期 (spring)
    start: date
    end: date

    @property
    def label(self) -> str:
        which = "第一学期" if self.number == 1 else "第二学期"
        return f"{school_year_label(self.school_year)}{which}"

    @property
    def period(self) -> Period:
        return Period(self.start, self.end, self.label)

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end


def school_year_label(year: int) -> str:
    return f"{year}-{year + 1}学年"


@dataclass(frozen=True)
class SchoolCalendar:
    """School years and semesters of one jurisdiction.

    ``year_start`` is the (month, day) a school year begins. ``semesters`` lists the known
    semesters with their real dates; a school year not listed falls back to ``pattern``: two
    (month, day) ranges, the first semester's and the second's (the second running in the
    following calendar year).
    """

    year_start: tuple[int, int]
    semesters: tuple[Semester, ...]
    pattern: tuple[tuple[tuple[int, int], tuple[int, int]], tuple[tuple[int, int], tuple[int, int]]]

    def school_year_of(self, d: date) -> int:
        """The school year holding ``d`` (2026 for the 2026–2027 school year)."""
        return d.year if (d.month, d.day) >= self.year_start else d.year - 1

    def school_year_period(self, year: int) -> Period:
        start = _clamped(year, *self.year_start)
        end = _clamped(year + 1, *self.year_start) - ONE_DAY
        return Period(start, end, school_year_label(year))

    def semesters_of(self, year: int) -> tuple[Semester, Semester]:
        listed = [s for s in self.semesters if s.school_year == year]
        if len(listed) == 2:
            return listed[0], listed[1]
        (s1, e1), (s2, e2) = self.pattern
        first = Semester(year, 1, _clamped(year, *s1), _clamped(year + (e1 < s1), *e1))
        second = Semester(year, 2, _clamped(year + 1, *s2), _clamped(year + 1, *e2))
        return first, second

    def semester_of(self, d: date) -> Semester | None:
        """The semester ``d`` falls in; ``None`` in a vacation."""
        for year in (self.school_year_of(d), self.school_year_of(d) - 1):
            for s in self.semesters_of(year):
                if d in s:
                    return s
        return None

    def last_ended_semester(self, d: date) -> Semester:
        """The latest semester that ended before ``d``."""
        year = self.school_year_of(d)
        candidates = [*self.semesters_of(year - 1), *self.semesters_of(year)]
        return max((s for s in candidates if s.end < d), key=lambda s: s.end)

    def term_days(self, period: Period) -> int:
        """How many days of ``period`` fall inside a semester."""
        years = range(self.school_year_of(period.start) - 1, self.school_year_of(period.end) + 1)
        return sum(period.overlap_days(s.period) for y in years for s in self.semesters_of(y))


def _clamped(year: int, month: int, day: int) -> date:
    """``month-day`` in ``year``; 29 February in a common year becomes the 28th."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))
