"""Edits for officers who prefer the terminal: a new school, a hazard added or closed, a drill.

Each edit reads the dossier with ruamel.yaml's round-trip mode, so comments, key order, quotes
and flow-style lines (``- {date: …, kind: …}``) stay as they were; a new item follows the
style of the items before it, and a comment that hung under the old last item (the next
section's heading) moves under the new one. The result is checked by the project's own
validator (schema, checks inside the record, the file's name and folder) before anything is
written; then it is written atomically (temp file in the same folder, then a rename). On any
problem nothing is written and :class:`EditError` carries Chinese findings.
"""

from __future__ import annotations

import datetime
import io
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import ruamel.yaml
import yaml
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark
from ruamel.yaml.tokens import CommentToken

from generator.core import pipeline, schema
from generator.core.files import atomic_write
from generator.core.findings import Finding
from generator.core.load import LoadError, load, read_text
from generator.core.validate import DISTRICT_FILE, NAME

CLOSED = "已销号"
BOM = "\ufeff"
_INDENTS = [(2, 4, 2), (2, 2, 0), (4, 6, 4), (4, 4, 0), (2, 4, 0), (4, 4, 2)]
"""(mapping, sequence, offset) layouts tried, most common first; the one that writes the
file back unchanged is used."""


class EditError(Exception):
    """An edit refused: ``message`` says why, ``findings`` where (nothing was written)."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


# ---------------------------------------------------------------------------------------------
# Reading and writing


class _Dossier:
    """A dossier loaded for editing: the round-trip data and how to write it back."""

    def __init__(self, path: Path, file: str):
        self.path, self.file = path, file
        if not path.is_file():
            raise EditError(f"{file}: 文件不存在")
        try:
            load(path, file)  # the project's own loader: the same safety checks and messages
            text = read_text(path, file)
        except LoadError as exc:
            raise EditError("档案无法读取,请先修正", [exc.finding]) from None
        self.bom = path.read_bytes().startswith(BOM.encode())
        self.original = text
        try:
            self.yaml, self.data, self.reformatted = _round_trip(text)
        except (ruamel.yaml.YAMLError, ValueError) as exc:  # what PyYAML reads, ruamel not
            mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
            line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            finding = Finding(
                file=file,
                line=line,
                column=column,
                message="编辑命令读不懂这里的写法(例如值后面的制表符),请改成普通写法后重试",
                code="edit.unreadable",
            )
            raise EditError("档案无法在保留格式的前提下修改,文件未改动", [finding]) from None
        if not isinstance(self.data, CommentedMap):
            raise EditError(f"{file}: 档案的顶层应为一组字段")

    def dump(self) -> str:
        buf = io.StringIO()
        self.yaml.dump(self.data, buf)
        return buf.getvalue()


def _yaml(mapping: int, sequence: int, offset: int) -> YAML:
    y = YAML()  # round-trip
    y.preserve_quotes = True
    y.width = 4096  # never fold a long line
    y.indent(mapping=mapping, sequence=sequence, offset=offset)
    # One value given twice (the same date as 整改完成 and 销号) is written twice, not as an
    # anchor and an alias (&id001, *id001), which the loader refuses.
    y.representer.ignore_aliases = lambda data: True
    return y


def _round_trip(text: str) -> tuple[YAML, Any, int]:
    """The YAML object whose layout reproduces ``text``, the data, and how many lines it
    would reformat (0 for the usual files)."""
    best: tuple[int, YAML, Any] | None = None
    for layout in _INDENTS:
        y = _yaml(*layout)
        data = y.load(text)
        buf = io.StringIO()
        y.dump(data, buf)
        if buf.getvalue() == text:
            return y, data, 0
        changed = sum(
            a != b for a, b in zip(buf.getvalue().splitlines(), text.splitlines(), strict=False)
        )
        if best is None or changed < best[0]:
            best = (changed, y, data)
    assert best is not None
    return best[1], best[2], best[0]


def check(
    text: str, target: Path, records: Path, *, file: str, today: datetime.date | None = None
) -> list[Finding]:
    """The validator's errors for ``text`` as the content of ``target`` (not yet written).

    Inside ``records/<district>/`` the file is checked as part of the tree (its name and
    folder, its district file, its id unique across the tree); elsewhere, on its own.
    """
    records = records.resolve()
    target = target.resolve()
    inside = target.parent.parent == records and target.suffix == ".yaml"
    with tempfile.TemporaryDirectory(prefix="xiaoan-edit-") as tmp:
        root = Path(tmp) / "records"
        if inside:
            folder = root / target.parent.name
            folder.mkdir(parents=True)
            district = target.parent / DISTRICT_FILE
            if district.is_file():
                shutil.copyfile(district, folder / DISTRICT_FILE)
            probe = folder / target.name
        else:
            root.mkdir()
            probe = Path(tmp) / "dossier.yaml"
        probe.write_text(text, encoding="utf-8")
        result = pipeline.validate(root, [probe], today=today, display=lambda _: file)
    found = [f for f in result.findings if f.severity == "error"]
    if inside:
        for other in sorted(records.glob(f"*/{target.name}")):
            if other.resolve() != target:
                found.append(
                    Finding(
                        file=file, code="tree.duplicate-id", path="/profile/id",
                        message=f"学校编号“{target.stem}”已被 {other.parent.name}/{other.name} "
                        "使用:全市学校编号必须唯一",
                    )
                )  # fmt: skip
    return found


def _save(doc: _Dossier, records: Path, today: datetime.date | None) -> None:
    text = doc.dump()
    problems = check(text, doc.path, records, file=doc.file, today=today)
    if problems:
        raise EditError("修改后的档案没有通过校验,文件未改动", problems)
    atomic_write(doc.path, (BOM if doc.bom else "") + text)


# ---------------------------------------------------------------------------------------------
# Keeping comments where they belong


def _slot(ca_items: dict, key: Any) -> list:
    return ca_items.setdefault(key, [None, None, None, None])


def _last_block(node: Any) -> bool:
    return (
        isinstance(node, (CommentedMap, CommentedSeq))
        and len(node) > 0
        and not node.fa.flow_style()
    )


def _take_tail(node: Any) -> CommentToken | None:
    """Detach the comment (or blank lines) that follow the last value of ``node``: ruamel
    hangs it on the deepest last key or item, though it belongs to what comes next."""
    if isinstance(node, CommentedMap) and node:
        last = next(reversed(node))
        if _last_block(node[last]) and (token := _take_tail(node[last])):
            return token
        slot = node.ca.items.get(last)
        if slot and len(slot) > 2 and slot[2] is not None:
            token, slot[2] = slot[2], None
            return token
    elif isinstance(node, CommentedSeq) and node:
        last = len(node) - 1
        if _last_block(node[last]) and (token := _take_tail(node[last])):
            return token
        slot = node.ca.items.get(last)
        if slot and slot[0] is not None:
            token, slot[0] = slot[0], None
            return token
    return None


def _peek_tail(node: Any) -> str:
    token = _take_tail(node)
    if token is None:
        return ""
    _put_tail(node, token)
    return token.value


def _put_tail(node: Any, token: CommentToken | None) -> None:
    """Hang ``token`` after the last value of ``node`` (where :func:`_take_tail` found it)."""
    if token is None:
        return
    if isinstance(node, CommentedMap) and node:
        last = next(reversed(node))
        if _last_block(node[last]):
            return _put_tail(node[last], token)
        _slot(node.ca.items, last)[2] = token
    elif isinstance(node, CommentedSeq) and node:
        last = len(node) - 1
        if _last_block(node[last]):
            return _put_tail(node[last], token)
        _slot(node.ca.items, last)[0] = token


def _blank_line() -> CommentToken:
    return CommentToken("\n\n", CommentMark(0), None)


def _append(seq: CommentedSeq, item: Any, index: int | None = None) -> None:
    """Insert ``item`` at ``index`` (default: the end) in the style of its neighbours."""
    index = len(seq) if index is None else index
    if seq and isinstance(item, CommentedMap) and isinstance(seq[-1], CommentedMap):
        if seq[-1].fa.flow_style():
            item.fa.set_flow_style()
        else:
            item.fa.set_block_style()
    if index < len(seq):
        seq.insert(index, item)
        return
    spaced = len(seq) >= 2 and _peek_tail(seq[-2]).startswith("\n\n")
    flow = isinstance(item, CommentedMap) and item.fa.flow_style()
    tail = _take_tail(seq)
    seq.append(item)
    if spaced and not flow:  # the items are separated by blank lines: so is the new one
        _put_tail(seq[-2], _blank_line())
    _put_tail(seq, tail)


def _set(mapping: CommentedMap, key: str, value: Any, path: tuple) -> None:
    """Set ``key``, a new key taking its place in the schema's order of fields."""
    if key in mapping:
        mapping[key] = value
        return
    order = list((schema.at(path) or {}).get("properties", {}))
    rank = order.index(key) if key in order else len(order)
    pos = len(mapping)
    for i, existing in enumerate(mapping):
        if existing in order and order.index(existing) > rank:
            pos = i
            break
    if pos == len(mapping):
        tail = _take_tail(mapping)
        mapping.insert(pos, key, value)
        _put_tail(mapping, tail)
    else:
        mapping.insert(pos, key, value)


def _section(doc: _Dossier, key: str) -> CommentedSeq:
    """The list ``key`` of the dossier, made a block list (created if missing)."""
    value = doc.data.get(key)
    if isinstance(value, CommentedSeq):
        if not value:
            value.fa.set_block_style()
        return value
    if value is not None:
        raise EditError(f"{doc.file}: “{schema.place((key,))}”({key})应为列表,请先修正")
    seq = CommentedSeq()
    _set(doc.data, key, seq, ())
    return seq


def _item(fields: dict[str, Any], path: tuple) -> CommentedMap:
    """A new list item with ``fields`` (``None`` values left out) in the schema's order."""
    order = list((schema.at(path) or {}).get("properties", {}))
    item = CommentedMap()
    for key in sorted(
        (k for k, v in fields.items() if v is not None),
        key=lambda k: order.index(k) if k in order else len(order),
    ):
        value = fields[key]
        item[key] = _nested(value) if isinstance(value, dict) else value
    return item


def _nested(value: dict) -> CommentedMap:
    out = CommentedMap()
    for k, v in value.items():
        if v is not None:
            out[k] = v
    return out


# ---------------------------------------------------------------------------------------------
# Hazards


def next_hazard_id(hazards: list, found: datetime.date) -> str:
    """``H-<year found>-<next number>``, three digits, unique in the list."""
    taken = {str(h.get("id")) for h in hazards if isinstance(h, dict)}
    numbers = [
        int(m.group(2))
        for h in taken
        if (m := re.fullmatch(r"H-(\d{4})-(\d+)", h)) and int(m.group(1)) == found.year
    ]
    n = max(numbers, default=0) + 1
    while f"H-{found.year}-{n:03d}" in taken:
        n += 1
    return f"H-{found.year}-{n:03d}"


def add_hazard(
    path: Path, fields: dict[str, Any], *, records: Path, file: str | None = None,
    today: datetime.date | None = None,
) -> str:  # fmt: skip
    """Register a hazard (id given or the next free one); return its id."""
    doc = _Dossier(path, file or str(path))
    hazards = _section(doc, "hazards")
    fields = dict(fields)
    if not fields.get("id"):
        fields["id"] = next_hazard_id(hazards, fields["found"])
    elif any(isinstance(h, dict) and h.get("id") == fields["id"] for h in hazards):
        raise EditError(f"{doc.file}: 隐患编号“{fields['id']}”已存在,请换一个编号(或不写,自动编号)")
    _append(hazards, _item(fields, ("hazards", 0)))
    _save(doc, records, today)
    return fields["id"]


def close_hazard(
    path: Path, hazard_id: str, *, rectified: datetime.date | None, closed: datetime.date,
    verifier: str, records: Path, file: str | None = None, today: datetime.date | None = None,
) -> None:  # fmt: skip
    """Write off (销号) a hazard: status 已销号, with the rectified and closing days and the
    verifier; ``rectified`` may be left out when the hazard already has it. The hazard stays
    in the list."""
    doc = _Dossier(path, file or str(path))
    hazards = doc.data.get("hazards") or []
    found = [
        i for i, h in enumerate(hazards) if isinstance(h, CommentedMap) and h.get("id") == hazard_id
    ]
    if not found:
        known = (
            "、".join(str(h.get("id")) for h in hazards if isinstance(h, dict))
            or "(隐患清单是空的)"
        )
        raise EditError(f"{doc.file}: 没有编号为“{hazard_id}”的隐患;已有:{known}")
    i = found[0]
    h = hazards[i]
    if h.get("status") == CLOSED:
        raise EditError(
            f"{doc.file}: 隐患 {hazard_id} 已于 {h.get('closed', '?')} 销号,无需再次销号"
        )
    if rectified is None and h.get("rectified") is None:
        raise EditError(f"{doc.file}: 隐患 {hazard_id} 还没有整改完成日期,请用 --rectified 写明")
    path_ = ("hazards", i)
    _set(h, "status", CLOSED, path_)
    if rectified is not None:
        _set(h, "rectified", rectified, path_)
    _set(h, "closed", closed, path_)
    _set(h, "verifier", verifier, path_)
    _save(doc, records, today)


# ---------------------------------------------------------------------------------------------
# Drills


def add_drill(
    path: Path, fields: dict[str, Any], *, records: Path, file: str | None = None,
    today: datetime.date | None = None,
) -> int:  # fmt: skip
    """Record a drill, in date order among the others; return its position (1-based)."""
    doc = _Dossier(path, file or str(path))
    drills = _section(doc, "drills")
    day = fields["date"]
    index = len(drills)
    for i, d in enumerate(drills):
        other = _as_date(d.get("date")) if isinstance(d, dict) else None
        if other is not None and other > day:
            index = i
            break
    _append(drills, _item(fields, ("drills", 0)), index)
    _save(doc, records, today)
    return index + 1


def _as_date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        return None


# ---------------------------------------------------------------------------------------------
# A new school


def _scalar(value: Any) -> str:
    """One value as YAML text, quoted where YAML would read it as something else."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6)
    return text.removesuffix("\n...\n").rstrip("\n")


SKELETON = """\
# {name} 安全档案
# {district_name} · 一校一档。由学校安全管理员维护,区教育局审核人批准合并即为审核确认。
# 由 xiaoan new school 于 {today} 生成;请按实际情况补全各部分(xiaoan validate 可检查)。
# 提醒:本档案不得录入任何学生个人信息。

schema_version: 1

# ---- 学校基本信息 ----
profile:
  id: {id}
  name: {name_}
  district: {district}
  stage: {stage}
  ownership: {ownership}
  boarding: {boarding}
  students: {students}
  staff: {staff}
  address: {address}

# ---- 责任清单 ----
# 安全工作领导小组(校长任组长)、安全管理代表、未成年人保护专职干部、岗位责任书、定期会商
responsibilities: {{}}

# ---- 风险清单 ----
# 辨识出的风险点及管控措施,作为风险公告在校门口和网站公示
risks: []

# ---- 隐患清单 / 整改清单 ----
# 用 xiaoan hazard add 登记隐患,xiaoan hazard close 销号;已销号的隐患保留在台账中,不删除
hazards: []

# ---- 应急演练记录 ----
# 用 xiaoan drill add 补录每次演练
drills: []

# ---- 人防、物防、技防台账 ----
# 以下是初始值(均为“没有”),请按学校实际情况修改;保安员证号、设备点位等不公开
devices:
  guards: []
  duty_24h: false
  patrols_per_day: 0
  closed_campus: false
  anti_collision:
    installed: false
  video:
    cameras: 0
    storage_days: 0
    linked_police: false
  one_key_alarm:
    installed: false
    linked_police: false

# ---- 一校一警 ----
# 与校门口公示牌内容一致
police:
  officer: {officer}
  station: {station}
  duty_phone: {duty_phone}
"""


def new_school(
    records: Path, *, district: str, school_id: str, name: str, stage: str, ownership: str,
    boarding: bool, students: int, staff: int, address: str, officer: str, station: str,
    duty_phone: str, today: datetime.date | None = None, display: Callable[[Path], str] = str,
) -> Path:  # fmt: skip
    """Write ``records/<district>/<school_id>.yaml``: a minimal valid dossier with Chinese
    comments. Refuses an existing file, an unknown district and an id used elsewhere."""
    for what, value in (("区县编号", district), ("学校编号", school_id)):
        if not NAME.match(value):
            raise EditError(
                f"{what}“{value}”不合规:只能用小写字母、数字和连字符,例如 cg-shiyan-xiaoxue"
            )
    folder = records / district
    district_file = folder / DISTRICT_FILE
    if not district_file.is_file():
        raise EditError(f"找不到区县“{district}”:{display(folder)} 中没有 {DISTRICT_FILE}")
    target = folder / f"{school_id}.yaml"
    if target.exists():
        raise EditError(f"{display(target)} 已存在:不会覆盖已有档案")
    try:
        district_name = load(district_file, display(district_file)).data.get("name", district)
    except (LoadError, AttributeError):
        district_name = district
    given = {"--name": name, "--address": address, "--officer": officer, "--station": station,
             "--duty-phone": duty_phone}  # fmt: skip
    broken = [option for option, v in given.items() if "\n" in str(v)]
    if broken:
        raise EditError(f"{display(target)}:{'、'.join(broken)} 的值不能换行")
    today = today or datetime.date.today()
    text = SKELETON.format(
        id=school_id, name=name, name_=_scalar(name), district=district,
        district_name=district_name,
        stage=_scalar(stage), ownership=_scalar(ownership), boarding=_scalar(boarding),
        students=_scalar(students), staff=_scalar(staff), address=_scalar(address),
        officer=_scalar(officer), station=_scalar(station), duty_phone=_scalar(duty_phone),
        today=today.isoformat(),
    )  # fmt: skip
    problems = check(text, target, records, file=display(target), today=today)
    if problems:
        raise EditError("新档案没有通过校验,未写入", problems)
    atomic_write(target, text)
    return target
