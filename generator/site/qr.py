"""QR codes for the printed notices: segno's codes, made in a fifth of its time.

A site puts a QR code of its page's address on every school's 一校一警 notice and 风险公告:
20,000 codes for a province, which took segno (``segno.make_qr``) 2.1 ms each, most of it
spent placing each bit of the message in the matrix and masking it, one module at a time.
Those steps do not depend on the message: codes of one version, error level and mask have
the same function patterns, and the mask and the format information are XORed onto them.
So :func:`matrix` makes, once per version, segno's matrix of a message of zero bits and the
module each bit of a message goes to (segno's own placement, followed with numbered bits);
a code is then that matrix with the message's one bits flipped. The message itself (its
segments, padding and error correction) is still made by segno, step by step as
``segno.encoder._encode`` makes it, and the SVG by segno's writer.

``tests/test_qr.py`` compares the result with ``segno.make_qr`` for addresses of many
lengths (every version they need), and ``requirements.lock`` pins segno.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from functools import cache

import segno
from segno import consts
from segno import encoder as seg


def svg(url: str, scale: int = 4, border: int = 2) -> str:
    """The QR code of ``url`` as inline SVG: ``segno.make_qr(url, error="m", mask=2,
    boost_error=False).svg_inline(scale=scale, border=border, title=None, omitsize=False,
    dark="#000")``, byte for byte."""
    code = make(url)
    size = (len(code.matrix) + 2 * border) * scale
    # A horizontal line a run of dark modules, each from where the one before ended: segno's
    # path (writers.write_svg), the first line absolute ("M"), the others relative ("m").
    moves, x, y = [], 0, 0.0
    for row, line in enumerate(code.matrix):
        ys = border + row + 0.5
        for run in _DARK.finditer(line):
            start, end = run.start() + border, run.end() + border
            dy = ys - y
            moves.append(f"m{start - x} {int(dy) if int(dy) == dy else dy}h{end - start - 0}")
            x, y = end, ys
    path = "".join(moves).replace("m", "M", 1)
    return (
        f'<svg width="{size}" height="{size}" class="segno"><path transform="scale({scale})"'
        f' class="qrline" stroke="#000" d="{path}"/></svg>'
    )


_DARK = re.compile(b"\x01+")


def make(url: str, error: str = "m", mask: int = 2) -> segno.QRCode:
    """The QR code ``segno.make_qr(url, error=error, mask=mask, boost_error=False)``."""
    error_level = seg.normalize_errorlevel(error)
    segments = seg.prepare_data(url, None, None)
    version = seg.find_version(segments, error_level, eci=False, micro=False)
    bits = _message(segments, version, error_level)
    width, pick = _layout(version, error_level, mask, len(bits))
    # Each module's value picked from the message's bits, their inverse and the two constants.
    values = pick(bits + bits.translate(_INVERT) + b"\x00\x01")
    rows = tuple(bytearray(values[i : i + width]) for i in range(0, len(values), width))
    return segno.QRCode(seg.Code(tuple(rows), version, error_level, mask, segments))


def _message(segments: seg.Segments, version: int, error: int) -> bytearray:
    """The final message's bits, data and error correction, as ``_encode`` makes them."""
    buff = seg.Buffer()
    ver_range = seg.version_range(version)
    for segment in segments:
        seg.write_segment(buff, segment, None, ver_range, False)
    capacity = consts.SYMBOL_CAPACITY[version][error]
    seg.write_terminator(buff, capacity, None, len(buff))
    seg.write_padding_bits(buff, version, len(buff))
    seg.write_pad_codewords(buff, version, capacity, len(buff))
    return seg.make_final_message(version, error, buff).getbits()


_INVERT = bytes.maketrans(b"\x00\x01", b"\x01\x00")


@cache
def _layout(version: int, error: int, mask: int, length: int) -> tuple[int, Callable[[bytes], tuple]]:
    """The width of the matrix, and what picks each of its modules, row by row, from a
    message's ``length`` bits followed by their inverse and the constants 0 and 1.

    segno's finished matrix of a message of zero bits holds each module's value then: a
    function pattern's, or the mask's (and the format information's) where a message bit
    goes, which a one bit inverts. Where each bit goes is segno's placement followed with
    numbered bits."""
    width = seg.calc_matrix_size(version)
    matrix = seg.make_matrix(width, width)
    seg.add_finder_patterns(matrix, width, width)
    seg.add_alignment_patterns(matrix, width, width)
    numbered = [list(row) for row in matrix]  # bit k is written as k + 3: never 0, 1 or 2
    seg.add_codewords(numbered, range(3, length + 3), version)
    seg.add_codewords(matrix, bytes(length), version)
    _, matrix = seg.find_and_apply_best_mask(matrix, width, width, mask)
    seg.add_format_info(matrix, version, error, mask)
    seg.add_version_info(matrix, version)
    pick = []
    for placed, finished in zip(numbered, matrix, strict=True):
        for value, zero in zip(placed, finished, strict=True):
            if value >= 3:  # a message bit, or its inverse where the zero bit shows as one
                pick.append(value - 3 + (length if zero else 0))
            else:
                pick.append(2 * length + zero)
    return width, operator.itemgetter(*pick)
