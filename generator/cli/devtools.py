"""开发工具:xiaoan synth、xiaoan coverage。"""

from __future__ import annotations

from pathlib import Path

import click

from generator.cli import Count, cannot_write, display, fail, main


@main.command()
@click.option("--schools", type=Count(1), required=True, help="学校数量。")
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="输出文件夹(须不存在或为空)。"
)
@click.option(
    "--seed", type=Count(0), default=0, show_default=True, help="随机种子:同一种子生成相同的档案。"
)
def synth(schools: int, out: Path, seed: int) -> int:
    """生成合成档案(演示和基准测试用)。"""
    from generator.devtools.synth import write_tree

    try:
        written = write_tree(out, schools, seed)
    except ValueError as exc:  # write_tree's refusals: an output folder in use, a bad count
        fail(str(exc))
    click.echo(f"已生成 {written} 份档案到 {display(out)}")
    return 0


@main.command()
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("docs") / "coverage.md", show_default=True,
    help="输出文件。",
)
@click.option("--check", "check_only", is_flag=True, help="只检查文件是否过期(过期时退出码为 1),不写文件。")
def coverage(out: Path, check_only: bool) -> int:
    """生成规则覆盖矩阵:每条规则的出处、读取的字段、规则集设置,以及无法从档案检查的要求。"""
    from generator.devtools.coverage import render, write

    if check_only:
        current = out.read_text(encoding="utf-8") if out.is_file() else None
        if current != render():
            click.echo(f"{display(out)} 已过期:请运行 xiaoan coverage 重新生成", err=True)
            return 1
        click.echo(f"{display(out)} 是最新的")
        return 0
    try:
        changed = write(out)
    except OSError as exc:
        cannot_write(exc, out)
    click.echo(f"{'已更新' if changed else '无变化:'} {display(out)}")
    return 0
