"""Benchmark: the search index in Pagefind runs of a thousand pages, against one run.

    .venv/bin/python benchmarks/bench_search.py                        # 2,000 and 20,000 schools
    .venv/bin/python benchmarks/bench_search.py --schools 2000 --site benchmarks/out/build-2000/site
    .venv/bin/python benchmarks/bench_search.py --layouts runs "per district"

For each N: `xiaoan synth` writes N dossiers and `xiaoan build` builds the site (or --site
names one already built from such a tree, as bench_build.py leaves it). Then the site's
search bundle is made again (`search.index`) in each layout:

- one run: one Pagefind run over all the schools of a part (and one over its districts,
  one over the shared pages: RUN_PAGES unbounded), as before the runs;
- runs: the layout the site uses, Pagefind over at most search.RUN_PAGES pages at a time,
  the runs merged into one index (pagefind_files.merge);
- per district: one index a district, searched together in the browser (PARTS = 10⁶), with
  the time to make one district's part again (what an incremental build does).

For each layout it prints the time to make the whole bundle (median of --repeat runs) and
its peak memory (the largest sum of PSS over this process's growth and its children:
Pagefind and the merge), and what chromium downloads from /pagefind/ for the first query
(实验小学) typed into the home page's search box, by kind of file, then when a filter is
opened (the filters' values load only then). Ratios are to the first layout run.
Targets: the first query's data ≤ 300 KB at 20,000 schools; the whole build ≤ 1 GB.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build import AS_OF, QUERY, _tree_memory, first_query, kinds  # noqa: E402

from generator.devtools.synth import write_tree  # noqa: E402
from generator.site import search  # noqa: E402

LAYOUTS = {  # (search.PARTS, search.RUN_PAGES)
    "one run": (1, 10**9),
    "runs": (search.PARTS, search.RUN_PAGES),
    "per district": (10**6, search.RUN_PAGES),
}


def peak_memory(action) -> tuple[float, float, object]:
    """(seconds, peak MB of this process's growth and its children's, result) of action()."""
    base = _tree_memory(os.getpid())
    peak, done = base, threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.wait(0.05):
            peak = max(peak, _tree_memory(os.getpid()))

    sampler = threading.Thread(target=sample)
    sampler.start()
    started = time.perf_counter()
    try:
        result = action()
    finally:
        seconds = time.perf_counter() - started
        done.set()
        sampler.join()
    return seconds, (peak - base) / 2**20, result


def site_for(n: int, seed: int, out: Path) -> Path:
    work = out / f"search-{n}"
    site = work / "site"
    if (site / "api" / "schools.json").is_file():
        return site  # built by an earlier run of this benchmark
    records = work / "records"
    if not records.is_dir():
        write_tree(records, n, seed)
    command = [sys.executable, "-m", "generator", "build", "--records", str(records),
               "--as-of", AS_OF, "--out", str(site)]  # fmt: skip
    print(f"  building the site for {n} schools …", flush=True)
    subprocess.run(command, cwd=ROOT, check=True, capture_output=True)
    return site


def measure(site: Path, layout: tuple[int, int], repeat: int) -> dict:
    search.PARTS, search.RUN_PAGES = layout
    runs = [peak_memory(lambda: search.index(site)) for _ in range(repeat)]
    result = {
        "full": statistics.median(r[0] for r in runs), "peak": max(r[1] for r in runs),
        "pages": runs[0][2], "query": first_query(site),
    }  # fmt: skip
    if search.PARTS > 1:
        districts = sorted(p.name for p in (site / "districts").glob("*/") if p.is_dir())
        one = districts[len(districts) // 2]
        result["district"] = statistics.median(
            peak_memory(lambda: search.index(site, districts=[one], shared=False))[0]
            for _ in range(repeat)
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each build; the median")
    parser.add_argument("--site", type=Path, help="a site already built (one --schools value)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--layouts", nargs="+", choices=list(LAYOUTS), default=["one run", "runs"],
                        help="per district at 20,000 schools runs Pagefind 500 times")  # fmt: skip
    args = parser.parse_args()
    print(f"bench_search: schools {args.schools}, {search.RUN_PAGES} pages a run, "
          f"repeat {args.repeat}, {os.cpu_count()} CPUs")  # fmt: skip
    for n in args.schools:
        print(f"\n== {n} schools", flush=True)
        site = args.site or site_for(n, args.seed, args.out)
        results = {}
        for name in args.layouts:
            results[name] = r = measure(site, LAYOUTS[name], args.repeat)
            base = results[args.layouts[0]]
            again = f"; one district again {r['district']:.2f} s" if "district" in r else ""
            print(f"  {name}: {r['pages']} pages; whole bundle {r['full']:.1f} s "
                  f"({r['full'] / base['full']:.2f}× the first layout's), peak memory "
                  f"{r['peak']:.0f} MB ({r['peak'] / base['peak']:.2f}×){again}")  # fmt: skip
            q = r["query"]
            if q is None:
                print("    first query: skipped (chromium or playwright missing)")
                continue
            ratio = q["data"] / base["query"]["data"]
            print(f"    first query for {QUERY}: {q['message']}; index data "
                  f"{q['data'] / 1024:.0f} KB in {len(q['data_files'])} requests "
                  f"({ratio:.2f}× the first layout; target ≤ 300 KB at 20,000): "
                  f"{kinds(q['data_files'])}; code {q['code_gzip'] / 1024:.0f} KB "
                  f"gzip-compressed")  # fmt: skip
            print(f"    then opening a filter: {q['filter_open'] / 1024:.0f} KB "
                  f"({kinds(q['filter_open_files'])})", flush=True)  # fmt: skip
    search.PARTS, search.RUN_PAGES = LAYOUTS["runs"]
    if not args.site:
        for n in args.schools:  # leave each site with the bundle the build makes
            search.index(args.out / f"search-{n}" / "site")


if __name__ == "__main__":
    main()
