"""Date arithmetic: month ends, leap years, deadlines, the school calendar."""

import pickle
from datetime import date, timedelta

import pytest

from generator.core.dates import (
    AsOf,
    Period,
    add_months,
    is_late,
    last_monthly_due,
    last_yearly_due,
    month_end,
    parse_date,
    period_of,
    periods_before,
)
from generator.core.ruleset import load_rule_set


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2028-02-29", date(2028, 2, 29)),
        ("2027-02-29", None),
        ("2026-13-01", None),
        ("", None),
        (None, None),
        (20261123, None),
        ("2026-1-1", None),
    ],
)
def test_parse_date(text, expected):
    assert parse_date(text) == expected


def test_month_end_knows_leap_years():
    assert month_end(2028, 2) == date(2028, 2, 29)
    assert month_end(2027, 2) == date(2027, 2, 28)
    assert month_end(2100, 2) == date(2100, 2, 28)  # divisible by 100, not by 400
    assert month_end(2000, 2) == date(2000, 2, 29)
    assert month_end(2026, 12) == date(2026, 12, 31)


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2026, 12, 15), 1, date(2027, 1, 15)),
        (date(2027, 1, 15), -1, date(2026, 12, 15)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2026, 3, 31), -1, date(2026, 2, 28)),
    ],
)
def test_add_months(start, months, expected):
    assert add_months(start, months) == expected


def test_deadline_day_is_on_time():
    due = date(2028, 2, 29)
    assert not is_late(due, date(2028, 2, 28))
    assert not is_late(due, date(2028, 2, 29))
    assert is_late(due, date(2028, 3, 1))


def test_periods():
    assert period_of(date(2028, 2, 29), "month") == Period(
        date(2028, 2, 1), date(2028, 2, 29), "2028年2月"
    )
    assert period_of(date(2026, 11, 23), "quarter") == Period(
        date(2026, 10, 1), date(2026, 12, 31), "2026年第4季度"
    )
    before = periods_before(date(2026, 1, 1), "quarter")
    assert [next(before).label, next(before).label] == ["2025年第4季度", "2025年第3季度"]
    assert next(periods_before(date(2028, 3, 1), "month")).end == date(2028, 2, 29)
    with pytest.raises(ValueError):
        period_of(date(2026, 1, 1), "week")


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (
            date(2028, 3, 10),
            (2028, 2, date(2028, 2, 10)),
        ),  # March's deadline is today: not yet passed
        (date(2028, 3, 11), (2028, 3, date(2028, 3, 10))),
        (date(2028, 3, 1), (2028, 2, date(2028, 2, 10))),
        (date(2027, 1, 5), (2026, 12, date(2026, 12, 10))),
        (date(2026, 12, 31), (2026, 12, date(2026, 12, 10))),
    ],
)
def test_last_monthly_due(as_of, expected):
    assert last_monthly_due(as_of, 10) == expected


def test_last_monthly_due_clamps_to_month_end():
    assert last_monthly_due(date(2028, 3, 1), 31) == (2028, 2, date(2028, 2, 29))
    assert last_monthly_due(date(2028, 2, 29), 31) == (2028, 1, date(2028, 1, 31))


def test_last_yearly_due():
    assert last_yearly_due(date(2026, 12, 15), 12, 15) == (2025, date(2025, 12, 15))
    assert last_yearly_due(date(2026, 12, 16), 12, 15) == (2026, date(2026, 12, 15))
    assert last_yearly_due(date(2027, 1, 1), 12, 15) == (2026, date(2026, 12, 15))
    assert last_yearly_due(date(2029, 3, 1), 2, 29) == (2029, date(2029, 2, 28))  # clamped


@pytest.fixture(scope="module")
def cal():
    return load_rule_set("national").calendar


def test_school_year_of(cal):
    assert cal.school_year_of(date(2026, 8, 31)) == 2025
    assert cal.school_year_of(date(2026, 9, 1)) == 2026
    assert cal.school_year_period(2027) == Period(
        date(2027, 9, 1), date(2028, 8, 31), "2027-2028学年"
    )


def test_semesters_listed_and_fallback(cal):
    first, second = cal.semesters_of(2027)
    assert (first.start, first.end, second.start, second.end) == (
        date(2027, 9, 1),
        date(2028, 1, 14),
        date(2028, 2, 14),
        date(2028, 7, 7),
    )
    assert first.label == "2027-2028学年第一学期"
    # 2031 is not listed: the pattern (09-01…01-20, 02-25…07-10) applies
    first, second = cal.semesters_of(2031)
    assert (first.start, first.end, second.start, second.end) == (
        date(2031, 9, 1),
        date(2032, 1, 20),
        date(2032, 2, 25),
        date(2032, 7, 10),
    )


def test_semester_of_and_vacations(cal):
    assert cal.semester_of(date(2028, 1, 14)).label == "2027-2028学年第一学期"  # last day of term
    assert cal.semester_of(date(2028, 1, 15)) is None  # winter vacation
    assert cal.semester_of(date(2028, 2, 14)).number == 2
    assert cal.semester_of(date(2028, 2, 29)).number == 2
    assert cal.semester_of(date(2026, 8, 1)) is None


def test_last_ended_semester(cal):
    assert cal.last_ended_semester(date(2028, 1, 14)).label == "2026-2027学年第二学期"
    assert cal.last_ended_semester(date(2028, 1, 15)).label == "2027-2028学年第一学期"
    assert cal.last_ended_semester(date(2026, 11, 23)).label == "2025-2026学年第二学期"
    assert cal.last_ended_semester(date(2026, 9, 1)).label == "2025-2026学年第二学期"


def test_term_days(cal):
    assert cal.term_days(period_of(date(2026, 10, 5), "month")) == 31
    assert cal.term_days(period_of(date(2026, 8, 5), "month")) == 0
    assert cal.term_days(period_of(date(2028, 2, 5), "month")) == 16  # 14 to 29 February 2028
    assert cal.term_days(period_of(date(2027, 1, 5), "month")) == 22  # 1 to 22 January 2027
    assert cal.term_days(period_of(date(2026, 8, 5), "quarter")) == 30 + 10  # July 1–10, September


# ---------------------------------------------------------------------------------------------
# AsOf: the day of evaluation and the days it stands for


def _window(as_of: AsOf) -> tuple:
    return as_of.window.valid_from, as_of.window.next_change


def test_as_of_compares_as_its_day_and_keeps_the_days_that_compare_the_same():
    as_of = AsOf(date(2026, 12, 5))
    assert _window(as_of) == (None, None)
    assert as_of > date(2026, 11, 30)  # true from 12-01 on
    assert _window(as_of) == (date(2026, 12, 1), None)
    assert not date(2026, 12, 20) < as_of  # reflected: true from 12-21 on
    assert _window(as_of) == (date(2026, 12, 1), date(2026, 12, 21))
    assert as_of in Period(date(2026, 12, 1), date(2026, 12, 10))
    assert _window(as_of) == (date(2026, 12, 1), date(2026, 12, 11))
    assert as_of != date(2026, 12, 8) and as_of == date(2026, 12, 5)
    assert _window(as_of) == (date(2026, 12, 5), date(2026, 12, 6))


def test_as_of_shifted_shares_its_window():
    as_of = AsOf(date(2026, 12, 5))
    later = as_of + timedelta(days=30)
    assert isinstance(later, AsOf) and later == date(2027, 1, 4)
    assert _window(as_of) == (date(2026, 12, 5), date(2026, 12, 6))
    as_of = AsOf(date(2026, 12, 5))
    assert as_of - timedelta(days=5) <= date(2026, 12, 10)  # as_of ≤ 12-15
    assert as_of + timedelta(days=30) >= date(2027, 1, 1)  # as_of ≥ 12-02
    assert _window(as_of) == (date(2026, 12, 2), date(2026, 12, 16))
    assert as_of + timedelta(days=3) > as_of  # the same day shifted: always, nothing narrowed
    assert _window(as_of) == (date(2026, 12, 2), date(2026, 12, 16))


@pytest.mark.parametrize(
    "read, window",
    [
        (lambda d: d.year, (date(2026, 1, 1), date(2027, 1, 1))),
        (lambda d: d.month, (date(2026, 12, 1), date(2027, 1, 1))),
        (lambda d: d.day, (date(2026, 12, 5), date(2026, 12, 6))),
        (lambda d: (d - date(2026, 11, 1)).days, (date(2026, 12, 5), date(2026, 12, 6))),
        (lambda d: (date(2027, 1, 1) - d).days, (date(2026, 12, 5), date(2026, 12, 6))),
        (lambda d: f"{d}", (date(2026, 12, 5), date(2026, 12, 6))),
        (lambda d: d.isoformat(), (date(2026, 12, 5), date(2026, 12, 6))),
        (lambda d: d.timetuple().tm_yday, (date(2026, 12, 5), date(2026, 12, 6))),
        (lambda d: pickle.loads(pickle.dumps(d)), (date(2026, 12, 5), date(2026, 12, 6))),
    ],
)
def test_whatever_reads_the_day_itself_narrows_the_window_to_what_it_read(read, window):
    as_of = AsOf(date(2026, 12, 5))
    assert read(as_of) == read(date(2026, 12, 5))
    assert _window(as_of) == window
    assert as_of.window.read == (window[1] - window[0] == timedelta(days=1))


def test_as_of_at_the_ends_of_the_calendar():
    as_of = AsOf(date(9999, 12, 30))
    assert not as_of > date(9999, 12, 31) and as_of.year == 9999
    assert _window(as_of) == (date(9999, 1, 1), None)  # nothing comes after date.max
    assert type(pickle.loads(pickle.dumps(as_of))) is date


def test_the_school_year_starts_on_its_day_for_an_as_of_too(cal):
    as_of = AsOf(date(2026, 9, 1))
    assert cal.school_year_of(as_of) == 2026
    assert _window(as_of) == (date(2026, 9, 1), date(2027, 1, 1))
