"""Calendar feeds: valid iCalendar that a parser reads back, the expected deadlines with
reminders, UIDs stable across builds, the same bytes for the same input, public data only."""

from __future__ import annotations

import copy
import datetime
import shutil
from pathlib import Path

import pytest
from conftest import BASE, REPO, TODAY, VALID, district
from icalendar import Calendar

from generator.core.evaluate import evaluate
from generator.core.load import load
from generator.core.ruleset import load_rule_set
from generator.core.validate import validate_tree
from generator.exchange.calendar import school_feed, uid, write_feeds

AS_OF = datetime.date(2026, 11, 23)


@pytest.fixture
def base() -> dict:
    return load(BASE).data


def events(feed: bytes) -> dict[str, dict]:
    """The feed's events by UID: start, summary, description, alarms, recurrence."""
    cal = Calendar.from_ical(feed)
    out = {}
    for e in cal.walk("VEVENT"):
        out[str(e["UID"])] = {
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "summary": str(e["SUMMARY"]),
            "description": str(e["DESCRIPTION"]),
            "stamp": e.decoded("DTSTAMP"),
            "alarms": [a.decoded("TRIGGER") for a in e.walk("VALARM")],
            "rrule": e.get("RRULE"),
        }
    return out


def feed(data: dict, as_of: datetime.date = AS_OF, rules: str = "plan-003") -> bytes:
    return school_feed(data, None, as_of, load_rule_set(rules))


def test_feed_holds_the_expected_deadlines(base: dict) -> None:
    got = events(feed(base))
    school = "cg-shiyan-xiaoxue"
    expected = {
        uid(school, "hazard", "H-2026-002"): datetime.date(2026, 12, 31),
        uid(school, "drill", "2026-11"): datetime.date(2026, 11, 30),  # none yet in November
        uid(school, "spray", "2027-06-30"): datetime.date(2027, 6, 30),
        uid(school, "monthly-report", "monthly"): datetime.date(2026, 12, 10),
        uid(school, "annual-report", "annual"): datetime.date(2026, 12, 15),
        uid(school, "risk-review", "R-01"): datetime.date(2027, 3, 1),
        uid(school, "risk-review", "R-02"): datetime.date(2027, 3, 1),
        uid(school, "equipment", "综合楼电梯"): datetime.date(2027, 4, 10),
    }
    assert {k: v["start"] for k, v in got.items()} == expected
    assert uid(school, "hazard", "H-2026-001") not in got  # closed: nothing due
    major = got[uid(school, "hazard", "H-2026-002")]
    assert major["summary"] == "重大隐患整改期限:治安防范 H-2026-002"
    assert major["end"] == datetime.date(2027, 1, 1)  # an all-day event
    assert major["alarms"] == [
        datetime.timedelta(days=-7, hours=9),
        datetime.timedelta(days=-1, hours=9),
    ]
    assert got[uid(school, "equipment", "综合楼电梯")]["alarms"][0] == datetime.timedelta(
        days=-30, hours=9
    )
    assert got[uid(school, "monthly-report", "monthly")]["rrule"]["FREQ"] == ["MONTHLY"]
    assert got[uid(school, "annual-report", "annual")]["rrule"]["BYMONTH"] == [12]
    assert all(
        e["stamp"] == datetime.datetime(2026, 11, 23, tzinfo=datetime.UTC) for e in got.values()
    )


def test_calendar_properties(base: dict) -> None:
    cal = Calendar.from_ical(feed(base))
    assert str(cal["VERSION"]) == "2.0"
    assert str(cal["PRODID"]) == "-//xiaoan//校安档案//ZH"
    assert str(cal["X-WR-CALNAME"]) == "城关区实验小学 安全工作期限"
    assert str(cal["METHOD"]) == "PUBLISH"


def test_same_input_same_bytes_and_stable_uids(base: dict) -> None:
    assert feed(base) == feed(copy.deepcopy(base))
    later = copy.deepcopy(base)
    later["drills"].append(
        {"date": "2026-11-25", "kind": "消防疏散", "scope": "全校", "participants": 1300}
    )
    before, after = events(feed(base)), events(feed(later, datetime.date(2026, 11, 26)))
    kept = set(before) - {uid("cg-shiyan-xiaoxue", "drill", "2026-11")}
    assert kept <= set(after)  # every other deadline keeps its UID in the next build
    assert after[uid("cg-shiyan-xiaoxue", "drill", "2026-12")]["start"] == datetime.date(
        2026, 12, 31
    )


def test_overdue_and_expired_items_say_so(base: dict) -> None:
    got = events(feed(base, datetime.date(2027, 7, 5)))
    assert got[uid("cg-shiyan-xiaoxue", "hazard", "H-2026-002")]["summary"].endswith("(已逾期)")
    assert got[uid("cg-shiyan-xiaoxue", "spray", "2027-06-30")]["summary"] == "防卫喷雾到期(已过期)"


def test_drill_interval_comes_from_the_rule_set(base: dict) -> None:
    kindergarten = load(VALID / "cg-qiaoxi-youeryuan.yaml").data
    got = events(feed(kindergarten))
    assert got[uid("cg-qiaoxi-youeryuan", "drill", "2026-10")]["start"] == datetime.date(
        2026, 12, 31
    )
    assert "季度" in got[uid("cg-qiaoxi-youeryuan", "drill", "2026-10")]["summary"]
    # the national baseline has no monthly or annual report duty
    baseline = events(feed(base, rules="national"))
    assert not [u for u in baseline if ".monthly-report." in u or ".annual-report." in u]
    # a month that is all holiday owes no drill: after 2027-01-22 the next one is due in March
    winter = copy.deepcopy(base)
    winter["drills"].append(
        {"date": "2027-01-10", "kind": "消防疏散", "scope": "全校", "participants": 1300}
    )
    got = events(feed(winter, datetime.date(2027, 1, 25)))
    drill = [e for u, e in got.items() if ".drill." in u]
    assert [e["start"] for e in drill] == [datetime.date(2027, 3, 31)]


PRIVATE = {
    ("hazards", 1, "description"): "金丝雀隐患描述",
    ("hazards", 1, "location"): "金丝雀部位",
    ("hazards", 1, "found_by"): "金丝雀发现人",
    ("hazards", 1, "owner"): "金丝雀责任人",
    ("devices", "protective_equipment", 1, "location"): "金丝雀存放处",
    ("special_equipment", 0, "reg_no"): "CANARY-REG-9",
    ("risks", 0, "owner_phone"): "13955556666",
}


def test_feed_carries_public_information_only(base: dict) -> None:
    data = copy.deepcopy(base)
    for path, value in PRIVATE.items():
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    text = Calendar.from_ical(feed(data)).to_ical().decode("utf-8")
    raw = feed(data).decode("utf-8").replace("\r\n ", "")  # unfolded lines
    for value in PRIVATE.values():
        assert value not in text and value not in raw
    assert "治安防范" in raw and "学校北侧河道" in raw  # public facts are there


def test_write_feeds_for_every_school(tmp_path: Path) -> None:
    root = tmp_path / "records"
    (root / "chengguan").mkdir(parents=True)
    text = district("chengguan").replace("rule_set: default", "rule_set: plan-003")
    (root / "chengguan" / "_district.yaml").write_text(text, encoding="utf-8")
    for name in ("cg-shiyan-xiaoxue.yaml", "cg-qiaoxi-youeryuan.yaml"):
        shutil.copy(VALID / name, root / "chengguan" / name)
    records = validate_tree(root, today=TODAY)
    evaluation = evaluate(records, AS_OF)
    written = write_feeds(tmp_path / "site" / "calendar", records, evaluation)
    assert sorted(p.name for p in written) == ["cg-qiaoxi-youeryuan.ics", "cg-shiyan-xiaoxue.ics"]
    got = events((tmp_path / "site" / "calendar" / "cg-shiyan-xiaoxue.ics").read_bytes())
    assert uid("cg-shiyan-xiaoxue", "monthly-report", "monthly") in got  # the district's rule set
    assert not list((tmp_path / "site" / "calendar").glob(".*"))


@pytest.mark.parametrize(
    "path",
    sorted(p for p in (REPO / "records").glob("*/*.yaml") if not p.name.startswith("_")),
    ids=lambda p: p.stem,
)
def test_every_sample_feed_parses(path: Path) -> None:
    got = events(feed(load(path).data))
    assert all(u.startswith(path.stem + ".") and u.endswith("@xiaoan") for u in got)
    assert all(isinstance(e["start"], datetime.date) for e in got.values())


def test_every_deadline_comes_from_a_rule_and_a_disabled_rule_gives_none(base: dict) -> None:
    """calendar.py only collects: each kind of deadline is declared by a rule (``due``)."""
    import dataclasses

    from generator.core.rules import RULES
    from generator.exchange.calendar import deadlines

    declared = {r.id for r in RULES.values() if r.due is not None}
    assert declared >= {"hazard.overdue", "drill.frequency", "report.monthly", "report.annual",
                        "risk.review_overdue", "special.inspection_due", "bus.sign_expired",
                        "device.equipment_expiring"}  # fmt: skip
    rule_set = load_rule_set("plan-003")
    kinds = {d.kind for d in deadlines(base, AS_OF, rule_set)}
    assert {"hazard", "risk-review", "monthly-report"} <= kinds
    quiet = dataclasses.replace(rule_set, disabled=rule_set.disabled | {"hazard.overdue"})
    assert "hazard" not in {d.kind for d in deadlines(base, AS_OF, quiet)}
