"""Writing a file all or nothing: the one way generator/ replaces a file."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

TEMP_SUFFIX = ".tmp"  # temp files are ".<name>.<random>.tmp"; .gitignore covers ".*.tmp"


def _umask() -> int:
    umask = os.umask(0)
    os.umask(umask)
    return umask


def atomic_write(path: Path | str, data: bytes | str) -> Path:
    """Replace ``path`` with ``data`` (str is written as UTF-8, newlines as given).

    A temp file in the same folder, fsync, then os.replace: a reader sees the old file or
    the new one, never a part. The new file keeps the old one's mode, or gets 0666 under
    the umask (0644 usually), never mkstemp's private 0600. The temp file is removed on any
    failure, including KeyboardInterrupt. An OSError names ``path``, never the temp file (or
    nothing, as a full disk's does), so that the message a person reads says which file.
    """
    path = Path(path)
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        mode = path.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        if exc.filename == str(path) or exc.errno is None:
            raise
        raise type(exc)(exc.errno, exc.strerror, str(path)) from exc
    except BaseException:
        if tmp is not None:
            Path(tmp).unlink(missing_ok=True)
        raise
    return path
