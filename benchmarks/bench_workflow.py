"""Benchmark: `xiaoan diff` and the sign-off ledger on a synthetic git repository.

    .venv/bin/python benchmarks/bench_workflow.py                          # 2,000 schools, 600 PRs
    .venv/bin/python benchmarks/bench_workflow.py --schools 20000 --prs 3000

The repository is made with `git fast-import`: one commit with N synthetic dossiers
(`xiaoan synth`), then P merged pull requests (a branch commit by a school, a merge commit by
a reviewer), each changing one to three dossiers, and a few direct commits.

Printed, each against a baseline measured in the same run:

* diff — a pull request changing one dossier: `compare()` (what `xiaoan diff` runs), and
  the CLI end to end; baseline: validating and evaluating the whole tree at both revisions,
  what a check without the comparison would do.
* ledger — `ledger_for_all()` with the status after each change (newest 20 per school), the
  same again with the statuses in the cache (the next nightly build), and without status;
  baseline: one `git log` per school (timed on 100 schools, scaled to N).

Everything is written under --out (default benchmarks/out/workflow, not committed).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.core.evaluate import evaluate  # noqa: E402
from generator.core.validate import validate_tree  # noqa: E402
from generator.devtools.synth import write_tree  # noqa: E402
from generator.workflow.compare import compare  # noqa: E402
from generator.workflow.ledger import ledger_for_all  # noqa: E402

AS_OF = date(2026, 11, 23)


def fast_import(repo: Path, records: Path, prs: int, seed: int) -> tuple[int, str]:
    """Write the history with one `git fast-import`; return (commits, a changed file)."""
    rng = random.Random(seed)
    files = sorted(p.relative_to(records.parent).as_posix() for p in records.glob("*/*.yaml"))
    schools = [f for f in files if not f.endswith("_district.yaml")]
    texts = {f: (records.parent / f).read_bytes() for f in files}
    when = datetime(2025, 9, 1, 9, tzinfo=timezone(timedelta(hours=8)))
    out: list[bytes] = []
    mark = 0

    def stamp() -> str:
        return f"{int(when.timestamp())} +0800"

    def commit(
        ref: str, who: str, message: str, parents: list[int], changes: dict[str, bytes]
    ) -> int:
        nonlocal mark
        mark += 1
        msg = message.encode()
        out.append(f"commit {ref}\nmark :{mark}\n".encode())
        out.append(f"author {who} {stamp()}\ncommitter {who} {stamp()}\n".encode())
        out.append(f"data {len(msg)}\n".encode() + msg + b"\n")
        if parents:
            out.append(f"from :{parents[0]}\n".encode())
            for p in parents[1:]:
                out.append(f"merge :{p}\n".encode())
        for path, data in changes.items():
            out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
        return mark

    head = commit("refs/heads/main", "示例 <seed@example.org>", "示例档案", [], texts)
    commits = 1
    for n in range(1, prs + 1):
        when += timedelta(hours=rng.randint(1, 12))
        changed = {}
        for f in rng.sample(schools, rng.randint(1, 3)):
            texts[f] = texts[f] + f"# 第 {n} 次修改\n".encode()
            changed[f] = texts[f]
        branch = commit(
            f"refs/heads/pr{n}", "学校安全员 <school@example.org>", f"修改 {n}", [head], changed
        )
        when += timedelta(minutes=30)
        head = commit(
            "refs/heads/main", "审核人 <reviewer@example.org>",
            f"Merge pull request #{n} from school/pr{n}\n\n补录第 {n} 项", [head, branch], changed,
        )  # fmt: skip
        commits += 2
        if n % 50 == 0:
            f = rng.choice(schools)
            texts[f] = texts[f] + b"# direct\n"
            head = commit(
                "refs/heads/main", "某老师 <t@example.org>", "直接提交", [head], {f: texts[f]}
            )
            commits += 1
    stream = b"".join(out)
    subprocess.run(["git", "init", "-q", "-b", "main", str(repo)], check=True)
    subprocess.run(["git", "-C", str(repo), "fast-import", "--quiet"], input=stream, check=True)
    for n in range(1, prs + 1):  # the merged branches are gone, as after a platform's merge
        subprocess.run(
            ["git", "-C", str(repo), "update-ref", "-d", f"refs/heads/pr{n}"], check=True
        )
    subprocess.run(["git", "-C", str(repo), "checkout", "-q", "-f", "main"], check=True)
    return commits, schools[len(schools) // 2]


def timed(fn, *args, **kw) -> tuple[float, object]:
    start = time.perf_counter()
    result = fn(*args, **kw)
    return time.perf_counter() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--prs", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "out" / "workflow")
    args = parser.parse_args()

    shutil.rmtree(args.out, ignore_errors=True)
    args.out.mkdir(parents=True)
    repo = args.out / f"repo-{args.schools}"
    with tempfile.TemporaryDirectory() as tmp:
        records = Path(tmp) / "records"
        write_tree(records, args.schools, args.seed)
        seconds, (commits, changed) = timed(fast_import, repo, records, args.prs, args.seed)
    print(
        f"repository: {args.schools} schools, {commits} commits ({args.prs} merged PRs), "
        f"made in {seconds:.1f} s"
    )

    # --- diff: a branch changing one dossier ----------------------------------------------
    git = ["git", "-C", str(repo)]
    subprocess.run([*git, "checkout", "-q", "-b", "pr"], check=True)
    path = repo / changed
    path.write_text(
        path.read_text(encoding="utf-8").replace("participants: ", "participants: 1", 1),
        encoding="utf-8",
    )
    subprocess.run(
        [*git, "commit", "-q", "-am", "修改一份档案"],
        check=True,
        env={
            **os.environ,
            "GIT_AUTHOR_NAME": "x",
            "GIT_AUTHOR_EMAIL": "x@x",
            "GIT_COMMITTER_NAME": "x",
            "GIT_COMMITTER_EMAIL": "x@x",
        },
    )
    ours, result = timed(compare, repo, "main", "pr", records=repo / "records", as_of=AS_OF)
    assert [s.file for s in result.schools] == [changed], result.schools
    cli, _ = timed(
        subprocess.run,
        [str(Path(sys.executable).parent / "xiaoan"), "diff", "main", "pr", "--format", "github"],
        cwd=repo, capture_output=True, check=False,
    )  # fmt: skip

    def whole_tree() -> None:
        for rev in ("main", "pr"):
            subprocess.run([*git, "checkout", "-q", rev], check=True)
            evaluate(validate_tree(repo / "records", today=AS_OF), AS_OF)

    baseline, _ = timed(whole_tree)
    print(
        f"diff, 1 of {args.schools} dossiers changed: compare() {ours:.2f} s, "
        f"CLI end to end {cli:.2f} s; "
        f"baseline (validate + evaluate the whole tree at both revisions) {baseline:.1f} s "
        f"→ {baseline / ours:.0f}× faster"
    )
    subprocess.run([*git, "checkout", "-q", "main"], check=True)

    # --- ledger for all schools ------------------------------------------------------------
    os.environ["XIAOAN_CACHE_DIR"] = str(args.out / "cache")  # start cold, leave ~/.cache alone
    quick, entries = timed(ledger_for_all, repo, repo / "records", status=False)
    full, _ = timed(ledger_for_all, repo, repo / "records")
    warm, _ = timed(ledger_for_all, repo, repo / "records")
    listed = sum(len(v) for v in entries.values())
    sample = sorted(entries)[:100]

    def per_school() -> None:
        for school in sample:
            (f,) = (repo / "records").glob(f"*/{school}.yaml")
            subprocess.run(
                [*git, "log", "--first-parent", "--format=%H %an %s", "--", f.relative_to(repo)],
                capture_output=True, check=True,
            )  # fmt: skip

    naive, _ = timed(per_school)
    naive_all = naive / len(sample) * len(entries)
    print(
        f"ledger for all {len(entries)} schools ({listed} entries): {quick:.2f} s without status, "
        f"{full:.2f} s with the status after each change "
        f"(next build, from the cache: {warm:.2f} s); "
        f"baseline (one git log per school, {naive:.2f} s for 100, scaled) {naive_all:.1f} s "
        f"→ {naive_all / quick:.0f}× faster without status"
    )


if __name__ == "__main__":
    main()
