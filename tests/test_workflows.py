"""The CI workflows: they only call xiaoan (and gh or curl), run on GitHub and Gitea, and their
xiaoan steps work as written — run here with bash on a real git repository."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import click
import pytest
import yaml
from gitrepos import GitRepo

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
WORKFLOWS = REPO / ".github" / "workflows"
PR = yaml.safe_load((WORKFLOWS / "pr.yml").read_text(encoding="utf-8"))
NIGHTLY = yaml.safe_load((WORKFLOWS / "nightly.yml").read_text(encoding="utf-8"))
DEPLOY = yaml.safe_load((WORKFLOWS / "deploy.yml").read_text(encoding="utf-8"))
GITHUB_ONLY_ACTIONS = ("actions/upload-pages-artifact", "actions/deploy-pages")
ALLOWED_PROGRAMS = {
    "xiaoan", "pip", "npm", "gh", "curl", "cat", "python3", "echo", "head", "tee", "true", "test",
    "exit",
}  # fmt: skip


def on(workflow: dict) -> dict:
    return workflow.get("on", workflow.get(True))  # YAML 1.1 reads the key `on` as true


def steps(workflow: dict) -> list[dict]:
    return [s for job in workflow["jobs"].values() for s in job.get("steps", [])]


def step(workflow: dict, name_part: str) -> dict:
    (found,) = [s for s in steps(workflow) if name_part in s.get("name", "")]
    return found


def test_triggers_permissions_and_concurrency():
    assert set(on(PR)) == {"pull_request"}
    assert PR["permissions"] == {"contents": "read"}
    assert PR["concurrency"]["cancel-in-progress"] is True
    assert set(on(NIGHTLY)) == {"schedule", "workflow_dispatch"}
    assert re.fullmatch(r"\d+ \d+ \* \* \*", on(NIGHTLY)["schedule"][0]["cron"])  # daily
    assert NIGHTLY["permissions"] == {}
    assert NIGHTLY["jobs"]["nightly"]["permissions"] == {"contents": "read", "issues": "write"}
    # a reviewer's merge is the sign-off: it is published at once, and again each morning
    assert set(on(DEPLOY)) == {"push", "schedule", "workflow_dispatch"}
    assert on(DEPLOY)["push"] == {"branches": ["main"]}
    assert DEPLOY["permissions"] == {}
    assert DEPLOY["concurrency"] == {"group": "deploy", "cancel-in-progress": False}
    assert DEPLOY["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert DEPLOY["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}


@pytest.mark.parametrize("workflow", [PR, NIGHTLY, DEPLOY], ids=["pr", "nightly", "deploy"])
def test_full_history_without_credentials_left_behind(workflow):
    (checkout,) = [s for s in steps(workflow) if s.get("uses", "").startswith("actions/checkout@")]
    assert checkout["with"]["fetch-depth"] == 0
    assert checkout["with"]["persist-credentials"] is False


@pytest.mark.parametrize("path", sorted(WORKFLOWS.glob("*.yml")), ids=lambda p: p.name)
def test_every_action_is_pinned_by_commit_with_its_tag_beside(path):
    """A tag can be moved to other code; a commit cannot. The tag stays as a comment."""
    uses = re.findall(r"uses: (\S+)(.*)", path.read_text(encoding="utf-8"))
    assert uses
    for action, rest in uses:
        assert re.fullmatch(r"[\w-]+/[\w-]+(/[\w-]+)?@[0-9a-f]{40}", action), action
        assert re.fullmatch(r" # v\d+\.\d+\.\d+", rest), (action, rest)


def test_the_workflows_pass_a_security_audit():
    """zizmor (in the lock), offline: no findings."""
    done = subprocess.run(
        [str(Path(sys.executable).with_name("zizmor")), "--offline", "--no-progress",
         "--format", "plain", str(WORKFLOWS)],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "No findings to report" in done.stdout + done.stderr


def commands(workflow: dict) -> list[list[str]]:
    """Each simple command of each ``run:`` script, as words (quotes respected)."""
    out = []
    for s in steps(workflow):
        script = s.get("run", "").replace("\\\n", " ").replace("\n", " ; ")
        lexer = shlex.shlex(script, posix=True, punctuation_chars=";&|()<>")
        lexer.whitespace_split = True
        words: list[str] = []
        redirect = False
        for token in [*lexer, ";"]:
            if token and set(token) <= set("<>"):
                redirect = True  # the next word is a file, not part of the command
            elif token and set(token) <= set(";&|()"):
                if words:
                    out.append(words)
                words = []
            elif redirect:
                redirect = False
            else:
                words.append(token)
    return [_simple(w) for w in out if _simple(w)]


def _simple(words: list[str]) -> list[str]:
    """Without ``VAR=value`` prefixes, ``$`` of a command substitution, redirect targets and
    shell keywords."""
    words = [w for w in words if w not in ("$", "/dev/null", "-")]
    while words and (re.fullmatch(r"\w+=.*", words[0]) or words[0] in SHELL_WORDS):
        words = words[1:]
    return [] if words[:1] in (["["], ["read"]) else words  # builtins: [ "$x" = y ], read


SHELL_WORDS = {"if", "then", "else", "elif", "fi", "while", "do", "done", "{", "}"}


@pytest.mark.parametrize("workflow", [PR, NIGHTLY, DEPLOY], ids=["pr", "nightly", "deploy"])
def test_the_workflows_only_call_xiaoan_and_the_platform(workflow):
    functions = {
        "call",
        "json",
        "pick",
    }  # shell functions of the Gitea step, made of curl and python3
    for words in commands(workflow):
        assert words[0] in ALLOWED_PROGRAMS | functions, words


@pytest.mark.parametrize("workflow", [PR, NIGHTLY, DEPLOY], ids=["pr", "nightly", "deploy"])
def test_every_xiaoan_command_and_option_exists(workflow):
    used = [w for w in commands(workflow) if w[0] == "xiaoan"]
    assert used
    for words in used:
        command = main.commands[words[1]]
        options = {
            opt
            for p in command.params
            if isinstance(p, click.Option)
            for opt in p.opts + p.secondary_opts
        }
        for word in words[2:]:
            if word.startswith("--"):
                assert word in options, f"xiaoan {words[1]} has no option {word}"


def test_github_only_steps_have_a_gitea_way():
    for workflow in (PR, NIGHTLY, DEPLOY):
        for name, job in workflow["jobs"].items():
            for s in job["steps"]:
                run = s.get("run", "")
                if (
                    s.get("uses", "").startswith(GITHUB_ONLY_ACTIONS)
                    or "gh " in run
                    or '"$GITHUB_STEP_SUMMARY"' in run
                ):
                    condition = s.get("if", "") + job.get("if", "")
                    assert "XIAOAN_PLATFORM == 'github'" in condition, (name, s)
    deploy = DEPLOY["jobs"]["deploy"]
    assert "github.server_url == 'https://github.com'" in deploy["if"]
    gitea = [
        s["name"]
        for w in (NIGHTLY, DEPLOY)
        for s in steps(w)
        if "env.XIAOAN_PLATFORM == 'gitea'" in s.get("if", "")
    ]
    assert gitea == ["区县提醒议题(Gitea:API)", "上传网站构件(Gitea)"]
    assert "env.XIAOAN_PLATFORM == 'gitea'" in step(PR, "Gitea")["if"]
    for workflow in (PR, NIGHTLY, DEPLOY):
        assert "github.server_url == 'https://github.com'" in workflow["env"]["XIAOAN_PLATFORM"]


def test_gitea_reads_these_workflows():
    """Gitea runs .gitea/workflows when that folder exists, and ignores .github/workflows."""
    assert not (REPO / ".gitea" / "workflows").exists()


def bash(script: str, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return subprocess.run(
        ["bash", "-eo", "pipefail", "-c", script], cwd=cwd, capture_output=True, text=True,
        env={**os.environ, "PATH": path, **env},
    )  # fmt: skip


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A clone with origin/main, on a pull request's branch, as actions/checkout leaves it."""
    origin = GitRepo(tmp_path / "origin")
    origin.sample("cg-diyi-xiaoxue", "qs-shiyan-xiaoxue")
    origin.commit("示例档案")
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(origin.root), str(clone)], check=True)
    work = GitRepo(clone)
    work.branch("pr")
    return clone


@pytest.mark.parametrize("platform", ["github", "gitea"])
def test_the_pr_steps_run_as_written(checkout, tmp_path, platform):
    work = GitRepo(checkout)
    work.replace("records/qingshan/qs-shiyan-xiaoxue.yaml", "stage: 小学", "stage: 小学校")
    work.commit("改学段")
    runner = tmp_path / "runner"
    runner.mkdir()
    summary = tmp_path / "summary.md"
    sha = work.git("rev-parse", "HEAD")
    env = {
        "XIAOAN_PLATFORM": platform, "RUNNER_TEMP": str(runner),
        "GITHUB_STEP_SUMMARY": str(summary),
        "BASE_REF": "main", "SERVER": "https://example.org", "REPO": "bureau/records", "SHA": sha,
    }  # fmt: skip
    done = bash(step(PR, "xiaoan diff")["run"], checkout, env)
    assert done.returncode == 1  # the change is invalid: the check fails
    assert done.stdout.startswith("::error file=records/qingshan/qs-shiyan-xiaoxue.yaml,line=")
    kept = (runner / "xiaoan-summary.md").read_text(encoding="utf-8")
    link = "/src/commit/" if platform == "gitea" else "/blob/"
    assert (
        f"https://example.org/bureau/records{link}{sha}/records/qingshan/qs-shiyan-xiaoxue.yaml#L"
        in kept
    )
    if platform == "github":
        done = bash(step(PR, "GitHub:任务摘要")["run"], checkout, env)
        assert done.returncode == 0 and summary.read_text(encoding="utf-8") == kept
    done = bash(step(PR, "xiaoan codeowners")["run"], checkout, env)
    assert done.returncode == 1 and "已过期" in done.stderr  # the clone has no CODEOWNERS yet


def test_the_nightly_report_step_runs_as_written(checkout, tmp_path):
    summary = tmp_path / "summary.md"
    env = {
        "XIAOAN_PLATFORM": "github", "GITHUB_STEP_SUMMARY": str(summary),
        "ISSUES": str(tmp_path / "issues"),
        "SERVER": "https://github.com", "REPO": "bureau/records", "SHA": "0" * 40,
    }  # fmt: skip
    done = bash(step(NIGHTLY, "xiaoan overdue-report")["run"], checkout, env)
    assert done.returncode == 0, done.stderr
    assert summary.read_text(encoding="utf-8").startswith("### 逾期和缺项提醒")
    rows = (tmp_path / "issues" / "index.tsv").read_text(encoding="utf-8").splitlines()
    assert [r.split("\t")[2] for r in rows] == [
        "[逾期提醒] 城关区",
        "[逾期提醒] 河西区",
        "[逾期提醒] 青山县",
    ]


def test_the_pull_request_template_is_the_reviewers_checklist():
    text = (REPO / ".github" / "pull_request_template.md").read_text(encoding="utf-8")
    assert "## 审核人核对(区教育局校安办)" in text
    assert text.count("- [ ]") >= 8
    assert "批准并合并本修改请求即为**审核确认**" in text


def test_every_workflow_matches_githubs_workflow_schema():
    """check-jsonschema's copy of the schema GitHub publishes (SchemaStore), no network."""
    files = sorted(str(p) for p in WORKFLOWS.glob("*.yml"))
    assert len(files) >= 4
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
         *files],
        capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_newest_versions_workflow_runs_nightly_and_reports_by_issue():
    newest = yaml.safe_load((WORKFLOWS / "newest.yml").read_text(encoding="utf-8"))
    assert set(on(newest)) == {"schedule", "workflow_dispatch"}
    assert newest["permissions"] == {}
    assert newest["jobs"]["newest"]["permissions"] == {"contents": "read", "issues": "write"}
    run = step(newest, "make newest")["run"]
    assert "make newest NEWEST_REPORT=" in run
    issue = step(newest, "议题")["run"]
    assert "gh issue create" in issue and "gh issue edit" in issue and "gh issue close" in issue


def test_workflows_install_from_the_lock():
    for path in WORKFLOWS.glob("*.yml"):
        text = path.read_text(encoding="utf-8")
        for line in text.splitlines():
            if "pip install" in line:
                assert "-r requirements.lock" in line or "--no-deps" in line, (path.name, line)


@pytest.mark.slow
def test_the_deploy_build_steps_publish_a_site_with_the_editor(checkout, tmp_path):
    """The deploy job's steps after the installs, run with bash in a clean checkout as a fresh
    runner would: the site is built and its /admin/ is the editor, not the not-installed
    page (npm ci has run in this checkout's project, as the job's own npm step does)."""
    if not (REPO / "node_modules" / ".bin" / "esbuild").exists():
        pytest.skip("npm ci has not run: the editor cannot be bundled")
    build = step(DEPLOY, "xiaoan build")["run"]
    done = bash(build, checkout, {"NO_COLOR": "1"})
    assert done.returncode == 0, done.stdout + done.stderr
    admin = checkout / "site" / "admin"
    assert (admin / "config.yml").is_file() and (admin / "decap-cms.js").is_file()
    assert "未安装" not in (admin / "index.html").read_text(encoding="utf-8")
    # the same step refuses a site without the editor
    broken = build.replace("site/admin/config.yml", "site/admin/no-such-file")
    assert bash(broken, checkout, {}).returncode == 1
    # the next run starts from the site the cache gives back: an incremental build, which the
    # weekly check finds equal to a full one, and a site that differs fails it loudly
    restore, save = step(DEPLOY, "取回上次发布的网站"), step(DEPLOY, "保存本次网站")
    # the site, and the pipeline's store where xiaoan keeps it on a runner (no XIAOAN_CACHE_DIR)
    assert restore["with"]["path"] == save["with"]["path"] == "site\n~/.cache/xiaoan\n"
    assert "XIAOAN_CACHE_DIR" not in (WORKFLOWS / "deploy.yml").read_text(encoding="utf-8")
    assert restore["with"]["restore-keys"] == "site-" and save["with"]["key"].startswith("site-")
    again = bash(build, checkout, {"NO_COLOR": "1"})  # nothing changed (unless the day did)
    assert again.returncode == 0, again.stderr
    assert "没有变化:网站保持原样" in again.stderr or "增量生成" in again.stderr, again.stderr
    weekly = step(DEPLOY, "每周核对")
    assert "schedule" in weekly["if"]
    done = bash(weekly["run"], checkout, {})
    assert done.returncode == 0 and "核对通过" in done.stderr, done.stdout + done.stderr
    (checkout / "site" / "about" / "index.html").unlink()  # a file an incremental build keeps
    (checkout / "site" / "about" / "index.html").write_text("changed", encoding="utf-8")
    done = bash(weekly["run"], checkout, {})
    assert done.returncode == 1 and "不一致(" in done.stderr and "  about/index.html" in done.stderr
