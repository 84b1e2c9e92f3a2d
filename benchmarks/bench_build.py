"""Benchmark: build the site for N synthetic schools, against a naive mkdocs baseline.

    .venv/bin/python benchmarks/bench_build.py                  # 2,000 schools, ours and baseline
    .venv/bin/python benchmarks/bench_build.py --schools 20000  # ours only (see below)

For each N: `xiaoan synth` writes N dossiers, `xiaoan build` builds the site (validate,
evaluate, render, Pagefind index), and the baseline builds "the obvious way" in the same run:
the same school pages as Markdown files (profile table, hazards, risks, drills, 一校一警,
generated from the same records) in a plain mkdocs-material site with every page in the nav
and mkdocs' default lunr search. Material renders the whole nav into every page, so the
baseline grows quadratically; it runs only up to --baseline-max schools (default 5,000; at
20,000 it would take hours).

It prints seconds, pages/s (HTML files written per second), output size, peak memory
(the largest sum of PSS over the build's process tree, sampled every 50 ms, which counts
memory that forked workers share once; and the largest single process's RSS from wait4),
the largest school page, the ratio to the baseline, and at each N what the first search
for 实验小学 downloads in chromium (if installed).
Targets on the 2-core machine: 2,000 schools ≤ 10 s and ≥ 3.5× the baseline; 20,000 ≤ 2 min
and ≤ 2 GB; a school page ≤ 60 KB; the first query ≤ 300 KB at 20,000 schools.
Everything is written under --out (default benchmarks/out/, not committed).
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.devtools.synth import REF, write_tree  # noqa: E402

AS_OF = REF.isoformat()
QUERY = "实验小学"


@dataclass
class Run:
    seconds: float
    tree_peak_mb: float  # largest sum of PSS over the process and its descendants
    process_peak_mb: float  # largest single process (wait4's ru_maxrss)
    pages: int = 0
    bytes: int = 0
    largest_school_page: int = 0
    in_place: float | None = None  # seconds until the folder watched was replaced


def measure(command: list[str], cwd: Path, log: Path, watch: Path | None = None) -> Run:
    """Run `command`, sampling its process tree's memory (and, with `watch`, noting when that
    folder is replaced: a build swaps the new site in, then removes the old one); fail
    loudly if it fails."""
    started = time.perf_counter()
    before = _inode(watch)
    in_place = None
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        peak = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if in_place is None and watch is not None and _inode(watch) != before:
                in_place = time.perf_counter() - started
            peak = max(peak, _tree_memory(process.pid))
            time.sleep(0.05)
    seconds = time.perf_counter() - started
    if in_place is None and watch is not None and _inode(watch) != before:
        in_place = seconds
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({process.returncode}); see {log}:\n"
                 + log.read_text(encoding="utf-8", errors="replace")[-3000:])  # fmt: skip
    return Run(seconds, peak / 2**20, usage.ru_maxrss / 2**10, in_place=in_place)


def _inode(path: Path | None) -> int | None:
    try:
        return path.stat().st_ino if path is not None else None
    except OSError:
        return None


def _tree_memory(pid: int) -> int:
    """Bytes of memory used by `pid` and all its descendants (0 if gone): the sum of their
    proportional set sizes, so pages that forked workers share are counted once."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            rollup = Path(f"/proc/{current}/smaps_rollup").read_text()
            total += next(
                int(line.split()[1]) * 1024 for line in rollup.splitlines()
                if line.startswith("Pss:")
            )  # fmt: skip
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(child) for child in (task / "children").read_text().split()]
        except (OSError, StopIteration, ValueError):
            continue
    return total


def describe(run: Run, site: Path, school_pages: list[Path]) -> Run:
    files = [p for p in site.rglob("*") if p.is_file()]
    run.pages = sum(p.suffix == ".html" for p in files)
    run.bytes = sum(p.stat().st_size for p in files)
    run.largest_school_page = max((p.stat().st_size for p in school_pages), default=0)
    return run


# --- the naive baseline ------------------------------------------------------------------


def baseline_project(records: Path, project: Path) -> None:
    """A plain mkdocs-material project: one Markdown page per school, all in the nav."""
    docs = project / "docs"
    nav = []
    for district_file in sorted(records.glob("*/_district.yaml")):
        district = _read(district_file)
        pages = []
        for record in sorted(district_file.parent.glob("*.yaml")):
            if record.name.startswith("_"):
                continue
            school = _read(record)
            page = f"schools/{school['profile']['id']}.md"
            (docs / page).parent.mkdir(parents=True, exist_ok=True)
            (docs / page).write_text(school_markdown(school, district), encoding="utf-8")
            pages.append({school["profile"]["name"]: page})
        nav.append({district["name"]: pages})
    (docs / "index.md").write_text("# 校安档案\n\n各校安全档案。\n", encoding="utf-8")
    config = {
        "site_name": "校安档案(基线)",
        "site_url": "http://127.0.0.1/",
        "theme": {"name": "material", "language": "zh"},
        "nav": [{"首页": "index.md"}, *nav],
    }
    (project / "mkdocs.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def _read(path: Path) -> dict:
    return yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)


def school_markdown(school: dict, district: dict) -> str:
    """The public content of a school page, as Markdown."""
    profile, police = school["profile"], school.get("police", {})
    lines = [
        f"# {profile['name']}",
        "",
        "| 项目 | 内容 |",
        "|---|---|",
        f"| 区县 | {district['name']} |",
        f"| 学段 | {profile.get('stage', '')} |",
        f"| 办学性质 | {profile.get('ownership', '')} |",
        f"| 地址 | {profile.get('address', '')} |",
        f"| 学生 / 教职工 | {profile.get('students', '')} / {profile.get('staff', '')} |",
        "",
        "## 隐患与整改",
        "",
    ]
    for hazard in school.get("hazards", []):
        lines.append(
            f"- {hazard.get('category', '')} · {hazard.get('grade', '')} · "
            f"{hazard.get('status', '')} · 发现 {hazard.get('found', '')} · "
            f"整改期限 {hazard.get('deadline', '—')} · 来源 {hazard.get('source', '')}"
        )
    lines += ["", "## 风险公告", "", "| 部位 | 类别 | 等级 | 措施 |", "|---|---|---|---|"]
    for risk in school.get("risks", []):
        controls = ";".join(risk.get("controls", []))
        lines.append(f"| {risk.get('place', '')} | {risk.get('category', '')} | "
                     f"{risk.get('level', '')} | {controls} |")  # fmt: skip
    lines += ["", "## 应急演练", ""]
    for drill in school.get("drills", []):
        lines.append(f"- {drill.get('date', '')} {drill.get('kind', '')} "
                     f"{drill.get('scope', '')} {drill.get('participants', '')} 人")  # fmt: skip
    lines += [
        "", "## 一校一警", "",
        f"- 民警:{police.get('officer', '')}(警号 {police.get('badge_no', '')})",
        f"- 派出所:{police.get('station', '')},值班电话 {police.get('duty_phone', '')}",
    ]  # fmt: skip
    for post in police.get("escort_posts", []):
        lines.append(f"- 护学岗 {post.get('period', '')}:{post.get('start')}–{post.get('end')}")
    return "\n".join(lines) + "\n"


# --- the first search query ------------------------------------------------------------


def first_query(site: Path, query: str = QUERY) -> dict | None:
    """What chromium downloads from /pagefind/ to load the home page and show the first
    results for `query`, and then to open a filter (the filters' values load then); None
    when chromium or playwright is missing."""
    chromium = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if chromium is None:
        return None
    sys.path.insert(0, str(ROOT / "tests"))
    from browser import CHROMIUM_FLAGS, serve

    fetched: dict[str, int] = {}
    with serve(site) as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.on("response", lambda r: fetched.__setitem__(r.url[len(url) :], _body(r)))
        page.goto(url + "/")
        page.fill(".pagefind-ui__search-input", query)
        page.wait_for_selector(".pagefind-ui__result-link")
        page.wait_for_load_state("networkidle")
        message = page.inner_text(".pagefind-ui__message")
        before = dict(fetched)
        filters = page.locator("#search .pagefind-ui__filter-name")
        if filters.count():
            filters.first.click()
            page.locator("#search .pagefind-ui__filter-label").first.wait_for()
            page.wait_for_load_state("networkidle")
        browser.close()
    bundle = {path: size for path, size in before.items() if path.startswith("/pagefind/")}
    code = {p: s for p, s in bundle.items() if p.endswith((".js", ".css"))}
    data = {p: s for p, s in bundle.items() if p not in code}
    code_gzip = sum(
        len(gzip.compress((site / p.lstrip("/").split("?")[0]).read_bytes(), 6)) for p in code
    )
    opened = {p: s for p, s in fetched.items() if p not in before and p.startswith("/pagefind/")}
    return {
        "message": message,
        "data": sum(data.values()),
        "data_files": data,
        "code": sum(code.values()),
        "code_gzip": code_gzip,
        "filter_open": sum(opened.values()),
        "filter_open_files": opened,
    }


def kinds(files: dict[str, int]) -> str:
    """Bytes and requests by kind of Pagefind file: "index 3× 88.8 KB, meta 2× 86.5 KB"."""
    found: dict[str, list[int]] = {}
    for path, size in files.items():
        found.setdefault(_kind(path), []).append(size)
    return ", ".join(f"{k} {len(s)}× {sum(s) / 1024:.1f} KB" for k, s in sorted(found.items()))


def _kind(path: str) -> str:
    """/pagefind/parts/00/fragment/00f3a9c1k.pf_fragment → fragment; /pagefind/wasm.unknown
    .pagefind → wasm; /pagefind/pagefind.zh_….pf_meta → meta; /pagefind/pagefind-entry.json
    → entry; /pagefind/parts.json → parts."""
    name = path.split("?")[0].rsplit("/", 1)[1]
    suffix = name.rsplit(".", 1)[1]
    if suffix.startswith("pf_"):
        return suffix.removeprefix("pf_")
    return name.split(".")[0].removeprefix("pagefind-")


def _body(response) -> int:
    try:
        return len(response.body())
    except Exception:  # a redirect or an aborted request has no body
        return 0


# --- main --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, nargs="+", default=[2000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--baseline-max", type=int, default=5000,
                        help="run the baseline only up to this many schools")  # fmt: skip
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()

    xiaoan = [sys.executable, "-m", "generator"]
    mkdocs = [sys.executable, "-m", "mkdocs"]
    env_note = f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}"
    print(f"bench_build: schools {args.schools}, seed {args.seed}, {env_note}")
    # A previous run's files are moved aside and deleted only at the end: deleting tens of
    # thousands of files just before a build slowed it by a third on this machine's disk.
    trash = args.out / ".old"
    for n in args.schools:
        work = args.out / f"build-{n}"
        if work.exists():
            trash.mkdir(parents=True, exist_ok=True)
            work.rename(trash / f"{work.name}-{time.time_ns()}")
        work.mkdir(parents=True)
        records = work / "records"
        started = time.perf_counter()
        write_tree(records, n, args.seed)
        os.sync()  # this tree's writes reach the disk before the clock starts
        print(f"\n== {n} schools (synth {time.perf_counter() - started:.1f} s)")

        site = work / "site"
        ours = measure(
            [*xiaoan, "build", "--records", str(records), "--as-of", AS_OF, "--out", str(site)],
            ROOT, work / "ours.log",
        )  # fmt: skip
        describe(ours, site, list(site.glob("schools/*/index.html")))
        report("ours (xiaoan build)", ours, n)
        reindex = f"from generator.site import search; search.index({str(site)!r})"
        index = measure([sys.executable, "-c", reindex], ROOT, work / "search.log")
        print(f"    of which the search index (Pagefind, run again alone): {index.seconds:.1f} s,"
              f" peak memory {index.tree_peak_mb:.0f} MB")  # fmt: skip

        if n <= args.baseline_max:
            project = work / "baseline"
            baseline_project(records, project)
            base = measure([*mkdocs, "build", "-q", "-f", str(project / "mkdocs.yml")],
                           project, work / "baseline.log")  # fmt: skip
            describe(base, project / "site", list((project / "site").glob("schools/*/index.html")))
            report("baseline (mkdocs, all in nav)", base, n)
            print(
                f"  ratio: ours is {base.seconds / ours.seconds:.1f}× faster than the baseline"
                f" (target ≥ 3.5×); peak memory {ours.tree_peak_mb:.0f} MB against"
                f" {base.tree_peak_mb:.0f} MB"
            )
        else:
            print(
                f"  baseline skipped above {args.baseline_max} schools: material renders the "
                "whole nav into every page, so it grows quadratically (hours at 20,000)"
            )

        probe = first_query(site)
        if probe is None:
            print("  first search: skipped (chromium or playwright missing)")
        else:
            print(f"  first search for {QUERY}: {probe['message']}")
            print(f"    index data {probe['data'] / 1024:.0f} KB (target ≤ 300 KB at 20,000): "
                  f"{kinds(probe['data_files'])}; opening a filter then "
                  f"{probe['filter_open'] / 1024:.0f} KB")  # fmt: skip
            print(
                f"    code (js, css) {probe['code'] / 1024:.0f} KB as stored, "
                f"{probe['code_gzip'] / 1024:.0f} KB gzip-compressed on the wire; "
                f"total {(probe['data'] + probe['code_gzip']) / 1024:.0f} KB with gzip"
            )
    shutil.rmtree(trash, ignore_errors=True)


def report(label: str, run: Run, schools: int) -> None:
    print(
        f"  {label}: {run.seconds:.1f} s, {run.pages / run.seconds:.0f} pages/s "
        f"({run.pages} HTML files, {schools / run.seconds:.0f} schools/s), "
        f"output {run.bytes / 2**20:.0f} MB, peak memory {run.tree_peak_mb:.0f} MB "
        f"(largest process {run.process_peak_mb:.0f} MB), "
        f"largest school page {run.largest_school_page / 1024:.1f} KB"
    )


if __name__ == "__main__":
    main()
