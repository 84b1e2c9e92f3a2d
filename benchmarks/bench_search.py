"""Benchmark: the search bundle split into parts, against one index for all the schools.

    .venv/bin/python benchmarks/bench_search.py                        # 2,000 and 20,000 schools
    .venv/bin/python benchmarks/bench_search.py --schools 2000 --site benchmarks/out/build-2000/site

For each N: `xiaoan synth` writes N dossiers and `xiaoan build` builds the site (or --site
names one already built from such a tree, as bench_build.py leaves it). Then the site's
search bundle is made again in three layouts, by setting `search.PARTS`:

- one index: every school and district in one Pagefind index (PARTS = 1), as before the split;
- per district: as many parts as districts would allow (PARTS = 10⁶: one district a part,
  but for the rare hash collision);
- parts: the layout the site uses (search.PARTS, a fixed share of the districts a part).

For each layout it prints the time to make the whole bundle (median of --repeat runs), the
time to remake one district's part alone and the shared index alone (what an incremental
build does after one dossier or one hand-written page changed), the number of indexes, and
what chromium downloads from /pagefind/ for the first query (实验小学) typed into the home
page's search box: the index data (entry, meta, chunks, filters, fragments, WebAssembly) and
the code, with the number of requests. Ratios are to the first layout run (--layouts).
Target: the first query's data ≤ 300 KB at 20,000 schools.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_build import AS_OF, QUERY, first_query  # noqa: E402

from generator.devtools.synth import write_tree  # noqa: E402
from generator.site import search  # noqa: E402

LAYOUTS = {"one index": 1, "per district": 10**6, "parts": search.PARTS}


def timed(action) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


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


def measure(site: Path, parts: int, repeat: int) -> dict:
    search.PARTS = parts
    full = [timed(lambda: search.index(site))[0] for _ in range(repeat)]
    districts = sorted(p.name for p in (site / "districts").glob("*/") if p.is_dir())
    one = districts[len(districts) // 2]
    district_s = statistics.median(
        timed(lambda: search.index(site, districts=[one], shared=False))[0] for _ in range(repeat)
    )
    shared_s = statistics.median(
        timed(lambda: search.index(site, districts=[], shared=True))[0] for _ in range(repeat)
    )
    indexes = 1 + len(list((site / search.BUNDLE_DIR / search.PARTS_DIR).glob("*/")))
    return {
        "full": statistics.median(full), "district": district_s, "shared": shared_s,
        "indexes": indexes, "query": first_query(site),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each build; the median")
    parser.add_argument("--site", type=Path, help="a site already built (one --schools value)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    parser.add_argument("--layouts", nargs="+", choices=list(LAYOUTS), default=list(LAYOUTS),
                        help="per district at 20,000 schools runs Pagefind 500 times")  # fmt: skip
    args = parser.parse_args()
    print(f"bench_search: schools {args.schools}, parts {search.PARTS}, repeat {args.repeat}")
    for n in args.schools:
        print(f"\n== {n} schools")
        site = args.site or site_for(n, args.seed, args.out)
        results = {name: measure(site, LAYOUTS[name], args.repeat) for name in args.layouts}
        base = results[args.layouts[0]]
        for name, r in results.items():
            q = r["query"]
            print(f"  {name}: {r['indexes']} indexes; whole bundle {r['full']:.1f} s "
                  f"({r['full'] / base['full']:.2f}× the first layout's time); one district "
                  f"again {r['district']:.2f} s ({r['full'] / r['district']:.0f}× faster than "
                  f"the whole), the shared index again {r['shared']:.2f} s")  # fmt: skip
            if q is None:
                print("    first query: skipped (chromium or playwright missing)")
                continue
            kinds: dict[str, list[int]] = {}
            for path, size in q["data_files"].items():
                kinds.setdefault(_kind(path), []).append(size)
            ratio = q["data"] / base["query"]["data"] if base["query"] else float("nan")
            print(f"    first query for {QUERY}: {q['message']}; index data "
                  f"{q['data'] / 1024:.0f} KB in {len(q['data_files'])} requests "
                  f"({ratio:.2f}× the first layout; target ≤ 300 KB at 20,000): "
                  + ", ".join(f"{k} {len(s)}× {sum(s) / 1024:.1f} KB"
                              for k, s in sorted(kinds.items()))
                  + f"; code {q['code_gzip'] / 1024:.0f} KB gzip-compressed")  # fmt: skip
    search.PARTS = LAYOUTS["parts"]
    if not args.site:
        for n in args.schools:  # leave each site with the bundle the build makes
            search.index(args.out / f"search-{n}" / "site")


def _kind(path: str) -> str:
    """/pagefind/parts/03/filter/zh_….pf_filter → filter; /pagefind/pagefind-entry.json →
    entry; /pagefind/parts.json → parts."""
    name = path.split("?")[0].rsplit("/", 1)[1]
    if name.endswith(".pf_meta"):
        return "meta"
    if name.startswith("zh_"):
        return name.rsplit(".", 1)[1].removeprefix("pf_")
    return name.split(".")[0].removeprefix("pagefind-")


if __name__ == "__main__":
    main()
