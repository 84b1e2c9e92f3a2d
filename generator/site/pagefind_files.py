"""Pagefind's bundle files: several Pagefind runs merged into one bundle, the same for the
same pages.

Pagefind holds every page it reads in memory several times over until it writes its bundle
(about 190 KB a school page: 3.6 GB for the 20,000 school pages of a province), so
generator/site/search.py runs it over a few hundred pages at a time and :func:`merge` joins
the runs' bundles into the bundle one run over their pages would have made: the pages
numbered in the order asked for, each word's pages and locations and each filter's pages
joined, the words cut into chunks where Pagefind cuts them. The browser cannot tell the
difference: one index, ranked with the word statistics of all the pages. A merge may leave
pages of a run out and take the runs' pages in any order, so that an incremental build
keeps the runs of its previous build and runs Pagefind only over the pages that changed.
``merge`` reads a word's list of pages as bytes: where a run's pages follow one another in
the merged index as in the run (a whole run, or a block of it), their entries are copied
and only the first page's number is rewritten; a list is cut into entries only where the
run's pages are split.

``merge`` also makes the bundle depend on the pages only, not on the runs (Pagefind 1.5
writes a filter's values in the order of a hash map whose seed changes on every run), and
small: it names each file after its content (chunks, filters and meta), and each page's
fragment after its number in the index, behind a token the caller gives, a digest of the
list of the index's pages (``<prefix><token><number in base 36>``). The meta file, which the
browser loads before the first query, lists every page's fragment: Pagefind's own names
(7 hex digits of the content) made up 60 % of it at 20,000 schools, and 3 hex digits of the
content beside the number still cost 47 KB of the first query (296 KB of the 300 KB
allowed); numbers in base 36 behind one token compress to almost nothing. An edited page
keeps its fragment's name: its fragment is written anew, the others are left as they are,
and a browser may show the old excerpt for as long as it may show the page itself from its
cache. A page added or removed renumbers the pages after it, and changes the token: a
browser never takes a fragment from its cache for another page's.

Each of these files is ``pagefind_dcd`` followed by one CBOR value (arrays, text and
integers only), gzip-compressed. :func:`decode` and :func:`encode` read and write that
subset, as Pagefind does (definite lengths, shortest heads).

What Pagefind 1.5 writes (read from its files, not documented):

- ``pagefind-entry.json``: ``{"version", "languages": {lang: {"hash", "wasm", "page_count"}}}``;
- ``pagefind.<hash>.pf_meta``: ``[version, pages [[fragment, word count]], chunks [[first
  word, last word, file]], filters [[name, file]], sorts, meta fields [name]]``;
- ``index/<file>.pf_index``: ``[[[word, pages, []]]]``, the words in order, a page
  ``[page number − the previous page's, locations, meta locations]``; a location list holds
  positions with ``−weight − 1`` before a change of weight, a meta location list ``−field − 1``
  (the field's place in the meta's list) before the positions in that field;
- ``filter/<file>.pf_filter``: ``[name, [[value, [page number]]]]``;
- ``fragment/<name>.pf_fragment``: the page's JSON (url, content, meta, …).
"""

from __future__ import annotations

import gzip
import hashlib
import heapq
import json
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from operator import attrgetter
from pathlib import Path

SIGNATURE = b"pagefind_dcd"
_UINT, _NEGATIVE, _BYTES, _TEXT, _ARRAY = 0, 1, 2, 3, 4
CHUNK = 20_000  # Pagefind ends a chunk at the word that brings it to this many entries
INDEX_LEVEL = 6  # gzip level of the chunks (9 took 7× longer for 5 % less)
CODE = (".js", ".css", ".pagefind")  # Pagefind's scripts, styles and WebAssembly in a bundle

# A word's list of pages, read without decoding it: a CBOR integer, an array's head, and
# one page's entry ([number, [location…], [meta location…]]). Integers (0x00–0x3b) and
# array heads (0x80–0x9b) start with different bytes, so the entries of a list match one
# after another, and an entry's head (0x83) followed by an integer and an array's head is
# never inside a location list (three locations: 0x83 and three integers).
_INT = rb"(?:[\x00-\x17\x20-\x37]|[\x18\x38].|[\x19\x39]..|[\x1a\x3a]....|[\x1b\x3b]........)"
_HEAD = rb"(?:[\x80-\x97]|\x98.|\x99..|\x9a....)"
_PAGES = re.compile(rb"(?:\x83" + _INT + (_HEAD + _INT + b"*") * 2 + rb")*", re.S)
_ENTRY = re.compile(rb"\x83(" + _INT + rb")" + (_HEAD + _INT + b"*") * 2, re.S)  # one page's
# Every integer and array head of a list of pages; the page numbers as the group.
_TOKENS = re.compile(rb"\x83(" + _INT + rb")(?=[\x80-\x9b])|" + _INT + b"|" + _HEAD, re.S)


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


def pack(value, level: int = 9) -> bytes:
    """A Pagefind file's bytes for ``value``: the same value always gives the same bytes."""
    return _gzip(SIGNATURE + encode(value), level)


def _gzip(data: bytes, level: int) -> bytes:
    return gzip.compress(data, compresslevel=level, mtime=0)


def decode(data: bytes, at: int = 0):
    """(value, end) of the CBOR value that starts at ``at``."""
    major = data[at] >> 5
    n, at = _size(data, at)
    if major == _UINT:
        return n, at
    if major == _NEGATIVE:
        return -1 - n, at
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


def _size(data: bytes, at: int) -> tuple[int, int]:
    """(the number in the CBOR head at ``at``, where the head ends)."""
    info = data[at] & 31
    if info < 24:
        return info, at + 1
    if info > 27:
        raise FormatError(f"CBOR head {data[at] >> 5}/{info} at byte {at}")
    end = at + 1 + (1 << (info - 24))
    return int.from_bytes(data[at + 1 : end], "big"), end


def encode(value) -> bytes:
    if isinstance(value, bool) or not isinstance(value, (int, bytes, str, list)):
        raise FormatError(f"cannot encode {type(value).__name__}")
    if isinstance(value, int):
        return _head(_UINT, value) if value >= 0 else _head(_NEGATIVE, -1 - value)
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


class _Run:
    """One Pagefind run's bundle, as :func:`merge` reads it."""

    def __init__(self, bundle: Path):
        self.bundle = bundle
        self.entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
        if len(self.entry["languages"]) != 1:
            raise FormatError(f"{bundle}: {len(self.entry['languages'])} languages, not one")
        ((self.language, index),) = self.entry["languages"].items()
        self.meta = read(bundle / f"pagefind.{index['hash']}.pf_meta")
        version, pages, chunks, filters, sorts, fields = self.meta  # MetaIndex, 1.5
        if sorts:
            raise FormatError(f"{bundle}: sorts")
        self.pages, self.chunks, self.filters, self.fields = pages, chunks, filters, fields
        self.fields_to: dict[int, int] = {}  # a meta field's number here -> in the merged index
        self.to = [-1] * len(pages)  # each page's number in the merged index (-1: left out)
        # the blocks of pages that follow one another both here and in the merged index:
        # each page's block (-1: left out), and the number of blocks
        self.block = [-1] * len(pages)
        self.blocks = 0

    def place(self, page: int, number: int) -> None:
        """Page ``page`` of this run is page ``number`` of the merged index (placed in order)."""
        if self.to[page] != -1:
            raise ValueError(f"{self.bundle}: page {page} placed twice")
        self.to[page] = number
        follows = page > 0 and self.to[page - 1] == number - 1 and self.block[page - 1] != -1
        if not follows:
            self.blocks += 1
        self.block[page] = self.blocks - 1

    def words(self) -> Iterator[tuple[bytes, _Pages]]:
        """(word as UTF-8, its pages in one block) for every word, in order."""
        whole = self.blocks == 1 and -1 not in self.block
        for chunk in self.chunks:
            path = self.bundle / "index" / f"{chunk[2]}.pf_index"
            data = gzip.decompress(path.read_bytes())
            try:
                yield from self._words(data, whole)
            except (IndexError, ValueError, AttributeError) as error:
                raise FormatError(f"{path}: {error}") from None

    def _words(self, data: bytes, whole: bool) -> Iterator[tuple[bytes, _Pages]]:
        if not data.startswith(SIGNATURE + b"\x81"):
            raise ValueError("not a word index")
        count, at = _size(data, len(SIGNATURE) + 1)
        for _ in range(count):
            if data[at] != 0x83:
                raise ValueError(f"a word that is not [word, pages, []] at byte {at}")
            length, at = _size(data, at + 1)
            word = data[at : at + length]
            pages, at = _size(data, at + length)
            end = _PAGES.match(data, at).end()
            if data[end] != 0x80:  # the third field, always empty in 1.5
                raise ValueError(f"a word's list of pages ends at byte {end}")
            if whole:
                yield word, _Pages.whole(data[at:end], pages, self)
            else:
                for block in self._cut(data[at:end], pages):
                    yield word, block
            at = end + 1

    def _cut(self, raw: bytes, count: int) -> Iterator[_Pages]:
        """A word's list of pages cut into the blocks its pages are in, without the pages
        the merged index leaves out."""
        page, found, start, block, first, last = 0, 0, 0, -1, 0, 0
        for entry in _ENTRY.finditer(raw):
            found += 1
            page += _size(entry.group(1), 0)[0]
            if self.block[page] != block:
                if block != -1:
                    yield _Pages.part(raw[start : entry.start()], self, first, last)
                block, start, first = self.block[page], entry.start(), page
            last = page
        if found != count:
            raise ValueError(f"{found} pages where the list says {count}")
        if block != -1:
            yield _Pages.part(raw[start:], self, first, last)


class _Pages:
    """A word's pages in one block of a run: their list's bytes, read only as far as a
    merge needs; ``first`` is the number of the first in the merged index."""

    __slots__ = ("raw", "count", "run", "first", "skip", "entries", "_last", "_numbers")

    def __init__(self, raw: bytes, run: _Run, tokens: list[bytes], first: int, last: int | None):
        numbers = [t for t in tokens if t]  # each page's number − the previous page's
        self.raw, self.run, self.count, self.first, self._last = raw, run, len(numbers), first, last
        self.skip = 1 + len(numbers[0])  # the first page's head: 0x83 and its number
        # what Pagefind counts towards a chunk: each page's locations, meta locations and 1
        self.entries = len(tokens) - 2 * self.count
        self._numbers = numbers if last is None else None

    @classmethod
    def whole(cls, raw: bytes, count: int, run: _Run) -> _Pages:
        """The list of a run whose pages are all merged, in order, from ``run.to[0]`` on."""
        tokens = _TOKENS.findall(raw)
        pages = cls(raw, run, tokens, run.to[0] + _size(tokens[0], 0)[0], None)
        if pages.count != count:
            raise ValueError(f"{pages.count} pages where the list says {count}")
        return pages

    @classmethod
    def part(cls, raw: bytes, run: _Run, first: int, last: int) -> _Pages:
        """Entries of ``raw`` for the run's pages ``first`` … ``last``, all in one block."""
        return cls(raw, run, _TOKENS.findall(raw), run.to[first], run.to[last])

    def last(self) -> int:
        """The number (in the merged index) of the word's last page here."""
        if self._last is None:
            joined = b"".join(self._numbers)
            if len(joined) == self.count:  # each below 24: one byte, its own value
                self._last = self.first + sum(joined) - joined[0]
            else:
                self._last = self.first + sum(_size(n, 0)[0] for n in self._numbers[1:])
        return self._last

    def after(self, previous: int | None) -> bytes:
        """The list's entries with its first page's number made relative to ``previous``
        (the merged index's number of the page before it, None for the first)."""
        rest = self._fields_renumbered() if self.run.fields_to else self.raw[self.skip :]
        return b"\x83" + _head(_UINT, self.first - (previous or 0)) + rest

    def _fields_renumbered(self) -> bytes:
        """The entries after the first number, with the meta fields numbered as in the
        merged index (a run whose pages have other meta fields)."""
        entries, _ = decode(_head(_ARRAY, self.count) + self.raw)
        out = []
        for i, (number, locations, meta) in enumerate(entries):
            meta = [-1 - self.run.fields_to[-1 - m] if m < 0 else m for m in meta]
            out.append(
                encode(locations) + encode(meta) if i == 0 else encode([number, locations, meta])
            )
        return b"".join(out)


def merge(runs: list[Path], out: Path, prefix: str = "",
          order: Iterable[tuple[int, int]] | None = None, pages_token: str = "") -> int:  # fmt: skip
    """Merge the bundles Pagefind wrote in ``runs`` into one bundle in ``out`` (which must
    not exist), as one run over the same pages would have made it; return how many pages it
    holds. ``order`` lists the merged index's pages, each as (run, its number in the run):
    any of the runs' pages, each once, in any order (fastest where a run's pages follow one
    another as in the run); by default every page, run after run. The fragments are named
    ``prefix``, ``pages_token`` and their number (see the module's docstring): two bundles
    searched together need different prefixes. The runs' folders are left as they are: their
    files are hard-linked into ``out`` where they can be (the same file system), else copied."""
    every = [_Run(bundle) for bundle in runs]
    if order is None:
        order = [(r, p) for r, run in enumerate(every) for p in range(len(run.pages))]
    order = list(order)
    for number, (r, page) in enumerate(order):
        every[r].place(page, number)
    readers = [every[r] for r in dict.fromkeys(r for r, _ in order)]  # in the order first used
    if not readers:
        raise FormatError("no pages to merge")
    head = readers[0]
    if any((r.language, r.meta[0]) != (head.language, head.meta[0]) for r in readers):
        raise FormatError("runs of different languages or Pagefind versions")
    language = head.language
    fields = list(head.fields)
    for run in readers[1:]:
        fields += [f for f in run.fields if f not in fields]
        if run.fields != fields[: len(run.fields)]:
            run.fields_to = {i: fields.index(f) for i, f in enumerate(run.fields)}
    out.mkdir(parents=True)
    pages = [every[r].pages[p] for r, p in order]  # [Pagefind's fragment name, word count]
    names = [f"{prefix}{pages_token}{_base36(n)}" for n in range(len(pages))]
    (out / "fragment").mkdir()
    for name, (r, page) in zip(names, order, strict=True):
        run = every[r]
        _link(run.bundle / "fragment" / f"{run.pages[page][0]}.pf_fragment",
              out / "fragment" / f"{name}.pf_fragment")  # fmt: skip
    meta = [
        head.meta[0],
        [[name, count] for name, (_, count) in zip(names, pages, strict=True)],
        _write_words(readers, out / "index", language),
        _write_filters(readers, out / "filter", language),
        [],
        fields,
    ]
    head.entry["languages"][language]["page_count"] = len(pages)
    _write_meta(out, head.entry, meta)
    code = next((r.bundle for r in every if (r.bundle / "pagefind.js").is_file()), None)
    for path in code.iterdir() if code else ():  # Pagefind's scripts, styles and WebAssembly
        if path.is_file() and path.suffix in CODE:
            _link(path, out / path.name)
    return len(pages)


def _link(source: Path, target: Path) -> None:
    """``target`` the same file as ``source`` (a hard link), or a copy on another file system."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


def normalise(bundle: Path) -> None:
    """Make the bundle of one Pagefind run in ``bundle`` depend on its pages only: Pagefind
    1.5 writes a filter's values in the order of a hash map whose seed changes on every run
    (the rest, fragments and word chunks, is the same for the same pages). Each filter's
    values are put in order, and the filters and the meta file named after their content.
    Files are made anew, never written into."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_bytes())
    ((language, index),) = entry["languages"].items()
    meta_path = bundle / f"pagefind.{index['hash']}.pf_meta"
    meta = read(meta_path)
    folder = bundle / "filter"
    filters = []
    for name, file in meta[3]:
        path = folder / f"{file}.pf_filter"
        filter_name, pairs = read(path)
        path.unlink()
        filters.append([name, _write_filter(folder, language, filter_name, sorted(pairs))])
    meta[3] = sorted(filters)
    meta_path.unlink()
    entry_path.unlink()
    _write_meta(bundle, entry, meta)


def _write_meta(bundle: Path, entry: dict, meta: list) -> None:
    """Write ``meta`` to the bundle's meta file, named after its content, and ``entry``
    (whose one language is told that name) to its entry file."""
    ((language, index),) = entry["languages"].items()
    data = pack(meta)
    index["hash"] = _name(language, data, 10)
    (bundle / f"pagefind.{index['hash']}.pf_meta").write_bytes(data)
    (bundle / "pagefind-entry.json").write_text(
        json.dumps(entry, ensure_ascii=False, separators=(",", ":")), "utf-8"
    )


def _write_filter(folder: Path, language: str, name: str, pairs: list) -> str:
    """Write the filter ``name`` ([[value, [page, …]]]) to ``folder``; return its file's name."""
    data = pack([name, pairs])
    file = _unique(language, data, 7, folder, ".pf_filter")
    (folder / f"{file}.pf_filter").write_bytes(data)
    return file


def urls(bundle: Path) -> list[str]:
    """The URLs of the pages of the Pagefind bundle in ``bundle``, in its numbering (read
    from their fragments)."""
    found = []
    for name, _ in _Run(bundle).pages:
        data = gzip.decompress((bundle / "fragment" / f"{name}.pf_fragment").read_bytes())
        if not data.startswith(SIGNATURE):
            raise FormatError(f"{bundle}: fragment {name} has no Pagefind signature")
        found.append(json.loads(data[len(SIGNATURE) :])["url"])
    return found


def filter_names(bundle: Path) -> list[str]:
    """The names of the filters of the Pagefind bundle in ``bundle``."""
    entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
    return sorted(
        name
        for index in entry["languages"].values()
        for name, _ in read(bundle / f"pagefind.{index['hash']}.pf_meta")[3]
    )


def _write_words(readers: list[_Run], folder: Path, language: str) -> list[list[str]]:
    """Write the merged index's word chunks to ``folder``; return the meta's list of them
    ([first word, last word, file]), cut and named as Pagefind does."""
    folder.mkdir()
    chunks: list[list[str]] = []
    words: list[bytes] = []  # the current chunk's words, encoded
    size = 0
    first = last = b""

    def write() -> None:
        data = _gzip(SIGNATURE + b"\x81" + _head(_ARRAY, len(words)) + b"".join(words), INDEX_LEVEL)
        name = _unique(language, data, 7, folder, ".pf_index")
        (folder / f"{name}.pf_index").write_bytes(data)
        chunks.append([first.decode(), last.decode(), name])

    merged = heapq.merge(*(run.words() for run in readers), key=lambda w: w[0])
    for word, group in _grouped(merged):
        if len(group) > 1:  # blocks of runs merged in another order than the runs'
            group.sort(key=attrgetter("first"))
        previous = None
        lists = []
        for pages in group:
            lists.append(pages.after(previous))
            previous = pages.last()
            size += pages.entries
        count = sum(pages.count for pages in group)
        words.append(
            b"\x83" + encode(word.decode()) + _head(_ARRAY, count) + b"".join(lists) + b"\x80"
        )
        if len(words) == 1:
            first = word
        last = word
        if size >= CHUNK:
            write()
            words, size = [], 0
    if words:
        write()
    for a, b in zip(
        chunks, chunks[1:], strict=False
    ):  # as Pagefind: the shortest prefixes that differ
        a[1], b[0] = _prefixes(a[1], b[0])
    return chunks


def _grouped(merged: Iterator[tuple[bytes, _Pages]]) -> Iterator[tuple[bytes, list[_Pages]]]:
    """(word, its pages in each block that has it) from the runs' words merged in order."""
    word, group = None, []
    for w, pages in merged:
        if w != word and group:
            yield word, group
            group = []
        word = w
        group.append(pages)
    if group:
        yield word, group


def _prefixes(a: str, b: str) -> tuple[str, str]:
    """The last word of one chunk and the first of the next cut one character after their
    common beginning (what the browser needs to tell which chunk holds a word)."""
    common = 0
    while common < min(len(a), len(b)) and a[common] == b[common]:
        common += 1
    return a[: common + 1], b[: common + 1]


def _write_filters(readers: list[_Run], folder: Path, language: str) -> list[list[str]]:
    """Write the merged filters to ``folder``, each value's pages from every run, the values
    in order; return the meta's list of them ([name, file])."""
    values: dict[str, dict[str, list[int]]] = {}
    for run in readers:
        for _, file in run.filters:
            path = run.bundle / "filter" / f"{file}.pf_filter"
            filter_name, pairs = read(path)  # FilterIndex: name, [[value, [page, …]]]
            merged = values.setdefault(filter_name, {})
            for value, pages in pairs:
                numbers = (run.to[p] for p in pages)
                merged.setdefault(value, []).extend(n for n in numbers if n != -1)
    folder.mkdir()
    filters = []
    for name in sorted(values):
        pairs = [[value, sorted(pages)] for value, pages in sorted(values[name].items()) if pages]
        filters.append([name, _write_filter(folder, language, name, pairs)])
    return filters


def _unique(language: str, data: bytes, length: int, folder: Path, suffix: str) -> str:
    """A file's name after its content, longer where another file in ``folder`` has it."""
    while (folder / f"{_name(language, data, length)}{suffix}").exists():
        length += 1
    return _name(language, data, length)


def _name(language: str, data: bytes, length: int) -> str:
    """A file's name after its content, as long as Pagefind's own."""
    return f"{language}_{hashlib.sha256(data).hexdigest()[:length]}"


def _base36(n: int) -> str:
    digits = ""
    while True:
        n, digit = divmod(n, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[digit] + digits
        if not n:
            return digits
