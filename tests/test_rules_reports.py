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


def test_monthly_report_late_or_in_the_future():
    data = reports(monthly=[("2026-11", "2026-11-15")])  # sent late, but sent
    assert hits("report.monthly", data, date(2026, 11, 15), "plan-003") == []
    assert (
        len(hits("report.monthly", data, date(2026, 11, 14), "plan-003")) == 1
    )  # not yet sent that day
    assert hits("report.monthly", reports(), AS_OF) == []  # national asks no monthly report


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
