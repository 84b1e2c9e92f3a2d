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
from pathlib import Path
from typing import Any

from generator.core.dates import ONE_DAY
from generator.core.files import atomic_write
from generator.core.rules import RULES, Context, SchoolView
from generator.core.rules.base import Deadline
from generator.core.schema import public_view
from generator.exchange.export import rule_set_or_baseline

PRODID = "-//xiaoan//校安档案//ZH"
ALARM_HOUR = 9  # reminders at 09:00 on the day they fall


def deadlines(data: dict, as_of: datetime.date, rule_set: Any = None) -> list[Deadline]:
    """The coming deadlines of a dossier (pass its public view: the feed is public), as the
    rules of ``rule_set`` (default: the national baseline) declare them with ``due``."""
    rule_set = rule_set if rule_set is not None else rule_set_or_baseline(None)
    school, ctx = SchoolView(data), Context(as_of, rule_set)
    found = [
        deadline
        for rule in RULES.values()
        if rule.due is not None and rule.id not in rule_set.disabled
        for deadline in rule.due(school, ctx)
    ]
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

    The text is written here rather than with the icalendar package, several times slower
    (benchmarks/bench_build.py); the tests read every feed back with icalendar.
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
