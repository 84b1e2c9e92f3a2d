"""The static-site engine, behind one adapter: the only module that knows an engine.

xiaoan renders every page made from the records itself (:mod:`generator.site.publisher`).
The engine builds only the hand-written pages of ``docs/`` and a few **frames**: pages whose
content is a slot, with the title and headings the theme needs for its title bar and table
of contents. xiaoan then fills the slots (:class:`Frame`). Two engines read the same
``mkdocs.yml`` and draw the same Material look:

* ``mkdocs`` — MkDocs 1.6 with mkdocs-material, run in this process (the default);
* ``zensical`` — Zensical, the Material team's successor, run as ``python -m zensical``.

Both build from a staging copy of the docs folder with the frames added, so nothing is
written beside ``mkdocs.yml``. Neither runs a plugin of ours: a move of engine touches this
module only (docs/dev.md says what else to look at).
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml
from markupsafe import escape

ENGINES = ("mkdocs", "zensical")
DEFAULT = "mkdocs"

START = "@@XIAOAN-CONTENT@@"
"""The paragraph that opens a frame's slot; the slot ends at :data:`END`."""
END = "@@XIAOAN-END@@"
TITLE_SLOT = "@@XIAOAN-TITLE@@"


class EngineError(Exception):
    """The static-site engine could not build the site; the message says why, in Chinese."""


@dataclass(frozen=True)
class SiteConfig:
    """What xiaoan itself needs from ``mkdocs.yml``."""

    site_name: str
    site_url: str
    docs_dir: Path


class _Loader(yaml.SafeLoader):
    """Reads mkdocs.yml without running it: ``!!python/name:`` and ``!ENV`` tags read as None."""


_Loader.add_multi_constructor("", lambda loader, suffix, node: None)
_Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def read_config(config_file: Path) -> SiteConfig:
    """The site's name, address and docs folder, from ``config_file``."""
    try:
        with open(config_file, encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_Loader) or {}  # noqa: S506 - a SafeLoader
    except (OSError, yaml.YAMLError, UnicodeDecodeError) as exc:
        raise EngineError(f"网站配置文件 {config_file} 无法读取:{exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("site_name"), str):
        raise EngineError(f"网站配置文件 {config_file} 缺少 site_name")
    docs = Path(config_file).parent / str(data.get("docs_dir") or "docs")
    if not docs.is_dir():
        raise EngineError(f"找不到网站配置文件 {config_file} 中的 docs_dir:{docs}")
    return SiteConfig(data["site_name"], str(data.get("site_url") or ""), docs)


def frame_markdown(title: str, headings: list[tuple[int, str, str]], before: str = "") -> str:
    """The Markdown of a page whose content xiaoan fills: ``before`` (a hand-written page's own
    text), then the slot holding ``headings`` (level, id, text) for the table of contents.

    ``title`` may be :data:`TITLE_SLOT`, filled per page; the theme shows it escaped."""
    lines = [] if before else ["---", f"title: '{title}'", "---", ""]
    lines += [before, "", START, ""] if before else [START, ""]
    if not before:  # the slot's own h1: the theme then adds none of its own
        lines += [f"# {title} {{#top}}", ""]
    for level, anchor, text in headings:
        lines += [f"{'#' * level} {escape(text)} {{#{anchor}}}", ""]
    return "\n".join(lines + [END, ""])


class Frame:
    """A page the engine built around a slot: filled by string replacement, for one page or
    (with ``slug``, the frame's own path segment) for every page of a kind."""

    _SLOT = re.compile(f"<p>{START}</p>.*?<p>{END}</p>", re.S)

    def __init__(self, html: str, where: str, slug: str | None = None):
        parts = self._SLOT.split(html)
        if len(parts) != 2:
            raise EngineError(f"引擎生成的 {where} 中找不到(或有多个)内容位置 {START}")
        self.head, self.tail = parts
        self.slug = slug

    def fill(self, content: str, title: str = "", slug: str = "") -> str:
        """The page with ``content`` in the slot, ``title`` (escaped) in the title's place and
        ``slug`` in place of the frame's own."""
        title = str(escape(title))
        head, tail = self.head.replace(TITLE_SLOT, title), self.tail.replace(TITLE_SLOT, title)
        if self.slug:
            head, tail = head.replace(self.slug, slug), tail.replace(self.slug, slug)
        return head + content + tail


def build(
    engine: str, config_file: Path, pages: dict[str, str], assets: dict[str, Path], out: Path
) -> None:
    """Build the site of ``config_file`` into the (empty) folder ``out``: its docs folder plus
    ``pages`` (path under docs → Markdown) and ``assets`` (path under docs → file, CSS and
    scripts added to every page). Raises :class:`EngineError`."""
    config = read_config(config_file)
    stage = out.with_name(out.name + "-engine")  # beside out: one file system, one cleanup
    docs = stage / "docs"
    try:
        for source in sorted(config.docs_dir.rglob("*")):  # not copytree: its errors lose errno
            rel = source.relative_to(config.docs_dir)
            if source.is_file() and not any(part.startswith(".") for part in rel.parts):
                (docs / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, docs / rel)
        for uri, text in pages.items():
            (docs / uri).parent.mkdir(parents=True, exist_ok=True)
            (docs / uri).write_text(text, encoding="utf-8")
        for uri, source in assets.items():
            (docs / uri).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, docs / uri)
        styles = [u for u in assets if u.endswith(".css") and "print" not in u]
        scripts = [u for u in assets if u.endswith(".js")]
        if engine == "mkdocs":
            _mkdocs(Path(config_file), docs, out, styles, scripts)
        elif engine == "zensical":
            _zensical(Path(config_file), stage, out, styles, scripts)
        else:
            raise EngineError(f"不认识的网站引擎 {engine}(可用:{'、'.join(ENGINES)})")
    finally:
        shutil.rmtree(stage, ignore_errors=True)


class _Collect(logging.Handler):
    """Keeps mkdocs' warnings and errors, to report them when the build fails."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _mkdocs(config_file: Path, docs: Path, out: Path, styles: list, scripts: list) -> None:
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    log = logging.getLogger("mkdocs")
    collect = _Collect()
    log.addHandler(collect)
    try:
        config = load_config(str(config_file), docs_dir=str(docs), site_dir=str(out), strict=True)
        config.extra_css.extend(u for u in styles if u not in config.extra_css)
        config.extra_javascript.extend(u for u in scripts if u not in config.extra_javascript)
        mkdocs_build(config)
    except MkDocsException as exc:
        details = "\n".join(f"  {m}" for m in collect.messages)
        raise EngineError(f"网站生成失败:{exc}" + (f"\n{details}" if details else "")) from None
    finally:
        log.removeHandler(collect)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _zensical(config_file: Path, stage: Path, out: Path, styles: list, scripts: list) -> None:
    # Zensical reads mkdocs.yml (INHERIT merges it under ours, lists appended) and writes
    # site_dir inside the project folder: the stage's own, moved into place afterwards. Its
    # own search (on by default) would add a second search box and index the frames; its
    # "classic" variant is mkdocs-material's look (its default, "modern", is a new design).
    config = {
        "INHERIT": str(config_file.absolute()), "docs_dir": "docs", "site_dir": "site",
        "extra_css": styles, "extra_javascript": scripts,
        "plugins": [{"search": {"enabled": False}}], "theme": {"variant": "classic"},
    }  # fmt: skip
    (stage / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    command = [sys.executable, "-m", "zensical", "build", "--strict", "-f", "mkdocs.yml"]
    env = {**os.environ, "NO_COLOR": "1"}
    try:
        done = subprocess.run(command, cwd=stage, capture_output=True, text=True, env=env)
    except OSError as exc:
        raise EngineError(f"无法运行 Zensical:{exc}") from None
    if done.returncode != 0:
        lines = _ANSI.sub("", done.stderr + done.stdout).strip().splitlines()
        if any("No module named zensical" in line for line in lines):
            raise EngineError("没有安装 Zensical(make .venv 会按锁定文件安装它)")
        details = "\n".join(f"  {line}" for line in lines[-20:])
        raise EngineError(f"网站生成失败(Zensical,退出码 {done.returncode}):\n{details}")
    (stage / "site" / "search.json").unlink(missing_ok=True)  # the disabled search's empty index
    os.rmdir(out)
    os.rename(stage / "site", out)
