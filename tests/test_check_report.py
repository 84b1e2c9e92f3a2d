"""`xiaoan check` and `xiaoan coverage`: every format, exit codes, named files, the cache."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator import ROOT
from generator.cli import main
from generator.core.cache import cache_file

RECORDS = ROOT.parent / "records"
AS_OF = "2026-11-23"
MAJOR = "hexi/hx-dier-zhongxue.yaml"


@pytest.fixture(autouse=True)
def cache_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("XIAOAN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    """A copy of the sample records, with the current folder above it."""
    shutil.copytree(RECORDS, tmp_path / "records")
    monkeypatch.chdir(tmp_path)
    return tmp_path / "records"


def check(*args: str):
    return CliRunner().invoke(main, ["check", "--as-of", AS_OF, *args])


def test_text_lists_findings_with_lines_and_sources(tree):
    result = check()
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert (
        "records/hexi/hx-dier-zhongxue.yaml:151:5: error: 隐患清单 第3项: 重大隐患 H-2026-002(校舍安全)尚未销号"
        "(状态:整改中,整改期限 2027-03-31)(依据:000 二(一)3; 003 三(三); 安全生产事故隐患排查治理暂行规定"
        "(安监总局令16号)第三条)"
    ) in lines
    assert "重大隐患:hx-dier-zhongxue 河西区第二中学(隐患)" in lines
    assert (
        lines[-1] == "27 所学校(截至 2026-11-23):重大隐患 1 所、逾期 10 所、待整改 6 所、达标 10 所"
    )
    assert any(
        line.startswith("河西区(longhua)未达标:") and "一键报警和视频监控与公安联网率" in line
        for line in lines
    )


def test_json_shape(tree):
    result = check("--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["as_of"] == AS_OF and len(data["schools"]) == 27 and len(data["districts"]) == 3
    school = next(s for s in data["schools"] if s["id"] == "hx-dier-zhongxue")
    assert school["status"] == "重大隐患" and school["categories"]["隐患"] == "重大隐患"
    assert (
        school["findings"][0]["code"] == "hazard.major_open"
        and school["findings"][0]["line"] == 151
    )
    assert data["findings"] == []


def test_github_annotations(tree):
    result = check("--format", "github", f"records/{MAJOR}")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines[0].startswith(
        "::error file=records/hexi/hx-dier-zhongxue.yaml,line=151,col=5,title=隐患清单 第3项::重大隐患 H-2026-002"
    )
    assert lines[1].startswith("::warning file=records/hexi/hx-dier-zhongxue.yaml,line=193,")
    assert lines[-1] == "::notice title=学校状态::1 所学校(截至 2026-11-23):重大隐患 1 所"


def test_markdown_summary_for_a_reviewer(tree):
    result = check("--format", "markdown")
    assert result.exit_code == 0
    md = result.stdout
    assert md.startswith("### 安全档案检查结果(截至 2026-11-23)\n")
    assert "| 🔴 重大隐患 | 河西区第二中学(`hx-dier-zhongxue`) | hexi | 隐患 | 1 | 1 |" in md
    assert "#### 河西区 达标率(规则集 `longhua`,9 所学校)" in md
    assert "| 一键报警和视频监控与公安联网率 | 88.9%(8/9) | 100% | 未达标 | 004 三(一)4; 001 五(四) |" in md
    assert "| 校园周边重大隐患整治率 | — | 100% | — | 004 三(二)4(校园周边治安复杂场所、治安乱点) |" in md
    assert "### 问题清单" in md and "hazard.major_open" in md


def test_named_files_only_list_those_schools_but_rates_use_the_tree(tree, cache_dir):
    full = json.loads(check("--format", "json").stdout)
    assert cache_file(tree).is_file()  # the whole-tree run left its summaries
    one = json.loads(check("--format", "json", f"records/{MAJOR}").stdout)
    assert [s["id"] for s in one["schools"]] == ["hx-dier-zhongxue"]
    assert one["districts"] == full["districts"]
    shutil.rmtree(cache_dir)  # cold: every other school read again, same answer
    assert (
        json.loads(check("--format", "json", f"records/{MAJOR}").stdout)["districts"]
        == full["districts"]
    )
    assert (
        json.loads(check("--format", "json", "--no-cache", f"records/{MAJOR}").stdout)["districts"]
        == full["districts"]
    )


def test_the_cache_notices_a_changed_file(tree):
    check("--format", "json")
    other = tree / "qingshan" / "qs-nanshan-zhongxue.yaml"  # overdue hazard: close it
    text = other.read_text(encoding="utf-8")
    assert "status: 整改中" in text
    before = json.loads(check("--format", "json", f"records/{MAJOR}").stdout)["districts"]
    other.write_text(
        text.replace("    deadline: 2026-10-31\n", "    deadline: 2027-10-31\n"), encoding="utf-8"
    )
    after = json.loads(check("--format", "json", f"records/{MAJOR}").stdout)["districts"]
    counts = {d["id"]: d["status_counts"] for d in after}
    assert (
        counts["qingshan"]["逾期"]
        == {d["id"]: d["status_counts"] for d in before}["qingshan"]["逾期"] - 1
    )
    assert after == json.loads(check("--format", "json", "--no-cache").stdout)["districts"]


def test_the_summaries_of_one_day_serve_the_days_they_hold_on(tree):
    """Another day reuses each summary whose window holds it and evaluates the others anew;
    the rates come out as without the cache."""
    check("--format", "json")
    entries = lambda: json.loads(cache_file(tree).read_text("utf-8"))["entries"]  # noqa: E731
    before = entries()
    ends = sorted({e["summary"]["next_change"] for e in before.values()})
    day = ends[0]  # some schools change on this day, the others hold on it
    held = {k for k, e in before.items() if e["summary"]["next_change"] > day}
    assert held and held != set(before)
    named = ["check", "--as-of", day, "--format", "json", f"records/{MAJOR}"]
    one = json.loads(CliRunner().invoke(main, named).stdout)
    after = entries()
    assert {k for k in before if after.get(k) == before[k]} == held
    assert all(e["summary"]["valid_from"] <= day < e["summary"]["next_change"] for e in after.values())  # fmt: skip
    cold = CliRunner().invoke(main, ["check", "--as-of", day, "--format", "json", "--no-cache"])
    assert one["districts"] == json.loads(cold.stdout)["districts"]


def test_text_with_named_files_skips_district_rates(tree):
    result = check(f"records/{MAJOR}", "records/qingshan")
    assert result.exit_code == 0
    assert "未达标" not in result.stdout
    assert result.stdout.splitlines()[-1].startswith("9 所学校(截至 2026-11-23):重大隐患 1 所")


@pytest.mark.parametrize(
    "fail_on, path, code",
    [
        ("never", MAJOR, 0),
        ("error", MAJOR, 1),
        ("warning", MAJOR, 1),
        ("error", "hexi/hx-yucai-xuexiao.yaml", 0),  # only a warning (a slow evacuation)
        ("warning", "hexi/hx-yucai-xuexiao.yaml", 1),
        ("error", "hexi/hx-shiyan-xiaoxue.yaml", 0),
        ("warning", "hexi/hx-shiyan-xiaoxue.yaml", 0),
    ],
)
def test_fail_on(tree, fail_on, path, code):
    assert check("--fail-on", fail_on, f"records/{path}").exit_code == code


def test_an_invalid_dossier_is_reported_and_exits_1(tree):
    path = tree / "hexi" / "hx-shiyan-xiaoxue.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("stage: 小学", "stage: 大学"), encoding="utf-8"
    )
    result = check()
    assert result.exit_code == 1
    assert (
        "records/hexi/hx-shiyan-xiaoxue.yaml:" in result.stdout
        and "“大学”不是可选的值" in result.stdout
    )
    assert result.stdout.splitlines()[-1].startswith("26 所学校")  # the others are still checked
    data = json.loads(check("--format", "json").stdout)
    assert [f["file"] for f in data["findings"]] == ["records/hexi/hx-shiyan-xiaoxue.yaml"]
    broken = tree / "hexi" / "hx-jiguan-youeryuan.yaml"
    broken.write_text("profile: [\n", encoding="utf-8")
    result = check(f"records/hexi/{broken.name}")
    assert result.exit_code == 1 and "YAML 格式错误" in result.stdout


def test_rules_option_and_as_of(tree):
    result = check("--rules", "jizhou", "--format", "json")
    assert {d["rule_set"] for d in json.loads(result.stdout)["districts"]} == {"jizhou"}
    earlier = CliRunner().invoke(main, ["check", "--as-of", "2026-11-09", f"records/{MAJOR}"])
    assert "重大隐患" not in earlier.stdout.splitlines()[-1]  # found on 2026-11-10


@pytest.mark.parametrize(
    "args, message",
    [
        (["--as-of", "2026-02-30"], "“2026-02-30”不是有效日期"),
        (["--as-of", "20261123"], "不是有效日期"),
        (
            ["--rules", "nowhere"],
            "--rules:未知的规则集“nowhere”;可用的规则集:jizhou、longhua、national、plan-001、plan-002、plan-003",
        ),
        (["--format", "xml"], "“xml”不是可选的值"),
        (["--fail-on", "sometimes"], "“sometimes”不是可选的值"),
        (["records/nowhere.yaml"], "文件或文件夹不存在"),
        (["--records", "nowhere"], "找不到档案文件夹 nowhere"),
    ],
)
def test_usage_errors_exit_2(tree, args, message):
    result = CliRunner().invoke(main, ["check", *args])
    assert result.exit_code == 2
    assert message in result.stderr and "Traceback" not in result.stderr


def test_coverage_command(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["coverage", "--check"])
    assert result.exit_code == 1 and "已过期" in result.stderr
    result = CliRunner().invoke(main, ["coverage"])
    assert result.exit_code == 0 and result.stdout == "已更新 docs/coverage.md\n"
    assert (tmp_path / "docs" / "coverage.md").read_text(encoding="utf-8") == (
        ROOT.parent / "docs" / "coverage.md"
    ).read_text(encoding="utf-8")
    assert CliRunner().invoke(main, ["coverage", "--check"]).exit_code == 0
    assert CliRunner().invoke(main, ["coverage"]).stdout == "无变化: docs/coverage.md\n"


def test_check_is_documented_in_help():
    result = CliRunner().invoke(main, ["check", "--help"])
    assert (
        result.exit_code == 0
        and "--fail-on" in result.stdout
        and "重大隐患、逾期、待整改、达标" in result.stdout
    )


def test_a_real_subprocess(tree):
    import subprocess
    import sys

    xiaoan = Path(sys.executable).parent / "xiaoan"
    done = subprocess.run(
        [str(xiaoan), "check", "--as-of", AS_OF, "--fail-on", "error", f"records/{MAJOR}"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tree.parent,
        timeout=120,
    )
    assert done.returncode == 1 and "重大隐患 H-2026-002" in done.stdout


def test_the_cache_key_covers_every_module_and_rule_set_of_the_pipeline(monkeypatch, tmp_path):
    """A change to any rule, rule set, schema or pipeline module must invalidate the cache
    (after the move into generator/core/ it once hashed nothing but the schemas)."""
    import shutil

    import generator
    from generator.core import cache as check_cache

    copy = tmp_path / "generator"
    shutil.copytree(generator.ROOT / "core", copy / "core")
    shutil.copytree(generator.SCHEMA_DIR, copy / "_schema")
    monkeypatch.setattr(check_cache, "ROOT", copy)
    check_cache.code_digest.cache_clear()
    before = check_cache.code_digest()
    for part in ("core/rules/drills.py", "core/rulesets/national.yaml", "core/evaluate.py"):
        check_cache.code_digest.cache_clear()
        path = copy / part
        path.write_bytes(path.read_bytes() + b"\n")
        assert check_cache.code_digest() != before, part
        before = check_cache.code_digest()
    check_cache.code_digest.cache_clear()
