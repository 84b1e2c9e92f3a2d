"""Build the public site: validate → evaluate → render into a temporary folder → swap.

:func:`prepare` validates and evaluates the records; an invalid dossier stops the build there
with the validator's findings. :func:`render` has the publisher (:mod:`generator.site.publisher`:
the engine's frames, then every page, file and the search index) write a fresh folder next
to the output folder, and only then :func:`publish` swaps it in: the previous site stays whole
until the new one is complete, and a failed build leaves it untouched.

Publishing holds a lock on the output's parent folder (a second build into it waits), swaps
the two folders with one ``renameat2(RENAME_EXCHANGE)`` so a reader never finds no site, and
first removes what killed builds left (``.<out>-new-*``, ``.<out>-old-*``).

Nothing here prints; failures raise :class:`BuildFailed` with a Chinese message.
"""

from __future__ import annotations

import ctypes
import errno
import fcntl
import os
import shutil
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from generator import ROOT
from generator.core.findings import Finding

CONFIG = "mkdocs.yml"


@dataclass
class SiteData:
    """What the site is made from: valid records and their evaluation."""

    records: Any  # generator.core.validate.Records
    evaluation: Any  # generator.core.evaluate.Evaluation


@dataclass
class BuildResult:
    out: Path
    schools: int
    written: list[str]
    """The files this build wrote (relative paths, sorted): those not the very files of the site
    it replaced. Empty when nothing changed: then the site was left as it was."""
    summary: str = ""
    """Full or incremental, and why, in one Chinese line."""
    warnings: list[str] = field(default_factory=list)
    """What the person building should know (a placeholder site_url, sheets longer than a
    page), one Chinese line each."""
    cleanup: threading.Thread | None = None
    """Removes the replaced site, after the new one is in place, then releases the lock on
    the output folder; :meth:`wait` for it."""

    @property
    def files(self) -> int:
        return len(self.written)

    def wait(self) -> None:
        if self.cleanup is not None:
            self.cleanup.join()


class BuildFailed(Exception):
    """The site was not built; ``findings`` are the records' problems, if that was why."""

    def __init__(self, message: str, findings: list[Finding] | None = None):
        super().__init__(message)
        self.findings = findings or []


def default_config() -> Path:
    """``mkdocs.yml`` in the current folder, else the one beside the package."""
    here = Path(CONFIG)
    return here if here.is_file() else ROOT.parent / CONFIG


def _quiet(stage: str) -> None:
    pass


def prepare(
    records_dir: Path, as_of: date, *, display=str, stage=_quiet, full: bool = False
) -> SiteData:
    """Validate and evaluate the records; raise :class:`BuildFailed` if any is invalid.

    What was found for files unchanged since the last build is taken from the pipeline's
    store (:class:`generator.core.store.Store`), unless ``full``: a full build checks and
    evaluates every file (and refreshes the store). ``stage`` is told (in Chinese) what the
    build is doing, for a command to show.
    """
    from generator.core import pipeline

    records_dir = Path(records_dir)
    if not records_dir.is_dir():
        raise BuildFailed(f"找不到档案文件夹 {records_dir}")
    store = pipeline.Store.open(records_dir)
    try:
        if store is not None and full:
            store.forget_all()
        stage("校验档案")
        records = pipeline.validate(records_dir, as_of=as_of, display=display, store=store)
        errors = [f for f in records.findings if f.severity == "error"]
        if errors:
            raise BuildFailed(f"档案校验未通过({len(errors)} 处错误),网站没有生成", errors)
        if not records.schools:
            raise BuildFailed(f"{records_dir} 中没有学校档案,网站没有生成")
        stage(f"评估 {len(records.schools)} 所学校")
        evaluation = pipeline.evaluate(records, as_of, store=store)
        errors = [f for f in evaluation.findings if f.severity == "error"]
        if errors:
            raise BuildFailed(f"档案评估未通过({len(errors)} 处错误),网站没有生成", errors)
        if store is not None:
            store.forget_unused()
    finally:
        if store is not None:
            store.close()
    return SiteData(records, evaluation)


def render(
    data: SiteData,
    out: Path,
    *,
    config_file: Path | None = None,
    engine: str = "mkdocs",
    full: bool = False,
    progress: bool = False,
    wait: bool = True,
    stage=_quiet,
    waiting: Callable[[], None] = lambda: None,
) -> BuildResult:
    """Build the site from prepared ``data`` into ``out``, replacing it only when complete;
    ``engine`` builds the hand-written pages and the frames (:data:`generator.site.engine.ENGINES`).
    Only what changed since the site at ``out`` was built is rendered anew, unless ``full``;
    when nothing changed, ``out`` is left as it is.

    With ``wait=False`` the replaced site is still being removed when this returns (the new
    one is in place): call the result's :meth:`~BuildResult.wait` before exiting.
    ``waiting`` is called when another build holds the output folder and this one waits.
    """
    from generator.site import publisher
    from generator.site.engine import EngineError
    from generator.site.writer import OutputError

    out = Path(out).absolute()
    config_file = Path(config_file or default_config())
    if not config_file.is_file():
        raise BuildFailed(f"找不到网站配置文件 {config_file}(可用 --config 指定)")
    _check_out(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock(out.parent, waiting)
    try:
        _clean_leftovers(out)
        _check_out(out)  # again: the build we waited for may have changed it
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-new-", dir=out.parent))
    except BaseException:
        os.close(lock)
        raise
    try:
        stage("生成网页")
        try:
            done = publisher.publish(
                data, config_file, tmp, engine_name=engine, progress=progress,
                previous=out if out.is_dir() else None, full=full,
            )  # fmt: skip
        except (EngineError, OutputError) as exc:
            raise BuildFailed(str(exc)) from None
        if done.unchanged:
            os.rmdir(tmp)
            os.close(lock)
            return BuildResult(out, len(data.evaluation.schools), [], done.summary, done.warnings)
        tmp.chmod(0o755)  # mkdtemp makes it private; a published site is world-readable
        before = done.previous_files  # where files were hard-linked from
        written = sorted(f for f, inode in _files(tmp).items() if before.get(f) != inode)
        cleanup = publish(tmp, out, lock)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        os.close(lock)
        raise
    result = BuildResult(
        out, len(data.evaluation.schools), written, done.summary, done.warnings, cleanup
    )
    if wait:
        result.wait()
    return result


def build(
    records_dir: Path,
    out: Path,
    as_of: date,
    *,
    config_file: Path | None = None,
    engine: str = "mkdocs",
    full: bool = False,
    progress: bool = False,
    display=str,
    wait: bool = True,
    stage=_quiet,
    waiting: Callable[[], None] = lambda: None,
) -> BuildResult:
    """Validate, evaluate and render: the whole build."""
    data = prepare(records_dir, as_of, display=display, stage=stage, full=full)
    return render(
        data, out, config_file=config_file, engine=engine, full=full, progress=progress,
        wait=wait, stage=stage, waiting=waiting,
    )  # fmt: skip


def differences(a: Path, b: Path) -> list[str]:
    """The files (relative paths) that are in one site and not the other, or differ; but the
    search's kept Pagefind runs, which depend on the builds before (build state, not output)."""
    import filecmp

    from generator.site.search import RUNS_DIR

    left, right = (
        {f for f in _files(site) if not f.startswith(f"{RUNS_DIR}/")} for site in (a, b)
    )
    same = {f for f in left & right if filecmp.cmp(a / f, b / f, shallow=False)}
    return sorted((left | right) - same)


def _files(root: Path) -> dict[str, int]:
    """Every file under ``root`` (relative path) and its inode: a file an incremental build
    linked from the site before is the same inode at the same path."""
    found, folders = {}, [""]
    while folders:
        rel = folders.pop()
        with os.scandir(os.path.join(root, rel)) as entries:
            for entry in entries:
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    folders.append(path)
                else:
                    found[path] = entry.inode()
    return found


def _check_out(out: Path) -> None:
    """Refuse to replace a folder that is not a site built before (``--out docs`` by mistake)."""
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise BuildFailed(f"输出位置 {out} 不是文件夹")
    if out.is_dir() and any(out.iterdir()) and not (out / "sitemap.xml").is_file():
        raise BuildFailed(
            f"输出文件夹 {out} 不是空的,也不像之前生成的网站(没有 sitemap.xml);为安全起见不覆盖它"
        )


# ---------------------------------------------------------------------------------------------
# Publishing: one lock, one atomic swap, no leftovers


def _lock(folder: Path, waiting: Callable[[], None]) -> int:
    """An exclusive lock on ``folder`` (the output's parent), held by the returned descriptor;
    released when it is closed, or when the process dies."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting()
            fcntl.flock(fd, fcntl.LOCK_EX)
    except BaseException:
        os.close(fd)
        raise
    return fd


def _clean_leftovers(out: Path) -> None:
    """Remove what killed builds into ``out`` left (and the search index's scratch pages of
    any killed build); put back a site a crash left moved aside (only the two-rename fallback
    of :func:`publish` can leave one so). Called under the lock."""
    from generator.site.search import clean_scratch

    clean_scratch()
    for old in sorted(out.parent.glob(f".{out.name}-old-*")):
        if not out.exists() and (old / out.name / "sitemap.xml").is_file():
            os.rename(old / out.name, out)
        shutil.rmtree(old, ignore_errors=True)
    for new in out.parent.glob(f".{out.name}-new-*"):
        shutil.rmtree(new, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
_renameat2 = getattr(ctypes.CDLL(None, use_errno=True), "renameat2", None)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders in one step (Linux renameat2); False where that is not supported."""
    if _renameat2 is None:
        return False
    if _renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(b))


def publish(new: Path, out: Path, lock: int) -> threading.Thread | None:
    """Put the finished site ``new`` in place of ``out`` so that a reader always finds a
    whole site at ``out``: one atomic exchange of the two folders (two renames where the
    system cannot, and the next build repairs a crash between them). The old site is then
    removed in the background (tens of thousands of files) and ``lock`` released: the
    returned thread, to join before exiting."""
    if not out.exists():
        os.rename(new, out)
        os.close(lock)
        return None
    if not _exchange(new, out):
        old = Path(tempfile.mkdtemp(prefix=f".{out.name}-old-", dir=out.parent))
        os.rename(out, old / out.name)
        os.rename(new, out)
        new = old

    def remove_old_site() -> None:
        try:
            shutil.rmtree(new, ignore_errors=True)
        finally:
            os.close(lock)

    thread = threading.Thread(target=remove_old_site)
    thread.start()
    return thread
