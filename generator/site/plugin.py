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

import hashlib
import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import Markup, escape
from mkdocs.commands.build import get_context
from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin
from mkdocs.structure.files import File, Files, InclusionLevel
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import get_toc
from tqdm import tqdm

from generator.core import schema
from generator.core import workers as workers_
from generator.exchange.calendar import public_feed
from generator.exchange.export import selections, tables_of
from generator.exchange.workbook import write_workbook
from generator.site import badges, pages, search
from generator.workflow.ledger import signoff_rows

HERE = Path(__file__).parent
SERVE_ADMIN = HERE / "admin" / "serve.html"
"""What /admin/ shows under ``xiaoan serve``, which cannot save: how to run ``make editor``."""
# site_url hosts that are placeholders: QR codes and badge snippets would point nowhere.
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")
ASSETS = ("xiaoan.css", "xiaoan.js", "print.css")
ASSET_DIR = "assets/xiaoan"

# The school page frame: the theme's page with placeholders for the title, the page's own
# path segment and the content. The placeholders are plain ASCII that no theme text contains.
FRAME = '{% extends "main.html" %}{% block content %}@@XIAOAN-CONTENT@@{% endblock %}'
TITLE_SLOT = "@@XIAOAN-TITLE@@"
CONTENT_SLOT = "@@XIAOAN-CONTENT@@"
ID_SLOT = "xiaoan-slot"


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


class Frame:
    """The theme's page rendered once, filled per school by string replacement."""

    def __init__(self, html: str):
        self.head, self.tail = html.split(CONTENT_SLOT)

    def fill(self, title: str, slug: str, content: str) -> str:
        title = str(escape(title))
        head = self.head.replace(TITLE_SLOT, title).replace(ID_SLOT, slug)
        return head + content + self.tail.replace(TITLE_SLOT, title)


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
        self.templates = [self.env_own.get_template(name) for name in names]
        _Writer(out).json("api/schools.json", [
            {k: r[k] for k in ("id", "name", "district", "stage", "status")}
            for d in self.districts for r in sorted(d["schools"], key=lambda r: r["id"])
        ])  # fmt: skip
        results = self.data.evaluation.schools
        workers = workers_.available() if len(results) >= workers_.PARALLEL_FROM else 1
        self.chunks = workers_.split(results, workers)
        bar = tqdm(
            total=len(results), desc="生成学校页面", unit="校", file=sys.stderr,
            disable=not self.progress, leave=False,
            ncols=shutil.get_terminal_size().columns,  # a terminal of unknown size shows 80
        )  # fmt: skip
        self.written = 1
        ids = sorted(d.id for d in self.data.evaluation.districts)
        tasks = workers * workers_.TASKS_PER_WORKER  # a few districts' workbooks a task
        districts = [ids[i::tasks] for i in range(min(tasks, len(ids)))]
        # The search index is built while the district workbooks are written: the page
        # writers add each school to it, then Pagefind runs in the background.
        with search.Index(out) as self.search:
            if workers > 1:
                # Forked workers inherit everything prepared so far; each writes whole
                # chunks, then the districts' Excel workbooks. Every fork happens in this
                # thread, so esbuild and Pagefind never start while a worker is forked.
                chunks = workers_.map_forked(self._write_chunk, range(len(self.chunks)), workers)
                self._write_editor(out)  # meanwhile, here
                for _, (schools, files) in chunks:
                    self.written += files
                    bar.update(schools)
                self._start_search()
                books = workers_.map_forked(self._write_workbooks, districts, workers)
                self.written += sum(files for _, files in books)
            else:
                self._write_editor(out)
                for index in range(len(self.chunks)):
                    schools, files = self._write_chunk(index)
                    self.written += files
                    bar.update(schools)
                self._start_search()
                self.written += sum(map(self._write_workbooks, districts))
            bar.close()
            try:
                self.search.finish()
            except search.SearchError as exc:
                raise PluginError(str(exc)) from None

    def _start_search(self) -> None:
        try:
            self.search.start()
        except search.SearchError as exc:
            raise PluginError(str(exc)) from None

    def _write_workbooks(self, districts: list[str]) -> int:
        """The districts' public Excel tables (统计表、达标率、问题和整改清单): exports/districts/."""
        data = self.data
        sels = selections(data.records, data.evaluation, districts, public=True)
        for district, sel in zip(districts, sels, strict=True):
            path = self.out / "exports" / "districts" / f"{district}.xlsx"
            write_workbook(path, tables_of(sel, public=True), stamp=self.as_of)
        return len(districts)

    def _write_editor(self, out: Path) -> None:
        """The web editor at /admin/ (generator/authoring/editor.py); a notice page without npm ci."""
        from generator.authoring.editor import EditorError, site_editor_config, write_admin
        from generator.core.load import UsageError

        try:
            write_admin(out, site_editor_config(Path(self.data.records.root)))
        except (EditorError, UsageError) as exc:
            raise PluginError(f"网页编辑器:{exc}") from None

    def _write_chunk(self, index: int) -> tuple[int, int]:
        """Write the pages, badges and JSON of one chunk of schools: (schools, files)."""
        writer = _Writer(self.out)
        school_t, notice_t, risk_t = self.templates
        site_url = self.site_url
        chunk = self.chunks[index]
        for result in chunk:
            doc = self.docs[result.file]
            district = self.district_views.get(result.district, {})
            s = pages.school_page(doc.data, result, district, self.as_of)
            s["signoffs"] = [
                {**row, "status_key": pages.status_key(row["status"])}
                for row in signoff_rows(self.signoffs.get(result.id, []))
            ]
            s["signoff_note"] = self.signoff_note
            sid, urls = s["id"], s["urls"]
            page_url = f"{site_url}{urls['page']}"
            badge = f'<img src="{site_url}{urls["badge"]}" alt="校园安全:{s["status"]}">'
            embed = f'<a href="{page_url}">{badge}</a>' if site_url else ""
            content = school_t.render(s=s, root="../../", embed=embed)
            writer.text(f"schools/{sid}/index.html", self.frame.fill(s["name"], sid, content))
            common = {
                "s": s, "root": "../../", "qr": Markup(pages.qr_svg(page_url)),
                "page_url": page_url, "site_name": self.site_name,
            }  # fmt: skip
            writer.text(urls["notice"], notice_t.render(**common))
            writer.text(urls["risk"], risk_t.render(**common))
            writer.same(f"badges/{sid}.svg", badges.svg(s["status"]))
            writer.same(f"badges/{sid}.json", _json(badges.endpoint(s["status"])))
            for cat in s["categories"]:
                writer.same(cat["badge"], badges.svg(cat["status"], cat["name"]))
            api = pages.school_api(s)
            writer.json(f"api/schools/{sid}.json", api)
            self.search.add_school(api)
            writer.bytes(urls["calendar"], public_feed(s["dossier"], result, self.as_of))
        return len(chunk), writer.count


def _tokens(toc) -> list[dict]:
    """A table of contents back as tokens, to extend it."""
    return [
        {"level": a.level, "id": a.id, "name": a.title, "children": _tokens(a.children)}
        for a in toc
    ]


class _Writer:
    """Writes files under the output folder, making folders as needed.

    Badges are the same few files over and over (a status, a category): :meth:`same` writes
    each distinct content once, under ``badges/_shared/``, and hard-links it at every URL
    that shows it. Creating a file costs far more than linking one, and a city has hundreds
    of thousands of badge URLs.
    """

    def __init__(self, out: Path):
        self.out = str(out)
        self.made: set[str] = set()
        self.originals: set[str] = set()
        self.count = 0

    def _folder(self, folder: str) -> None:
        if folder not in self.made:
            os.makedirs(os.path.join(self.out, folder), exist_ok=True)
            self.made.add(folder)

    def _write(self, rel: str, data: bytes) -> None:
        self._folder(os.path.dirname(rel))
        with open(os.path.join(self.out, rel), "wb") as fh:
            fh.write(data)

    def text(self, rel: str, text: str) -> None:
        self.bytes(rel, text.encode("utf-8"))

    def bytes(self, rel: str, data: bytes) -> None:
        self._write(rel, data)
        self.count += 1

    def json(self, rel: str, data: Any) -> None:
        self.text(rel, _json(data))

    def same(self, rel: str, text: str) -> None:
        """``text`` at ``rel``, as a hard link to the one copy of that content."""
        data = text.encode("utf-8")
        name = hashlib.sha256(data).hexdigest()[:16] + os.path.splitext(rel)[1]
        original = os.path.join(self.out, SHARED, name)
        if name not in self.originals:
            self._folder(SHARED)
            try:  # exclusive: forked writers may reach the same content at once
                fd = os.open(original, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
            self.originals.add(name)
        self._folder(os.path.dirname(rel))
        try:
            os.link(original, os.path.join(self.out, rel))
        except OSError:  # no hard links on this file system, or too many to one file
            self._write(rel, data)
        self.count += 1


SHARED = "badges/_shared"  # not a school id: those never start with "_"


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
