"""一校一警, 预案, 教育, 校车, 食堂, 危化品 and 特种设备 rules at their boundaries."""

from datetime import date

import pytest

from tests.dossiers import DELETE, compliant, edit, hits, rule_set

AS_OF = date(2026, 11, 23)


@pytest.fixture
def data():
    return compliant(AS_OF)


# -- 一校一警 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "removed, rules, expected",
    [
        ((), "jizhou", []),
        (("badge_no",), "national", []),  # the schema already asks officer, station, phone
        (("badge_no",), "jizhou", ["警号"]),  # 000 二(二)2 完善一校一警信息
        (("duties", "complaint_phone"), "jizhou", ["工作职责、监督电话"]),
        (("duties", "complaint_phone"), "longhua", []),
    ],
)
def test_notice_fields_are_a_setting(data, removed, rules, expected):
    changed = edit(data, **{f"police__{f}": DELETE for f in removed})
    found = hits("police.notice_fields", changed, AS_OF, rules)
    assert [h.message for h in found] == [f"一校一警公示信息不完整:缺少{m}" for m in expected]


@pytest.mark.parametrize(
    "posted, expected", [("2026-11-23", []), ("2026-11-24", [("police", "notice_posted")])]
)
def test_a_notice_posted_in_the_future_is_not_posted(data, posted, expected):
    found = hits("police.notice_posted", edit(data, police__notice_posted=posted), AS_OF)
    assert [h.path for h in found] == expected


def test_notice_posted_and_escort_posts(data):
    assert hits("police.notice_posted", data, AS_OF) == []
    found = hits("police.notice_posted", edit(data, police__notice_posted=DELETE), AS_OF)
    assert [(h.path, h.kind) for h in found] == [(("police",), "open")]
    assert hits("police.escort_posts", data, AS_OF) == []
    assert len(hits("police.escort_posts", edit(data, police__escort_posts=[]), AS_OF)) == 1


# -- 预案 -------------------------------------------------------------------------------------


def test_plan_missing(data):
    assert hits("plan.missing", data, AS_OF) == []
    assert [h.path for h in hits("plan.missing", edit(data, emergency_plans=[]), AS_OF)] == [
        ("emergency_plans",)
    ]
    # a section left out is named all the same (the finding's line is then the file's top)
    gone = hits("plan.missing", edit(data, emergency_plans=DELETE), AS_OF)
    assert [h.path for h in gone] == [("emergency_plans",)]


@pytest.mark.parametrize("as_of, expected", [(date(2028, 2, 29), 0), (date(2028, 3, 1), 1)])
def test_plan_revised_within_a_year(data, as_of, expected):
    data["emergency_plans"][0]["revised"] = "2027-03-01"  # + 365 days = 2028-02-29
    found = hits("plan.stale", data, as_of)
    assert len(found) == expected
    if found:
        assert (
            found[0].message
            == "应急预案“突发事件总体应急预案”最近一次修订在 2027-03-01,已超过 365 天未修订"
        )


# -- 教育 -------------------------------------------------------------------------------------


def lessons(*dated_hours):
    return [{"date": d, "topic": "安全教育", "hours": h} for d, h in dated_hours]


@pytest.mark.parametrize(
    "as_of, expected",
    [
        (date(2027, 6, 9), []),  # more than 30 days before the school year's last semester ends
        (
            date(2027, 6, 10),
            [
                (
                    "open",
                    "本学年(2026-2027学年)安全教育 11.5 课时,少于 12 课时(学期将于 2027-07-09 结束)",
                )
            ],
        ),
        (
            date(2027, 7, 9),
            [
                (
                    "open",
                    "本学年(2026-2027学年)安全教育 11.5 课时,少于 12 课时(学期将于 2027-07-09 结束)",
                )
            ],
        ),
        (date(2027, 7, 10), [("overdue", "2026-2027学年安全教育 11.5 课时,少于每学年 12 课时")]),
        (date(2027, 8, 31), [("overdue", "2026-2027学年安全教育 11.5 课时,少于每学年 12 课时")]),
        (date(2028, 7, 7), [("overdue", "2026-2027学年安全教育 11.5 课时,少于每学年 12 课时")]),
    ],
)
def test_education_hours_each_school_year(data, as_of, expected):
    data["safety_education"] = lessons(
        ("2025-10-10", 12),
        ("2026-09-10", 6),
        ("2027-03-10", 5.5),
        ("2027-09-10", 12),
        ("2028-03-10", 1),
    )
    found = hits("education.hours", data, as_of)
    assert [(h.kind, h.message) for h in found] == expected


def test_education_hours_only_for_the_stages_set(data):
    data["safety_education"] = []
    assert len(hits("education.hours", data, AS_OF)) == 1
    assert hits("education.hours", edit(data, profile__stage="幼儿园"), AS_OF) == []
    assert (
        hits("education.hours", data, AS_OF, rule_set(education={"min_hours_per_year": None})) == []
    )


# -- 校车 -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, expired, expiring",
    [
        (date(2028, 1, 29), 0, 0),
        (date(2028, 1, 30), 0, 1),
        (date(2028, 2, 29), 0, 1),
        (date(2028, 3, 1), 1, 0),
    ],
)
def test_bus_sign_validity(data, as_of, expired, expiring):
    data["school_buses"][0]["sign_valid_until"] = "2028-02-29"
    data["school_buses"][0]["driver"]["licence_valid_until"] = "2030-01-01"
    found = hits("bus.sign_expired", data, as_of)
    assert len(found) == expired and len(hits("bus.expiring", data, as_of)) == expiring
    if found:
        assert found[0].message == "校车 测A·00001 的校车标牌已于 2028-02-29 过期"


@pytest.mark.parametrize("as_of, expected", [(date(2027, 5, 31), 0), (date(2027, 6, 1), 1)])
def test_bus_driver_licence_says_no_date(data, as_of, expected):
    data["school_buses"][0]["driver"]["licence_valid_until"] = "2027-05-31"
    found = hits("bus.licence_expired", data, as_of)
    assert len(found) == expected
    if found:
        assert found[0].message == "校车 测A·00001 的驾驶人驾驶证已过期"  # the date is private
    near = hits("bus.expiring", data, date(2027, 5, 31))
    assert [h.message for h in near] == [
        "校车 测A·00001 的驾驶人驾驶资格即将到期,请及时办理"
    ]
    assert [h.due for h in [*found, *near]] == [None] * (expected + 1)  # nor a due date


@pytest.mark.parametrize(
    "years, age, expected",
    [
        (3, 25, None),
        (2, 40, "驾龄不足 3 年"),
        (10, 24, "年龄不在 25 至 60 周岁之间"),
        (10, 60, None),
        (10, 61, "年龄不在 25 至 60 周岁之间"),
    ],
)
def test_bus_driver_qualification(data, years, age, expected):
    data["school_buses"][0]["driver"].update(driving_years=years, age=age)
    found = hits("bus.driver", data, AS_OF)
    assert [h.message for h in found] == (
        [f"校车 测A·00001 的驾驶人{expected}"] if expected else []
    )


# -- 食堂 -------------------------------------------------------------------------------------


def test_canteen_rules_only_when_operated(data):
    bad = edit(data, canteen={"operated": False, "open_kitchen": False})
    for rule_id in (
        "canteen.accompanied_meals",
        "canteen.samples",
        "canteen.open_kitchen",
        "canteen.meal_record_stale",
    ):
        assert hits(rule_id, bad, AS_OF) == []
        assert hits(rule_id, data, AS_OF) == []


def test_accompanied_meals(data):
    found = hits(
        "canteen.accompanied_meals", edit(data, canteen__accompanied_meals_recorded=False), AS_OF
    )
    assert [h.message for h in found] == ["未落实学校负责人陪餐制度并记录"]


@pytest.mark.parametrize(
    "last, as_of, expected",
    [
        ("2026-11-09", date(2026, 11, 23), 0),  # 14 days
        ("2026-11-08", date(2026, 11, 23), 1),  # 15 days
        ("2026-06-01", date(2026, 9, 15), 0),  # 14 days into the semester: not yet expected
        ("2026-06-01", date(2026, 9, 16), 1),
        ("2026-06-01", date(2026, 8, 20), 0),  # summer vacation
    ],
)
def test_accompanied_meal_records_kept_up_in_term(data, last, as_of, expected):
    found = hits(
        "canteen.meal_record_stale", edit(data, canteen__last_accompanied_meal=last), as_of
    )
    assert len(found) == expected


@pytest.mark.parametrize(
    "change, message",
    [
        ({"sample_grams": 124}, "食品留样不符合要求:每样留样不足 125 克"),
        ({"sample_hours": 47}, "食品留样不符合要求:冷藏保存不足 48 小时"),
        ({"sample_log": False}, "食品留样不符合要求:没有留样记录"),
        ({"sample_grams": 200, "sample_hours": 72}, None),
    ],
)
def test_food_samples(data, change, message):
    data["canteen"].update(change)
    assert [h.message for h in hits("canteen.samples", data, AS_OF)] == (
        [message] if message else []
    )


def test_open_kitchen_and_licence(data):
    assert len(hits("canteen.open_kitchen", edit(data, canteen__open_kitchen=False), AS_OF)) == 1
    data["canteen"]["licence_valid_until"] = "2028-02-29"
    assert hits("canteen.licence_expired", data, date(2028, 2, 29)) == []
    [hit] = hits("canteen.licence_expired", data, date(2028, 3, 1))
    assert hit.kind == "overdue" and hit.message == "食品经营许可证已于 2028-02-29 过期"


# -- 危化品 -----------------------------------------------------------------------------------


def test_two_keepers_two_locks(data):
    assert hits("chem.custody", data, AS_OF) == []
    data["chemicals"]["keepers"] = ["庚老师"]
    data["chemicals"]["double_lock"] = False
    assert [h.message for h in hits("chem.custody", data, AS_OF)] == [
        "危险化学品保管不符合要求:保管人少于 2 人、未实行双人双锁"
    ]
    assert hits("chem.custody", edit(data, chemicals={"held": False}), AS_OF) == []


def test_chemicals_ledger(data):
    assert hits("chem.ledger", data, AS_OF) == []
    assert len(hits("chem.ledger", edit(data, chemicals__ledger=False), AS_OF)) == 1


# -- 特种设备 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "as_of, overdue, due",
    [
        (date(2028, 1, 29), 0, 0),
        (date(2028, 1, 30), 0, 1),
        (date(2028, 2, 29), 0, 1),
        (date(2028, 3, 1), 1, 0),
    ],
)
def test_special_equipment_inspection(data, as_of, overdue, due):
    data["special_equipment"][0]["next_inspection"] = "2028-02-29"
    data["special_equipment"][0]["last_maintenance"] = _d(as_of)
    found = hits("special.inspection_overdue", data, as_of)
    assert len(found) == overdue and len(hits("special.inspection_due", data, as_of)) == due
    if found:
        assert (
            found[0].message == "特种设备“1号楼电梯”(电梯)的定期检验已于 2028-02-29 到期,已逾期"
        )


def _d(day):
    return day.isoformat()


@pytest.mark.parametrize("as_of, expected", [(date(2028, 2, 29), 0), (date(2028, 3, 1), 1)])
def test_lift_maintained_every_15_days(data, as_of, expected):
    data["special_equipment"][0]["last_maintenance"] = "2028-02-14"  # + 15 days = 2028-02-29
    found = hits("special.lift_maintenance", data, as_of)
    assert len(found) == expected
    if found:
        assert (
            found[0].message
            == "电梯“1号楼电梯”最近一次维保在 2028-02-14,应于 2028-02-29 前再次维保"
        )
    del data["special_equipment"][0]["last_maintenance"]
    assert [h.message for h in hits("special.lift_maintenance", data, as_of)] == [
        "电梯“1号楼电梯”没有维护保养记录"
    ]
    data["special_equipment"][0]["kind"] = "其他"
    assert hits("special.lift_maintenance", data, as_of) == []


@pytest.mark.parametrize("kind", ["锅炉", "压力容器", "压力管道"])
@pytest.mark.parametrize("as_of, expected", [(date(2028, 3, 16), 0), (date(2028, 3, 17), 1)])
def test_boilers_and_pressure_vessels_are_kept_up_too(data, kind, as_of, expected):
    """003 三(六)4: 锅炉、电梯、压力容器、管道……日常检查保养 (30 days: the project's choice)."""
    data["special_equipment"][0].update(kind=kind, name="1号设备", last_maintenance="2028-02-15")
    found = hits("special.lift_maintenance", data, as_of)
    assert [h.message for h in found] == [
        f"{kind}“1号设备”最近一次维保在 2028-02-15,应于 2028-03-16 前再次维保"
    ][:expected]
    del data["special_equipment"][0]["last_maintenance"]
    assert [h.message for h in hits("special.lift_maintenance", data, as_of)] == [
        f"{kind}“1号设备”没有维护保养记录"
    ]


def test_special_equipment_operator(data):
    assert hits("special.operator", data, AS_OF) == []
    found = hits(
        "special.operator", edit(data, special_equipment__0__operator_certified=False), AS_OF
    )
    assert [h.path for h in found] == [("special_equipment", 0, "operator_certified")]


@pytest.mark.parametrize("as_of, expected", [(date(2027, 5, 31), []), (date(2027, 6, 1), ["overdue"])])
def test_bus_driver_qualification_not_only_the_licence(data, as_of, expected):
    """002 二7: 校车驾驶资格, not the driving licence alone."""
    data["school_buses"][0]["driver"]["qualification_valid_until"] = "2027-05-31"
    found = hits("bus.licence_expired", data, as_of)
    assert [(h.kind, h.message) for h in found] == [
        (k, "校车 测A·00001 的驾驶人校车驾驶资格已过期") for k in expected
    ]
    del data["school_buses"][0]["driver"]["qualification_valid_until"]
    assert [h.message for h in hits("bus.licence_expired", data, as_of)] == [
        "校车 测A·00001 的驾驶人没有登记校车驾驶资格"
    ]


# -- requirements added from the seeds (issue #12) ---------------------------------------------


@pytest.mark.parametrize(
    "rule_id, change, expected",
    [
        ("plan.supplies", {"emergency_supplies__stocked": False}, "未按应急预案配齐应急物资"),
        ("plan.supplies", {"emergency_supplies": DELETE}, "未按应急预案配齐应急物资"),
        ("police.legal_counsellor", {"police__legal_counsellor": DELETE}, "没有公安民警兼任学校法制辅导员"),
        ("education.hotline", {"student_support__hotline_posted": False}, "未公告心理咨询热线电话及咨询方式"),
        ("education.help_line", {"student_support": DELETE}, "未设立学生求助电话和联系人"),
        ("bus.driver_matches_sign", {"school_buses__0__driver__matches_sign": False},
         "校车 测A·00001 的驾驶人与校车标牌登记的驾驶人不一致或未核对"),
        ("bus.equipment", {"school_buses__0__gps": False}, "校车 测A·00001 未安装动态监控装置"),
        ("bus.equipment", {"school_buses__0__escort": DELETE, "school_buses__0__gps": DELETE},
         "校车 测A·00001 未安装动态监控装置、没有随车照管人员"),
        ("canteen.staff_health", {"canteen__staff_health_certified": False}, "食堂从业人员未全部持有效健康证明"),
        ("canteen.purchase_records", {"canteen__purchase_records": DELETE}, "食品原材料采购未落实索证索票"),
        ("canteen.gas", {"canteen__gas_safety": False}, "食堂燃气安全措施未落实"),
        ("canteen.gas", {"canteen__lpg_store": "不规范"}, "食堂液化气钢瓶库设置不规范"),
        ("chem.lab_rules", {"chemicals__waste_disposal": False}, "实验室废弃物规范处置未落实"),
        ("chem.lab_rules", {"chemicals__lab_admission": DELETE, "chemicals__waste_disposal": DELETE},
         "实验室安全准入制度、废弃物规范处置未落实"),
    ],
)  # fmt: skip
def test_flags_the_seeds_ask_for(data, rule_id, change, expected):
    assert hits(rule_id, data, AS_OF) == []
    assert [h.message for h in hits(rule_id, edit(data, **change), AS_OF)] == [expected]


def test_canteen_and_chemical_rules_only_where_they_are_kept(data):
    no_canteen = edit(data, canteen={"operated": False})
    none_held = edit(data, chemicals={"held": False})
    for rule_id in ("canteen.staff_health", "canteen.purchase_records", "canteen.gas", "canteen.flue"):
        assert hits(rule_id, no_canteen, AS_OF) == []
    for rule_id in ("chem.lab_rules", "chem.checked"):
        assert hits(rule_id, none_held, AS_OF) == []


@pytest.mark.parametrize(
    "rule_id, field, last, expected",
    [
        ("canteen.flue", "canteen__flue_cleaned", "2026-08-23", []),  # 92 days
        ("canteen.flue", "canteen__flue_cleaned", "2026-08-22", ["overdue"]),
        ("canteen.flue", "canteen__flue_cleaned", None, ["open"]),
        ("chem.checked", "chemicals__last_checked", "2026-08-23", []),  # 92 days
        ("chem.checked", "chemicals__last_checked", "2026-08-22", ["overdue"]),
        ("chem.checked", "chemicals__last_checked", None, ["open"]),
        ("chem.checked", "chemicals__last_checked", "2026-11-24", []),  # the latest, done later
    ],
)
def test_flue_and_chemical_checks_every_quarter(data, rule_id, field, last, expected):
    """001 三(二)2 油烟管道清理, 003 三(六)4 危险化学品排查: 92 days, the project's choice."""
    changed = edit(data, **{field: last or DELETE})
    assert [h.kind for h in hits(rule_id, changed, AS_OF)] == expected


@pytest.mark.parametrize(
    "trip, expected",
    [
        ({"date": "2026-11-23", "qualified": True, "filed": True}, []),
        ({"date": "2026-11-23", "qualified": False, "filed": True}, ["2026-11-23 的师生集体用车未租用具有资质的车辆"]),
        ({"date": "2026-11-24", "qualified": False, "filed": False}, []),  # not yet made
    ],
)  # fmt: skip
def test_group_transport_hired_and_filed(data, trip, expected):
    """002 二7: 师生集体用车租用具有资质的公司服务车辆,并按规定备案."""
    data["group_transport"] = [trip]
    assert [h.message for h in hits("bus.group_transport", data, AS_OF)] == expected
