"""Date arithmetic for the rules: months, quarters, deadlines and the school calendar.

Every rule that asks "is this late?" gets its dates from here, so the edge cases (month ends,
leap years, vacations between semesters) are handled, and tested, once.

Deadlines are inclusive: something due on a day is on time all that day and late from the
next (``is_late(due, as_of)`` is ``as_of > due``).

:class:`AsOf` is the day of evaluation as the rules see it: a date that remembers what was
asked of it, so an evaluation knows the days on which it would have come out the same
(:class:`Window`).
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import MAXYEAR, date, timedelta
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


# ---------------------------------------------------------------------------------------------
# The day of evaluation, and the days it stands for

_FIRST = 1  # ordinal of date.min
_END = date.max.toordinal() + 1  # past date.max: no end


class Window:
    """The days ``[lo, hi)`` (ordinals) on which every question asked of an :class:`AsOf` so
    far gets the answer it got: an evaluation made from those answers is the same on each of
    them. ``read`` says whether something read the day itself (the window is then that day)."""

    __slots__ = ("hi", "lo", "read")

    def __init__(self) -> None:
        self.lo, self.hi = _FIRST, _END
        self.read = False

    def below(self, base: int, at: int) -> bool:
        """Is ``base`` before ``at``? The answer changes between ``at - 1`` and ``at``: keep
        the side ``base`` is on."""
        if base < at:
            self.hi = min(self.hi, at)
            return True
        self.lo = max(self.lo, at)
        return False

    @property
    def valid_from(self) -> date | None:
        """The first day of the window; ``None`` when nothing asked bounds it."""
        return date.fromordinal(self.lo) if self.lo > _FIRST else None

    @property
    def next_change(self) -> date | None:
        """The first day after the window; ``None`` when nothing asked bounds it."""
        return date.fromordinal(self.hi) if self.hi < _END else None


class AsOf(date):
    """The day of evaluation, keeping its :class:`Window`: each comparison with a date narrows
    the window to the days that compare the same; ``as_of + timedelta`` is an ``AsOf`` too,
    shifted, sharing the window. Whatever reads the day itself (``.day``, ``str``, ``as_of -
    d``, ``isoformat`` …) narrows the window to that day, so nothing escapes the window, but
    a rule that does so changes every day: compare dates instead (``as_of > found + limit``,
    not ``(as_of - found).days > limit``). ``.year`` and ``.month`` narrow it to the year and
    the month."""

    __slots__ = ("_base", "_day", "_ord", "shift", "window")

    def __new__(cls, day: date, window: Window | None = None, shift: int = 0) -> AsOf:
        ordinal = date.toordinal(day)
        plain = date.fromordinal(ordinal)
        self = date.__new__(cls, plain.year, plain.month, plain.day)
        self._day, self._ord, self.shift = plain, ordinal, shift
        self._base = ordinal - shift
        self.window = window if window is not None else Window()
        return self

    @property
    def plain(self) -> date:
        """The day as a plain date, narrowing the window to it."""
        self._within(self._ord, self._ord + 1)
        self.window.read = True
        return self._day

    def _below(self, ordinal: int) -> bool:
        return self.window.below(self._base, ordinal - self.shift)

    def _within(self, first: int, end: int) -> None:
        self._below(first)
        self._below(end)

    def _edge(self, other: object) -> int | None:
        """The ordinal of a plain date compared with; ``None`` for another ``AsOf`` (the same
        day shifted: the answer never changes) or anything else."""
        if type(other) is date or (isinstance(other, date) and not isinstance(other, AsOf)):
            return date.toordinal(other)
        return None

    def __lt__(self, other: object) -> bool:
        at = self._edge(other)
        return date.__lt__(self, other) if at is None else self._below(at)

    def __le__(self, other: object) -> bool:
        at = self._edge(other)
        return date.__le__(self, other) if at is None else self._below(at + 1)

    def __gt__(self, other: object) -> bool:
        at = self._edge(other)
        return date.__gt__(self, other) if at is None else not self._below(at + 1)

    def __ge__(self, other: object) -> bool:
        at = self._edge(other)
        return date.__ge__(self, other) if at is None else not self._below(at)

    def __eq__(self, other: object) -> bool:
        at = self._edge(other)
        if at is None:
            return date.__eq__(self, other)
        return not self._below(at) and self._below(at + 1)

    def __ne__(self, other: object) -> bool:
        result = self.__eq__(other)
        return result if result is NotImplemented else not result

    __hash__ = date.__hash__

    def __add__(self, other: object) -> AsOf:
        if not isinstance(other, timedelta):
            return NotImplemented
        return AsOf(date.fromordinal(self._ord + other.days), self.window, self.shift + other.days)

    __radd__ = __add__

    def __sub__(self, other: object):
        if isinstance(other, timedelta):
            return self + -other
        if isinstance(other, AsOf):
            return timedelta(days=self._ord - other._ord)
        if isinstance(other, date):
            return self.plain - other
        return NotImplemented

    def __rsub__(self, other: object):
        return other - self.plain if isinstance(other, date) else NotImplemented

    @property
    def year(self) -> int:
        year = self._day.year
        end = date(year + 1, 1, 1).toordinal() if year < MAXYEAR else _END
        self._within(date(year, 1, 1).toordinal(), end)
        return year

    @property
    def month(self) -> int:
        first = self._day.replace(day=1)
        self._within(first.toordinal(), month_end(first.year, first.month).toordinal() + 1)
        return first.month

    @property
    def day(self) -> int:
        return self.plain.day

    def __str__(self) -> str:
        return str(self.plain)

    def __repr__(self) -> str:
        return f"AsOf({self._day!r}, shift={self.shift})"

    def __format__(self, spec: str) -> str:
        return format(self.plain, spec)

    def __reduce__(self):  # pickled or copied, it is the plain day
        return date, (self.plain.year, self._day.month, self._day.day)


def _of_the_day(name: str):
    def method(self: AsOf, *args, **kwargs):
        return getattr(self.plain, name)(*args, **kwargs)

    method.__name__ = name
    return method


# The rest of what a date can tell reads the day itself.
for _name in (
    "ctime", "isocalendar", "isoformat", "isoweekday", "replace", "strftime", "timetuple",
    "toordinal", "weekday",
):  # fmt: skip
    setattr(AsOf, _name, _of_the_day(_name))


def iso(day: date | None) -> str | None:
    """``YYYY-MM-DD``, or ``None`` for no day."""
    return day.isoformat() if day is not None else None


def plain(day: date | None) -> date | None:
    """``day`` as a plain date (an :class:`AsOf` narrows its window to that day)."""
    return day.plain if isinstance(day, AsOf) else day


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


def next_yearly_due(as_of: date, month: int, day: int) -> date:
    """The first yearly deadline (``month-day``, clamped to the month) on or after ``as_of``:
    the one a reminder announces. 29 February falls on the 28th in a common year."""
    due = _clamped(as_of.year, month, day)
    return due if due >= as_of else _clamped(as_of.year + 1, month, day)


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
        month, day = self.year_start  # compared as (month, day): 29 February is 1 March
        return d.year if d >= date(d.year, month, 1) + timedelta(days=day - 1) else d.year - 1

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
