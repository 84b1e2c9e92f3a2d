"""The public site, published by xiaoan: every page made from the records is rendered here,
from Jinja templates (autoescape on), into the theme's page frame.

The static-site engine (:mod:`generator.site.engine`, mkdocs-material by default) builds
only the hand-written pages of ``docs/`` and one frame per kind of generated page: a page
with the theme's header, navigation and table of contents around an empty slot. Then:

* the pages in the navigation (home dashboard, 各区县, the reference pages) get their content
  in their slot, once;
* the pages that come once per district, rule or school are their kind's frame, filled per
  page by string replacement (:class:`~generator.site.engine.Frame`);
* the school's other outputs (一校一警 notice, 风险公告, badges, JSON, calendar feed), the
  district workbooks, the search index and the web editor come from
  :mod:`generator.site.writer`;
* the sitemap lists every page, dated by the evaluation, so two builds of the same records
  are identical byte for byte.
"""

from __future__ import annotations

import gzip
import shutil
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import escape

from generator.core import schema
from generator.site import engine, pages, writer

HERE = Path(__file__).parent
SERVE_ADMIN = HERE / "admin" / "serve.html"
"""What /admin/ shows under ``xiaoan serve``, which cannot save: how to run ``make editor``."""
# site_url hosts that are placeholders: QR codes and badge snippets would point nowhere.
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net")
ASSET_DIR = "assets/xiaoan"
ASSETS = {f"{ASSET_DIR}/{name}": HERE / "assets" / name for name in ("xiaoan.css", "xiaoan.js", "print.css")}  # fmt: skip

# The frame of each kind of page that comes many times: its path under docs/ and its slug,
# the path segment each page puts its own id in place of.
SLUG = "xiaoan-slot"
FRAMES = {
    "school": f"schools/{SLUG}",
    "district": f"districts/{SLUG}",
    "district-major": f"districts/{SLUG}-major",  # with the section 重大隐患 in its contents
    "rule": f"{pages.RULES_DIR}{SLUG}",
}
# The generated pages in the navigation, filled once: path under docs/ → title.
NAV_PAGES = {
    "districts/index.md": "各区县",
    "reference/schema.md": "档案字段说明",
    "reference/rules.md": "合规规则",
    "reference/status.md": "状态说明",
}
HOME_SECTIONS = [("overview", "全市概况"), ("chart", "各区县学校状态"), ("rates", "达标率")]
DISTRICT_SECTIONS = [("overview", "概况"), ("overdue", "逾期事项"), ("rates", "达标率"), ("schools", "学校")]  # fmt: skip
STATUS_SECTIONS = [("statuses", "状态"), ("categories", "类别")]


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


@dataclass
class Prepared:
    """The data of the pages that are not one school's, made once before any page is written."""

    as_of: date
    docs: dict  # file -> Document: data stays packed until a page writer needs it
    district_views: dict  # district id -> public view of its file
    districts: list[dict]  # district pages' data
    home: dict
    rules: list  # generator.core.rules.Rule, in id order
    signoffs: dict  # school id -> 审核确认记录 (git history)
    signoff_note: str | None


def prepare(data: Any) -> Prepared:
    """The district, home and rule pages' data, and each school's sign-off history."""
    from generator.core.rules import RULES
    from generator.workflow.ledger import ledger_for_all, note

    records, evaluation = data.records, data.evaluation
    docs = {doc.file: doc for doc in records.schools}
    district_views = {
        key: schema.public_view(doc.data, "district") for key, doc in records.districts.items()
    }
    rows: dict[str, list[dict]] = {}
    for result in evaluation.schools:
        # Only schools with something overdue are unpacked, for their overdue list.
        late = any(f.status == "逾期" for f in result.findings)
        rows.setdefault(result.district, []).append(
            pages.school_row(result, docs[result.file].data if late else None, evaluation.as_of)
        )
    districts = [
        pages.district_page(district_views.get(d.id, {}), d, rows.get(d.id, []))
        for d in evaluation.districts
    ]
    root = Path(records.root)  # 审核确认记录: merged changes of each dossier (workflow/ledger.py)
    return Prepared(
        as_of=evaluation.as_of, docs=docs, district_views=district_views, districts=districts,
        home=pages.home_page(districts, evaluation.as_of),
        rules=[RULES[k] for k in sorted(RULES)],
        signoffs=ledger_for_all(root, root), signoff_note=note(root),
    )  # fmt: skip


def _schema_kinds() -> list[dict]:
    return [
        {"id": key, "title": node["title"], "description": node.get("description", ""),
         "groups": pages.schema_fields(key)}
        for key in schema.KINDS for node in [schema.load_schema(key)]
    ]  # fmt: skip


def _rule_groups(rules: list) -> list[dict]:
    groups = pages.rules_reference(rules)
    for g in groups:
        g["anchor"] = pages.category_slug(g["category"])
    return groups


def engine_pages(p: Prepared, home_text: str) -> dict[str, str]:
    """The Markdown the engine builds besides docs/: the frames and the navigation's generated
    pages (title and headings only), and the home page (docs/index.md, ``home_text``) with
    the dashboard's slot after its own text."""
    md = engine.frame_markdown
    h2 = [(2, anchor, text) for anchor, text in DISTRICT_SECTIONS]
    schema_toc = []
    for k in _schema_kinds():
        schema_toc.append((2, k["id"], k["title"]))
        schema_toc += [(3, f"{k['id']}-{g['key']}", g["title"]) for g in k["groups"]]
    return {
        "index.md": md("", [(2, a, t) for a, t in HOME_SECTIONS], before=home_text),
        f"{FRAMES['school']}.md": md(engine.TITLE_SLOT, [(2, a, t) for a, t in pages.SCHOOL_SECTIONS]),
        f"{FRAMES['district']}.md": md(engine.TITLE_SLOT, h2),
        f"{FRAMES['district-major']}.md": md(engine.TITLE_SLOT, h2[:1] + [(2, "major", "重大隐患")] + h2[1:]),
        f"{FRAMES['rule']}.md": md(engine.TITLE_SLOT, []),
        "districts/index.md": md(NAV_PAGES["districts/index.md"], []),
        "reference/schema.md": md(NAV_PAGES["reference/schema.md"], schema_toc),
        "reference/rules.md": md(
            NAV_PAGES["reference/rules.md"],
            [(2, g["anchor"], g["category"]) for g in _rule_groups(p.rules)],
        ),
        "reference/status.md": md(NAV_PAGES["reference/status.md"], [(2, a, t) for a, t in STATUS_SECTIONS]),
    }  # fmt: skip


def publish(
    data: Any, config_file: Path, out: Path, *, engine_name: str = engine.DEFAULT,
    progress: bool = False,
) -> int:  # fmt: skip
    """Build the whole site of ``data`` (records and evaluation) into the empty folder ``out``;
    return how many files xiaoan wrote. Raises :class:`~generator.site.engine.EngineError`
    and :class:`~generator.site.writer.OutputError`."""
    config = engine.read_config(config_file)
    host = urlsplit(config.site_url).hostname or ""
    if host.endswith(PLACEHOLDER_HOSTS):
        print(
            f"注意:mkdocs.yml 的 site_url 仍是示例地址 {config.site_url},公示牌和风险公告上的"
            "二维码、徽章代码都会指向它;正式发布前请改为网站的真实地址。",
            file=sys.stderr,
        )
    p = prepare(data)
    home = config.docs_dir / "index.md"
    home_text = home.read_text(encoding="utf-8") if home.is_file() else "# " + config.site_name
    engine.build(engine_name, config_file, engine_pages(p, home_text), ASSETS, out)
    frames = {}
    for kind, path in FRAMES.items():
        page = out / path / "index.html"
        frames[kind] = engine.Frame(page.read_text(encoding="utf-8"), path, slug=Path(path).name)
        shutil.rmtree(page.parent)
    env = template_env()
    written = _nav_pages(p, out, env) + _district_and_rule_pages(p, out, env, frames)
    names = ("school.html", "notice.html", "risk.html")  # loaded once, before any fork
    outputs = writer.Outputs(
        out=out, data=data, as_of=p.as_of, site_url=config.site_url,
        site_name=config.site_name, frame=frames["school"],
        templates=[env.get_template(name) for name in names], docs=p.docs,
        district_views=p.district_views, districts=p.districts, signoffs=p.signoffs,
        signoff_note=p.signoff_note, progress=progress,
    )  # fmt: skip
    written += writer.write_outputs(outputs, lambda: _write_editor(out, data))
    _sitemap(out, config, p, [r.id for r in data.evaluation.schools])
    return written


def _nav_pages(p: Prepared, out: Path, env: jinja2.Environment) -> int:
    """The home dashboard, 各区县 and the reference pages, each in its own slot."""
    contents = {
        "": ("home.html", {"home": p.home, "root": ""}),
        "districts/": ("districts.html", {"districts": p.districts, "home": p.home, "root": "../"}),
        "reference/schema/": ("schema.html", {"kinds": _schema_kinds()}),
        "reference/rules/": ("rules.html", {"groups": _rule_groups(p.rules), "root": "../../"}),
        "reference/status/": ("status.html", {"st": pages.status_reference(), "root": "../../"}),
    }
    for url, (name, context) in contents.items():
        page = out / url / "index.html"
        frame = engine.Frame(page.read_text(encoding="utf-8"), f"{url}index.html")
        page.write_text(frame.fill(env.get_template(name).render(**context)), encoding="utf-8")
    return len(contents)


def _district_and_rule_pages(p: Prepared, out: Path, env: jinja2.Environment, frames: dict) -> int:
    district_t, rule_t = env.get_template("district.html"), env.get_template("rule.html")
    w = writer.Writer(out)
    for d in p.districts:
        content = district_t.render(d=d, root="../../", as_of=p.as_of.isoformat())
        frame = frames["district-major" if d["major"] else "district"]
        w.text(f"districts/{d['id']}/index.html", frame.fill(content, d["name"], d["id"]))
    for rule in p.rules:
        r = pages.rule_page(rule)
        page = frames["rule"].fill(rule_t.render(r=r, root="../../"), r["title"], rule.id)
        w.text(f"{pages.rule_url(rule.id)}index.html", page)
    return w.count


def _write_editor(out: Path, data: Any) -> None:
    """The web editor at /admin/ (generator/authoring/editor.py); a notice page without npm ci."""
    from generator.authoring.editor import EditorError, site_editor_config, write_admin
    from generator.core.load import UsageError

    try:
        write_admin(out, site_editor_config(Path(data.records.root)))
    except (EditorError, UsageError) as exc:
        raise writer.OutputError(f"网页编辑器:{exc}") from None


def _url(uri: str) -> str:
    """The address of the page made from ``uri`` (a Markdown path under docs/)."""
    path = uri.removesuffix(".md").removesuffix("index")
    return path if path == "" or path.endswith("/") else path + "/"


def _sitemap(out: Path, config: engine.SiteConfig, p: Prepared, schools: list[str]) -> None:
    """Every page, dated by the evaluation (never the build's time): sitemap.xml and its .gz."""
    docs = [md.relative_to(config.docs_dir).as_posix() for md in config.docs_dir.rglob("*.md")]
    urls = [_url(uri) for uri in [*docs, *NAV_PAGES]]
    urls += [f"districts/{d['id']}/" for d in p.districts]
    urls += [pages.rule_url(rule.id) for rule in p.rules]
    urls += [f"schools/{sid}/" for sid in schools]
    day = p.as_of.isoformat()
    entries = [
        f"    <url>\n         <loc>{escape(config.site_url + url)}</loc>\n"
        f"         <lastmod>{day}</lastmod>\n    </url>"
        for url in sorted(set(urls))
    ]
    text = "\n".join([
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">', *entries, "</urlset>", "",
    ])  # fmt: skip
    (out / "sitemap.xml").write_text(text, encoding="utf-8")
    with open(out / "sitemap.xml.gz", "wb") as fh:  # no name, no time: the same bytes each build
        with gzip.GzipFile(fileobj=fh, mode="wb", mtime=0, filename="") as gz:
            gz.write(text.encode("utf-8"))
