"""Excel workbooks written with XlsxWriter (about twice as fast as openpyxl; with a stamp the
bytes are the same every time).

* :func:`write_workbook` — any list of :class:`generator.exchange.export.Table` as a real
  spreadsheet, a sheet per table: a title row, bold frozen headers, column widths, date
  cells as dates, an autofilter, overdue rows filled red, 合计 rows bold, statuses coloured,
  drop-down lists for fixed choices, landscape printing one page across with the header
  repeated on every page.
* :func:`write_public_workbooks` — the public workbooks the site links.
* :func:`ledger_sheets` / :func:`template_sheets` — a school's 台账 (filled, or empty with
  its 说明 sheet), which :mod:`generator.exchange.ledger_import` reads back.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from generator.core.files import atomic_write
from generator.core.schema import load_schema, resolve
from generator.exchange.export import (
    Column,
    Table,
    district_tables,
    ledger_tables,
    selections,
    tables_of,
    text_width,
)

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
        # every value comes from a validated dossier: this is a fault of the export code
        raise TypeError(f"表格单元格(第{row + 1}行第{col + 1}列)不能写入 {type(value).__name__} 类型的值:{value!r}")


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
