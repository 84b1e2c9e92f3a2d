"""How xiaoan is installed: the lock, the virtualenv made from it, the wheel, the pre-commit
hook used from another repository, and `make release`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from gitrepos import GitRepo
from packaging.requirements import Requirement

from generator.devtools.newest import canonical, pins

REPO = Path(__file__).resolve().parent.parent
LOCK = (REPO / "requirements.lock").read_text(encoding="utf-8")
PROJECT = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def requirements() -> list[Requirement]:
    extras = PROJECT["optional-dependencies"]
    return [Requirement(r) for r in [*PROJECT["dependencies"], *extras["test"], *extras["dev"]]]


def test_every_locked_package_is_pinned_with_hashes():
    entries = re.split(r"\n(?=\S)", LOCK.strip())
    assert len(entries) == len(pins(LOCK)) >= 40
    for entry in entries:
        first = entry.splitlines()[0]
        assert re.fullmatch(r"[\w.-]+==\S+ \\", first), first
        assert "--hash=sha256:" in entry, first


def test_the_lock_satisfies_pyproject_ranges():
    locked = pins(LOCK)
    for req in requirements():
        name = canonical(req.name)
        assert name in locked, f"{req.name} is in pyproject.toml but not in requirements.lock"
        assert req.specifier.contains(locked[name], prereleases=True), (req, locked[name])
    for extra in ("extended",):  # pagefind[extended] brings its binary package
        assert f"pagefind-bin-{extra}" in locked


@pytest.mark.skipif(
    Path(sys.prefix).resolve() != (REPO / ".venv").resolve(),
    reason="not the project virtualenv that `make` made from the lock",
)
def test_the_virtualenv_holds_exactly_the_lock():
    installed = {
        canonical(d.metadata["Name"]): d.version
        for d in metadata.distributions()
        if canonical(d.metadata["Name"]) not in {"xiaoan", "pip"}
    }
    assert installed == pins(LOCK)


@pytest.mark.slow
def test_the_wheel_installed_elsewhere_validates_and_builds_the_samples(tmp_path):
    """A wheel built from this checkout, installed into a fresh virtualenv outside it: its
    schemas and templates travel inside. Its dependencies come from the project virtualenv
    (a path in a .pth file), so nothing is downloaded."""
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
         "--wheel-dir", str(wheels), str(REPO)],
        check=True, capture_output=True, cwd=tmp_path,
    )  # fmt: skip
    (wheel,) = wheels.glob("xiaoan-*.whl")
    assert wheel.name.startswith(f"xiaoan-{PROJECT['version']}-")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    fresh = venv / "bin" / "python"
    site = subprocess.run(
        [fresh, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    (Path(site) / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(fresh), "install", "--quiet", "--no-deps",
         str(wheel)],
        check=True, capture_output=True,
    )  # fmt: skip
    # A records repository of its own: records, the site's configuration and pages.
    adopter = tmp_path / "adopter"
    for part in ("records", "docs"):
        shutil.copytree(REPO / part, adopter / part)
    shutil.copy(REPO / "mkdocs.yml", adopter / "mkdocs.yml")
    env = {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}
    where = subprocess.run(
        [fresh, "-c", "import generator; print(generator.__file__)"],
        cwd=adopter, check=True, capture_output=True, text=True, env=env,
    ).stdout  # fmt: skip
    assert where.startswith(str(venv)), where
    xiaoan = str(venv / "bin" / "xiaoan")
    done = subprocess.run([xiaoan, "validate"], cwd=adopter, capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "通过校验" in done.stdout
    built = subprocess.run(
        [xiaoan, "build", "--as-of", "2026-11-23", "--out", "public"],
        cwd=adopter, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout + built.stderr
    assert (adopter / "public" / "schools" / "cg-shiyan-xiaoxue" / "index.html").is_file()
    assert (adopter / "public" / "reference" / "schema" / "index.html").is_file()


@pytest.mark.slow
def test_the_hook_runs_from_a_clone_with_pre_commit_try_repo(tmp_path):
    """What another records repository gets from `repo: <this repository>`: pre-commit
    installs the package from a clone (with pip, from the registry) and runs the hook."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
    theirs = GitRepo(tmp_path / "theirs")
    shutil.copytree(REPO / "records", theirs.root / "records")
    bad = theirs.path("records/chengguan/cg-shiyan-xiaoxue.yaml")
    bad.write_text(bad.read_text(encoding="utf-8").replace("  name: ", "  nmae: ", 1), "utf-8")
    theirs.git("add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "pre-commit-home")}
    pre_commit = [sys.executable, "-m", "pre_commit", "try-repo", str(clone), "xiaoan-validate"]
    done = subprocess.run(
        [*pre_commit, "--all-files"], cwd=theirs.root, capture_output=True, text=True, env=env
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "校验安全档案" in done.stdout and "Failed" in done.stdout
    assert "records/chengguan/cg-shiyan-xiaoxue.yaml:" in done.stdout
    good = [str(p.relative_to(theirs.root)) for p in theirs.root.glob("records/hexi/*.yaml")]
    done = subprocess.run(
        [*pre_commit, "--files", *good], cwd=theirs.root, capture_output=True, text=True, env=env
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Passed" in done.stdout


def _release_repo(tmp_path: Path) -> GitRepo:
    repo = GitRepo(tmp_path / "project")
    for name in ("Makefile", "CHANGELOG.md", "pyproject.toml", "README.md"):
        shutil.copy(REPO / name, repo.root / name)
    repo.git("add", ".")
    repo.git("commit", "-q", "-m", "release")
    return repo


def _release(repo: GitRepo) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-s", "release"], cwd=repo.root, capture_output=True, text=True)


def test_make_release_tags_the_version_once(tmp_path):
    repo = _release_repo(tmp_path)
    done = _release(repo)
    tag = f"v{PROJECT['version']}"
    assert done.returncode == 0, done.stderr
    assert f"已创建标签 {tag}" in done.stdout
    assert repo.git("cat-file", "-t", tag) == "tag"  # annotated
    again = _release(repo)
    assert again.returncode != 0 and f"标签 {tag} 已存在" in again.stderr


def test_make_release_refuses_a_dirty_tree_or_a_missing_changelog_section(tmp_path):
    repo = _release_repo(tmp_path)
    repo.write("CHANGELOG.md", repo.read("CHANGELOG.md").replace(f"## [{PROJECT['version']}]", "## [x]"))
    done = _release(repo)
    assert done.returncode != 0 and "未提交的修改" in done.stderr
    repo.git("commit", "-q", "-am", "no section")
    done = _release(repo)
    assert done.returncode != 0 and "CHANGELOG.md 中没有" in done.stderr
    assert repo.git("tag") == ""


def test_readme_and_hooks_name_the_current_version():
    tag = f"rev: v{PROJECT['version']}"
    for name in ("README.md", ".pre-commit-hooks.yaml", ".pre-commit-config.yaml"):
        assert tag in (REPO / name).read_text(encoding="utf-8"), name
    assert f"## [{PROJECT['version']}] - " in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
