"""Load YAML dossiers safely, keeping the source position of every value.

The C parser composes a node tree; one walk builds plain data from it and records where each
value, and each mapping key, stands in the file. Nothing here executes tags, expands aliases
or turns dates into objects: a dossier is text, numbers, booleans, lists and mappings.

Bad input never raises anything but :class:`LoadError`, which carries a Chinese finding that
names the file and place.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

from generator.core.findings import Finding

MAX_BYTES = 1_000_000
MAX_DEPTH = 64
_TOO_DEEP = f"嵌套超过 {MAX_DEPTH} 层,档案不应如此复杂"

Path_ = tuple  # a path into the data: keys and list indices

try:  # the C parser is much faster; fall back to the pure-Python one where libyaml is missing
    _BaseLoader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader  # type: ignore[misc]


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """Safe YAML with dates left as strings (a dossier's dates are validated as text)."""

    def resolve(self, kind: type, value: str, implicit: tuple[bool, bool]) -> str:
        """The tag of an untagged node: PyYAML's own rules, without its unused generality.

        The C composer calls this for every node; PyYAML's version also consults path
        resolvers (none here) and builds a list per call. Same answers, a sixth less time
        to load a dossier (tests/test_load.py compares the two on every example).
        """
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in _IMPLICIT.get(value[:1], ()):
                    if regexp.match(value):
                        return tag
            return _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
assert None not in _Loader.yaml_implicit_resolvers and not _Loader.yaml_path_resolvers
_IMPLICIT = {first: tuple(resolvers) for first, resolvers in _Loader.yaml_implicit_resolvers.items()}

_STR = "tag:yaml.org,2002:str"
_SCALARS = {
    _STR: yaml.SafeLoader.construct_yaml_str,
    "tag:yaml.org,2002:int": yaml.SafeLoader.construct_yaml_int,
    "tag:yaml.org,2002:float": yaml.SafeLoader.construct_yaml_float,
    "tag:yaml.org,2002:bool": yaml.SafeLoader.construct_yaml_bool,
    "tag:yaml.org,2002:null": yaml.SafeLoader.construct_yaml_null,
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_CONSTRUCTOR = yaml.SafeLoader("")  # only its scalar methods are used


class LoadError(Exception):
    """A file that cannot be read as a dossier; ``finding`` says where and why, in Chinese."""

    def __init__(self, finding: Finding):
        super().__init__(finding.message)
        self.finding = finding


class Document:
    """A loaded YAML file: its data, and where each part of it stands in the text.

    Positions are worked out only when something asks for them (a message that needs a
    line number): most dossiers are valid and never do, and positions cost three times the
    memory of the data. They come from ``text``, or from re-reading ``path``.

    A document sent to another process (pickled) arrives with its data still packed, and
    unpacks it when ``data`` is first read: the site build's main process holds 20,000
    dossiers packed (8 KB each, not 65 KB as Python objects) and only the worker writing a
    school's pages unpacks that school.
    """

    __slots__ = ("file", "_data", "_packed", "text", "path", "_marks")

    def __init__(
        self, file: str, data: Any, text: str | None = None, path: Path | None = None
    ) -> None:
        self.file = file
        self._data = data
        self._packed: bytes | None = None
        self.text = text
        self.path = path
        self._marks: tuple[dict, dict, dict] | None = None

    @property
    def data(self) -> Any:
        if self._packed is not None:
            self._data = pickle.loads(self._packed)
            self._packed = None
        return self._data

    def unpacked(self) -> Any:
        """The data, as :attr:`data` gives it, without keeping it unpacked here: for a step
        that reads each of many documents once (a site build writing 20,000 schools' pages
        and workbooks), so that it holds one school's data at a time, not all it has read."""
        if self._packed is not None:
            return pickle.loads(self._packed)
        return self._data

    def __reduce__(self) -> tuple:
        return (unpack, (self.file, self.packed(), self.text, self.path))

    def packed(self) -> bytes:
        """The data pickled, as other processes and the store (:mod:`generator.core.store`)
        receive it."""
        if self._packed is not None:
            return self._packed
        return pickle.dumps(self._data, pickle.HIGHEST_PROTOCOL)

    def __repr__(self) -> str:
        return f"Document(file={self.file!r})"

    def _source(self) -> str | None:
        if self.text is not None:
            return self.text
        if self.path is not None:
            try:
                return read_text(self.path, self.file)
            except LoadError:  # gone or changed since it was loaded: no positions
                return None
        return None

    def _tracked(self) -> tuple[dict, dict, dict]:
        if self._marks is None:
            text = self._source()
            if text is None:
                self._marks = ({}, {}, {})
            else:
                builder = _Builder(self.file, track=True)
                try:
                    _check_depth(text, self.file)
                    root = yaml.compose(text, Loader=_Loader)
                    if root is not None:  # emptied since it was loaded: no positions
                        builder.build(root, (), 0)
                except (yaml.YAMLError, LoadError, _Alias):
                    pass
                self._marks = (builder.positions, builder.key_positions, builder.raw)
        return self._marks

    @property
    def positions(self) -> dict[Path_, tuple[int, int]]:
        """Line and column (1-based) of each value, by its path of keys and indices."""
        return self._tracked()[0]

    @property
    def key_positions(self) -> dict[Path_, tuple[int, int]]:
        """Line and column of each mapping key, by the path of its value."""
        return self._tracked()[1]

    @property
    def raw(self) -> dict[Path_, str]:
        """The source text of plain scalars that YAML turned into something other than text
        (``no`` → false, ``17:20`` → 1040): messages quote it and say to add quotes."""
        return self._tracked()[2]

    def locate(self, path: Iterable, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the value at ``path``, or of its nearest ancestor.

        With ``key=True`` the position of the mapping key is preferred (where a reader
        looks for a misspelt or unexpected field).
        """
        p = tuple(path)
        if self._marks is None and not key:  # one place asked for: no need to map them all
            if self.text is None:  # read once: a school with many findings asks many times
                self.text = self._source()
            text = self.text
            at = _seek(text, p) if text is not None else None
            if at is not None:
                return at
        if key and p in self.key_positions:
            return self.key_positions[p]
        positions = self.positions
        while p not in positions and p:
            p = p[:-1]
        return positions.get(p, (1, 1))


def content_key(data: bytes, parts: tuple[str, ...] | None) -> str:
    """The key of a file's bytes at its place in the tree (its folder and name under the
    records folder; None outside it)."""
    return hashlib.sha256(data).hexdigest() + "/" + "/".join(parts or ("?",))


def unpack(file: str, packed: bytes, text: str | None, path: Path | None) -> Document:
    """A document whose data is still :meth:`Document.packed`."""
    doc = Document(file, None, text, path)
    doc._packed = packed
    return doc


_NESTED = (yaml.MappingStartEvent, yaml.SequenceStartEvent)
_CLOSE = (yaml.MappingEndEvent, yaml.SequenceEndEvent)


def _seek(text: str, path: tuple) -> tuple[int, int] | None:
    """Where the value at ``path`` (or its nearest ancestor) stands, from the parser's events,
    read only as far as that value: a rule finding needs one line, not the position of every
    value, which costs a fraction of composing its node tree."""

    def skip(event: yaml.Event) -> None:  # past the rest of a value that is not on the way
        depth = isinstance(event, _NESTED)
        while depth:
            event = next(events)
            depth += isinstance(event, _NESTED) - isinstance(event, _CLOSE)

    try:
        events = yaml.parse(text, Loader=_Loader)
        for _ in range(3):  # the stream, the document, the root value
            node = next(events)
        for step in path:
            if isinstance(node, yaml.MappingStartEvent):
                while not isinstance(key := next(events), yaml.MappingEndEvent):
                    value = next(events)
                    if isinstance(key, yaml.ScalarEvent) and key.value == step:
                        break
                    skip(key)
                    skip(value)
                else:
                    break
            elif isinstance(node, yaml.SequenceStartEvent) and isinstance(step, int):
                for _ in range(step):
                    if isinstance(item := next(events), yaml.SequenceEndEvent):
                        break
                    skip(item)
                else:
                    if not isinstance(value := next(events), yaml.SequenceEndEvent):
                        node = value
                        continue
                break
            else:
                break
            node = value
    except (StopIteration, yaml.YAMLError):
        return None
    mark = node.start_mark
    return mark.line + 1, mark.column + 1


def _error(file: str, message: str, code: str, line: int = 1, column: int = 1) -> LoadError:
    return LoadError(Finding(file=file, line=line, column=column, message=message, code=code))


def read_text(path: Path, file: str, max_bytes: int = MAX_BYTES) -> str:
    """The file's text: UTF-8, with or without BOM, at most ``max_bytes``."""
    try:
        if path.is_symlink():  # never followed: it could lead out of records/ into the site
            raise _error(
                file,
                "这是一个符号链接,不是普通文件:档案不能链接到别处,请换成文件本身",
                "file.symlink",
            )
        size = path.stat().st_size
        if size > max_bytes:
            raise _error(
                file,
                f"文件大小 {size / 1_000_000:.1f} MB,超过上限 {max_bytes / 1_000_000:.1f} MB;"
                "一所学校的档案不应这么大,请检查是否误粘贴了其他内容",
                "file.too-large",
            )
        with open(os.open(path, os.O_RDONLY | os.O_NOFOLLOW), "rb") as fh:  # linked meanwhile
            # As much as the file holds (asking for the whole limit allocates it each time),
            # and one byte more to notice a file that grew since we looked.
            data = fh.read(size + 1)
            if len(data) > size:
                data += fh.read(max_bytes + 1 - len(data))
    except OSError as exc:
        raise _error(file, f"无法读取文件:{exc.strerror or exc}", "file.unreadable") from None
    if len(data) > max_bytes:  # grew while we looked
        raise _error(file, f"文件超过上限 {max_bytes / 1_000_000:.1f} MB", "file.too-large")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _error(file, "文件是 UTF-16 编码,请另存为 UTF-8 编码", "file.encoding")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = data[: exc.start]
        line = before.count(b"\n") + 1
        column = len(before) - (before.rfind(b"\n") + 1) + 1
        raise _error(
            file,
            f"文件不是 UTF-8 编码(第 {exc.start + 1} 字节无法识别;可能是 GBK),请另存为 UTF-8 编码",
            "file.encoding",
            line,
            column,
        ) from None
    return text


# PyYAML's problems, in words a teacher can act on.
_PROBLEMS = [
    (r"mapping values are not allowed", "这里不能出现“键: 值”:可能是缩进不对,或者文字中含有冒号(请给整段文字加引号)"),
    (r"could not find expected ':'", "缺少冒号“:”,或者上一行的引号没有闭合"),
    (r"expected <block end>, but found", "缩进不一致:同一层的字段应左对齐"),
    (r"did not find expected key", "缩进不一致或缺少冒号:同一层的字段应左对齐"),
    (r"did not find expected '-' indicator", "列表缩进不一致:同一列表的每一项应以对齐的“- ”开头"),
    (r"found unexpected end of stream", "文件意外结束:可能有引号或括号没有闭合"),
    (r"found unknown escape character", "双引号文字中有无法识别的反斜杠转义,请改用单引号"),
    (r"expected a single document", "一个文件只能包含一份档案(不要使用第二个“---”)"),
    (r"found undefined alias", "不支持 YAML 别名(*名称),请直接写出内容"),
    (r"special characters are not allowed", "文件中含有不可见的控制字符,请删除"),
    (r"found unexpected ':'", "冒号位置不对,含冒号的文字请加引号"),
    (r"found character .*that cannot start any token", "这里的字符(如 @ 或 `)不能作为值的开头,请给整段文字加引号"),
    (r"did not find expected ',' or", "方括号或花括号没有闭合,或者列表项之间缺少逗号"),
    (r"while scanning a quoted scalar", "引号没有闭合"),
    (r"while scanning an anchor|while scanning an alias", "“&”或“*”开头的值会被当作 YAML 锚点或别名,请给文字加引号"),
]


# A value that opens a quote it does not close on the same line. YAML allows quoted text to
# run over lines, but in a dossier that is nearly always a missing closing quote, and the
# parser only notices many lines later.
_OPEN_QUOTE = re.compile(r"""^(\s*(?:-\s+)?(?:[^\s#'"][^#]*?:\s+)?)(?:"(?:[^"\\]|\\.)*|'(?:[^']|'')*)$""")


def _unclosed_quote(lines: list[str]) -> tuple[int, int] | None:
    """Line and column of the first quote left open at the end of its line, if any."""
    for number, line in enumerate(lines, 1):
        m = _OPEN_QUOTE.match(line.rstrip("\r"))
        if m:
            return number, len(m.group(1)) + 1
    return None


def _syntax_error(file: str, text: str, exc: yaml.MarkedYAMLError) -> LoadError:
    mark = exc.problem_mark or exc.context_mark
    problem = exc.problem or ""
    context = exc.context or ""
    lines = text.splitlines()
    if mark and mark.line < len(lines) and "\t" in lines[mark.line][: mark.column + 1]:
        return _error(file, "YAML 格式错误:不能用 Tab 键缩进,请改用空格", "yaml.tab", mark.line + 1, mark.column + 1)
    opened = _unclosed_quote(lines[: (mark.line + 1) if mark else len(lines)])
    if opened is not None and opened[0] < (mark.line + 1 if mark else len(lines) + 1):
        return _error(file, "YAML 格式错误:引号没有闭合", "yaml.syntax", *opened)
    for pattern, chinese in _PROBLEMS:
        if re.search(pattern, problem) or re.search(pattern, context):
            message = f"YAML 格式错误:{chinese}"
            break
    else:
        message = f"YAML 格式错误:{problem or context}"
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return _error(file, message, "yaml.syntax", line, column)


COMPOSER_SAFE = 10_000
"""Nesting the C composer survives. It recurses once a level and, past some 20,000 levels
(``[[[…`` or ``- - - …``: 40 KB, well under :data:`MAX_BYTES`), overflows the C stack and
kills the process, with no exception to catch."""


def _check_depth(text: str, file: str) -> None:
    """Refuse nesting past :data:`MAX_DEPTH` before composing a text that could crash the
    composer, from the parser's events (the parser does not recurse). Each level of nesting
    takes one of ``[{-?`` or a line of deeper indentation, so most texts need no look.

    libyaml 0.2.5 as bundled since PyYAML 6.0.4 stops at 1,000 levels with its own error,
    raised before it yields the first event (its scanner reads ahead over flow brackets).
    When the fast parser fails, the text is walked again with the pure-Python parser, which
    yields events as it goes and has no limit of its own, so the refusal names the place
    where level 65 opens whichever PyYAML 6.0.x is installed."""
    if len(text) < COMPOSER_SAFE or sum(map(text.count, "[{-?")) < COMPOSER_SAFE:
        return
    try:
        _walk_depth(yaml.parse(text, Loader=_Loader), file)
    except yaml.YAMLError:
        try:
            _walk_depth(yaml.parse(text, Loader=yaml.SafeLoader), file)
        except yaml.YAMLError:
            return  # composing it reports the error, in words a teacher can act on


def _walk_depth(events: Iterator[yaml.Event], file: str) -> None:
    depth = 0
    for event in events:
        if isinstance(event, _NESTED):
            depth += 1
            if depth > MAX_DEPTH:
                mark = event.start_mark
                raise _error(file, _TOO_DEEP, "yaml.too-deep", mark.line + 1, mark.column + 1)
        elif isinstance(event, _CLOSE):
            depth -= 1


def parse(text: str, file: str) -> Document:
    """Parse YAML text into a :class:`Document`; raise :class:`LoadError` on bad input."""
    _check_depth(text, file)
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        raise _syntax_error(file, text, exc) from None
    except yaml.reader.ReaderError as exc:
        before = text[: exc.position]
        if _BaseLoader is not yaml.SafeLoader:  # libyaml counts bytes of UTF-8, not characters
            before = text.encode("utf-8")[: exc.position].decode("utf-8", "ignore")
        line, column = before.count("\n") + 1, len(before) - (before.rfind("\n") + 1) + 1
        raise _error(file, f"文件中含有不可见的控制字符(#x{exc.character:04x}),请删除", "yaml.control-char", line, column) from None
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise _error(file, f"YAML 格式错误:{exc}", "yaml.syntax") from None
    if root is None:
        raise _error(file, "文件是空的:一份档案至少要有 schema_version 和 profile 等字段", "yaml.empty")
    try:
        try:
            data = _Builder(file).build(root, (), 0)
        except _Duplicate:  # say where the key first stood: build again, keeping positions
            _Builder(file, track=True).build(root, (), 0)
            raise AssertionError("a duplicate key found once is found again") from None
    except _Alias:
        event = next(e for e in yaml.parse(text, Loader=_Loader) if isinstance(e, yaml.AliasEvent))
        mark = event.start_mark
        raise _error(
            file,
            f"不支持 YAML 锚点和别名(& 和 *),请把内容直接写出来(这里用了别名 *{event.anchor})",
            "yaml.alias",
            mark.line + 1,
            mark.column + 1,
        ) from None
    return Document(file=file, data=data, text=text)


def load(path: Path, file: str | None = None, max_bytes: int = MAX_BYTES) -> Document:
    """Load one YAML file. ``file`` is the name used in findings (default: ``path``)."""
    name = file if file is not None else str(path)
    doc = parse(read_text(path, name, max_bytes), name)
    doc.text, doc.path = None, path  # positions, if ever needed, come from the file again
    return doc


_intern = sys.intern  # field names repeat in every dossier: one string each saves memory


class _Alias(Exception):
    """A node met twice: :func:`parse` finds where the alias stands and reports it."""


class _Duplicate(Exception):
    """A key met twice in one mapping, found while positions were not being kept."""


class _Builder:
    """Builds plain data from a node tree; with ``track`` it also records positions."""

    def __init__(self, file: str, track: bool = False):
        self.file = file
        self.track = track
        self.positions: dict[Path_, tuple[int, int]] = {}
        self.key_positions: dict[Path_, tuple[int, int]] = {}
        self.raw: dict[Path_, str] = {}
        self.seen: set[int] = set()

    def fail(self, node: yaml.Node, message: str, code: str) -> LoadError:
        return _error(self.file, message, code, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path_, depth: int) -> Any:
        # The composer hands an alias back as the very node it names: a node met twice is an
        # alias. Refusing them keeps "billion laughs" out and every value at one place.
        seen = self.seen
        before = len(seen)
        seen.add(id(node))
        if len(seen) == before:
            raise _Alias
        if depth > MAX_DEPTH:
            raise self.fail(node, _TOO_DEEP, "yaml.too-deep")
        track = self.track
        if track:
            mark = node.start_mark
            self.positions[path] = (mark.line + 1, mark.column + 1)
        tag = node.tag
        if tag == _STR and type(node) is yaml.ScalarNode:  # most values: plain text
            return self.text(node)
        if isinstance(node, yaml.ScalarNode):
            return self.scalar(node, path)
        depth += 1
        if isinstance(node, yaml.SequenceNode):
            if tag != _SEQ:
                raise self.fail(node, f"不支持的 YAML 标签 {tag}", "yaml.tag")
            if not track:
                return [self.build(item, path, depth) for item in node.value]
            return [self.build(item, path + (i,), depth) for i, item in enumerate(node.value)]
        if tag != _MAP:
            raise self.fail(node, f"不支持的 YAML 标签 {tag}", "yaml.tag")
        result: dict[str, Any] = {}
        key_positions = self.key_positions
        for key_node, value_node in node.value:
            if key_node.tag == _STR and type(key_node) is yaml.ScalarNode:  # a plain key
                key = _intern(key_node.value)
            else:
                key = self.key(key_node)
            if not track:
                if key in result:
                    raise _Duplicate
                result[key] = self.build(value_node, path, depth)
                continue
            here = path + (key,)
            first = key_positions.get(here)
            if first is not None:
                raise self.fail(
                    key_node,
                    f"字段“{key}”重复出现(第 {first[0]} 行已有),请合并或删除其中一个",
                    "yaml.duplicate-key",
                )
            kmark = key_node.start_mark
            key_positions[here] = (kmark.line + 1, kmark.column + 1)
            result[key] = self.build(value_node, here, depth)
        return result

    def key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise self.fail(node, "字段名必须是简单文字", "yaml.key")
        if node.tag == "tag:yaml.org,2002:merge":
            raise self.fail(node, "不支持 YAML 合并键(<<),请把内容直接写出来", "yaml.merge")
        if node.tag != _STR:
            hint = f"“{node.value}”被 YAML 当作{_KIND.get(node.tag, '非文字')},请加引号:'{node.value}'"
            raise self.fail(node, f"字段名必须是文字:{hint}", "yaml.key")
        return _intern(node.value)

    def text(self, node: yaml.ScalarNode) -> str:
        """Text as typed, NFC-normalised; no control characters, not only blanks."""
        value = node.value
        if _SUSPECT_TEXT.search(value):
            bad = _CONTROL.search(value)
            if bad:
                code = f"U+{ord(bad.group()):04X}"
                message = f"文字中含有不可见的控制字符({code}),请删除"
                raise self.fail(node, message, "yaml.control-char")
            raise self.fail(node, "文字只有空白,请填写内容,或删除这个字段", "yaml.blank")
        if not value.isascii() and not unicodedata.is_normalized("NFC", value):
            return unicodedata.normalize("NFC", value)
        return value

    def scalar(self, node: yaml.ScalarNode, path: Path_) -> Any:
        tag = node.tag
        if tag == _STR:  # most values: what construct_yaml_str would return
            return self.text(node)
        construct = _SCALARS.get(tag)
        if construct is None:
            raise self.fail(node, f"不支持的 YAML 标签 {tag},请去掉“!”开头的标记", "yaml.tag")
        if tag in _PLAIN_NUMBER and not _PLAIN_NUMBER[tag].match(node.value):
            if tag == _FLOAT and node.value.lstrip("+-").lower() in (".inf", ".nan"):
                raise self.fail(node, f"“{node.value}”不是有限的数字,请填写实际数值", "yaml.number")
            # YAML 1.1 reads 0777 as 511, 1_000 as 1000, 17:20 as 1040; YAML 1.2 does not
            # agree. Kept as the text typed: a time stays "17:20", a number field refuses it.
            if self.track:
                self.raw[path] = node.value
            return self.text(node)
        try:
            value = construct(_CONSTRUCTOR, node)
        except (ValueError, yaml.YAMLError):
            raise self.fail(node, f"无法识别的值“{node.value}”", "yaml.value") from None
        if (tag == _FLOAT and not math.isfinite(value)) or (
            type(value) is int and abs(value) > MAX_INTEGER
        ):
            raise self.fail(node, f"“{node.value}”超出了数字的范围,请填写实际数值", "yaml.number")
        if self.track and not node.style:
            self.raw[path] = node.value
        return value


MAX_INTEGER = 2**53 - 1
"""The largest whole number a spreadsheet cell or JavaScript (the API's readers) holds exactly."""
_FLOAT = "tag:yaml.org,2002:float"
_PLAIN_NUMBER = {  # numbers every YAML version reads the same way
    "tag:yaml.org,2002:int": re.compile(r"[-+]?(0|[1-9][0-9]*)\Z"),
    _FLOAT: re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?\Z"),
}
AMBIGUOUS_NUMBER = "不同版本的 YAML 对它读法不同,请写成普通的十进制数字(如 777,不写 0777、1_000)"
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff\u2028\u2029]")
_SUSPECT_TEXT = re.compile(_CONTROL.pattern + r"|\A\s+\Z")  # one search for the common case


def quote(raw: str) -> str:
    """``raw`` in YAML quotes, as a hint to write it as text."""
    return f'"{raw}"' if "'" in raw else f"'{raw}'"


_KIND = {
    "tag:yaml.org,2002:bool": "是/否(布尔值)",
    "tag:yaml.org,2002:int": "数字",
    "tag:yaml.org,2002:float": "数字",
    "tag:yaml.org,2002:null": "空值",
}


# ---------------------------------------------------------------------------------------------
# Finding the files


class UsageError(Exception):
    """A path that does not exist or is not a YAML file: a usage error (exit 2)."""


def discover(paths: Iterable[Path]) -> list[Path]:
    """YAML files named by ``paths`` (files, or folders searched recursively), sorted, unique.

    Hidden folders (``.git``) are skipped; a named file must end in .yaml or .yml.
    """
    found: set[Path] = set()
    for p in paths:
        if p.is_dir():
            for f in p.rglob("*"):
                rel = f.relative_to(p).parts
                if f.suffix in (".yaml", ".yml") and f.is_file() and not any(
                    part.startswith(".") for part in rel
                ):
                    found.add(f)
        elif p.is_file():
            if p.suffix not in (".yaml", ".yml"):
                raise UsageError(f"{p}: 不是 YAML 文件(应以 .yaml 结尾)")
            found.add(p)
        else:
            raise UsageError(f"{p}: 文件或文件夹不存在")
    return sorted(found)
