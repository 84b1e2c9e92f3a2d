"""What a build makes from inputs that seldom change, kept for the next build to copy: the
engine's output (the hand-written pages, the theme and the frames) and the web editor
(:mod:`.publisher`). (The search keeps its Pagefind runs in the site instead, page by page:
:mod:`.search`.)

An entry is a folder named by the digest of everything it is made from, so an entry found
stands for making it again, byte for byte; only the making is skipped (about a second for
the engine, a few tenths for the editor's bundle). So a full build after an incremental one
(``xiaoan build --verify``, ``--full``, a fresh ``--out``) does not run the engine again. Entries live in the cache folder
(:func:`generator.core.cache.cache_dir`, ``site/<kind>/<digest>/``); the newest :data:`KEEP`
of each kind stay. A cache that cannot be read or written is not used.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from generator.core.cache import cache_dir

KEEP = 4  # entries of each kind


def _folder(kind: str) -> Path:
    return cache_dir() / "site" / kind


def fetch(kind: str, key: str, into: Path) -> bool:
    """Copy the entry ``key`` into the folder ``into`` (made if missing, else empty); False if
    there is none or it cannot be read (``into`` is then as it was)."""
    entry = _folder(kind) / key
    if not entry.is_dir():
        return False
    existed = into.exists()
    try:
        shutil.copytree(entry, into, dirs_exist_ok=True)
        os.utime(entry)  # used: among the newest again
    except OSError:  # shutil.Error too
        shutil.rmtree(into, ignore_errors=True)
        if existed:
            into.mkdir()
        return False
    return True


def keep(kind: str, key: str, made: Path) -> None:
    """Keep a copy of the folder ``made`` as the entry ``key``; forget the oldest others."""
    folder = _folder(kind)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".new-", dir=folder) as tmp:
            shutil.copytree(made, Path(tmp) / key)
            os.rename(Path(tmp) / key, folder / key)  # whole or not at all
        others = sorted((p for p in folder.iterdir() if p.name != key and not p.name.startswith(".")),
                        key=lambda p: p.stat().st_mtime_ns, reverse=True)  # fmt: skip
        for old in others[KEEP - 1 :]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:  # no cache (full, read-only), or another build kept the same entry meanwhile
        pass
