"""The coverage matrix: generated from the rules, committed, and never stale."""

import re

from generator import ROOT
from generator.core.rules import RULES
from generator.devtools.coverage import NOT_CHECKABLE, SEEDS, render, seed_citations, write

PAGE = ROOT.parent / "docs" / "coverage.md"


def test_committed_page_is_up_to_date():
    """Fails when a rule, a rule set or the hand-kept list changed without `xiaoan coverage`."""
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/coverage.md 已过期:请运行 xiaoan coverage"
    )


def test_every_rule_is_listed_with_its_source():
    page = render()
    for rule in RULES.values():
        row = next(line for line in page.splitlines() if line.startswith(f"| `{rule.id}` |"))
        assert rule.source.replace("|", "\\|") in row and rule.title in row


def test_every_seed_is_cited_by_rules():
    cites = seed_citations()
    assert set(cites) == set(SEEDS)
    assert ("三(四)二", "drill.frequency") in cites["003"]
    assert ("三(三)2", "drill.semester") in cites["004"]
    assert ("二(二)3", "video.storage") in cites["000"]


def test_requirements_not_checkable_say_where_and_why():
    assert len(NOT_CHECKABLE) >= 20
    for source, requirement, why in NOT_CHECKABLE:
        assert re.match(r"00[0-4] |GB/T |\S+(号|条例|原文\))", source), source
        assert requirement and why


def test_private_fields_are_marked():
    page = render()
    assert "`devices.key_rooms[].guard_rail` 🔒" in page
    assert "`hazards[].deadline` 🔒" not in page


def test_write_reports_whether_it_changed(tmp_path):
    out = tmp_path / "docs" / "coverage.md"
    assert write(out) is True
    assert write(out) is False
    assert out.read_text(encoding="utf-8") == render()
