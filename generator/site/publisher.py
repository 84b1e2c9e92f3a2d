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

import filecmp
import functools
import gzip
import os
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import jinja2
from markupsafe import escape

from generator.core import schema
from generator.site import engine, manifest, pages, reuse, search, writer

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


class _Environment(jinja2.Environment):
    """Jinja's environment, which finds ``s.name`` in the page data's mappings sooner."""

    def getattr(self, obj: Any, attribute: str) -> Any:
        # Jinja asks for an attribute first and takes the item when that fails: for a plain
        # mapping (all page data) the failure is an exception raised and caught on every
        # lookup, a third of the templates' time. A name no dict has as an attribute is the
        # same item either way, so it is looked up as one; Jinja does the rest.
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


_DICT_ATTRIBUTES = frozenset(dir(dict))


@functools.cache
def template_env() -> jinja2.Environment:
    """The Jinja environment of the site's own templates: autoescape on, undefined is an error.
    One for the process: each template is compiled once, not on every build (``xiaoan serve``
    builds again on each change; Jinja reloads a template whose file changed)."""
    return _Environment(
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
    district_days: dict  # district id -> the day its page and workbook are made as of
    signoffs: dict  # school id -> 审核确认记录 (git history)
    signoff_note: str | None


def prepare(data: Any, signoffs: tuple[dict, str | None], rows: dict[str, dict]) -> Prepared:
    """The district, home and rule pages' data. ``signoffs``: each school's sign-off history
    and the note on it (:func:`signoffs`); ``rows``: schools' rows in their district's table
    known from the previous build (the others are made here)."""
    from generator.core.rules import RULES

    records, evaluation = data.records, data.evaluation
    docs = {doc.file: doc for doc in records.schools}
    district_views = {
        key: schema.public_view(doc.data, "district") for key, doc in records.districts.items()
    }
    by_district: dict[str, list[dict]] = {}
    results: dict[str, list] = {}
    for result in evaluation.schools:
        results.setdefault(result.district, []).append(result)
        row = rows.get(result.id)
        if row is None:  # only schools with something overdue are unpacked, for that list
            late = any(f.status == "逾期" for f in result.findings)
            row = pages.school_row(result, docs[result.file].unpacked() if late else None)
        by_district.setdefault(result.district, []).append(row)
    districts = [
        pages.district_page(district_views.get(d.id, {}), d, by_district.get(d.id, []))
        for d in evaluation.districts
    ]
    return Prepared(
        as_of=evaluation.as_of, docs=docs, district_views=district_views, districts=districts,
        home=pages.home_page(districts, evaluation.as_of),
        rules=[RULES[k] for k in sorted(RULES)],
        district_days={
            d.id: writer.district_day(results.get(d.id, []), evaluation.as_of)
            for d in evaluation.districts
        },
        signoffs=signoffs[0], signoff_note=signoffs[1],
    )  # fmt: skip


def signoffs(data: Any) -> tuple[dict, str | None]:
    """审核确认记录: the merged changes of each dossier from git history (workflow/ledger.py),
    and why they are incomplete if they are."""
    from generator.workflow.ledger import ledger_for_all, note

    root = Path(data.records.root)
    return ledger_for_all(root, root), note(root)


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


@dataclass
class Published:
    summary: str  # how the build went about it, one Chinese line
    warnings: list[str]  # for the person building, one Chinese line each
    unchanged: bool = False  # nothing to do: the site built before is this build's site
    # the inode of each file of the site built before (relative path), where this build
    # hard-linked its files; a full build links none
    previous_files: dict[str, int] = field(default_factory=dict)


def publish(
    data: Any, config_file: Path, out: Path, *, engine_name: str = engine.DEFAULT,
    progress: bool = False, previous: Path | None = None, full: bool = False,
) -> Published:  # fmt: skip
    """Build the site of ``data`` (records and evaluation) into the empty folder ``out``.

    With ``previous`` (the site built before) and no ``full``, only what changed since is
    rendered: the other files are hard links to the previous site's (see
    :mod:`generator.site.manifest`); when nothing changed, nothing is written and the result
    says so (``unchanged``). Raises :class:`~generator.site.engine.EngineError` and
    :class:`~generator.site.writer.OutputError`."""
    config = engine.read_config(config_file)
    said = []
    if (urlsplit(config.site_url).hostname or "").endswith(PLACEHOLDER_HOSTS):
        said.append(
            f"注意:{config_file} 的 site_url 仍是示例地址 {config.site_url},公示牌和风险公告上的"
            "二维码、徽章代码都会指向它;正式发布前请改为网站的真实地址。"
        )
    editor = _editor_config(data)
    parts = manifest.global_parts(config_file, config.docs_dir, engine_name)
    old, reason = manifest.plan(previous, parts, full)
    ledger = signoffs(data)
    district_files = {k: doc.path.read_bytes() for k, doc in data.records.districts.items()}
    schools = _school_digests(data, ledger, district_files)
    render = None if old is None else {
        k for k, v in schools.items() if old.schools.get(k, {}).get("digest") != v
    }  # fmt: skip
    # Linking every file and then replacing most of them costs more than making them all.
    if render is not None and len(render) * 2 > len(schools):
        old, reason = None, f"{len(schools)} 所学校中 {len(render)} 所有变化,重新生成全部页面"
        render = None
    known = {} if old is None else {k: old.schools[k]["row"] for k in schools.keys() - render}
    p = prepare(data, ledger, known)
    districts = _district_digests(p, data, schools, district_files)
    editor_key = manifest.editor_digest(editor)
    same_editor = old is not None and old.editor == editor_key
    # Every page made on each build is made from these and the day: the same means the same bytes.
    unchanged = (
        same_editor and not render and old.schools.keys() == schools.keys()
        and old.as_of == p.as_of.isoformat()
        and districts == {k: v["digest"] for k, v in old.districts.items()}
    )  # fmt: skip
    if unchanged:
        said += [w for sid in schools for w in old.schools[sid].get("warnings", [])]
        return Published(f"没有变化:网站保持原样(共 {len(schools)} 所学校)", said, unchanged=True)
    if old is None:
        home = config.docs_dir / "index.md"
        home_text = home.read_text(encoding="utf-8") if home.is_file() else "# " + config.site_name
        markdown = engine_pages(p, home_text)
        key = manifest.digest(parts, markdown)  # the engine, its config, docs/, assets, these pages
        if not reuse.fetch("engine", key, out):
            engine.build(engine_name, config_file, markdown, ASSETS, out)
            reuse.keep("engine", key, out)
        _keep_frames(out)
        books = None
    else:
        books = {k for k, v in districts.items() if old.districts.get(k, {}).get("digest") != v}
        leave = {f for k, v in old.schools.items() if k in render or k not in schools for f in v["files"]}
        leave |= {f for k, v in old.districts.items() if k in books or k not in districts for f in v["files"]}
        linked = _link(previous, out, leave, () if same_editor else ("admin",))
    frames = _frames(out)
    env = template_env()
    _nav_pages(p, out, env, frames)
    _district_pages(p, out, env, frames, books)
    if old is None:  # the rule pages change only with the code
        _rule_pages(p, out, env, frames)
    # The shared search index reads these pages alone: kept as it is while none changed.
    read = search.shared_pages(out)
    shared = old is None or read != search.shared_pages(previous) or not all(
        filecmp.cmp(out / f, previous / f, shallow=False) for f in read
    )  # fmt: skip
    names = ("school.html", "notice.html", "risk.html")  # loaded once, before any fork
    outputs = writer.Outputs(
        out=out, data=data, as_of=p.as_of, site_url=config.site_url,
        site_name=config.site_name, frame=frames["school"],
        templates=[env.get_template(name) for name in names], docs=p.docs,
        district_views=p.district_views, districts=p.districts, signoffs=p.signoffs,
        signoff_note=p.signoff_note, progress=progress, schools=render, workbooks=books,
        search_districts=None if old is None else books | (set(old.districts) - set(districts)),
        search_shared=shared, district_days=p.district_days,
    )  # fmt: skip
    made_from = manifest.digest(parts, editor_key)  # what /admin/ is made from
    write_editor = (lambda: None) if same_editor else (lambda: _write_editor(out, editor, made_from))
    files, warnings = writer.write_outputs(outputs, write_editor)
    if old is not None and (render or old.schools.keys() - schools.keys()):
        _unshare(out)  # the badges those schools showed may be nobody's now
    _sitemap(out, config, p, list(schools))
    made = manifest.Manifest(parts, editor_key, p.as_of.isoformat())
    rows = {r["id"]: r for d in p.districts for r in d["schools"]}
    for sid, digest in schools.items():
        entry = {"digest": digest, "files": files[sid], "row": rows[sid]} if sid in files else old.schools[sid]
        if sid in files and sid in warnings:
            entry["warnings"] = warnings[sid]
        made.schools[sid] = entry
        said += entry.get("warnings", [])  # said again on every build until fixed
    for did, digest in districts.items():
        made.districts[did] = {"digest": digest, "files": [f"districts/{did}/index.html", f"exports/districts/{did}.xlsx"]}  # fmt: skip
    made.write(out)
    if old is None:
        return Published(reason, said)
    gone = len(set(old.schools) - set(schools))
    summary = f"增量生成:{len(render)} 所学校、{len(books)} 个区县有变化" + (f",{gone} 所学校已删除" if gone else "")  # fmt: skip
    summary += f"(共 {len(schools)} 所学校,其余沿用上次生成的文件)"
    return Published(summary, said, previous_files=linked)


def _school_digests(data: Any, ledger: tuple[dict, str | None], district_files: dict) -> dict[str, str]:
    """The digest of each school's inputs (:mod:`generator.site.manifest`)."""
    docs = {doc.file: doc for doc in data.records.schools}
    as_of = data.evaluation.as_of
    return {
        result.id: manifest.school_digest(
            docs[result.file].path.read_bytes(), district_files.get(result.district, b""),
            result, [ledger[0].get(result.id, []), ledger[1]],
            [writer.school_day(result, as_of), result.next_change],
        )
        for result in data.evaluation.schools
    }  # fmt: skip


def _district_digests(p: Prepared, data: Any, schools: dict[str, str], district_files: dict) -> dict[str, str]:
    """The digest of each district's inputs: its file, its page's data, its schools'."""
    by_district: dict[str, list[str]] = {}
    for result in data.evaluation.schools:
        by_district.setdefault(result.district, []).append(schools[result.id])
    return {
        d["id"]: manifest.district_digest(
            district_files.get(d["id"], b""), [d, p.district_days[d["id"]]], by_district.get(d["id"], [])
        )
        for d in p.districts
    }  # fmt: skip


def _url(uri: str) -> str:
    """The address of the page made from ``uri`` (a Markdown path under docs/)."""
    path = uri.removesuffix(".md").removesuffix("index")
    return path if path == "" or path.endswith("/") else path + "/"


# The pages xiaoan fills from the engine's output on every build, incremental or not: the
# navigation's generated pages (in the order of NAV_PAGES, after the home page).
_NAV_URLS = ["", *map(_url, NAV_PAGES)]


def _keep_frames(out: Path) -> None:
    """Move the engine's frames, and keep a copy of the pages filled on every build, under
    ``.xiaoan/frames/``: an incremental build fills them again without running the engine."""
    folder = out / manifest.FRAMES
    folder.mkdir(parents=True)
    for kind, path in FRAMES.items():
        os.rename(out / path / "index.html", folder / f"{kind}.html")
        os.rmdir(out / path)
    for i, url in enumerate(_NAV_URLS):
        shutil.copyfile(out / url / "index.html", folder / f"nav-{i}.html")


def _frames(out: Path) -> dict[str, engine.Frame]:
    folder = out / manifest.FRAMES
    frames = {}
    for kind, path in FRAMES.items():
        html = (folder / f"{kind}.html").read_text(encoding="utf-8")
        frames[kind] = engine.Frame(html, path, slug=Path(path).name)
    for i, url in enumerate(_NAV_URLS):
        frames[url] = engine.Frame((folder / f"nav-{i}.html").read_text(encoding="utf-8"), url or "/")
    return frames


def _link(previous: Path, out: Path, leave: set[str], folders: tuple[str, ...] = ()) -> dict[str, int]:
    """Hard-link every file of the site at ``previous`` into ``out``, except the files in
    ``leave``, the top-level ``folders`` and what is rendered on every build (the pages filled
    from the frames, the school list, the sitemap and the manifest). The search index replaces
    the parts it makes again (:class:`generator.site.search.Index`). Return the inode of each
    file of ``previous`` seen (relative path), for telling which files a build wrote."""
    fresh = {f"{url}index.html" for url in _NAV_URLS} | {"api/schools.json", "sitemap.xml", "sitemap.xml.gz", manifest.FILE}  # fmt: skip
    leave = leave | fresh
    inodes: dict[str, int] = {}
    folders_left = [""]
    while folders_left:
        rel = folders_left.pop()
        with os.scandir(os.path.join(previous, rel)) as entries:
            kept = []
            for entry in entries:
                path = f"{rel}/{entry.name}" if rel else entry.name
                if entry.is_dir(follow_symlinks=False):
                    if rel or entry.name not in folders:
                        folders_left.append(path)
                    continue
                inodes[path] = entry.inode()
                if path not in leave:
                    kept.append((entry.path, path))
        if kept:  # a folder left with no file (a deleted school's) is not made
            os.makedirs(os.path.join(out, rel), exist_ok=True)
        for source, path in kept:
            os.link(source, os.path.join(out, path))
    return inodes


def _unshare(out: Path) -> None:
    """Remove the shared badge files (:meth:`writer.Writer.same`) no badge links to any more:
    those only changed or deleted schools showed."""
    shared = out / writer.SHARED
    with os.scandir(out / "badges") as entries:
        used = {e.inode() for e in entries if e.is_file(follow_symlinks=False)}
    with os.scandir(shared) as entries:
        for e in entries:
            if e.inode() not in used:
                os.unlink(e.path)


def _nav_pages(p: Prepared, out: Path, env: jinja2.Environment, frames: dict) -> None:
    """The home dashboard, 各区县 and the reference pages, each in its own slot."""
    contents = [
        ("home.html", {"home": p.home, "root": ""}),
        ("districts.html", {"districts": p.districts, "home": p.home, "root": "../"}),
        ("schema.html", {"kinds": _schema_kinds()}),
        ("rules.html", {"groups": _rule_groups(p.rules), "root": "../../"}),
        ("status.html", {"st": pages.status_reference(), "root": "../../"}),
    ]
    w = writer.Writer(out)
    for url, (name, context) in zip(_NAV_URLS, contents, strict=True):
        (out / url / "index.html").unlink(missing_ok=True)  # the engine's page, or a link to it
        w.text(f"{url}index.html", frames[url].fill(env.get_template(name).render(**context)))


def _rule_pages(p: Prepared, out: Path, env: jinja2.Environment, frames: dict) -> None:
    rule_t, w = env.get_template("rule.html"), writer.Writer(out)
    for rule in p.rules:
        r = pages.rule_page(rule)
        page = frames["rule"].fill(rule_t.render(r=r, root="../../"), r["title"], rule.id)
        w.text(f"{pages.rule_url(rule.id)}index.html", page)


def _district_pages(p: Prepared, out: Path, env: jinja2.Environment, frames: dict, only: set | None) -> None:
    district_t, w = env.get_template("district.html"), writer.Writer(out)
    for d in p.districts:
        if only is None or d["id"] in only:
            content = district_t.render(d=d, root="../../", as_of=p.district_days[d["id"]].isoformat())
            frame = frames["district-major" if d["major"] else "district"]
            w.text(f"districts/{d['id']}/index.html", frame.fill(content, d["name"], d["id"]))


def _editor_config(data: Any) -> dict:
    from generator.authoring.editor import EditorError, site_editor_config
    from generator.core.load import UsageError

    try:
        return site_editor_config(Path(data.records.root))
    except (EditorError, UsageError) as exc:
        raise writer.OutputError(f"网页编辑器:{exc}") from None


def _write_editor(out: Path, config: dict, key: str) -> None:
    """The web editor at /admin/ (generator/authoring/editor.py); a notice page without npm ci.
    ``key``: the digest of what it is made from (:mod:`generator.site.reuse`)."""
    from generator.authoring.editor import EditorError, write_admin
    from generator.core.load import UsageError

    if reuse.fetch("editor", key, out / "admin"):
        return
    try:
        write_admin(out, config)
        reuse.keep("editor", key, out / "admin")
    except (EditorError, UsageError) as exc:
        raise writer.OutputError(f"网页编辑器:{exc}") from None


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
