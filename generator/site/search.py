"""Chinese full-text search for the built site, made with Pagefind.

The search bundle `<site>/pagefind/` is made with the Pagefind binary that ships in the
`pagefind[extended]` wheel (offline; the extended build segments Chinese, so 实验小学
matches 城关实验小学). The site plugin builds it with an :class:`Index` while it writes the
site: each school's page writer adds the school, and Pagefind runs in the background while
the district workbooks are written. `index(out_dir)` does the same for a site already
built. Either way it reads only what the site publishes:

- a school is indexed from its public API record (what `api/schools/<id>.json` holds):
  name, district, stage, status, address, its current findings (category and message),
  the Chinese text of every public section (risks and their controls, hazards and what is
  done about them, drills, the 一校一警 notice, safety education …), plus the suffixes of its name, district and address
  (see `suffixes`). Each becomes a small page in a temporary folder, at the school page's
  URL, which Pagefind indexes instead of the school page itself. Pagefind's
  time and memory grow with all the text of a page it reads, even the parts outside
  `data-pagefind-body`: the full school pages took 36 s and 1.5 GB at 20,000 schools, these
  small pages 13 s (6 s to write them, 7 s for Pagefind) and 0.7 GB. The scratch folder
  is in memory (/dev/shm) where there is one;
- district pages (`districts/<id>/index.html`) are indexed as built, by their
  `data-pagefind-body` element.

District, stage and status are `data-pagefind-meta`, shown under each result, and not
`data-pagefind-filter`: Pagefind's default UI downloads every filter file on the first
query (about 45 KB per filter at 20,000 schools), and Pagefind 1.5 writes different filter
files on each run over the same pages, so two builds would differ. Without filters two runs
give identical bundles.

The search box on the home page is Pagefind's default UI, which takes its Chinese strings
from `<html lang="zh">`. The home page holds `<div id="search"></div>` and loads
`pagefind/pagefind-ui.css`, `pagefind/pagefind-ui.js` and `pagefind/search-ui.js`, our
starter (search-ui.js beside this module), which is copied into the bundle.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

from jinja2 import Environment

from generator.core import schema
from generator.site.pages import scalars

BUNDLE_DIR = "pagefind"
LANGUAGE = "zh"
UI_SCRIPT = Path(__file__).with_name("search-ui.js")

# What Pagefind reads for a school: its title, the meta shown under a result, and the text
# searched (and quoted in excerpts).
SCHOOL_PAGE = Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{{ s.name }}</title></head>
<body data-pagefind-body>
<h1>{{ s.name }}</h1>
<p><span data-pagefind-meta="区县">{{ s.district_name or s.district }}</span>
· <span data-pagefind-meta="学段">{{ s.stage }}</span>
· 状态 <span data-pagefind-meta="状态">{{ s.status }}</span></p>
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


class Index:
    """The search bundle of one site, built while the rest of the site is written.

    :meth:`add_school` writes a school's small page into a scratch folder (forked page
    writers may call it); :meth:`start` adds the district pages and starts Pagefind in the
    background; :meth:`finish` waits for it and puts the starter script in the bundle.
    :meth:`close` (or leaving the ``with`` block) stops Pagefind if it still runs and removes
    the scratch folder.
    """

    def __init__(self, site: Path):
        self.site = Path(site)
        self.bundle = self.site / BUNDLE_DIR
        scratch = _scratch()
        _clean_scratch(scratch)
        self.pages = Path(tempfile.mkdtemp(prefix=f"{SCRATCH}{os.getpid()}-", dir=scratch))
        self.process: subprocess.Popen | None = None
        self.count = 0

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def add_school(self, school: dict) -> None:
        """Index ``school``, its public API record (``api/schools/<id>.json``)."""
        folder = self.pages / "added" / school["id"]
        folder.mkdir(parents=True)
        (folder / "index.html").write_text(school_page(school), encoding="utf-8")

    def start(self) -> None:
        """Add the site's district pages, then run Pagefind over the pages in the background."""
        # Pagefind numbers the pages in the order it lists them, which on tmpfs is the order
        # they were made: forked writers make them in any order. Moved into place by name,
        # the same pages always give the same bundle.
        site = self.pages / "site"
        (site / "schools").mkdir(parents=True)
        added = self.pages / "added"
        schools = sorted(os.listdir(added)) if added.is_dir() else []
        for school in schools:
            os.rename(added / school, site / "schools" / school)
        districts = sorted((self.site / "districts").glob("*/index.html"))
        for page in districts:
            folder = site / "districts" / page.parent.name
            folder.mkdir(parents=True)
            shutil.copyfile(page, folder / "index.html")
        self.count = len(schools) + len(districts)
        # Pagefind adds to an existing bundle without removing old chunks: start afresh.
        shutil.rmtree(self.bundle, ignore_errors=True)
        command = [
            str(_executable()),
            "--site", str(site),
            "--output-path", str(self.bundle.absolute()),
            "--force-language", LANGUAGE,
            "--quiet",
        ]  # fmt: skip
        log = open(self.pages / "pagefind.log", "wb")  # noqa: SIM115 - closed in finish/close
        try:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        except OSError as error:
            raise SearchError(
                f"无法运行搜索索引程序 Pagefind({command[0]}):{error.strerror}。"
            ) from None
        finally:
            log.close()

    def finish(self) -> int:
        """Wait for Pagefind; return how many pages (schools and districts) the index holds.
        Raises :class:`SearchError` if it failed."""
        assert self.process is not None, "start() first"
        returncode = self.process.wait()
        if returncode != 0:
            output = (self.pages / "pagefind.log").read_text("utf-8", errors="replace")
            raise SearchError(_explain(self.bundle, output, returncode))
        shutil.copyfile(UI_SCRIPT, self.bundle / UI_SCRIPT.name)
        return self.count

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.pages, ignore_errors=True)


def index(out_dir: Path) -> int:
    """Index the site built in `out_dir` into `out_dir/pagefind/` from its public API
    records and district pages; return how many pages the index holds. Raises SearchError
    with a Chinese message."""
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise SearchError(f"无法建立搜索索引:网站输出目录 {out_dir} 不存在。")
    with Index(out_dir) as search:
        for row in _json(out_dir / "api" / "schools.json"):
            search.add_school(_json(out_dir / "api" / "schools" / f"{row['id']}.json"))
        search.start()
        return search.finish()


def school_page(school: dict) -> str:
    """The small page Pagefind reads for ``school`` (its public API record)."""
    address = school.get("dossier", {}).get("profile", {}).get("address")
    names = (school["name"], school.get("district_name"), address)
    keys = " ".join(suffixes(name) for name in names if name)
    sections = []
    for key, value in school.get("dossier", {}).items():
        # the Chinese text a reader could search for, without ids, dates and numbers
        found = (v for v in scalars(value) if isinstance(v, str) and HAN.search(v))
        texts = list(dict.fromkeys(found))
        if key != "profile" and texts:
            sections.append((schema.title(schema.at(()) or {}, key), "、".join(texts)))
    return SCHOOL_PAGE.render(
        s=school, address=address, keys=keys, sections=sections, KEYS_MARK=KEYS_MARK
    )


SCRATCH = "xiaoan-search-"  # + the building process's id + "-": a killed build's is removed


def _clean_scratch(folder: str | None) -> None:
    """Remove the scratch folders of builds that were killed (their process is gone)."""
    base = Path(folder or tempfile.gettempdir())
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
