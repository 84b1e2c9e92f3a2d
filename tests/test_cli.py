"""Tests for generator/cli.py: the `xiaoan` command, in-process and as a real subprocess."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import INVALID, REPO

from generator import __version__
from generator.cli import main

XIAOAN = Path(sys.executable).parent / "xiaoan"
"""The console script installed next to the interpreter running the tests (.venv/bin/xiaoan)."""


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(XIAOAN), *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=120
    )


def break_one(records: Path) -> Path:
    """Give the tree one invalid date; return the file."""
    path = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("deadline: 2026-12-31", "deadline: 2024-13-01"),
        encoding="utf-8",
    )
    return path


def test_version():
    result = invoke("--version")
    assert (result.exit_code, result.stdout) == (0, f"xiaoan {__version__}\n")


def test_validate_a_valid_tree(records, monkeypatch):
    monkeypatch.chdir(records.parent)
    result = invoke("validate")
    assert (result.exit_code, result.stdout) == (0, "全部 3 所学校的档案和 2 个区县配置通过校验\n")


def test_validate_reports_relative_paths_and_exits_1(records, monkeypatch):
    break_one(records)
    monkeypatch.chdir(records.parent)
    result = invoke("validate")
    assert result.exit_code == 1
    assert result.stdout == (
        "records/chengguan/cg-shiyan-xiaoxue.yaml:106:15: error: 隐患清单 第2项 › 整改期限: "
        "'2024-13-01' 不是有效日期 (YYYY-MM-DD):日历上没有这一天\n"
        "检查了 3 所学校的档案和 2 个区县配置,发现 1 处问题(1 个文件)\n"
    )


def test_validate_named_files_and_folders(records, monkeypatch):
    break_one(records)
    monkeypatch.chdir(records.parent)
    assert invoke("validate", "records/qiaobei").exit_code == 0
    result = invoke("validate", "records/qiaobei", "records/chengguan/cg-shiyan-xiaoxue.yaml")
    assert result.exit_code == 1 and "检查了 2 所学校的档案和 1 个区县配置" in result.stdout


def test_validate_with_another_records_folder(records, tmp_path):
    moved = tmp_path / "elsewhere"
    shutil.move(records, moved)
    result = invoke("validate", "--records", str(moved))
    assert result.exit_code == 0, result.output


def test_json_output_is_a_list(records, monkeypatch):
    break_one(records)
    monkeypatch.chdir(records.parent)
    result = invoke("validate", "--format", "json")
    assert result.exit_code == 1
    [finding] = json.loads(result.stdout)
    assert finding["file"] == "records/chengguan/cg-shiyan-xiaoxue.yaml"
    assert (finding["line"], finding["column"], finding["code"]) == (106, 15, "schema.format")
    assert finding["place"] == "隐患清单 第2项 › 整改期限"
    assert json.loads(invoke("validate", "--format", "json", "records/qiaobei").stdout) == []


def test_github_output(records, monkeypatch):
    break_one(records)
    monkeypatch.chdir(records.parent)
    result = invoke("validate", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0] == (
        "::error file=records/chengguan/cg-shiyan-xiaoxue.yaml,line=106,col=15,"
        "title=隐患清单 第2项 › 整改期限::'2024-13-01' 不是有效日期 (YYYY-MM-DD):日历上没有这一天"
    )


def test_markdown_output(records, monkeypatch):
    monkeypatch.chdir(records.parent)
    result = invoke("validate", "--format", "markdown")
    assert (result.exit_code, result.stdout) == (0, "### 校验结果\n\n全部 3 所学校的档案和 2 个区县配置通过校验\n")


def test_max_bytes(records, monkeypatch):
    monkeypatch.chdir(records.parent)
    result = invoke("validate", "--max-bytes", "2000", "records/qiaobei")
    assert result.exit_code == 1
    assert "error: 文件大小" in result.stdout


def test_unreadable_files_are_findings(records, monkeypatch):
    shutil.copy(INVALID / "encoding-utf16.yaml", records / "chengguan" / "cg-utf16.yaml")
    monkeypatch.chdir(records.parent)
    result = invoke("validate")
    assert result.exit_code == 1
    assert "records/chengguan/cg-utf16.yaml:1:1: error: 文件是 UTF-16 编码" in result.stdout


@pytest.mark.parametrize(
    "args, message",
    [
        (["validate", "nope.yaml"], "错误:nope.yaml: 文件或文件夹不存在\n"),
        (["validate", "README.md"], "错误:README.md: 不是 YAML 文件(应以 .yaml 结尾)\n"),
        (["validate", "--records", "no-such-dir"], "错误:找不到档案文件夹 no-such-dir"),
        (
            ["validate", "--format", "xml"],
            "错误:--format 的值无效:“xml”不是可选的值,可选:github、json、markdown、text\n",
        ),
        (["validate", "--formt", "json"], "错误:没有这个选项:--formt(是否想用 --format?)\n"),
        (["validate", "--max-bytes", "lots"], "错误:--max-bytes 的值无效:“lots”不是整数\n"),
        (["validate", "--max-bytes", "0"], "错误:--max-bytes 的值无效:不能小于 1(现为 0)\n"),
        (["validate", "--jobs", "0"], "错误:--jobs 的值无效:不能小于 1(现为 0)\n"),
        (["frobnicate"], "错误:没有这个命令:frobnicate\n"),
        (["synth", "--out", "x"], "错误:缺少 --schools\n"),
    ],
)
def test_usage_errors_exit_2_in_chinese(args, message, tmp_path, monkeypatch):
    (tmp_path / "README.md").write_text("x", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = invoke(*args)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.stderr


def test_synth_then_validate(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = invoke("synth", "--schools", "4", "--out", "records", "--seed", "7")
    assert (result.exit_code, result.stdout) == (0, "已生成 4 份档案到 records\n")
    assert invoke("validate").exit_code == 0
    again = invoke("synth", "--schools", "4", "--out", "records")
    assert again.exit_code == 2 and "已存在且不是空的" in again.stderr


# ---------------------------------------------------------------------------------------------
# The installed command, as a real process


def test_console_script_exit_codes(records):
    cwd = records.parent
    ok = run("validate", cwd=cwd)
    assert (ok.returncode, ok.stdout, ok.stderr) == (0, "全部 3 所学校的档案和 2 个区县配置通过校验\n", "")
    assert run("validate", "missing.yaml", cwd=cwd).returncode == 2
    assert run("validate", "--bogus", cwd=cwd).returncode == 2
    break_one(records)
    bad = run("validate", "--format", "json", cwd=cwd)
    assert bad.returncode == 1 and json.loads(bad.stdout)[0]["code"] == "schema.format"


def test_python_dash_m(records):
    result = subprocess.run(
        [sys.executable, "-m", "generator", "validate", "--records", str(records)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert (result.returncode, result.stdout) == (0, "全部 3 所学校的档案和 2 个区县配置通过校验\n")


def test_no_colour_when_piped(records):
    break_one(records)
    result = run("validate", cwd=records.parent)
    assert "\x1b[" not in result.stdout


# ---------------------------------------------------------------------------------------------
# pre-commit


def test_published_pre_commit_hook_runs_an_existing_command(records):
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    scripts = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"][
        "scripts"
    ]
    [hook] = [h for h in hooks if h["id"] == "xiaoan-validate"]
    program, command, *options = hook["entry"].split()
    assert scripts[program] == "generator.cli:main"
    assert command in main.commands
    assert re.search(hook["files"], "records/chengguan/cg-shiyan-xiaoxue.yaml")
    assert not re.search(hook["files"], "docs/index.md")
    # pre-commit runs the entry with the changed files appended
    named = ["records/chengguan/cg-shiyan-xiaoxue.yaml", "records/qiaobei/_district.yaml"]
    assert run(command, *options, *named, cwd=records.parent).returncode == 0
    break_one(records)
    failed = run(command, *options, *named, cwd=records.parent)
    assert failed.returncode == 1 and "检查了 1 所学校的档案和 1 个区县配置" in failed.stdout


def test_local_pre_commit_hook_uses_the_project_virtualenv():
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [hook] = [h for repo in config["repos"] for h in repo["hooks"] if h["id"] == "xiaoan-validate"]
    program, command = hook["entry"].split()[:2]
    assert program == ".venv/bin/xiaoan" and command in main.commands


# ---------------------------------------------------------------------------------------------
# The repository's own sample records


def test_sample_records_are_valid():
    assert (REPO / "records").is_dir(), "records/ is missing"
    result = subprocess.run(
        [str(XIAOAN), "validate"],
        cwd=REPO,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["hazard", "close", "--help"]])
def test_help_is_in_chinese(args):
    out = CliRunner().invoke(main, args).output
    assert out.startswith("用法:") and "选项:" in out and "显示本帮助并退出" in out
    for english in ("Usage:", "Options:", "Show this message", "[default:", "[required]"):
        assert english not in out, english


def test_serve_answers_unknown_paths_with_the_404_page_and_admin_with_make_editor(tmp_path):
    import socket
    import urllib.error
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "site"
    command = [
        sys.executable, "-m", "generator", "serve", "--records", str(REPO / "records"),
        "--as-of", "2026-11-23", "--out", str(out), "--port", str(port),
    ]  # fmt: skip
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    with subprocess.Popen(command, cwd=REPO, **pipes) as server:
        try:
            assert "预览网站" in server.stdout.readline() + server.stdout.readline()
            url = f"http://127.0.0.1:{port}"
            with pytest.raises(urllib.error.HTTPError) as missing:
                urllib.request.urlopen(url + "/schools/no-such-school/", timeout=10)
            with missing.value as answer:
                assert answer.code == 404
                body = answer.read().decode("utf-8")
            assert body == (out / "404.html").read_text(encoding="utf-8") and 'lang="zh"' in body
            with urllib.request.urlopen(url + "/admin/", timeout=10) as answer:
                admin = answer.read().decode("utf-8")
            assert "make editor" in admin and "GitHub 登录" not in admin
        finally:
            server.terminate()
            errors = server.communicate(timeout=30)[1]
    # the sample's site_url is the placeholder: the build says so
    assert "site_url 仍是示例地址" in errors
