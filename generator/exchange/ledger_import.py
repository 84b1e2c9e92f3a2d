"""A school's 台账 workbook read back into a dossier (``xiaoan import xlsx``), with openpyxl
through defusedxml, within limits checked before anything is parsed.

* :func:`read_ledger` — the 台账 back into dossier data. Every bad cell becomes a
  :class:`~generator.core.findings.Finding` naming the sheet, row and column (Excel letters) in
  Chinese; they are all collected and raised together as :class:`LedgerError`.
* :func:`import_ledger` — read, validate the result with the project's validator (its
  findings mapped back to cells), and write the dossier YAML atomically; nothing is written
  unless the result validates.

The workbook layout is :mod:`generator.exchange.workbook`'s (the same tables).
"""

from __future__ import annotations

import datetime
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from xlsxwriter.utility import xl_col_to_name

from generator.core.files import atomic_write
from generator.core.findings import Finding
from generator.core.schema import load_schema, resolve
from generator.exchange.export import (
    NONE_MARK,
    Column,
    Table,
    ledger_layout,
)

MAX_BYTES = 20_000_000
# The 20 MB above is compressed: a 1 MB workbook can unpack to 1 GB. A school's ledger unpacks
# to well under 10 MB; the limits below are checked before openpyxl reads anything.
MAX_UNPACKED = 50_000_000  # bytes of all the parts together, unpacked
MAX_PARTS = 1_000  # files inside the workbook
MAX_CELLS = 500_000  # cells of all sheets, as their dimensions say
MAX_ROWS = 5_000  # data rows per sheet: a school's ledger is far smaller


# ---------------------------------------------------------------------------------------------
# Reading a 台账 back


class LedgerError(Exception):
    """A workbook that cannot become a valid dossier; ``findings`` say where and why."""

    def __init__(self, findings: list[Finding]):
        super().__init__("\n".join(describe(f) for f in findings))
        self.findings = findings


def describe(f: Finding) -> str:
    """A finding as one Chinese line: its place (sheet, row, column) and message."""
    return f"{f.place}:{f.message}" if f.place else f.message


def place(sheet: str, row: int | None = None, column: int | None = None, header: str = "") -> str:
    """``工作表“隐患清单” 第5行 F列(整改期限)`` — as much of it as is known."""
    text = f"工作表“{sheet}”"
    if row:
        text += f" 第{row}行"
    if column:
        text += f" {xl_col_to_name(column - 1)}列"
    if header:
        text += f"({header})"
    return text


@dataclass
class _Reader:
    file: str
    findings: list[Finding] = field(default_factory=list)
    where: dict[tuple, tuple[str, int | None, int | None, str]] = field(default_factory=dict)
    """Data path → (sheet, row, column, header): where each value was read."""
    columns: dict[str, dict[tuple, tuple[int, str]]] = field(default_factory=dict)
    """Sheet → field path → (column, header), for pointing at a cell left empty."""
    sheets: dict[tuple, str] = field(default_factory=dict)  # data path of each sheet → its name

    def problem(
        self, code: str, message: str, sheet: str, row=None, column=None, header=""
    ) -> None:
        self.findings.append(
            Finding(self.file, message, code, place=place(sheet, row, column, header))
        )


_TRUE = {"是", "有", "√", "✓", "y", "yes", "true", "t", "1"}
_FALSE = {"否", "无", "没有", "×", "✗", "n", "no", "false", "f", "0"}
_DATE_TEXT = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*\Z")
_MONTH_TEXT = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?\s*\Z")
_TIME_TEXT = re.compile(r"\s*(\d{1,2})\s*[::]\s*(\d{2})\s*\Z")
_NUMBER_TEXT = re.compile(r"\s*[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?\s*\Z")


class _Bad(Exception):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code, self.message = code, message


def _shown(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return (
            value.strftime("%Y-%m-%d %H:%M")
            if value.time() != datetime.time()
            else value.date().isoformat()
        )
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    return str(value)


def convert(value: Any, col: Column) -> Any:
    """A cell's value as the dossier wants it for ``col``; raises ``_Bad`` with a Chinese reason."""
    kind = col.kind
    if kind == "date":
        if isinstance(value, datetime.datetime | datetime.date):
            return (value.date() if isinstance(value, datetime.datetime) else value).isoformat()
        m = _DATE_TEXT.match(value) if isinstance(value, str) else None
        if m:
            try:
                return datetime.date(*map(int, m.groups())).isoformat()
            except ValueError:
                pass
        raise _Bad("xlsx.date", f"“{_shown(value)}”不是有效的日期,请填写为 2026-03-05 这样的日期")
    if kind == "month":
        if isinstance(value, datetime.datetime | datetime.date):
            return value.strftime("%Y-%m")
        m = _MONTH_TEXT.match(value) if isinstance(value, str) else None
        if m and 1 <= int(m.group(2)) <= 12:
            return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}"
        raise _Bad("xlsx.month", f"“{_shown(value)}”不是有效的月份,请填写为 2026-03 这样的月份")
    if kind == "time":
        if isinstance(value, datetime.datetime | datetime.time):
            return value.strftime("%H:%M")
        if isinstance(value, float) and 0 <= value < 1:  # a time of day as Excel stores it
            minutes = round(value * 24 * 60)
            return f"{minutes // 60:02d}:{minutes % 60:02d}"
        m = _TIME_TEXT.match(value) if isinstance(value, str) else None
        if m and int(m.group(1)) < 24 and int(m.group(2)) < 60:
            return f"{int(m.group(1)):02d}:{int(m.group(2)):02d}"
        raise _Bad("xlsx.time", f"“{_shown(value)}”不是有效的时间,请填写为 07:20 这样的时间")
    if kind in ("int", "number"):
        number = value
        if isinstance(value, str) and _NUMBER_TEXT.match(value):
            number = float(value.replace(",", ""))
        if isinstance(number, bool) or not isinstance(number, int | float):
            want = "整数" if kind == "int" else "数字"
            raise _Bad("xlsx.number", f"应填写{want},而不是“{_shown(value)}”")
        if isinstance(number, float) and number.is_integer():
            number = int(number)
        if kind == "int" and not isinstance(number, int):
            raise _Bad("xlsx.number", f"应填写整数,而不是“{_shown(value)}”")
        return number
    if kind == "bool":
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise _Bad("xlsx.bool", f"应填写“是”或“否”,而不是“{_shown(value)}”")
    if kind == "enum":
        text = _shown(value).strip()
        if text in col.choices:
            return text
        raise _Bad("xlsx.enum", f"“{text}”不是可选的值,可选:{'、'.join(col.choices)}")
    if kind == "list":
        lines = [line.strip() for line in _shown(value).splitlines() if line.strip()]
        return [] if lines == [NONE_MARK] else lines
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return _shown(value)
    return str(value)


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _set(target: dict, path: tuple, value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def _refuse(file: str, message: str, code: str) -> LedgerError:
    return LedgerError([Finding(file, message, code)])


def _open(path: Path, file: str):
    """The workbook, read through defusedxml (openpyxl uses it when installed: no DTD, no
    entities) once its size, unpacked size and number of parts are within the limits."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise _refuse(file, f"无法读取文件:{exc.strerror or exc}", "xlsx.unreadable") from None
    if size > MAX_BYTES:
        raise _refuse(
            file,
            f"文件大小 {size / 1e6:.1f} MB,超过上限 {MAX_BYTES / 1e6:.0f} MB",
            "xlsx.too-large",
        )
    try:
        with zipfile.ZipFile(path) as archive:  # reading a part never yields more than its size
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        parts = []  # not a zip: load_workbook below says so
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_UNPACKED or len(parts) > MAX_PARTS:
        raise _refuse(
            file,
            f"文件解压后有 {unpacked / 1e6:.0f} MB、{len(parts)} 个部件,超过上限"
            f"({MAX_UNPACKED / 1e6:.0f} MB、{MAX_PARTS} 个):请检查是否误粘贴了大量内容",
            "xlsx.too-large",
        )
    # openpyxl only reads: imported here, a site build (which only writes) does without it
    from defusedxml import DefusedXmlException
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        with warnings.catch_warnings(), path.open("rb") as fh:  # closed even when openpyxl fails
            warnings.simplefilter("ignore")  # openpyxl warns about extensions it does not read
            wb = load_workbook(fh, data_only=True)
    except (

        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        OSError,
        ValueError,
        TypeError,
        SyntaxError,  # xml's ParseError: a part that is not well-formed XML
    ) as exc:
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, DefusedXmlException):
            cause = cause.__cause__ or cause.__context__  # openpyxl wraps it in a ValueError
        if cause is not None:
            raise _refuse(
                file,
                "文件中含有 XML 实体或 DTD 声明,出于安全考虑不予读取:请用模板重新填写",
                "xlsx.unsafe",
            ) from None
        hint = (
            "旧版 .xls 文件请先在 Excel 中“另存为” .xlsx 格式"
            if path.suffix.lower() == ".xls"
            else "请确认它是 .xlsx 格式的 Excel 文件"
        )
        message = f"无法打开 Excel 文件({type(exc).__name__}):{hint}"
        raise _refuse(file, message, "xlsx.unreadable") from None
    cells = sum(ws.max_row * ws.max_column for ws in wb.worksheets)
    if cells > MAX_CELLS:
        raise _refuse(
            file,
            f"工作表共有 {cells} 个单元格,超过上限 {MAX_CELLS}:请检查是否误粘贴了大量内容",
            "xlsx.too-large",
        )
    return wb


def _rows(ws) -> list[tuple[int, list]]:
    """The sheet's rows with values, numbered from 1; trailing empty cells kept as ``None``."""
    out = []
    for i, row in enumerate(ws.iter_rows(values_only=True), 1):
        out.append((i, list(row)))
    return out


def _read_form(r: _Reader, ws, sheet: Table, data: dict) -> None:
    labels = {c.header: c for c in sheet.fields}
    seen: dict[str, int] = {}
    started = False
    for i, row in _rows(ws):
        label = row[0].strip() if row and isinstance(row[0], str) else row[0] if row else None
        if label == "项目":
            started = True
            continue
        if label in labels:
            started = True
            col = labels[label]
            if label in seen:
                r.problem(
                    "xlsx.duplicate-row",
                    f"项目“{label}”重复出现(第{seen[label]}行已有)",
                    ws.title,
                    i,
                    1,
                    "项目",
                )
                continue
            seen[label] = i
            r.where[col.path] = (ws.title, i, 2, label)
            value = row[1] if len(row) > 1 else None
            if _empty(value):
                continue
            try:
                _set(data, col.path, convert(value, col))
            except _Bad as bad:
                r.problem(bad.code, bad.message, ws.title, i, 2, label)
        elif started and not _empty(label):
            r.problem(
                "xlsx.unknown-row",
                f"无法识别的项目“{_shown(label)}”,请使用模板中的项目名称",
                ws.title,
                i,
                1,
                "项目",
            )
    missing = [c.header for c in sheet.fields if c.required and c.header not in seen]
    if missing:
        r.problem("xlsx.missing-row", f"缺少必填项目:{'、'.join(missing)}", ws.title)


def _header_index(rows: list[tuple[int, list]], headers: set[str]) -> int | None:
    for n, (_i, row) in enumerate(rows[:10]):
        if any(isinstance(v, str) and v.strip() in headers for v in row):
            return n
    return None


def _read_list(r: _Reader, ws, sheet: Table) -> list | None:
    """The items of a list sheet, or ``None`` when it holds none (and no “无”)."""
    by_header = {c.header: c for c in sheet.columns}
    rows = _rows(ws)
    h = _header_index(rows, set(by_header))
    if h is None:
        r.problem(
            "xlsx.no-header", f"找不到表头行(应包含“{sheet.columns[0].header}”等列名)", ws.title
        )
        return None
    header_row, header = rows[h]
    cols: dict[int, Column] = {}
    for j, text in enumerate(header, 1):
        if _empty(text):
            continue
        name = str(text).strip()
        if name not in by_header:
            r.problem(
                "xlsx.unknown-column",
                f"无法识别的列名“{name}”,请使用模板中的列名",
                ws.title,
                header_row,
                j,
            )
        elif any(c.header == name for c in cols.values()):
            r.problem(
                "xlsx.duplicate-column", f"列名“{name}”重复出现", ws.title, header_row, j, name
            )
        else:
            cols[j] = by_header[name]
    r.columns[ws.title] = {c.path: (j, c.header) for j, c in cols.items()}
    for c in sheet.columns:
        if c.required and c not in cols.values():
            r.problem("xlsx.missing-column", f"缺少必填列“{c.header}”", ws.title, header_row)
    items: list[dict] = []
    marked = False
    ids: dict[Any, int] = {}
    body = rows[h + 1 :]
    if len(body) > MAX_ROWS:
        r.problem(
            "xlsx.too-many-rows", f"数据超过 {MAX_ROWS} 行,请检查是否误粘贴了其他内容", ws.title
        )
        return None
    for i, row in body:
        values = {j: row[j - 1] for j in cols if j - 1 < len(row) and not _empty(row[j - 1])}
        if not values:
            continue
        if len(values) == 1 and str(next(iter(values.values()))).strip() == NONE_MARK:
            marked = True
            continue
        n = len(items)
        item: dict = {}
        r.where[sheet.path + (n,)] = (ws.title, i, None, "")
        for j, value in values.items():
            col = cols[j]
            r.where[sheet.path + (n,) + col.path] = (ws.title, i, j, col.header)
            try:
                _set(item, col.path, convert(value, col))
            except _Bad as bad:
                r.problem(bad.code, bad.message, ws.title, i, j, col.header)
        key = item.get("id")
        if key is not None and ("id",) in (c.path for c in cols.values()):
            j = next(j for j, c in cols.items() if c.path == ("id",))
            if key in ids:
                r.problem(
                    "xlsx.duplicate-id",
                    f"编号“{key}”与第{ids[key]}行重复,编号在本档案内必须唯一",
                    ws.title,
                    i,
                    j,
                    cols[j].header,
                )
            else:
                ids[key] = i
        items.append(item)
    return items if items or marked else None


def read_ledger(path: Path, file: str | None = None) -> tuple[dict, _Reader]:
    """A 台账 workbook as dossier data (in schema order) and where each value was read.

    Raises :class:`LedgerError` with every problem found when any cell cannot be read.
    """
    name = file or str(path)
    r = _Reader(name)
    wb = _open(Path(path), name)
    layout = {s.name: s for s in ledger_layout()}
    data: dict = {}
    lists: list[tuple[Table, list]] = []
    for ws in wb.worksheets:
        sheet = layout.get(ws.title.strip())
        if ws.title.strip() == "说明":
            continue
        if sheet is None:
            r.problem(
                "xlsx.unknown-sheet",
                "无法识别的工作表,请使用模板中的工作表名称(不需要的工作表请删除)",
                ws.title,
            )
            continue
        r.sheets[sheet.path] = ws.title
        if sheet.form:
            _read_form(r, ws, sheet, data)
        else:
            items = _read_list(r, ws, sheet)
            if items is not None:
                lists.append((sheet, items))
    for sheet in layout.values():
        if sheet.path not in r.sheets and sheet.required and len(sheet.path) == 1:
            r.problem("xlsx.missing-sheet", "缺少这个工作表", sheet.name)
    for sheet, items in lists:
        _set(data, sheet.path, items)
    for sheet in layout.values():  # a required list left empty is an empty list
        parent = data if len(sheet.path) == 1 else _get_dict(data, sheet.path[:-1])
        if (
            sheet.required
            and not sheet.form
            and parent is not None
            and sheet.path[-1] not in parent
        ):
            parent[sheet.path[-1]] = []
        if sheet.form and sheet.required and sheet.path[0] not in data:
            data[sheet.path[0]] = {}
    if r.findings:
        raise LedgerError(r.findings)
    return ordered(data, resolve(load_schema())), r


def _get_dict(data: dict, path: tuple) -> dict | None:
    for key in path:
        data = data.get(key) if isinstance(data, dict) else None
    return data if isinstance(data, dict) else None


def ordered(value: Any, node: dict | None) -> Any:
    """``value`` with every mapping's keys in the schema's order."""
    if isinstance(value, dict) and node:
        props = node.get("properties", {})
        keys = [k for k in props if k in value] + [k for k in value if k not in props]
        return {k: ordered(value[k], resolve(props[k]) if k in props else None) for k in keys}
    if isinstance(value, list) and node and isinstance(node.get("items"), dict):
        items = resolve(node["items"])
        return [ordered(v, items) for v in value]
    return value


# ---------------------------------------------------------------------------------------------
# The dossier as YAML

_TIME = re.compile(r"\d{1,2}:\d{2}\Z")


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)  # lists indented under their key


# Dates plain, as people write them (the project's loader keeps them as text): the dumper
# resolves scalars as the loader does, without YAML's timestamps.
_Dumper.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeDumper.yaml_implicit_resolvers.items()
}


def _str(dumper: yaml.SafeDumper, value: str):
    if "\n" in value.rstrip("\n") or value.endswith("\n"):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    if _TIME.match(value):
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="'")
    return dumper.represent_str(value)


_Dumper.add_representer(str, _str)


def dossier_yaml(data: dict, comment: str = "") -> str:
    """Readable YAML: Chinese as is, keys in the schema's order, a blank line between sections,
    times quoted so that YAML does not read 17:20 as a number."""
    text = yaml.dump(
        ordered(data, resolve(load_schema())),
        Dumper=_Dumper,
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
        indent=2,
    )
    lines = text.splitlines()
    out = [f"# {line}" for line in comment.splitlines()]
    for n, line in enumerate(lines):
        if n and line[:1] not in (" ", "-", "") and out and out[-1] != "":
            out.append("")
        out.append(line)
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------------------------
# Import: read, validate, write


def _path_of(pointer: str) -> tuple:
    if not pointer:
        return ()
    parts = [p.replace("~1", "/").replace("~0", "~") for p in pointer.lstrip("/").split("/")]
    return tuple(int(p) if p.isdigit() else p for p in parts)


def locate(r: _Reader, path: tuple) -> tuple[str, int | None, int | None, str]:
    """The cell (or row, or sheet) that holds the value at ``path`` of the imported dossier."""
    if path in r.where:
        return r.where[path]
    # the row of a list item, and the column of the field if the sheet has it
    for n in range(len(path), 0, -1):
        head = path[:n]
        if isinstance(head[-1], int) and head in r.where:
            sheet, row, _c, _h = r.where[head]
            rest = path[n:]
            for fpath, (j, header) in r.columns.get(sheet, {}).items():
                if rest and fpath[: len(rest)] == rest:
                    return sheet, row, j, header
            return sheet, row, None, ""
    # a form field or object: its first row on the form sheet
    for fpath, where in r.where.items():
        if path and fpath[: len(path)] == path and not any(isinstance(k, int) for k in fpath):
            return where
    for n in range(len(path), 0, -1):
        if path[:n] in r.sheets:
            return r.sheets[path[:n]], None, None, ""
    return "学校基本信息", None, None, ""


def _validate(data: dict, r: _Reader, display: str) -> list[Finding]:
    """The project's validator on the imported dossier, its errors pointed at cells."""
    from generator.core.load import LoadError, parse
    from generator.core.pipeline import check_document

    try:
        doc = parse(dossier_yaml(data), display)
    except LoadError as exc:  # cannot happen for data dumped here, but never crash
        return [exc.finding]
    found = check_document(doc)
    problems = []
    for f in found:
        if f.severity != "error":
            continue
        sheet, row, col, header = locate(r, _path_of(f.path))
        problems.append(
            Finding(
                file=r.file,
                message=f.message,
                code=f.code,
                path=f.path,
                place=place(sheet, row, col, header),
            )
        )
    return problems


def _header(path: Path) -> str:
    """The comment lines opening an existing dossier, kept when it is replaced."""
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    head = []
    for line in lines:
        if not line.startswith("#"):
            break
        head.append(line[1:].removeprefix(" "))
    return "\n".join(head)


def import_ledger(
    xlsx: Path, out: Path | None = None, records: Path = Path("records"), file: str | None = None
) -> Path:
    """Read a 台账 workbook, validate it, and write the dossier; return where it went.

    ``out`` defaults to ``records/<district>/<school-id>.yaml``. Nothing is written unless
    the result validates; the file appears whole or not at all (temp file, then rename).
    """
    display = file or str(xlsx)
    data, r = read_ledger(Path(xlsx), display)
    profile = data.get("profile") or {}
    if out is None:
        sid, did = profile.get("id"), profile.get("district")

        def refused(message: str, code: str, where: str) -> LedgerError:
            return LedgerError([Finding(display, message, code, place=where)])

        if not sid or not did:
            raise refused(
                "没有填写学校编号或所属区县,无法确定档案位置;请填写,或用 --out 指定输出文件",
                "xlsx.no-target",
                place("学校基本信息"),
            )
        district_dir = Path(records) / did
        if not (district_dir / "_district.yaml").is_file():
            raise refused(
                f"区县“{did}”在 {records} 中不存在(没有 {district_dir}/_district.yaml)",
                "xlsx.unknown-district",
                place(*locate(r, ("profile", "district"))),
            )
        others = [p for p in Path(records).glob(f"*/{sid}.yaml") if p.parent.name != did]
        if others:
            raise refused(
                f"学校编号“{sid}”已被 {others[0]} 使用:全市学校编号必须唯一",
                "xlsx.duplicate-school",
                place(*locate(r, ("profile", "id"))),
            )
        out = district_dir / f"{sid}.yaml"
    problems = _validate(data, r, str(out))
    if problems:
        raise LedgerError(problems)
    out = Path(out)
    text = dossier_yaml(
        data,
        comment=_header(out)
        or f"{profile.get('name', '')} 安全档案(由 Excel 台账导入:xiaoan import xlsx)",
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(out, text)
