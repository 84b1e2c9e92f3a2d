"""Terminal edits: round-trip YAML keeping comments and order, validated, written atomically."""

from __future__ import annotations

import datetime
import difflib
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from generator.authoring.edit import (
    EditError,
    _round_trip,
    add_drill,
    add_hazard,
    close_hazard,
    new_school,
)

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "records"
TODAY = datetime.date(2026, 11, 23)
D = datetime.date
HAZARD = {
    "found": D(2026, 11, 20), "source": "自查", "category": "消防安全", "grade": "一般",
    "description": "三楼灭火器压力不足。", "location": "教学楼三楼东侧", "owner": "金欣",
    "deadline": D(2026, 12, 20), "measures": "更换灭火器。", "immediate": False, "status": "整改中",
    "interim_controls": "临时增设两具灭火器。", "watcher": "孟瑞华",
}  # fmt: skip


@pytest.fixture
def records(tmp_path: Path) -> Path:
    root = tmp_path / "records"
    shutil.copytree(SAMPLE, root, ignore=shutil.ignore_patterns("README.md"))
    return root


def validate(path: Path, records: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "validate", str(path), "--records", str(records)],
        capture_output=True, text=True,
    )  # fmt: skip


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """Lines removed and lines added."""
    diff = list(difflib.ndiff(before.splitlines(), after.splitlines()))
    return [d[2:] for d in diff if d.startswith("- ")], [d[2:] for d in diff if d.startswith("+ ")]


def comments(text: str) -> list[str]:
    return [
        line.strip() for line in text.splitlines() if line.strip().startswith("#") or " # " in line
    ]


@pytest.mark.parametrize("path", sorted(SAMPLE.glob("*/*.yaml")), ids=lambda p: p.name)
def test_every_sample_file_round_trips_unchanged(path):
    _, _, reformatted = _round_trip(path.read_text(encoding="utf-8"))
    assert reformatted == 0


def test_adding_a_hazard_keeps_comments_and_order(records):
    path = records / "chengguan" / "cg-dier-zhongxue.yaml"
    before = path.read_text(encoding="utf-8")
    new_id = add_hazard(path, HAZARD, records=records, today=TODAY)
    after = path.read_text(encoding="utf-8")
    assert new_id == "H-2026-003"
    removed, added = changes(before, after)
    assert removed == []
    added = [line for line in added if line]
    assert added[0] == "  - id: H-2026-003" and added[-1] == "    watcher: 孟瑞华"
    assert comments(after) == comments(before)
    # the new hazard sits in the hazard list, a blank line apart like the others, before the
    # next section's heading
    block = after[after.index("  - id: H-2026-003") :]
    assert block.split("\n\n# ---- 应急演练记录 ----\n", 1)[0].count("  - id:") == 1
    assert (
        "    notes: 施工方案已报区教育局备案,计划12月上旬利用两个周末施工。\n\n  - id: H-2026-003"
        in after
    )
    # keys in the schema's order
    keys = [line.split(":")[0].strip() for line in block.splitlines()[1:14]]
    assert keys == ["found", "source", "location", "description", "category", "grade", "immediate",
                    "status", "measures", "owner", "deadline", "interim_controls",
                    "watcher"]  # fmt: skip
    assert validate(path, records).returncode == 0


def test_closing_a_hazard_adds_its_dates_in_place(records):
    path = records / "chengguan" / "cg-dier-zhongxue.yaml"
    before = path.read_text(encoding="utf-8")
    close_hazard(
        path,
        "H-2026-002",
        rectified=D(2026, 11, 21),
        closed=D(2026, 11, 22),
        verifier="王振东",
        records=records,
        today=TODAY,
    )
    after = path.read_text(encoding="utf-8")
    removed, added = changes(before, after)
    assert removed == ["    status: 整改中"]
    assert added == [
        "    status: 已销号",
        "    rectified: 2026-11-21",
        "    closed: 2026-11-22",
        "    verifier: 王振东",
    ]
    assert (
        "      secured: true\n    rectified: 2026-11-21\n    closed: 2026-11-22\n"
        "    verifier: 王振东\n    notes:" in after
    )
    assert validate(path, records).returncode == 0
    with pytest.raises(EditError, match="已于 2026-11-22 销号"):
        close_hazard(
            path,
            "H-2026-002",
            rectified=None,
            closed=D(2026, 11, 22),
            verifier="王",
            records=records,
            today=TODAY,
        )
    with pytest.raises(
        EditError, match="没有编号为“H-9”的隐患;已有:H-2025-001、H-2026-001、H-2026-002"
    ):
        close_hazard(
            path,
            "H-9",
            rectified=None,
            closed=D(2026, 11, 22),
            verifier="王",
            records=records,
            today=TODAY,
        )


def test_one_date_for_both_days_of_a_closing_is_written_twice(records):
    """The same date object as rectified and closed: ruamel wrote &id001 / *id001, which the
    loader refuses, so the edit failed."""
    path = records / "chengguan" / "cg-dier-zhongxue.yaml"
    day = D(2026, 11, 22)
    close_hazard(path, "H-2026-002", rectified=day, closed=day, verifier="王振东", records=records,
                 today=TODAY)  # fmt: skip
    after = path.read_text(encoding="utf-8")
    assert "    rectified: 2026-11-22\n    closed: 2026-11-22\n" in after and "&" not in after


def test_a_drill_goes_in_date_order_in_its_neighbours_style(records):
    path = records / "chengguan" / "cg-dier-zhongxue.yaml"
    before = path.read_text(encoding="utf-8")
    position = add_drill(
        path, {"date": D(2026, 11, 3), "kind": "防恐防暴", "scope": "全校", "participants": 1300},
        records=records, today=TODAY,
    )  # fmt: skip
    after = path.read_text(encoding="utf-8")
    assert position == 8
    removed, added = changes(before, after)
    assert removed == [] and added == [
        "  - {date: 2026-11-03, kind: 防恐防暴, scope: 全校, participants: 1300}"
    ]
    assert after.index("date: 2026-11-03") < after.index("date: 2026-11-13")
    assert validate(path, records).returncode == 0


def test_invalid_input_writes_nothing(records):
    path = records / "chengguan" / "cg-dier-zhongxue.yaml"
    before = path.read_bytes()
    folder = sorted(os.listdir(path.parent))
    with pytest.raises(EditError) as caught:
        add_drill(
            path, {"date": D(2026, 11, 3), "kind": "防恐", "scope": "全校", "participants": 10},
            records=records, file="records/chengguan/cg-dier-zhongxue.yaml", today=TODAY,
        )  # fmt: skip
    assert str(caught.value) == "修改后的档案没有通过校验,文件未改动"
    (f,) = caught.value.findings
    assert f.place == "应急演练 第8项 › 演练类型" and "是否应为“防恐防暴”" in f.message
    assert f.file == "records/chengguan/cg-dier-zhongxue.yaml"
    with pytest.raises(EditError) as caught:
        add_drill(
            path,
            {"date": D(2026, 12, 1), "kind": "防恐防暴", "scope": "全校", "participants": 10},
            records=records,
            today=TODAY,
        )
    assert "不能晚于今天(2026-11-23)" in caught.value.findings[0].message
    missing = {k: v for k, v in HAZARD.items() if k != "watcher"}
    with pytest.raises(EditError) as caught:
        add_hazard(path, missing, records=records, today=TODAY)
    assert "盯防人员" in caught.value.findings[0].message
    assert path.read_bytes() == before
    assert sorted(os.listdir(path.parent)) == folder  # no temp file left behind


def test_an_empty_list_becomes_a_block_list_and_a_bom_is_kept(records):
    path = records / "chengguan" / "cg-mingde-xuexiao.yaml"
    text = path.read_text(encoding="utf-8")
    assert "\ndrills: []\n" in text
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    add_drill(
        path,
        {"date": D(2026, 11, 3), "kind": "消防疏散", "scope": "全校", "participants": 800},
        records=records,
        today=TODAY,
    )
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    after = raw.decode("utf-8-sig")
    assert (
        "\ndrills:\n  - date: 2026-11-03\n    kind: 消防疏散\n    scope: 全校\n"
        "    participants: 800\n" in after
    )
    assert changes(text, after)[0] == ["drills: []"]


def test_another_indentation_style_is_kept(records):
    """Lists written flush with their key (``drills:\n- date: …``) stay that way."""
    path = records / "chengguan" / "cg-dier-zhongxue.yaml"
    y, data, _ = _round_trip(path.read_text(encoding="utf-8"))
    y.indent(mapping=2, sequence=2, offset=0)
    with path.open("w", encoding="utf-8") as fh:
        y.dump(data, fh)
    before = path.read_text(encoding="utf-8")
    assert "\ndrills:\n- {date: 2026-03-12" in before
    add_drill(
        path,
        {"date": D(2026, 11, 20), "kind": "消防疏散", "scope": "全校", "participants": 9},
        records=records,
        today=TODAY,
    )
    removed, added = changes(before, path.read_text(encoding="utf-8"))
    assert removed == [] and added == [
        "- {date: 2026-11-20, kind: 消防疏散, scope: 全校, participants: 9}"
    ]


def test_file_mode_is_kept(records):
    path = records / "chengguan" / "cg-dier-zhongxue.yaml"
    path.chmod(0o640)
    add_hazard(path, HAZARD, records=records, today=TODAY)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_new_school_is_valid_and_has_chinese_comments(records):
    path = new_school(
        records, district="chengguan", school_id="cg-xinhua-xiaoxue", name="城关区新华小学",
        stage="小学", ownership="公办", boarding=False, students=600, staff=45,
        address="临河市城关区新华路: 8号", officer="张警官", station="城关派出所",
        duty_phone="0317-5550000", today=TODAY,
    )  # fmt: skip
    assert path == records / "chengguan" / "cg-xinhua-xiaoxue.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# 城关区新华小学 安全档案\n# 城关区 · 一校一档")
    assert "address: '临河市城关区新华路: 8号'" in text
    assert validate(path, records).returncode == 0
    # then filled from the terminal
    add_hazard(
        path,
        {**HAZARD, "immediate": True, "interim_controls": None, "watcher": None},
        records=records,
        today=TODAY,
    )
    add_drill(
        path,
        {"date": D(2026, 11, 3), "kind": "消防疏散", "scope": "全校", "participants": 600},
        records=records,
        today=TODAY,
    )
    assert validate(path, records).returncode == 0
    assert "# 用 xiaoan drill add 补录每次演练\ndrills:\n  - date: 2026-11-03" in path.read_text(
        encoding="utf-8"
    )


def test_a_new_school_is_refused_when_it_clashes(records):
    common = {
        "stage": "小学", "ownership": "公办", "boarding": False, "students": 1, "staff": 1,
        "address": "某路1号", "officer": "张", "station": "某所", "duty_phone": "0317-5550000",
        "today": TODAY,
    }  # fmt: skip
    with pytest.raises(EditError, match="已存在"):
        new_school(records, district="chengguan", school_id="cg-diyi-xiaoxue", name="甲", **common)
    with pytest.raises(EditError, match="找不到区县“nowhere”"):
        new_school(records, district="nowhere", school_id="nw-xiaoxue", name="甲", **common)
    with pytest.raises(EditError) as caught:
        new_school(records, district="hexi", school_id="cg-diyi-xiaoxue", name="甲", **common)
    assert "已被 chengguan/cg-diyi-xiaoxue.yaml 使用" in caught.value.findings[0].message
    with pytest.raises(EditError) as caught:
        new_school(
            records, district="hexi", school_id="hx-jia", name="甲", **{**common, "stage": "大学"}
        )
    assert "“大学”不是可选的值" in caught.value.findings[0].message
    assert not (records / "hexi" / "hx-jia.yaml").exists()
    with pytest.raises(EditError, match=r"hx-jia\.yaml:--address 的值不能换行"):
        new_school(records, district="hexi", school_id="hx-jia", name="甲",
                   **{**common, "address": "某路\n1号"})  # fmt: skip
    assert not (records / "hexi" / "hx-jia.yaml").exists()


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", *args], cwd=cwd, capture_output=True, text=True
    )


def test_the_commands(records):
    top = records.parent
    file = "records/qingshan/qs-shiyan-xiaoxue.yaml"
    done = run(
        "hazard", "add", file, "--found", "2026-11-20", "--source", "联合检查",
        "--category", "校舍安全", "--grade", "重大", "--description", "外墙瓷砖空鼓。",
        "--location", "北教学楼", "--owner", "总务主任",
        "--deadline", "2027-03-31", "--measures", "拆除重做。", "--status", "整改中",
        "--interim-controls", "设隔离带。", "--watcher", "值班教师", "--funds-amount", "386000",
        "--funds-secured", "--plan", "寒假施工。", cwd=top,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout == f"已登记隐患 H-2026-003 到 {file}\n"
    assert "    funds:\n      amount: 386000\n      secured: true\n" in (top / file).read_text(
        encoding="utf-8"
    )
    done = run(
        "hazard",
        "close",
        file,
        "H-2026-003",
        "--rectified",
        "2026-11-22",
        "--closed",
        "2026-11-23",
        "--verifier",
        "陈占山",
        cwd=top,
    )
    assert done.returncode == 0, done.stderr
    done = run(
        "drill",
        "add",
        file,
        "--date",
        "2026-11-20",
        "--kind",
        "消防疏散",
        "--participants",
        "900",
        "--seconds",
        "110",
        cwd=top,
    )
    assert done.returncode == 0, done.stderr
    assert validate(top / file, records).returncode == 0


@pytest.mark.parametrize("amount", ["inf", "-inf", "nan", "1e999", "-5"])
def test_funds_amount_is_a_finite_number(records, amount):
    """``--funds-amount inf`` was written as .inf and crashed ``export xlsx`` (issue 14 #3)."""
    top = records.parent
    file = "records/qingshan/qs-shiyan-xiaoxue.yaml"
    before = (top / file).read_bytes()
    done = run(
        "hazard", "add", file, "--found", "2026-11-20", "--source", "自查",
        "--category", "校舍安全", "--grade", "一般", "--description", "墙皮脱落。",
        "--deadline", "2027-03-31", "--funds-amount", amount, cwd=top,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "不是有效的金额" in done.stderr and "Traceback" not in done.stderr
    assert (top / file).read_bytes() == before


def test_a_dossier_validate_accepts_but_ruamel_cannot_read_is_refused_in_chinese(records):
    """A trailing tab after a value: PyYAML reads it, ruamel's scanner did not (issue 14 #7)."""
    top = records.parent
    file = "records/qingshan/qs-shiyan-xiaoxue.yaml"
    path = top / file
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("schema_version: 1\n", "schema_version: 1\t\n"), encoding="utf-8")
    before = path.read_bytes()
    assert validate(path, records).returncode == 0
    for args in (
        ("hazard", "close", file, "H-2026-001", "--rectified", "2026-11-22", "--closed",
         "2026-11-23", "--verifier", "陈占山"),
        ("drill", "add", file, "--date", "2026-11-20", "--kind", "消防疏散", "--participants", "9"),
    ):  # fmt: skip
        done = run(*args, cwd=top)
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr and f"{file}:" in done.stderr
        assert "编辑命令读不懂这里的写法" in done.stderr
        assert path.read_bytes() == before


def test_command_errors_are_chinese_and_write_nothing(records):
    top = records.parent
    file = "records/qingshan/qs-shiyan-xiaoxue.yaml"
    before = (top / file).read_bytes()
    done = run(
        "drill",
        "add",
        file,
        "--date",
        "2026-13-01",
        "--kind",
        "消防疏散",
        "--participants",
        "9",
        cwd=top,
    )
    assert done.returncode == 2 and "不是有效日期" in done.stderr
    done = run(
        "drill",
        "add",
        file,
        "--date",
        "2026-11-20",
        "--kind",
        "消防",
        "--participants",
        "9",
        cwd=top,
    )
    assert done.returncode == 1
    assert (
        f"{file}:" in done.stderr and "应急演练" in done.stderr and "Traceback" not in done.stderr
    )
    assert done.stderr.strip().endswith("错误:修改后的档案没有通过校验,文件未改动")
    done = run("hazard", "add", file, "--found", "2026-11-20", cwd=top)
    assert done.returncode == 2 and "缺少" in done.stderr
    done = run(
        "hazard",
        "close",
        "records/qingshan/nope.yaml",
        "H-1",
        "--closed",
        "2026-11-20",
        "--verifier",
        "甲",
        cwd=top,
    )
    assert done.returncode == 1 and "文件不存在" in done.stderr
    assert (top / file).read_bytes() == before
