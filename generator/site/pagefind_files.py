"""Pagefind's bundle files, read and rewritten so that the same pages give the same bundle.

Pagefind 1.5 collects a filter's values in a hash map whose seed changes on every run, and
writes them in that map's order: the same pages give a filter file (``filter/*.pf_filter``)
with its values in another order, hence another name, hence another meta file
(``pagefind.*.pf_meta``, which names the filter files) and another ``pagefind-entry.json``
(which names the meta file). The words, pages and fragments are written in a fixed order.
:func:`normalise` puts each filter's values in order, names the filter and meta files after
their content and points the entry at the new meta file: two runs over the same pages then
give identical bundles. The browser reads the files by the names the meta and entry give, so
any name will do.

Each of these files is ``pagefind_dcd`` followed by one CBOR value (arrays, text and
unsigned integers only), gzip-compressed. :func:`decode` and :func:`encode` read and write
that subset, as Pagefind does (definite lengths, shortest heads).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

SIGNATURE = b"pagefind_dcd"
_UINT, _BYTES, _TEXT, _ARRAY = 0, 2, 3, 4


class FormatError(ValueError):
    """A Pagefind file that is not what this module knows (another Pagefind version)."""


def read(path: Path):
    """The CBOR value in a Pagefind file."""
    data = gzip.decompress(path.read_bytes())
    if not data.startswith(SIGNATURE):
        raise FormatError(f"{path}: no Pagefind signature")
    value, end = decode(data, len(SIGNATURE))
    if end != len(data):
        raise FormatError(f"{path}: {len(data) - end} bytes after the value")
    return value


def pack(value) -> bytes:
    """A Pagefind file's bytes for ``value``: the same value always gives the same bytes."""
    return gzip.compress(SIGNATURE + encode(value), compresslevel=9, mtime=0)


def decode(data: bytes, at: int = 0):
    """(value, end) of the CBOR value that starts at ``at``."""
    major, info = data[at] >> 5, data[at] & 31
    at += 1
    if info < 24:
        n = info
    elif info <= 27:
        size = 1 << (info - 24)
        n, at = int.from_bytes(data[at : at + size], "big"), at + size
    else:
        raise FormatError(f"CBOR head {major}/{info} at byte {at - 1}")
    if major == _UINT:
        return n, at
    if major == _BYTES:
        return data[at : at + n], at + n
    if major == _TEXT:
        return data[at : at + n].decode("utf-8"), at + n
    if major == _ARRAY:
        items = []
        for _ in range(n):
            item, at = decode(data, at)
            items.append(item)
        return items, at
    raise FormatError(f"CBOR major type {major} at byte {at - 1}")


def encode(value) -> bytes:
    if isinstance(value, bool) or not isinstance(value, (int, bytes, str, list)):
        raise FormatError(f"cannot encode {type(value).__name__}")
    if isinstance(value, int):
        return _head(_UINT, value)
    if isinstance(value, bytes):
        return _head(_BYTES, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _head(_TEXT, len(raw)) + raw
    return _head(_ARRAY, len(value)) + b"".join(map(encode, value))


def _head(major: int, n: int) -> bytes:
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise FormatError(f"{n} is too large for CBOR")


def normalise(bundle: Path) -> None:
    """Rewrite the filter and meta files of the Pagefind bundle in ``bundle`` (and its entry)
    so that they depend on the indexed pages only, not on the run."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_bytes())
    for language, index in entry["languages"].items():
        meta_path = bundle / f"pagefind.{index['hash']}.pf_meta"
        meta = read(meta_path)
        # MetaIndex: version, pages, index chunks, filters [[name, file hash]], sorts, …
        filters = []
        for name, old in meta[3]:
            path = bundle / "filter" / f"{old}.pf_filter"
            name_, values = read(path)  # FilterIndex: name, [[value, [page, …]]]
            data = pack([name_, sorted(values)])
            path.unlink()
            new = _name(language, data, 7)
            (bundle / "filter" / f"{new}.pf_filter").write_bytes(data)
            filters.append([name, new])
        meta[3] = sorted(filters)
        data = pack(meta)
        meta_path.unlink()
        index["hash"] = _name(language, data, 10)
        (bundle / f"pagefind.{index['hash']}.pf_meta").write_bytes(data)
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8")


def _name(language: str, data: bytes, length: int) -> str:
    """A file's name after its content, as long as Pagefind's own."""
    return f"{language}_{hashlib.sha256(data).hexdigest()[:length]}"
