"""xiaoan codeowners: review routing from the districts' reviewers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from gitrepos import GitRepo

from generator.workflow import codeowners

REPO = Path(__file__).resolve().parent.parent


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator", "codeowners", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
    )


def test_the_committed_files_are_up_to_date():
    done = run(REPO, "--check")
    assert done.returncode == 0, done.stderr


@pytest.fixture
def repo(tmp_path: Path) -> GitRepo:
    r = GitRepo(tmp_path / "repo")
    r.sample()
    return r


def test_one_rule_per_district_in_a_fixed_order(repo):
    done = run(repo.root)
    assert done.returncode == 0, done.stderr
    github = repo.read(".github/CODEOWNERS")
    rules = [line for line in github.splitlines() if line and not line.startswith("#")]
    assert rules == [
        "/records/chengguan/ @cg-xiaoanban-wang @cg-xiaoanban-liu",
        "/records/hexi/ @hx-anbaoke-zhao @hx-anbaoke-sun",
        "/records/qingshan/ @qs-xiaoanban-chen @qs-xiaoanban-li",
    ]
    assert github.startswith("# 由 xiaoan codeowners 根据各区县")
    gitea = repo.read(".gitea/CODEOWNERS")
    assert "records/hexi/.* @hx-anbaoke-zhao @hx-anbaoke-sun\n" in gitea
    assert run(repo.root).stdout.count("无变化") == 2  # deterministic: a second run changes nothing


def test_gitea_rules_match_as_gitea_anchors_them(repo):
    """Gitea compiles each rule as ^rule$ over the file's path."""
    run(repo.root)
    rule = next(
        line.split()[0]
        for line in repo.read(".gitea/CODEOWNERS").splitlines()
        if line.startswith("records/hexi")
    )
    assert re.fullmatch(rule, "records/hexi/hx-binhe-xiaoxue.yaml")
    assert re.fullmatch(rule, "records/hexi/_district.yaml")
    assert not re.fullmatch(rule, "records/hexi-new/x.yaml")
    assert not re.fullmatch(rule, "docs/records/hexi/x.yaml")


def test_a_changed_reviewer_makes_the_check_fail_in_chinese(repo):
    run(repo.root)
    repo.replace(
        "records/hexi/_district.yaml", "account: hx-anbaoke-sun", "account: hx-anbaoke-qian"
    )
    done = run(repo.root, "--check")
    assert done.returncode == 1
    assert ".github/CODEOWNERS、.gitea/CODEOWNERS 已过期" in done.stderr
    assert "请运行 xiaoan codeowners" in done.stderr
    assert "@hx-anbaoke-sun" in repo.read(".github/CODEOWNERS")  # --check writes nothing
    assert run(repo.root).returncode == 0
    assert "/records/hexi/ @hx-anbaoke-zhao @hx-anbaoke-qian" in repo.read(".github/CODEOWNERS")
    assert run(repo.root, "--check").returncode == 0


def test_a_broken_district_file_is_reported_not_guessed(repo):
    repo.replace("records/hexi/_district.yaml", "account: hx-anbaoke-sun", "account: 孙晓梅")
    done = run(repo.root)
    assert done.returncode == 1
    assert "records/hexi/_district.yaml" in done.stderr and "代码平台账号" in done.stderr
    assert not repo.path(".github/CODEOWNERS").exists()


def test_records_below_the_top_of_the_repository(tmp_path):
    r = GitRepo(tmp_path / "repo")
    for district in sorted((REPO / "records").glob("*/_district.yaml")):
        r.write(
            f"data/records/{district.parent.name}/_district.yaml",
            district.read_text(encoding="utf-8"),
        )
    done = run(r.root / "data", "--records", "records")
    assert done.returncode == 0, done.stderr
    assert "/data/records/chengguan/ @cg-xiaoanban-wang" in r.read(".github/CODEOWNERS")
    assert "data/records/chengguan/.* @cg-xiaoanban-wang" in r.read(".gitea/CODEOWNERS")
    assert codeowners.FILES["github"] == Path(".github/CODEOWNERS")
