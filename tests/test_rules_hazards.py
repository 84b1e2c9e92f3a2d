"""隐患 rules at their boundary dates."""

from datetime import date

import pytest

from tests.dossiers import DELETE, compliant, edit, evaluate_one, hits

AS_OF = date(2026, 11, 23)


def open_hazard(deadline="2028-02-29", grade="一般", **extra):
    h = {
        "id": "H-09",
        "found": "2026-11-01",
        "source": "公安检查",
        "location": "东侧围墙",
        "description": "围墙破损约十米。",
        "category": "治安防范",
        "grade": grade,
        "immediate": False,
        "status": "整改中",
        "measures": "重新砌筑。",
        "owner": "乙主任",
        "deadline": deadline,
        "interim_controls": "设置临时围挡。",
        "watcher": "丁师傅",
    }
    if grade == "重大":
        h.update(funds={"amount": 48000, "secured": True}, plan="十二月施工。")
    h.update(extra)
    return {k: v for k, v in h.items() if v is not DELETE}


def with_hazard(as_of=AS_OF, **kw):
    data = compliant(as_of)
    data["hazards"].append(open_hazard(**kw))
    return data


@pytest.mark.parametrize(
    "as_of, overdue",
    [(date(2028, 2, 28), False), (date(2028, 2, 29), False), (date(2028, 3, 1), True)],
)
def test_overdue_on_a_leap_day_deadline(as_of, overdue):
    found = hits("hazard.overdue", with_hazard(), as_of)
    assert bool(found) == overdue
    if overdue:
        assert found[0].kind == "overdue"
        assert found[0].path == ("hazards", 1, "deadline")
        assert (
            found[0].message
            == "隐患 H-09(治安防范)应于 2028-02-29 前整改销号,已逾期(状态:整改中)"
        )


def test_overdue_day_before_on_and_after():
    data = with_hazard(deadline="2026-11-23")
    assert hits("hazard.overdue", data, date(2026, 11, 22)) == []
    assert hits("hazard.overdue", data, date(2026, 11, 23)) == []
    assert len(hits("hazard.overdue", data, date(2026, 11, 24))) == 1


def test_a_closed_hazard_is_never_overdue_but_was_open_before_it_closed():
    data = with_hazard(
        deadline="2026-11-10",
        status="已销号",
        rectified="2026-11-20",
        closed="2026-11-21",
        verifier="甲校长",
    )
    assert hits("hazard.overdue", data, date(2026, 11, 21)) == []
    assert (
        len(hits("hazard.overdue", data, date(2026, 11, 20))) == 1
    )  # as of the day before closing
    assert hits("hazard.overdue", data, date(2026, 10, 31)) == []  # not yet found


def test_open_hazard_within_its_deadline_is_open_not_overdue():
    data = with_hazard(deadline="2026-11-30")
    found = hits("hazard.open", data, date(2026, 11, 30))
    assert [h.kind for h in found] == ["open"]
    assert "整改期限 2026-11-30" in found[0].message
    assert hits("hazard.open", data, date(2026, 12, 1)) == []  # now hazard.overdue's
    result = evaluate_one(data, date(2026, 11, 30))
    assert result.status == "待整改" and result.categories["隐患"] == "待整改"
    result = evaluate_one(data, date(2026, 12, 1))
    assert result.status == "逾期" and result.counts["overdue_hazards"] == 1


def test_major_hazard_open_turns_the_school_red():
    data = with_hazard(grade="重大", deadline="2027-01-31")
    found = hits("hazard.major_open", data, AS_OF)
    assert [(h.kind, h.path) for h in found] == [("major", ("hazards", 1))]
    assert found[0].message == "重大隐患 H-09(治安防范)尚未销号(状态:整改中,整改期限 2027-01-31)"
    assert hits("hazard.open", data, AS_OF) == []  # said once, as major
    result = evaluate_one(data, AS_OF)
    assert result.status == "重大隐患" and result.counts["major_open"] == 1
    assert hits("hazard.major_open", data, date(2026, 10, 31)) == []  # before it was found
    closed = edit(
        data,
        hazards__1__status="已销号",
        hazards__1__rectified="2026-11-20",
        hazards__1__closed="2026-11-22",
        hazards__1__verifier="甲校长",
    )
    assert hits("hazard.major_open", closed, date(2026, 11, 21)) != []
    assert hits("hazard.major_open", closed, date(2026, 11, 22)) == []


def test_interim_controls_needed_when_not_fixable_at_once():
    data = with_hazard(interim_controls=DELETE, watcher=DELETE)
    found = hits("hazard.interim_controls", data, AS_OF)
    assert [h.message for h in found] == ["隐患 H-09 不能立即整改,须落实临时管控措施和盯防人员"]
    data = with_hazard(watcher=DELETE)
    assert len(hits("hazard.interim_controls", data, AS_OF)) == 1
    assert hits("hazard.interim_controls", with_hazard(), AS_OF) == []


@pytest.mark.parametrize(
    "as_of, expected", [(date(2026, 11, 7), 0), (date(2026, 11, 8), 0), (date(2026, 11, 9), 1)]
)
def test_immediate_hazard_left_open_needs_interim_controls_after_the_set_days(as_of, expected):
    # found 2026-11-01, immediate_fix_days 7: on time through 11-08, from 11-09 it needs controls
    data = with_hazard(immediate=True, interim_controls=DELETE, watcher=DELETE)
    found = hits("hazard.interim_controls", data, as_of)
    assert len(found) == expected
    if found:
        assert "(2026-11-01 发现),超过 7 天(应于 2026-11-08 前销号)仍未销号" in found[0].message
        assert found[0].due == date(2026, 11, 8)


def test_funds_not_secured():
    data = with_hazard(grade="重大")
    assert hits("hazard.funds", data, AS_OF) == []
    data["hazards"][1]["funds"]["secured"] = False
    found = hits("hazard.funds", data, AS_OF)
    assert [(h.path, h.message) for h in found] == [
        (("hazards", 1, "funds", "secured"), "重大隐患 H-09 的整改资金尚未落实")
    ]
    general = with_hazard(funds={"amount": 168000, "secured": False})
    assert [h.message for h in hits("hazard.funds", general, AS_OF)] == [
        "隐患 H-09 的整改资金尚未落实"
    ]
    closed = edit(
        general,
        hazards__1__status="已销号",
        hazards__1__rectified="2026-11-20",
        hazards__1__closed="2026-11-21",
        hazards__1__verifier="甲校长",
    )
    assert hits("hazard.funds", closed, AS_OF) == []


def test_inspection_findings_registered():
    data = compliant(AS_OF)
    data["inspections"].append(
        {"id": "I-2026-09", "date": "2026-11-20", "by": "公安机关", "hazards_found": 2}
    )
    data["hazards"].append(open_hazard(inspection="I-2026-09", deadline="2026-12-31"))
    found = hits("hazard.inspection_registered", data, AS_OF)
    assert [h.message for h in found] == [
        "检查 I-2026-09(2026-11-20,公安机关)发现问题 2 项,隐患清单中只登记了 1 项"
    ]
    assert (
        hits("hazard.inspection_registered", data, date(2026, 11, 19)) == []
    )  # before the inspection
    data["inspections"][-1]["hazards_found"] = 1
    assert hits("hazard.inspection_registered", data, AS_OF) == []



def test_funds_of_a_hazard_not_fixed_at_once_must_be_written():
    """002 四2: 整改计划包含……资金落实: no funds field is a finding, unless fixed at once."""
    data = with_hazard(immediate=False)
    data["hazards"][1].pop("funds", None)
    found = hits("hazard.funds", data, AS_OF)
    assert [(h.path, h.message) for h in found] == [
        (("hazards", 1), "隐患 H-09 的整改计划没有写明资金落实情况")
    ]
    assert hits("hazard.funds", edit(data, hazards__1__immediate=True), AS_OF) == []


# plan-003's calendar (national's dates): the 2026-2027 first semester begins 2026-09-01.
@pytest.mark.parametrize(
    "checked, as_of, expected",
    [
        ("2026-08-01", date(2026, 9, 1), ["2026-2027学年第一学期"]),  # 31 days before: too early
        ("2026-08-02", date(2026, 9, 1), []),  # 30 days before
        ("2026-09-01", date(2026, 9, 1), []),  # on the first day
        ("2026-09-02", date(2026, 9, 2), ["2026-2027学年第一学期"]),  # after term began
        ("2026-08-20", date(2026, 8, 31), []),  # still the spring semester's check that counts
    ],
)
def test_pre_term_hazard_check(checked, as_of, expected):
    """003 三(三): 春、秋季开学前集中组织开展一次安全隐患排查."""
    data = compliant(as_of)
    data["hazard_checks"] = [
        {"date": "2026-02-27", "kind": "开学前排查"},
        {"date": checked, "kind": "开学前排查"},
        {"date": "2026-08-30", "kind": "专项排查"},  # not a pre-term check
    ]
    found = hits("hazard.pre_term_check", data, as_of, "plan-003")
    assert [h.message.split("开学前")[0] for h in found] == expected
    assert all(h.kind == "overdue" for h in found)
