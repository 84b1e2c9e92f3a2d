"""Synthetic records trees: fictional but plausible districts and school dossiers.

For benchmarks, demos and tests that need many schools. Everything comes from one
``random.Random(seed)`` and a fixed reference date (:data:`REF`, standing for "now"), so a
seed always gives the same tree, byte for byte, whatever day it runs. Each dossier is built
as a dict from templates; nothing is validated here (the tests check that every file is
valid against the schemas).

The mix of schools (:data:`MIX`): about half fully compliant; a third with small open items
(hazards being rectified within their deadline); some with something overdue (a hazard past
its deadline, an expired defence spray, a late drill); a few with an open major hazard; a
few with a gap in their protection (a guard without a certificate, video kept 30 days …).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from generator.devtools.synth.dossier import Synth
from generator.devtools.synth.fastyaml import dump, dump_reference
from generator.devtools.synth.words import (
    MIX,
    REF,
    RULE_SETS,
    SCHOOLS_PER_DISTRICT,
    SECONDARY,
    STAGES,
    cn_number,
)

__all__ = [
    "MIX", "REF", "RULE_SETS", "SCHOOLS_PER_DISTRICT", "SECONDARY", "STAGES", "cn_number", "dump",
    "dump_reference", "generate", "write_tree",
]  # fmt: skip


def write_tree(out: Path, schools: int, seed: int = 0) -> int:
    """Write a records tree of ``schools`` dossiers under ``out``; return how many were written.

    ``out`` must not exist or be empty: nothing is ever overwritten.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(
            f"输出文件夹 {out} 已存在且不是空的:为避免覆盖已有文件,请指定一个不存在的或空的文件夹"
        )
    if schools < 1:
        raise ValueError("学校数量至少为 1")
    written = 0
    made: set[Path] = set()
    for rel, data in generate(schools, seed):
        path = out / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(dump(data).encode("utf-8"))
        written += not path.name.startswith("_")
    return written


def generate(schools: int, seed: int = 0) -> Iterator[tuple[str, dict]]:
    """(relative path, data) for each file of the tree: each district file, then its schools."""
    return Synth(seed).tree(schools)


