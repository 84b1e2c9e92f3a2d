"""实习实训: vocational schools' placements of students with outside units (001 三(二)8). Each
placement recorded must have had its pre-placement safety education by the day students
arrive, and the school must have checked the unit's emergency plan and protective equipment.
Schools with no placement recorded have nothing to check here."""

from __future__ import annotations

from generator.core.dates import parse_date
from generator.core.rules.base import Hit, rule

SOURCE = "001 三(二)8(学校和实习实训单位对实习学生进行安全教育;实习实训单位制定应急救援预案,配备安全保障器材和劳动保护用品)"


@rule(
    id="internship.safety_education",
    category="教育",
    severity="error",
    title="实习学生到岗前没有岗前安全教育",
    source=SOURCE,
    fields=("internships[].start", "internships[].safety_education"),
)
def safety_education(school, ctx):
    for path, placement in school.items("internships"):
        start = parse_date(placement["start"])
        if start is None or start > ctx.as_of:
            continue  # not yet started: the education may still come
        taught = parse_date(placement.get("safety_education"))
        if taught is None or taught > start:
            when = f"({taught} 才进行)" if taught else ""
            yield Hit(
                (*path, "safety_education"),
                f"{placement['unit']}的实习 {start} 开始,到岗前没有岗前安全教育{when}",
                "overdue",
                start,
            )


@rule(
    id="internship.unit_safety",
    category="教育",
    severity="error",
    title="实习单位的应急预案或劳动保护用品未落实",
    source=SOURCE,
    fields=("internships[].emergency_plan", "internships[].protective_equipment"),
)
def unit_safety(school, ctx):
    for path, placement in school.items("internships"):
        missing = [
            words
            for key, words in (("emergency_plan", "应急救援预案"), ("protective_equipment", "劳动保护用品"))
            if placement[key] is not True
        ]
        if missing:
            yield Hit(path, f"实习单位{placement['unit']}没有{'和'.join(missing)}")
