"""The files that come once per school, and the district workbooks, written after the engine
has built its own pages: each school's page (filled into the theme's frame), 一校一警 notice,
风险公告, badges, API record, search entry and calendar feed.

:func:`write_outputs` spreads the schools over forked workers (:mod:`generator.core.workers`)
in chunks; the web editor is written meanwhile, Pagefind indexes the schools in the
background while the district workbooks are written. Nothing here knows the engine: the
publisher hands over what it prepared (:class:`Outputs`) and the school pages' frame.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import shutil
import sys
from datetime import date
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup
from tqdm import tqdm

from generator.core import workers
from generator.exchange.calendar import public_feed
from generator.exchange.export import selections, tables_of
from generator.exchange.workbook import write_workbook
from generator.site import badges, pages, printfit, search
from generator.workflow.ledger import signoff_rows

SHARED = "badges/_shared"  # not a school id: those never start with "_"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC


class OutputError(Exception):
    """A part of the output that could not be made (search index, web editor), in Chinese."""


@dataclasses.dataclass
class Outputs:
    """What the publisher prepared for the per-school output."""

    out: Path
    data: Any  # generator.site.build.SiteData: records and evaluation
    as_of: date
    site_url: str
    site_name: str
    frame: Any  # generator.site.engine.Frame: the theme's school page around a slot
    templates: list[jinja2.Template]  # school, notice, risk: loaded before any fork
    docs: dict  # file -> Document
    district_views: dict  # district id -> public view of its file
    districts: list[dict]  # district pages' data (their school rows feed api/schools.json)
    signoffs: dict  # school id -> ledger entries
    signoff_note: str | None
    progress: bool = False
    schools: set[str] | None = None
    """The schools to write (None: all); the others' files are already in ``out`` (an
    incremental build links them from the previous site)."""
    search_districts: set[str] | None = None
    """The districts whose search index parts to make again (None: the whole bundle; the
    others are in ``out`` already)."""
    search_shared: bool = True
    """Whether to make the shared index again (False: its pages, and so the index in ``out``,
    are as they were)."""
    workbooks: set[str] | None = None
    """The districts whose workbooks to write (None: all)."""
    district_days: dict = dataclasses.field(default_factory=dict)
    """District id -> the day its pages and workbook are made as of (:func:`district_day`)."""


def school_day(result: Any, as_of: date) -> date:
    """The day a school's pages are made as of: the first day of the days its evaluation holds
    on (``valid_from``), so that they read the same on every one of those days and a later
    build need not make them again; the evaluation's own day when that is not known."""
    return result.valid_from or as_of


def district_day(results: list, as_of: date) -> date:
    """The day a district's page and workbook are made as of: the latest of its schools'
    :func:`school_day`, from which they hold until the earliest next change."""
    return max((school_day(r, as_of) for r in results), default=as_of)


def write_outputs(o: Outputs, write_editor) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Write everything that comes once per school, the district workbooks and the search
    index, calling ``write_editor()`` while the page writers work. Returns, for each school
    written, its files and its warnings (the printed sheets that will not fit one A4 page).
    Raises :class:`OutputError` if the search index fails."""
    writer = Writer(o.out)
    writer.json("api/schools.json", [
        {k: r[k] for k in ("id", "name", "district", "stage", "status")}
        for d in o.districts for r in sorted(d["schools"], key=lambda r: r["id"])
    ])  # fmt: skip
    everyone = o.data.evaluation.schools
    results = [r for r in everyone if o.schools is None or r.id in o.schools]
    kept = [r for r in everyone if o.schools is not None and r.id not in o.schools]
    files: dict[str, list[str]] = {}
    warnings: dict[str, list[str]] = {}
    jobs = workers.available() if len(results) >= workers.PARALLEL_FROM else 1
    chunks = workers.split(results, jobs)
    bar = tqdm(
        total=len(results), desc="生成学校页面", unit="校", file=sys.stderr,
        disable=not o.progress, leave=False,
        ncols=shutil.get_terminal_size().columns,  # a terminal of unknown size shows 80
    )  # fmt: skip
    ids = sorted(d.id for d in o.data.evaluation.districts if o.workbooks is None or d.id in o.workbooks)
    tasks = jobs * workers.TASKS_PER_WORKER  # a few districts' workbooks a task
    districts = [ids[i::tasks] for i in range(min(tasks, len(ids)))]
    # The search index is built while the district workbooks are written: the page writers
    # add each school to it, then Pagefind runs in the background.
    parts = None if o.search_districts is None else {search.part_of(d) for d in o.search_districts}
    with search.Index(o.out, parts, o.search_shared) as index:
        try:  # the records written before
            index.add_published((r.id, r.district) for r in kept)
        except search.SearchError as exc:
            raise OutputError(str(exc)) from None
        schools = _Schools(o, index)
        if jobs > 1:
            # Forked workers inherit everything prepared so far; each writes whole chunks,
            # then the districts' Excel workbooks. Every fork happens in this thread, so
            # esbuild and Pagefind never start while a worker is forked.
            done = workers.map_forked(schools.write, chunks, jobs)
            write_editor()  # meanwhile, here
            for _, (count, made, said) in done:
                files.update(made)
                warnings.update(said)
                bar.update(count)
            _start(index)
            for _ in workers.map_forked(schools.workbooks, districts, jobs):
                pass
        else:
            write_editor()
            for chunk in chunks:
                count, made, said = schools.write(chunk)
                files.update(made)
                warnings.update(said)
                bar.update(count)
            _start(index)
            for chunk in districts:
                schools.workbooks(chunk)
        bar.close()
        try:
            index.finish()
        except search.SearchError as exc:
            raise OutputError(str(exc)) from None
    return files, warnings


def _start(index: search.Index) -> None:
    try:
        index.start()
    except search.SearchError as exc:
        raise OutputError(str(exc)) from None


class _Schools:
    """Writes the output of chunks of schools (in whichever process runs it)."""

    def __init__(self, o: Outputs, index: search.Index):
        self.o = o
        self.index = index

    def write(self, chunk: list) -> tuple[int, dict[str, list[str]], dict[str, list[str]]]:
        """The pages, badges and JSON of one chunk of schools: (schools, each one's files,
        each one's warnings: its printed sheets longer than a page)."""
        o = self.o
        writer = Writer(o.out)
        files: dict[str, list[str]] = {}
        warnings: dict[str, list[str]] = {}
        school_t, notice_t, risk_t = o.templates
        site_url = o.site_url
        for result in chunk:
            first = len(writer.files)
            doc = o.docs[result.file]
            district = o.district_views.get(result.district, {})
            day = school_day(result, o.as_of)
            s = pages.school_page(doc.unpacked(), result, district, day)
            s["signoffs"] = [
                {**row, "status_key": pages.status_key(row["status"])}
                for row in signoff_rows(o.signoffs.get(result.id, []))
            ]
            s["signoff_note"] = o.signoff_note
            sid, urls = s["id"], s["urls"]
            page_url = f"{site_url}{urls['page']}"
            badge = f'<img src="{site_url}{urls["badge"]}" alt="校园安全:{s["status"]}">'
            embed = f'<a href="{page_url}">{badge}</a>' if site_url else ""
            content = school_t.render(s=s, root="../../", embed=embed)
            writer.text(f"schools/{sid}/index.html", o.frame.fill(content, s["name"], sid))
            common = {
                "s": s, "root": "../../", "qr": Markup(pages.qr_svg(page_url)),
                "page_url": page_url, "site_name": o.site_name,
            }  # fmt: skip
            writer.text(urls["notice"], notice_t.render(**common))
            writer.text(urls["risk"], risk_t.render(**common))
            over = printfit.overflowing([s])  # the notice's first, then the 风险公告's
            if over:
                warnings[sid] = [x.message() for x in over]
            writer.same(f"badges/{sid}.svg", badges.svg(s["status"]))
            writer.same(f"badges/{sid}.json", to_json(badges.endpoint(s["status"])))
            for cat in s["categories"]:
                writer.same(cat["badge"], badges.svg(cat["status"], cat["name"]))
            api = pages.school_api(s)
            writer.json(f"api/schools/{sid}.json", api)
            page = search.school_page(api)
            writer.text(search.page_file(sid), page)
            self.index.add_school(sid, result.district, page)
            writer.bytes(urls["calendar"], public_feed(s["dossier"], result, day))
            files[sid] = writer.files[first:]
        return len(chunk), files, warnings

    def workbooks(self, districts: list[str]) -> None:
        """The districts' public Excel tables (统计表、达标率、问题和整改清单): exports/districts/."""
        data = self.o.data
        sels = selections(data.records, data.evaluation, districts, public=True)
        for district, sel in zip(districts, sels, strict=True):
            path = self.o.out / "exports" / "districts" / f"{district}.xlsx"
            day = self.o.district_days[district]
            sel = dataclasses.replace(sel, as_of=day)
            write_workbook(path, tables_of(sel, public=True), stamp=day)


class Writer:
    """Writes files under the output folder, making folders as needed.

    Badges are the same few files over and over (a status, a category): :meth:`same` writes
    each distinct content once, under ``badges/_shared/``, and hard-links it at every URL
    that shows it. Creating a file costs far more than linking one, and a city has hundreds
    of thousands of badge URLs.
    """

    def __init__(self, out: Path):
        self.out = str(out)
        self.made: set[str] = set()
        self.shared: dict[tuple[str, str], tuple[str, bytes]] = {}  # (text, ext) -> (name, bytes)
        self.files: list[str] = []  # written, in order

    def _folder(self, folder: str) -> None:
        if folder not in self.made:
            os.makedirs(os.path.join(self.out, folder), exist_ok=True)
            self.made.add(folder)

    def _write(self, rel: str, data: bytes) -> None:
        self._folder(os.path.dirname(rel))
        # Exclusive: a file already there may be a hard link to the published site's (an
        # incremental build), and writing into it would change the site being served.
        # (os.open as open(..., "xb") does, without the file object: half a million files.)
        fd = os.open(os.path.join(self.out, rel), _CREATE, 0o666)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
        finally:
            os.close(fd)

    def text(self, rel: str, text: str) -> None:
        self.bytes(rel, text.encode("utf-8"))

    def bytes(self, rel: str, data: bytes) -> None:
        self._write(rel, data)
        self.files.append(rel)

    def json(self, rel: str, data: Any) -> None:
        self.text(rel, to_json(data))

    def same(self, rel: str, text: str) -> None:
        """``text`` at ``rel``, as a hard link to the one copy of that content."""
        key = (text, os.path.splitext(rel)[1])
        if key not in self.shared:  # a few distinct badges: each hashed and written once
            data = text.encode("utf-8")
            name = hashlib.sha256(data).hexdigest()[:16] + key[1]
            self._folder(SHARED)
            try:  # exclusive: forked writers may reach the same content at once
                fd = os.open(os.path.join(self.out, SHARED, name), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
            self.shared[key] = (name, data)
        name, data = self.shared[key]
        original = os.path.join(self.out, SHARED, name)
        self._folder(os.path.dirname(rel))
        try:
            os.link(original, os.path.join(self.out, rel))
        except OSError:  # no hard links on this file system, or too many to one file
            self._write(rel, data)
        self.files.append(rel)


def to_json(data: Any) -> str:
    """Compact JSON, Chinese kept as is, one line."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
