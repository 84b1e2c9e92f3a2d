"""Benchmark: incremental builds against a full build of the same synthetic tree.

    .venv/bin/python benchmarks/bench_incremental.py                          # 2,000 schools
    .venv/bin/python benchmarks/bench_incremental.py --schools 20000 --repeat 1

For N schools: `xiaoan build --full` (the baseline, in the same run), then incremental
`xiaoan build`s of what happens between two publishes: nothing changed, one school's dossier
edited, one district's file edited, the next day; each --repeat times (another school,
another district, the day after), reported as the median. Then a week later (most schools
change: a full build). Each prints its seconds until the command ended and until the new
site was in place (the folder swapped; the old one is removed after), the files it wrote,
the median's ratio to the full build's and the peak memory of its process tree (as
bench_build measures it), and checks the site equals a full build of the same state (the
last step builds one to compare). Machines here are noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_build import measure  # noqa: E402

from generator.devtools.synth import REF, write_tree  # noqa: E402
from generator.site.build import differences  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each step (the median is shown)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()

    work = args.out / f"incremental-{args.schools}"
    shutil.rmtree(work, ignore_errors=True)
    records, site = work / "records", work / "site"
    write_tree(records, args.schools, args.seed)
    print(f"bench_incremental: {args.schools} schools, seed {args.seed}, median of {args.repeat}")
    xiaoan = [sys.executable, "-m", "generator", "build", "--records", str(records), "--out", str(site)]  # fmt: skip
    dossiers = sorted(records.glob("*/[!_]*.yaml"))
    districts = sorted(records.glob("*/_district.yaml"))
    days = [REF]  # the builds' day: the last
    full = None

    def build(label: str, change=None, *extra: str, times: int = args.repeat):
        runs, said = [], ""
        for i in range(times):
            if change is not None:
                change(i)
            log = work / f"{label.split()[0]}-{i}.log"
            runs.append(measure([*xiaoan, "--as-of", days[-1].isoformat(), *extra], ROOT, log, watch=site))
            said = log.read_text(encoding="utf-8")
        run = sorted(runs, key=lambda r: r.seconds)[len(runs) // 2]
        seconds = statistics.median(r.seconds for r in runs)
        placed = [r.in_place for r in runs if r.in_place is not None]
        in_place = f"{statistics.median(placed):6.1f} s" if placed else "   -    "
        wrote = re.search(r"写入 (\d+) 个文件", said)
        files = wrote.group(1) if wrote else "0" if "没有变化" in said else "?"
        line = next((x for x in said.splitlines() if "生成" in x and "已生成" not in x or "没有变化" in x), "")
        ratio = f"  {seconds / full.seconds:.2f}×" if full else ""
        all_runs = " ".join(f"{r.seconds:.1f}" for r in runs)
        print(f"  {label:<22} {seconds:6.1f} s (in place {in_place})  {files:>6} files"
              f"  peak {run.tree_peak_mb:5.0f} MB{ratio}  [{all_runs}]\n      {line}")  # fmt: skip
        return run

    def edit(path: Path, pattern: str) -> None:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(pattern, r"\g<0>(改)", text, count=1, flags=re.M), "utf-8")

    full = build("full (--full)", None, "--full")
    build("nothing changed")
    build("one school edited", lambda i: edit(dossiers[len(dossiers) * (i + 1) // (args.repeat + 2)], r"^  name: .*$"))
    build("one district edited", lambda i: edit(districts[i % len(districts)], r"^name: .*$"))
    build("the next day", lambda i: days.append(days[-1] + datetime.timedelta(days=1)))
    days.append(REF + datetime.timedelta(days=8))
    build("a week later", times=1)
    check = work / "full"
    started = time.perf_counter()
    measure([*xiaoan[:-1], str(check), "--as-of", days[-1].isoformat(), "--full"], ROOT, work / "check.log")
    wrong = differences(site, check)
    print(f"  incremental equals full: {'yes' if not wrong else f'NO ({len(wrong)} files differ)'}"
          f" (checked in {time.perf_counter() - started:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
