"""Excel workbooks: write the export tables, read a school's 台账 back into a dossier.

* :func:`write_workbook` — any list of :class:`generator.exchange.export.Table` as a real
  spreadsheet, a sheet per table: a title row, bold frozen headers, column widths, date
  cells as dates, an autofilter, overdue rows filled red, 合计 rows bold, statuses coloured,
  drop-down lists for fixed choices, landscape printing one page across with the header
  repeated on every page. Written with XlsxWriter (about twice as fast as openpyxl; with a
  stamp the bytes are the same every time); reading uses openpyxl.
* :func:`write_public_workbooks` — the public workbooks the site links.
* :func:`ledger_sheets` / :func:`template_sheets` — a school's 台账 (filled, or empty with
  its 说明 sheet).
* :func:`read_ledger` — the 台账 back into dossier data. Every bad cell becomes a
  :class:`~generator.core.findings.Finding` naming the sheet, row and column (Excel letters) in
  Chinese; they are all collected and raised together as :class:`LedgerError`.
* :func:`import_ledger` — read, validate the result with the project's validator (its
  findings mapped back to cells), and write the dossier YAML atomically; nothing is written
  unless the result validates.
"""

from __future__ import annotations

import datetime
import io
import re
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import xlsxwriter
import yaml
from xlsxwriter.format import Format
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import Worksheet

from generator.exchange.export import (
    NONE_MARK,
    Column,
    Table,
    district_tables,
    ledger_layout,
    ledger_tables,
    selections,
    tables_of,
    text_width,
)
from generator.core.files import atomic_write
from generator.core.findings import Finding
from generator.core.schema import load_schema, resolve

MAX_BYTES = 20_000_000
# The 20 MB above is compressed: a 1 MB workbook can unpack to 1 GB. A school's ledger unpacks
# to well under 10 MB; the limits below are checked before openpyxl reads anything.
MAX_UNPACKED = 50_000_000  # bytes of all the parts together, unpacked
MAX_PARTS = 1_000  # files inside the workbook
MAX_CELLS = 500_000  # cells of all sheets, as their dimensions say
MAX_ROWS = 5_000  # data rows per sheet: a school's ledger is far smaller
VALIDATION_ROWS = 500  # rows below the header that get the drop-down lists

# The parts of a cell's look as XlsxWriter format properties, kept hashable so that a look is
# a key of :class:`_Styles`. Fonts are the workbook's default face (Calibri 11) unless said.
_BORDER = (("border", 1), ("border_color", "#A6A6A6"))  # thin, grey
_TITLE_FONT = (("bold", True), ("font_size", 14))
_SUBTITLE_FONT = (("font_size", 10), ("font_color", "#595959"))
_HEADER_FONT = (("bold", True),)
_REQUIRED_FONT = (("bold", True), ("font_color", "#C00000"))
_HEADER_FILL = "D9E1F2"
_OVERDUE_FILL = "FFC7CE"
_OVERDUE_FONT = (("font_color", "#9C0006"),)
_TOTAL_FILL = "F2F2F2"
_TOTAL_FONT = (("bold", True),)
_LABEL_FONT = (("bold", True),)
_STATUS_FILLS = {  # a school's status, coloured as its badge
    "重大隐患": "FF9999",
    "逾期": "FFC7CE",
    "待整改": "FFEB9C",
    "达标": "C6EFCE",
}
_WRAP_TOP = (("text_wrap", True), ("valign", "top"))
_LEFT_TOP = (("text_wrap", True), ("valign", "top"), ("align", "left"))
_HEADER_ALIGN = (("text_wrap", True), ("align", "center"), ("valign", "vcenter"))
_FORMATS = {"date": "yyyy-mm-dd", "percent": "0.0%", "number": "#,##0.##########"}
_CREATOR = "xiaoan 校安档案"
_FOOTER = "&C第 &P 页,共 &N 页"  # centred: page n of N
_A4, _A3 = 9, 8  # Excel's paper sizes


# ---------------------------------------------------------------------------------------------
# Writing


class _Styles:
    """Each distinct look of one workbook as one XlsxWriter format, made when first needed.

    A look is its number format, font, fill, alignment and border; a format belongs to the
    workbook that made it: one ``_Styles`` a workbook.
    """

    def __init__(self, wb: xlsxwriter.Workbook) -> None:
        self.wb = wb
        self.formats: dict[tuple, Format] = {}

    def get(
        self,
        number_format: str = "General",
        font: tuple = (),
        fill: str | None = None,
        alignment: tuple = _WRAP_TOP,
        border: tuple = _BORDER,
    ) -> Format:
        key = (number_format, font, fill, alignment, border)
        fmt = self.formats.get(key)
        if fmt is None:
            props: dict[str, Any] = dict(font + alignment + border)
            if number_format != "General":
                props["num_format"] = number_format
            if fill is not None:
                props["pattern"] = 1  # solid
                props["bg_color"] = "#" + fill
            fmt = self.formats[key] = self.wb.add_format(props)
        return fmt


def _write_value(ws: Worksheet, row: int, col: int, value: Any, fmt: Format) -> None:
    """One cell (zero-based): text always as text, even when it starts with "=", booleans as
    是/否, dates as real dates."""
    if isinstance(value, str):
        ws.write_string(row, col, value, fmt)
    elif value is None:
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, bool):
        ws.write_string(row, col, "是" if value else "否", fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    elif isinstance(value, datetime.date):
        ws.write_datetime(row, col, value, fmt)
    else:
        raise TypeError(f"cannot write a {type(value).__name__} to a cell: {value!r}")


def _number_format(value: Any, col: Column | None) -> str:
    kind = col.kind if col else None
    if isinstance(value, datetime.date):
        return _FORMATS["date"]
    if (
        kind in ("percent", "number")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
    ):
        return _FORMATS[kind] if kind == "percent" or value != int(value) else "#,##0"
    return "General"


def _excel_len(text: str) -> int:
    """Length as Excel counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def _validation(col: Column) -> dict | None:
    """XlsxWriter options of a drop-down list for ``col``, or ``None`` (no fixed choices)."""
    if col.kind == "bool":
        options = ["是", "否"]
    elif col.kind == "enum" and col.choices:
        options = list(col.choices)
    else:
        return None
    if _excel_len('"' + ",".join(options) + '"') > 255:  # Excel's limit for a literal list
        return None
    error = "可选:" + "、".join(options)
    if _excel_len(error) > 255:  # Excel's limit for the message
        error = error[:254] + "…"
    return {
        "validate": "list",
        "source": options,
        "ignore_blank": True,
        "show_input": False,
        "show_error": True,
        "error_title": "请从列表中选择",
        "error_message": error,
    }


def _merged(ws: Worksheet, row: int, width: int, text: str, fmt: Format) -> None:
    """``text`` across the first ``width`` columns of ``row`` (zero-based), as text."""
    if width > 1:
        ws.merge_range(row, 0, row, width - 1, "", fmt)
    ws.write_string(row, 0, text, fmt)  # merge_range would take "=…" for a formula


def _title_rows(ws: Worksheet, t: Table, styles: _Styles, width: int) -> int:
    """The title and subtitle lines from the top; the (zero-based) row below them."""
    _merged(ws, 0, width, t.title, styles.get(font=_TITLE_FONT, alignment=(), border=()))
    ws.set_row(0, 24)
    row = 1
    subtitle = styles.get(font=_SUBTITLE_FONT, alignment=(), border=())
    for line in t.subtitle.splitlines():
        _merged(ws, row, width, line, subtitle)
        row += 1
    return row


def _header_row(ws: Worksheet, t: Table, styles: _Styles, row: int) -> None:
    for j, col in enumerate(t.columns):
        font = _REQUIRED_FONT if col.required else _HEADER_FONT
        fmt = styles.get(font=font, fill=_HEADER_FILL, alignment=_HEADER_ALIGN)
        ws.write_string(row, j, col.header, fmt)
        if col.description and not t.form:
            ws.write_comment(
                row, j, col.description, {"author": "校安档案", "width": 240, "height": 90}
            )
    lines = max((_lines(c.header, c.width) for c in t.columns), default=1)
    ws.set_row(row, 16 * max(lines, 2) + 2)


def _widen(ws: Worksheet, t: Table) -> None:
    """Each column ``col.width`` characters wide, as stored in the file (Excel shows the width
    less its padding; ``_lines`` assumes this width)."""
    for j, col in enumerate(t.columns):
        ws.set_column_pixels(j, j, round(col.width * 7))  # 7 pixels a character (Calibri 11)


def _lines(value: Any, width: float) -> int:
    """How many lines a wrapped cell needs in a column ``width`` characters wide."""
    if value is None or isinstance(value, datetime.date | int | float):
        return 1
    room = int(max(width - 1.5, 1))
    text = str(value)
    if 2 * len(text) <= room and "\n" not in text:  # short: no character is wider than 2
        return 1
    return sum(max(1, -(-text_width(line) // room)) for line in text.split("\n"))


def _write_table(ws: Worksheet, t: Table, styles: _Styles) -> None:
    """Write ``t``: title, header, rows; freeze the header, filter the rows, add drop-downs.

    Rows and columns are zero-based, as XlsxWriter counts them.
    """
    ncols = len(t.columns)
    header = _title_rows(ws, t, styles, ncols)
    _header_row(ws, t, styles, header)
    _widen(ws, t)
    for row, (values, mark) in enumerate(zip(t.rows, t.marks, strict=True), header + 1):
        field_col = t.fields[row - header - 1] if t.form else None
        for j, (value, col) in enumerate(zip(values, t.columns, strict=True)):
            font: tuple = ()
            fill = None
            if mark == "overdue":
                fill, font = _OVERDUE_FILL, _OVERDUE_FONT
            elif mark == "total":
                fill, font = _TOTAL_FILL, _TOTAL_FONT
            elif t.form and j == 0:
                font = _REQUIRED_FONT if field_col and field_col.required else _LABEL_FONT
            if col.key == "status" and value in _STATUS_FILLS and mark != "total":
                fill = _STATUS_FILLS[value]
            number_format = _number_format(value, field_col if (t.form and j == 1) else col)
            alignment = _LEFT_TOP if t.form and j == 1 else _WRAP_TOP
            _write_value(ws, row, j, value, styles.get(number_format, font, fill, alignment))
        # Neither Excel nor LibreOffice sizes wrapped rows on opening a file: say how tall
        lines = max(_lines(v, c.width) for v, c in zip(values, t.columns, strict=True))
        if lines > 1:
            ws.set_row(row, min(15 * lines + 2, 409))
    ws.freeze_panes(header + 1, 1 if t.form else 0)
    ws.repeat_rows(header)
    if not t.form:  # the filter covers the data rows, not the 合计 rows below them
        data_end = header + sum(1 for m in t.marks if m != "total")
        ws.autofilter(header, 0, data_end, ncols - 1)
    if t.form:
        for i, col in enumerate(t.fields, header + 1):
            dv = _validation(col)
            if dv:
                ws.data_validation(i, 1, i, 1, dv)
    elif t.path:  # a 台账 list: drop-downs for the rows to come
        for j, col in enumerate(t.columns):
            dv = _validation(col)
            if dv:
                ws.data_validation(header + 1, j, header + VALIDATION_ROWS, j, dv)


def _page_setup(ws: Worksheet, width: float) -> None:
    """Landscape, one page across: A4, or A3 for a wide table; centred, with the page number
    in the footer. The header row repeats on every page (set with the freeze panes)."""
    ws.set_landscape()
    ws.set_paper(_A4 if width <= 180 else _A3)
    ws.fit_to_pages(1, 0)
    ws.center_horizontally()
    ws.set_margins(left=0.4, right=0.4, top=1, bottom=1)
    ws.set_header("", {"margin": 0.5})
    ws.set_footer(_FOOTER, {"margin": 0.5})


def _xlsx(tables: list[Table], title: str, created: datetime.datetime | None) -> bytes:
    """The workbook as bytes: a sheet per table, named after it. XlsxWriter dates every zip
    member 1980-01-01, so with ``created`` given the bytes depend on the tables alone."""
    buffer = io.BytesIO()
    options = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    wb = xlsxwriter.Workbook(buffer, options)
    properties: dict[str, Any] = {
        "title": title or (tables[0].title if tables else ""),
        "author": _CREATOR,
    }
    if created is not None:
        properties["created"] = created  # also the "modified" date; without it: now
    wb.set_properties(properties)
    styles = _Styles(wb)
    for t in tables:
        ws = wb.add_worksheet(t.name)
        _page_setup(ws, sum(c.width for c in t.columns))
        _write_table(ws, t, styles)
    wb.close()
    return buffer.getvalue()


def write_workbook(
    path: Path, tables: list[Table], title: str = "", stamp: datetime.date | None = None
) -> Path:
    """Save ``tables`` as an .xlsx file at ``path``, atomically (a temp file, then rename).

    With ``stamp`` (the data's as-of date) the file's dates are that day, so the same data
    gives the same bytes: the published site must rebuild byte for byte.
    """
    when = datetime.datetime.combine(stamp, datetime.time()) if stamp is not None else None
    data = _xlsx(tables, title, when)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    return atomic_write(path, data)


# ---------------------------------------------------------------------------------------------
# The 台账 workbook and its 说明 sheet

GUIDE = (
    "本工作簿是一所学校安全档案(台账)的 Excel 形式,填好后用命令"
    " xiaoan import xlsx 文件名.xlsx 导回档案(YAML 文件),导入时逐项检查。\n"
    "“项目 / 内容 / 说明”形式的工作表只填写“内容”一列;其他工作表每行一条记录。"
    "请不要修改工作表名称和表头文字,可以调整列宽和行高。\n"
    "红色的表头或项目为必填项。有些项目在特定情况下必填:例如已销号的隐患须填写整改完成日期、"
    "销号日期和验收人,未销号的隐患须填写整改措施、整改责任人和整改期限。\n"
    "日期填写为日期格式,或 2026-03-05 这样的文字;月份写作 2026-03;时间写作 07:20。"
    "“是/否”栏填写“是”或“否”;带下拉箭头的栏请从列表中选择。\n"
    "一个单元格中有多条内容时(如管控措施、保管人、摄像头点位),每行写一条"
    "(在 Excel 中按 Alt+Enter 换行)。\n"
    "某个列表确实没有任何记录时(例如学校没有校车),在该工作表第一列写“无”;"
    "整张表留空表示未填写。\n"
    "本档案不得录入任何学生个人信息。个人电话、证件号码、设备位置等不公开内容只用于内部管理,"
    "不会出现在公开网站上。"
)


def _guide(sheets: list[Table], heading: str, note: str = "") -> Table:
    root = load_schema()
    cols = [Column("sheet", "工作表", width=24), Column("content", "内容", width=90)]
    t = Table("说明", heading, cols, subtitle="\n".join(filter(None, [note, GUIDE])))
    for s in sheets:
        node: Any = root
        for key in s.path:
            node = resolve(node)["properties"][key] if isinstance(node, dict) else {}
        t.add([s.name, resolve(node).get("description", "")])
    return t


def ledger_sheets(
    data: dict, public: bool = False, as_of: datetime.date | None = None
) -> list[Table]:
    """A school's 台账: the 说明 sheet, then a sheet per dossier section."""
    tables = ledger_tables(data, public)
    name = (data.get("profile") or {}).get("name", "")
    note = f"学校:{name}" + (f"    导出日期:{as_of.isoformat()}" if as_of else "")
    if public:
        note += "    (公开版:不含不公开的字段,不能用于导入)"
    return [_guide(tables, "学校安全档案台账 — 填写说明", note), *tables]


def template_sheets() -> list[Table]:
    """An empty 台账 with its headers, drop-down lists and the 说明 sheet."""
    tables = ledger_tables({})
    for t in tables:
        t.title = f"{t.title}(模板)"
    return [_guide(tables, "学校安全档案台账(模板)— 填写说明"), *tables]


@dataclass
class PublicWorkbooks:
    """The public workbooks the site links: where each was written."""

    all: Path
    """统计表, 达标率 and 问题和整改清单 of every district."""
    districts: dict[str, Path]
    """The same for one district, by district id."""
    schools: dict[str, Path]
    """Each school's public 台账, by school id."""


def write_public_workbooks(
    out_dir: Path, records: Any, evaluation: Any, schools: bool = True
) -> PublicWorkbooks:
    """Write the public workbooks under ``out_dir``: ``all.xlsx``, ``districts/<id>.xlsx`` and
    (unless ``schools`` is false) ``schools/<id>.xlsx``. Only fields the schema marks public."""
    out_dir = Path(out_dir)
    stamp = evaluation.as_of
    written = PublicWorkbooks(
        all=write_workbook(
            out_dir / "all.xlsx", district_tables(records, evaluation, public=True), stamp=stamp
        ),
        districts={},
        schools={},
    )
    dids = sorted({doc.data["profile"]["district"] for doc in records.schools})
    for did, sel in zip(dids, selections(records, evaluation, dids, public=True), strict=True):
        written.districts[did] = write_workbook(
            out_dir / "districts" / f"{did}.xlsx", tables_of(sel, public=True), stamp=stamp
        )
    for doc in records.schools if schools else ():
        sid = doc.data["profile"]["id"]
        tables = ledger_sheets(doc.data, public=True, as_of=evaluation.as_of)
        written.schools[sid] = write_workbook(
            out_dir / "schools" / f"{sid}.xlsx", tables, stamp=stamp
        )
    return written


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
    from generator.core.validate import check_dossier, validate_document

    try:
        doc = parse(dossier_yaml(data), display)
    except LoadError as exc:  # cannot happen for data dumped here, but never crash
        return [exc.finding]
    found = validate_document(doc, "dossier") or check_dossier(doc)
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
