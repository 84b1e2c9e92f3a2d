"""Every rule: its metadata, and no finding on a dossier that meets everything."""

import re
from datetime import date
from pathlib import Path

import pytest

from generator.core import schema
from generator.core.dates import AsOf
from generator.core.load import Document
from generator.core.rules import CATEGORIES, RULES, Context, SchoolView
from generator.core.ruleset import available, setting_names
from generator.core.validate import check_dossier, validate_document
from generator.devtools.synth import REF, generate
from tests.dossiers import compliant, document, evaluate_one, private_values, rule_set

SEED = re.compile(r"\b00[0-4] [一二三四五六七八九十]")


@pytest.mark.parametrize("rule", RULES.values(), ids=list(RULES))
def test_metadata(rule):
    assert re.fullmatch(r"[a-z_]+\.[a-z_0-9]+", rule.id)
    assert rule.category in CATEGORIES
    assert rule.title and rule.source
    assert rule.fields, "list the dossier fields the rule reads (for the coverage matrix)"
    known = set(setting_names())
    assert set(rule.settings) <= known, "settings must be defined in ruleset.schema.json"
    # every source cites a seed section or names a national text
    assert SEED.search(rule.source) or re.search(r"[条例法规定指南]|GB/T", rule.source), rule.source


def test_every_category_has_rules():
    assert {r.category for r in RULES.values()} == set(CATEGORIES)


def test_unverified_sources_say_so():
    """domain.md marks 令第23号 art. 44 and the 168号 guard ratios as not read in the original."""
    assert "未核实原文" in RULES["drill.semester"].source
    assert "未核实原文" in RULES["guard.count"].source


def test_every_rule_has_a_boundary_test():
    tests = "".join(
        p.read_text(encoding="utf-8")
        for p in Path(__file__).parent.glob("test_rules_*.py")
        if p.name != "test_rules_all.py"
    )
    untested = [rule_id for rule_id in RULES if f'"{rule_id}"' not in tests]
    assert not untested


AS_OF = [
    date(2026, 11, 23),
    date(2026, 9, 1),
    date(2026, 8, 31),
    date(2027, 1, 22),
    date(2027, 1, 23),
    date(2028, 2, 29),
    date(2028, 3, 1),
    date(2028, 3, 10),
    date(2028, 3, 11),
    date(2026, 12, 15),
    date(2026, 12, 16),
    date(2027, 7, 9),
    date(2027, 6, 30),
    date(2028, 1, 1),
]


def test_the_factory_builds_valid_dossiers():
    for as_of in AS_OF:
        doc = document(compliant(as_of))
        assert validate_document(doc) == []
        assert check_dossier(doc, today=as_of) == []


@pytest.mark.parametrize("rules", available())
@pytest.mark.parametrize("stage", ["幼儿园", "小学", "高中", "职业学校"])
def test_compliant_dossier_has_no_findings(rules, stage):
    for as_of in AS_OF:
        result = evaluate_one(compliant(as_of, stage), as_of, rules)
        assert [(f.code, f.message) for f in result.findings] == [], as_of
        assert result.status == "达标"
        assert set(result.categories.values()) == {"达标"}


def test_rule_fields_exist_in_the_schema():
    for rule in RULES.values():
        for field in rule.fields:  # "hazards[].deadline" → ("hazards", 0, "deadline")
            parts = []
            for part in field.split("."):
                if part.endswith("[]"):
                    parts += [part[:-2], 0]
                else:
                    parts.append(part)
            assert schema.at(tuple(parts)) is not None, (rule.id, field)


def test_document_helper_keeps_lines():
    doc = document(compliant(date(2026, 11, 23)))
    assert isinstance(doc, Document) and doc.locate(("hazards", 0, "deadline"))[0] > 1


def test_a_failing_rule_becomes_a_finding_not_a_crash():
    data = compliant(date(2026, 11, 23))
    data["devices"]["patrols_per_day"] = "五次"  # not what the schema allows: the rule trips on it
    data["drills"][-2]["evacuation_seconds"] = "很久"  # and a warning rule's
    result = evaluate_one(data, date(2026, 11, 23))
    crashed = {f.code: f for f in result.findings if "程序错误" in f.message}
    assert set(crashed) == {"guard.patrols", "drill.evacuation_time"}
    assert {f.severity for f in crashed.values()} == {"error"}
    assert result.categories["人防"] == "待整改" and result.categories["演练"] == "待整改"
    crashed = crashed["guard.patrols"]
    assert crashed.message == "规则 guard.patrols 无法检查这份档案(程序错误 TypeError),请报告维护者"


@pytest.mark.parametrize("seed", [0, 1])
def test_synthetic_dossiers_never_trip_a_rule(seed):
    """Varied valid dossiers, on days around the year: every rule runs cleanly."""
    dossiers = [d for rel, d in generate(80, seed) if not rel.endswith("_district.yaml")]
    for as_of in (REF, date(2027, 7, 11), date(2028, 2, 29)):
        for data in dossiers:
            for rules in ("plan-003", "longhua", "jizhou"):
                result = evaluate_one(data, as_of, rules, lines=False)
                assert not [f for f in result.findings if "程序错误" in f.message], data["profile"][
                    "id"
                ]


def everything_wrong(as_of: date) -> tuple[dict, dict]:
    """Two dossiers that, between them, break every rule: one with things missing, one with
    things present but wrong (a rule cannot see both, e.g. no safety representative, and one
    who is not full-time)."""
    a = compliant(as_of)
    a["responsibilities"] = {}
    a["risks"] = []
    del a["emergency_plans"]
    for g in a["devices"]["guards"]:
        g["full_time"] = False
    a["drills"] = []
    a["safety_education"] = []
    a["inspections"] = []
    a["reports"] = {"monthly": [], "annual": []}
    dev = a["devices"]
    dev["protective_equipment"] = [
        e for e in dev["protective_equipment"] if e["kind"] != "橡胶警棍"
    ]
    dev["protective_equipment"][1]["expires"] = "2026-10-01"
    dev.update(
        duty_24h=False, patrols_per_day=3, closed_campus=False, anti_collision={"installed": False}
    )
    for key in ("peak_extra_guards", "dorm_managers", "handover_log", "electronic_patrol",
                "fire_acceptance"):
        del dev[key]  # fmt: skip
    dev["fire_duty_certified"] = False
    dev["perimeter_alarm"] = {"installed": False}
    a["profile"]["boarding"] = True
    a["buildings"] = []
    a["hazard_checks"] = []
    del a["emergency_supplies"]
    a["student_support"] = {}
    a["group_transport"] = [{"date": "2026-10-10", "qualified": False, "filed": True}]
    a["internships"] = [{"unit": "临河机械厂", "start": "2026-11-02", "students": 30,
                         "emergency_plan": False, "protective_equipment": True}]  # fmt: skip
    dev["fire_equipment"][0].update(next_inspection="2026-11-01", failed=2)
    dev["fire_equipment"][1]["national_standard"] = False
    dev["key_rooms"][0]["guard_rail"] = False
    dev["video"].update(storage_days=30, linked_police=False, key_areas_covered=False,
                        daily_check=False)  # fmt: skip
    dev["one_key_alarm"].update(linked_police=False, last_tested="2026-09-01")
    for key in ("badge_no", "notice_posted"):
        del a["police"][key]
    a["police"]["escort_posts"] = []
    del a["police"]["legal_counsellor"]
    bus = a["school_buses"][0]
    bus["sign_valid_until"] = "2026-10-01"
    bus["driver"].update(licence_valid_until="2026-10-01", age=70, matches_sign=False)
    bus["gps"] = False
    a["canteen"].update(accompanied_meals_recorded=False, sample_grams=100, open_kitchen=False,
                        licence_valid_until="2026-10-01", staff_health_certified=False,
                        purchase_records=False, flue_cleaned="2026-01-01",
                        lpg_store="不规范")  # fmt: skip
    a["chemicals"].update(last_checked="2026-01-01", lab_admission=False)
    a["chemicals"].update(keepers=["庚老师"], double_lock=False, ledger=False)
    a["special_equipment"][0].update(operator_certified=False, next_inspection="2026-11-01",
                                     last_maintenance="2026-10-01")  # fmt: skip
    base = a["hazards"][0]
    open_ = {k: v for k, v in base.items() if k not in ("rectified", "closed", "verifier")}
    a["hazards"] += [
        {**open_, "id": "H-02", "status": "整改中", "grade": "重大", "immediate": False,
         "deadline": "2026-11-01", "funds": {"amount": 1000, "secured": False}, "plan": "分步整改。"},
        {**open_, "id": "H-03", "status": "登记", "deadline": "2026-12-31"},
    ]  # fmt: skip
    b = compliant(as_of)
    b["responsibilities"]["safety_representative"]["full_time"] = False
    b["responsibilities"]["posts"][0]["letter_signed"] = "2025-09-01"
    b["responsibilities"]["meetings"][0]["date"] = "2026-09-01"
    b["profile"]["students"] = 2000
    b["devices"]["guards"] = [{"name": "某保安", "full_time": True, "certified": False}]
    b["risks"][0].update(controls=[], next_review="2026-11-01")
    b["emergency_plans"][0]["revised"] = "2024-01-01"
    b["drills"][-2]["evacuation_seconds"] = 500
    b["devices"]["protective_equipment"][2]["expires"] = "2026-12-01"
    b["school_buses"][0]["sign_valid_until"] = "2026-12-01"
    b["canteen"]["last_accompanied_meal"] = "2026-10-01"
    b["responsibilities"]["safety_talk"] = "2025-11-01"
    b["responsibilities"]["safety_rules"] = ["消防"]
    del b["responsibilities"]["safety_office"]
    del b["responsibilities"]["warning_education"]
    b["buildings"][0].update(safety_grade="D", last_checked="2025-11-01")
    b["special_equipment"][0]["kind"] = "锅炉"
    b["school_buses"][0]["driver"]["qualification_valid_until"] = "2026-12-01"
    b["special_equipment"][0]["next_inspection"] = "2026-12-01"
    b["inspections"].append(
        {"id": "I-99", "date": "2026-11-20", "by": "公安机关", "hazards_found": 3}
    )
    return a, b


STRICT = {  # every rule switched on: longhua's semesters plus the others' duties
    "drills": {"interval": {"小学": "month"}},
    "responsibilities": {"meeting_max_gap_days": 31},
    "devices": {
        "required_equipment": ["防刺背心", "橡胶警棍", "防卫喷雾"],
        "key_room_protection": ["guard_rail"],
    },
    "video": {"storage_days": 90},
    "police": {"notice_fields": ["officer", "badge_no", "station", "duty_phone"]},
    "reports": {"monthly_due_day": 10, "annual_due": "12-15"},
    "inspections": {"per_semester": 2, "term_edge_days": 30},
}


def test_every_rule_fires_and_no_message_shows_a_private_value():
    as_of = date(2026, 11, 23)
    rules = rule_set("longhua", **STRICT)
    fired = set()
    for data in everything_wrong(as_of):
        result = evaluate_one(data, as_of, rules)
        fired |= {f.code for f in result.findings}
        private = private_values(data)
        for f in result.findings:
            assert not [v for v in private if v in f.message or v in f.place], f
        assert not [f for f in result.findings if "程序错误" in f.message]
    assert fired == set(RULES)


def test_no_rule_reads_the_day_itself():
    """Rules compare dates with the day of evaluation: none counts days from it (已逾期 32
    天) or prints it, so a finding reads the same on every day its school's result holds
    (see :class:`generator.core.dates.AsOf`). Checked on dossiers that break every rule and
    on synthetic ones, on days around the year, each rule alone."""
    as_of = date(2026, 11, 23)
    dossiers = [
        *everything_wrong(as_of),
        *(d for rel, d in generate(24, 3) if not rel.endswith("_district.yaml")),
    ]
    read = set()
    for rules in (rule_set("longhua", **STRICT), *map(rule_set, available())):
        for day in (as_of, date(2027, 1, 20), date(2027, 6, 25), date(2028, 2, 29)):
            for data in dossiers:
                school = SchoolView(data)
                for rule in RULES.values():
                    moment = AsOf(day)
                    list(rule.check(school, Context(moment, rules)))
                    if moment.window.read:
                        read.add(rule.id)
    assert read == set()
