"""责任 and 风险 rules: leadership group, safety staff, letters each school year, meetings,
risks and their review dates."""

from datetime import date

import pytest

from tests.dossiers import DELETE, compliant, edit, hits

AS_OF = date(2026, 11, 23)


@pytest.fixture
def data():
    return compliant(AS_OF)


@pytest.mark.parametrize(
    "rule_id, path, message",
    [
        (
            "resp.leadership_group",
            "responsibilities__leadership_group",
            "未成立由校长任组长的安全工作领导小组(责任清单中没有领导小组)",
        ),
        (
            "resp.safety_representative",
            "responsibilities__safety_representative",
            "未明确学校安全管理代表(专职安全管理人员)",
        ),
        (
            "resp.minor_protection_officer",
            "responsibilities__minor_protection_officer",
            "未明确未成年人保护工作专职干部",
        ),
    ],
)
def test_people_named_in_the_responsibility_list(data, rule_id, path, message):
    assert hits(rule_id, data, AS_OF) == []
    found = hits(rule_id, edit(data, **{path: DELETE}), AS_OF)
    assert [(h.path, h.message, h.kind) for h in found] == [
        (("responsibilities",), message, "open")
    ]
    assert len(hits(rule_id, edit(data, responsibilities={}), AS_OF)) == 1


def test_full_time_safety_staff(data):
    assert hits("resp.full_time_safety_staff", data, AS_OF) == []
    found = hits(
        "resp.full_time_safety_staff",
        edit(data, responsibilities__safety_representative__full_time=False),
        AS_OF,
    )
    assert [h.path for h in found] == [("responsibilities", "safety_representative", "full_time")]


@pytest.mark.parametrize(
    "signed, as_of, expected",
    [
        ("2025-09-05", date(2026, 10, 1), 0),  # 30 days into the school year: still in time
        ("2025-09-05", date(2026, 10, 2), 1),
        ("2026-08-31", date(2026, 10, 2), 1),  # the day before the school year began
        ("2026-09-01", date(2026, 10, 2), 0),
        ("2026-09-01", date(2027, 8, 31), 0),  # the school year's last day
        ("2026-09-01", date(2027, 10, 2), 1),  # the next school year
    ],
)
def test_letters_signed_each_school_year(data, signed, as_of, expected):
    data["responsibilities"]["posts"][0]["letter_signed"] = signed
    found = hits("resp.letters", data, as_of)
    assert len(found) == expected
    if found:
        year = "2026-2027学年" if as_of < date(2027, 9, 1) else "2027-2028学年"
        due = "2026-10-01" if as_of < date(2027, 9, 1) else "2027-10-01"
        assert found[0].message == f"岗位责任 第1项 的安全责任书{year}尚未签订(应于 {due} 前签订)"
        assert found[0].kind == "overdue"
        assert found[0].path == ("responsibilities", "posts", 0, "letter_signed")


def test_letters_unsigned_and_no_posts(data):
    del data["responsibilities"]["posts"][0]["letter_signed"]
    [hit] = hits("resp.letters", data, AS_OF)
    assert hit.path == ("responsibilities", "posts", 0)
    data["responsibilities"]["posts"] = []
    assert [h.message for h in hits("resp.letters", data, AS_OF)] == [
        "责任清单中没有岗位安全责任(一岗双责)"
    ]


@pytest.mark.parametrize(
    "rules, as_of, expected",
    [
        ("jizhou", date(2026, 12, 23), 0),  # 000 四(三) 月度会商: 31 days
        ("jizhou", date(2026, 12, 24), 1),
        ("national", date(2027, 2, 22), 0),  # the baseline's 92 days
        ("national", date(2027, 2, 23), 1),
        ("longhua", date(2027, 2, 23), 1),
    ],
)
def test_meetings_every_rule_set_sets_a_gap(data, rules, as_of, expected):
    data["responsibilities"]["meetings"] = [{"date": "2026-11-22", "topic": "会商"}]
    found = hits("resp.meetings", data, as_of, rules)
    assert len(found) == expected
    if found:
        assert found[0].message.endswith("天没有召开安全会商")
        assert found[0].kind == "overdue" and found[0].due is None  # the meetings are private


@pytest.mark.parametrize("rules", ["national", "jizhou", "longhua", "plan-003", "plan-001", "plan-002"])
def test_no_meeting_at_all_is_found_under_every_rule_set(data, rules):
    """000 二(一)2, 002 二1: a dossier without any meeting was found nowhere before."""
    data["responsibilities"]["meetings"] = []
    assert [h.message for h in hits("resp.meetings", data, AS_OF, rules)] == ["没有安全会商记录"]
    assert hits("resp.meetings", edit(data, responsibilities__meetings=[{"date": "2026-11-01"}]), AS_OF, rules) == []


def test_the_leader_of_the_group_is_the_principal(data):
    """002 二1: 由单位主要领导任组长."""
    assert hits("resp.leadership_group", data, AS_OF) == []
    found = hits(
        "resp.leadership_group", edit(data, responsibilities__leadership_group__leader="乙主任"), AS_OF
    )
    assert [(h.path, h.kind) for h in found] == [
        (("responsibilities", "leadership_group", "leader"), "open")
    ]
    assert "乙主任" not in found[0].message  # names are private
    assert hits("resp.leadership_group", edit(data, profile__principal=DELETE), AS_OF) == []


# -- 风险 -------------------------------------------------------------------------------------


def test_risk_list_and_controls(data):
    assert hits("risk.none", data, AS_OF) == [] and hits("risk.no_controls", data, AS_OF) == []
    assert [h.message for h in hits("risk.none", edit(data, risks=[]), AS_OF)] == [
        "未开展安全风险辨识评估:风险清单是空的"
    ]
    [hit] = hits("risk.no_controls", edit(data, risks__0__controls=[]), AS_OF)
    assert (hit.path, hit.message) == (("risks", 0, "controls"), "风险点 R-01(交通)没有管控措施")


@pytest.mark.parametrize(
    "as_of, expected", [(date(2028, 2, 28), 0), (date(2028, 2, 29), 0), (date(2028, 3, 1), 1)]
)
def test_risk_review_date_on_a_leap_day(data, as_of, expected):
    data["risks"][0]["next_review"] = "2028-02-29"
    found = hits("risk.review_overdue", data, as_of)
    assert len(found) == expected
    if found:
        assert found[0].message == "风险点 R-01(交通)应于 2028-02-29 复核,已逾期"
        assert found[0].due == date(2028, 2, 29)
        assert found[0].kind == "overdue"


# -- requirements added from the seeds (issue #12) ---------------------------------------------


@pytest.mark.parametrize(
    "change, expected",
    [
        ({}, []),
        ({"responsibilities__safety_office": False}, ["未设立安全管理工作专职机构(如安全办、保卫处)"]),
        ({"responsibilities__safety_office": DELETE}, ["未设立安全管理工作专职机构(如安全办、保卫处)"]),
    ],
)
def test_safety_office(data, change, expected):
    """004 三(一)1: 设立安全管理工作专职机构率达到100%."""
    assert [h.message for h in hits("resp.safety_office", edit(data, **change), AS_OF)] == expected


def test_the_ten_safety_rules(data):
    """004 三(一)5: the ten named rules; 食堂及食品 and 校车 only where the school has them."""
    assert hits("resp.safety_rules", data, AS_OF) == []
    rules = [r for r in data["responsibilities"]["safety_rules"] if r not in ("门卫", "校车")]
    found = hits("resp.safety_rules", edit(data, responsibilities__safety_rules=rules), AS_OF)
    assert [h.message for h in found] == ["未建立以下安全管理制度:校车、门卫"]
    no_bus = edit(data, responsibilities__safety_rules=rules, school_buses=[])
    assert [h.message for h in hits("resp.safety_rules", no_bus, AS_OF)] == [
        "未建立以下安全管理制度:门卫"
    ]


@pytest.mark.parametrize("held, expected", [("2026-11-23", 0), (None, 1)])
def test_warning_education_at_least_once(data, held, expected):
    """003 三(一)二: 全体教职员工至少开展一次集中警示教育."""
    changed = edit(data, responsibilities__warning_education=held or DELETE)
    assert len(hits("resp.warning_education", changed, AS_OF)) == expected


@pytest.mark.parametrize(
    "held, expected",
    [("2025-11-23", []), ("2025-11-22", ["overdue"]), (None, ["open"]), ("2026-11-24", [])],
)
def test_safety_talk_each_year(data, held, expected):
    """003 三(一)三: 每年组织开展一次安全对话谈心 (365 days: the project's choice)."""
    changed = edit(data, responsibilities__safety_talk=held or DELETE)
    assert [h.kind for h in hits("resp.safety_talk", changed, AS_OF)] == expected
