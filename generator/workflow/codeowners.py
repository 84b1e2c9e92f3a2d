"""Review routing: CODEOWNERS files made from the districts' reviewers.

Each ``records/<district>/_district.yaml`` names the bureau staff who review that district's
dossiers (``reviewers[].account``). :func:`render` turns them into the two files the code
platforms read, one rule per district folder, in a fixed order:

* ``.github/CODEOWNERS`` for GitHub (gitignore-style patterns: ``/records/chengguan/ @a @b``);
* ``.gitea/CODEOWNERS`` for Gitea (Go regular expressions over the whole path:
  ``records/chengguan/.* @a @b``; Gitea does not read ``.github/CODEOWNERS``).

A pull request that touches a district's folder then asks that district's reviewers for a
review; with branch protection requiring it, their approval is the sign-off (审核确认).
:func:`stale` says which files no longer match the district files (CI fails on it).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from generator.core.files import atomic_write
from generator.core.findings import Finding
from generator.core.load import LoadError, load
from generator.core.pipeline import check_document
from generator.core.validate import DISTRICT_FILE

FILES = {
    "github": Path(".github/CODEOWNERS"),
    "gitea": Path(".gitea/CODEOWNERS"),
}

HEADER = (
    "# 由 xiaoan codeowners 根据各区县 {records}/<区县>/_district.yaml 中的审核人(reviewers)生成,"
    "请勿手工修改。\n"
    "# 审核人有变动时:修改该区县的 _district.yaml,运行 xiaoan codeowners,连同生成的文件一起提交。\n"
    "# 审核人批准并合并修改请求即为审核确认(见 docs/workflow.md)。\n"
)


class CodeownersError(Exception):
    """District files that cannot be read: ``findings`` say where and why."""

    def __init__(self, findings: list[Finding]):
        super().__init__("区县信息文件有误,无法生成 CODEOWNERS")
        self.findings = findings


@dataclass(frozen=True)
class Rule:
    folder: str
    """The district folder, relative to the repository: ``records/chengguan``."""
    name: str
    accounts: tuple[str, ...]


def rules(records: Path, prefix: str, display=str) -> list[Rule]:
    """One rule per district folder with a ``_district.yaml``, sorted by folder."""
    found, problems = [], []
    for path in sorted(records.glob(f"*/{DISTRICT_FILE}")):
        try:
            doc = load(path, display(path))
        except LoadError as exc:
            problems.append(exc.finding)
            continue
        errors = check_document(doc, "district")
        if errors:
            problems += errors
            continue
        accounts = tuple(dict.fromkeys(r["account"] for r in doc.data["reviewers"]))
        folder = f"{prefix}/{path.parent.name}" if prefix not in ("", ".") else path.parent.name
        found.append(Rule(folder, doc.data["name"], accounts))
    if problems:
        raise CodeownersError(problems)
    return found


def render(found: list[Rule], platform: str, records: str = "records") -> str:
    """The text of one platform's CODEOWNERS file."""
    lines = [HEADER.format(records=records)]
    for rule in found:
        owners = " ".join(f"@{a}" for a in rule.accounts)
        if platform == "github":
            pattern = f"/{rule.folder}/"
        else:
            pattern = "/".join(re.escape(part) for part in rule.folder.split("/")) + "/.*"
        lines.append(f"# {rule.name}\n{pattern} {owners}\n")
    return "\n".join(lines)


def expected(records: Path, root: Path, prefix: str, display=str) -> dict[Path, str]:
    """``{file under root: text it should have}`` for every platform."""
    found = rules(records, prefix, display)
    return {root / rel: render(found, platform, prefix) for platform, rel in FILES.items()}


def stale(wanted: dict[Path, str]) -> list[Path]:
    """The files whose text differs from what they should be (or that are missing)."""
    out = []
    for path, text in wanted.items():
        try:
            current = path.read_text(encoding="utf-8")
        except OSError:
            current = None
        if current != text:
            out.append(path)
    return out


def write(wanted: dict[Path, str]) -> list[Path]:
    """Write the stale files (each through a temp file and a rename); return them."""
    changed = stale(wanted)
    for path in changed:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, wanted[path])
    return changed
