"""演练 rules: monthly and quarterly frequency, per-semester counts and kinds, bus drills,
evacuation time — at the ends of months, quarters and semesters, and in leap years."""

from datetime import date

import pytest

from tests.dossiers import compliant, hits, rule_set


def drill(day, kind="消防疏散", scope="全校", seconds=None):
    d = {"date": day, "kind": kind, "scope": scope, "participants": 300}
    if seconds:
        d["evacuation_seconds"] = seconds
    return d


def school(drills, stage="小学", as_of=date(2026, 11, 23)):
    data = compliant(as_of, stage)
    data["drills"] = drills
    return data


# -- drill.frequency --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2026, 10, 31), []),  # October is not over: September is checked, and has one
        (date(2026, 11, 1), ["2026年10月"]),
        (date(2026, 11, 30), ["2026年10月"]),
    ],
)
def test_monthly_drill_last_day_of_month(as_of, expected):
    data = school([drill("2026-09-15")])
    found = hits("drill.frequency", data, as_of)
    assert [h.message.split("没有")[0] for h in found] == expected
    assert all(h.kind == "overdue" and h.path == ("drills",) for h in found)


def test_monthly_message():
    [hit] = hits("drill.frequency", school([]), date(2026, 11, 1))
    assert (
        hit.message
        == "2026年10月没有应急疏散演练记录(消防疏散、地震疏散、防踩踏):小学应每月至少组织一次"
        "应急疏散演练(应于 2026-10-31 前完成)"
    )


@pytest.mark.parametrize("rules", ["national", "plan-003", "longhua", "jizhou", "plan-001"])
@pytest.mark.parametrize(
    "kind, scope, expected",
    [("食品安全", "部分", 1), ("防溺水", "全校", 1), ("校车", "部分", 1), ("防踩踏", "部分", 0),
     ("地震疏散", "全校", 0)],
)  # fmt: skip
def test_only_an_evacuation_drill_clears_the_month(kind, scope, expected, rules):
    """003 三(四)二 asks for 应急疏散演练: a food-safety drill of five people does not count."""
    october = {"date": "2026-10-20", "kind": kind, "scope": scope, "participants": 5}
    data = school([drill("2026-09-15"), october])
    assert len(hits("drill.frequency", data, date(2026, 11, 1), rules)) == expected
    assert hits("drill.frequency", data, date(2026, 10, 31), rules) == []  # October not yet due


def test_vacation_months_are_not_required():
    data = school([drill("2026-06-10")])
    # July 2026 has 10 days of term, August none: June stays the month due until October
    assert hits("drill.frequency", data, date(2026, 8, 15)) == []
    assert hits("drill.frequency", data, date(2026, 9, 30)) == []
    assert len(hits("drill.frequency", data, date(2026, 10, 1))) == 1


@pytest.mark.parametrize(
    "day, expected", [("2028-02-29", 0), ("2028-02-01", 0), ("2028-01-31", 1), ("2028-03-01", 1)]
)
def test_february_of_a_leap_year(day, expected):
    # term begins 2028-02-14: February has 16 days of term, so it needs its drill by the 29th
    found = hits("drill.frequency", school([drill(day)]), date(2028, 3, 2))
    assert len(found) == expected
    if found:
        assert "2028年2月" in found[0].message and "2028-02-29 前" in found[0].message


def test_a_drill_dated_after_the_day_of_evaluation_does_not_count():
    assert len(hits("drill.frequency", school([drill("2026-10-20")]), date(2026, 11, 1))) == 0
    assert len(hits("drill.frequency", school([drill("2026-11-20")]), date(2026, 11, 19))) == 1


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2026, 9, 30), 0),
        (date(2026, 10, 1), 1),
        (date(2026, 12, 31), 1),
        (date(2027, 1, 1), 1),
    ],
)
def test_kindergarten_quarterly(as_of, expected):
    data = school([drill("2026-06-30")], stage="幼儿园")  # Q2 has one; Q3 (July–September) has none
    found = hits("drill.frequency", data, as_of)
    assert len(found) == expected
    if found and as_of < date(2027, 1, 1):
        assert found[0].message.startswith("2026年第3季度没有应急疏散演练记录(消防疏散、地震疏散、防踩踏):幼儿园应每季度")


def test_frequency_per_stage_and_rule_set():
    assert hits("drill.frequency", school([], stage="职业学校"), date(2026, 11, 23)) == []
    # 004 三(三)2 adds drills a semester on top of the monthly one, it does not repeal it
    assert len(hits("drill.frequency", school([]), date(2026, 11, 23), "longhua")) == 1
    assert len(hits("drill.frequency", school([]), date(2026, 11, 23), "plan-003")) == 1


# -- drill.semester and drill.semester_kinds (longhua: three a semester, fire and earthquake) --

AUTUMN_2025 = [drill("2025-09-10"), drill("2025-10-10", "地震疏散"), drill("2025-11-10")]
SPRING_2026 = [drill("2026-03-10"), drill("2026-04-10")]  # longhua's spring: 03-02 … 07-03


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2026, 6, 3), []),  # 30 days before the end: no reminder yet
        (
            date(2026, 6, 4),
            [
                (
                    "open",
                    "2025-2026学年第二学期全校参加的应急演练 2 次,少于每学期 3 次(学期将于 2026-07-03 结束)",
                )
            ],
        ),
        (
            date(2026, 7, 3),
            [
                (
                    "open",
                    "2025-2026学年第二学期全校参加的应急演练 2 次,少于每学期 3 次(学期将于 2026-07-03 结束)",
                )
            ],
        ),
        (
            date(2026, 7, 4),
            [
                (
                    "overdue",
                    "2025-2026学年第二学期全校参加的应急演练 2 次,少于每学期 3 次(学期已于 2026-07-03 结束)",
                )
            ],
        ),
        (
            date(2027, 1, 22),
            [
                (
                    "overdue",
                    "2025-2026学年第二学期全校参加的应急演练 2 次,少于每学期 3 次(学期已于 2026-07-03 结束)",
                )
            ],
        ),
    ],
)
def test_three_whole_school_drills_a_semester(as_of, expected):
    data = school(
        AUTUMN_2025
        + SPRING_2026
        + [drill(f"2026-{m:02d}-05") for m in (9, 10, 11, 12)]
        + [drill("2027-01-05")]
    )
    found = hits("drill.semester", data, as_of, "longhua")
    assert [(h.kind, h.message) for h in found] == expected


def test_partial_drills_do_not_count_as_whole_school():
    data = school(AUTUMN_2025 + SPRING_2026 + [drill("2026-05-10", scope="部分")])
    assert len(hits("drill.semester", data, date(2026, 7, 4), "longhua")) == 1
    data["drills"][-1]["scope"] = "全校"
    assert hits("drill.semester", data, date(2026, 7, 4), "longhua") == []


def test_national_asks_one_drill_a_semester():
    data = school([drill("2026-03-10", scope="部分")])
    [hit] = hits("drill.semester", data, date(2026, 7, 11))  # national's spring ends 07-10
    assert "0 次,少于每学期 1 次" in hit.message
    assert (
        hits(
            "drill.semester",
            data,
            date(2026, 7, 11),
            rule_set(drills={"semester_min_whole_school": None}),
        )
        == []
    )


def test_fire_and_earthquake_each_semester():
    data = school(AUTUMN_2025 + [drill("2026-03-10"), drill("2026-04-10"), drill("2026-05-10")])
    found = hits("drill.semester_kinds", data, date(2026, 7, 4), "longhua")
    assert [(h.kind, h.message) for h in found] == [
        ("overdue", "2025-2026学年第二学期没有地震疏散演练(学期已于 2026-07-03 结束)")
    ]
    assert hits("drill.semester_kinds", data, date(2026, 7, 3), "longhua")[0].kind == "open"
    assert hits("drill.semester_kinds", data, date(2026, 7, 4)) == []  # national requires no kinds
    data["drills"].append(drill("2026-07-03", "地震疏散"))  # on the last day of the semester
    assert hits("drill.semester_kinds", data, date(2026, 7, 4), "longhua") == []


# -- drill.bus --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, kind", [(date(2027, 11, 23), None), (date(2027, 11, 24), "overdue")]
)
def test_bus_drill_within_a_year(as_of, kind):
    data = school([drill("2026-11-23", "校车", "部分")])
    found = hits("drill.bus", data, as_of)
    assert [h.kind for h in found] == ([kind] if kind else [])
    if kind:
        assert (
            found[0].message
            == "最近一次校车演练在 2026-11-23,已超过 365 天(应于 2027-11-23 前再次演练)"
        )


def test_bus_drill_only_for_schools_with_buses():
    data = school([])
    assert [h.kind for h in hits("drill.bus", data, date(2026, 11, 23))] == ["open"]
    del data["school_buses"]
    assert hits("drill.bus", data, date(2026, 11, 23)) == []


# -- drill.evacuation_time --------------------------------------------------------------------


@pytest.mark.parametrize("seconds, expected", [(180, 0), (181, 1)])
def test_evacuation_time_limit_for_primary_schools(seconds, expected):
    data = school([drill("2026-10-10", seconds=seconds)])
    found = hits("drill.evacuation_time", data, date(2026, 11, 23))
    assert len(found) == expected
    if found:
        assert found[0].path == ("drills", 0, "evacuation_seconds")
        assert (
            found[0].message
            == "最近一次疏散演练(2026-10-10,消防疏散)用时 181 秒,超过小学的 180 秒,请改进疏散路线后再次演练"
        )


def test_only_the_latest_evacuation_drill_counts():
    data = school([drill("2026-10-10", seconds=200), drill("2026-11-10", seconds=150)])
    assert hits("drill.evacuation_time", data, date(2026, 11, 23)) == []
    assert len(hits("drill.evacuation_time", data, date(2026, 11, 9))) == 1
    secondary = school([drill("2026-10-10", seconds=121)], stage="高中")
    assert (
        "超过高中的 120 秒"
        in hits("drill.evacuation_time", secondary, date(2026, 11, 23))[0].message
    )
    assert (
        hits(
            "drill.evacuation_time",
            school([drill("2026-10-10", seconds=999)], "幼儿园"),
            date(2026, 11, 23),
        )
        == []
    )
