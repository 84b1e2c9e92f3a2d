"""Will a printed sheet fit one A4 page? An estimate from the text alone, at build time.

The 一校一警 notice (``templates/notice.html``) and the 风险公告 (``templates/risk.html``) are
meant for one A4 page each. A sheet that is longer runs onto a second page when printed
(``assets/print.css``: the table's header row repeats, a row is never split); the build
warns about it, naming the school, so that nobody finds out at the printer.

The estimate lays the page out as Chromium does, block by block, from the prepared page data
(:func:`generator.site.pages.school_page`): lines of text from the characters and the widths
in ``print.css`` (its column widths, fonts and ``line-height: 1.45`` are mirrored below),
rows from their tallest cell. Widths are those of Noto Sans CJK: a Chinese character or
full-width mark is 1 em, Latin letters and digits about half of that. The numbers are
checked against Chromium's own print-to-PDF by ``tests/test_printfit.py``; change them
together with ``print.css``.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass

PT = 25.4 / 72  # mm
PX = 25.4 / 96  # mm (a CSS pixel)
LINE = 1.45  # line-height, in ems
PAGE_WIDTH = 210 - 2 * 12  # @page A4, margin 12mm
PAGE_HEIGHT = 297 - 2 * 12
SHEETS = {"notice": "一校一警公示", "risk": "风险公告"}

# The 风险公告's table: columns in mm (the description takes the rest), cells, list indent.
COLUMNS = {"id": 10, "place": 19, "category": 15, "level": 12, "controls": 40, "owner": 15,
           "review": 21}  # fmt: skip
COLUMNS["description"] = PAGE_WIDTH - sum(COLUMNS.values())
TABLE_FONT = 8.5 * PT
CELL_PAD = (1, 1.2)  # vertical, horizontal (mm, each side)
BORDER = PX
LIST_INDENT = 4
QR_RISK = 20 + 9 * PT * 0.288  # the code, and the line's descent below it (9pt)
QR_NOTICE = 38 + 16 * PX * 0.288  # (16px)

# Width in ems of the characters that are not 1 em wide (Noto Sans CJK SC, regular).
_NARROW = {
    **dict.fromkeys("0123456789#$+<=>^~", 0.555), " ": 0.224, "-": 0.347, "–": 0.536,
    **dict.fromkeys(",.:;'|", 0.278), **dict.fromkeys("!()[]{}", 0.33), "/": 0.392,
    **dict.fromkeys("ijl", 0.28), **dict.fromkeys("frt", 0.38), **dict.fromkeys("mw", 0.86),
    **dict.fromkeys("abcdeghknopqsuvxyz", 0.56), "I": 0.29, **dict.fromkeys("MW%@", 0.88),
    "—": 0.838,
}  # fmt: skip
_LATIN = 0.64  # other ASCII letters and marks (capitals, mostly), on average
# Full-width marks (written by code point: the comma, semicolon, colon, marks, brackets).
_CLOSING = "。、》」』】〉”’\uff0c\uff1b\uff1a\uff01\uff1f\uff09"
_OPENING = "《「『【〈“‘\uff08"
_MARKS = frozenset(_CLOSING + _OPENING)
# The pieces a line may not be broken inside: a run of Latin letters and digits, or one
# character, with the marks no line may start with after it and those none may end with
# before it.
_AFTER_OPENING = re.escape(_OPENING + "([{")
_BEFORE_CLOSING = re.escape(_CLOSING + "…,.;:!?)]}%'\"")
_UNIT = re.compile(f"[{_AFTER_OPENING}]*(?:[!-~]+|.)[{_BEFORE_CLOSING}]*")


def width(char: str) -> float:
    """The advance of ``char`` in ems."""
    if char in _NARROW:
        return _NARROW[char]
    return _LATIN if char.isascii() else 1.0


@functools.lru_cache(maxsize=8192)
def _unit_width(unit: str) -> float:
    """The advance of a piece in ems. Of two full-width marks side by side the second takes
    half its width, as browsers set them (``text-spacing-trim``)."""
    total, mark = 0.0, False
    for char in unit:
        half = mark and char in _MARKS
        total += width(char) / (2 if half else 1)
        mark = char in _MARKS
    return total


def lines(text: str, room: float, size: float) -> int:
    """How many lines ``text`` takes in a box ``room`` mm wide, in a font of ``size`` mm:
    breaks where Chinese text allows them, a piece too long for a line split anywhere
    (``overflow-wrap: anywhere``); newlines start a line (``white-space: pre-line``)."""
    ems = room / size + 1e-6
    if len(text) <= ems and "\n" not in text:
        return 1  # no character is wider than 1 em
    count = 0
    for paragraph in text.split("\n"):
        count += 1
        units = _UNIT.findall(paragraph)
        widths = list(map(_unit_width, units))
        if sum(widths) <= ems:
            continue  # fits on one line
        used, mark = 0.0, False
        for unit, wide in zip(units, widths, strict=True):
            if mark and unit[0] in _MARKS:
                wide -= 0.5
            mark = unit[-1] in _MARKS
            if unit == " ":
                used += wide if used else 0  # dropped at the start of a line, hangs at its end
            elif used + wide <= ems:
                used += wide
            elif wide <= ems:
                count += 1
                used = wide
            else:  # longer than a line, on lines of its own: broken anywhere
                count += 1 if used else 0
                used = 0.0
                for char in unit:
                    if used and used + width(char) > ems:
                        count += 1
                        used = 0.0
                    used += width(char)
    return count


def _height(text: str, room: float, size: float) -> float:
    return lines(text, room, size) * size * LINE


# ---------------------------------------------------------------------------------------------
# The sheets


def _risk_row(r: dict) -> float:
    """The height of one row of the 风险公告's table (mm)."""
    size = TABLE_FONT

    def room(column: str) -> float:
        return COLUMNS[column] - 2 * CELL_PAD[1] - BORDER

    review = r["next_review"] + ("\n复核已超期" if r["overdue"] else "")
    controls = r["controls"] or ["—"]
    indent = LIST_INDENT if r["controls"] else 0
    cells = [
        _height(r["id"], room("id"), size),
        _height(r["place"], room("place"), size),
        _height(r["category"], room("category"), size),
        size * LINE,  # the level: two characters on a coloured label
        _height(r["description"], room("description"), size),
        sum(_height(c, room("controls") - indent, size) for c in controls),
        _height(r["owner"], room("owner"), size),
        _height(review, room("review"), size),
    ]
    return max(cells) + 2 * CELL_PAD[0] + BORDER


def _heading(s: dict, kicker: float, title: float, title_margin: float, gap: float) -> float:
    """The centred heading of a sheet: kicker, school name, subtitle, blue rule, gap."""
    return (
        kicker * PT * LINE
        + _height(s["name"], PAGE_WIDTH, title * PT) + 2 * title_margin
        + 16 * PX * LINE + 4  # subtitle and its margin
        + 3 * PX + gap
    )  # fmt: skip


def risk_pages(s: dict) -> float:
    """The pages the 风险公告 of school page data ``s`` takes, estimated: 1.3 is one page
    and a third of another."""
    used = _heading(s, kicker=14, title=18, title_margin=1, gap=4)
    pages = 1
    if s["risks"]:
        head = TABLE_FONT * LINE + 2 * CELL_PAD[0] + BORDER
        used += head
        for r in s["risks"]:
            row = _risk_row(r)
            if used + row > PAGE_HEIGHT:  # rows are never split: the row and a header move on
                pages += 1
                used = head
            used += row
    else:
        # 档案中没有登记风险。: its margins take the place of the heading's and the legend's
        used += 16 * PX * LINE + (16 * PX - 4) + (16 * PX - 2)
    # the legend, then the footer: QR code beside the complaints line and the page's address
    used += 2 + 9 * PT * LINE + 3 + max(QR_RISK, 2 * 9 * PT * LINE + 2 * 9 * PT)
    while used > PAGE_HEIGHT:
        pages += 1
        used -= PAGE_HEIGHT
    return pages - 1 + used / PAGE_HEIGHT


def notice_pages(s: dict) -> float:
    """The pages the 一校一警 notice of school page data ``s`` takes, estimated."""
    p = s["police"]
    room = PAGE_WIDTH - 30 - 6  # the field's column: the page less the titles' and the gap
    big, normal, small = 22 * PT, 14 * PT, 12 * PT
    posts = [f"{e['period']} {e['time']}" for e in p["escort_posts"]] or ["—"]
    fields = [
        _height(p["officer"], room, big),
        _height(p["badge_no"], room, normal),
        _height(p["station"], room, normal),
        _height(p["duty_phone"], room, big),
        _posts(posts, room, normal),
        _height(p["duties"], room, small),
        _height(p["complaint_phone"], room, normal),
    ]
    dl = sum(max(f, normal * LINE) for f in fields) + 4 * (len(fields) - 1)
    footer = 10 + QR_NOTICE + 16 * PX * (1 + 2 * LINE + 1) + 9 * PT * LINE
    total = _heading(s, kicker=14, title=24, title_margin=2, gap=8) + dl + footer
    return total / PAGE_HEIGHT


def _posts(posts: list[str], room: float, size: float) -> float:
    """The escort posts: labels side by side, 6 mm apart, that wrap as wholes."""
    count, used = 1, 0.0
    for post in posts:
        wide = sum(map(width, post)) * size + 6
        if used and used + wide - 6 > room:
            count += 1
            used = 0.0
        used += wide
    return count * size * LINE


ESTIMATES = {"notice": notice_pages, "risk": risk_pages}


@dataclass(frozen=True)
class Overflow:
    """A sheet that will not fit one A4 page."""

    school: str  # id
    name: str
    sheet: str  # a key of SHEETS
    pages: float

    def message(self) -> str:
        """One line in Chinese, for the build's output."""
        what = "精简风险描述或管控措施" if self.sheet == "risk" else "精简工作职责"
        pages = math.ceil(self.pages * 10) / 10
        return (
            f"注意:{self.name}({self.school})的{SHEETS[self.sheet]}超过一页 A4"
            f"(约 {pages:.1f} 页),打印时接续到下一页;如需一页,请{what}。"
        )


def overflowing(schools: Iterable[dict]) -> list[Overflow]:
    """The sheets of the school page data ``schools`` that would not fit one A4 page."""
    found = []
    for s in schools:
        for sheet, estimate in ESTIMATES.items():
            pages = estimate(s)
            if pages > 1:
                found.append(Overflow(s["id"], s["name"], sheet, pages))
    return found
