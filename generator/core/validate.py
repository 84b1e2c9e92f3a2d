"""Validate dossiers: the schema first, then checks inside each record and across the tree.

:func:`validate_document` checks one loaded file against its schema: the compiled fast
validator says yes for most files; only a file that fails is validated again by the full
validator, whose errors become Chinese findings placed at the right line.

:func:`check_dossier` checks what a schema cannot: ids unique inside each list, references
between lists, dates in order and not in the future.

:func:`validate_tree` runs both over ``records/<district>/<school-id>.yaml`` and adds the
checks across files: school ids unique, file and folder names matching the record, every
district folder described by its ``_district.yaml``.
"""

from __future__ import annotations

import ast
import contextlib
import datetime
import difflib
import gc
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache, partial
from pathlib import Path
from typing import Any, NamedTuple

import fastjsonschema
import jsonschema

from generator.core import schema, workers
from generator.core.findings import FileCount, Finding, pointer
from generator.core.load import (
    AMBIGUOUS_NUMBER,
    MAX_BYTES,
    Document,
    LoadError,
    content_key,
    discover,
    load,
    unpack,
)
from generator.core.load import quote as _quote

DISTRICT_FILE = "_district.yaml"
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*\Z")
"""File and folder names under records/: the schema's id pattern."""


# ---------------------------------------------------------------------------------------------
# The schema


def validate_document(doc: Document, kind: str = "dossier") -> list[Finding]:
    """Schema findings for one loaded file (``kind``: ``dossier`` or ``district``)."""
    try:
        schema.fast_validator(kind)(doc.data)
    except fastjsonschema.JsonSchemaException:
        return schema_findings(doc, kind)
    return []


def schema_findings(doc: Document, kind: str = "dossier") -> list[Finding]:
    """Every schema error of ``doc``, in Chinese (the slow path, for files that failed)."""
    errors = list(schema.full_validator(kind).iter_errors(doc.data))
    # A value of the wrong type also fails its enum, pattern…: the type error says it all.
    mistyped = {tuple(e.absolute_path) for e in errors if e.validator == "type"}
    # A field both always required and required by a condition: say it once, plainly.
    errors.sort(key=lambda e: "then" in e.absolute_schema_path)
    found: dict[tuple, Finding] = {}
    for error in errors:
        if error.validator != "type" and tuple(error.absolute_path) in mistyped:
            continue
        for finding in _explain(doc, error, kind):
            found.setdefault((finding.path, finding.code), finding)
    return sorted(found.values(), key=Finding.sort_key)


_KINDS = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否(true 或 false)",
    "object": "一组字段",
    "array": "列表(每项以“- ”开头)",
    "null": "空值",
}


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return f"是/否值 {'true' if value else 'false'}"
    if isinstance(value, int):
        return f"整数 {value}"
    if isinstance(value, float):
        return f"数字 {value:g}"
    if isinstance(value, str):
        return f"文字“{_short(value)}”"
    if isinstance(value, list):
        return "列表"
    if isinstance(value, dict):
        return "一组字段"
    return "空值"


def _short(text: str, limit: int = 30) -> str:
    text = text.replace("\n", "⏎")
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _show(value: Any) -> str:
    """A value as a teacher wrote it: 是/否 for booleans, text in Chinese quotes."""
    if isinstance(value, bool):
        return "“是”" if value else "“否”"
    if isinstance(value, str):
        return f"“{value}”"
    return str(value)


def _one_of(values: Iterable[Any], conjunction: str = "或") -> str:
    shown = [_show(v) for v in values]
    return shown[0] if len(shown) == 1 else "、".join(shown[:-1]) + conjunction + shown[-1]


def _yaml_hint(value: Any, raw: str) -> str:
    """What YAML made of an unquoted scalar that was meant as text."""
    if isinstance(value, bool):
        made = f"当作{_show(value)}(布尔值)"
    elif value is None:
        made = "当作空值"
    else:
        made = f"当作数字({value})"
    return f"“{raw}”被 YAML {made},如果是文字请加引号:{_quote(raw)}"


def _explain(doc: Document, e: jsonschema.ValidationError, kind: str) -> Iterator[Finding]:
    """The findings for one jsonschema error."""
    path = tuple(e.absolute_path)
    value = e.instance
    keyword = e.validator
    code = f"schema.{keyword}"
    here = schema.place(path, kind)

    def finding(
        message: str, at: tuple = path, key: bool = False, near: tuple | None = None
    ) -> Finding:
        line, column = doc.locate(at if near is None else near, key=key)
        return Finding(
            file=doc.file,
            line=line,
            column=column,
            path=pointer(at),
            place=here,
            message=message,
            code=code,
        )

    if keyword == "required":
        missing = _missing_property(e)
        node = schema.at(path, kind)
        name = f"“{schema.title(node, missing)}”({missing})"
        condition = _condition(e, node, kind)
        if condition:
            message = f"{condition}时必须填写{name}"
        else:
            message = f"缺少必填字段{name}"
        # the missing field has no line: point at its parent (its key, if it has one)
        yield finding(message, at=path + (missing,), key=True, near=path)
        return
    if keyword == "additionalProperties":
        known = list(e.schema.get("properties", {}))
        for extra in (k for k in value if k not in known):
            yield finding(_unknown_field(extra, e.schema), at=path + (extra,), key=True)
        return
    if keyword == "type":
        expected = e.validator_value if isinstance(e.validator_value, list) else [e.validator_value]
        raw = doc.raw.get(path)
        allowed = (schema.at(path, kind) or {}).get("enum")
        if value is None and raw == "":
            yield finding("没有填写内容:请填写,或者删除这一行", key=True)
        elif "string" in expected and raw is not None and allowed and raw not in allowed:
            yield finding(f"“{raw}”不是可选的值,应为以下之一:{_one_of(allowed)}")
        elif "string" in expected and raw is not None:
            yield finding(_yaml_hint(value, raw))
        else:
            wanted = "或".join(_KINDS.get(t, t) for t in expected)
            message = f"应为{wanted},而这里是{_kind_of(value)}"
            if isinstance(value, str) and {"integer", "number"} & set(expected):
                if raw is not None:  # unquoted, yet text: a number YAML versions disagree on
                    message += f":{AMBIGUOUS_NUMBER}"
                elif re.fullmatch(r"\s*-?[0-9]+(\.[0-9]+)?\s*", value):
                    message += ":数字不要加引号"
            elif isinstance(value, str) and "boolean" in expected:
                message += ":是/否请写 true 或 false"
            yield finding(message)
        return
    if keyword == "enum":
        allowed = e.validator_value
        message = f"{_show(value)}不是可选的值,应为以下之一:{_one_of(allowed)}"
        if isinstance(value, str):
            close = difflib.get_close_matches(
                value, [a for a in allowed if isinstance(a, str)], 1, 0.5
            )
            if close:
                message += f"(是否应为“{close[0]}”?)"
        yield finding(message)
        return
    if keyword == "format":
        message = f"'{value}' 不是有效日期 (YYYY-MM-DD)"
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
            message += ":日历上没有这一天"
        else:
            message += ",例如 2026-03-01"
        yield finding(message)
        return
    if keyword == "pattern":
        rule = e.schema.get("description") or f"符合 {e.validator_value}"
        yield finding(f"{_show(value)}格式不对,应为:{rule}")
        return
    messages = {
        "minimum": lambda: f"不能小于 {e.validator_value}(现为 {value})",
        "maximum": lambda: f"不能大于 {e.validator_value}(现为 {value})",
        "minLength": lambda: "不能为空" if value == "" else f"至少要有 {e.validator_value} 个字",
        "maxLength": lambda: f"不能超过 {e.validator_value} 个字(现有 {len(value)} 个字)",
        "const": lambda: f"应为 {_show(e.validator_value)}(现为 {_show(value)})",
        "minItems": lambda: f"至少要有 {e.validator_value} 项",
    }
    explain = messages.get(keyword)
    yield finding(explain() if explain else f"不符合档案格式:{e.message}")


def _missing_property(e: jsonschema.ValidationError) -> str:
    """The property a ``required`` error is about (jsonschema says it in its message)."""
    quoted = e.message.removesuffix(" is a required property")
    try:
        name = ast.literal_eval(quoted)
    except (ValueError, SyntaxError):
        name = None
    if isinstance(name, str):
        return name
    return next(p for p in e.validator_value if p not in e.instance)


def _condition(e: jsonschema.ValidationError, node: dict | None, kind: str) -> str:
    """Why a field is required, when a failing ``if``/``then`` requires it: 状态为“已销号”."""
    where = list(e.absolute_schema_path)
    if "then" not in where:
        return ""
    holder = _schema_node(where[: len(where) - 1 - where[::-1].index("then")], kind)
    parts = []
    for key, test in holder.get("if", {}).get("properties", {}).items():
        values = [test["const"]] if "const" in test else test.get("enum")
        if values:
            parts.append(f"{schema.title(node, key)}为{_one_of(values)}")
    return "且".join(parts) or "按条件"


def _schema_node(schema_path: list, kind: str) -> dict:
    node: Any = schema.load_schema(kind)
    for part in schema_path:
        if part == "$ref":
            continue
        if isinstance(node, dict) and part not in node and "$ref" in node:
            node = schema.resolve(node, kind)
        node = node[part]
    return node


def _unknown_field(key: str, holder: dict) -> str:
    """“未知字段” with the likely intended field, or the list of fields allowed here."""
    properties = holder.get("properties", {})
    by_title = {sub.get("title"): name for name, sub in properties.items() if sub.get("title")}
    if key in by_title:
        return f"未知字段“{key}”:字段名请用英文,“{key}”应写作 {by_title[key]}"
    close = difflib.get_close_matches(key, list(by_title), 1, 0.5)
    if close and not key.isascii():
        return f"未知字段“{key}”:字段名请用英文,是否应为 {by_title[close[0]]}({close[0]})?"
    close = difflib.get_close_matches(key, list(properties), 1, 0.6)
    if close:
        name = close[0]
        return (
            f"未知字段“{key}”:可能拼写错误,是否应为 {name}({properties[name].get('title', name)})?"
        )
    return f"未知字段“{key}”:可能拼写错误或放错了位置;这里可用的字段有 {'、'.join(properties)}"


# ---------------------------------------------------------------------------------------------
# Inside one dossier


def check_document(
    doc: Document, kind: str = "dossier", today: datetime.date | None = None
) -> list[Finding]:
    """Is one loaded document valid? Its schema findings, then (a dossier that passes the
    schema) the checks inside it that the schema cannot express. The one answer to that
    question, for a tree (:func:`validate_tree`) and for a single file alike."""
    found = validate_document(doc, kind)
    if found or kind != "dossier":
        return found
    return check_dossier(doc, today)


def check_dossier(doc: Document, today: datetime.date | None = None) -> list[Finding]:
    """Checks inside one schema-valid dossier that the schema cannot express."""
    today = today or datetime.date.today()
    data = doc.data
    out: list[Finding] = []

    def add(path: tuple, message: str, code: str) -> None:
        line, column = doc.locate(path)
        out.append(
            Finding(
                file=doc.file,
                line=line,
                column=column,
                path=pointer(path),
                place=schema.place(path),
                message=message,
                code=code,
            )
        )

    for path, key in marked("x-unique"):  # a list whose items' ``key`` must differ
        for at, items in _walk(data, _pattern_tree((path,)), ()):
            first: dict[str, int] = {}
            for i, item in enumerate(items):
                if item[key] in first:
                    j = first[item[key]]
                    line = doc.locate((*at, j, key))[0]
                    add(
                        (*at, i, key),
                        f"编号“{item[key]}”与第{j + 1}项(第 {line} 行)重复:同一清单内编号必须唯一",
                        "record.duplicate-id",
                    )
                else:
                    first[item[key]] = i

    for path, section in marked("x-refers-to"):  # an id of an item of a top-level list
        ids = {item["id"] for item in data.get(section, [])}
        for at, value in _walk(data, _pattern_tree((path,)), ()):
            if value not in ids:
                add(at, f"编号“{value}”在{schema.place((section,))}中不存在", "record.reference")

    for path, earlier in marked("x-not-before"):  # a date not before its siblings'
        for at, value in _walk(data, _pattern_tree((path,)), ()):
            item = _get(data, at[:-1])
            before = next((k for k in earlier if k in item and value < item[k]), None)
            if before is not None:
                node = schema.at(at[:-1])
                add(
                    at,
                    f"{schema.title(node, at[-1])} {value} 早于{schema.title(node, before)} "
                    f"{item[before]}",
                    "record.date-order",
                )

    for path, bound in marked("x-at-most"):  # a number not above its sibling's
        for at, value in _walk(data, _pattern_tree((path,)), ()):
            item = _get(data, at[:-1])
            if bound in item and value > item[bound]:
                node = schema.at(at[:-1])
                add(
                    at,
                    f"{schema.title(node, at[-1])} {value} 大于{schema.title(node, bound)} "
                    f"{item[bound]}",
                    "record.more-than",
                )

    for path, value in _walk(data, _pattern_tree(date_fields()), ()):
        year = int(value[:4])
        if year < EARLIEST_YEAR or year > LATEST_YEAR:
            add(
                path,
                f"日期 {value} 不在 {EARLIEST_YEAR}—{LATEST_YEAR} 年之间,请检查是否填错",
                "record.date-range",
            )
    for path, value in _walk(data, _pattern_tree(past_fields()), ()):
        if value > today.isoformat():
            name = schema.at(path)["title"]
            add(path, f"{name} {value} 不能晚于今天({today.isoformat()})", "record.date-future")
    return out


@cache
def date_fields(kind: str = "dossier") -> tuple[tuple, ...]:
    """Paths (``*`` for any list index) of every ``format: date`` field in the schema."""
    return tuple(path for path, value in marked("format", kind) if value == "date")


@cache
def past_fields(kind: str = "dossier") -> tuple[tuple, ...]:
    """Paths of the dates of events that have happened (``x-past``): not after today."""
    return tuple(path for path, _ in marked("x-past", kind))


@cache
def marked(keyword: str, kind: str = "dossier") -> tuple[tuple[tuple, Any], ...]:
    """(path, value) of every place in the schema that carries ``keyword``, paths with ``*``
    for any list index. What the schema declares about a field beyond its own value —
    ``x-unique`` (a list's item key), ``x-refers-to`` (a list its value names),
    ``x-not-before`` (sibling dates), ``x-at-most`` (a sibling number), ``x-past`` (an event
    that has happened) — is read
    from here, so a new section declares its checks where its fields are."""
    found: list[tuple[tuple, Any]] = []

    def walk(node: dict, path: tuple) -> None:
        if keyword in node:
            found.append((path, node[keyword]))
        for key in node.get("properties", {}):
            walk(schema.child(node, key, kind), path + (key,))
        if isinstance(node.get("items"), dict):
            walk(schema.child(node, 0, kind), path + ("*",))

    walk(schema.resolve(schema.load_schema(kind), kind), ())
    return tuple(found)


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


@cache
def _pattern_tree(patterns: tuple[tuple, ...]) -> dict:
    """Paths as a tree (``{"hazards": {"*": {"found": {None: True}}}}``), walked in one pass."""
    tree: dict = {}
    for pattern in patterns:
        node = tree
        for part in pattern:
            node = node.setdefault(part, {})
        node[None] = True
    return tree


def _walk(data: Any, tree: dict, path: tuple) -> Iterator[tuple[tuple, Any]]:
    """(path, value) for every value of ``data`` at the end of a path in ``tree``."""
    if None in tree:
        yield path, data
    if isinstance(data, dict):
        for key, sub in tree.items():
            if key in data:
                yield from _walk(data[key], sub, path + (key,))
    elif isinstance(data, list) and "*" in tree:
        sub = tree["*"]
        for i, item in enumerate(data):
            yield from _walk(item, sub, path + (i,))


# ---------------------------------------------------------------------------------------------
# The tree: records/<district>/<school-id>.yaml


@dataclass
class Records:
    """What :func:`validate_tree` found: the valid records, and every finding."""

    root: Path
    districts: dict[str, Document] = field(default_factory=dict)
    schools: list[Document] = field(default_factory=list)
    """Dossiers without errors, sorted by file."""
    findings: list[Finding] = field(default_factory=list)
    files_checked: int = 0
    keys: dict[str, str] = field(default_factory=dict)
    """Each valid school's content key (:func:`generator.core.load.content_key`), by file,
    when a store was used."""

    @property
    def ok(self) -> bool:
        return not any(f.severity == "error" for f in self.findings)

    def district_of(self, doc: Document) -> str:
        """A valid school's district, without unpacking its data where its content key names
        its place: the folder of a school in the tree, checked equal to ``profile.district``."""
        place = self.keys.get(doc.file, "").split("/")[1:]
        return place[0] if len(place) == 2 else doc.data["profile"]["district"]


def validate_tree(
    root: Path,
    files: list[Path] | None = None,
    *,
    today: datetime.date | None = None,
    display: Callable[[Path], str] = str,
    max_bytes: int = MAX_BYTES,
    jobs: int | None = None,
    documents: bool = True,
    store: Any = None,
) -> Records:
    """Validate the records under ``root``, or only ``files`` (as pre-commit passes them).

    Checks across files still see the whole tree: a named school's id must not be the id
    (the file name) of any other school in the tree. Files outside ``root`` get the schema
    and the checks inside a record, not the tree's naming rules.

    ``documents=False`` leaves :attr:`Records.schools` empty, for a caller that wants only
    the findings (``xiaoan validate``). With many files, ``jobs`` processes (default: one per
    CPU) share the work of loading and checking them; ``jobs=1`` keeps it here. With a
    ``store`` (:class:`generator.core.store.Store`), a school's file found valid before, with
    the same bytes at the same place, is not checked again.
    """
    root = Path(root)
    today = today or datetime.date.today()
    tree = discover([root]) if root.is_dir() else []
    targets = tree if files is None else sorted(set(files))
    districts_named = sum(p.name == DISTRICT_FILE for p in targets)
    records = Records(root=root, files_checked=FileCount(len(targets), districts_named))
    findings = records.findings

    base = root.resolve()
    where: dict[Path, tuple[str, ...] | None] = {}  # each file's parts under root, or None
    in_tree = set(tree)
    for path in {*tree, *targets}:
        if path in in_tree:  # found under root: its place there, even if it links elsewhere
            where[path] = path.relative_to(root).parts
            continue
        try:
            where[path] = path.resolve().relative_to(base).parts
        except ValueError:
            where[path] = None
    named = {where[p] or p.resolve() for p in targets}

    # Districts: every folder's _district.yaml, reported when it is one of the targets.
    district_folders = {
        parts[0] for parts in map(where.get, tree) if len(parts) == 2 and parts[1] == DISTRICT_FILE
    }
    # A district file found valid before, with the same bytes at the same place, is not
    # checked again (with a store).
    district_files = sorted(p for p in where if p.name == DISTRICT_FILE)
    keys = {p: _key(p, where[p], max_bytes) for p in district_files} if store is not None else {}
    kept = store.documents([k for k in keys.values() if k], today) if keys else {}
    new = []
    for path in district_files:
        key = keys.get(path)
        if key in kept:
            problems, doc = [], unpack(display(path), kept[key][1], None, path)
        else:
            problems, doc = _check_district(path, where[path], display(path), max_bytes)
            if key and doc is not None and not problems:
                new.append((key, today, doc.data["id"], doc.packed()))
        if (where[path] or path.resolve()) in named:
            findings.extend(problems)
        if doc is not None and not problems:
            records.districts[doc.data["id"]] = doc
    if new:
        store.keep_documents(new)

    # Schools
    work = [(p, display(p), where[p]) for p in targets if p.name != DISTRICT_FILE]
    with _without_gc():
        if store is None:
            checked = _check_schools(work, district_folders, today, max_bytes, jobs, documents)
        else:
            checked = _check_stored(work, district_folders, today, max_bytes, jobs, store, records)
    for result in checked:
        findings.extend(result.findings)

    # School ids unique across the tree. A school not named is known by its file name (every
    # school's id equals its file name, checked whenever that file is validated).
    owners: dict[str, list[tuple[Path, _Checked | None]]] = {}
    for path in tree:
        parts = where[path]
        if len(parts) == 2 and parts[1] != DISTRICT_FILE and parts not in named:
            owners.setdefault(path.stem, []).append((path, None))
    for (path, _, parts), result in zip(work, checked, strict=True):
        if parts is not None and result.school_id is not None:
            owners.setdefault(result.school_id, []).append((path, result))
    duplicated: set[str] = set()
    for school_id, holders in owners.items():
        if len(holders) < 2:
            continue
        for path, result in holders:
            if result is None:
                continue
            others = "、".join(display(p) for p, _ in holders if p != path)
            file = display(path)
            # Rare, so the id's place is worked out only now, from the file.
            line, column = (result.doc or load(path, file)).locate(("profile", "id"))
            findings.append(
                Finding(
                    file=file,
                    line=line,
                    column=column,
                    path="/profile/id",
                    place=schema.place(("profile", "id")),
                    code="tree.duplicate-id",
                    message=f"学校编号“{school_id}”与 {others} 重复:全市学校编号必须唯一",
                )
            )
            duplicated.add(file)

    records.schools = [r.doc for r in checked if r.doc is not None and r.doc.file not in duplicated]
    records.findings.sort(key=Finding.sort_key)
    return records


class _Checked(NamedTuple):
    """What the tree needs to know about one school's file once it has been checked."""

    findings: list[Finding]
    doc: Document | None  # without findings, and only if documents are kept
    school_id: str | None  # without findings


def _check_schools(
    work: list[tuple[Path, str, tuple[str, ...] | None]],
    district_folders: set[str],
    today: datetime.date,
    max_bytes: int,
    jobs: int | None,
    documents: bool,
) -> list[_Checked]:
    """Each (path, file, parts) checked, in order: in forked workers when there are many
    (:func:`generator.core.workers.map_chunks`).

    Documents come back without positions (those are worked out from the file when a message
    needs one), so sending them costs little."""
    check = partial(
        _check_chunk,
        district_folders=district_folders,
        today=today,
        max_bytes=max_bytes,
        documents=documents,
    )
    if len(work) >= workers.PARALLEL_FROM:  # compiled before forking: every worker inherits them
        schema.fast_validator("dossier")
        schema.full_validator("dossier")
    return workers.map_chunks(check, work, jobs)


def _check_stored(
    work: list[tuple[Path, str, tuple[str, ...] | None]],
    district_folders: set[str],
    today: datetime.date,
    max_bytes: int,
    jobs: int | None,
    store: Any,
    records: Records,
) -> list[_Checked]:
    """:func:`_check_schools` for the files whose bytes the store has not seen valid at
    their place; the others come from the store. Notes each valid school's content key in
    :attr:`Records.keys`, for the evaluation's store."""
    keys = [_key(path, parts, max_bytes) for path, _, parts in work]
    kept = store.documents([k for k in keys if k], today)
    out: list[_Checked | None] = []
    missed = []
    for (path, file, parts), key in zip(work, keys, strict=True):
        hit = kept.get(key) if key else None
        if hit is None or (parts is not None and _check_place(file, parts, district_folders)):
            out.append(None)
            missed.append((path, file, parts))
        else:
            out.append(_Checked([], unpack(file, hit[1], None, path), hit[0]))
    fresh = iter(_check_schools(missed, district_folders, today, max_bytes, jobs, True))
    new = []
    for i, key in enumerate(keys):
        if out[i] is None:
            out[i] = result = next(fresh)
            if key and result.doc is not None and not result.findings:
                new.append((key, today, result.school_id, result.doc.packed()))
        if key and out[i].doc is not None:
            records.keys[out[i].doc.file] = key
    store.keep_documents(new)
    return out  # type: ignore[return-value]


def _key(path: Path, parts: tuple[str, ...] | None, max_bytes: int) -> str | None:
    """The store's key of a file (:func:`content_key`), None if it cannot be read or is too
    large (loading it says why)."""
    try:
        data = path.read_bytes() if path.stat().st_size <= max_bytes else None
    except OSError:
        data = None
    return None if data is None else content_key(data, parts)


def _check_chunk(
    work: list[tuple[Path, str, tuple[str, ...] | None]],
    district_folders: set[str],
    today: datetime.date,
    max_bytes: int,
    documents: bool,
) -> list[_Checked]:
    out = []
    with _without_gc():
        for path, file, parts in work:
            problems, doc = _check_school(path, file, parts, district_folders, today, max_bytes)
            if doc is None:
                out.append(_Checked(problems, None, None))
            else:
                out.append(_Checked(problems, doc if documents else None, doc.data["profile"]["id"]))
    return out


@contextlib.contextmanager
def _without_gc() -> Iterator[None]:
    """Loading builds many small objects and keeps them: the cyclic garbage collector would
    scan them again and again (half the time for 2,000 files). Nothing loaded forms a cycle,
    so reference counting frees all of it anyway; what was loaded is frozen (left out of all
    later collections) before the collector resumes, or its first collection would scan it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.freeze()
            gc.enable()


def _check_school(
    path: Path,
    file: str,
    parts: tuple[str, ...] | None,
    district_folders: set[str],
    today: datetime.date,
    max_bytes: int,
) -> tuple[list[Finding], Document | None]:
    """Everything about one school's file that needs no other file: its findings, and the
    document if it has none."""
    problems = _check_place(file, parts, district_folders) if parts is not None else []
    try:
        doc = load(path, file, max_bytes)
    except LoadError as exc:
        return problems + [exc.finding], None
    problems += validate_document(doc)
    if not problems:
        problems += check_dossier(doc, today)
        if parts is not None and len(parts) == 2:
            problems += _check_names(doc, parts)
    return problems, None if problems else doc


def _check_place(file: str, parts: tuple[str, ...], district_folders: set[str]) -> list[Finding]:
    """A school's file must be records/<district>/<school-id>.yaml, in lower-case ids."""

    def problem(message: str, code: str = "tree.path") -> list[Finding]:
        return [Finding(file=file, message=message, code=code)]

    if len(parts) != 2:
        return problem(
            "档案应放在 records/<区县编号>/<学校编号>.yaml:每个区县一个文件夹,不要再分子文件夹"
        )
    folder, name = parts
    if not name.endswith(".yaml"):
        return problem("文件扩展名应为 .yaml")
    stem = name[: -len(".yaml")]
    for what, text in (("区县文件夹名", folder), ("文件名", stem)):
        if not NAME.match(text):
            return problem(
                f"{what}“{text}”不合规:只能用小写字母、数字和连字符(不能有空格、大写字母、"
                "“..”、“/”或“\\”),例如 cg-shiyan-xiaoxue"
            )
    if folder not in district_folders:
        return problem(
            f"区县文件夹 {folder}/ 中没有 {DISTRICT_FILE}:请先建立区县信息文件", "tree.no-district"
        )
    return []


def _check_names(doc: Document, parts: tuple[str, ...]) -> list[Finding]:
    """The record's id and district must be its file name and folder."""
    folder, name = parts
    profile = doc.data["profile"]
    out = []
    for key, expected, what in (
        ("id", name.removesuffix(".yaml"), "文件名"),
        ("district", folder, "所在文件夹"),
    ):
        if profile[key] != expected:
            line, column = doc.locate(("profile", key))
            out.append(
                Finding(
                    file=doc.file,
                    line=line,
                    column=column,
                    path=f"/profile/{key}",
                    place=schema.place(("profile", key)),
                    code="tree.name-mismatch",
                    message=f"{schema.title(schema.at(('profile',)), key)}“{profile[key]}”"
                    f"与{what}“{expected}”不一致:两者必须相同",
                )
            )
    return out


def _check_district(
    path: Path, parts: tuple[str, ...] | None, file: str, max_bytes: int
) -> tuple[list[Finding], Document | None]:
    try:
        doc = load(path, file, max_bytes)
    except LoadError as exc:
        return [exc.finding], None
    problems = validate_document(doc, "district")
    if not problems and parts is not None:
        if len(parts) != 2:
            problems.append(
                Finding(
                    file=file,
                    code="tree.path",
                    message=f"{DISTRICT_FILE} 应放在 records/<区县编号>/ 文件夹中",
                )
            )
        elif doc.data["id"] != parts[0]:
            line, column = doc.locate(("id",))
            problems.append(
                Finding(
                    file=file,
                    line=line,
                    column=column,
                    path="/id",
                    place="区县编号",
                    code="tree.name-mismatch",
                    message=f"区县编号“{doc.data['id']}”与所在文件夹“{parts[0]}”不一致:两者必须相同",
                )
            )
    return problems, doc
