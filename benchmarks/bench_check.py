"""Benchmark: validate + check of N synthetic dossiers, and checking one changed file.

    .venv/bin/python benchmarks/bench_check.py              # 2,000 schools
    .venv/bin/python benchmarks/bench_check.py --schools 500

It writes a tree with `generator.devtools.synth.write_tree` (under --out, default benchmarks/out/,
not committed), then, in this one process:

1. the baseline: `validate_tree` + `evaluate` of the whole tree, with district rates —
   dossiers/s (target ≥ 500/s on the 2-core machine);
2. one file changed (a drill added): `xiaoan check <that file>` the way pre-commit and CI run
   it, text format (only the named school is evaluated, no district rates);
3. the same file with `--format json` (district rates over the whole tree): cold, then with
   the check cache warm (other schools' summaries reused, only the changed file evaluated).

Each is timed in-process (the library calls the command makes) and as a real subprocess
(`xiaoan check …`, including interpreter start-up). Ratios are against the baseline.
Target: one changed file under a second.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from click.testing import CliRunner  # noqa: E402

from generator.cli import main  # noqa: E402
from generator.core.evaluate import evaluate  # noqa: E402
from generator.core.validate import validate_tree  # noqa: E402
from generator.devtools.synth import REF, write_tree  # noqa: E402

XIAOAN = Path(sys.executable).parent / "xiaoan"


def timed(fn, repeat: int = 1):
    """(best seconds, result) of ``repeat`` runs."""
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - started)
    return best, result


def cli(*args: str) -> int:
    return CliRunner().invoke(main, list(args), catch_exceptions=False).exit_code


def subprocess_seconds(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    done = subprocess.run([str(XIAOAN), *args], capture_output=True, env=env, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        sys.exit(
            f"xiaoan {' '.join(args)} failed ({done.returncode}):\n{done.stderr.decode()[-2000:]}"
        )
    return seconds


def main_() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "check")
    parser.add_argument(
        "--repeat", type=int, default=3, help="best of this many runs (the cheap steps)"
    )
    args = parser.parse_args()

    tree = args.out / f"records-{args.schools}"
    cache = args.out / "cache"
    if args.out.exists():
        shutil.rmtree(args.out)
    written = write_tree(tree, args.schools, seed=1)
    env = {**os.environ, "XIAOAN_CACHE_DIR": str(cache)}
    os.environ["XIAOAN_CACHE_DIR"] = str(cache)
    as_of = REF.isoformat()
    print(
        f"{written} synthetic dossiers in {tree} (as of {as_of}); {os.cpu_count()} CPUs, "
        f"load average {os.getloadavg()[0]:.1f}"
    )

    # 1. the baseline: the whole tree
    validate_s, records = timed(lambda: validate_tree(tree, today=REF))
    assert not records.findings, records.findings[:3]
    evaluate_s, ev = timed(lambda: evaluate(records, REF), args.repeat)
    base = validate_s + evaluate_s
    statuses = {
        s: sum(r.status == s for r in ev.schools) for s in ("重大隐患", "逾期", "待整改", "达标")
    }
    print(
        f"\nbaseline, validate + check of the whole tree: {base:.2f} s = {written / base:.0f} dossiers/s "
        f"(target ≥ 500/s); statuses {statuses}; {len(ev.districts)} districts"
    )
    print(
        f"   validate {validate_s:.2f} s ({written / validate_s:.0f}/s), "
        f"evaluate {evaluate_s:.2f} s ({written / evaluate_s:.0f}/s, {len(ev.all_findings)} findings)"
    )
    full_cli = subprocess_seconds(["check", "--records", str(tree), "--as-of", as_of], env)
    print(f"   `xiaoan check` (subprocess, text, whole tree): {full_cli:.2f} s")

    # 2. one changed file
    changed = sorted(p for p in tree.glob("*/*.yaml") if p.name != "_district.yaml")[written // 2]
    text = changed.read_text(encoding="utf-8")
    changed.write_text(
        text.replace(
            "drills:\n",
            "drills:\n- date: '2026-11-20'\n  kind: 消防疏散\n  scope: 全校\n  participants: 500\n",
            1,
        ),
        encoding="utf-8",
    )
    rows = []
    one, code = timed(
        lambda: cli("check", str(changed), "--records", str(tree), "--as-of", as_of), args.repeat
    )
    rows.append(("one file, text (in-process)", one))
    rows.append(
        (
            "one file, text (subprocess)",
            subprocess_seconds(
                ["check", str(changed), "--records", str(tree), "--as-of", as_of], env
            ),
        )
    )
    if cache.exists():
        shutil.rmtree(cache)
    cold, _ = timed(
        lambda: cli(
            "check", str(changed), "--records", str(tree), "--as-of", as_of, "--format", "json"
        )
    )
    rows.append(("one file, json + district rates, cache cold (in-process)", cold))
    warm, _ = timed(
        lambda: cli(
            "check", str(changed), "--records", str(tree), "--as-of", as_of, "--format", "json"
        ),
        args.repeat,
    )
    rows.append(("one file, json + district rates, cache warm (in-process)", warm))
    rows.append(
        (
            "one file, json + district rates, cache warm (subprocess)",
            subprocess_seconds(
                [
                    "check",
                    str(changed),
                    "--records",
                    str(tree),
                    "--as-of",
                    as_of,
                    "--format",
                    "json",
                ],
                env,
            ),
        )
    )
    changed.write_text(text, encoding="utf-8")  # changed again: only it is evaluated anew
    again, _ = timed(
        lambda: cli(
            "check", str(changed), "--records", str(tree), "--as-of", as_of, "--format", "markdown"
        )
    )
    rows.append(("the file changed back, markdown, cache warm (in-process)", again))

    print(
        f"\none changed file ({changed.relative_to(tree)}) in the {written}-school tree (target < 1 s):"
    )
    for label, seconds in rows:
        print(f"   {label:60} {seconds:6.3f} s   {base / seconds:6.1f}× faster than the baseline")


if __name__ == "__main__":
    main_()
