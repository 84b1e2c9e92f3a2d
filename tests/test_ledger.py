"""The sign-off ledger, read from real git histories made in tmp folders."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from gitrepos import GitRepo

from generator.core.evaluate import INVALID
from generator.workflow.ledger import ledger, ledger_for_all, note, signoff_rows

REPO = Path(__file__).resolve().parent.parent
DIYI = "records/chengguan/cg-diyi-xiaoxue.yaml"
SHIYAN = "records/qingshan/qs-shiyan-xiaoxue.yaml"
OCTOBER_DRILL = (
    "drills:\n"
    "  - {date: 2026-10-15, kind: 地震疏散, scope: 全校, participants: 1490, "
    "evacuation_seconds: 120}\n"
)
WANG = ("王振东", "wang@example.org")
SUN = ("孙晓梅", "sun@example.org")
TEACHER = ("李老师", "li@example.org")
OFFICER = ("赵安全员", "zhao@example.org")


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch) -> Path:
    """Each test its own status cache."""
    monkeypatch.setenv("XIAOAN_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache" / "ledger-status.json"


def day(d: str) -> str:
    return f"{d}T10:00:00+08:00"


@pytest.fixture
def history(tmp_path: Path) -> GitRepo:
    """main's history, oldest first:

    1. the seed, committed directly;
    2. PR #12 (two commits by two authors, main merged into it on the way), merged by 王振东;
    3. a PR for another school only;
    4. PR #13 merged on Gitea, whose message carries a Reviewed-by trailer;
    5. a squash merge "… (#14)";
    6. a direct commit to main.
    """
    r = GitRepo(tmp_path / "repo")
    r.sample("cg-diyi-xiaoxue", "qs-shiyan-xiaoxue")
    r.commit("示例档案", when=day("2026-11-01"))

    r.branch("drill")
    r.replace(DIYI, "drills:\n", OCTOBER_DRILL)
    r.commit("补录10月演练", who=OFFICER, when=day("2026-11-02"))
    r.switch("main")
    r.replace(SHIYAN, "students: ", "students: 1")
    r.commit("主分支上的其他修改", who=TEACHER, when=day("2026-11-03"))
    r.switch("drill")
    r.merge("main", "Merge branch 'main' into drill", who=OFFICER, when=day("2026-11-03"))
    r.replace(DIYI, "evacuation_seconds: 120}", "evacuation_seconds: 118}")
    r.commit("更正疏散用时", who=TEACHER, when=day("2026-11-04"))
    r.switch("main")
    r.merge(
        "drill",
        "Merge pull request #12 from cg-diyi/drill\n\n补录10月演练",
        who=WANG,
        when=day("2026-11-05"),
    )

    r.branch("other")
    r.replace(SHIYAN, "staff: ", "staff: 1")
    r.commit("青山县实验小学改教职工数", who=TEACHER, when=day("2026-11-06"))
    r.switch("main")
    r.merge(
        "other",
        "Merge pull request #20 from qs/other\n\n改教职工数",
        who=WANG,
        when=day("2026-11-06"),
    )

    r.branch("stage")
    r.replace(DIYI, "stage: 小学", "stage: 小学校")
    r.commit("学段写错了", who=OFFICER, when=day("2026-11-07"))
    r.switch("main")
    r.merge(
        "stage",
        "Merge pull request '更新学段' (#13) from stage into main\n\n"
        "Reviewed-on: https://git.example.org/xiaoan/records/pulls/13\n"
        "Reviewed-by: 孙晓梅 <sun@example.org>\n",
        who=("Gitea", "gitea@example.org"), when=day("2026-11-08"),
    )  # fmt: skip

    r.replace(DIYI, "stage: 小学校", "stage: 小学")
    r.commit("改回学段 (#14)", who=OFFICER, when=day("2026-11-09"))
    r.replace(DIYI, "address: ", "address: 临河市")
    r.commit("直接改了地址", who=TEACHER, when=day("2026-11-10"))
    return r


def test_each_change_on_main_newest_first(history):
    entries = ledger(history.root, history.path(DIYI))
    assert [(e.date, e.kind, e.title, e.number) for e in entries] == [
        ("2026-11-10", "direct", "直接改了地址", None),
        ("2026-11-09", "squash", "改回学段", 14),
        ("2026-11-08", "merge", "更新学段", 13),
        ("2026-11-05", "merge", "补录10月演练", 12),
        ("2026-11-01", "direct", "示例档案", None),
    ]
    assert entries[-2].commit == history.git("log", "--merges", "--format=%H", "--grep", "#12")


def test_author_and_approver(history):
    direct, squash, gitea, github, seed = ledger(history.root, history.path(DIYI))
    # the branch's own commits, not main's commit merged into the branch on the way
    assert (github.author, github.approver) == ("赵安全员、李老师", "王振东")
    assert (gitea.author, gitea.approver) == ("赵安全员", "孙晓梅")  # the trailer, not "Gitea"
    assert (squash.author, squash.approver) == ("赵安全员", None)
    assert (direct.author, direct.approver, direct.reviewed) == ("李老师", None, False)
    assert direct.label == "直接提交(未经审核)" and github.label == "合并请求"


def test_status_after_each_change_as_of_its_day(history):
    entries = ledger(history.root, history.path(DIYI))
    assert [e.status_after for e in entries] == ["达标", "达标", INVALID, "达标", "逾期"]


def test_all_schools_in_one_pass(history):
    everything = ledger_for_all(history.root, history.path("records"))
    assert set(everything) == {"cg-diyi-xiaoxue", "qs-shiyan-xiaoxue"}
    assert [e.title for e in everything["qs-shiyan-xiaoxue"]] == [
        "改教职工数",
        "主分支上的其他修改",
        "示例档案",
    ]
    # a commit merged in through a pull request's branch is listed once, under that merge
    assert everything["qs-shiyan-xiaoxue"][1].kind == "direct"
    assert everything["cg-diyi-xiaoxue"] == ledger(history.root, history.path(DIYI))


def test_status_is_evaluated_for_the_newest_entries_only(history):
    entries = ledger_for_all(history.root, history.path("records"), limit=2)["cg-diyi-xiaoxue"]
    assert [e.status_after for e in entries] == ["达标", "达标", None, None, None]
    quick = ledger_for_all(history.root, history.path("records"), status=False)["cg-diyi-xiaoxue"]
    assert all(e.status_after is None for e in quick)


def test_statuses_are_kept_for_the_next_build(history, cache):
    first = ledger_for_all(history.root, history.path("records"))
    saved = json.loads(cache.read_text(encoding="utf-8"))
    assert len(saved["entries"]) == 8  # five versions of one school, three of the other
    # the next build takes them from the cache: a planted value shows it was not re-evaluated
    saved["entries"] = {k: "重大隐患" for k in saved["entries"]}
    cache.write_text(json.dumps(saved), encoding="utf-8")
    again = ledger_for_all(history.root, history.path("records"))
    assert {e.status_after for items in again.values() for e in items} == {"重大隐患"}
    assert ledger_for_all(history.root, history.path("records"), cache=False) == first
    saved["code"] = "another version of the rules"
    cache.write_text(json.dumps(saved), encoding="utf-8")
    assert ledger_for_all(history.root, history.path("records")) == first


def test_rows_for_the_school_page(history):
    """The public row says what changed from facts (sections, status, PR number), never
    from the commit message."""
    rows = signoff_rows(ledger(history.root, history.path(DIYI)))
    assert rows[0] == {
        "date": "2026-11-10", "title": "修改了学校基本信息", "kind": "直接提交(未经审核)",
        "reviewed": False,
        "author": "李老师", "approver": "—", "status": "达标", "commit": rows[0]["commit"],
    }  # fmt: skip
    assert [r["title"] for r in rows[1:]] == [
        "修改了学校基本信息;状态 档案有误 → 达标(#14)",
        "修改了学校基本信息;状态 达标 → 档案有误(#13)",
        "修改了应急演练;状态 逾期 → 达标(#12)",
        "新建档案",
    ]
    assert rows[3]["approver"] == "王振东"
    assert len(rows[0]["commit"]) == 10


def test_commit_messages_never_reach_the_public_rows(tmp_path):
    """A merge message naming a guard and his phone was published verbatim (issue 14 #2);
    the reviewer still has the full title in the entry."""
    r = GitRepo(tmp_path / "repo")
    r.sample("cg-diyi-xiaoxue")
    r.commit("示例档案", when=day("2026-11-01"))
    r.branch("guard")
    r.replace(DIYI, "drills:\n", OCTOBER_DRILL)
    r.commit("门卫张三 13912345678 值夜班", who=OFFICER, when=day("2026-11-02"))
    r.switch("main")
    message = "Merge pull request #31 from x/guard\n\n门卫张三(13912345678)夜班调整"
    r.merge("guard", message, who=WANG, when=day("2026-11-03"))
    r.replace(DIYI, "address: ", "address: 13912345678 ")
    r.commit("张三 13912345678 (#32)", who=OFFICER, when=day("2026-11-04"))
    entries = ledger(r.root, r.path(DIYI))
    assert entries[1].title == "门卫张三(13912345678)夜班调整"  # the reviewer's view
    shown = json.dumps(signoff_rows(entries), ensure_ascii=False)
    assert "张三" not in shown and "夜班" not in shown
    assert shown.count("13912345678") == 0
    assert [row["title"] for row in signoff_rows(entries)][:2] == [
        "修改了学校基本信息(#32)",
        "修改了应急演练;状态 逾期 → 达标(#31)",
    ]


def test_outside_git_the_ledger_is_empty_with_a_note(tmp_path):
    folder = tmp_path / "tarball" / "records"
    folder.mkdir(parents=True)
    assert ledger_for_all(folder.parent, folder) == {}
    assert ledger(folder.parent, folder / "x" / "y.yaml") == []
    assert note(folder.parent) == "本档案库不在 git 仓库中(例如从压缩包解出),无法列出审核确认记录。"


def test_a_shallow_clone_is_noted(history, tmp_path):
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "-q", "--depth", "1", f"file://{history.root}", str(clone)], check=True
    )
    assert "浅克隆" in note(clone)
    assert note(history.root) is None
    assert [e.title for e in ledger(clone, clone / DIYI)] == ["直接改了地址"]


def test_an_empty_repository(tmp_path):
    r = GitRepo(tmp_path / "empty")
    assert ledger_for_all(r.root, r.root / "records") == {}
    assert "还没有提交" in note(r.root)


def test_the_school_page_shows_the_ledger(history, tmp_path):
    """Built site: the merges appear on the school page, newest first; a copy of the records
    outside git shows the note instead."""
    from generator.site.build import build

    build(history.path("records"), tmp_path / "site", date(2026, 11, 23))
    html = (tmp_path / "site" / "schools" / "cg-diyi-xiaoxue" / "index.html").read_text(
        encoding="utf-8"
    )
    section = html[html.index('id="signoff"') :]
    section = section[: section.index("</table>")]
    assert "直接改了地址" not in section and "补录10月演练" not in section
    assert (
        section.index("修改了学校基本信息")
        < section.index("达标 → 档案有误(#13)")
        < section.index("修改了应急演练;状态 逾期 → 达标(#12)")
    )
    assert "<td>赵安全员、李老师</td>\n      <td>王振东</td>" in section
    assert (
        "直接提交(未经审核)" in section
        and '<span class="xa-pill xa-pill--ok">达标</span>' in section
    )

    copy = tmp_path / "tarball" / "records"
    shutil.copytree(history.path("records"), copy)
    build(copy, tmp_path / "site2", date(2026, 11, 23))
    html = (tmp_path / "site2" / "schools" / "cg-diyi-xiaoxue" / "index.html").read_text(
        encoding="utf-8"
    )
    assert "本档案库不在 git 仓库中(例如从压缩包解出),无法列出审核确认记录。" in html


def test_giteas_merge_message_template_gives_title_and_approvers(tmp_path):
    """.gitea/default_merge_message/MERGE_TEMPLATE.md, as Gitea expands it (os.Expand), makes
    merge commits the ledger reads: the title, the number and each approving reviewer."""
    template = (REPO / ".gitea" / "default_merge_message" / "MERGE_TEMPLATE.md").read_text(
        encoding="utf-8"
    )
    values = {
        "PullRequestTitle": "补录11月演练", "PullRequestReference": "#31",
        "HeadBranch": "cms/drill", "BaseBranch": "main",
        "ReviewedOn": "Reviewed-on: https://git.example.org/a/b/pulls/31",
        "ReviewedBy": "Reviewed-by: 王振东 <wang@example.org>\n"
        "Reviewed-by: 刘雅琴 <liu@example.org>",
    }  # fmt: skip
    message = re.sub(r"\$\{(\w+)\}", lambda m: values.get(m.group(1), ""), template)
    r = GitRepo(tmp_path / "repo")
    r.sample("cg-diyi-xiaoxue")
    r.commit("示例档案")
    r.branch("cms/drill")
    r.replace(DIYI, "drills:\n", OCTOBER_DRILL)
    r.commit("补录演练", who=OFFICER)
    r.switch("main")
    r.merge("cms/drill", message, who=("gitea-merger", "m@example.org"))
    (entry, _) = ledger(r.root, r.path(DIYI), status=False)
    assert (entry.title, entry.number, entry.kind) == ("补录11月演练", 31, "merge")
    assert (entry.author, entry.approver) == ("赵安全员", "王振东、刘雅琴")
