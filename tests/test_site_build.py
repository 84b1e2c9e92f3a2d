"""Real mkdocs builds of the public site: every page and file at its URL, small school pages
out of the navigation, identical rebuilds, and failed builds that leave the old site alone."""

from __future__ import annotations

import fcntl
import filecmp
import gzip
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import REPO

from generator.cli import main
from generator.core import workers
from generator.core.rules import CATEGORIES
from generator.site import pages, search
from generator.site.build import BuildFailed, build

pytestmark = pytest.mark.slow  # whole-site builds

AS_OF = date(2026, 11, 23)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The site built from a copy of the repository's sample records."""
    records = tmp_path_factory.mktemp("sample") / "records"
    shutil.copytree(REPO / "records", records)
    out = records.parent / "site"
    build(records, out, AS_OF)
    return out


@pytest.fixture
def records(national_records: Path) -> Path:
    return national_records


def _school_ids(site: Path) -> list[str]:
    return [s["id"] for s in json.loads((site / "api/schools.json").read_text(encoding="utf-8"))]


def _tree(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# ---------------------------------------------------------------------------------------------
# What the site holds


def test_every_school_has_its_pages_badges_and_json(sample):
    ids = _school_ids(sample)
    assert len(ids) == len(list((REPO / "records").glob("*/[!_]*.yaml")))
    for sid in ids:
        for page in ("index", "notice", "risk"):
            assert (sample / "schools" / sid / f"{page}.html").is_file(), (page, sid)
        assert (sample / "badges" / f"{sid}.svg").read_text().startswith("<?xml")
        endpoint = json.loads((sample / "badges" / f"{sid}.json").read_text(encoding="utf-8"))
        assert endpoint["schemaVersion"] == 1 and endpoint["label"] == "校园安全"
        for slug in CATEGORIES.values():
            assert (sample / "badges" / f"{sid}.{slug}.svg").is_file(), (sid, slug)
        record = json.loads((sample / "api/schools" / f"{sid}.json").read_text(encoding="utf-8"))
        assert record["id"] == sid and record["status"] == endpoint["message"]
        # the days its status holds on, in its API entry and on its page
        assert record["valid_from"] <= AS_OF.isoformat() < record["next_change"]
        page = (sample / "schools" / sid / "index.html").read_text(encoding="utf-8")
        assert f"状态自 {record['valid_from']} 起有效,下次可能变化:{record['next_change']}" in page


def test_calendar_feeds_and_public_workbooks_are_published_and_linked(sample):
    import icalendar
    import openpyxl

    page = (sample / "schools" / "hx-dier-zhongxue" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../calendar/hx-dier-zhongxue.ics"' in page
    feed = icalendar.Calendar.from_ical((sample / "calendar" / "hx-dier-zhongxue.ics").read_bytes())
    events = [c for c in feed.walk("VEVENT")]
    # the open major hazard's deadline is on the officer's calendar
    assert any(str(e["SUMMARY"]) == "重大隐患整改期限:校舍安全 H-2026-002"
               for e in events), [str(e["SUMMARY"]) for e in events]  # fmt: skip
    for sid in _school_ids(sample):
        assert (sample / "calendar" / f"{sid}.ics").is_file(), sid

    district = (sample / "districts" / "hexi" / "index.html").read_text(encoding="utf-8")
    assert 'href="../../exports/districts/hexi.xlsx"' in district
    wb = openpyxl.load_workbook(sample / "exports" / "districts" / "hexi.xlsx")
    cells = {str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row}
    assert "河西区第二中学" in cells and "重大隐患" in cells
    assert sorted(p.name for p in (sample / "exports" / "districts").iterdir()) == [
        "chengguan.xlsx", "hexi.xlsx", "qingshan.xlsx"
    ]  # fmt: skip


def test_badges_of_the_same_content_are_one_file(sample):
    schools = json.loads((sample / "api/schools.json").read_text(encoding="utf-8"))
    by_status: dict[str, list[str]] = {}
    for s in schools:
        by_status.setdefault(s["status"], []).append(s["id"])
    for status, ids in by_status.items():
        inodes = {(sample / "badges" / f"{sid}.svg").stat().st_ino for sid in ids}
        assert len(inodes) == 1, status
    shared = sorted(p.name for p in (sample / "badges/_shared").iterdir())
    assert len(shared) <= 4 + 4 + 15 * 4  # statuses × (badge, endpoint, categories)


def test_the_school_list_api(sample):
    schools = json.loads((sample / "api/schools.json").read_text(encoding="utf-8"))
    assert all(set(s) == {"id", "name", "district", "stage", "status"} for s in schools)
    assert {s["status"] for s in schools} <= {"重大隐患", "逾期", "待整改", "达标"}
    # the sample records plant every status
    assert {s["status"] for s in schools} == {"重大隐患", "逾期", "待整改", "达标"}


def test_hand_written_and_reference_pages(sample):
    for page in ("index.html", "about/index.html", "contribute/index.html",
                 "districts/index.html", "reference/schema/index.html",
                 "reference/rules/index.html", "404.html"):  # fmt: skip
        assert (sample / page).is_file(), page
    schema_page = (sample / "reference/schema/index.html").read_text(encoding="utf-8")
    assert "hazards[].location" in schema_page and "隐患部位" in schema_page
    rules_page = (sample / "reference/rules/index.html").read_text(encoding="utf-8")
    assert "hazard.overdue" in rules_page or "hazards." in rules_page


def test_district_pages_list_their_schools(sample):
    schools = json.loads((sample / "api/schools.json").read_text(encoding="utf-8"))
    for district in {s["district"] for s in schools}:
        html = (sample / "districts" / district / "index.html").read_text(encoding="utf-8")
        mine = [s for s in schools if s["district"] == district]
        assert html.count('<tr data-status="') == len(mine)
        for s in mine:
            assert f'href="../../schools/{s["id"]}/"' in html
        assert "data-pagefind-body" in html


def test_home_page_has_the_dashboard_and_a_search_box(sample):
    html = (sample / "index.html").read_text(encoding="utf-8")
    assert '<div id="search"></div>' in html
    assert '<svg viewBox="0 0' in html and "各区县达标率" in html
    total = len(_school_ids(sample))
    assert f"共 <strong>{total}</strong> 所学校" in html
    assert "data-pagefind-body" not in html


def test_school_pages_are_small_and_not_in_the_navigation(sample):
    for sid in _school_ids(sample):
        page = sample / "schools" / sid / "index.html"
        assert page.stat().st_size <= 60_000, sid
    for page in ("index.html", "about/index.html", "reference/rules/index.html"):
        nav = (sample / page).read_text(encoding="utf-8").split('class="md-content"')[0]
        assert "schools/" not in nav, page


def test_a_school_page_sits_in_the_theme(sample):
    sid = _school_ids(sample)[0]
    name = json.loads((sample / "api/schools" / f"{sid}.json").read_text(encoding="utf-8"))["name"]
    html = (sample / "schools" / sid / "index.html").read_text(encoding="utf-8")
    assert f"<title>{name} - 校安档案</title>" in html
    assert f'<link rel="canonical" href="https://xiaoan.example.org/schools/{sid}/">' in html
    assert "xiaoan-slot" not in html and "@@XIAOAN" not in html
    assert html.count("data-pagefind-body") == 1
    for key in ("区县", "学段", "状态"):
        assert f'data-pagefind-meta="{key}"' in html
    for anchor, title in pages.SCHOOL_SECTIONS:
        if anchor == "status":  # the verdict: its heading is the status and why
            assert '<h2 id="status" class="xa-verdict__head">' in html
        else:
            assert f'<h2 id="{anchor}">{title}</h2>' in html
        assert f'href="#{anchor}"' in html  # the table of contents
    assert 'src="../../assets/xiaoan/xiaoan.js"' in html


def test_notice_has_a_qr_code_to_the_school_page(sample):
    sid = _school_ids(sample)[0]
    html = (sample / "schools" / sid / "notice.html").read_text(encoding="utf-8")
    assert html.count("<svg") == 1 and "一校一警" in html
    assert f"https://xiaoan.example.org/schools/{sid}/" in html
    assert 'href="../../assets/xiaoan/print.css"' in html


_LINK = re.compile(r'(?:href|src)="([^"]+)"')


@pytest.mark.parametrize("section", ["schools", "districts", "reference"])
def test_relative_links_of_generated_pages_resolve(sample, section):
    for page in sorted((sample / section).rglob("*.html")):
        for link in _LINK.findall(page.read_text(encoding="utf-8")):
            if re.match(r"[a-z]+:|#|/", link) or link.startswith("pagefind/"):
                continue
            target = (page.parent / link.split("#")[0].split("?")[0]).resolve()
            if target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(sample)} → {link}"


def test_sitemap_lists_every_page_dated_by_the_evaluation(sample):
    sitemap = (sample / "sitemap.xml").read_text(encoding="utf-8")
    assert set(re.findall(r"<lastmod>(.*?)</lastmod>", sitemap)) == {AS_OF.isoformat()}
    listed = set(re.findall(r"<loc>https://xiaoan.example.org/(.*?)</loc>", sitemap))
    pages = {
        "" if p.parent == sample else p.parent.relative_to(sample).as_posix() + "/"
        for p in sample.rglob("index.html")
    }
    assert listed == pages - {"admin/"}
    assert gzip.decompress((sample / "sitemap.xml.gz").read_bytes()).decode() == sitemap


def test_search_index_is_built_when_available(sample):
    pytest.importorskip("pagefind")
    assert (sample / "pagefind" / "pagefind-ui.js").is_file()


# ---------------------------------------------------------------------------------------------
# Builds that repeat, replace and fail


def test_two_builds_of_the_same_records_are_identical(records, tmp_path, monkeypatch):
    first, second = tmp_path / "one", tmp_path / "two"
    build(records, first, AS_OF)
    monkeypatch.setenv("XIAOAN_CACHE_DIR", str(tmp_path / "cache"))  # the engine, Pagefind again
    build(records, second, AS_OF)
    assert _tree(first) == _tree(second)


def test_forked_writers_write_the_same_site(records, tmp_path, monkeypatch):
    serial = tmp_path / "serial"
    build(records, serial, AS_OF)
    monkeypatch.setattr(workers, "PARALLEL_FROM", 1)  # validated, evaluated, written forked
    monkeypatch.setattr(workers, "MIN_TASK", 1)  # many small tasks, each a fresh worker
    monkeypatch.setenv("XIAOAN_CACHE_DIR", str(tmp_path / "cache"))  # Pagefind reads their pages
    assert workers.available() > 1 or pytest.skip("one CPU: no forked writers")
    forked = tmp_path / "forked"
    build(records, forked, AS_OF)
    comparison = filecmp.dircmp(serial, forked)
    assert _tree(serial) == _tree(forked), comparison.diff_files


def test_a_rebuild_replaces_the_site_and_leaves_nothing_behind(records, tmp_path):
    out = tmp_path / "site"
    build(records, out, AS_OF)
    path = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("城关区实验小学", "城关区新实验小学"),
                    encoding="utf-8")  # fmt: skip
    build(records, out, AS_OF)
    assert "城关区新实验小学" in (out / "schools/cg-shiyan-xiaoxue/index.html").read_text("utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records", "site"]


def test_an_invalid_dossier_fails_the_build_and_keeps_the_old_site(records, tmp_path):
    out = tmp_path / "site"
    build(records, out, AS_OF)
    before = _tree(out)
    path = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("stage: 小学", "stage: 大学"),
                    encoding="utf-8")  # fmt: skip
    result = CliRunner().invoke(main, ["build", "--records", str(records), "--out", str(out),
                                       "--as-of", AS_OF.isoformat()])  # fmt: skip
    assert result.exit_code == 1
    assert "cg-shiyan-xiaoxue.yaml" in result.output and "学段" in result.output
    assert "原来的网站" in result.output and "保持不变" in result.output
    assert _tree(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records", "site"]


def test_a_folder_that_is_not_a_site_is_never_replaced(records, tmp_path):
    precious = tmp_path / "docs"
    precious.mkdir()
    (precious / "notes.md").write_text("不要删除", encoding="utf-8")
    with pytest.raises(BuildFailed, match="不像之前生成的网站"):
        build(records, precious, AS_OF)
    assert [p.name for p in precious.iterdir()] == ["notes.md"]


def test_an_unknown_rule_set_fails_the_build(records, tmp_path):
    path = records / "qiaobei" / "_district.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("national", "nowhere"), "utf-8")
    with pytest.raises(BuildFailed, match="评估未通过") as failure:
        build(records, tmp_path / "site", AS_OF)
    assert [f.code for f in failure.value.findings] == ["ruleset.unknown"]
    assert not (tmp_path / "site").exists()


def test_missing_records_folder(tmp_path):
    with pytest.raises(BuildFailed, match="找不到档案文件夹"):
        build(tmp_path / "nowhere", tmp_path / "site", AS_OF)


def test_cli_build_reports_what_it_built_without_a_progress_bar(records, tmp_path):
    out = tmp_path / "site"
    result = CliRunner().invoke(main, ["build", "--records", str(records), "--out", str(out),
                                       "--as-of", AS_OF.isoformat()])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "已生成网站" in result.output and "3 所学校" in result.output
    assert "生成学校页面" not in result.output  # no tty: no progress bar
    assert (out / "schools/qb-di-yi-zhongxue/index.html").is_file()


_ARTICLE = re.compile(r'<article class="md-content__inner md-typeset">(.*?)</article>', re.S)
_SPACE = re.compile(r"\s+")


def _article(page: Path) -> str:
    """A page's own content: the theme's article, whitespace folded (without the target of
    Zensical's skip link, which mkdocs-material puts on the first heading)."""
    found = _ARTICLE.findall(page.read_text(encoding="utf-8"))
    assert len(found) == 1, page
    return _SPACE.sub(" ", found[0].replace('<a id="__skip" tabindex="-1"></a>', "")).strip()


def test_zensical_builds_the_same_pages(sample, tmp_path):
    """``--engine zensical`` builds the samples; every school, district and rule page says
    what the mkdocs build's says, in the theme's frame (title, table of contents)."""
    out = tmp_path / "site"
    result = CliRunner().invoke(main, [
        "build", "--records", str(sample.parent / "records"), "--out", str(out),
        "--as-of", AS_OF.isoformat(), "--engine", "zensical",
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    made = sorted(p.relative_to(out) for p in out.glob("*/*/index.html"))
    assert made == sorted(p.relative_to(sample) for p in sample.glob("*/*/index.html"))
    assert len([p for p in made if p.parts[0] == "schools"]) == 27
    for rel in made:
        if rel.parts[0] in ("schools", "districts", "rules", "reference"):
            assert _article(out / rel) == _article(sample / rel), rel
    school = (out / "schools/hx-binhe-xiaoxue/index.html").read_text(encoding="utf-8")
    assert "<title>河西区滨河小学 - 校安档案</title>" in school
    assert 'href="#hazards"' in school  # the table of contents of the frame
    assert "xiaoan-slot" not in school and "@@XIAOAN" not in school
    assert not (out / "schools/xiaoan-slot").exists() and not (out / "search.json").exists()
    assert (out / "sitemap.xml").read_bytes() == (sample / "sitemap.xml").read_bytes()


def test_an_unknown_engine_is_refused(records, tmp_path):
    result = CliRunner().invoke(main, ["build", "--records", str(records), "--out",
                                       str(tmp_path / "site"), "--engine", "hugo"])  # fmt: skip
    assert result.exit_code != 0 and "hugo" in result.output
    assert not (tmp_path / "site").exists()


def test_every_link_of_the_school_pages_leads_to_a_page_of_the_site(sample):
    """The school pages are written after mkdocs' strict link check: check their links here
    (the rule pages, the status page, the districts, the printable pages)."""
    missing = {}
    for page in sorted(sample.glob("schools/*/index.html")):
        html = page.read_text(encoding="utf-8")
        content = html[html.index('class="xa-school"') :]
        for href in re.findall(r'href="(\.\./\.\./[^"#?]*)', content):
            target = (page.parent / href).resolve()
            if not (target.is_file() or (target / "index.html").is_file()):
                missing.setdefault(page.parent.name, []).append(href)
    assert missing == {}
    rules = {p.name for p in (sample / "rules").iterdir()}
    assert len(rules) >= 60 and all((sample / "rules" / r / "index.html").is_file() for r in rules)
    status = (sample / "reference" / "status" / "index.html").read_text(encoding="utf-8")
    for anchor in ("major", "overdue", "pending", "ok", "cat-hazards", "cat-drills"):
        assert f'id="{anchor}"' in status


# ---------------------------------------------------------------------------------------------
# Publishing: the lock, the swap, leftovers, faults at the edge (issue 14 #9, #10, #11)


def _xiaoan_build(records: Path, out: Path, quiet: bool = False, **kw) -> subprocess.Popen:
    pipe = subprocess.DEVNULL if quiet else subprocess.PIPE
    return subprocess.Popen(
        [sys.executable, "-m", "generator", "build", "--records", str(records), "--out", str(out),
         "--as-of", AS_OF.isoformat()],
        cwd=REPO, stdout=pipe, stderr=pipe, text=True, **kw,
    )  # fmt: skip


def _dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return int(done.stdout)


def _dead_scratch_dirs() -> list[Path]:
    """Scratch folders of search indexes whose build process is gone."""
    base = Path(search._scratch() or tempfile.gettempdir())
    return [p for p in base.glob(f"{search.SCRATCH}*-*") if _dead(p)]


def _dead(path: Path) -> bool:
    pid = path.name[len(search.SCRATCH) :].split("-", 1)[0]
    if not pid.isdigit():
        return False  # not named by a build of this version
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False


def test_leftovers_of_killed_runs_are_removed_and_a_site_left_aside_is_put_back(records, tmp_path):
    out = tmp_path / "site"
    build(records, out, AS_OF)
    reference = _tree(out)
    # a crash between two renames (the fallback where folders cannot be exchanged) left the
    # site moved aside and --out missing; other killed runs left a half-built site and scratch
    aside = tmp_path / ".site-old-killed"
    aside.mkdir()
    out.rename(aside / "site")
    (tmp_path / ".site-new-killed" / "schools").mkdir(parents=True)
    scratch = Path(search._scratch() or tempfile.gettempdir()) / f"{search.SCRATCH}{_dead_pid()}-x"
    scratch.mkdir()
    build(records, out, AS_OF)
    assert _tree(out) == reference
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records", "site"]
    assert not scratch.exists()


def test_a_second_build_into_the_same_folder_waits_for_the_first(records, tmp_path):
    out = tmp_path / "site"
    fd = os.open(tmp_path, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a build in progress holds it
    try:
        second = _xiaoan_build(records, out)
        first_line = second.stderr.readline()
        assert not out.exists()
    finally:
        os.close(fd)
    stdout, stderr = second.communicate()
    assert "另一个网站构建正在写入" in first_line, first_line + stderr
    assert second.returncode == 0, stderr
    assert (out / "sitemap.xml").is_file()


def test_two_builds_at_once_both_succeed_and_leave_one_site(records, tmp_path):
    """The loser of two builds into one --out ended in an ENOTEMPTY traceback."""
    out = tmp_path / "site"
    runs = [_xiaoan_build(records, out) for _ in range(2)]
    for run in runs:
        stdout, stderr = run.communicate()
        assert run.returncode == 0 and "Traceback" not in stderr, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records", "site"]


@pytest.mark.parametrize(
    ("out", "words"),
    [("/sys/xiaoan-site/site", "没有写入权限"), (None, "磁盘已满")],
    ids=["read-only", "full"],
)
def test_a_disk_that_cannot_be_written_is_one_chinese_line(records, tmp_path, out, words):
    """A real fault, not a mock: /sys refuses new folders, and a file size limit
    (RLIMIT_FSIZE) makes writes fail as on a full disk."""

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    site = Path(out) if out else tmp_path / "site"
    if out is None:
        build(records, site, AS_OF)
        path = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"  # a change: a build that writes
        path.write_text(path.read_text("utf-8").replace("城关区实验小学", "城关区新实验小学"), "utf-8")
    before = _tree(site) if out is None else None
    run = _xiaoan_build(records, site, preexec_fn=None if out else small_files)
    stdout, stderr = run.communicate()
    assert run.returncode == 1 and "Traceback" not in stderr, stderr
    # the one line, beside the note every build gives while site_url is the placeholder
    [line] = [x for x in stderr.splitlines() if not x.startswith("注意:")]
    assert words in line and "网站没有生成" in line
    if before is not None:
        assert "原来的网站" in line and _tree(site) == before
        assert sorted(p.name for p in tmp_path.iterdir()) == ["records", "site"]


def _kill_points(request, count: int, slow_count: int) -> int:
    return slow_count if "slow" in (request.config.getoption("-m") or "") else count


def test_a_build_killed_at_any_point_leaves_the_site_whole_and_served(records, tmp_path, request):
    """Incremental builds killed (SIGKILL) after 0 … 100 % of a build's time: a reader polling
    the site never finds it missing or partial, the site afterwards is whole (the records go
    back and forth between two states, and the same records give the same bytes, so whole
    means equal to the first build of one of them), and the next build cleans up."""
    out = tmp_path / "site"
    path = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    texts = [path.read_text(encoding="utf-8")]
    texts.append(texts[0].replace("城关区实验小学", "城关区新实验小学"))
    references = []
    for text in texts:  # each build rewrites one school: a build that writes
        path.write_text(text, encoding="utf-8")
        started = time.monotonic()
        assert _xiaoan_build(records, out, quiet=True).wait() == 0
        duration = time.monotonic() - started
        references.append(_tree(out))
    assert references[0] != references[1]
    misses: list[str] = []
    stop = threading.Event()

    def read() -> None:  # as a web server answers: open the files at their paths
        while not stop.is_set():
            for name in ("index.html", "sitemap.xml", "schools/cg-shiyan-xiaoxue/index.html"):
                try:
                    if not (out / name).read_bytes():
                        misses.append(f"{name} empty")
                except OSError as exc:
                    misses.append(f"{name}: {exc.strerror}")

    reader = threading.Thread(target=read)
    reader.start()
    points = _kill_points(request, 8, 40)
    try:
        for i in range(points):
            path.write_text(texts[1 - references.index(_tree(out))], encoding="utf-8")
            run = _xiaoan_build(records, out, quiet=True)
            time.sleep(duration * 1.2 * i / points)
            run.send_signal(signal.SIGKILL)
            run.wait()
            assert _tree(out) in references, f"after a kill at {i}/{points}"
    finally:
        stop.set()
        reader.join()
    assert misses == []
    last = _xiaoan_build(records, out, quiet=True)
    assert last.wait() == 0
    assert _tree(out) == references[texts.index(path.read_text(encoding="utf-8"))]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records", "site"]
    assert _dead_scratch_dirs() == []
