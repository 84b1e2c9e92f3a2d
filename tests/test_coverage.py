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


def test_every_seed_requirement_is_listed_once_with_how_it_is_checked():
    from generator.core.ruleset import load_rule_set
    from generator.devtools.coverage import requirement_counts
    from generator.devtools.requirements import REQUIREMENTS

    rates = {r.id for r in load_rule_set("national").rates}
    keys = [(source, requirement) for source, requirement, _ in REQUIREMENTS]
    assert len(keys) == len(set(keys))
    for source, requirement, how in REQUIREMENTS:
        assert re.match(r"00[0-4] [一二三四五六七八九十]", source), source
        if isinstance(how, str):
            assert how, requirement
            continue
        for name in how:
            assert (name[5:] in rates) if name.startswith("rate:") else (name in RULES), name
    counts = requirement_counts()
    assert counts["rules"] + counts["rates"] >= 110  # issue #12
    assert counts["total"] == counts["rules"] + counts["rates"] + counts["not_checkable"]
    page = render()
    assert (
        f"种子文件中的 {counts['total']} 项要求:{counts['rules'] + counts['rates']} 项由规则或达标率检查"
        in page
    )


def test_every_rule_that_cites_a_seed_checks_a_listed_requirement():
    from generator.devtools.requirements import REQUIREMENTS

    listed = {h for _, _, how in REQUIREMENTS if not isinstance(how, str) for h in how}
    citing = {rule_id for pairs in seed_citations().values() for _, rule_id in pairs}
    assert citing <= listed, sorted(citing - listed)
