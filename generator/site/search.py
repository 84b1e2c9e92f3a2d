"""Chinese full-text search for the built site, made with Pagefind.

The search bundle `<site>/pagefind/` is made with the Pagefind binary that ships in the
`pagefind[extended]` wheel (offline; the extended build segments Chinese, so 实验小学
matches 城关实验小学). It holds several Pagefind indexes, searched together by the browser
(Pagefind's `mergeIndex`), so that a change to one district re-indexes only its part:

- the shared index, `pagefind/` itself: the home page, the reference and rule pages, the
  hand-written pages and the list of districts, each by its article (`SHARED_ROOT`). It is
  the primary index: Pagefind's scripts, styles and WebAssembly are loaded from here;
- one index for each part, `pagefind/parts/<part>/`: the schools and district pages of the
  districts whose ids hash to that part (`part_of`). A part is a fixed share of the
  districts rather than one district, because the browser fetches an entry, a meta file and
  the chunks of every index on the first query, and a chunk (Pagefind cuts at 20,000 word
  positions) holds all the words of a small index: at 20,000 synthetic schools (500
  districts of 40) one index per district made the first query download megabytes
  (benchmarks/bench_search.py measures it);
- `pagefind/parts.json` lists the parts and the filters' names; `pagefind/search-ui.js`
  (our starter, beside this module) reads it and starts Pagefind's default UI with every
  part merged, through
  `pagefind/merged/pagefind.js` (search-merge.js beside this module): Pagefind skips a
  query word that one index lacks, so merged indexes would answer 东城第二中学 with every
  page of 第二 and 中学 in the parts without 东城; the script runs a query only in the
  indexes that hold all its words. It also gives the UI the filters' names only, and loads
  their values when a filter is first opened: they were a third of what the first query
  downloaded at 20,000 schools.

The site plugin builds the bundle with an :class:`Index` while it writes the site: each
school's page writer adds the school, and Pagefind runs in the background while the
district workbooks are written, over at most `RUN_PAGES` pages at a time, one run after
another; `pagefind_files.merge` then joins each index's runs into the index one run would
have made. Pagefind holds all the pages of a run in memory several times over (about
190 KB a school page: one run over the 20,000 schools of a province peaked at 3.6 GB; runs
of 1,000 peak at 0.25 GB, benchmarks/bench_search.py). `index(out_dir)` does the same for a site already built,
and `index(out_dir, districts=[…], shared=False)` remakes only the parts of those districts
(an incremental build's way). Either way it reads only what the site publishes:

- a school is indexed from its public API record (what `api/schools/<id>.json` holds):
  name, district, stage, status, address, its current findings (category and message),
  the Chinese text of every public section (risks and their controls, hazards and what is
  done about them, drills, the 一校一警 notice, safety education …), plus the suffixes of
  its name, district and address (see `suffixes`). Each becomes a small page in a temporary
  folder, at the school page's URL, which Pagefind indexes instead of the school page
  itself: Pagefind's time and memory grow with all the text of a page it reads, even the
  parts outside `data-pagefind-body` (the full school pages took 36 s and 1.5 GB at 20,000
  schools before the sections' text was indexed, these small pages 13 s and 0.7 GB; with it,
  3.6 GB in one run). The scratch folder is in memory (/dev/shm) where there is one. The
  site keeps each small page too (`.xiaoan/search/<id>.html`, public text only), so an
  incremental build re-indexes the schools it did not render without making their pages
  again;
- district pages (`districts/<id>/index.html`) are indexed as built, by their
  `data-pagefind-body` element.

District, stage and status are both `data-pagefind-meta` (shown under each result) and
`data-pagefind-filter` (the 区县, 学段 and 状态 filters beside the results). Pagefind 1.5
writes a filter's values in a different order on each run; `pagefind_files.merge` puts
them in order, so two runs over the same pages give identical bundles.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import zlib
from collections.abc import Iterable
from pathlib import Path

from jinja2 import Environment

from generator.site import manifest, pagefind_files, reuse
from generator.site.pages import field_title, scalars

BUNDLE_DIR = "pagefind"
LANGUAGE = "zh"
UI_SCRIPT = Path(__file__).with_name("search-ui.js")
MERGE_SCRIPT = Path(__file__).with_name("search-merge.js")  # pagefind/merged/pagefind.js
# Parts of the districts, each a Pagefind index of its own (see part_of). One for now: merged
# indexes rank by each index's own word statistics, so on the sample (27 schools) a school's
# full name put other parts' schools first, and more parts cost the first query more bytes
# (benchmarks/bench_search.py: 1.7x at 8 parts, 7x at one a district, 2,000 schools).
PARTS = 1
# Pages of one Pagefind run: its memory grows by ~190 KB a school page it holds (3.6 GB for
# all 20,000 of a province at once); pagefind_files.merge joins the runs (bench_search.py).
RUN_PAGES = 1000
PARTS_DIR = "parts"  # pagefind/parts/<part>/
PAGES_DIR = ".xiaoan/search"  # each school's small page (see page_file)
PARTS_FILE = "parts.json"  # pagefind/parts.json: the parts' and filters' names, for search-ui.js
SHARED = "_shared"  # the scratch name of the shared index (part names are digits)
SHARED_ROOT = "article"  # what the shared index reads of a page: the theme's article
SHARED_OPTIONS = ["--root-selector", SHARED_ROOT, "--exclude-selectors", ".headerlink"]
# top-level folders of the site without pages for the shared index (they are large)
NOT_SHARED = {"admin", "api", "assets", "badges", "calendar", "exports", "pagefind", "schools"}

# What Pagefind reads for a school: its title, the meta shown under a result, and the text
# searched (and quoted in excerpts).
SCHOOL_PAGE = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{{ s.name }}</title></head>
<body data-pagefind-body>
<h1>{{ s.name }}</h1>
<p><span data-pagefind-meta="区县" data-pagefind-filter="区县">{{ s.district_name or s.district }}</span>
· <span data-pagefind-meta="学段" data-pagefind-filter="学段">{{ s.stage }}</span>
· 状态 <span data-pagefind-meta="状态" data-pagefind-filter="状态">{{ s.status }}</span></p>
{% if address %}<p>地址:{{ address }}</p>{% endif %}
{% for f in s.findings %}<p>{{ f.category }}:{{ f.message }}</p>
{% endfor %}{% for title, text in sections %}<p>{{ title }}:{{ text }}</p>
{% endfor %}<p>{{ KEYS_MARK }} {{ keys }}</p>
</body></html>
"""
)
# Starts the paragraph of name suffixes (see `suffixes`), which only helps matching: the
# starter script cuts excerpts there, so results never quote the padding.
KEYS_MARK = "〓"
HAN = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")


class SearchError(Exception):
    """The search index could not be built. The message is Chinese, for people."""


def part_of(district: str) -> str:
    """The name of the part (a folder under ``pagefind/parts/``) that indexes the schools and
    the page of ``district``: the same for a district in every build, whatever else changes."""
    return f"{zlib.crc32(district.encode('utf-8')) % PARTS:02d}"


@dataclasses.dataclass
class _Run:
    """The pages of one Pagefind run: ``site/kind/<name>/index.html``."""

    kind: str
    site: Path
    pages: int = 0


class Index:
    """The search bundle of one site, or some of its parts, built while the site is written.

    ``Index(site)`` makes the whole bundle; ``Index(site, parts={…}, shared=False)`` remakes
    only those parts (see :func:`part_of`), ``Index(site, parts=set())`` only the shared
    index of the site's other pages, leaving the rest of the bundle as it is.

    :meth:`add_school` writes a school's small page into a scratch folder (forked page
    writers may call it; they keep the page in the site too, where :meth:`add_published`
    finds it); :meth:`start` adds the district pages and the shared pages and
    starts Pagefind in the background, once for each index; :meth:`finish` waits for it and
    puts the new indexes in place. :meth:`close` (or leaving the ``with`` block) stops
    Pagefind if it still runs and removes the scratch folder.
    """

    def __init__(self, site: Path, parts: Iterable[str] | None = None, shared: bool = True):
        self.site = Path(site)
        self.bundle = self.site / BUNDLE_DIR
        self.parts = None if parts is None else set(parts)
        self.shared = shared
        clean_scratch()
        self.pages = Path(tempfile.mkdtemp(prefix=f"{SCRATCH}{os.getpid()}-", dir=_scratch()))
        self.process: subprocess.Popen | None = None  # the Pagefind runs, once started
        self.made: dict[str, str] = {}  # index -> the digest of its pages, if Pagefind makes it
        self.built: dict[str, int] = {}  # index (part or SHARED) -> pages
        self.runs: dict[str, list[_Run]] = {}  # index -> its Pagefind runs, in order

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def wants(self, district: str) -> bool:
        return self.parts is None or part_of(district) in self.parts

    def add_school(self, school: str, district: str, page: str) -> None:
        """Index ``school`` by its small ``page`` (:func:`school_page`), if its ``district``'s
        part is one this index makes."""
        if not self.wants(district):
            return
        folder = self.pages / "added" / part_of(district) / school
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(page, encoding="utf-8")

    def add_published(self, schools: Iterable[tuple[str, str]]) -> None:
        """Index ``schools`` (id, district) of this index's parts by the small pages the site
        already holds (:func:`page_file`): an incremental build does not make them again."""
        for school, district in schools:
            if self.wants(district):
                path = self.site / page_file(school)
                try:
                    page = path.read_text(encoding="utf-8")
                except (OSError, ValueError) as error:
                    raise SearchError(f"无法建立搜索索引:读不了 {path}({error})。") from None
                self.add_school(school, district, page)

    def start(self) -> None:
        """Add the district pages and the shared pages, then run Pagefind over each index's
        pages in the background, a run of at most :data:`RUN_PAGES` pages at a time."""
        added = self.pages / "added"
        parts = sorted(os.listdir(added)) if added.is_dir() else []
        # Pagefind numbers the pages in the order it lists them, which on tmpfs is the order
        # they were made: forked writers make them in any order. Moved into place by name,
        # the same pages always give the same bundle.
        for part in parts:
            schools = sorted(os.listdir(added / part))
            for school in schools:
                os.rename(added / part / school, self._place(part, "schools", school))
        for page in sorted((self.site / "districts").glob("*/index.html")):
            if self.wants(page.parent.name):
                folder = self._place(part_of(page.parent.name), "districts", page.parent.name)
                folder.mkdir()
                shutil.copyfile(page, folder / "index.html")
        if self.shared:
            for rel in shared_pages(self.site):
                page = self._place(SHARED, "", rel)
                page.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(self.site / rel, page)
        if self.shared and SHARED not in self.built:
            raise SearchError(f"无法建立搜索索引:{self.site} 中没有首页等可供搜索的页面。")
        # The runs one after another, in one process of their own: Pagefind's memory grows
        # with the pages of a run, and the page writers fork while it works. An index of the
        # same pages made before is copied instead, merged (generator/site/reuse.py).
        commands, code = [], manifest.code()
        for name, runs in self.runs.items():
            options = ["--force-language", LANGUAGE, "--quiet", *(SHARED_OPTIONS if name == SHARED else [])]
            key = manifest.digest(manifest.packages(), code, name, options, manifest.tree(self.pages / "runs" / name))
            if reuse.fetch("search", key, self.pages / "merged" / name):
                continue
            self.made[name] = key
            for run in runs:
                command = [str(_executable()), "--site", str(run.site),
                           "--output-path", str(self._output(name, run)), *options]  # fmt: skip
                commands.append(shlex.join(command))
        if not commands:
            return
        with open(self.pages / "pagefind.log", "wb") as log:
            try:
                self.process = subprocess.Popen(
                    ["sh", "-c", "set -e\n" + "\n".join(commands)],
                    stdout=log, stderr=log, start_new_session=True,
                )  # fmt: skip
            except OSError as error:
                raise SearchError(
                    f"无法运行搜索索引程序 Pagefind({_executable()}):{error.strerror}。"
                ) from None

    def _place(self, index: str, kind: str, name: str) -> Path:
        """Where to put page ``name`` of ``kind`` (schools, districts, or "" for the shared
        pages): in the index's latest run, or a new one when that one is full or holds
        another kind. Each kind has runs of its own: a district page's meta fields (its first
        image) are not a school's, and runs with the same fields merge faster."""
        runs = self.runs.setdefault(index, [])
        self.built[index] = self.built.get(index, 0) + 1
        if not runs or runs[-1].kind != kind or runs[-1].pages >= RUN_PAGES:
            runs.append(_Run(kind, self.pages / "runs" / index / f"{len(runs):03d}"))
            (runs[-1].site / kind).mkdir(parents=True)
        runs[-1].pages += 1
        return runs[-1].site / kind / name

    def _output(self, index: str, run: _Run) -> Path:
        return self.pages / "out" / index / run.site.name

    def finish(self) -> int:
        """Wait for Pagefind, merge each index's runs and put the new indexes in place;
        return how many pages they hold. Raises :class:`SearchError` if Pagefind failed."""
        returncode = self.process.wait() if self.process else 0
        if returncode != 0:
            output = (self.pages / "pagefind.log").read_text("utf-8", errors="replace")
            raise SearchError(_explain(self.bundle, output, returncode))
        out = self.pages / "merged"
        for name, key in self.made.items():
            runs = self.runs[name]
            try:
                pagefind_files.merge(
                    [self._output(name, run) for run in runs], out / name,
                    prefix="s" if name == SHARED else name,
                )  # fmt: skip
            except (pagefind_files.FormatError, KeyError, IndexError, TypeError, ValueError) as exc:
                raise SearchError(
                    f"无法整理搜索索引 {self.bundle}:Pagefind 写出的文件与本程序所知的格式不同"
                    f"(可能是 Pagefind 的版本变了):{exc}"
                ) from None
            reuse.keep("search", key, out / name)
        parts = self.bundle / PARTS_DIR
        if self.parts is None:  # the whole bundle: start afresh
            shutil.rmtree(self.bundle, ignore_errors=True)
        if self.shared:
            _replace_shared(out / SHARED, self.bundle)
        parts.mkdir(parents=True, exist_ok=True)
        for part in self.parts or ():  # remade or, having no pages left, removed
            shutil.rmtree(parts / part, ignore_errors=True)
        for name in sorted(self.built.keys() - {SHARED}):
            _drop_code(out / name)
            shutil.move(out / name, parts / name)
        listed = sorted(p.parent.name for p in parts.glob("*/pagefind-entry.json"))
        filters = sorted({f for part in listed for f in pagefind_files.filter_names(parts / part)})
        # Each file made anew, never written into: in an incremental build the bundle's
        # files are hard links to the published site's.
        _new_file(self.bundle / PARTS_FILE).write_text(
            json.dumps({"parts": listed, "filters": filters}, ensure_ascii=False), encoding="utf-8"
        )
        shutil.copyfile(UI_SCRIPT, _new_file(self.bundle / UI_SCRIPT.name))
        (self.bundle / "merged").mkdir(exist_ok=True)
        shutil.copyfile(MERGE_SCRIPT, _new_file(self.bundle / "merged" / "pagefind.js"))
        return sum(self.built.values())

    def close(self) -> None:
        if self.process and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):  # ended since
                os.killpg(self.process.pid, signal.SIGKILL)  # the shell and its Pagefind
            self.process.wait()
        shutil.rmtree(self.pages, ignore_errors=True)


def index(out_dir: Path, districts: Iterable[str] | None = None, shared: bool = True) -> int:
    """Index the site built in `out_dir` into `out_dir/pagefind/` from its public API
    records, district pages and other pages; return how many pages the new indexes hold.

    With ``districts``, only the parts that index those districts are made again (and the
    shared index of the other pages if ``shared``); the rest of the bundle stays. Raises
    SearchError with a Chinese message."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise SearchError(f"无法建立搜索索引:网站输出目录 {out_dir} 不存在。")
    parts = None if districts is None else {part_of(d) for d in districts}
    if parts is not None and not (out_dir / BUNDLE_DIR / "pagefind-entry.json").is_file():
        raise SearchError(f"无法更新搜索索引:{out_dir / BUNDLE_DIR} 还没有完整的索引。")
    with Index(out_dir, parts, shared) as search:
        for r in _json(out_dir / "api" / "schools.json"):
            if search.wants(r["district"]):
                record = _json(out_dir / "api" / "schools" / f"{r['id']}.json")
                search.add_school(r["id"], r["district"], school_page(record))
        search.start()
        return search.finish()


def shared_pages(site: Path) -> list[str]:
    """The site's pages (relative paths) that the shared index holds: the home page, the
    reference and rule pages, the hand-written pages and the list of districts; not the
    schools' and districts' own pages (their parts hold them), the editor or the 404 page."""
    found = []
    for folder, dirs, files in os.walk(site):
        rel = os.path.relpath(folder, site)
        top = rel.split(os.sep)[0]
        if rel == "districts":
            dirs.clear()
        elif top in NOT_SHARED:
            dirs.clear()
            continue
        dirs.sort()
        found += sorted(os.path.normpath(os.path.join(rel, f)) for f in files
                        if f == "index.html")  # fmt: skip
    return found


def _new_file(path: Path) -> Path:
    """``path``, with whatever was there removed."""
    path.unlink(missing_ok=True)
    return path


def _replace_shared(new: Path, bundle: Path) -> None:
    """Put the shared index ``new`` in ``bundle`` in place of the old one, keeping the parts."""
    bundle.mkdir(parents=True, exist_ok=True)
    for old in bundle.iterdir():
        if old.name not in (PARTS_DIR, PARTS_FILE):
            shutil.rmtree(old) if old.is_dir() else old.unlink()
    for path in new.iterdir():
        shutil.move(path, bundle / path.name)


def _drop_code(part: Path) -> None:
    """A part's bundle is read by the shared bundle's scripts: Pagefind's copies of its
    scripts, styles and WebAssembly in it are never fetched."""
    for path in part.iterdir():
        if path.is_file() and path.suffix in (".js", ".css", ".pagefind"):
            path.unlink()


def page_file(school: str) -> str:
    """Where the site keeps ``school``'s small page (relative to the site): outside the
    published pages, for the next incremental build's index."""
    return f"{PAGES_DIR}/{school}.html"


def school_page(school: dict) -> str:
    """The small page Pagefind reads for ``school`` (its public API record)."""
    address = school.get("dossier", {}).get("profile", {}).get("address")
    names = (school["name"], school.get("district_name"), address)
    keys = " ".join(suffixes(name) for name in names if name)
    sections = []
    for key, value in school.get("dossier", {}).items():
        if key == "profile":  # name and address are above
            continue
        # the Chinese text a reader could search for, without ids, dates and numbers
        found = (v for v in scalars(value) if isinstance(v, str) and HAN.search(v))
        texts = list(dict.fromkeys(found))
        if texts:
            sections.append((field_title((key,)), "、".join(texts)))
    return SCHOOL_PAGE.render(
        s=school, address=address, keys=keys, sections=sections, KEYS_MARK=KEYS_MARK
    )


SCRATCH = "xiaoan-search-"  # + the building process's id + "-": a killed build's is removed


def clean_scratch() -> None:
    """Remove the scratch folders of builds that were killed (their process is gone)."""
    base = Path(_scratch() or tempfile.gettempdir())
    for path in base.glob(f"{SCRATCH}*-*"):
        pid = path.name[len(SCRATCH) :].split("-", 1)[0]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(path, ignore_errors=True)
        except OSError:
            pass  # alive, another user's


def _scratch() -> str | None:
    """A folder in memory (tmpfs) for the throwaway pages, where there is one: creating a
    file on disk costs several times more, and there are as many pages as schools."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


def suffixes(text: str) -> str:
    """Every proper suffix of each run of Chinese characters in `text`, space-separated:
    城关区实验小学 → 关区实验小学 区实验小学 实验小学 验小学 小学 学.

    Pagefind cuts the indexed text into words with jieba, but the browser cuts the query
    with ICU (Intl.Segmenter), and the two often disagree: the index holds 东城 where the
    query asks for 东 and 城, and since every query word must begin some indexed word, the
    school is not found. Indexing the suffixes makes a word begin at every character, so a
    name is found whichever way the query is cut: typing a full school name found 77% of
    2,000 synthetic schools without them and 99.9% with them.
    """
    return " ".join(run[i:] for run in HAN.findall(text) for i in range(1, len(run)))


def _json(path: Path):
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        raise SearchError(f"无法建立搜索索引:找不到 {path}。") from None
    except (OSError, ValueError) as error:
        raise SearchError(f"无法建立搜索索引:读不了 {path}({error})。") from None


def _executable() -> Path:
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise SearchError(
            "找不到搜索索引程序 Pagefind:请安装 Python 包 pagefind[extended]"
            "(pip install 'pagefind[extended]')。"
        )
    return binary


def _explain(bundle: Path, output: str, returncode: int) -> str:
    """A Chinese message for a failed Pagefind run, with Pagefind's own words as detail."""
    if "did not contain any html files" in output:
        return f"无法建立搜索索引:{bundle.parent} 中没有学校或区县页面。"
    if "PermissionDenied" in output or "Permission denied" in output:
        return f"无法建立搜索索引:没有权限写入 {bundle}。"
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    detail = next((line for line in lines if line.startswith(("Error", "thread"))), None)
    detail = detail or (lines[-1] if lines else "没有输出")
    return f"建立搜索索引失败(Pagefind 退出码 {returncode}):{detail}"
