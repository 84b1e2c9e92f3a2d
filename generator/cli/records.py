"""校验与检查:xiaoan validate、xiaoan check。"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from generator.cli import (
    FAILING,
    Choice,
    Count,
    Date,
    display,
    fail,
    fail_on_option,
    main,
    records_option,
)
from generator.core.load import MAX_BYTES, UsageError, discover
from generator.report.findings import REPORTERS


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@records_option("档案根目录(records/<区县>/<学校>.yaml);用于跨文件检查。")
@click.option(
    "--format",
    "fmt",
    type=Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="输出格式:text 给人看,json 给程序读,github 为 GitHub Actions 注释,markdown 为表格。",
)
@click.option(
    "--max-bytes",
    type=Count(1),
    default=MAX_BYTES,
    show_default=True,
    help="单个文件的大小上限(字节)。",
)
@click.option(
    "--jobs",
    type=Count(1),
    default=None,
    help="同时校验的进程数(默认为 CPU 核数;文件少于 400 个时总在一个进程内)。",
)
def validate(
    paths: tuple[Path, ...], records: Path, fmt: str, max_bytes: int, jobs: int | None
) -> int:
    """校验档案。不给 PATH 时校验 --records 目录下的全部档案。

    PATH 可以是文件或文件夹。有错误时退出码为 1,用法错误为 2。
    """
    from generator.core import pipeline

    files = _files(paths, records, "校验")
    result = pipeline.validate(
        records, files, display=display, max_bytes=max_bytes, jobs=jobs, documents=False
    )
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(
        REPORTERS[fmt](result.findings, files_checked=result.files_checked, color=color), nl=False
    )
    return 0 if result.ok else 1


# ---------------------------------------------------------------------------------------------
# Compliance rules: xiaoan check, xiaoan coverage


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@records_option("档案根目录(records/<区县>/<学校>.yaml);区县的规则集和达标率按整个目录计算。")
@click.option("--as-of", type=Date(), help="按哪一天评估 YYYY-MM-DD(默认今天)。")
@click.option(
    "--rules", "rule_set",
    help="规则集名称,如 national、plan-001、plan-002、plan-003、longhua、jizhou(默认按各区县 _district.yaml 中的规则集)。",
)
@click.option(
    "--format", "fmt", type=Choice(["text", "json", "github", "markdown"]), default="text",
    show_default=True,
    help="输出格式:text 给人看,json 给程序读,github 为 GitHub Actions 注释,markdown 为评审摘要。",
)
@fail_on_option("有这一级别(或更严重)的问题时退出码为 1;never 表示只报告。")
@click.option(
    "--no-cache", is_flag=True,
    help="不读写检查缓存(缓存只用于给出 PATH 时计算区县达标率,位于 ~/.cache/xiaoan)。",
)
def check(
    paths: tuple[Path, ...], records: Path, as_of: Any, rule_set: str | None, fmt: str, fail_on: str,
    no_cache: bool,
) -> int:  # fmt: skip
    """按规则检查档案:逾期和缺失的事项、每所学校的状态、区县达标率。

    \b
    不给 PATH 时检查 --records 目录下的全部档案;给出 PATH(文件或文件夹)时只列出这些学校的问题,
    区县达标率(json、markdown 格式)仍按整个目录计算(未改动的学校取自缓存)。
    学校状态由重到轻:重大隐患、逾期、待整改、达标。
    档案无效时退出码为 1;按 --fail-on 有问题时为 1;用法错误为 2。
    """
    import datetime

    from generator.core import pipeline
    from generator.core.ruleset import RuleSetError, UnknownRuleSet, load_rule_set
    from generator.report.check import CHECK_REPORTERS, NEEDS_DISTRICTS

    as_of = as_of or datetime.date.today()
    if rule_set is not None:
        try:
            load_rule_set(rule_set)
        except UnknownRuleSet as exc:
            fail(f"--rules:{exc}")
        except RuleSetError as exc:
            fail(str(exc), 1)
    files = _files(paths, records, "检查")
    try:
        done = pipeline.run(
            records, as_of, files=files, rule_set=rule_set, display=display,
            districts=fmt in NEEDS_DISTRICTS, use_cache=not no_cache,
        )  # fmt: skip
    except RuleSetError as exc:
        fail(str(exc), 1)
    evaluation = done.evaluation
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    files_checked = len(files) if files is not None else done.records.files_checked
    click.echo(CHECK_REPORTERS[fmt](evaluation, files_checked=files_checked, color=color), nl=False)
    if any(f.severity == "error" for f in evaluation.findings):
        return 1  # an invalid dossier, or a district naming an unknown rule set
    return 1 if any(f.severity in FAILING[fail_on] for f in evaluation.all_findings) else 0


def _files(paths: tuple[Path, ...], records: Path, verb: str) -> list[Path] | None:
    """The files named on the command line (``None``: the whole records folder); exits 2 for
    a path that is not there, or a records folder that is not there when no path is given."""
    if paths:
        try:
            return discover(paths)
        except UsageError as exc:
            fail(str(exc))
    if not records.is_dir():
        fail(f"找不到档案文件夹 {records}(可用 --records 指定,或给出要{verb}的文件)")
    return None
