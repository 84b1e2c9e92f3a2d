"""Small dossiers built in tests, and helpers to run rules on them.

:func:`compliant` builds a schema-valid dossier that meets every rule of every shipped rule
set as of a given day; a test then changes the one thing it is about and runs one rule
(:func:`hits`) or all of them (:func:`evaluate_one`). Fictional names and numbers only.
"""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from datetime import date, timedelta

import yaml

from generator.core import schema
from generator.core.dates import add_months
from generator.core.evaluate import SchoolResult, evaluate_school
from generator.core.load import Document, parse
from generator.core.rules import RULES, Context, SchoolView
from generator.core.rules.responsibilities import SAFETY_RULES
from generator.core.ruleset import RuleSet, _merge, load_rule_set


def _d(day: date) -> str:
    return day.isoformat()


def compliant(
    as_of: date,
    stage: str = "小学",
    *,
    school_id: str = "cs-ceshi-xiaoxue",
    district: str = "ceshi",
) -> dict:
    """A dossier that every rule set finds fully compliant on ``as_of``."""
    months = [add_months(date(as_of.year, as_of.month, 1), -i) for i in range(0, 25)]
    past = [
        m for m in months if date(m.year, m.month, 2) < as_of
    ]  # months with a day-2 event before as_of
    year_start = date(as_of.year if as_of.month >= 9 else as_of.year - 1, 9, 1)
    drills = []
    for i, m in enumerate(reversed(past)):
        for day in (2, 5):
            d = date(m.year, m.month, day)
            if d < as_of:
                drills.append(
                    {
                        "date": _d(d),
                        "kind": "消防疏散" if (i + day) % 2 else "地震疏散",
                        "scope": "全校",
                        "participants": 330,
                        "evacuation_seconds": 100,
                    }
                )
    drills.append(
        {"date": _d(as_of - timedelta(days=1)), "kind": "校车", "scope": "部分", "participants": 40}
    )
    return {
        "schema_version": 1,
        "profile": {
            "id": school_id,
            "name": "测试第一小学",
            "district": district,
            "stage": stage,
            "ownership": "公办",
            "boarding": False,
            "students": 300,
            "staff": 30,
            "address": "测试区育才路 1 号",
            "principal": "甲校长",
        },
        "responsibilities": {
            "leadership_group": {"leader": "甲校长", "established": "2020-09-01"},
            "safety_representative": {"name": "乙主任", "full_time": True},
            "minor_protection_officer": {"name": "丙老师"},
            "safety_office": True,
            "safety_rules": list(SAFETY_RULES),
            "warning_education": _d(as_of - timedelta(days=1)),
            "safety_talk": _d(as_of - timedelta(days=1)),
            "posts": [
                {
                    "post": "门卫",
                    "person": "丁师傅",
                    "duties": "校门值守。",
                    "letter_signed": _d(min(year_start, as_of)),
                },
            ],
            "meetings": [{"date": _d(as_of - timedelta(days=1)), "topic": "隐患排查会商"}],
        },
        "risks": [
            {
                "id": "R-01",
                "place": "校门口道路",
                "category": "交通",
                "level": "一般",
                "controls": ["上下学时段护学岗值守"],
                "owner": "乙主任",
                "assessed": _d(as_of - timedelta(days=30)),
                "next_review": _d(as_of + timedelta(days=100)),
            }
        ],
        "hazards": [
            {
                "id": "H-01",
                "found": _d(as_of - timedelta(days=20)),
                "source": "自查",
                "location": "二楼走廊",
                "description": "灭火器压力不足。",
                "category": "消防安全",
                "grade": "一般",
                "immediate": True,
                "status": "已销号",
                "measures": "更换灭火器。",
                "owner": "乙主任",
                "deadline": _d(as_of - timedelta(days=15)),
                "rectified": _d(as_of - timedelta(days=19)),
                "closed": _d(as_of - timedelta(days=18)),
                "verifier": "甲校长",
            }
        ],
        "drills": drills,
        "devices": {
            "guards": [{"name": f"保安{i}", "full_time": True, "certified": True} for i in (1, 2)],
            "duty_24h": True,
            "patrols_per_day": 6,
            "peak_extra_guards": True,
            "dorm_managers": 2,
            "handover_log": True,
            "patrol_log": True,
            "electronic_patrol": True,
            "fire_acceptance": True,
            "fire_duty_certified": True,
            "closed_campus": True,
            "protective_equipment": [
                {"kind": "防刺背心", "count": 2},
                {"kind": "橡胶警棍", "count": 2},
                {"kind": "防卫喷雾", "count": 2, "expires": _d(as_of + timedelta(days=200))},
                {"kind": "一键报警遥控器", "count": 1},
            ],
            "anti_collision": {"installed": True, "kind": "升降柱", "count": 4},
            "video": {
                "cameras": 40,
                "key_areas_covered": True,
                "storage_days": 90,
                "linked_police": True,
                "keeper_assigned": True,
                "daily_check": True,
            },
            "one_key_alarm": {
                "installed": True,
                "linked_police": True,
                "last_tested": _d(as_of - timedelta(days=1)),
            },
            "perimeter_alarm": {"installed": True},
            "fire_equipment": [
                {
                    "kind": "灭火器",
                    "count": 50,
                    "last_inspected": _d(as_of - timedelta(days=10)),
                    "next_inspection": _d(as_of + timedelta(days=60)),
                    "failed": 0,
                },
                {
                    "kind": "疏散指示标志",
                    "count": 30,
                    "last_inspected": _d(as_of - timedelta(days=10)),
                    "national_standard": True,
                },
            ],
            "key_rooms": [{"room": "财务室", "guard_rail": True, "alarm": True}],
        },
        "police": {
            "officer": "戊警官",
            "badge_no": "000001",
            "station": "测试派出所",
            "duty_phone": "010-12345678",
            "duties": "指导学校安全防范工作。",
            "legal_counsellor": True,
            "complaint_phone": "12389",
            "notice_posted": "2020-09-01",
            "escort_posts": [{"period": "早", "start": "07:20", "end": "08:00"}],
        },
        "emergency_plans": [
            {
                "kind": "总体预案",
                "title": "突发事件总体应急预案",
                "revised": _d(as_of - timedelta(days=100)),
            }
        ],
        "emergency_supplies": {"stocked": True, "last_checked": _d(as_of - timedelta(days=1))},
        "student_support": {"hotline_posted": True, "help_line": True},
        "safety_education": [
            {"date": _d(date(m.year, m.month, 2)), "topic": "安全教育", "hours": 2}
            for m in reversed(past)
        ],
        "school_buses": [
            {
                "plate": "测A·00001",
                "sign_valid_until": _d(as_of + timedelta(days=365)),
                "seats": 19,
                "gps": True,
                "escort": True,
                "driver": {
                    "name": "己师傅",
                    "licence_valid_until": _d(as_of + timedelta(days=365)),
                    "qualification_valid_until": _d(as_of + timedelta(days=365)),
                    "matches_sign": True,
                    "driving_years": 10,
                    "age": 40,
                },
            }
        ],
        "canteen": {
            "operated": True,
            "licence_valid_until": _d(as_of + timedelta(days=365)),
            "open_kitchen": True,
            "accompanied_meals_recorded": True,
            "last_accompanied_meal": _d(as_of),
            "sample_grams": 125,
            "sample_hours": 48,
            "sample_log": True,
            "staff_health_certified": True,
            "purchase_records": True,
            "flue_cleaned": _d(as_of - timedelta(days=1)),
            "gas_safety": True,
            "lpg_store": "不使用液化气",
        },
        "chemicals": {
            "held": True,
            "keepers": ["庚老师", "辛老师"],
            "double_lock": True,
            "ledger": True,
            "last_checked": _d(as_of - timedelta(days=1)),
            "lab_admission": True,
            "waste_disposal": True,
        },
        "special_equipment": [
            {
                "kind": "电梯",
                "name": "1号楼电梯",
                "next_inspection": _d(as_of + timedelta(days=200)),
                "last_maintenance": _d(as_of - timedelta(days=3)),
                "operator_certified": True,
            }
        ],
        "buildings": [
            {"name": "1号教学楼", "safety_grade": "A", "in_use": True,
             "last_checked": _d(as_of - timedelta(days=1))}
        ],  # fmt: skip
        "hazard_checks": [
            {"date": _d(s.start - timedelta(days=3)), "kind": "开学前排查", "hazards_found": 0}
            for s in _semesters(as_of)
        ],
        "inspections": [
            {
                "id": f"I-{i:02d}",
                "date": _d(date(m.year, m.month, 2)),
                "by": "教育部门",
                "hazards_found": 0,
            }
            for i, m in enumerate(reversed(past), 1)
        ],
        "reports": {
            "monthly": [
                {"month": f"{m.year}-{m.month:02d}", "submitted": _d(date(m.year, m.month, 1))}
                for m in reversed(past)
            ],
            "annual": [
                {"year": y, "submitted": f"{y}-12-01"}
                for y in (as_of.year - 2, as_of.year - 1, as_of.year)
                if date(y, 12, 1) < as_of
            ],
        },
    }


def _semesters(as_of: date) -> list:
    """The semesters begun by ``as_of`` (of every shipped rule set's calendar), latest two
    school years: a 开学前排查 three days before each."""
    from generator.core.ruleset import available

    out = set()
    for name in available():
        cal = load_rule_set(name).calendar
        year = cal.school_year_of(as_of)
        for y in (year - 1, year):
            out.update(s for s in cal.semesters_of(y) if s.start - timedelta(days=3) <= as_of)
    return sorted(out, key=lambda s: s.start)


def private_values(data: dict) -> set[str]:
    """Text the schema marks private (names, phones, places, descriptions …), leaving out what
    also stands in a public field or in the schema's own words (e.g. a post called 校长), and
    dates (a private date may equal a deadline a message rightly shows)."""
    words = json.dumps(schema.load_schema(), ensure_ascii=False)
    leaves = [(p, v) for p, v in _leaves(data) if isinstance(v, str)]
    public = {v for p, v in leaves if schema.is_public(p)}
    return {
        v
        for p, v in leaves
        if not schema.is_public(p)
        and len(v) >= 2
        and v not in public
        and v not in words
        and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v)
    }


def _leaves(value, path=()):
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _leaves(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _leaves(v, (*path, i))
    else:
        yield path, value


def document(data: dict, file: str = "records/ceshi/cs-ceshi-xiaoxue.yaml") -> Document:
    """``data`` written as YAML and loaded back, so findings get real line numbers."""
    text = yaml.dump(
        data,
        Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper),
        allow_unicode=True,
        sort_keys=False,
    )
    return parse(text, file)


def rule_set(name: str = "national", **overrides: dict) -> RuleSet:
    """A shipped rule set, with some settings changed: ``rule_set(drills={"interval": …})``."""
    rs = load_rule_set(name)
    if not overrides:
        return rs
    return replace(rs, settings=_merge(rs.settings, overrides), digest=rs.digest + repr(overrides))


def hits(rule_id: str, data: dict, as_of: date, rules: str | RuleSet = "national") -> list:
    """The hits of one rule on ``data`` as of ``as_of``."""
    rs = load_rule_set(rules) if isinstance(rules, str) else rules
    return list(RULES[rule_id].check(SchoolView(data), Context(as_of, rs)))


def evaluate_one(
    data: dict, as_of: date, rules: str | RuleSet = "national", lines: bool = True
) -> SchoolResult:
    """Every rule on ``data``; ``lines=False`` skips the YAML round trip (no line numbers)."""
    rs = load_rule_set(rules) if isinstance(rules, str) else rules
    doc = document(data) if lines else Document("records/ceshi/x.yaml", data)
    return evaluate_school(doc, Context(as_of, rs))


def edit(data: dict, **changes) -> dict:
    """A deep copy of ``data`` with ``changes`` applied: keys are paths joined by ``__``
    (``devices__video__storage_days=30``); the value ``DELETE`` removes the key."""
    out = copy.deepcopy(data)
    for key, value in changes.items():
        *parents, last = [int(p) if p.isdigit() else p for p in key.split("__")]
        node = out
        for p in parents:
            node = node[p]
        if value is DELETE:
            del node[last]
        else:
            node[last] = value
    return out


DELETE = object()
