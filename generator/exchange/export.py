"""Tables for data exchange: the 统计表, the 问题和整改清单 and a school's 台账.

Everything here is plain rows built from the records and an evaluation; the writers share
them: :mod:`generator.exchange.workbook` (Excel, a sheet per table), :func:`write_csv` (a folder of
UTF-8-with-BOM CSV files, a file per table) and :func:`write_json`. Cell values are Python
values — ``str``, ``int``, ``float``, ``bool``, ``datetime.date`` or ``None`` — and each
writer formats them its own way.

* :func:`district_tables` — 统计表 (one row per school, a 合计 row per district), 达标率
  (every district rate against its target) and 问题和整改清单 (one row per hazard).
* :func:`ledger_layout` / :func:`ledger_tables` — a school's 台账: one sheet per dossier
  section, its columns and headers taken from the schema's titles, so that
  :mod:`generator.exchange.ledger_import` can read the same sheets back into a dossier.

``public=True`` keeps only what the schema's ``x-public`` marks allow: the tables are built
from :func:`generator.core.schema.public_view` and the columns of private fields are left out.
"""

from __future__ import annotations

import csv
import datetime
import io
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from generator.core.dates import is_late, parse_date
from generator.core.evaluate import STATUSES
from generator.core.files import atomic_write
from generator.core.rules.base import SchoolView
from generator.core.ruleset import BASELINE, RuleSetError, load_rule_set
from generator.core.schema import is_public, load_schema, public_view, resolve, schema_dir

NONE_MARK = "无"
"""Written alone in the first cell of an empty list's sheet: the list exists and is empty."""

SEP = " › "  # between the titles of a nested field's header: 整改资金 › 金额(元)


@dataclass(frozen=True)
class Column:
    """One column: a machine key, a Chinese header and how its cells are written and read.

    ``kind`` is one of text, date, month, time, int, number, bool, enum, list (lines of
    text in one cell), percent. For a 台账 column ``path`` says where the value lives: from
    the dossier's root on a form sheet, from the list item on a table sheet.
    """

    key: str
    header: str
    kind: str = "text"
    width: int = 12
    choices: tuple[str, ...] = ()
    required: bool = False
    description: str = ""
    path: tuple = ()


@dataclass
class Table:
    """A titled grid of rows; ``marks`` flags rows (``overdue``, ``total``) for highlighting.

    A ``form`` table is a 台账 sheet for one object (rows: 项目 / 内容 / 说明) rather than a
    list (one row per item). ``path`` is where a 台账 sheet's data lives in the dossier.
    """

    name: str
    title: str
    columns: list[Column]
    rows: list[list] = field(default_factory=list)
    marks: list[str | None] = field(default_factory=list)
    subtitle: str = ""
    form: bool = False
    path: tuple = ()
    required: bool = False
    fields: list[Column] = field(default_factory=list)
    """On a form sheet: the field behind each row (its kind, choices, path)."""

    def add(self, row: list, mark: str | None = None) -> None:
        self.rows.append(row)
        self.marks.append(mark)

    def records(self) -> list[dict]:
        """The rows as mappings from column key to value."""
        return [dict(zip((c.key for c in self.columns), row, strict=True)) for row in self.rows]


def text_width(text: str) -> int:
    """Display width in spreadsheet character units: a Chinese character counts as two."""
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


# ---------------------------------------------------------------------------------------------
# District tables: 统计表, 达标率, 问题和整改清单

STATS_TITLE = "校园安全相关情况统计表"
HAZARDS_TITLE = "安全检查问题和整改清单"
RATES_TITLE = "达标率"
CLOSED = "已销号"


def _c(key: str, header: str, kind: str = "text", width: int | None = None) -> Column:
    """A report column; a number's or yes/no's header may wrap onto two lines."""
    wrap = 2 if kind in ("int", "bool", "percent") else 1
    return Column(key, header, kind, width or max(-(-text_width(header) // wrap) + 2, 8))


STATS_COLUMNS = [
    _c("no", "序号", "int", 6),
    _c("district", "区县", width=10),
    _c("school_id", "学校编号", width=24),
    _c("school", "学校", width=24),
    _c("stage", "学段", width=12),
    _c("ownership", "办学性质"),
    _c("boarding", "寄宿制", "bool"),
    _c("students", "在校学生数", "int"),
    _c("status", "状态", width=12),
    _c("hazards_open", "未销号隐患", "int"),
    _c("hazards_overdue", "逾期隐患", "int"),
    _c("hazards_major", "重大隐患(未销号)", "int"),
    _c("hazards_closed", "已销号隐患", "int"),
    _c("drills_semester", "本学期演练次数", "int"),
    _c("guards", "保安员人数", "int"),
    _c("guards_full_time", "专职保安员", "int"),
    _c("duty_24h", "24小时值守", "bool"),
    _c("patrols_per_day", "每日巡查次数", "int"),
    _c("closed_campus", "封闭化管理", "bool"),
    _c("anti_collision", "防冲撞设施", "bool"),
    _c("one_key_alarm_linked", "一键报警与公安联网", "bool"),
    _c("video_linked", "视频监控与公安联网", "bool"),
    _c("video_storage_days", "录像存储天数", "int"),
    _c("police_officer", "联系民警", width=10),
    _c("findings", "未达标项", "int"),
]
# In a 合计 row these columns add up; the yes/no columns count the schools answering 是.
_SUMMED = {
    "students",
    "hazards_open",
    "hazards_overdue",
    "hazards_major",
    "hazards_closed",
    "drills_semester",
    "guards",
    "guards_full_time",
    "findings",
}

RATE_COLUMNS = [
    _c("district", "区县", width=10),
    _c("rate", "指标", width=36),
    _c("numerator", "达标数", "int"),
    _c("denominator", "应达标数", "int"),
    _c("value", "达标率", "percent"),
    _c("target", "目标", "percent"),
    _c("met", "是否达标", width=10),
    _c("source", "依据", width=40),
]

HAZARD_COLUMNS = [  # (column, the hazard field it shows — None for a derived column)
    (_c("no", "序号", "int", 6), None),
    (_c("district", "区县", width=10), None),
    (_c("school", "学校", width=24), None),
    (_c("id", "隐患编号", width=14), "id"),
    (_c("found", "发现日期", "date", 12), "found"),
    (_c("source", "来源", width=12), "source"),
    (_c("category", "类别", width=10), "category"),
    (_c("location", "部位", width=16), "location"),
    (_c("description", "问题", width=40), "description"),
    (_c("grade", "等级", width=6), "grade"),
    (_c("measures", "整改措施", width=36), "measures"),
    (_c("owner", "责任人", width=10), "owner"),
    (_c("deadline", "整改期限", "date", 12), "deadline"),
    (_c("funds", "资金(元)", "number", 12), "funds"),
    (_c("funds_source", "资金来源及落实", width=20), "funds"),
    (_c("status", "状态", width=10), "status"),
    (_c("closed", "销号日期", "date", 12), "closed"),
    (_c("verifier", "验收人", width=10), "verifier"),
    (_c("overdue", "逾期", width=6), None),
]


def hazards_as_of(data: dict, as_of: datetime.date) -> list[tuple[dict, bool, bool]]:
    """``(hazard, open, overdue)`` for each hazard found by ``as_of``, as the rules see it:
    a hazard closed after ``as_of`` was open then; overdue is open past its deadline."""
    out = []
    for _path, h, is_open in SchoolView(data).hazards(as_of):
        if isinstance(h, dict):
            deadline = parse_date(h.get("deadline"))
            out.append((h, is_open, is_open and deadline is not None and is_late(deadline, as_of)))
    return out


def _get(data: Any, *keys: Any) -> Any:
    for key in keys:
        if isinstance(data, dict):
            data = data.get(key)
        elif isinstance(data, list) and isinstance(key, int) and -len(data) <= key < len(data):
            data = data[key]
        else:
            return None
    return data


@cache
def rule_set_or_baseline(name: str | None) -> Any:
    """The rule set ``name``; the national baseline when there is no name or it is unknown
    (evaluation has already reported an unknown name)."""
    try:
        return load_rule_set(name or BASELINE)
    except RuleSetError:
        return load_rule_set(BASELINE)


def semester_start(as_of: datetime.date, rule_set_name: str | None = None) -> datetime.date:
    """The first day of the semester ``as_of`` falls in (in a vacation: of the one just
    ended), from the rule set's school calendar."""
    calendar = rule_set_or_baseline(rule_set_name).calendar
    term = calendar.semester_of(as_of) or calendar.last_ended_semester(as_of)
    return term.start


def school_row(data: dict, result: Any, as_of: datetime.date) -> dict:
    """The 统计表 figures of one dossier (``data`` is already the public view if asked)."""
    profile = data.get("profile") or {}
    hazards = hazards_as_of(data, as_of)
    devices = data.get("devices") or {}
    guards = [g for g in devices.get("guards") or [] if isinstance(g, dict)]
    start = semester_start(as_of, getattr(result, "rule_set", None))
    drills = [d for _p, _d, d in SchoolView(data).dated("drills", as_of=as_of) if d >= start]
    findings = getattr(result, "findings", None)
    return {
        "district": profile.get("district"),
        "school_id": profile.get("id"),
        "school": profile.get("name"),
        "stage": profile.get("stage"),
        "ownership": profile.get("ownership"),
        "boarding": profile.get("boarding"),
        "students": profile.get("students"),
        "status": getattr(result, "status", None),
        "hazards_open": sum(o for _h, o, _l in hazards),
        "hazards_overdue": sum(late for _h, _o, late in hazards),
        "hazards_major": sum(o and h.get("grade") == "重大" for h, o, _l in hazards),
        "hazards_closed": sum(not o for _h, o, _l in hazards),
        "drills_semester": len(drills),
        "guards": len(guards),
        "guards_full_time": sum(g.get("full_time") is True for g in guards),
        "duty_24h": devices.get("duty_24h"),
        "patrols_per_day": devices.get("patrols_per_day"),
        "closed_campus": devices.get("closed_campus"),
        "anti_collision": _get(devices, "anti_collision", "installed"),
        "one_key_alarm_linked": bool(_get(devices, "one_key_alarm", "installed"))
        and _get(devices, "one_key_alarm", "linked_police") is True,
        "video_linked": _get(devices, "video", "linked_police"),
        "video_storage_days": _get(devices, "video", "storage_days"),
        "police_officer": _get(data, "police", "officer"),
        "findings": None if findings is None else sum(f.severity == "error" for f in findings),
    }


def _total_row(label: str, rows: list[dict]) -> dict:
    total: dict[str, Any] = {c.key: None for c in STATS_COLUMNS}
    total["school"] = f"{label}(共 {len(rows)} 所)"
    for col in STATS_COLUMNS:
        values = [r[col.key] for r in rows]
        if col.key in _SUMMED:
            numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
            total[col.key] = sum(numbers) if numbers else None
        elif col.kind == "bool":
            total[col.key] = sum(v is True for v in values)
    return total


def _status_summary(rows: list[dict]) -> str:
    """How many schools stand at each status, worst first: 重大隐患 1 / 逾期 2 / …"""
    counts = Counter(r["status"] for r in rows if r["status"])
    return "\n".join(f"{s} {counts[s]}" for s in STATUSES if counts[s])


def _funds_text(funds: Any) -> str | None:
    if not isinstance(funds, dict):
        return None
    parts = [funds.get("source") or ""]
    if "secured" in funds:
        parts.append("已落实" if funds["secured"] else "未落实")
    return " · ".join(p for p in parts if p) or None


def _hazard_value(key: str, hazard: dict) -> Any:
    if key == "funds":
        amount = _get(hazard, "funds", "amount")
        return amount if isinstance(amount, int | float) and not isinstance(amount, bool) else None
    if key == "funds_source":
        return _funds_text(hazard.get("funds"))
    value = hazard.get(key)
    return parse_date(value) or value if key in ("found", "deadline", "closed") else value


@dataclass
class Selection:
    """The dossiers an export covers, each with its (public) data and its evaluation result."""

    as_of: datetime.date
    schools: list[tuple[Any, dict, Any]]  # (document, data, school result or None)
    districts: list[Any]  # district results (rates), in order
    district_names: dict[str, str]


def select(
    records: Any, evaluation: Any, district: str | None = None, public: bool = False
) -> Selection:
    """The dossiers (and district results) an export covers, sorted by district and school."""
    return next(selections(records, evaluation, [district] if district else None, public))


def selections(
    records: Any, evaluation: Any, districts: list[str] | None = None, public: bool = False
) -> Iterator[Selection]:
    """:func:`select` for each of ``districts`` in turn (``None``: one of all schools), from
    one pass over the records: a site build selects each of a city's 500 districts."""
    results = {r.file: r for r in evaluation.schools}
    names = {did: doc.data.get("name", did) for did, doc in records.districts.items()}
    groups: dict[str | None, list] = {d: [] for d in ([None] if districts is None else districts)}
    for doc in records.schools:
        # The evaluation knows each school's district and id: a dossier's data is read (and,
        # in a site build's workers, unpacked) only for the schools selected.
        result = results.get(doc.file)
        if result is not None:
            key = (result.district, result.id)
        else:
            key = (doc.data["profile"]["district"], doc.data["profile"]["id"])
        group = groups.get(None if districts is None else key[0])
        if group is not None:
            group.append((key, doc, result))
    for district, group in groups.items():
        group.sort(key=lambda s: s[0])
        schools = [(doc, public_view(doc.unpacked()) if public else doc.data, r) for _, doc, r in group]
        rates = [d for d in evaluation.districts if district is None or d.id == district]
        yield Selection(evaluation.as_of, schools, rates, names)


def stats_table(sel: Selection) -> Table:
    """统计表: one row per school, then a 合计 row per district (and one for all)."""
    table = Table(
        "统计表",
        STATS_TITLE,
        list(STATS_COLUMNS),
        subtitle=_subtitle(sel) + "    合计行:数量为合计数,是/否栏为“是”的学校数",
    )
    by_district: dict[str, list[dict]] = {}
    for n, (_doc, data, result) in enumerate(sel.schools, 1):
        did = _get(data, "profile", "district")
        row = school_row(data, result, sel.as_of)
        row["no"] = n
        row["district"] = sel.district_names.get(did, did)
        by_district.setdefault(did, []).append(row)
        table.add([row[c.key] for c in STATS_COLUMNS])
    groups = list(by_district.items())
    if len(groups) > 1:
        groups.append((None, [r for _, rows in groups for r in rows]))
    for did, rows in groups:
        total = _total_row(
            "合计" if did is None else f"{sel.district_names.get(did, did)}合计", rows
        )
        total["district"] = "全部" if did is None else sel.district_names.get(did, did)
        total["status"] = _status_summary(rows)
        table.add([total[c.key] for c in STATS_COLUMNS], "total")
    return table


def rates_table(sel: Selection) -> Table:
    """达标率: every district rate with its target and whether it is met (unmet rows marked)."""
    table = Table("达标率", f"{RATES_TITLE}(对照目标)", list(RATE_COLUMNS), subtitle=_subtitle(sel))
    for d in sel.districts:
        for rate in d.rates:
            met = "—" if rate.met is None else "达标" if rate.met else "未达标"
            table.add(
                [
                    sel.district_names.get(d.id, d.name),
                    rate.title,
                    rate.numerator,
                    rate.denominator,
                    rate.value,
                    rate.target,
                    met,
                    rate.source,
                ],
                "overdue" if rate.met is False else None,
            )
    return table


def hazards_table(sel: Selection, public: bool = False) -> Table:
    """问题和整改清单: one row per hazard of every selected school, overdue rows marked."""
    cols = [
        (col, key)
        for col, key in HAZARD_COLUMNS
        if key is None or not public or is_public(("hazards", 0, key))
    ]
    table = Table("问题和整改清单", HAZARDS_TITLE, [c for c, _ in cols], subtitle=_subtitle(sel))
    n = 0
    for _doc, data, _result in sel.schools:
        did = _get(data, "profile", "district")
        for hazard, is_open, overdue in hazards_as_of(data, sel.as_of):
            n += 1
            derived = {
                "no": n,
                "district": sel.district_names.get(did, did),
                "school": _get(data, "profile", "name"),
                "overdue": "逾期" if overdue else None,
            }
            row = [derived[c.key] if k is None else _hazard_value(c.key, hazard) for c, k in cols]
            if is_open and hazard.get("status") == CLOSED:  # closed after the as-of day
                row = [
                    "未销号" if c.key == "status" else None if c.key == "closed" else v
                    for v, c in zip(row, table.columns, strict=True)
                ]
            table.add(row, "overdue" if overdue else None)
    return table


def _subtitle(sel: Selection) -> str:
    names = sorted(
        {
            sel.district_names.get(d, d)
            for d in (_get(s[1], "profile", "district") for s in sel.schools)
            if d
        }
    )
    scope = "、".join(names) if names else "全部区县"
    return f"范围:{scope}    截至日期:{sel.as_of.isoformat()}    学校数:{len(sel.schools)}"


def district_tables(
    records: Any, evaluation: Any, district: str | None = None, public: bool = False
) -> list[Table]:
    """The bureau's tables: 统计表, 达标率 and 问题和整改清单 (one sheet or file each)."""
    return tables_of(select(records, evaluation, district, public), public)


def tables_of(sel: Selection, public: bool = False) -> list[Table]:
    """:func:`district_tables` of a selection."""
    return [stats_table(sel), rates_table(sel), hazards_table(sel, public)]


# ---------------------------------------------------------------------------------------------
# A school's 台账: one sheet per dossier section, laid out from the schema

FORM_COLUMNS = [
    Column("label", "项目", width=30),
    Column("value", "内容", width=44),
    Column("description", "说明", width=60),
]
_RESERVED = {"说明"}
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")


def _kind(node: dict) -> str:
    types = node.get("type")
    if types == "array":
        return "list"
    if "enum" in node:
        return "enum"
    if node.get("format") == "date":
        return "date"
    if types == "string" and "pattern" in node:
        pattern = node["pattern"]
        if re.search(pattern, "07:20") and not re.search(pattern, "0720"):
            return "time"
        if re.search(pattern, "2026-10") and not re.search(pattern, "2026-1"):
            return "month"
    return {"integer": "int", "number": "number", "boolean": "bool"}.get(types, "text")


def _width(node: dict, kind: str, header: str) -> int:
    base = {"date": 12, "month": 10, "time": 8, "bool": 8, "int": 10, "number": 12}.get(kind)
    if kind == "enum":
        base = max(text_width(str(c)) for c in node["enum"]) + 4
    elif kind in ("text", "list"):
        limit = node.get("maxLength") or _resolve_items(node).get("maxLength") or 200
        base = 12 if limit <= 20 else 18 if limit <= 60 else 30 if limit <= 200 else 40
    return min(max(base or 12, text_width(header.split(SEP)[-1]) + 3), 60)


def _resolve_items(node: dict) -> dict:
    items = node.get("items")
    return resolve(items) if isinstance(items, dict) else {}


def _is_object_list(node: dict) -> bool:
    return node.get("type") == "array" and _resolve_items(node).get("type") == "object"


@dataclass
class _Walk:
    """Collects the columns of one sheet and the table sheets found below it."""

    columns: list[Column] = field(default_factory=list)
    nested: list[Table] = field(default_factory=list)


def _walk(
    node: dict, path: tuple, prefix: list[str], required: bool, walk: _Walk, abs_path: tuple
) -> None:
    """Add the leaves of object ``node`` to ``walk``; its lists of objects become sheets.

    ``path`` is the column path (relative to a list item on table sheets), ``abs_path`` the
    path from the dossier's root with 0 for list items (for the public marks).
    """
    needed = set(node.get("required", ()))
    for key, sub in node.get("properties", {}).items():
        sub = resolve(sub)
        title = sub.get("title", key)
        req = required and key in needed
        if sub.get("type") == "object":
            _walk(sub, path + (key,), prefix + [title], req, walk, abs_path + (key,))
        elif _is_object_list(sub):
            name = title if len(prefix) <= 1 else f"{prefix[-1]}{title}"
            walk.nested.extend(_list_sheets(sub, abs_path + (key,), name, req))
        else:
            header = SEP.join(prefix[1:] + [title]) if prefix else title
            kind = _kind(sub)
            walk.columns.append(
                Column(
                    key=".".join(path + (key,)),
                    header=header,
                    kind=kind,
                    width=_width(sub, kind, header),
                    choices=tuple(sub.get("enum", ())),
                    required=req,
                    description=sub.get("description", ""),
                    path=path + (key,),
                )
            )


def _list_sheets(node: dict, path: tuple, name: str, required: bool) -> list[Table]:
    item = _resolve_items(node)
    walk = _Walk()
    _walk(item, (), [name], True, walk, path + (0,))
    if walk.nested:
        where = ".".join(str(p) for p in path)
        raise ValueError(f"{_schema_file()}:{where} 的列表项里还有列表,放不进一张台账工作表")
    sheet = Table(name, name, walk.columns, path=path, required=required)
    return [sheet]


def ledger_layout(public: bool = False) -> list[Table]:
    """The 台账's sheets (empty tables): their names, data paths and columns, in schema order.

    Objects become form sheets (项目 / 内容 / 说明, nested objects flattened into headers
    such as ``视频监控 › 摄像头数量``); lists of objects become table sheets; a list of texts
    is one cell holding a line per item. Top-level scalars (``schema_version``) open the
    first form sheet.
    """
    root = resolve(load_schema())
    sheets: list[Table] = []
    top: list[Column] = []
    needed = set(root.get("required", ()))
    for key, node in root["properties"].items():
        node = resolve(node)
        title = node.get("title", key)
        if node.get("type") == "object":
            walk = _Walk()
            _walk(node, (key,), [title], True, walk, (key,))
            if walk.columns:
                sheets.append(_form(title, walk.columns, (key,), key in needed))
            sheets.extend(walk.nested)
        elif _is_object_list(node):
            sheets.extend(_list_sheets(node, (key,), title, key in needed))
        else:
            kind = _kind(node)
            top.append(
                Column(
                    key,
                    title,
                    kind,
                    12,
                    tuple(node.get("enum", ())),
                    key in needed,
                    node.get("description", ""),
                    (key,),
                )
            )
    first_form = next(s for s in sheets if s.form)
    first_form.fields[:0] = top
    _check_names(sheets)
    if public:
        sheets = _public_layout(sheets)
    return sheets


def _schema_file() -> str:
    return str(schema_dir() / "dossier.schema.json")


def _check_names(sheets: list[Table]) -> None:
    names = [s.name for s in sheets]
    for s in sheets:
        if (
            len(s.name) > 31
            or _BAD_SHEET_CHARS.search(s.name)
            or s.name in _RESERVED
            or names.count(s.name) > 1
        ):
            raise ValueError(
                f"{_schema_file()}:标题“{s.name}”不能用作工作表名(最多 31 个字符,"
                "不含 []:*?/\\,不能是“说明”,不能与其他工作表重名)"
            )
        headers = [c.header for c in s.fields or s.columns]
        if len(set(headers)) != len(headers):
            repeated = sorted({h for h in headers if headers.count(h) > 1})
            raise ValueError(
                f"{_schema_file()}:工作表“{s.name}”的列标题重复:{'、'.join(repeated)}"
            )


def _abs(sheet: Table, col: Column) -> tuple:
    return col.path if sheet.form else sheet.path + (0,) + col.path


def _form(name: str, fields: list[Column], path: tuple, required: bool) -> Table:
    return Table(
        name, name, list(FORM_COLUMNS), form=True, path=path, required=required, fields=fields
    )


def _public_layout(sheets: list[Table]) -> list[Table]:
    kept = []
    for s in sheets:
        cols = [c for c in s.fields or s.columns if is_public(_abs(s, c))]
        if cols and s.form:
            kept.append(_form(s.name, cols, s.path, s.required))
        elif cols:
            kept.append(Table(s.name, s.title, cols, path=s.path, required=s.required))
    return kept


def cell_value(value: Any, col: Column) -> Any:
    """A dossier value as a cell: dates as dates, lists of texts as lines."""
    if value is None:
        return None
    if col.kind == "date":
        return parse_date(value) or value
    if col.kind == "list" and isinstance(value, list):
        return "\n".join(str(v) for v in value) if value else NONE_MARK  # [] is not "missing"
    return value


def ledger_tables(data: dict, public: bool = False) -> list[Table]:
    """A school's 台账, filled: one table per sheet of :func:`ledger_layout`.

    A list that is present but empty gets a single row with :data:`NONE_MARK` (“无”) in its
    first cell, so that reading the sheet back gives the empty list again.
    """
    if public:
        data = public_view(data)
    name = _get(data, "profile", "name") or ""
    tables = []
    for sheet in ledger_layout(public):
        t = sheet
        t.title = f"{sheet.title} — {name}" if name else sheet.title
        if sheet.form:
            for col in sheet.fields:
                t.add([col.header, cell_value(_get(data, *col.path), col), col.description])
        else:
            items = _get(data, *sheet.path)
            if isinstance(items, list) and not items:
                t.add([NONE_MARK] + [None] * (len(sheet.columns) - 1))
            for item in items or []:
                t.add([cell_value(_get(item, *c.path), c) for c in sheet.columns])
        tables.append(t)
    return tables


# ---------------------------------------------------------------------------------------------
# CSV and JSON writers


def _plain(value: Any, col: Column) -> Any:
    """A cell for CSV: dates in ISO form, yes/no in Chinese, fractions as percentages."""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if col.kind == "percent" and isinstance(value, float):
        return f"{value * 100:.1f}%"
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value  # never let a spreadsheet read a cell as a formula
    return "" if value is None else value


def write_csv(out_dir: Path, tables: list[Table]) -> list[Path]:
    """One CSV file per table in ``out_dir`` (created), UTF-8 with BOM so Excel reads Chinese."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for t in tables:
        path = out_dir / f"{t.name}.csv"
        buf = io.StringIO(newline="")
        writer = csv.writer(buf)
        writer.writerow([c.header for c in t.columns])
        for row in t.rows:
            writer.writerow([_plain(v, c) for v, c in zip(row, t.columns, strict=True)])
        atomic_write(path, buf.getvalue().encode("utf-8-sig"))
        written.append(path)
    return written


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def tables_json(tables: list[Table], as_of: datetime.date | None = None) -> dict:
    """The tables as JSON data: each with its columns (key, title) and rows keyed by column."""
    return {
        "as_of": as_of.isoformat() if as_of else None,
        "tables": [
            {
                "name": t.name,
                "title": t.title,
                "columns": [{"key": c.key, "title": c.header, "kind": c.kind} for c in t.columns],
                "rows": [
                    {c.key: _json_value(v) for c, v in zip(t.columns, row, strict=True)}
                    | ({"_mark": m} if m else {})
                    for row, m in zip(t.rows, t.marks, strict=True)
                ],
            }
            for t in tables
        ],
    }


def write_json(path: Path, tables: list[Table], as_of: datetime.date | None = None) -> Path:
    """The tables as one JSON file (UTF-8, Chinese kept readable), written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, json.dumps(tables_json(tables, as_of), ensure_ascii=False, indent=2) + "\n")
    return path
