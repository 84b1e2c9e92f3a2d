"""xiaoan diff: before and after a pull request, on real git repositories in tmp folders."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from gitrepos import REVIEWER, GitRepo, line_of

from generator.core.evaluate import INVALID
from generator.workflow.compare import ABSENT, compare

TODAY = date(2026, 11, 23)
DIYI = "records/chengguan/cg-diyi-xiaoxue.yaml"  # no drill in October: 逾期 (journey 1)
SHIYAN = "records/qingshan/qs-shiyan-xiaoxue.yaml"  # fully compliant
DIER = "records/chengguan/cg-dier-zhongxue.yaml"  # one open hazard, H-2026-002
OCTOBER_DRILL = (
    "drills:\n"
    "  - {date: 2026-10-15, kind: 地震疏散, scope: 全校, participants: 1490, "
    "evacuation_seconds: 120}\n"
)
MAJOR_HAZARD = """hazards:
  - id: H-2026-101
    found: 2026-11-20
    source: 联合检查
    location: 北教学楼外墙
    description: 外墙瓷砖空鼓,有脱落危险。
    category: 校舍安全
    grade: 重大
    immediate: false
    status: 整改中
    measures: 拆除空鼓瓷砖,重做外墙饰面。
    owner: 总务主任
    deadline: 2027-03-31
    funds: {amount: 386000, secured: true}
    plan: 寒假施工:拆除、基层处理、饰面。
    interim_controls: 楼下设隔离带,学生绕行。
    watcher: 值班教师
"""


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    """main with three schools, and a branch ``pr`` started from it."""
    r = GitRepo(tmp_path / "repo")
    r.sample("cg-diyi-xiaoxue", "qs-shiyan-xiaoxue", "cg-dier-zhongxue")
    r.commit("示例档案")
    r.branch("pr")
    return r


def run_diff(repo: GitRepo, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "diff", *args],
        cwd=repo.root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )  # fmt: skip


def diff(repo: GitRepo, base: str = "main", head: str = "pr"):
    return compare(repo.root, base, head, records=repo.root / "records", as_of=TODAY)


def school(result, file: str):
    (found,) = [s for s in result.schools if s.file == file]
    return found


def test_a_drill_added_turns_the_school_compliant(repo):
    """Journey 1: the October drill is recorded; the drill-frequency finding goes away."""
    repo.replace(DIYI, "drills:\n", OCTOBER_DRILL)
    repo.commit("补录10月演练")
    result = diff(repo)
    assert result.ok
    (s,) = result.schools
    assert (s.file, s.change) == (DIYI, "M")
    assert (s.status_before, s.status_after) == ("逾期", "达标")
    assert [f.code for f in s.findings_resolved] == ["drill.frequency"]
    assert s.findings_added == [] and s.problems == []


def test_the_summary_for_the_reviewer_is_markdown_in_chinese(repo):
    repo.replace(DIYI, "drills:\n", OCTOBER_DRILL)
    repo.commit("补录10月演练")
    done = run_diff(repo, "main", "pr", "--format", "markdown", "--as-of", "2026-11-23")
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("### 档案修改审核摘要")
    assert (
        "| 城关第一小学<br>`records/chengguan/cg-diyi-xiaoxue.yaml` | 修改 | 逾期 → 达标 |" in out
    )
    assert "✅ 已解决 应急演练:2026年10月没有应急疏散演练记录" in out
    assert "全部修改过的档案通过校验" in out


def test_an_invalid_change_is_annotated_on_heads_line_and_fails(repo):
    # a comment block at the top moves every line down: the annotation must use HEAD's lines
    repo.write(
        SHIYAN,
        "# 新增的说明\n# 第二行\n" + repo.read(SHIYAN).replace("stage: 小学", "stage: 小学校", 1),
    )
    repo.commit("改学段")
    done = run_diff(repo, "main", "pr", "--format", "github", "--as-of", "2026-11-23")
    assert done.returncode == 1
    line = line_of(repo.read(SHIYAN), "stage: 小学校")
    annotation = [x for x in done.stdout.splitlines() if x.startswith("::error")]
    assert annotation == [
        f"::error file={SHIYAN},line={line},col=10,title=学校基本信息 › 学段::“小学校”不是可选的值,"
        "应为以下之一:“幼儿园”、“小学”、“初中”、“高中”、“九年一贯制”、“完全中学”、“职业学校”或“特殊教育”"
        "(是否应为“小学”?)"
    ]
    assert "须先修正才能合并" in done.stdout
    s = school(diff(repo), SHIYAN)
    assert s.invalid and s.status_after == INVALID and s.status_before == "达标"


def test_a_major_hazard_from_an_inspection_turns_the_school_red(repo):
    """Journey 2: the inspection's major hazard is registered."""
    repo.replace(SHIYAN, "hazards:\n", MAJOR_HAZARD)
    repo.commit("登记联合检查发现的重大隐患")
    result = diff(repo)
    s = school(result, SHIYAN)
    assert (s.status_before, s.status_after) == ("达标", "重大隐患")
    assert s.hazards_opened == ["H-2026-101"] and s.hazards_closed == []
    assert [(f.code, f.path) for f in s.findings_added] == [("hazard.major_open", "/hazards/0")]
    # the hazard inserted first moved the others down: their findings are not "new"
    assert s.findings_resolved == []
    annotations = [
        x for x in result_lines(repo, "github") if "hazard.major_open" in x or "重大隐患" in x
    ]
    assert annotations and annotations[0].startswith(
        f"::error file={SHIYAN},line={line_of(repo.read(SHIYAN), '- id: H-2026-101')}"
    )


def result_lines(repo: GitRepo, fmt: str) -> list[str]:
    return run_diff(
        repo, "main", "pr", "--format", fmt, "--as-of", "2026-11-23"
    ).stdout.splitlines()


def test_closing_a_hazard_and_deleting_one_are_reported(repo):
    text = (
        repo.read(DIER)
        .replace(
            "    status: 整改中\n    measures: 加高护栏",
            "    status: 已销号\n    measures: 加高护栏",
        )
        .replace(
            "    watcher: 孟瑞华\n    funds:",
            "    watcher: 孟瑞华\n    rectified: 2026-11-20\n    closed: 2026-11-21\n"
            "    verifier: 王振东\n    funds:",
        )
    )
    start = text.index("  - id: H-2026-001")
    end = text.index("  # 11月自查发现")
    repo.write(DIER, text[:start] + text[end:])  # H-2026-001 deleted: not allowed
    repo.commit("销号,并删了一条旧隐患")
    result = diff(repo)
    s = school(result, DIER)
    assert s.hazards_closed == ["H-2026-002"]
    assert s.hazards_removed == ["H-2026-001"]
    assert [f.code for f in s.findings_resolved] == ["hazard.open"]
    lines = result_lines(repo, "github")
    assert (
        f"::warning file={DIER},title=compare.hazard-removed::"
        "隐患 H-2026-001 被删除:已销号的隐患应保留在台账中,不得删除" in lines
    )
    assert any("⚠️ 被删除的隐患:H-2026-001" in x for x in result_lines(repo, "markdown"))


def test_only_changed_dossiers_are_checked(repo):
    # main already holds a broken dossier (another school's); the pull request does not touch it
    repo.switch("main")
    repo.replace(SHIYAN, "stage: 小学", "stage: 小学校")
    repo.commit("坏档案直接提交到主分支")
    repo.git("checkout", "-q", "-b", "pr2")
    repo.replace(DIYI, "drills:\n", OCTOBER_DRILL)
    repo.commit("补录10月演练")
    result = diff(repo, "main", "pr2")
    assert result.ok
    assert [s.file for s in result.schools] == [DIYI]


def test_the_comparison_starts_where_the_branch_left_main(repo):
    """main moves on and is merged into the branch: only the branch's own change is listed."""
    repo.replace(DIYI, "drills:\n", OCTOBER_DRILL)
    repo.commit("补录10月演练")
    repo.switch("main")
    repo.replace(SHIYAN, "students: ", "students: 1")
    repo.commit("另一所学校的修改,已合并")
    repo.switch("pr")
    repo.merge("main", "Merge branch 'main' into pr")
    result = diff(repo)
    assert [s.file for s in result.schools] == [DIYI]
    assert result.start == repo.git("rev-parse", "main")


def test_a_school_id_used_in_another_district_is_refused(repo):
    repo.write(
        "records/hexi/cg-diyi-xiaoxue.yaml",
        repo.read(DIYI).replace("district: chengguan", "district: hexi"),
    )
    repo.commit("复制了一所学校")
    result = diff(repo)
    s = school(result, "records/hexi/cg-diyi-xiaoxue.yaml")
    assert s.change == "A" and s.status_before == ABSENT
    assert [f.code for f in s.problems] == ["tree.duplicate-id"]
    assert DIYI in s.problems[0].message
    assert not result.ok


def test_a_deleted_school_and_a_district_file_change(repo):
    repo.git("rm", "-q", DIER)
    district = "records/chengguan/_district.yaml"
    repo.replace(district, "rule_set: plan-003", "rule_set: longhua")
    repo.replace(
        district,
        "  - account: cg-xiaoanban-liu\n    name: 刘雅琴\n",
        "  - account: cg-xiaoanban-zhou\n    name: 周敏\n",
    )
    repo.commit("撤并学校,改规则集和审核人")
    result = diff(repo)
    s = school(result, DIER)
    assert (s.change, s.status_after) == ("D", ABSENT)
    (d,) = result.districts
    assert (d.rule_set_before, d.rule_set_after) == ("plan-003", "longhua")
    assert (d.reviewers_added, d.reviewers_removed) == (["cg-xiaoanban-zhou"], ["cg-xiaoanban-liu"])
    text = "\n".join(result_lines(repo, "text"))
    assert (
        "规则集:plan-003 → longhua" in text
        and "审核人:新增 cg-xiaoanban-zhou,移除 cg-xiaoanban-liu" in text
    )


def test_json_and_the_summary_file(repo, tmp_path):
    repo.replace(DIYI, "drills:\n", OCTOBER_DRILL)
    repo.commit("补录10月演练", who=REVIEWER)
    summary = tmp_path / "summary.md"
    summary.write_text("之前的内容\n", encoding="utf-8")
    done = run_diff(
        repo, "main", "--format", "json", "--as-of", "2026-11-23", "--summary", str(summary)
    )
    assert done.returncode == 0  # HEAD defaults to the current branch, pr
    data = json.loads(done.stdout)
    assert data["schools"][0]["status_before"] == "逾期" and data["ok"] is True
    assert summary.read_text(encoding="utf-8").startswith("之前的内容\n### 档案修改审核摘要")


def test_no_change_to_records(repo):
    repo.write("README.md", "说明\n")
    repo.commit("只改说明")
    done = run_diff(repo, "main", "pr", "--as-of", "2026-11-23")
    assert done.returncode == 0
    assert "本次修改没有涉及档案文件" in done.stdout


def test_usage_errors_are_chinese(repo, tmp_path):
    done = run_diff(repo, "origin/nope", "pr")
    assert done.returncode == 2
    assert "找不到版本“origin/nope”" in done.stderr and "Traceback" not in done.stderr
    outside = tmp_path / "plain"
    outside.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "generator", "diff", "main"],
        cwd=outside,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2 and "不在 git 仓库中" in done.stderr


def test_every_section_lists_what_was_added_removed_and_changed(repo):
    text = repo.read(DIER).replace(
        "drills:\n", "drills:\n  - {date: 2026-11-20, kind: 消防疏散, scope: 全校, participants: 1370}\n", 1
    )
    repo.write(DIER, text.replace("evacuation_seconds: 109}", "evacuation_seconds: 108}"))
    repo.commit("登记11月演练,改了5月演练的用时")
    (s,) = diff(repo).schools
    (drills,) = [c for c in s.sections if c.section == "drills"]
    assert (drills.title, drills.added, drills.removed) == ("应急演练", ["2026-11-20 消防疏散"], [])
    assert drills.changed == ["2026-05-13 地震疏散"]
    # a drill already held is the record: rewriting it is an error, adding one is not
    assert [f.code for f in s.ledger] == ["compare.past-drill-changed"]
    assert "已举行的演练 2026-05-13 地震疏散 被改写" in s.ledger[0].message
    out = run_diff(repo, "main", "pr", "--as-of", "2026-11-23").stdout
    assert "应急演练:新增 2026-11-20 消防疏散;修改 2026-05-13 地震疏散" in out


@pytest.mark.parametrize("fmt", ["text", "github", "markdown", "json"])
def test_deleting_a_closed_hazard_fails_in_every_format(repo, fmt):
    text = repo.read(DIER)
    start = text.index("  - id: H-2026-001")
    end = text.index("  # 11月自查发现")
    repo.write(DIER, text[:start] + text[end:])
    repo.commit("删了一条已销号的隐患")
    done = run_diff(repo, "main", "pr", "--format", fmt, "--as-of", "2026-11-23")
    assert done.returncode == 1, done.stdout
    assert "全部修改过的档案通过校验" not in done.stdout
    assert "已销号的隐患 H-2026-001 被删除" in done.stdout
    if fmt == "github":
        assert f"::error file={DIER},title=compare.closed-hazard-removed::" in done.stdout


def test_fail_on_error_fails_on_a_new_error_finding(repo):
    repo.replace(SHIYAN, "hazards:\n", MAJOR_HAZARD)
    repo.commit("登记联合检查发现的重大隐患")
    plain = run_diff(repo, "main", "pr", "--as-of", "2026-11-23", "--format", "github")
    strict = run_diff(repo, "main", "pr", "--as-of", "2026-11-23", "--format", "github",
                      "--fail-on", "error")  # fmt: skip
    assert "::error" in plain.stdout and "::error" in strict.stdout
    assert (plain.returncode, strict.returncode) == (0, 1)
