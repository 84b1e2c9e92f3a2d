"""Git plumbing for the contribution workflow: read files at any revision without a checkout.

Everything goes through a handful of ``git`` calls whose output is machine-readable (``-z``,
full hashes): :func:`changed` (what a pull request touches), :func:`ls_tree` (the files at a
revision), :func:`read_blobs` (many files' contents through one ``git cat-file --batch``)
and :func:`materialize` (a records tree at a revision, written to a folder, with only the
files a check needs). No git state is ever changed: no checkout, no worktree, no index.

Errors are :class:`GitError` with a Chinese message.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

_ENV = {
    **os.environ,
    "LC_ALL": "C",
    "GIT_OPTIONAL_LOCKS": "0",  # reading never takes the index lock
    "GIT_TERMINAL_PROMPT": "0",
}


class GitError(Exception):
    """A git command failed, or the folder is not a git repository (message in Chinese)."""


def git(repo: Path, *args: str, input: bytes | None = None) -> bytes:
    """Run ``git -C repo args…`` and return its standard output."""
    try:
        done = subprocess.run(
            ["git", "-C", str(repo), "-c", "core.quotepath=off", *args],
            input=input,
            capture_output=True,
            env=_ENV,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("找不到 git 命令:请先安装 git") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} 失败:{detail[-1] if detail else done.returncode}")
    return done.stdout


def toplevel(path: Path) -> Path | None:
    """The top folder of the git work tree holding ``path``, or ``None`` outside git."""
    folder = path if path.is_dir() else path.parent
    try:
        out = git(folder, "rev-parse", "--show-toplevel")
    except GitError:
        return None
    return Path(out.decode("utf-8").strip())


def is_shallow(repo: Path) -> bool:
    """Whether ``repo`` is a shallow clone (its history cut short)."""
    return git(repo, "rev-parse", "--is-shallow-repository").strip() == b"true"


def resolve(repo: Path, rev: str) -> str:
    """The full commit hash of ``rev``; a Chinese error for an unknown revision."""
    if rev.startswith("-"):
        raise GitError(f"“{rev}”不是有效的版本")
    try:
        return git(repo, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}").decode().strip()
    except GitError:
        raise GitError(
            f"找不到版本“{rev}”:请检查分支名或提交号(在 CI 中请用 fetch-depth: 0 取得完整历史)"
        ) from None


def merge_base(repo: Path, a: str, b: str) -> str:
    """The best common ancestor of ``a`` and ``b`` (where a pull request's branch left main)."""
    try:
        return git(repo, "merge-base", a, b).decode().strip()
    except GitError:
        raise GitError(
            f"版本 {a[:12]} 和 {b[:12]} 没有共同的历史:无法比较(在 CI 中请用 fetch-depth: 0)"
        ) from None


def relative(repo: Path, path: Path) -> str:
    """``path`` as a repository path (``records``), whether it exists or not."""
    absolute = path if path.is_absolute() else Path.cwd() / path
    try:
        rel = Path(os.path.normpath(absolute)).relative_to(repo.resolve())
    except ValueError:
        try:
            rel = Path(os.path.normpath(absolute.resolve())).relative_to(repo.resolve())
        except ValueError:
            raise GitError(f"{path} 不在 git 仓库 {repo} 之中") from None
    return rel.as_posix() if rel.parts else "."


def ls_tree(repo: Path, rev: str, prefix: str) -> dict[str, str]:
    """``{path: blob hash}`` of every file under ``prefix`` at ``rev``."""
    out = git(repo, "ls-tree", "-r", "-z", "--full-tree", rev, "--", prefix)
    files: dict[str, str] = {}
    for record in out.split(b"\0"):
        if not record:
            continue
        meta, _, name = record.partition(b"\t")
        mode, kind, sha = meta.split(b" ")
        if kind == b"blob":
            files[name.decode("utf-8", "surrogateescape")] = sha.decode()
    return files


def changed(repo: Path, a: str, b: str, prefix: str) -> list[tuple[str, str]]:
    """``(status, path)`` of each file under ``prefix`` that differs between ``a`` and ``b``.

    Status is ``A`` (added), ``M`` (modified), ``D`` (deleted) or ``T`` (type changed); a
    rename is a deletion and an addition.
    """
    out = git(repo, "diff", "--name-status", "-z", "--no-renames", a, b, "--", prefix)
    parts = out.split(b"\0")
    result = []
    for status, name in zip(parts[0::2], parts[1::2], strict=False):
        if status:
            result.append((status.decode()[0], name.decode("utf-8", "surrogateescape")))
    return result


def read_blobs(repo: Path, shas: Iterable[str]) -> dict[str, bytes]:
    """The contents of many blobs, through one ``git cat-file --batch``."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return {}
    out = git(repo, "cat-file", "--batch", input="".join(s + "\n" for s in wanted).encode())
    blobs: dict[str, bytes] = {}
    pos = 0
    for sha in wanted:
        end = out.index(b"\n", pos)
        header = out[pos:end].split(b" ")
        if len(header) < 3:  # "<sha> missing"
            raise GitError(f"git 对象 {sha[:12]} 不存在(浅克隆?请用 fetch-depth: 0)")
        size = int(header[2])
        blobs[sha] = out[end + 1 : end + 1 + size]
        pos = end + 1 + size + 1
    return blobs


def materialize(
    repo: Path, files: dict[str, str], dest: Path, *, empty: Iterable[str] = ()
) -> list[Path]:
    """Write ``files`` (``{repository path: blob hash}``) under ``dest``; return their paths.

    ``empty`` are further repository paths written as empty files: placeholders that give
    checks across the tree the file names they look at, at no cost.
    """
    blobs = read_blobs(repo, files.values())
    written = []
    for name, sha in files.items():
        target = dest / PurePosixPath(name)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(blobs[sha])
        written.append(target)
    for name in empty:
        target = dest / PurePosixPath(name)
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.touch()
    return written
