"""Findings: the plain data every check produces and every reporter consumes."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

SEVERITIES = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem at one place in one file.

    ``message`` and ``place`` are Chinese, for people; ``code`` and ``path`` (a JSON pointer)
    are for machines. Rule findings also carry the school, the rule's category and its source.
    """

    file: str
    message: str
    code: str
    line: int | None = None
    column: int | None = None
    path: str = ""
    place: str = ""
    severity: str = "error"
    school: str | None = None
    category: str | None = None
    source: str | None = None
    status: str | None = None
    """For rule findings, the status the problem gives its category (逾期, 待整改 …)."""
    due: date | None = None
    """For a dated duty, the day it fell (or, for a warning of something coming, will fall)
    due: a hazard's deadline, a risk's review, the end of the month a drill was owed …"""

    def as_dict(self) -> dict:
        return {
            k: v.isoformat() if isinstance(v, date) else v
            for k, v in asdict(self).items()
            if v is not None
        }

    def sort_key(self) -> tuple:
        return (self.file, self.line or 0, self.column or 0, self.code, self.path)


class FileCount(int):
    """How many files a run checked, and how many of them were district files
    (``_district.yaml``), for the summary line: 27 所学校的档案和 3 个区县配置."""

    def __new__(cls, total: int, districts: int = 0) -> FileCount:
        count = super().__new__(cls, total)
        count.districts = districts
        return count


def pointer(path: tuple | list) -> str:
    """A JSON pointer (RFC 6901) for a path of keys and indices."""
    if not path:
        return ""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in path)
