"""What a build made, and from what: the manifest that lets the next build redo only what changed.

A built site keeps ``.xiaoan/manifest.json``: the digest of everything that shapes every page
(:func:`global_parts`: the package's code, templates and assets, the site configuration, the
hand-written pages, the engine, the Python packages installed), and, for each school and district, the digest of the inputs
its pages are made from and the files it wrote. The next build compares:

* a global part differs, or the manifest is missing, unreadable or of another format → a full
  build, and :func:`plan` says why in one Chinese line;
* otherwise only the schools and districts whose digest changed are rendered again; the
  other files are hard links to the previous site's (see :mod:`generator.site.publisher`);
* no digest changed and the day is the same: the pages made on every build (home, 各区县,
  sitemap, search) are made from these and the day alone, so nothing is made at all.

A school's digest covers its dossier, its district's file, its evaluation (status, findings,
and the days between which they hold) and its 审核确认记录: what its pages show. Nothing of
the build's own date enters a page except through those, so a build on a later day redoes
only the schools whose findings changed with the date.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import sys
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from generator import ROOT, __version__
from generator.core.files import atomic_write

FORMAT = 4
FOLDER = ".xiaoan"
FILE = f"{FOLDER}/manifest.json"
FRAMES = f"{FOLDER}/frames"
# What a change of each global part means, for the one line a full build prints.
PART_NAMES = {
    "format": "构建记录的格式", "version": "xiaoan 的版本", "code": "程序代码",
    "templates": "网页模板和样式", "config": "网站配置(mkdocs.yml)", "docs": "手写页面(docs/)",
    "engine": "网站引擎", "packages": "已安装的 Python 包",
}  # fmt: skip


def digest(*parts: Any) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(part if isinstance(part, bytes) else json.dumps(part, ensure_ascii=False, sort_keys=True, default=str).encode())  # fmt: skip
        h.update(b"\0")
    return h.hexdigest()[:32]


def tree(folder: Path, pattern: str = "*") -> str:
    files = sorted(p for p in Path(folder).rglob(pattern) if p.is_file() and "__pycache__" not in p.parts)
    return digest(*(str(p.relative_to(folder)).encode() + b"\0" + p.read_bytes() for p in files))


def global_parts(config_file: Path, docs_dir: Path, engine: str) -> dict[str, str]:
    """The digest of each thing that shapes every page."""
    return {
        "format": str(FORMAT),
        "version": __version__,
        "code": code(),
        "templates": tree(ROOT / "site", "*.html") + tree(ROOT / "site", "*.css") + tree(ROOT / "site", "*.js"),
        "config": digest(Path(config_file).read_bytes()),
        "docs": tree(docs_dir),
        "engine": engine,
        "packages": packages(),
    }


def code() -> str:
    """The digest of the package's code and data (schemas, rule sets)."""
    return tree(ROOT, "*.py") + tree(ROOT, "*.json") + tree(ROOT / "core", "*.yaml")


@functools.cache
def packages() -> str:
    """The digest of the Python packages installed, each by name and version: the engine, its
    theme and Markdown extensions, Jinja, openpyxl and Pagefind shape the output too."""
    here = os.getcwd()  # `python -m` puts the current folder first: a checkout's egg-info there
    path = [p for p in sys.path if p and os.path.abspath(p) != here]  # is not an installed package
    return digest(sorted({f"{d.name} {d.version}" for d in metadata.distributions(path=path)}))


def editor_digest(config: dict) -> str:
    """The digest of what /admin/ is made from: the web editor's npm packages (if installed)
    and its config (the districts, the repository)."""
    lock = ROOT.parent / "package-lock.json"
    installed = (ROOT.parent / "node_modules").is_dir()
    return digest(lock.read_bytes() if lock.is_file() else b"", installed, config)


def school_digest(text: bytes, district: bytes, result: Any, signoffs: Any, when: Any) -> str:
    """The digest of what a school's pages are made from; ``when`` is the evaluation's date,
    or the days its findings hold."""
    # A finding's repr holds every field (a frozen dataclass), at a fraction of asdict's cost.
    return digest(text, district, result.status, repr(result.findings), signoffs, when)


def district_digest(district: bytes, page: dict, schools: list[str]) -> str:
    """The digest of a district's page and workbook: its file, its page's data and the digests
    of its schools."""
    return digest(district, page, schools)


@dataclass
class Manifest:
    parts: dict[str, str]
    editor: str = ""  # editor_digest of /admin/
    as_of: str = ""  # the day of the evaluation (the home page's 截至, the sitemap's dates)
    schools: dict[str, dict] = field(default_factory=dict)  # id -> {"digest", "files"}
    districts: dict[str, dict] = field(default_factory=dict)  # id -> {"digest", "files"}

    def write(self, out: Path) -> None:
        data = {"format": FORMAT, **vars(self)}  # plain data already: no deep copy (asdict)
        atomic_write(out / FILE, json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")


def read(site: Path) -> Manifest | str:
    """The manifest of the site at ``site``, or why there is none to trust (Chinese, naming
    the file)."""
    path = Path(site) / FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            return f"上次构建的记录 {path} 格式不同"
        manifest = Manifest(data["parts"], data["editor"], data["as_of"], data["schools"], data["districts"])
        entries = [*manifest.schools.values(), *manifest.districts.values()]
        if not all(isinstance(e["digest"], str) and isinstance(e["files"], list) for e in entries):
            raise TypeError
        if not all(isinstance(e["row"], dict) for e in manifest.schools.values()):
            raise TypeError
    except FileNotFoundError:
        return f"没有上次构建的记录 {path}"
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return f"上次构建的记录 {path} 已损坏"
    return manifest


def plan(previous: Path | None, parts: dict[str, str], full: bool) -> tuple[Manifest | None, str]:
    """The manifest of the site at ``previous`` if this build can build upon it; else None and
    why not (one Chinese line)."""
    if full:
        return None, "按要求(--full)重新生成全部页面"
    if previous is None or not Path(previous).exists():
        return None, "首次生成全部页面"
    manifest = read(previous)
    if isinstance(manifest, str):
        return None, f"{manifest},重新生成全部页面"
    changed = [PART_NAMES.get(k, k) for k in parts if manifest.parts.get(k) != parts[k]]
    if changed:
        return None, f"{'、'.join(changed)}有变化,重新生成全部页面"
    return manifest, ""
