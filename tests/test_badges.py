"""Compliance badges: anybadge SVG in the four status colours, wide enough for Chinese."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from generator.core.evaluate import STATUSES
from generator.site import badges

SVG = "{http://www.w3.org/2000/svg}"


def _parts(svg: str) -> dict:
    root = ET.fromstring(svg.split("?>", 1)[1])
    paths = root.findall(f"{SVG}g/{SVG}path")
    texts = [t.text for t in root.iter(f"{SVG}text")]
    return {
        "width": int(root.get("width")),
        "split": int(re.match(r"M0 0h(\d+)", paths[0].get("d")).group(1)),
        "value_fill": paths[1].get("fill"),
        "texts": texts,
    }


@pytest.mark.parametrize(
    ("status", "fill", "shields"),
    [("达标", "#2e7d32", "green"), ("待整改", "#dfb317", "yellow"),
     ("逾期", "#b34200", "orange"), ("重大隐患", "#c62828", "red")],
)  # fmt: skip
def test_each_status_has_its_colour(status, fill, shields):
    parts = _parts(badges.svg(status))
    assert parts["value_fill"].lower() == fill
    assert parts["texts"] == ["校园安全", "校园安全", status, status]
    assert badges.endpoint(status) == {
        "schemaVersion": 1, "label": "校园安全", "message": status, "color": shields,
    }  # fmt: skip


def test_every_evaluation_status_has_a_badge():
    assert set(badges.COLORS) == set(STATUSES)


@pytest.mark.parametrize("status", STATUSES)
def test_boxes_are_wide_enough_for_chinese_text(status):
    # A CJK glyph is drawn a full em wide (11 px at font size 11); anybadge alone gives it
    # 7.5 px and "校园安全" spills out of its box.
    parts = _parts(badges.svg(status))
    label_box = parts["split"]
    value_box = parts["width"] - parts["split"]
    assert label_box >= 4 * 11 + 8
    assert value_box >= len(status) * 11 + 8
    # and not absurdly wide either: a few pixels of padding each side
    assert label_box <= 4 * 11 + 16
    assert value_box <= len(status) * 11 + 16


def test_category_label_gets_its_own_width():
    short = _parts(badges.svg("达标", "教育"))
    long = _parts(badges.svg("达标", "特种设备"))
    assert long["split"] - short["split"] == 2 * 11


def test_badges_are_identical_however_many_are_drawn():
    # anybadge numbers each badge's mask with a process-wide counter; ours must not, or two
    # builds of the same records would differ.
    first = badges.svg("逾期")
    badges.svg.cache_clear()
    for status in STATUSES:
        badges.svg(status, "一校一警")
    badges.svg.cache_clear()
    assert badges.svg("逾期") == first
    assert 'mask id="m"' in first


def test_label_text_is_escaped():
    svg = badges.svg("达标", "<a&b>")
    assert "&lt;a&amp;b&gt;" in svg
    ET.fromstring(svg.split("?>", 1)[1])  # still well-formed XML


def test_unknown_status_is_refused():
    with pytest.raises(KeyError):
        badges.svg("优秀")
