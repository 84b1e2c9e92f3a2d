"""Benchmark: incremental builds against a full build of the same synthetic tree.

    .venv/bin/python benchmarks/bench_incremental.py                  # 2,000 schools
    .venv/bin/python benchmarks/bench_incremental.py --schools 20000

For N schools: `xiaoan build --full` once (the baseline, in the same run), then incremental
`xiaoan build`s of what happens between two publishes: nothing changed, one school's dossier
edited, one district's file edited, the next day, a week later. Each prints its seconds, the
files it wrote, its ratio to the full build and the peak memory of its process tree (as
bench_build measures it), and checks the site equals a full build of the same state (the
last step builds one to compare). Machines here are noisy: compare the ratios.
"""

from __future__ import annotations

import argparse
import datetime
import re
import shutil
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
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out")
    args = parser.parse_args()

    work = args.out / f"incremental-{args.schools}"
    shutil.rmtree(work, ignore_errors=True)
    records, site = work / "records", work / "site"
    write_tree(records, args.schools, args.seed)
    print(f"bench_incremental: {args.schools} schools, seed {args.seed}")
    xiaoan = [sys.executable, "-m", "generator", "build", "--records", str(records), "--out", str(site)]  # fmt: skip
    day = REF

    def build(label: str, *extra: str) -> float:
        log = work / f"{label.split()[0]}.log"
        run = measure([*xiaoan, "--as-of", day.isoformat(), *extra], ROOT, log)
        said = log.read_text(encoding="utf-8")
        wrote = re.search(r"写入 (\d+) 个文件", said)
        files = wrote.group(1) if wrote else "0" if "没有变化" in said else "?"
        line = next((x for x in said.splitlines() if "生成" in x and "已生成" not in x or "没有变化" in x), "")
        ratio = f"  {run.seconds / full:.2f}× the full build" if full else ""
        print(f"  {label:<28} {run.seconds:6.1f} s  {files:>7} files"
              f"  peak {run.tree_peak_mb:5.0f} MB{ratio}\n      {line}")  # fmt: skip
        return run.seconds

    full = 0.0
    full = build("full (--full)", "--full")
    build("nothing changed")
    dossier = sorted(records.glob("*/[!_]*.yaml"))[len(list(records.glob("*/[!_]*.yaml"))) // 2]
    text = dossier.read_text(encoding="utf-8")
    dossier.write_text(re.sub(r"^  name: (.*)$", r"  name: \1(改)", text, count=1, flags=re.M), "utf-8")
    build("one school edited")
    district = sorted(records.glob("*/_district.yaml"))[0]
    text = district.read_text(encoding="utf-8")
    district.write_text(re.sub(r"^name: (.*)$", r"name: \1(改)", text, count=1, flags=re.M), "utf-8")
    build("one district edited")
    day = REF + datetime.timedelta(days=1)
    build("the next day")
    day = REF + datetime.timedelta(days=8)
    build("a week later")
    check = work / "full"
    started = time.perf_counter()
    measure([*xiaoan[:-1], str(check), "--as-of", day.isoformat(), "--full"], ROOT, work / "check.log")
    wrong = differences(site, check)
    print(f"  incremental equals full: {'yes' if not wrong else f'NO ({len(wrong)} files differ)'}"
          f" (checked in {time.perf_counter() - started:.0f} s)")  # fmt: skip


if __name__ == "__main__":
    main()
