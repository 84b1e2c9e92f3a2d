"""core.files.atomic_write: all or nothing, world-readable under the umask, no temp left."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from generator.core.files import atomic_write


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_file_is_0666_under_the_umask_not_0600(tmp_path):
    old = os.umask(0o022)
    try:
        atomic_write(tmp_path / "a.xlsx", b"data")
        atomic_write(tmp_path / "b.yaml", "名称: 一小\n")
    finally:
        os.umask(old)
    assert mode(tmp_path / "a.xlsx") == 0o644
    assert (tmp_path / "b.yaml").read_text(encoding="utf-8") == "名称: 一小\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.xlsx", "b.yaml"]


def test_existing_file_keeps_its_mode(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("old", encoding="utf-8")
    path.chmod(0o640)
    atomic_write(path, "new\r\n")
    assert mode(path) == 0o640
    assert path.read_bytes() == b"new\r\n"  # newlines as given


def test_failure_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    path = tmp_path / "x.yaml"
    path.write_text("old", encoding="utf-8")

    with pytest.raises(TypeError):
        atomic_write(path, 123)  # type: ignore[arg-type]
    assert path.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.yaml"]


def test_a_killed_writes_temp_file_is_ignored_by_git(tmp_path):
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    gitignore = Path(__file__).resolve().parent.parent / ".gitignore"
    (tmp_path / ".gitignore").write_text(gitignore.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "records").mkdir()
    leftover = tmp_path / "records" / ".school.yaml.abc123.tmp"
    leftover.write_text("half", encoding="utf-8")
    result = subprocess.run(
        ["git", "-C", str(tmp_path), "check-ignore", "-q", str(leftover)], check=False
    )
    assert result.returncode == 0


def test_an_error_names_the_file_not_the_temp_file(tmp_path):
    """mkstemp fails on '.name.XXXX.tmp' (here: the folder is missing): the error a person
    reads must name the file they asked for, and keep its kind."""
    target = tmp_path / "missing" / "CODEOWNERS"
    with pytest.raises(FileNotFoundError) as caught:
        atomic_write(target, "x")
    assert caught.value.filename == str(target)
