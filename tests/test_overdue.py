"""The nightly flags (journey 3), on a real git history made in a tmp folder."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from gitrepos import REVIEWER, GitRepo, line_of

from generator.workflow.overdue import issue_body, overdue_report, write_issues

KINDERGARTEN = "records/chengguan/cg-xiangyang-youeryuan.yaml"  # untouched since 2026-07-08
SPRAY = "device.equipment_expired"
D = date


def codes(items) -> set[str]:
    return {i.code for i in items}


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.sample("cg-xiangyang-youeryuan")
    r.commit("示例档案", when="2026-07-08T17:00:00+08:00")
    return r


def chengguan(report):
    (d,) = [d for d in report.districts if d.id == "chengguan"]
    return d


def test_things_go_overdue_by_themselves(repo):
    """Nobody touches the kindergarten's file: its spray expires on 31 August, its third
    quarter passes without a drill; each shows as new on the first night it is late."""
    records = repo.path("records")
    first = chengguan(overdue_report(records, D(2026, 9, 1), since=D(2026, 8, 31)))
    assert SPRAY in codes(first.new)
    assert "hazard.overdue" in codes(first.items) - codes(first.new)  # late since 26 August
    assert "drill.frequency" not in codes(first.items)
    october = chengguan(overdue_report(records, D(2026, 10, 1), since=D(2026, 9, 30)))
    assert "drill.frequency" in codes(october.new)
    assert SPRAY in codes(october.items) - codes(october.new)
    assert october.resolved == []


def test_a_fix_merged_since_the_last_run_is_resolved(repo):
    repo.branch("spray")
    repo.replace(KINDERGARTEN, "expires: 2026-08-31", "expires: 2027-08-31")
    repo.commit("更换防卫喷雾", when="2026-10-09T15:00:00+08:00")
    repo.switch("main")
    repo.merge(
        "spray",
        "Merge pull request #3 from kg/spray\n\n更换防卫喷雾",
        who=REVIEWER,
        when="2026-10-10T09:00:00+08:00",
    )
    report = overdue_report(repo.path("records"), D(2026, 10, 10), since=D(2026, 10, 9))
    d = chengguan(report)
    assert [i.code for i in d.resolved] == [SPRAY]
    assert SPRAY not in codes(d.items) and d.new == []
    assert "2026-10-09 的档案(提交" in report.baseline


def test_an_item_keeps_its_identity_when_a_hazard_is_inserted_before_it(repo):
    text = repo.read(KINDERGARTEN)
    repo.replace(
        KINDERGARTEN, "hazards:\n",
        "hazards:\n  - id: H-2026-000\n    found: 2026-01-05\n    source: 自查\n"
        "    location: 门口\n    description: 门铃坏了。\n    category: 设施设备\n"
        "    grade: 一般\n    immediate: true\n    status: 已销号\n"
        "    rectified: 2026-01-05\n    closed: 2026-01-06\n    verifier: 园长\n",
    )  # fmt: skip
    assert repo.read(KINDERGARTEN) != text
    repo.commit("补登一条旧隐患", when="2026-10-10T09:00:00+08:00")
    d = chengguan(overdue_report(repo.path("records"), D(2026, 10, 11), since=D(2026, 10, 9)))
    assert (
        d.new == [] and d.resolved == []
    )  # the overdue hazard moved from /hazards/0 to /hazards/1


def test_the_district_issue_links_to_the_lines(repo, tmp_path):
    report = overdue_report(repo.path("records"), D(2026, 10, 1), since=D(2026, 9, 30))
    sha = repo.git("rev-parse", "HEAD")
    index = write_issues(
        report, tmp_path / "issues", f"https://github.com/bureau/records/blob/{sha}"
    )
    rows = [line.split("\t") for line in index.read_text(encoding="utf-8").splitlines()]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("chengguan", "open", "[逾期提醒] 城关区"),
        ("hexi", "closed", "[逾期提醒] 河西区"),
        ("qingshan", "closed", "[逾期提醒] 青山县"),
    ]
    body = Path(rows[0][3]).read_text(encoding="utf-8")
    line = line_of(repo.read(KINDERGARTEN), "expires: 2026-08-31")
    assert f"(https://github.com/bureau/records/blob/{sha}/{KINDERGARTEN}#L{line})" in body
    assert body.startswith("**城关区** 截至 2026-10-01 逾期或缺项")
    assert "#### 城关区向阳幼儿园(`cg-xiangyang-youeryuan`)" in body
    assert "- 🆕 [演练]" in body and "请勿手工编辑正文" in body
    assert "本议题自动关闭" in Path(rows[1][3]).read_text(encoding="utf-8")


def test_compared_with_the_saved_result_of_the_last_run(repo, tmp_path):
    state = tmp_path / "last.json"
    done = run(repo, "--as-of", "2026-09-01", "--format", "json", "--save", str(state))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == json.loads(state.read_text(encoding="utf-8"))
    done = run(repo, "--as-of", "2026-10-01", "--previous", str(state))
    assert done.returncode == 0, done.stderr
    assert "与上次运行(2026-09-01)的结果相比" in done.stdout
    assert "🆕 城关区向阳幼儿园 · [演练]" in done.stdout
    assert "🆕 城关区向阳幼儿园 · [物防]" not in done.stdout  # already known on 1 September


def test_outside_git_the_same_records_are_evaluated_on_both_days(repo, tmp_path):
    plain = tmp_path / "plain"
    repo.path("records").rename(plain)
    report = overdue_report(plain, D(2026, 9, 1), since=D(2026, 8, 31))
    assert SPRAY in codes(chengguan(report).new)
    assert "不在 git 仓库中" in report.baseline


def run(repo: GitRepo, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "overdue-report", *args],
        cwd=repo.root,
        capture_output=True,
        text=True,
    )


def test_the_command_writes_the_job_summary(repo, tmp_path):
    done = run(
        repo, "--as-of", "2026-10-01", "--since", "2026-09-30", "--issues", str(tmp_path / "i")
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert out.startswith("### 逾期和缺项提醒(截至 2026-10-01)")
    assert "| 城关区 | 1 | 0 | 1 | 0 | 0 |" in out
    assert (tmp_path / "i" / "index.tsv").is_file()
    bad = run(repo, "--since", "2026-09-30", "--previous", "x.json")
    assert bad.returncode == 2 and "只能用一个" in bad.stderr
    (tmp_path / "x.json").write_text("[]", encoding="utf-8")
    bad = run(repo, "--previous", str(tmp_path / "x.json"))
    assert bad.returncode == 2 and "不是 xiaoan overdue-report 保存的 JSON 结果" in bad.stderr


def test_an_issue_body_stays_within_the_platforms_limit(repo):
    report = overdue_report(repo.path("records"), D(2026, 10, 1), since=D(2026, 9, 30))
    d = chengguan(report)
    d.items = d.items * 400  # a district with thousands of open items
    body = issue_body(d, report)
    assert len(body) < 65_536
    assert "项未列出(议题长度有限)" in body
