"""人防、物防、技防 rules: guards, patrols, equipment expiry, barriers, fire equipment, video,
alarms — at their thresholds and expiry dates."""

from datetime import date

import pytest

from generator.core.rules.devices import required_guards
from tests.dossiers import DELETE, compliant, edit, hits, rule_set

AS_OF = date(2026, 11, 23)


@pytest.fixture
def data():
    return compliant(AS_OF)


# -- 人防 -------------------------------------------------------------------------------------


def test_full_time_guard(data):
    assert hits("guard.full_time", data, AS_OF) == []
    for g in data["devices"]["guards"]:
        g["full_time"] = False
    [hit] = hits("guard.full_time", data, AS_OF)
    assert hit.path == ("devices", "guards") and hit.kind == "open"
    data["devices"]["guards"] = []
    assert len(hits("guard.full_time", data, AS_OF)) == 1


@pytest.mark.parametrize(
    "headcount, guards",
    [(99, 1), (100, 2), (1000, 2), (1001, 3), (1500, 3), (1501, 4), (2000, 4), (2001, 5)],
)
def test_required_guards(headcount, guards):
    steps = {"small_below": 100, "small": 1, "medium_up_to": 1000, "medium": 2, "extra_per": 500}
    assert required_guards(headcount, steps) == guards


@pytest.mark.parametrize(
    "students, expected", [(970, 0), (971, 1)]
)  # plus 30 staff: 1000 needs 2, 1001 needs 3
def test_guard_count(data, students, expected):
    data["profile"]["students"] = students
    found = hits("guard.count", data, AS_OF)
    assert len(found) == expected
    if found:
        assert found[0].message == "专职保安员 2 名,按师生 1001 人应至少配备 3 名"
    assert hits("guard.count", data, AS_OF, "national") == found


def test_guard_certificate_and_duty(data):
    data["devices"]["guards"][1]["certified"] = False
    [hit] = hits("guard.certified", data, AS_OF)
    assert (
        hit.path == ("devices", "guards", 1, "certified")
        and hit.message == "保安员 第2名 未持保安员证上岗"
    )
    assert hits("guard.duty_24h", data, AS_OF) == []
    assert len(hits("guard.duty_24h", edit(data, devices__duty_24h=False), AS_OF)) == 1


@pytest.mark.parametrize("patrols, expected", [(4, 1), (5, 0), (6, 0)])
def test_patrols_at_least_five_a_day(data, patrols, expected):
    found = hits("guard.patrols", edit(data, devices__patrols_per_day=patrols), AS_OF, "jizhou")
    assert len(found) == expected
    if found:
        assert found[0].message == "重点部位每日巡查 4 次,少于 5 次"


# -- 物防 -------------------------------------------------------------------------------------


def test_required_equipment_is_jizhous(data):
    data["devices"]["protective_equipment"] = [
        e for e in data["devices"]["protective_equipment"] if e["kind"] != "橡胶警棍"
    ]
    data["devices"]["protective_equipment"][0]["count"] = 0  # 防刺背心, none left
    assert hits("device.equipment_missing", data, AS_OF) == []
    [hit] = hits("device.equipment_missing", data, AS_OF, "jizhou")
    assert hit.message == "防护器械未配齐:缺少防刺背心、橡胶警棍"


@pytest.mark.parametrize("rules", ["national", "longhua", "jizhou", "plan-001", "plan-002"])
@pytest.mark.parametrize("count, expected", [(0, 1), (1, 0)])
def test_no_equipment_at_all_is_found_under_every_rule_set(data, rules, count, expected):
    """004 三(一)2 配齐保安器械: an empty list passed under longhua, the seed it cites."""
    data["devices"]["protective_equipment"] = [
        {"kind": k, "count": count} for k in ("防刺背心", "橡胶警棍", "防卫喷雾", "一键报警遥控器")
    ]
    found = hits("device.equipment_missing", data, AS_OF, rules)
    assert [h.message for h in found] == ["没有配备保安防护器械"] * expected
    data["devices"]["protective_equipment"] = []
    assert [h.message for h in hits("device.equipment_missing", data, AS_OF, rules)] == [
        "没有配备保安防护器械"
    ]


@pytest.mark.parametrize(
    "as_of, expired, expiring",
    [
        (date(2028, 1, 29), 0, 0),  # 31 days before expiry
        (date(2028, 1, 30), 0, 1),  # 30 days before
        (date(2028, 2, 29), 0, 1),  # the last day it is valid
        (date(2028, 3, 1), 1, 0),
    ],
)
def test_spray_expiry_on_a_leap_day(data, as_of, expired, expiring):
    data["devices"]["protective_equipment"][2]["expires"] = "2028-02-29"
    found = hits("device.equipment_expired", data, as_of)
    assert len(found) == expired
    assert len(hits("device.equipment_expiring", data, as_of)) == expiring
    if found:
        assert (
            found[0].kind == "overdue"
            and found[0].message == "防卫喷雾已于 2028-02-29 过期,须及时更换"
        )
        assert found[0].path == ("devices", "protective_equipment", 2, "expires")


def test_expired_equipment_with_none_left_is_not_flagged(data):
    data["devices"]["protective_equipment"][2].update(expires="2026-01-01", count=0)
    assert hits("device.equipment_expired", data, AS_OF) == []


def test_anti_collision_and_closed_campus(data):
    assert hits("device.anti_collision", data, AS_OF) == []
    found = hits(
        "device.anti_collision", edit(data, devices__anti_collision={"installed": False}), AS_OF
    )
    assert [h.path for h in found] == [("devices", "anti_collision")]
    assert hits("device.closed_campus", data, AS_OF) == []
    assert len(hits("device.closed_campus", edit(data, devices__closed_campus=False), AS_OF)) == 1


@pytest.mark.parametrize(
    "as_of, expected", [(date(2027, 1, 21), 0), (date(2027, 1, 22), 0), (date(2027, 1, 23), 1)]
)
def test_fire_equipment_next_inspection(data, as_of, expected):
    data["devices"]["fire_equipment"][0]["next_inspection"] = "2027-01-22"
    found = hits("device.fire_equipment", data, as_of)
    assert len(found) == expected
    if found:
        assert found[0].message == "消防设施(灭火器)应于 2027-01-22 前检查,已逾期"
        assert found[0].due == date(2027, 1, 22)


@pytest.mark.parametrize("as_of, expected", [(date(2028, 2, 29), 0), (date(2028, 3, 1), 1)])
def test_fire_equipment_without_next_date_uses_the_interval(data, as_of, expected):
    # last inspected 2027-03-01; 365 days later is 2028-02-29 (a leap year)
    data["devices"]["fire_equipment"][1]["last_inspected"] = "2027-03-01"
    del data["devices"]["fire_equipment"][0]
    found = hits("device.fire_equipment", data, as_of)
    assert len(found) == expected
    if found:
        assert found[0].path == ("devices", "fire_equipment", 0, "last_inspected")


def test_failed_fire_equipment_and_signs(data):
    data["devices"]["fire_equipment"][0]["failed"] = 3
    assert [h.message for h in hits("device.fire_failed", data, AS_OF)] == [
        "消防设施(灭火器)有 3 个失效待更换"
    ]
    assert hits("device.evacuation_signs", data, AS_OF) == []
    data["devices"]["fire_equipment"][1]["national_standard"] = False
    assert [h.path for h in hits("device.evacuation_signs", data, AS_OF)] == [
        ("devices", "fire_equipment", 1, "national_standard")
    ]
    del data["devices"]["fire_equipment"][1]
    assert [h.message for h in hits("device.evacuation_signs", data, AS_OF)] == [
        "消防设施中没有疏散指示标志"
    ]


def test_key_rooms_only_where_the_rule_set_asks(data):
    data["devices"]["key_rooms"] = [
        {"room": "财务室", "guard_rail": True, "alarm": True},
        {"room": "化学药品室", "guard_rail": False},
    ]
    assert hits("device.key_rooms", data, AS_OF) == []
    [hit] = hits("device.key_rooms", data, AS_OF, "jizhou")
    assert hit.message == "重点部位 第2项 未加装金属防护栏和报警器"  # the room's name is private


# -- 技防 -------------------------------------------------------------------------------------


@pytest.mark.parametrize("days, national, jizhou", [(29, 1, 1), (30, 0, 1), (89, 0, 1), (90, 0, 0)])
def test_video_storage_is_a_setting(data, days, national, jizhou):
    data["devices"]["video"]["storage_days"] = days
    assert len(hits("video.storage", data, AS_OF)) == national
    found = hits("video.storage", data, AS_OF, "jizhou")
    assert len(found) == jizhou
    if found:
        assert found[0].message == f"视频录像保存 {days} 天,少于 90 天"


def test_video_and_alarm_linked_to_police(data):
    assert hits("video.linked", data, AS_OF) == [] and hits("alarm.linked", data, AS_OF) == []
    assert len(hits("video.linked", edit(data, devices__video__linked_police=False), AS_OF)) == 1
    assert [
        h.message
        for h in hits(
            "alarm.linked", edit(data, devices__one_key_alarm__linked_police=False), AS_OF
        )
    ] == ["一键报警装置未与公安机关联网"]
    assert [
        h.message
        for h in hits("alarm.linked", edit(data, devices__one_key_alarm__installed=False), AS_OF)
    ] == ["未安装一键式紧急报警装置"]


def test_video_coverage(data):
    assert hits("video.coverage", data, AS_OF) == []
    assert (
        len(hits("video.coverage", edit(data, devices__video__key_areas_covered=False), AS_OF)) == 1
    )


@pytest.mark.parametrize("boarders, expected", [(101, []), (100, ["按走读学生 1000 人应至少配备 3 名"])])
def test_guard_count_base_and_thresholds_are_settings(data, boarders, expected):
    """GB/T 29315-2022 as reported (unverified): non-boarding students, at least 3 at 1,000."""
    reported = rule_set(
        guards={
            "headcount_basis": "走读学生",
            "min_guards": {"small_below": 100, "small": 1, "medium_up_to": 999, "medium": 2,
                           "extra_per": 500},
        }
    )  # fmt: skip
    data["profile"].update(students=1100, staff=200, boarding_students=boarders)
    found = hits("guard.count", data, AS_OF, reported)
    assert [h.message.split(",")[1] for h in found] == expected


# -- requirements added from the seeds (issue #12) ---------------------------------------------


@pytest.mark.parametrize(
    "rule_id, change, expected",
    [
        ("guard.peak_hours", {"devices__peak_extra_guards": False}, "上学、放学时段校门口未叠加保安力量"),
        ("guard.logs", {"devices__patrol_log": DELETE}, "保安巡查登记制度未落实"),
        ("guard.logs", {"devices__handover_log": False, "devices__patrol_log": False},
         "保安交接登记、巡查登记制度未落实"),
        ("device.fire_acceptance", {"devices__fire_acceptance": DELETE},
         "学校建筑物和场所未依法通过消防验收或办理消防备案"),
        ("device.fire_duty", {"devices__fire_duty_certified": False},
         "消防控制室值班人员未按规定配备或未持证上岗"),
        ("video.upkeep", {"devices__video__daily_check": False}, "视频监控系统未每日巡查设备运行"),
        ("video.upkeep", {"devices__video__keeper_assigned": DELETE, "devices__video__daily_check": DELETE},
         "视频监控系统未安排专人负责、未每日巡查设备运行"),
        ("alarm.perimeter", {"devices__perimeter_alarm__installed": False}, "校园周界未安装入侵报警装置"),
        ("device.electronic_patrol", {"devices__electronic_patrol": False}, "未配备电子巡查(巡更)系统"),
    ],
)  # fmt: skip
def test_flags_the_seeds_ask_for(data, rule_id, change, expected):
    assert hits(rule_id, data, AS_OF) == []
    assert [h.message for h in hits(rule_id, edit(data, **change), AS_OF)] == [expected]


def test_fire_duty_is_not_asked_of_a_school_without_a_control_room(data):
    assert hits("device.fire_duty", edit(data, devices__fire_duty_certified=DELETE), AS_OF) == []


@pytest.mark.parametrize(
    "boarding, managers, expected", [(True, 1, 0), (True, 0, 1), (True, None, 1), (False, None, 0)]
)
def test_dorm_managers_at_boarding_schools(data, boarding, managers, expected):
    """002 二3: 寄宿制校园设专职宿舍管理员."""
    changed = edit(data, profile__boarding=boarding, devices__dorm_managers=managers
                   if managers is not None else DELETE)  # fmt: skip
    assert len(hits("guard.dorm_managers", changed, AS_OF)) == expected


@pytest.mark.parametrize(
    "tested, expected", [("2026-10-23", []), ("2026-10-22", ["overdue"]), (None, ["open"])]
)
def test_one_key_alarm_tested_monthly(data, tested, expected):
    """31 days between tests: the project's choice."""
    changed = edit(data, devices__one_key_alarm__last_tested=tested or DELETE)
    assert [h.kind for h in hits("alarm.tested", changed, AS_OF)] == expected
    changed["devices"]["one_key_alarm"]["installed"] = False  # alarm.linked's finding
    assert hits("alarm.tested", changed, AS_OF) == []


@pytest.mark.parametrize(
    "grade, in_use, expected", [("C", True, 0), ("D", True, 1), ("D", None, 1), ("D", False, 0)]
)
def test_no_dangerous_building_in_use(data, grade, in_use, expected):
    """003 三(五)三: 校内无D级危房."""
    building = data["buildings"][0]
    building["safety_grade"] = grade
    if in_use is None:
        del building["in_use"]
    else:
        building["in_use"] = in_use
    found = hits("building.dangerous", data, AS_OF)
    assert len(found) == expected
    assert all(h.path == ("buildings", 0, "safety_grade") for h in found)


@pytest.mark.parametrize("checked, expected", [("2025-11-23", []), ("2025-11-22", ["overdue"])])
def test_buildings_checked_each_year(data, checked, expected):
    """003 三(六)6 校舍年检 (365 days: the project's choice)."""
    data["buildings"][0]["last_checked"] = checked
    assert [h.kind for h in hits("building.yearly_check", data, AS_OF)] == expected
    data["buildings"] = []
    assert [h.message for h in hits("building.yearly_check", data, AS_OF)] == [
        "没有校舍安全台账(校舍安全鉴定等级和年度检查)"
    ]
