"""实习实训 rules at their boundaries (001 三(二)8)."""

from datetime import date

import pytest

from tests.dossiers import compliant, edit, hits

AS_OF = date(2026, 11, 23)


def placement(**changes):
    base = {
        "unit": "临河机械厂",
        "start": "2026-11-23",
        "students": 30,
        "safety_education": "2026-11-20",
        "emergency_plan": True,
        "protective_equipment": True,
    }
    return {k: v for k, v in {**base, **changes}.items() if v is not None}


@pytest.fixture
def data():
    return compliant(AS_OF)


def test_no_placement_recorded_is_nothing_to_check(data):
    assert hits("internship.safety_education", data, AS_OF) == []
    assert hits("internship.unit_safety", data, AS_OF) == []


@pytest.mark.parametrize(
    "start, taught, expected",
    [
        ("2026-11-23", "2026-11-23", []),  # taught on the day students arrive: in time
        ("2026-11-23", "2026-11-24", ["临河机械厂的实习 2026-11-23 开始,到岗前没有岗前安全教育(2026-11-24 才进行)"]),
        ("2026-11-23", None, ["临河机械厂的实习 2026-11-23 开始,到岗前没有岗前安全教育"]),
        ("2026-11-24", None, []),  # starts tomorrow: the education may still come
    ],
)
def test_safety_education_by_the_first_day(data, start, taught, expected):
    changed = edit(data, internships=[placement(start=start, safety_education=taught)])
    found = hits("internship.safety_education", changed, AS_OF)
    assert [h.message for h in found] == expected
    assert all(h.path == ("internships", 0, "safety_education") for h in found)


@pytest.mark.parametrize(
    "plan, equipment, expected",
    [
        (True, True, []),
        (False, True, ["实习单位临河机械厂没有应急救援预案"]),
        (False, False, ["实习单位临河机械厂没有应急救援预案和劳动保护用品"]),
    ],
)
def test_the_units_plan_and_equipment(data, plan, equipment, expected):
    changed = edit(data, internships=[placement(emergency_plan=plan, protective_equipment=equipment)])
    assert [h.message for h in hits("internship.unit_safety", changed, AS_OF)] == expected
