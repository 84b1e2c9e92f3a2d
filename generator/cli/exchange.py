"""导出和导入:xiaoan export、import、template。"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from generator.cli import Choice, Date, cannot_write, display, fail, main, records_option
from generator.core.load import discover
from generator.report.findings import REPORTERS


def _evaluated(records: Path, as_of: Any, district: str | None, school: str | None) -> tuple:
    """The validated records an export covers, evaluated as of ``as_of``.

    Exits 2 for an unknown district or school, 1 (listing the problems) when a record it
    covers is invalid: an export never silently leaves a school out.
    """

    from generator.core import pipeline
    from generator.core.validate import NAME

    if not records.is_dir():
        fail(f"找不到档案文件夹 {records}(可用 --records 指定)")
    files = None
    for what, value in (("区县编号", district), ("学校编号", school)):
        if value is not None and not NAME.match(value):
            fail(f"{what}“{value}”不合规:只能用小写字母、数字和连字符")
    if school:
        files = sorted(records.glob(f"*/{school}.yaml"))
        if not files:
            fail(f"找不到学校“{school}”:{records} 中没有 <区县>/{school}.yaml")
    elif district:
        if not (records / district / "_district.yaml").is_file():
            fail(f"找不到区县“{district}”:{records} 中没有 {district}/_district.yaml")
        files = discover([records / district])
    done = pipeline.run(
        records, as_of, files=files, districts=not school, use_cache=True, display=display
    )
    problems = [f for f in done.evaluation.findings if f.severity == "error"]
    if problems:
        report = REPORTERS["text"](problems, files_checked=done.records.files_checked)
        click.echo(report, nl=False, err=True)
        fail("以上档案有问题,没有导出;请先修正(xiaoan validate 可以逐项检查)", 1)
    return done.records, done.evaluation


@main.command()
@click.argument("fmt", metavar="FORMAT", type=Choice(["xlsx", "csv", "json", "ics"]))
@records_option("档案根目录。")
@click.option("--district", help="只导出这个区县(区县编号,例如 chengguan)。")
@click.option("--school", help="导出这所学校(学校编号)的台账:每个档案部分一个工作表,可改后导回。")
@click.option("--as-of", type=Date(), help="统计截至日期 YYYY-MM-DD(默认今天)。")
@click.option(
    "--public", is_flag=True, help="只含公开字段(与公开网站一致),不含个人电话、隐患详情等。"
)
@click.option(
    "--out", type=click.Path(path_type=Path), required=True,
    help="输出文件(xlsx、json);csv 和 ics 为输出文件夹(每表或每校一个文件)。",
)
def export(
    fmt: str, records: Path, district: str | None, school: str | None, as_of: Any, public: bool,
    out: Path,
) -> int:  # fmt: skip
    """导出 Excel、CSV、JSON 或日历 (ics)。

    \b
    默认导出教育局用的三张表(每张一个工作表或 CSV 文件):
      校园安全相关情况统计表:每校一行,含区县合计;
      达标率:对照目标;
      安全检查问题和整改清单:每条隐患一行,逾期的标红。
    --school 导出一所学校的台账,修改后可用 xiaoan import xlsx 导回。
    ics 为每校一个日历文件,列出整改期限、演练、器材到期、报送等期限,只含公开信息。
    """
    import datetime

    from generator.exchange.calendar import write_feeds
    from generator.exchange.export import district_tables, ledger_tables, write_csv, write_json
    from generator.exchange.workbook import ledger_sheets, write_workbook

    if school and district:
        fail("--school 和 --district 不能同时使用")
    as_of = as_of or datetime.date.today()
    checked, evaluation = _evaluated(records, as_of, district, school)
    if school:
        data = checked.schools[0].data
        if fmt == "xlsx":
            tables = ledger_sheets(data, public, as_of)
        else:
            tables = ledger_tables(data, public)
        what = f"{data['profile']['name']} 的台账"
    else:
        tables = district_tables(checked, evaluation, district, public)
        what = f"{len(checked.schools)} 所学校的统计表、达标率、问题和整改清单"
    try:
        if fmt == "xlsx":
            write_workbook(out, tables)
        elif fmt == "csv":
            write_csv(out, tables)
        elif fmt == "json":
            write_json(out, tables, as_of)
        else:
            written = write_feeds(out, checked, evaluation)
            what = f"{len(written)} 所学校的日历"
    except OSError as exc:
        cannot_write(exc, out)
    scope = "(公开版)" if public else ""
    click.echo(f"已导出 {what}{scope}到 {display(out)}(截至 {as_of.isoformat()})")
    return 0


@main.command("import")
@click.argument("fmt", metavar="FORMAT", type=Choice(["xlsx"]))
@click.argument("file", type=click.Path(path_type=Path))
@records_option("档案根目录。")
@click.option(
    "--out", type=click.Path(path_type=Path),
    help="输出的档案文件(默认 <records>/<区县>/<学校编号>.yaml)。",
)
def import_(fmt: str, file: Path, records: Path, out: Path | None) -> int:
    """把 Excel 台账导回档案 (YAML)。

    先逐格检查并用校验器检查结果,有任何问题都不写文件,并指出工作表、行和列。
    """
    from generator.exchange.ledger_import import LedgerError, import_ledger

    if not file.is_file():
        fail(f"{file}: 文件不存在")
    try:
        written = import_ledger(file, out, records, file=display(file))
    except LedgerError as exc:
        click.echo(REPORTERS["text"](exc.findings), nl=False)
        return 1
    except OSError as exc:
        cannot_write(exc)
    click.echo(f"已导入到 {display(written)};请运行 xiaoan validate 检查后提交审核")
    return 0


@main.command()
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("校安档案台账模板.xlsx"),
    show_default=True, help="输出文件。",
)
def template(out: Path) -> int:
    """生成空白的学校安全档案台账 (Excel):每个档案部分一个工作表,附填写说明。"""
    from generator.exchange.workbook import template_sheets, write_workbook

    try:
        write_workbook(out, template_sheets(), "学校安全档案台账(模板)")
    except OSError as exc:
        cannot_write(exc, out)
    click.echo(f"已生成台账模板 {display(out)};填好后用 xiaoan import xlsx {display(out)} 导回")
    return 0
