"""Compliance badges: SVG drawn with anybadge, and shields.io endpoint JSON.

A badge depends only on its label and status, so each distinct one is drawn once.
"""

from __future__ import annotations

import unicodedata
from functools import cache

import anybadge

LABEL = "校园安全"

# status → (SVG fill, text colours "label,value", shields.io colour name)
COLORS = {
    "达标": ("#2e7d32", "#fff,#fff", "green"),
    "待整改": ("#dfb317", "#fff,#222", "yellow"),
    "逾期": ("#b34200", "#fff,#fff", "orange"),
    "重大隐患": ("#c62828", "#fff,#fff", "red"),
}

# anybadge estimates text width from Latin glyph widths (a CJK character passes for an emoji,
# 3/4 of its font width), while a CJK glyph is drawn a full em wide (11 px at font size 11):
# "校园安全" would overflow its box. The shortfall is given back as padding, which anybadge
# counts in units of its font width on each side.
_FONT_SIZE = 11
_PADDING = 0.5


def _padding(text: str) -> float:
    wide = "".join(c for c in text if unicodedata.east_asian_width(c) in "WF")
    if not wide:
        return _PADDING
    probe = anybadge.Badge("x", "x", font_size=_FONT_SIZE)
    shortfall = len(wide) * _FONT_SIZE - probe.get_text_width(wide)
    return _PADDING + shortfall / (2 * probe.font_width)


class _Badge(anybadge.Badge):
    @classmethod
    def _get_next_mask_str(cls) -> str:
        # anybadge numbers masks with a process-wide counter; a badge is a file of its own,
        # so one fixed id keeps two builds of the same records byte-identical.
        return "m"


@cache
def svg(status: str, label: str = LABEL) -> str:
    """The SVG badge for ``status`` (one of the four statuses) under ``label``."""
    fill, text, _ = COLORS[status]
    badge = _Badge(
        label,
        status,
        default_color=fill,
        text_color=text,
        num_label_padding_chars=_padding(label),
        num_value_padding_chars=_padding(status),
    )
    return badge.badge_svg_text


def endpoint(status: str, label: str = LABEL) -> dict:
    """A shields.io endpoint description (https://shields.io/badges/endpoint-badge)."""
    return {"schemaVersion": 1, "label": label, "message": status, "color": COLORS[status][2]}
