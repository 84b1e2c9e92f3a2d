"""The bureau's tables — 统计表, 达标率, 问题和整改清单 — from real records evaluated as of a day,
opened as workbooks, CSV and JSON; public exports carry no private field."""

from __future__ import annotations

import csv
import datetime
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import BASE, REPO, TODAY, VALID, district, school
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

from generator.core.evaluate import evaluate
from generator.core.load import load
from generator.core.validate import validate_tree
from generator.exchange.export import district_tables, tables_json, write_csv, write_json
from generator.exchange.ledger_import import dossier_yaml
from generator.exchange.workbook import write_public_workbooks, write_workbook

AS_OF = datetime.date(2027, 1, 5)  # H-2026-002 (major, deadline 2026-12-31) is overdue
RULE_SET = "plan-003"


def make_tree(tmp_path: Path, change=None) -> Path:
    """Two districts, three schools (the valid examples), following rule set plan-003.

    ``change(data)`` may edit the fullest dossier (城关区实验小学) before it is written.
    """
    root = tmp_path / "records"
    for folder, name in (("chengguan", "城关区"), ("qiaobei", "桥北区")):
        (root / folder).mkdir(parents=True)
        text = district(folder, name).replace("rule_set: default", f"rule_set: {RULE_SET}")
        (root / folder / "_district.yaml").write_text(text, encoding="utf-8")
    data = load(BASE).data
    if change:
        change(data)
    (root / "chengguan" / "cg-shiyan-xiaoxue.yaml").write_text(dossier_yaml(data), encoding="utf-8")
    shutil.copy(VALID / "cg-qiaoxi-youeryuan.yaml", root / "chengguan")
    (root / "qiaobei" / "qb-di-yi-zhongxue.yaml").write_text(
        school(BASE.read_text(encoding="utf-8"), "qb-di-yi-zhongxue", "qiaobei"), encoding="utf-8"
    )
    return root


def run(root: Path, as_of: datetime.date = AS_OF):
    records = validate_tree(root, today=TODAY)
    assert records.ok, records.findings
    evaluation = evaluate(records, as_of)
    assert not evaluation.findings
    return records, evaluation


@pytest.fixture
def tree(tmp_path: Path):
    return run(make_tree(tmp_path))


def rows_of(table) -> list[dict]:
    return table.records()


# ---------------------------------------------------------------------------------------------
# The tables


def test_stats_table_has_a_row_per_school_and_totals(tree) -> None:
    stats, rates, hazards = district_tables(*tree)
    assert [stats.name, rates.name, hazards.name] == ["统计表", "达标率", "问题和整改清单"]
    rows = rows_of(stats)
    assert [r["school_id"] for r in rows[:3]] == [
        "cg-qiaoxi-youeryuan",
        "cg-shiyan-xiaoxue",
        "qb-di-yi-zhongxue",
    ]
    shiyan = rows[1]
    assert shiyan["district"] == "城关区" and shiyan["school"] == "城关区实验小学"
    assert shiyan["status"] == "重大隐患"
    assert (
        shiyan["hazards_open"],
        shiyan["hazards_overdue"],
        shiyan["hazards_major"],
        shiyan["hazards_closed"],
    ) == (1, 1, 1, 1)
    assert shiyan["drills_semester"] == 2  # 2026-09-20 and 2026-10-25, in the autumn semester
    assert (shiyan["guards"], shiyan["guards_full_time"]) == (2, 2)
    assert shiyan["one_key_alarm_linked"] is True and shiyan["video_linked"] is True
    assert shiyan["video_storage_days"] == 90 and shiyan["police_officer"] == "刘警官"
    assert (
        shiyan["findings"]
        == next(s for s in tree[1].schools if s.id == "cg-shiyan-xiaoxue").counts["errors"]
    )
    totals = rows[3:]
    assert stats.marks == [None, None, None, "total", "total", "total"]
    assert [t["school"] for t in totals] == [
        "城关区合计(共 2 所)",
        "桥北区合计(共 1 所)",
        "合计(共 3 所)",
    ]
    assert totals[0]["students"] == 180 + 1260
    assert totals[2]["hazards_overdue"] == 2
    assert totals[2]["one_key_alarm_linked"] == 3  # schools answering 是
    assert totals[0]["anti_collision"] == 1
    assert totals[2]["status"] == "重大隐患 2\n逾期 1"  # worst first


def test_drills_this_semester_follow_the_rule_sets_calendar(tmp_path: Path) -> None:
    # 2027-02-22 starts the spring semester of plan-003's calendar: the autumn drills drop out
    stats = district_tables(*run(make_tree(tmp_path), datetime.date(2027, 2, 23)))[0]
    assert rows_of(stats)[1]["drills_semester"] == 0
    # in the winter vacation the semester just ended still counts
    stats = district_tables(*run(make_tree(tmp_path / "b"), datetime.date(2027, 2, 1)))[0]
    assert rows_of(stats)[1]["drills_semester"] == 2


def test_rates_against_targets(tree) -> None:
    rates = rows_of(district_tables(*tree)[1])
    evaluation = tree[1]
    expected = [(d.id, r.id) for d in evaluation.districts for r in d.rates]
    assert len(rates) == len(expected) > 10
    on_time = next(
        r for r in rates if r["district"] == "城关区" and r["rate"] == "安全隐患限期消号率"
    )
    assert on_time["target"] == 0.95
    assert (
        on_time["numerator"] == 2 and on_time["denominator"] == 3
    )  # H-1, H-2026-001 on time; H-2026-002 overdue
    assert on_time["value"] == pytest.approx(2 / 3) and on_time["met"] == "未达标"
    assert on_time["source"] == "004 三(一)4"


def test_hazard_list_marks_overdue_rows(tree) -> None:
    hazards = district_tables(*tree)[2]
    rows = rows_of(hazards)
    assert [c.header for c in hazards.columns] == [
        "序号",
        "区县",
        "学校",
        "隐患编号",
        "发现日期",
        "来源",
        "类别",
        "部位",
        "问题",
        "等级",
        "整改措施",
        "责任人",
        "整改期限",
        "资金(元)",
        "资金来源及落实",
        "状态",
        "销号日期",
        "验收人",
        "逾期",
    ]
    assert len(rows) == 5 and [r["no"] for r in rows] == [1, 2, 3, 4, 5]
    major = rows[2]
    assert major["id"] == "H-2026-002" and major["school"] == "城关区实验小学"
    assert major["found"] == datetime.date(2026, 10, 15) and major["deadline"] == datetime.date(
        2026, 12, 31
    )
    assert major["source"] == "公安检查" and major["grade"] == "重大" and major["owner"] == "赵志强"
    assert major["funds"] == 48000 and major["funds_source"] == "区财政专项 · 已落实"
    assert major["description"].startswith("围墙一段约 10 米破损")
    assert major["overdue"] == "逾期"
    assert hazards.marks == [None, None, "overdue", None, "overdue"]


def test_hazards_as_they_stood_on_the_day(tmp_path: Path) -> None:
    # 2026-03-13: H-2026-001 was found (03-12) and closed only on 03-14; H-2026-002 not found yet
    hazards = district_tables(*run(make_tree(tmp_path), datetime.date(2026, 3, 13)))[2]
    rows = [r for r in rows_of(hazards) if r["school"] == "城关区实验小学"]
    assert [r["id"] for r in rows] == ["H-2026-001", "H-2026-001"]
    assert (
        rows[0]["status"] == "未销号" and rows[0]["closed"] is None and rows[0]["overdue"] is None
    )


def test_one_district(tree) -> None:
    stats, rates, hazards = district_tables(*tree, district="qiaobei")
    assert [r["school_id"] for r in rows_of(stats)] == ["qb-di-yi-zhongxue", None]
    assert {r["district"] for r in rows_of(rates)} == {"桥北区"}
    assert {r["school"] for r in rows_of(hazards)} == {"城关区实验小学"}  # the copy keeps its name
    assert "桥北区" in stats.subtitle and "城关区" not in stats.subtitle


# ---------------------------------------------------------------------------------------------
# The workbook


def column_width(ws, letter: str) -> float:
    """A column's width as the file gives it. Adjacent columns of one width are one
    ``<col min max>`` range, which openpyxl files under the range's first letter only."""
    n = column_index_from_string(letter)
    return next(d.width for d in ws.column_dimensions.values() if d.min <= n <= d.max)


def test_district_workbook_cells(tmp_path: Path, tree) -> None:
    book = write_workbook(tmp_path / "统计.xlsx", district_tables(*tree))
    wb = load_workbook(book)
    assert wb.sheetnames == ["统计表", "达标率", "问题和整改清单"]
    ws = wb["统计表"]
    assert ws["A1"].value == "校园安全相关情况统计表"
    assert "截至日期:2027-01-05" in ws["A2"].value
    header = [c.value for c in ws[3]]
    assert header[:5] == ["序号", "区县", "学校编号", "学校", "学段"]
    assert {
        "未销号隐患",
        "逾期隐患",
        "本学期演练次数",
        "保安员人数",
        "一键报警与公安联网",
        "视频监控与公安联网",
    } <= set(header)
    assert all(c.font.b for c in ws[3])
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == "A3:Y6"  # the schools, not the 合计 rows
    assert ws["D5"].value == "城关区实验小学" and ws["I5"].value == "重大隐患"
    assert ws["I5"].fill.fgColor.rgb.endswith("FF9999")
    assert ws["D9"].value == "合计(共 3 所)" and ws["D9"].font.b
    assert ws["G5"].value == "否"  # boarding, in Chinese
    assert column_width(ws, "D") >= 20
    rates = wb["达标率"]
    assert rates["E4"].number_format == "0.0%" and isinstance(rates["E4"].value, float)
    hz = wb["问题和整改清单"]
    assert hz["A1"].value == "安全检查问题和整改清单"
    assert hz.freeze_panes == "A4" and hz.auto_filter.ref == "A3:S8"
    row = [c.value for c in hz[6]]
    assert row[3] == "H-2026-002"
    assert isinstance(row[4], datetime.datetime) and row[4].date() == datetime.date(2026, 10, 15)
    assert hz["E6"].number_format == "yyyy-mm-dd"
    assert isinstance(row[12], datetime.datetime) and row[12].date() == datetime.date(2026, 12, 31)
    assert row[13] == 48000 and row[18] == "逾期"
    assert all(c.fill.fgColor.rgb.endswith("FFC7CE") for c in hz[6])
    assert not hz["A5"].fill.fgColor.rgb.endswith("FFC7CE")
    assert hz.page_setup.orientation == "landscape"


# ---------------------------------------------------------------------------------------------
# Public exports


CANARIES = {
    "description": "金丝雀问题描述",
    "location": "金丝雀隐患部位",
    "measures": "金丝雀整改措施",
    "interim_controls": "金丝雀临时管控",
    "owner": "金丝雀责任人",
    "watcher": "金丝雀盯防",
    "notes": "金丝雀备注",
}


def plant(data: dict) -> None:
    data["hazards"][1].update(CANARIES)
    data["devices"]["guards"][0]["phone"] = "13900001111"


def everything_in(path: Path) -> str:
    if path.is_dir():
        return "".join(everything_in(p) for p in sorted(path.rglob("*")) if p.is_file())
    if path.suffix == ".xlsx":
        import zipfile

        with zipfile.ZipFile(path) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    return path.read_text(encoding="utf-8-sig")


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_public_exports_leave_out_private_fields(tmp_path: Path, fmt: str) -> None:
    records, evaluation = run(make_tree(tmp_path, plant))
    out = {}
    for public in (False, True):
        tables = district_tables(records, evaluation, public=public)
        path = tmp_path / f"out-{public}.{fmt}"
        if fmt == "xlsx":
            write_workbook(path, tables)
        elif fmt == "csv":
            write_csv(path, tables)
        else:
            write_json(path, tables, evaluation.as_of)
        out[public] = everything_in(path)
    canaries = [*CANARIES.values()]
    assert all(c in out[False] for c in canaries if c not in ("金丝雀盯防", "金丝雀备注", "金丝雀临时管控"))
    assert not [c for c in canaries + ["13900001111"] if c in out[True]]
    assert "H-2026-002" in out[True] and "治安防范" in out[True]  # public facts stay


def test_public_hazard_list_columns(tree) -> None:
    hazards = district_tables(*tree, public=True)[2]
    headers = [c.header for c in hazards.columns]
    assert headers == [
        "序号",
        "区县",
        "学校",
        "隐患编号",
        "发现日期",
        "来源",
        "类别",
        "等级",
        "整改期限",
        "状态",
        "销号日期",
        "逾期",
    ]


def test_public_workbooks_for_the_site(tmp_path: Path) -> None:
    records, evaluation = run(make_tree(tmp_path, plant))
    written = write_public_workbooks(tmp_path / "site" / "downloads", records, evaluation)
    assert written.all == tmp_path / "site" / "downloads" / "all.xlsx"
    assert set(written.districts) == {"chengguan", "qiaobei"}
    assert (
        written.districts["qiaobei"]
        == tmp_path / "site" / "downloads" / "districts" / "qiaobei.xlsx"
    )
    assert set(written.schools) == {"cg-qiaoxi-youeryuan", "cg-shiyan-xiaoxue", "qb-di-yi-zhongxue"}
    for path in [written.all, *written.districts.values(), *written.schools.values()]:
        text = everything_in(path)
        assert not [c for c in [*CANARIES.values(), "13900001111"] if c in text], path
    wb = load_workbook(written.districts["qiaobei"])
    assert wb.sheetnames == ["统计表", "达标率", "问题和整改清单"]
    assert wb["统计表"]["D4"].value == "城关区实验小学"  # the qiaobei copy keeps its name
    school_book = load_workbook(written.schools["cg-shiyan-xiaoxue"])
    assert "隐患清单" in school_book.sheetnames and "责任清单" not in school_book.sheetnames


# ---------------------------------------------------------------------------------------------
# CSV and JSON


def test_csv_files_open_in_excel(tmp_path: Path, tree) -> None:
    written = write_csv(tmp_path / "csv", district_tables(*tree))
    assert [p.name for p in written] == ["统计表.csv", "达标率.csv", "问题和整改清单.csv"]
    raw = written[2].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese as UTF-8
    with written[2].open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:5] == ["序号", "区县", "学校", "隐患编号", "发现日期"]
    major = rows[3]
    assert major[3] == "H-2026-002" and major[4] == "2026-10-15" and major[12] == "2026-12-31"
    assert major[13] == "48000" and major[-1] == "逾期"
    with written[0].open(encoding="utf-8-sig", newline="") as fh:
        stats = list(csv.reader(fh))
    assert stats[2][6] == "否" and stats[-1][3] == "合计(共 3 所)"
    with written[1].open(encoding="utf-8-sig", newline="") as fh:
        rates = list(csv.reader(fh))
    assert rates[1][4].endswith("%") and rates[1][5] == "100.0%"


def test_csv_never_carries_a_formula(tmp_path: Path) -> None:
    def change(data):
        data["hazards"][1]["description"] = '=HYPERLINK("http://example.org","点我")'

    written = write_csv(tmp_path / "csv", district_tables(*run(make_tree(tmp_path, change))))
    text = written[2].read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text


def test_json_export(tmp_path: Path, tree) -> None:
    path = write_json(tmp_path / "out" / "export.json", district_tables(*tree), AS_OF)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["as_of"] == "2027-01-05"
    assert [t["name"] for t in data["tables"]] == ["统计表", "达标率", "问题和整改清单"]
    hazards = data["tables"][2]
    assert {"key": "deadline", "title": "整改期限", "kind": "date"} in hazards["columns"]
    major = hazards["rows"][2]
    assert (
        major["id"] == "H-2026-002"
        and major["deadline"] == "2026-12-31"
        and major["_mark"] == "overdue"
    )
    stats = data["tables"][0]["rows"]
    assert stats[1]["boarding"] is False and stats[-1]["_mark"] == "total"
    assert "城关区实验小学" in path.read_text(encoding="utf-8")  # not \u-escaped
    assert tables_json(district_tables(*tree), AS_OF) == data


# ---------------------------------------------------------------------------------------------
# The sample records


SAMPLE_ROOT = REPO / "records"


def test_sample_records_export(tmp_path: Path) -> None:
    records = validate_tree(SAMPLE_ROOT)
    assert records.ok and len(records.schools) >= 24
    evaluation = evaluate(records, datetime.date(2026, 11, 23))
    stats, rates, hazards = district_tables(records, evaluation)
    rows = rows_of(stats)
    assert len([m for m in stats.marks if m is None]) == len(records.schools)
    assert {r["status"] for r in rows if r["school_id"]} >= {"达标", "重大隐患", "逾期"}
    assert len(rows_of(hazards)) == sum(len(d.data["hazards"]) for d in records.schools)
    assert "overdue" in hazards.marks
    book = load_workbook(write_workbook(tmp_path / "all.xlsx", [stats, rates, hazards]))
    assert book["统计表"].max_row == 3 + len(rows)


# ---------------------------------------------------------------------------------------------
# The command


def xiaoan(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_export_command(tmp_path: Path) -> None:
    make_tree(tmp_path)
    done = xiaoan(
        "export", "xlsx", "--as-of", "2027-01-05", "--out", "报表/统计.xlsx", cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert (
        done.stdout.strip()
        == "已导出 3 所学校的统计表、达标率、问题和整改清单到 报表/统计.xlsx(截至 2027-01-05)"
    )
    wb = load_workbook(tmp_path / "报表" / "统计.xlsx")
    assert wb["问题和整改清单"]["S6"].value == "逾期"
    done = xiaoan(
        "export", "csv", "--district", "qiaobei", "--public", "--out", "csv", cwd=tmp_path
    )
    assert done.returncode == 0 and "(公开版)" in done.stdout
    assert (tmp_path / "csv" / "统计表.csv").read_text(encoding="utf-8-sig").count(
        "\n"
    ) == 3  # header, school, total
    done = xiaoan(
        "export", "json", "--school", "cg-shiyan-xiaoxue", "--out", "s.json", cwd=tmp_path
    )
    assert done.returncode == 0
    tables = json.loads((tmp_path / "s.json").read_text(encoding="utf-8"))["tables"]
    assert tables[0]["name"] == "学校基本信息" and tables[0]["rows"][2]["value"] == "城关区实验小学"
    done = xiaoan("export", "ics", "--as-of", "2026-11-23", "--out", "calendar", cwd=tmp_path)
    assert done.returncode == 0
    assert sorted(p.name for p in (tmp_path / "calendar").iterdir()) == [
        "cg-qiaoxi-youeryuan.ics",
        "cg-shiyan-xiaoxue.ics",
        "qb-di-yi-zhongxue.ics",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--school", "nobody"], "找不到学校“nobody”"),
        (["--district", "nowhere"], "找不到区县“nowhere”"),
        (["--school", "../x"], "学校编号“../x”不合规"),
        (["--as-of", "2026-02-30"], "“2026-02-30”不是有效日期"),
        (["--school", "cg-shiyan-xiaoxue", "--district", "chengguan"], "不能同时使用"),
    ],
)
def test_export_command_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    make_tree(tmp_path)
    done = xiaoan("export", "xlsx", *args, "--out", "x.xlsx", cwd=tmp_path)
    assert done.returncode == 2 and message in done.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_export_refuses_invalid_records(tmp_path: Path) -> None:
    root = make_tree(tmp_path)
    bad = root / "qiaobei" / "qb-di-yi-zhongxue.yaml"
    bad.write_text(
        bad.read_text(encoding="utf-8").replace("stage: 小学", "stage: 大学"), encoding="utf-8"
    )
    done = xiaoan("export", "xlsx", "--out", "x.xlsx", cwd=tmp_path)
    assert done.returncode == 1
    assert (
        "records/qiaobei/qb-di-yi-zhongxue.yaml" in done.stderr
        and "“大学”不是可选的值" in done.stderr
    )
    assert not (tmp_path / "x.xlsx").exists()
    # another district's problem does not block this one
    done = xiaoan("export", "xlsx", "--district", "chengguan", "--out", "x.xlsx", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
