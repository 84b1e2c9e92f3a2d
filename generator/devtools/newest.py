"""The newest-versions check: does the test suite pass on the newest release of every
dependency that pyproject.toml's ranges allow? Run nightly (``make newest`` and the
``newest`` workflow), so that a release that breaks xiaoan is found the night it ships and
not by a new user; main keeps installing from requirements.lock whatever happens here.

On failure it finds which upgraded package reproduces the failure on its own (each one
alone on top of the lock, running only the tests that failed) and writes the title and
body of the one issue the workflow opens or updates.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

REPO = Path(__file__).resolve().parents[2]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?==([^\s;\\]+)", re.M)


@dataclass(frozen=True, order=True)
class Change:
    """One package whose newest release differs from the lock (``locked`` None: new)."""

    name: str
    locked: str | None
    newest: str | None

    def __str__(self) -> str:
        return f"{self.name} {self.locked or '(新增)'} → {self.newest or '(不再需要)'}"


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(text: str) -> dict[str, str]:
    """``name==version`` lines of a requirements file, by canonical name."""
    return {canonical(name): version for name, version in _PIN.findall(text)}


def changes(locked: dict[str, str], newest: dict[str, str]) -> list[Change]:
    return sorted(
        Change(name, locked.get(name), newest.get(name))
        for name in locked.keys() | newest.keys()
        if locked.get(name) != newest.get(name)
    )


def with_changes(locked: dict[str, str], applied: Iterable[Change]) -> dict[str, str]:
    """The lock's pins with some changes applied (a removed package stays as locked)."""
    out = dict(locked)
    for change in applied:
        if change.newest is not None:
            out[change.name] = change.newest
    return out


class Failing(Protocol):
    """Installs a set of pins and runs the tests (all, or the named ones); returns the ids
    of the tests that failed. ``log`` holds the output of the last run."""

    log: str

    def __call__(self, wanted: dict[str, str], tests: list[str] | None) -> list[str]: ...


def culprits(
    locked: dict[str, str], found: list[Change], failed: list[str], failing: Failing
) -> list[Change]:
    """The changes that reproduce the failure each on their own, on top of the lock, running
    only the tests that failed. If none does alone, the failure needs several together and
    all of them are named."""
    guilty = [c for c in found if c.newest and failing(with_changes(locked, [c]), failed)]
    return guilty or list(found)


def issue(found: list[Change], guilty: list[Change], failed: list[str], log: str) -> str:
    """The Markdown body of the issue: the package and version first, then the evidence."""
    lines = ["## 出问题的依赖", ""]
    lines += [f"- **{c.name} {c.newest}**(锁定版本 {c.locked or '无'})" for c in guilty]
    if len(guilty) > 1:
        lines += ["", "单独升级其中任何一个都不能复现失败,需要一起升级才会失败。"]
    lines += ["", f"## 失败的测试({len(failed)})", ""]
    lines += [f"- `{test}`" for test in failed[:50]]
    if len(failed) > 50:
        lines.append(f"- ……另有 {len(failed) - 50} 个")
    lines += ["", f"## 全部有新版本的依赖({len(found)})", ""]
    lines += [f"- {c}" for c in found]
    lines += [
        "",
        "## 输出的最后部分",
        "",
        "```",
        log.strip()[-6000:],
        "```",
        "",
        "main 仍按 requirements.lock 安装,不受影响。修好代码(或在 pyproject.toml 中排除该版本)后运行",
        "`make lock` 更新锁定文件。",
    ]
    return "\n".join(lines) + "\n"


def check(locked: dict[str, str], newest: dict[str, str], failing: Failing) -> tuple[int, str]:
    """Run the whole check: (exit code, report). The report is the issue body on failure."""
    found = changes(locked, newest)
    if not found:
        return 0, "所有依赖都已是锁定的最新版本。\n"
    failed = failing(newest, None)
    if not failed:
        return 0, "最新版本全部测试通过:\n" + "".join(f"- {c}\n" for c in found)
    log = failing.log  # of the full run: the one-package runs that follow replace it
    return 1, issue(found, culprits(locked, found, failed, failing), failed, log)


class Venvs:
    """Real installs: a fresh virtualenv for each set of pins, the project installed
    editable from this checkout, pytest run in it."""

    def __init__(self, root: Path, pytest_args: list[str]):
        self.root = root
        self.pytest_args = pytest_args
        self.log = ""

    def __call__(self, wanted: dict[str, str], tests: list[str] | None) -> list[str]:
        venv = self.root / "venv"
        shutil.rmtree(venv, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(venv / "bin" / "python")
        reqs = self.root / "pins.txt"
        reqs.write_text("".join(f"{n}=={v}\n" for n, v in sorted(wanted.items())), "utf-8")
        pip = [python, "-m", "pip", "install", "--quiet", "--no-deps"]
        install = subprocess.run([*pip, "-r", str(reqs)], capture_output=True, text=True)
        if install.returncode:
            self.log = install.stdout + install.stderr
            return ["(安装失败)"]
        subprocess.run([*pip, "--no-build-isolation", "-e", str(REPO)], check=True)
        junit = self.root / "junit.xml"
        args = tests if tests is not None else self.pytest_args
        done = subprocess.run(
            [python, "-m", "pytest", "-p", "no:cacheprovider", f"--junitxml={junit}", *args],
            cwd=REPO, capture_output=True, text=True,
        )
        self.log = done.stdout + done.stderr
        return failed_tests(junit) if done.returncode else []


def failed_tests(junit: Path) -> list[str]:
    """Node ids of the failed and erroring tests in a JUnit XML report."""
    try:
        tree = ET.parse(junit)
    except (OSError, ET.ParseError):
        return ["(测试没有运行)"]
    out = []
    for case in tree.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            module = case.get("classname", "").replace(".", "/")
            out.append(f"{module}.py::{case.get('name')}")
    return out or ["(测试没有运行)"]


def resolve_newest(uv: str) -> str:
    """Newest releases pyproject.toml allows, resolved by uv as `make lock` would."""
    done = subprocess.run(
        [uv, "pip", "compile", "pyproject.toml", "--extra", "test", "--extra", "dev",
         "--upgrade", "--no-header", "--no-annotate", "--python-version", "3.11",
         "--python-platform", "x86_64-manylinux_2_28", "--quiet"],
        cwd=REPO, capture_output=True, text=True, check=True,
    )
    return done.stdout


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.devtools.newest")
    parser.add_argument("--report", type=Path, required=True, help="where to write the report")
    parser.add_argument("--uv", default=str(Path(sys.executable).with_name("uv")))
    parser.add_argument("pytest_args", nargs="*", default=["-q"])
    args = parser.parse_args(argv)
    locked = pins((REPO / "requirements.lock").read_text(encoding="utf-8"))
    newest = pins(resolve_newest(args.uv))
    with tempfile.TemporaryDirectory(prefix="xiaoan-newest-") as tmp:
        code, report = check(locked, newest, Venvs(Path(tmp), args.pytest_args))
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(report, encoding="utf-8")
    print(report)
    return code


if __name__ == "__main__":
    sys.exit(main())
