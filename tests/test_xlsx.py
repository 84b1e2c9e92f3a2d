"""The Excel 台账: written as a real spreadsheet, read back into the same dossier, and every
kind of bad cell refused with its sheet, row and column — writing nothing."""

from __future__ import annotations

import copy
import datetime
import os
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import BASE, REPO, VALID
from openpyxl import load_workbook

from generator.core.load import load, parse
from generator.exchange.export import ledger_layout
from generator.exchange.ledger_import import (
    MAX_BYTES,
    LedgerError,
    describe,
    dossier_yaml,
    import_ledger,
    read_ledger,
)
from generator.exchange.workbook import ledger_sheets, template_sheets, write_workbook

SAMPLES = sorted(p for p in (REPO / "records").glob("*/*.yaml") if not p.name.startswith("_"))
DOSSIERS = sorted(p for p in VALID.glob("*.yaml") if not p.name.startswith("_")) + SAMPLES


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def export(tmp_path: Path, data: dict, name: str = "台账.xlsx", **kw) -> Path:
    return write_workbook(tmp_path / name, ledger_sheets(data, **kw))


def records_tree(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    (root / "chengguan").mkdir(parents=True)
    (root / "chengguan" / "_district.yaml").write_text(
        (VALID / "_district.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    return root


@pytest.fixture
def base() -> dict:
    return load(BASE).data


# ---------------------------------------------------------------------------------------------
# Round trip


@pytest.mark.parametrize("path", DOSSIERS, ids=_id)
def test_round_trip_gives_the_same_dossier(tmp_path: Path, path: Path) -> None:
    data = load(path).data
    book = export(tmp_path, data)
    assert read_ledger(book)[0] == data
    out = import_ledger(book, tmp_path / "out" / path.name)
    again = load(out)
    assert again.data == data
    assert list(again.data) == [k for k in again.data]  # plain dict, schema order below
    assert not list(tmp_path.glob("out/.*"))  # no temp file left behind


def test_there_are_sample_records_to_round_trip() -> None:
    assert len(SAMPLES) >= 24


def test_an_empty_list_and_a_missing_list_stay_apart(tmp_path: Path, base: dict) -> None:
    data = copy.deepcopy(base)
    data["school_buses"] = []
    data.pop("special_equipment")
    book = export(tmp_path, data)
    ws = load_workbook(book)["校车"]
    assert ws["A3"].value == "无"
    got = read_ledger(book)[0]
    assert got["school_buses"] == [] and "special_equipment" not in got
    assert got == data


def test_imported_yaml_is_readable(tmp_path: Path, base: dict) -> None:
    out = import_ledger(export(tmp_path, base), tmp_path / "x.yaml")
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# 城关区实验小学 安全档案")
    assert "start: '07:20'" in text and "end: '17:20'" in text  # times quoted
    assert "name: 城关区实验小学" in text  # Chinese as is, not \u escapes
    assert "\n\nhazards:\n  - id: H-2026-001\n" in text  # sections apart, lists indented
    assert "found: 2026-03-12\n" in text  # dates plain, as people write them
    keys = [line.split(":")[0] for line in text.splitlines() if line and line[0].isalpha()]
    assert keys[:4] == ["schema_version", "profile", "responsibilities", "risks"]
    assert yaml.safe_load(text)["police"]["escort_posts"][1]["end"] == "17:20"


def test_default_place_is_the_schools_file_under_records(tmp_path: Path, base: dict) -> None:
    root = records_tree(tmp_path)
    out = import_ledger(export(tmp_path, base), records=root)
    assert out == root / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    assert load(out).data == base


def test_unknown_district_is_refused(tmp_path: Path, base: dict) -> None:
    data = copy.deepcopy(base)
    data["profile"]["district"] = "nowhere"
    root = records_tree(tmp_path)
    with pytest.raises(LedgerError) as err:
        import_ledger(export(tmp_path, data), records=root)
    assert "区县“nowhere”" in str(err.value)
    assert "工作表“学校基本信息” 第6行 B列(所属区县)" in str(err.value)
    assert not (root / "nowhere").exists()


def test_cells_typed_by_hand_are_understood(tmp_path: Path, base: dict) -> None:
    book = export(tmp_path, base)
    wb = load_workbook(book)
    ws = wb["隐患清单"]
    ws["B3"] = "2026年3月12日"  # found: a date written in Chinese
    ws["J3"] = "√"  # immediate: a tick for yes
    ws["O4"] = "48,000"  # funds: a number typed with a thousands separator
    wb["护学岗"]["B3"] = datetime.time(7, 20)  # a time typed into Excel
    wb["月报"]["A3"] = datetime.datetime(2026, 10, 1)  # a month Excel turned into a date
    wb["应急演练"]["D3"] = 1320.0  # an integer stored as a float
    wb.save(book)
    assert read_ledger(book)[0] == base


# ---------------------------------------------------------------------------------------------
# The workbook itself


def test_ledger_workbook_is_a_real_spreadsheet(tmp_path: Path, base: dict) -> None:
    wb = load_workbook(export(tmp_path, base))
    assert wb.sheetnames[0] == "说明"
    assert wb.sheetnames[1:] == [s.name for s in ledger_layout()]
    ws = wb["隐患清单"]
    assert ws["A1"].value == "隐患清单 — 城关区实验小学"
    assert [c.value for c in ws[2]][:4] == ["隐患编号", "发现日期", "隐患来源", "检查记录"]
    assert all(c.font.b for c in ws[2])
    assert ws.freeze_panes == "A3"
    assert ws.auto_filter.ref == "A2:Y4"
    assert ws["A3"].value == "H-2026-001"
    found = ws["B3"]
    assert isinstance(found.value, datetime.datetime) and found.value.date() == datetime.date(
        2026, 3, 12
    )
    assert found.number_format == "yyyy-mm-dd"
    assert ws["J3"].value == "是"  # booleans in Chinese
    assert ws["O4"].value == 48000
    assert ws.column_dimensions["G"].width >= 30  # a long text column is wide
    lists = {str(dv.sqref): dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["K3:K502"] == '"发现,登记,整改中,待验收,已销号"'
    assert ws["B2"].comment.text.startswith("发现隐患的日期")
    form = wb["学校基本信息"]
    assert [c.value for c in form[2]] == ["项目", "内容", "说明"]
    assert form["A3"].value == "档案格式版本" and form["B3"].value == 1
    assert form["A5"].value == "学校名称" and form["B5"].value == "城关区实验小学"
    assert form.freeze_panes == "B3"
    risks = wb["风险清单"]
    assert risks["F3"].value == "河道沿线设置警示牌和护栏\n每周开展一次防溺水安全教育"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path, base: dict) -> None:
    data = copy.deepcopy(base)
    data["hazards"][1]["notes"] = '=HYPERLINK("http://example.org")'
    book = export(tmp_path, data)
    cell = load_workbook(book)["隐患清单"]["Y4"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert read_ledger(book)[0] == data


def test_a_stamped_workbook_is_the_same_bytes_every_time(tmp_path: Path, base: dict) -> None:
    stamp = datetime.date(2020, 1, 2)  # not today: no clock time may get into the file
    first = write_workbook(tmp_path / "a.xlsx", ledger_sheets(base), stamp=stamp)
    again = write_workbook(tmp_path / "b.xlsx", ledger_sheets(base), stamp=stamp)
    assert first.read_bytes() == again.read_bytes()
    with zipfile.ZipFile(first) as z:
        times = {info.date_time for info in z.infolist()}
        core = z.read("docProps/core.xml").decode()
    assert len(times) == 1 and datetime.date(*next(iter(times))[:3]) != datetime.date.today()
    assert core.count("2020-01-02T00:00:00Z") == 2  # created and modified
    props = load_workbook(first).properties
    assert props.creator == "xiaoan 校安档案" and props.title == "学校安全档案台账 — 填写说明"
    assert props.created == datetime.datetime(2020, 1, 2)
    now = datetime.datetime.now(datetime.UTC).replace(tzinfo=None)
    unstamped = load_workbook(write_workbook(tmp_path / "c.xlsx", ledger_sheets(base)))
    assert abs(unstamped.properties.created - now) < datetime.timedelta(minutes=5)


def test_a_failed_write_leaves_the_old_file_and_no_temp_file(
    tmp_path: Path, base: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    book = export(tmp_path, base)
    before = book.read_bytes()
    tables = ledger_sheets(base)
    tables[-1].add([object()] * len(tables[-1].columns))  # no cell can hold this
    with pytest.raises(TypeError):
        write_workbook(book, tables)

    def full(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("generator.core.files.os.replace", full)
    with pytest.raises(OSError):
        write_workbook(book, ledger_sheets(base))
    assert book.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [book.name]


def test_workbook_and_imported_dossier_are_world_readable(tmp_path: Path, base: dict) -> None:
    """A web server running as another user must read a published workbook (issue 14 #5)."""
    old = os.umask(0o022)
    try:
        book = export(tmp_path, base)
        out = import_ledger(book, tmp_path / "x.yaml")
    finally:
        os.umask(old)
    assert stat.S_IMODE(book.stat().st_mode) == 0o644
    assert stat.S_IMODE(out.stat().st_mode) == 0o644


def test_template_has_every_sheet_headers_and_a_guide(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "模板.xlsx", template_sheets())
    wb = load_workbook(book)
    assert wb.sheetnames == ["说明"] + [s.name for s in ledger_layout()]
    guide = wb["说明"]
    text = "\n".join(str(c.value) for row in guide.iter_rows() for c in row if c.value)
    assert "xiaoan import xlsx" in text and "不得录入任何学生个人信息" in text
    assert "隐患清单" in text
    ws = wb["隐患清单"]
    assert [c.value for c in ws[2]][:2] == ["隐患编号", "发现日期"]
    assert ws.max_row == 2  # headers only
    assert ws["A2"].font.color.rgb.endswith("C00000")  # required: red
    assert wb["学校基本信息"]["A5"].value == "学校名称"
    assert wb["学校基本信息"]["B5"].value is None


def test_empty_template_does_not_import(tmp_path: Path) -> None:
    book = write_workbook(tmp_path / "模板.xlsx", template_sheets())
    with pytest.raises(LedgerError) as err:
        import_ledger(book, tmp_path / "out.yaml")
    assert not (tmp_path / "out.yaml").exists()
    assert any("学校编号" in describe(f) for f in err.value.findings)


def test_filled_template_imports(tmp_path: Path, base: dict) -> None:
    """A school fills the template by hand (here: copies its values in) and imports it."""
    filled = write_workbook(tmp_path / "filled.xlsx", ledger_sheets(base))
    book = write_workbook(tmp_path / "模板.xlsx", template_sheets())
    src, dst = load_workbook(filled), load_workbook(book)
    for ws in src.worksheets[1:]:
        for row in ws.iter_rows(min_row=3):
            for cell in row:
                if ws.title in (
                    "学校基本信息",
                    "责任清单",
                    "人防物防技防台账",
                    "一校一警",
                    "食堂",
                    "危险化学品",
                ):
                    if cell.column != 2:
                        continue
                dst[ws.title].cell(row=cell.row, column=cell.column, value=cell.value)
    dst.save(book)
    assert read_ledger(book)[0] == base


# ---------------------------------------------------------------------------------------------
# Bad cells: each refused with its sheet, row and column, and nothing written


def _break(book: Path, change) -> None:
    wb = load_workbook(book)
    change(wb)
    wb.save(book)


BAD_CELLS = {
    "bad-date": (
        lambda wb: wb["隐患清单"].__setitem__("B3", "2026-13-01"),
        "工作表“隐患清单” 第3行 B列(发现日期)",
        "“2026-13-01”不是有效的日期",
        "xlsx.date",
    ),
    "unknown-enum": (
        lambda wb: wb["隐患清单"].__setitem__("K4", "已完成"),
        "工作表“隐患清单” 第4行 K列(状态)",
        "“已完成”不是可选的值,可选:发现、登记、整改中、待验收、已销号",
        "xlsx.enum",
    ),
    "text-in-number": (
        lambda wb: wb["应急演练"].__setitem__("D4", "约一千三百人"),
        "工作表“应急演练” 第4行 D列(参加人数)",
        "应填写整数,而不是“约一千三百人”",
        "xlsx.number",
    ),
    "fraction-in-integer": (
        lambda wb: wb["人防物防技防台账"].__setitem__("B4", 5.5),
        "工作表“人防物防技防台账” 第4行 B列(每日巡查次数)",
        "应填写整数,而不是“5.5”",
        "xlsx.number",
    ),
    "bad-yes-no": (
        lambda wb: wb["保安员"].__setitem__("D3", "也许"),
        "工作表“保安员” 第3行 D列(专职)",
        "应填写“是”或“否”",
        "xlsx.bool",
    ),
    "missing-required-column": (
        lambda wb: wb["隐患清单"].delete_cols(2),
        "工作表“隐患清单” 第2行",
        "缺少必填列“发现日期”",
        "xlsx.missing-column",
    ),
    "duplicated-id": (
        lambda wb: wb["隐患清单"].__setitem__("A4", "H-2026-001"),
        "工作表“隐患清单” 第4行 A列(隐患编号)",
        "编号“H-2026-001”与第3行重复",
        "xlsx.duplicate-id",
    ),
    "unknown-column": (
        lambda wb: wb["应急演练"].__setitem__("J2", "天气"),
        "工作表“应急演练” 第2行 J列",
        "无法识别的列名“天气”",
        "xlsx.unknown-column",
    ),
    "unknown-sheet": (
        lambda wb: wb.create_sheet("草稿"),
        "工作表“草稿”",
        "无法识别的工作表",
        "xlsx.unknown-sheet",
    ),
    "missing-sheet": (
        lambda wb: wb.remove(wb["应急演练"]),
        "工作表“应急演练”",
        "缺少这个工作表",
        "xlsx.missing-sheet",
    ),
    "closed-without-verifier": (  # found by the project's validator, pointed back at the cell
        lambda wb: wb["隐患清单"].__setitem__("W3", None),
        "工作表“隐患清单” 第3行 W列(验收人)",
        "状态为“已销号”时必须填写“验收人”",
        "schema.required",
    ),
    "bad-phone": (  # a pattern the validator checks, on a form sheet
        lambda wb: wb["一校一警"].__setitem__("B6", "打110"),
        "工作表“一校一警” 第6行 B列(值班电话)",
        "“打110”格式不对",
        "schema.pattern",
    ),
    "unknown-risk": (  # a reference checked inside the dossier
        lambda wb: wb["隐患清单"].__setitem__("X4", "R-99"),
        "工作表“隐患清单” 第4行 X列(关联风险)",
        "编号“R-99”在风险清单中不存在",
        "record.reference",
    ),
}


@pytest.mark.parametrize("case", BAD_CELLS)
def test_bad_cell_is_named_and_nothing_is_written(tmp_path: Path, base: dict, case: str) -> None:
    change, where, message, code = BAD_CELLS[case]
    book = export(tmp_path, base)
    _break(book, change)
    out = tmp_path / "out" / "cg-shiyan-xiaoxue.yaml"
    out.parent.mkdir()
    out.write_text("old: true\n", encoding="utf-8")
    with pytest.raises(LedgerError) as err:
        import_ledger(book, out, file="台账.xlsx")
    lines = [describe(f) for f in err.value.findings]
    assert any(line.startswith(where + ":") and message in line for line in lines), lines
    assert code in {f.code for f in err.value.findings}
    assert all(f.file == "台账.xlsx" for f in err.value.findings)
    assert out.read_text(encoding="utf-8") == "old: true\n"
    assert sorted(p.name for p in out.parent.iterdir()) == [out.name]


def test_every_problem_is_reported_at_once(tmp_path: Path, base: dict) -> None:
    book = export(tmp_path, base)

    def change(wb):
        wb["隐患清单"]["B3"] = "昨天"
        wb["应急演练"]["D3"] = "很多"

    _break(book, change)
    with pytest.raises(LedgerError) as err:
        read_ledger(book)
    assert len(err.value.findings) == 2


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (b"not a workbook", "x.xlsx"),
        (b"PK\x03\x04broken", "x.xlsx"),
        (b"\xd0\xcf\x11\xe0old", "x.xls"),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused(
    tmp_path: Path, content: bytes, name: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LedgerError) as err:
        read_ledger(path)
    message = str(err.value)
    assert "无法打开 Excel 文件" in message
    if name.endswith(".xls"):
        assert "另存为” .xlsx" in message


def _rewrite(book: Path, out: Path, change) -> Path:
    """``book`` copied to ``out`` with ``change(name, data) -> data`` applied to each part."""
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info)))
    return out


ENTITY = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>'


def huge_cell() -> bytes:
    return b"<si><t>" + b"A" * 60_000_000 + b"</t></si>"  # compressed, a few tens of KB


@pytest.mark.parametrize(
    ("change", "words", "code"),
    [
        (  # a DTD entity: was a ParseError traceback (issue 14 #8)
            lambda name, data: ENTITY + data.split(b"?>", 1)[1]
            if name == "xl/worksheets/sheet1.xml" else data,
            "XML 实体或 DTD 声明",
            "xlsx.unsafe",
        ),
        (  # a part that is not well-formed XML
            lambda name, data: data[:-20] if name == "xl/worksheets/sheet1.xml" else data,
            "无法打开 Excel 文件",
            "xlsx.unreadable",
        ),
        (  # 60 MB of one cell, compressed to little: refused before it is read
            lambda name, data: data.replace(b"</sst>", huge_cell() + b"</sst>")
            if name == "xl/sharedStrings.xml" else data,
            "解压后有",
            "xlsx.too-large",
        ),
    ],
    ids=["entity", "malformed", "unpacked-size"],
)
def test_a_hostile_workbook_is_refused_in_one_chinese_line(
    tmp_path: Path, base: dict, change, words: str, code: str
) -> None:
    book = _rewrite(export(tmp_path, base), tmp_path / "bad.xlsx", change)
    assert book.stat().st_size < MAX_BYTES
    with pytest.raises(LedgerError) as err:
        read_ledger(book)
    [finding] = err.value.findings
    assert finding.code == code and words in finding.message
    done = xiaoan("import", "xlsx", str(book), "--out", str(tmp_path / "x.yaml"), cwd=tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert words in done.stdout + done.stderr
    assert not (tmp_path / "x.yaml").exists()


def test_a_workbook_with_too_many_cells_is_refused(tmp_path: Path, base: dict) -> None:
    book = export(tmp_path, base)
    _break(book, lambda wb: wb["隐患清单"].__setitem__("ZZ2000", "x"))  # 702 × 2000 cells
    with pytest.raises(LedgerError) as err:
        read_ledger(book)
    assert "单元格,超过上限" in str(err.value)


# ---------------------------------------------------------------------------------------------
# The public workbook


CANARIES = {
    ("responsibilities", "safety_representative", "phone"): "13912345678",
    ("devices", "guards", 0, "certificate_no"): "CANARY-CERT-01",
    ("devices", "guards", 0, "name"): "金丝雀保安",
    ("hazards", 1, "description"): "金丝雀隐患描述",
    ("hazards", 1, "location"): "金丝雀部位",
    ("devices", "video", "locations"): ["金丝雀点位"],
    ("police", "officer_mobile"): "13987654321",
    ("risks", 0, "owner_phone"): "13911112222",
    ("chemicals", "store_location"): "金丝雀仓库",
}


def with_canaries(data: dict) -> dict:
    data = copy.deepcopy(data)
    for path, value in CANARIES.items():
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return data


def xlsx_text(path: Path) -> str:
    """Every XML part of a workbook, as text: cells, comments, drop-downs, properties."""
    with zipfile.ZipFile(path) as z:
        return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())


def canary_strings() -> list[str]:
    return [v[0] if isinstance(v, list) else v for v in CANARIES.values()]


def test_public_ledger_leaves_out_private_fields(tmp_path: Path, base: dict) -> None:
    data = with_canaries(base)
    private = export(tmp_path, data, "full.xlsx")
    public = export(tmp_path, data, "public.xlsx", public=True)
    assert all(c in xlsx_text(private) for c in canary_strings())  # the canaries are there…
    text = xlsx_text(public)
    assert not [c for c in canary_strings() if c in text]  # …and not in the public one
    wb = load_workbook(public)
    assert "责任清单" not in wb.sheetnames and "重点部位" not in wb.sheetnames
    headers = [c.value for c in wb["隐患清单"][2]]
    assert "隐患描述" not in headers and "整改期限" in headers
    assert "公开版" in "".join(
        str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value
    )


def test_dossier_yaml_parses_back(base: dict) -> None:
    assert parse(dossier_yaml(base), "x.yaml").data == base


def test_replacing_a_dossier_keeps_its_opening_comments(tmp_path: Path, base: dict) -> None:
    root = records_tree(tmp_path)
    target = root / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    target.write_text(
        "# 城关区实验小学 安全档案\n# 维护人:安全办\nschema_version: 1\n", encoding="utf-8"
    )
    import_ledger(export(tmp_path, base), records=root)
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# 城关区实验小学 安全档案\n# 维护人:安全办\nschema_version: 1\n")
    assert load(target).data == base


# ---------------------------------------------------------------------------------------------
# The commands


def xiaoan(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_import_command(tmp_path: Path, base: dict) -> None:
    root = records_tree(tmp_path)
    book = export(tmp_path, base)
    done = xiaoan("import", "xlsx", str(book), "--records", str(root), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    target = root / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    assert "已导入到 records/chengguan/cg-shiyan-xiaoxue.yaml" in done.stdout
    assert load(target).data == base
    before = target.read_bytes()
    _break(book, lambda wb: wb["隐患清单"].__setitem__("N4", "年底前"))
    done = xiaoan("import", "xlsx", "台账.xlsx", "--records", str(root), cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "台账.xlsx: error: 工作表“隐患清单” 第4行 N列(整改期限): “年底前”不是有效的日期"
        in done.stdout
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert target.read_bytes() == before


def test_import_command_usage_errors(tmp_path: Path) -> None:
    done = xiaoan("import", "xlsx", "nothing.xlsx", cwd=tmp_path)
    assert done.returncode == 2 and "nothing.xlsx: 文件不存在" in done.stderr
    done = xiaoan("import", "csv", "nothing.csv", cwd=tmp_path)
    assert done.returncode == 2 and "“csv”不是可选的值" in done.stderr


def test_template_command(tmp_path: Path) -> None:
    done = xiaoan("template", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    wb = load_workbook(tmp_path / "校安档案台账模板.xlsx")
    assert wb.sheetnames[:3] == ["说明", "学校基本信息", "责任清单"]
    done = xiaoan("template", "--out", "sub/模板.xlsx", cwd=tmp_path)
    assert done.returncode == 0 and (tmp_path / "sub" / "模板.xlsx").is_file()


def test_a_school_id_used_in_another_district_is_refused(tmp_path: Path, base: dict) -> None:
    root = records_tree(tmp_path)
    (root / "qiaobei").mkdir()
    (root / "qiaobei" / "cg-shiyan-xiaoxue.yaml").write_text(
        "schema_version: 1\n", encoding="utf-8"
    )
    with pytest.raises(LedgerError) as err:
        import_ledger(export(tmp_path, base), records=root)
    assert "工作表“学校基本信息” 第4行 B列(学校编号):学校编号“cg-shiyan-xiaoxue”已被" in str(
        err.value
    )
    assert not (root / "chengguan" / "cg-shiyan-xiaoxue.yaml").exists()
