"""The mkdocs plugin ``xiaoan``: the public site's pages made from the records.

mkdocs builds the few pages in the navigation (home, districts, reference, the hand-written
``docs/``); this plugin adds them as generated files and fills them from Jinja templates, so
no record text ever passes through Markdown. The pages that come once per school (school
page, 一校一警 notice, 风险公告, badges, JSON) are written after the build, outside mkdocs'
page pipeline, which would render the theme and navigation for each of them:

* a school page is the theme's ``main.html`` rendered **once** with placeholders (a frame),
  then filled per school with the content rendered from ``templates/school.html``;
* the notice and the risk announcement are light standalone pages for printing.

Records come from :mod:`generator.site.build`, which validates and evaluates them first and hands
the result to the plugin (:attr:`XiaoanPlugin.data`). Run by plain ``mkdocs build``, the
plugin loads and evaluates the ``records`` folder itself.
"""

from __future__ import annotations

import logging
import sys
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import escape
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.commands.build import get_context
from mkdocs.config import base, load_config
from mkdocs.config import config_options as c
from mkdocs.exceptions import MkDocsException, PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc

from generator.core import schema
from generator.site import pages, writer
from generator.site.writer import CONTENT_SLOT, ID_SLOT, TITLE_SLOT, Frame

HERE = Path(__file__).parent
SERVE_ADMIN = HERE / "admin" / "serve.html"
"""What /admin/ shows under ``xiaoan serve``, which cannot save: how to run ``make editor``."""
# site_url hosts that are placeholders: QR codes and badge snippets would point nowhere.
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")
ASSETS = ("xiaoan.css", "xiaoan.js", "print.css")
ASSET_DIR = "assets/xiaoan"

# The school page frame: the theme's page with placeholders for the title, the page's own
# path segment and the content. The placeholders are plain ASCII that no theme text contains.
FRAME = '{% extends "main.html" %}{% block content %}' + CONTENT_SLOT + "{% endblock %}"


class XiaoanConfig(base.Config):
    records = c.Type(str, default="records")
    """The records folder (relative to mkdocs.yml), when the plugin loads the records itself
    (plain ``mkdocs build``)."""
    as_of = c.Optional(c.Type(str))
    """The evaluation date (YYYY-MM-DD) when the plugin loads the records; default today."""


def template_env() -> jinja2.Environment:
    """The Jinja environment of the site's own templates: autoescape on, undefined is an error."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def _toc(items: list[tuple[str, str]], level: int = 2) -> list[dict]:
    return [{"level": level, "id": i, "name": str(escape(t)), "children": []} for i, t in items]


class XiaoanPlugin(BasePlugin[XiaoanConfig]):
    def __init__(self) -> None:
        self.data: Any = None  # a generator.site.build.SiteData, set by generator.site.build
        self.progress = False  # show a progress bar while writing the school pages
        self.written = 0  # files written by on_post_build

    # -- preparing ---------------------------------------------------------------------------

    def on_config(self, config):
        if self.data is None:
            from generator.site.build import BuildFailed, prepare

            as_of = date.fromisoformat(self.config.as_of) if self.config.as_of else date.today()
            try:
                base = Path(config.config_file_path or ".").parent
                self.data = prepare(base / self.config.records, as_of)
            except BuildFailed as exc:
                raise PluginError(str(exc)) from None
        self.as_of = self.data.evaluation.as_of
        self.env_own = template_env()
        host = urlsplit(config.site_url or "").hostname or ""
        if host.endswith(PLACEHOLDER_HOSTS):
            # Not a mkdocs warning: strict builds would fail on it, and a local build is fine.
            print(
                f"注意:mkdocs.yml 的 site_url 仍是示例地址 {config.site_url},公示牌和风险公告上的"
                "二维码、徽章代码都会指向它;正式发布前请改为网站的真实地址。",
                file=sys.stderr,
            )
        self._prepare_pages()
        assets = (("xiaoan.css", config.extra_css), ("xiaoan.js", config.extra_javascript))
        for name, target in assets:
            if f"{ASSET_DIR}/{name}" not in [str(x) for x in target]:
                target.append(f"{ASSET_DIR}/{name}")
        return config

    def _prepare_pages(self) -> None:
        records, evaluation = self.data.records, self.data.evaluation
        self.docs = {doc.file: doc for doc in records.schools}  # by file: data stays packed
        self.district_views = {
            key: schema.public_view(doc.data, "district") for key, doc in records.districts.items()
        }
        rows: dict[str, list[dict]] = {}
        for result in evaluation.schools:
            # Only schools with something overdue are unpacked, for their overdue list.
            late = any(f.status == "逾期" for f in result.findings)
            data = self.docs[result.file].data if late else None
            rows.setdefault(result.district, []).append(
                pages.school_row(result, data, evaluation.as_of)
            )
        self.districts = [
            pages.district_page(self.district_views.get(d.id, {}), d, rows.get(d.id, []))
            for d in evaluation.districts
        ]
        self.home = pages.home_page(self.districts, self.as_of)
        # 审核确认记录: the merged changes of each dossier, from git history (generator/workflow/ledger.py)
        from generator.workflow.ledger import ledger_for_all, note

        root = Path(records.root)
        self.signoffs = ledger_for_all(root, root)
        self.signoff_note = note(root)

    def on_files(self, files: Files, config) -> Files:
        for name in ASSETS:
            source = str(HERE / "assets" / name)
            files.append(File.generated(config, f"{ASSET_DIR}/{name}", abs_src_path=source))
        self.generated: dict[str, tuple[str, Any]] = {
            "districts/index.md": ("districts", None),
            "reference/schema.md": ("schema", None),
            "reference/rules.md": ("rules", None),
            "reference/status.md": ("status", None),
        }
        from generator.core.rules import RULES

        for rule in RULES.values():
            self.generated[f"{pages.RULES_DIR}{rule.id}.md"] = ("rule", pages.rule_page(rule))
        for d in self.districts:
            self.generated[f"districts/{d['id']}.md"] = ("district", d)
        for uri in self.generated:
            not_in_nav = InclusionLevel.NOT_IN_NAV
            files.append(File.generated(config, uri, content="", inclusion=not_in_nav))
        self.files = files
        return files

    def on_nav(self, nav, config, files):
        self.nav = nav
        return nav

    def on_pre_page(self, page: Page, config, files) -> Page:
        # The sitemap's <lastmod> (and its .gz header) would carry the build time: use the
        # evaluation date, so that two builds of the same records are identical.
        page.update_date = self.as_of.isoformat()
        return page

    # -- the pages mkdocs builds -------------------------------------------------------------

    _TITLES = {
        "districts": "各区县", "schema": "档案字段说明", "rules": "合规规则", "status": "状态说明",
    }  # fmt: skip

    def on_page_markdown(self, markdown: str, page: Page, config, files) -> str:
        entry = self.generated.get(page.file.src_uri)
        if entry is None:
            return markdown
        kind, d = entry
        # Theme templates print the title unescaped: it must be HTML already.
        title = d["name"] if kind == "district" else d["title"] if kind == "rule" else None
        page.meta["title"] = str(escape(title or self._TITLES[kind]))
        return ""

    def on_page_content(self, html: str, page: Page, config, files) -> str:
        root = "../" * page.url.count("/")
        if page.file.src_uri == "index.md":
            return html + self._render_home(page, root)
        entry = self.generated.get(page.file.src_uri)
        if entry is None:
            return html
        kind, d = entry
        if kind == "district":
            sections = [
                ("overview", "概况"), ("overdue", "逾期事项"), ("rates", "达标率"), ("schools", "学校"),
            ]  # fmt: skip
            if d["major"]:
                sections.insert(1, ("major", "重大隐患"))
            page.toc = get_toc(_toc(sections))
            return self._render("district.html", d=d, root=root, as_of=self.as_of.isoformat())
        if kind == "rule":
            return self._render("rule.html", r=d, root=root)
        if kind == "status":
            status = pages.status_reference()
            page.toc = get_toc(_toc([("statuses", "状态"), ("categories", "类别")]))
            return self._render("status.html", st=status, root=root)
        if kind == "districts":
            return self._render(
                "districts.html", districts=self.districts, home=self.home, root=root
            )
        if kind == "schema":
            kinds = []
            for key in schema.KINDS:
                node = schema.load_schema(key)
                kinds.append({
                    "id": key, "title": node["title"], "description": node.get("description", ""),
                    "groups": pages.schema_fields(key),
                })  # fmt: skip
            page.toc = get_toc([
                {"level": 2, "id": k["id"], "name": str(escape(k["title"])),
                 "children": _toc([(f"{k['id']}-{g['key']}", g["title"]) for g in k["groups"]], 3)}
                for k in kinds
            ])  # fmt: skip
            return self._render("schema.html", kinds=kinds)
        from generator.core.rules import RULES

        groups = pages.rules_reference(RULES.values())
        for g in groups:
            g["anchor"] = pages.category_slug(g["category"])
        page.toc = get_toc(_toc([(g["anchor"], g["category"]) for g in groups]))
        return self._render("rules.html", groups=groups, root=root)

    def _render_home(self, page: Page, root: str) -> str:
        sections = [("overview", "全市概况"), ("chart", "各区县学校状态"), ("rates", "达标率")]
        tokens = _tokens(page.toc)
        if len(tokens) == 1 and tokens[0]["level"] == 1:  # the page's h1 holds the rest
            tokens[0]["children"] += _toc(sections)
        else:
            tokens += _toc(sections)
        page.toc = get_toc(tokens)
        return self._render("home.html", home=self.home, root=root)

    def _render(self, name: str, **context: Any) -> str:
        return self.env_own.get_template(name).render(**context)

    def on_env(self, env: jinja2.Environment, config, files) -> jinja2.Environment:
        self.env_theme = env
        return env

    # -- the pages written once per school ---------------------------------------------------

    def _frame(self, config) -> Frame:
        file = File.generated(config, f"schools/{ID_SLOT}.md", content="")
        page = Page(None, file, config)
        page.meta = {"title": TITLE_SLOT}
        page.content = ""
        page.toc = get_toc(_toc(pages.SCHOOL_SECTIONS))
        page.update_date = self.as_of.isoformat()
        context = get_context(self.nav, self.files, config, page)
        return Frame(self.env_theme.from_string(FRAME).render(context))

    def on_post_build(self, config) -> None:
        out = Path(config.site_dir)
        self.out = out
        self.site_url = config.site_url or ""
        self.site_name = config.site_name
        self.frame = self._frame(config)
        # Loaded here, once: each forked page writer would otherwise compile them again.
        names = ("school.html", "notice.html", "risk.html")
        templates = [self.env_own.get_template(name) for name in names]
        outputs = writer.Outputs(
            out=out, data=self.data, as_of=self.as_of, site_url=self.site_url,
            site_name=self.site_name, frame=self.frame, templates=templates, docs=self.docs,
            district_views=self.district_views, districts=self.districts,
            signoffs=self.signoffs, signoff_note=self.signoff_note, progress=self.progress,
        )  # fmt: skip
        try:
            self.written = writer.write_outputs(outputs, lambda: self._write_editor(out))
        except writer.OutputError as exc:
            raise PluginError(str(exc)) from None
        for line in outputs.warnings:  # sheets that will not print on one page
            print(line, file=sys.stderr)

    def _write_editor(self, out: Path) -> None:
        """The web editor at /admin/ (generator/authoring/editor.py); a notice page without npm ci."""
        from generator.authoring.editor import EditorError, site_editor_config, write_admin
        from generator.core.load import UsageError

        try:
            write_admin(out, site_editor_config(Path(self.data.records.root)))
        except (EditorError, UsageError) as exc:
            raise PluginError(f"网页编辑器:{exc}") from None


def _tokens(toc) -> list[dict]:
    """A table of contents back as tokens, to extend it."""
    return [
        {"level": a.level, "id": a.id, "name": a.title, "children": _tokens(a.children)}
        for a in toc
    ]


# ---------------------------------------------------------------------------------------------
# The engine, as xiaoan build drives it: the one place that imports mkdocs


class EngineError(Exception):
    """The static-site engine could not build the site; the message says why, in Chinese."""


class _Collect(logging.Handler):
    """Keeps mkdocs' warnings and errors, to report them when the build fails."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def build_site(config_file: Path, site_dir: Path, data: Any, progress: bool = False) -> int:
    """Build the site of ``config_file`` into ``site_dir`` with prepared ``data`` (records
    and evaluation); return how many files xiaoan wrote. Raises :class:`EngineError`."""
    log = logging.getLogger("mkdocs")
    collect = _Collect()
    log.addHandler(collect)
    try:
        config = load_config(str(config_file), site_dir=str(site_dir), strict=True)
        plugin = config.plugins.get("xiaoan")
        if plugin is None:
            raise EngineError(f"{config_file} 没有启用 xiaoan 插件(plugins: [xiaoan])")
        plugin.data = data
        plugin.progress = progress
        mkdocs_build(config)
    except MkDocsException as exc:
        details = "\n".join(f"  {m}" for m in collect.messages)
        raise EngineError(f"网站生成失败:{exc}" + (f"\n{details}" if details else "")) from None
    finally:
        log.removeHandler(collect)
    return plugin.written
