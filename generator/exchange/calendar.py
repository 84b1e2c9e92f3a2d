"""Calendar feeds: one iCalendar (.ics) file per school, listing its coming deadlines.

A safety officer subscribes once on a phone and is reminded before each deadline: open
hazards' rectification deadlines, the next drill due under the district's rule set, defence
sprays' expiry, the monthly and annual reports, risk reviews, special-equipment inspections
and school-bus sign validity.

The feed is published on the public site, so it is built from
:func:`generator.core.schema.public_view` of the dossier: nothing private can reach it. Output is
deterministic: events are sorted, every UID is derived from the school id, the kind of
deadline and the item's id (stable across builds), and DTSTAMP is the as-of date, not now.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator.core.files import atomic_write
from generator.core.dates import ONE_DAY, add_months, parse_date, period_of
from generator.exchange.export import rule_set_or_baseline
from generator.core.schema import public_view

PRODID = "-//xiaoan//校安档案//ZH"
ALARM_HOUR = 9  # reminders at 09:00 on the day they fall


@dataclass(frozen=True)
class Deadline:
    """One thing due on one day."""

    kind: (
        str  # hazard, drill, spray, monthly-report, annual-report, risk-review, equipment, bus-sign
    )
    key: str  # the item's id (or another stable name) within the school
    day: datetime.date
    summary: str
    description: str
    category: str
    remind: tuple[int, ...]  # days before ``day``
    rrule: dict | None = None


def _setting(rule_set: Any, name: str, default: Any = None) -> Any:
    if rule_set is None:
        return default
    try:
        value = rule_set.setting(name)
    except (KeyError, TypeError, AttributeError):
        return default
    return default if value is None else value


def _next_drill(data: dict, as_of: datetime.date, rule_set: Any) -> Deadline | None:
    """The end of the first month (or quarter) from ``as_of`` on that still needs a drill.

    The unit comes from the rule set (``drills.interval`` by stage); periods with fewer
    school days than ``drills.min_term_days`` (holidays) owe no drill.
    """
    stage = (data.get("profile") or {}).get("stage")
    unit = (_setting(rule_set, "drills.interval", {}) or {}).get(stage)
    if unit not in ("month", "quarter"):
        return None
    min_days = _setting(rule_set, "drills.min_term_days", 0)
    calendar = getattr(rule_set, "calendar", None)
    drilled = {parse_date(d.get("date")) for d in data.get("drills") or [] if isinstance(d, dict)}
    period = period_of(as_of, unit)
    for _ in range(8):  # at most two years ahead
        owes = calendar is None or calendar.term_days(period) >= min_days
        if owes and not any(d in period for d in drilled):
            word = "本月" if unit == "month" else "本季度"
            return Deadline(
                "drill",
                f"{period.start:%Y-%m}",
                period.end,
                f"应急演练:{period.label}至少组织一次",
                f"按规则集要求,{word}({period.label})应至少组织一次应急疏散演练,"
                f"截止 {period.end.isoformat()}。",
                "应急演练",
                (7, 1),
            )
        period = period_of(period.end + ONE_DAY, unit)
    return None


def _monthly_report(as_of: datetime.date, rule_set: Any) -> Deadline | None:
    day = _setting(rule_set, "reports.monthly_due_day")
    if not isinstance(day, int):
        return None
    first = datetime.date(as_of.year, as_of.month, min(day, 28))
    if first < as_of:
        first = add_months(first, 1)
    return Deadline(
        "monthly-report",
        "monthly",
        first,
        "隐患清单月报报送截止",
        f"每月 {day} 日前报送上月隐患排查整治清单。",
        "报送",
        (3,),
        {"freq": "monthly", "bymonthday": min(day, 28)},
    )


def _annual_report(as_of: datetime.date, rule_set: Any) -> Deadline | None:
    due = _setting(rule_set, "reports.annual_due")
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", str(due or ""))
    if not m:
        return None
    month, day = int(m.group(1)), int(m.group(2))
    first = datetime.date(as_of.year, month, day)
    if first < as_of:
        first = datetime.date(as_of.year + 1, month, day)
    return Deadline(
        "annual-report",
        "annual",
        first,
        "年度安全工作总结报送截止",
        f"每年 {month} 月 {day} 日前报送年度安全工作总结。",
        "报送",
        (14, 3),
        {"freq": "yearly", "bymonth": month, "bymonthday": day},
    )


def deadlines(data: dict, as_of: datetime.date, rule_set: Any = None) -> list[Deadline]:
    """The deadlines of a dossier (pass its public view: the feed is public)."""
    found: list[Deadline] = []
    warn = _setting(rule_set, "devices.equipment_warn_days", 30)
    for h in data.get("hazards") or []:
        due = parse_date(h.get("deadline"))
        if due is None or h.get("status") == "已销号" or not h.get("id"):
            continue
        grade = "重大隐患" if h.get("grade") == "重大" else "隐患"
        late = "(已逾期)" if due < as_of else ""
        found.append(
            Deadline(
                "hazard",
                h["id"],
                due,
                f"{grade}整改期限:{h.get('category', '')} {h['id']}{late}",
                f"隐患 {h['id']}({h.get('category', '')},{h.get('grade', '')},"
                f"来源:{h.get('source', '')})"
                f"当前状态“{h.get('status', '')}”,须在 {due.isoformat()} 前整改完成并验收销号。",
                "隐患整改",
                (7, 1),
            )
        )
    drill = _next_drill(data, as_of, rule_set)
    if drill:
        found.append(drill)
    sprays: dict[datetime.date, int] = {}
    for item in (data.get("devices") or {}).get("protective_equipment") or []:
        expires = parse_date(item.get("expires"))
        if item.get("kind") == "防卫喷雾" and expires:
            sprays[expires] = sprays.get(expires, 0) + (item.get("count") or 0)
    for expires, count in sprays.items():
        found.append(
            Deadline(
                "spray",
                expires.isoformat(),
                expires,
                f"防卫喷雾到期{'(已过期)' if expires < as_of else ''}",
                f"{count} 具防卫喷雾 {expires.isoformat()} 到期,请在到期前更换。",
                "物防",
                (warn, 7),
            )
        )
    for report in (_monthly_report(as_of, rule_set), _annual_report(as_of, rule_set)):
        if report:
            found.append(report)
    for r in data.get("risks") or []:
        due = parse_date(r.get("next_review"))
        if due and r.get("id"):
            found.append(
                Deadline(
                    "risk-review",
                    r["id"],
                    due,
                    f"风险复核:{r.get('place', '')}({r['id']})",
                    f"风险点 {r['id']}({r.get('place', '')},{r.get('category', '')},"
                    f"{r.get('level', '')}风险)"
                    f"计划于 {due.isoformat()} 复核。",
                    "风险",
                    (7,),
                )
            )
    request = _setting(rule_set, "special_equipment.request_days_before", 30)
    for e in data.get("special_equipment") or []:
        due = parse_date(e.get("next_inspection"))
        if due and e.get("name"):
            found.append(
                Deadline(
                    "equipment",
                    e["name"],
                    due,
                    f"特种设备定期检验到期:{e['name']}",
                    f"{e.get('kind', '')}“{e['name']}”的定期检验 {due.isoformat()} 到期,"
                    f"请至少提前 {request} 天向检验机构提出检验申请。",
                    "特种设备",
                    (request, 7),
                )
            )
    bus_warn = _setting(rule_set, "buses.warn_days", 30)
    for b in data.get("school_buses") or []:
        due = parse_date(b.get("sign_valid_until"))
        if due and b.get("plate"):
            found.append(
                Deadline(
                    "bus-sign",
                    b["plate"],
                    due,
                    f"校车标牌到期:{b['plate']}",
                    f"校车 {b['plate']} 的校车标牌有效期至 {due.isoformat()},请提前办理。",
                    "校车",
                    (bus_warn, 7),
                )
            )
    return sorted(found, key=lambda d: (d.day, d.kind, d.key))


def uid(school_id: str, kind: str, key: str) -> str:
    """A UID that stays the same across builds: school, kind of deadline and item."""
    slug = (
        key
        if re.fullmatch(r"[A-Za-z0-9_.-]{1,40}", key)
        else hashlib.sha1(key.encode()).hexdigest()[:12]
    )
    return f"{school_id}.{kind}.{slug}@xiaoan"


def _when(days: int) -> str:
    return {0: "今天", 1: "明天"}.get(days, f"{days} 天后")


def _text(value: str) -> str:
    """An iCalendar TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and line
    breaks escaped."""
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\n")
        .replace("\r", "\n")
        .replace("\n", "\\n")
    )


def _duration(delta: datetime.timedelta) -> str:
    """An iCalendar DURATION (RFC 5545 §3.3.6): ``-P2DT15H`` for two days and 15 hours before."""
    seconds = int(delta.total_seconds())
    sign, seconds = ("-", -seconds) if seconds < 0 else ("", seconds)
    days, seconds = divmod(seconds, 86400)
    hours, seconds = divmod(seconds, 3600)
    minutes, seconds = divmod(seconds, 60)
    time = "".join(f"{n}{unit}" for n, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if n)
    return f"{sign}P{f'{days}D' if days or not time else ''}{'T' + time if time else ''}"


def _fold(line: str) -> str:
    """A content line folded to lines of at most 75 octets (RFC 5545 §3.1), never inside a
    character and never right after a backslash (some readers would lose the escape)."""
    data = line.encode()
    if len(data) <= 75:
        return line
    parts = []
    start = 0
    while len(data) - start > 74:  # a continuation line's leading space is the 75th octet
        end = start + 74
        while data[end] & 0xC0 == 0x80:  # a UTF-8 continuation byte: inside a character
            end -= 1
        if data[end - 1] == 0x5C and end - 1 > start:  # a backslash goes with what it escapes
            end -= 1
        parts.append(data[start:end])
        start = end
    parts.append(data[start:])
    return b"\r\n ".join(parts).decode()


def _rrule(rule: dict) -> str:
    """RECUR (RFC 5545 §3.3.10), FREQ first: ``FREQ=MONTHLY;BYMONTHDAY=10``."""
    parts = sorted(rule.items(), key=lambda kv: kv[0] != "freq")
    return ";".join(f"{k.upper()}={str(v).upper()}" for k, v in parts)


def _event(school_id: str, d: Deadline, stamp: str) -> list[str]:
    lines = [
        "BEGIN:VEVENT",
        f"UID:{_text(uid(school_id, d.kind, d.key))}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{d.day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{d.day + ONE_DAY:%Y%m%d}",
    ]
    if d.rrule:
        lines.append(f"RRULE:{_rrule(d.rrule)}")
    lines += [
        f"SUMMARY:{_text(d.summary)}",
        f"DESCRIPTION:{_text(d.description)}",
        f"CATEGORIES:{_text(d.category)}",
        "TRANSP:TRANSPARENT",
    ]
    for days in sorted(set(d.remind), reverse=True):
        trigger = _duration(datetime.timedelta(days=-days, hours=ALARM_HOUR))
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{_text(f'{d.summary}({_when(days)}到期)')}",
            f"TRIGGER:{trigger}",
            "END:VALARM",
        ]
    lines.append("END:VEVENT")
    return lines


def school_feed(doc: Any, school_result: Any, as_of: datetime.date, rule_set: Any = None) -> bytes:
    """One school's deadlines as an iCalendar file (bytes, CRLF lines), from public data only.

    ``doc`` is a loaded dossier (or its data); ``rule_set`` (a
    :class:`generator.core.ruleset.RuleSet`) sets the drill interval and the report days — by
    default the one ``school_result`` was evaluated under, else the national baseline.

    The text is written here rather than with the icalendar package, which took 2 ms a school
    (a third of writing a school's pages); the tests read every feed back with icalendar.
    """
    return public_feed(public_view(getattr(doc, "data", doc)), school_result, as_of, rule_set)


def public_feed(
    data: dict, school_result: Any, as_of: datetime.date, rule_set: Any = None
) -> bytes:
    """:func:`school_feed` of a dossier's public view ``data`` (the site has it already)."""
    profile = data.get("profile") or {}
    school_id = profile.get("id") or getattr(school_result, "id", "school")
    if rule_set is None:
        rule_set = rule_set_or_baseline(getattr(school_result, "rule_set", None))
    name = profile.get("name", school_id)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{_text(PRODID)}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(f'{name} 安全工作期限')}",
        "X-WR-CALDESC:"
        + _text(f"{name}的隐患整改、演练、器材到期、报送等期限(校安档案,截至 {as_of.isoformat()})"),
        "X-WR-TIMEZONE:Asia/Shanghai",
        "REFRESH-INTERVAL;VALUE=DURATION:P1D",
        "X-PUBLISHED-TTL:P1D",
    ]
    stamp = f"{as_of:%Y%m%d}T000000Z"
    for d in deadlines(data, as_of, rule_set):
        lines += _event(school_id, d, stamp)
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines).encode("utf-8")


def write_feeds(out_dir: Path, records: Any, evaluation: Any) -> list[Path]:
    """``<out_dir>/<school-id>.ics`` for every school; the site publishes them at
    ``/calendar/<school-id>.ics``. Returns the files written."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    results = {r.id: r for r in evaluation.schools}
    written = []
    for doc in records.schools:
        profile = doc.data["profile"]
        sid = profile["id"]
        result = results.get(sid)
        district = records.districts.get(profile["district"])
        name = result.rule_set if result else district.data.get("rule_set") if district else None
        feed = school_feed(doc, result, evaluation.as_of, rule_set_or_baseline(name))
        path = out_dir / f"{sid}.ics"
        atomic_write(path, feed)
        written.append(path)
    return written
