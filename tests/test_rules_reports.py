"""报告 rules: the monthly report by the 10th, the annual report by 15 December, inspections
each semester."""

from datetime import date

import pytest

from tests.dossiers import compliant, hits

AS_OF = date(2026, 11, 23)


def reports(monthly=(), annual=()):
    data = compliant(AS_OF)
    data["reports"] = {
        "monthly": [{"month": m, "submitted": s} for m, s in monthly],
        "annual": [{"year": y, "submitted": s} for y, s in annual],
    }
    return data


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2028, 3, 10), None),  # March's report is due today: February's is checked
        (
            date(2028, 3, 11),
            "2028年3月的隐患排查整治清单月报(月份 2028-03)应于 2028-03-10 前报送,没有报送记录",
        ),
        (date(2028, 2, 29), None),
    ],
)
def test_monthly_report_by_the_tenth(as_of, expected):
    data = reports(monthly=[("2028-02", "2028-02-10")])
    found = hits("report.monthly", data, as_of, "plan-003")
    assert [h.message for h in found] == ([expected] if expected else [])
    if found:
        assert found[0].kind == "overdue" and found[0].path == ("reports", "monthly")


@pytest.mark.parametrize(
    "submitted, expected",
    [
        ("2026-11-10", None),  # the last day in time
        ("2026-11-11", "2026-11-11 才报送(逾期)"),  # 按时: a late report does not clear it
    ],
)
def test_monthly_report_sent_late_is_still_a_finding(submitted, expected):
    data = reports(monthly=[("2026-11", submitted)])
    found = hits("report.monthly", data, AS_OF, "plan-003")
    assert [h.message.split(",")[-1] for h in found] == ([expected] if expected else [])
    assert all(h.kind == "overdue" for h in found)


def test_monthly_report_in_the_future():
    data = reports(monthly=[("2026-11", "2026-11-15")])
    assert len(hits("report.monthly", data, date(2026, 11, 14), "plan-003")) == 1  # not yet sent
    assert hits("report.monthly", reports(), AS_OF) == []  # national asks no monthly report


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2026, 12, 1), None),  # 001 四(二): 每月1日前上传
        (date(2026, 12, 2), "2026年12月的隐患排查整治清单月报(月份 2026-12)应于 2026-12-01 前报送,没有报送记录"),
    ],
)
def test_monthly_report_by_the_first_under_plan_001(as_of, expected):
    data = reports(monthly=[("2026-11", "2026-11-01")])
    found = hits("report.monthly", data, as_of, "plan-001")
    assert [h.message for h in found] == ([expected] if expected else [])


@pytest.mark.parametrize(
    "as_of, expected", [(date(2026, 12, 10), 0), (date(2026, 12, 11), 1)]
)
def test_annual_summary_by_10_december_under_plan_001(as_of, expected):
    """001 四(三): 于12月10日前将……工作总结报送."""
    data = reports(annual=[(2025, "2025-12-10")])
    assert len(hits("report.annual", data, as_of, "plan-001")) == expected


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2026, 12, 15), None),  # due today: 2025's is the one checked, and was sent
        (date(2026, 12, 16), "2026年度安全工作总结应于 2026-12-15 前报送,没有报送记录"),
        (date(2027, 12, 15), "2026年度安全工作总结应于 2026-12-15 前报送,没有报送记录"),
    ],
)
def test_annual_report_by_15_december(as_of, expected):
    data = reports(annual=[(2025, "2025-12-14")])
    found = hits("report.annual", data, as_of, "plan-003")
    assert [h.message for h in found] == ([expected] if expected else [])
    assert hits("report.annual", data, as_of, "longhua") == []


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2026, 7, 3), None),  # longhua's spring semester ends 07-03; autumn 2025 had two
        (date(2026, 7, 4), "2025-2026学年第二学期教育、公安等部门检查督导 1 次,少于每学期 2 次"),
        (date(2027, 1, 22), "2025-2026学年第二学期教育、公安等部门检查督导 1 次,少于每学期 2 次"),
        (date(2027, 1, 23), None),  # autumn 2026 had two
    ],
)
def test_two_inspections_a_semester(as_of, expected):
    data = compliant(AS_OF)
    data["inspections"] = [
        {"id": f"I-{i}", "date": d, "by": "公安机关", "hazards_found": 0}
        for i, d in enumerate(
            ["2025-10-01", "2025-12-01", "2026-05-01", "2026-09-20", "2027-01-22"]
        )
    ]
    found = hits("report.inspections", data, as_of, "longhua")
    assert [h.message for h in found] == ([expected] if expected else [])
    assert hits("report.inspections", data, as_of, "national") == []


def _visits(*days):
    data = compliant(AS_OF)
    data["inspections"] = [
        {"id": f"I-{i}", "date": d, "by": "教育部门", "hazards_found": 0} for i, d in enumerate(days)
    ]
    return data


# plan-001's calendar: 2025-2026 second semester 2026-02-24 to 2026-07-03, then 2026-2027
# first semester from 2026-09-01; it keeps 30 days at each edge.
SPRING_OPEN, SPRING_CLOSE, AUTUMN_OPEN = "2026-03-25", "2026-06-04", "2026-09-30"


@pytest.mark.parametrize(
    "days, as_of, expected",
    [
        ((SPRING_OPEN, SPRING_CLOSE, AUTUMN_OPEN), date(2026, 11, 23), []),
        (("2026-03-26", SPRING_CLOSE, AUTUMN_OPEN), date(2026, 11, 23), ["第二学期开学初"]),
        ((SPRING_OPEN, "2026-06-03", AUTUMN_OPEN), date(2026, 11, 23), ["第二学期放假前"]),
        ((SPRING_OPEN, SPRING_CLOSE, "2026-10-01"), date(2026, 11, 23), ["第一学期开学初"]),
        ((SPRING_OPEN, SPRING_CLOSE), date(2026, 9, 30), []),  # the opening window still runs
        ((SPRING_OPEN, SPRING_CLOSE), date(2026, 10, 1), ["第一学期开学初"]),
    ],
)
def test_supervision_at_the_start_and_end_of_each_term(days, as_of, expected):
    """001 五(五): 责任督学在学期放假前、开学初重点督导."""
    found = hits("report.term_supervision", _visits(*days), as_of, "plan-001")
    assert [h.message.split("学年")[1].split("(")[0] for h in found] == expected
    assert hits("report.term_supervision", _visits(), as_of) == []  # national: not asked


@pytest.mark.parametrize(
    "annual_due, as_of, first, monthday",
    [
        ("02-29", date(2027, 1, 5), date(2027, 2, 28), 28),  # a common year: the 28th
        ("02-29", date(2027, 3, 1), date(2028, 2, 29), 28),  # a leap year: the 29th
        ("04-31", date(2027, 4, 30), date(2027, 4, 30), 30),  # on the day: still this year's
        ("12-15", date(2026, 12, 16), date(2027, 12, 15), 15),
    ],
)
def test_the_annual_reminder_falls_on_a_day_the_year_has(annual_due, as_of, first, monthday):
    """The calendar's reminder clamps a month-day as the rule does; 02-29 no longer breaks the
    feed in a common year, and its yearly repeat names a day every year has."""
    from generator.exchange.calendar import deadlines
    from tests.dossiers import rule_set

    rules = rule_set("plan-003", reports={"annual_due": annual_due})
    (annual,) = [d for d in deadlines(compliant(as_of), as_of, rules) if d.kind == "annual-report"]
    assert annual.day == first and annual.rrule["bymonthday"] == monthday
