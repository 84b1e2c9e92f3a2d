"""The ``xiaoan`` command line: thin commands over the library.

This is the only place that maps errors to exit codes: 0 all good, 1 a record is invalid or
unreadable, 2 the command itself was misused (unknown path, bad option). Messages are
Chinese; click's own usage errors are translated by :class:`_Group`.
"""

from __future__ import annotations

import contextlib
import errno
import math
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import click

from generator import __version__
from generator.core.files import atomic_write
from generator.core.load import MAX_BYTES, UsageError, discover
from generator.report.findings import REPORTERS


class _Choice(click.Choice):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        self.fail(f"“{value}”不是可选的值,可选:{'、'.join(map(str, self.choices))}", param, ctx)


class _Count(click.ParamType):
    """A whole number of at least ``minimum``, refused in Chinese."""

    name = "integer"

    def __init__(self, minimum: int = 1):
        self.minimum = minimum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"“{value}”不是整数", param, ctx)
        if number < self.minimum:
            self.fail(f"不能小于 {self.minimum}(现为 {number})", param, ctx)
        return number


class _Amount(click.ParamType):
    """A finite number of at least 0 (inf and nan are refused), in Chinese."""

    name = "number"

    def convert(
        self, value: Any, param: click.Parameter | None, ctx: click.Context | None
    ) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"“{value}”不是数字", param, ctx)
        if not math.isfinite(number) or number < 0:
            self.fail(f"“{value}”不是有效的金额(应为不小于 0 的有限数字)", param, ctx)
        return number


def _usage_message(exc: click.UsageError) -> str:
    """Click's usage errors, in Chinese."""
    if isinstance(exc, click.NoSuchOption):
        message = f"没有这个选项:{exc.option_name}"
        if exc.possibilities:
            message += f"(是否想用 {'、'.join(exc.possibilities)}?)"
        return message
    if isinstance(exc, click.exceptions.NoSuchCommand):
        message = f"没有这个命令:{exc.command_name}"
        if exc.possibilities:
            message += f"(是否想用 {'、'.join(exc.possibilities)}?)"
        return message
    if isinstance(exc, click.MissingParameter):
        hint = exc.param.get_error_hint(exc.ctx) if exc.param else ""
        return f"缺少 {hint}".replace("'", "")
    if isinstance(exc, click.BadParameter):
        hint = exc.param.get_error_hint(exc.ctx).replace("'", "") if exc.param else ""
        return f"{hint} 的值无效:{exc.message}" if hint else exc.message
    if isinstance(exc, click.BadOptionUsage):
        return f"选项 {exc.option_name} 用法不对(是否漏写了它的值?)"
    message = exc.message
    if message.startswith("Got unexpected extra argument"):
        return "多余的参数:" + message.split("(", 1)[-1].rstrip(")")
    return message


class _Help(click.HelpFormatter):
    """Click's help, with its own words (headings, the help and version options) in Chinese."""

    WORDS = {
        "Options": "选项",
        "Commands": "命令",
        "Arguments": "参数",
        "Show this message and exit.": "显示本帮助并退出。",
        "Show the version and exit.": "显示版本号并退出。",
    }

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix="用法:")

    @contextlib.contextmanager
    def section(self, name: str) -> Iterator[None]:
        with super().section(self.WORDS.get(name, name)):
            yield

    def write_dl(self, rows: Sequence[tuple[str, str]], *args: Any, **kwargs: Any) -> None:
        super().write_dl([(a, self._words(b)) for a, b in rows], *args, **kwargs)

    def _words(self, text: str) -> str:
        text = self.WORDS.get(text, text)
        return text.replace("[default: ", "[默认:").replace("[required]", "[必填]")


class _Context(click.Context):
    formatter_class = _Help


class _Command(click.Command):
    context_class = _Context


class _Group(click.Group):
    """A group whose usage errors and help are Chinese; usage errors exit with code 2."""

    context_class = _Context
    command_class = _Command
    group_class = type  # subgroups are of this class too

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        extra["standalone_mode"] = False
        try:
            code = super().main(args, *rest, **extra)
        except click.exceptions.NoArgsIsHelpError as exc:
            click.echo(exc.format_message(), err=True)
            sys.exit(2)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx else "xiaoan"
            click.echo(f"错误:{_usage_message(exc)}", err=True)
            click.echo(f"运行 “{command} --help” 查看用法", err=True)
            sys.exit(2)
        except click.ClickException as exc:
            click.echo(f"错误:{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("已中止", err=True)
            sys.exit(1)
        sys.exit(code if isinstance(code, int) else 0)


def _display(path: Path) -> str:
    """A path as messages show it: relative to the current folder when inside it."""
    try:
        return (
            Path(os.path.relpath(path)).as_posix()
            if Path(path).resolve().is_relative_to(Path.cwd().resolve())
            else str(path)
        )
    except ValueError:  # another drive on Windows
        return str(path)


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"错误:{message}", err=True)
    raise click.exceptions.Exit(code)


_OS_REASONS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "磁盘配额已用完",
    errno.EFBIG: "文件超出了系统允许的大小(磁盘已满或受限)",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "磁盘是只读的,没有写入权限",
}


def _os_reason(exc: OSError) -> str:
    """Why a file operation failed, in Chinese where the reason is a common one."""
    return _OS_REASONS.get(exc.errno or 0) or (exc.strerror or str(exc))


def _cannot_write(exc: OSError, path: Path | None = None, note: str = "") -> None:
    """Exit 1: ``path`` (else the file the error names) could not be written."""
    where = path if path is not None else exc.filename and Path(exc.filename)
    _fail(f"无法写入{' ' + _display(where) if where else ''}:{_os_reason(exc)}{note}", 1)


def _records_option(what: str) -> Any:
    """The ``--records`` option (default ``records``), with what it is for in this command."""
    return click.option(
        "--records", type=click.Path(path_type=Path), default=Path("records"), show_default=True,
        help=what,
    )


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="xiaoan", message="%(prog)s %(version)s")
def main() -> None:
    """校安档案:校验学校安全档案 (YAML),生成公开网站。"""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_records_option("档案根目录(records/<区县>/<学校>.yaml);用于跨文件检查。")
@click.option(
    "--format",
    "fmt",
    type=_Choice(sorted(REPORTERS)),
    default="text",
    show_default=True,
    help="输出格式:text 给人看,json 给程序读,github 为 GitHub Actions 注释,markdown 为表格。",
)
@click.option(
    "--max-bytes",
    type=_Count(1),
    default=MAX_BYTES,
    show_default=True,
    help="单个文件的大小上限(字节)。",
)
@click.option(
    "--jobs",
    type=_Count(1),
    default=None,
    help="同时校验的进程数(默认为 CPU 核数;文件少于 200 个时总在一个进程内)。",
)
def validate(
    paths: tuple[Path, ...], records: Path, fmt: str, max_bytes: int, jobs: int | None
) -> int:
    """校验档案。不给 PATH 时校验 --records 目录下的全部档案。

    PATH 可以是文件或文件夹。有错误时退出码为 1,用法错误为 2。
    """
    from generator.core.validate import validate_tree

    if paths:
        try:
            files = discover(paths)
        except UsageError as exc:
            _fail(str(exc))
    elif not records.is_dir():
        _fail(f"找不到档案文件夹 {records}(可用 --records 指定,或给出要校验的文件)")
    else:
        files = None
    result = validate_tree(
        records, files, display=_display, max_bytes=max_bytes, jobs=jobs, documents=False
    )
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    click.echo(
        REPORTERS[fmt](result.findings, files_checked=result.files_checked, color=color), nl=False
    )
    return 0 if result.ok else 1


@main.command()
@click.option("--schools", type=_Count(1), required=True, help="学校数量。")
@click.option(
    "--out", type=click.Path(path_type=Path), required=True, help="输出文件夹(须不存在或为空)。"
)
@click.option(
    "--seed", type=_Count(0), default=0, show_default=True, help="随机种子:同一种子生成相同的档案。"
)
def synth(schools: int, out: Path, seed: int) -> int:
    """生成合成档案(演示和基准测试用)。"""
    from generator.devtools.synth import write_tree

    try:
        written = write_tree(out, schools, seed)
    except ValueError as exc:  # write_tree's refusals: an output folder in use, a bad count
        _fail(str(exc))
    click.echo(f"已生成 {written} 份档案到 {_display(out)}")
    return 0


@main.command("editor-config")
@_records_option("档案根目录,每个区县文件夹生成一个集合;请在仓库顶层运行。")
@click.option(
    "--backend",
    type=_Choice(["github", "gitea", "local"]),
    default="github",
    show_default=True,
    help="保存到哪里:github、gitea(自建),或 local(本机 decap-server,make editor 用)。",
)
@click.option("--repo", help="代码仓库,写作 所有者/仓库名;github 和 gitea 必填。")
@click.option("--branch", default="main", show_default=True, help="档案所在的主分支。")
@click.option(
    "--base-url",
    help="github:OAuth 登录服务的地址;gitea:Gitea 的地址;local:decap-server 的地址。",
)
@click.option("--app-id", help="gitea:在 Gitea 中登记的 OAuth2 应用的客户端 ID。")
@click.option(
    "--out", type=click.Path(path_type=Path), help="写入此文件(默认输出到屏幕)。"
)
@click.option(
    "--site",
    type=click.Path(path_type=Path, file_okay=False),
    help="把整个编辑器(含此配置)写入已构建网站的 admin/ 文件夹,例如 --site site。",
)
def editor_config(
    records: Path, backend: str, repo: str | None, branch: str, base_url: str | None,
    app_id: str | None, out: Path | None, site: Path | None,
) -> int:  # fmt: skip
    """从档案格式 (JSON Schema) 生成网页编辑器 Decap CMS 的 config.yml。"""
    from generator.authoring.editor import EditorError, dump_config, write_admin
    from generator.authoring.editor import editor_config as make_config

    try:
        config = make_config(records, backend, repo, branch, base_url, app_id)
        text = dump_config(config)
        if site is not None and not write_admin(site, config):
            click.echo("注意:没有找到 node_modules,编辑器页面只说明需要先运行 npm ci", err=True)
    except UsageError as exc:
        _fail(str(exc))
    except EditorError as exc:
        _fail(str(exc), 1)
    if backend == "gitea":
        click.echo(
            f"注意:Decap 的 gitea 后端不支持编辑工作流,每次保存都直接提交到分支 {branch};"
            "请保护主分支,并用 --branch 指定一个专门接收网页修改的分支(见 docs/editor.md)。",
            err=True,
        )
    if site is not None:
        click.echo(f"已写入 {_display(site / 'admin')}", err=True)
        if out is None:
            return 0
    if out is None:
        click.echo(text, nl=False)
        return 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, text)
    except OSError as exc:
        _cannot_write(exc, out)
    click.echo(f"已写入 {_display(out)}", err=True)
    return 0


# ---------------------------------------------------------------------------------------------
# Data exchange: Excel 台账, CSV, JSON, calendar feeds


class _Date(click.ParamType):
    """A day written YYYY-MM-DD, refused in Chinese."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        import datetime
        import re

        if isinstance(value, datetime.date):
            return value
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
                return datetime.date.fromisoformat(value)
        except ValueError:
            pass
        self.fail(f"“{value}”不是有效日期,应写作 YYYY-MM-DD,例如 2026-03-01", param, ctx)


def _evaluated(records: Path, as_of: Any, district: str | None, school: str | None) -> tuple:
    """The validated records an export covers, evaluated as of ``as_of``.

    Exits 2 for an unknown district or school, 1 (listing the problems) when a record it
    covers is invalid: an export never silently leaves a school out.
    """
    import datetime

    from generator.core.evaluate import evaluate
    from generator.core.validate import NAME, validate_tree

    if not records.is_dir():
        _fail(f"找不到档案文件夹 {records}(可用 --records 指定)")
    files = None
    for what, value in (("区县编号", district), ("学校编号", school)):
        if value is not None and not NAME.match(value):
            _fail(f"{what}“{value}”不合规:只能用小写字母、数字和连字符")
    if school:
        files = sorted(records.glob(f"*/{school}.yaml"))
        if not files:
            _fail(f"找不到学校“{school}”:{records} 中没有 <区县>/{school}.yaml")
    elif district:
        if not (records / district / "_district.yaml").is_file():
            _fail(f"找不到区县“{district}”:{records} 中没有 {district}/_district.yaml")
        files = discover([records / district])
    today = max(as_of, datetime.date.today())  # as `check`: a later --as-of sees records up to it
    checked = validate_tree(records, files, today=today, display=_display)
    evaluation = evaluate(checked, as_of)
    problems = [f for f in [*checked.findings, *evaluation.findings] if f.severity == "error"]
    if problems:
        report = REPORTERS["text"](problems, files_checked=checked.files_checked)
        click.echo(report, nl=False, err=True)
        _fail("以上档案有问题,没有导出;请先修正(xiaoan validate 可以逐项检查)", 1)
    return checked, evaluation


@main.command()
@click.argument("fmt", metavar="FORMAT", type=_Choice(["xlsx", "csv", "json", "ics"]))
@_records_option("档案根目录。")
@click.option("--district", help="只导出这个区县(区县编号,例如 chengguan)。")
@click.option("--school", help="导出这所学校(学校编号)的台账:每个档案部分一个工作表,可改后导回。")
@click.option("--as-of", type=_Date(), help="统计截至日期 YYYY-MM-DD(默认今天)。")
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
    from generator.exchange.xlsx import ledger_sheets, write_workbook

    if school and district:
        _fail("--school 和 --district 不能同时使用")
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
        _cannot_write(exc, out)
    scope = "(公开版)" if public else ""
    click.echo(f"已导出 {what}{scope}到 {_display(out)}(截至 {as_of.isoformat()})")
    return 0


@main.command("import")
@click.argument("fmt", metavar="FORMAT", type=_Choice(["xlsx"]))
@click.argument("file", type=click.Path(path_type=Path))
@_records_option("档案根目录。")
@click.option(
    "--out", type=click.Path(path_type=Path),
    help="输出的档案文件(默认 <records>/<区县>/<学校编号>.yaml)。",
)
def import_(fmt: str, file: Path, records: Path, out: Path | None) -> int:
    """把 Excel 台账导回档案 (YAML)。

    先逐格检查并用校验器检查结果,有任何问题都不写文件,并指出工作表、行和列。
    """
    from generator.exchange.xlsx import LedgerError, import_ledger

    if not file.is_file():
        _fail(f"{file}: 文件不存在")
    try:
        written = import_ledger(file, out, records, file=_display(file))
    except LedgerError as exc:
        click.echo(REPORTERS["text"](exc.findings), nl=False)
        return 1
    except OSError as exc:
        _cannot_write(exc)
    click.echo(f"已导入到 {_display(written)};请运行 xiaoan validate 检查后提交审核")
    return 0


@main.command()
@click.option(
    "--out", type=click.Path(path_type=Path), default=Path("校安档案台账模板.xlsx"),
    show_default=True, help="输出文件。",
)
def template(out: Path) -> int:
    """生成空白的学校安全档案台账 (Excel):每个档案部分一个工作表,附填写说明。"""
    from generator.exchange.xlsx import template_sheets, write_workbook

    try:
        write_workbook(out, template_sheets(), "学校安全档案台账(模板)")
    except OSError as exc:
        _cannot_write(exc, out)
    click.echo(f"已生成台账模板 {_display(out)};填好后用 xiaoan import xlsx {_display(out)} 导回")
    return 0


# ---------------------------------------------------------------------------------------------
# Compliance rules: xiaoan check, xiaoan coverage


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@_records_option("档案根目录(records/<区县>/<学校>.yaml);区县的规则集和达标率按整个目录计算。")
@click.option("--as-of", type=_Date(), help="按哪一天评估 YYYY-MM-DD(默认今天)。")
@click.option(
    "--rules", "rule_set",
    help="规则集名称,如 national、plan-003、longhua、jizhou(默认按各区县 _district.yaml 中的规则集)。",
)
@click.option(
    "--format", "fmt", type=_Choice(["text", "json", "github", "markdown"]), default="text",
    show_default=True,
    help="输出格式:text 给人看,json 给程序读,github 为 GitHub Actions 注释,markdown 为评审摘要。",
)
@click.option(
    "--fail-on", type=_Choice(["error", "warning", "never"]), default="never", show_default=True,
    help="有这一级别(或更严重)的问题时退出码为 1;never 表示只报告。",
)
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

    from generator.core import cache as check_cache
    from generator.report.check import CHECK_REPORTERS, NEEDS_DISTRICTS
    from generator.core.evaluate import evaluate
    from generator.core.ruleset import RuleSetError, UnknownRuleSet, load_rule_set
    from generator.core.validate import validate_tree

    as_of = as_of or datetime.date.today()
    if rule_set is not None:
        try:
            load_rule_set(rule_set)
        except UnknownRuleSet as exc:
            _fail(f"--rules:{exc}")
        except RuleSetError as exc:
            _fail(str(exc), 1)
    files = None
    if paths:
        try:
            files = discover(paths)
        except UsageError as exc:
            _fail(str(exc))
    elif not records.is_dir():
        _fail(f"找不到档案文件夹 {records}(可用 --records 指定,或给出要检查的文件)")
    today = max(as_of, datetime.date.today())  # a later --as-of may see records dated up to it
    checked = validate_tree(records, files, today=today, display=_display)
    others = []
    if files is not None and fmt in NEEDS_DISTRICTS and records.is_dir():
        # district rates need every school: unchanged ones come from the cache
        others = check_cache.summaries(
            records, files, checked.districts, as_of, rule_set, today, _display, use_cache=not no_cache
        )
    try:
        evaluation = evaluate(
            checked, as_of, rule_set, districts=files is None or fmt in NEEDS_DISTRICTS, others=others
        )
    except RuleSetError as exc:
        _fail(str(exc), 1)
    if files is None and not no_cache:
        check_cache.remember(records, evaluation.schools, checked.districts, as_of, rule_set)
    color = fmt == "text" and sys.stdout.isatty() and "NO_COLOR" not in os.environ
    files_checked = len(files) if files is not None else checked.files_checked
    click.echo(CHECK_REPORTERS[fmt](evaluation, files_checked=files_checked, color=color), nl=False)
    if any(f.severity == "error" for f in evaluation.findings):
        return 1  # an invalid dossier, or a district naming an unknown rule set
    failing = {"error": {"error"}, "warning": {"error", "warning"}, "never": set()}[fail_on]
    return 1 if any(f.severity in failing for f in evaluation.all_findings) else 0


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
            click.echo(f"{_display(out)} 已过期:请运行 xiaoan coverage 重新生成", err=True)
            return 1
        click.echo(f"{_display(out)} 是最新的")
        return 0
    try:
        changed = write(out)
    except OSError as exc:
        _cannot_write(exc, out)
    click.echo(f"{'已更新' if changed else '无变化:'} {_display(out)}")
    return 0


# ---------------------------------------------------------------------------------------------
# Contribution workflow: pull-request comparison, review routing, nightly flags, terminal edits

_BLOB_URL_HELP = (
    "行链接的前缀:GitHub 为 https://github.com/<所有者>/<仓库>/blob/<提交>,"
    "Gitea 为 <地址>/<所有者>/<仓库>/src/commit/<提交>;不给时只写文件名和行号。"
)


@main.command("diff")
@click.argument("base")
@click.argument("head", default="HEAD")
@_records_option("档案根目录在仓库中的位置。")
@click.option("--as-of", type=_Date(), help="修改前后都按这一天评估 YYYY-MM-DD(默认今天)。")
@click.option(
    "--format", "fmt", type=_Choice(["text", "markdown", "github", "json"]), default="text",
    show_default=True,
    help="text 给人看,markdown 为审核摘要,github 为修改行上的注释,json 给程序读。",
)
@click.option(
    "--summary", type=click.Path(path_type=Path),
    help="另把 Markdown 审核摘要追加到这个文件(GitHub Actions 的 $GITHUB_STEP_SUMMARY)。",
)
@click.option("--blob-url", help=_BLOB_URL_HELP)
def diff(
    base: str, head: str, records: Path, as_of: Any, fmt: str, summary: Path | None,
    blob_url: str | None,
) -> int:  # fmt: skip
    """比较两个 git 版本的档案,只校验和评估修改过的档案。

    \b
    BASE 通常是主分支(如 origin/main),HEAD 是修改请求的分支(默认当前版本);
    比较的起点是两者的分叉点,与修改请求页面显示的改动一致。列出每所修改过的学校:
    状态变化、新增和销号的隐患、新增和已解决的问题。修改过的档案没有通过校验时退出码为 1。
    """
    import datetime

    from generator.workflow.compare import FORMATS, compare
    from generator.workflow.gitrepo import GitError

    try:
        result = compare(
            records if records.exists() else Path.cwd(), base, head, records=records,
            as_of=as_of or datetime.date.today(),
        )  # fmt: skip
    except GitError as exc:
        _fail(str(exc))
    click.echo(FORMATS[fmt](result, blob_url=blob_url), nl=False)
    if summary is not None:
        try:
            with summary.open("a", encoding="utf-8") as fh:
                fh.write(FORMATS["markdown"](result, blob_url=blob_url))
        except OSError as exc:
            _cannot_write(exc, summary)
    return 0 if result.ok else 1


@main.command()
@_records_option("档案根目录;生成的文件放在它所在仓库的顶层。")
@click.option(
    "--check", "check_only", is_flag=True,
    help="只检查 CODEOWNERS 是否与各区县的审核人一致(不一致时退出码为 1),不写文件。",
)
def codeowners(records: Path, check_only: bool) -> int:
    """根据各区县 _district.yaml 的审核人生成 CODEOWNERS(.github/ 和 .gitea/ 各一份)。

    修改请求涉及某区县的档案时,平台自动请该区县的审核人审核。
    """
    from generator.workflow import codeowners as co
    from generator.workflow import gitrepo

    if not records.is_dir():
        _fail(f"找不到档案文件夹 {records}(可用 --records 指定)")
    root = gitrepo.toplevel(records) or Path.cwd()
    try:
        wanted = co.expected(records, root, gitrepo.relative(root, records), display=_display)
    except co.CodeownersError as exc:
        click.echo(REPORTERS["text"](exc.findings), nl=False, err=True)
        _fail(str(exc), 1)
    except gitrepo.GitError as exc:
        _fail(str(exc))
    if check_only:
        old = co.stale(wanted)
        if old:
            names = "、".join(_display(p) for p in old)
            click.echo(
                f"错误:{names} 已过期,与各区县 _district.yaml 中的审核人不一致;"
                "请运行 xiaoan codeowners,并把生成的文件一起提交",
                err=True,
            )
            return 1
        click.echo("CODEOWNERS 与各区县的审核人一致")
        return 0
    try:
        written = co.write(wanted)
    except OSError as exc:
        _cannot_write(exc)
    for path in wanted:
        click.echo(f"{'已更新' if path in written else '无变化:'} {_display(path)}")
    return 0


@main.command("overdue-report")
@_records_option("档案根目录。")
@click.option("--as-of", type=_Date(), help="按哪一天评估 YYYY-MM-DD(默认今天)。")
@click.option(
    "--since", type=_Date(),
    help="与哪一天相比(默认前一天):取 git 中那天最后的档案,按那天评估。",
)
@click.option(
    "--previous", type=click.Path(path_type=Path),
    help="改为与上次运行的结果相比:上次 --save 保存的 JSON 文件。",
)
@click.option(
    "--format", "fmt", type=_Choice(["markdown", "json"]), default="markdown", show_default=True,
    help="markdown 为任务摘要,json 给程序读(也可作下次的 --previous)。",
)
@click.option(
    "--issues", type=click.Path(path_type=Path),
    help="把每个区县的提醒议题正文写到这个文件夹;"
    "index.tsv 每行:区县、open 或 closed、标题、正文文件。",
)
@click.option("--save", type=click.Path(path_type=Path), help="另把 JSON 结果写到这个文件。")
@click.option("--blob-url", help=_BLOB_URL_HELP)
def overdue_report(
    records: Path, as_of: Any, since: Any, previous: Path | None, fmt: str, issues: Path | None,
    save: Path | None, blob_url: str | None,
) -> int:  # fmt: skip
    """列出逾期和缺项的事项,以及自上次运行以来新增和已解决的(每日任务用)。

    \b
    “逾期和缺项”指规则检查中的严重问题(逾期隐患、过期器材、缺少的演练和报送等)
    和没有通过校验的档案。默认与前一天相比:取 git 历史中前一天最后的档案按前一天评估,
    与今天的档案按今天评估的结果比较;给出 --previous 时与上次保存的结果比较。
    """
    import datetime
    import json

    from generator.workflow import overdue

    if since is not None and previous is not None:
        _fail("--since 和 --previous 只能用一个")
    if not records.is_dir():
        _fail(f"找不到档案文件夹 {records}(可用 --records 指定)")
    state = None
    if previous is not None:
        try:
            state = json.loads(previous.read_text(encoding="utf-8"))
            if not isinstance(state, dict) or not isinstance(state.get("districts"), list):
                raise ValueError
        except (OSError, ValueError):
            _fail(f"{_display(previous)} 不是 xiaoan overdue-report 保存的 JSON 结果")
    as_of = as_of or datetime.date.today()
    report = overdue.overdue_report(records, as_of, since=since, previous=state)
    try:
        if issues is not None:
            overdue.write_issues(report, issues, blob_url)
        if save is not None:
            save.parent.mkdir(parents=True, exist_ok=True)
            save.write_text(overdue.dumps(report), encoding="utf-8")
    except OSError as exc:
        _cannot_write(exc)
    text = overdue.dumps(report) if fmt == "json" else overdue.summary_markdown(report, blob_url)
    click.echo(text, nl=False)
    return 0


@contextlib.contextmanager
def _editing(target: Path | None = None) -> Iterator[None]:
    """An edit of a dossier: its :class:`~generator.authoring.edit.EditError` (the findings, then the
    reason) or a failed write end the command with exit 1."""
    from generator.authoring.edit import EditError

    try:
        yield
    except EditError as exc:
        findings = getattr(exc, "findings", [])
        if findings:
            click.echo(REPORTERS["text"](findings), nl=False, err=True)
        _fail(str(exc), 1)
    except OSError as exc:
        _cannot_write(exc, target)


_RECORDS_OPTION = _records_option("档案根目录:用于检查文件名、区县和学校编号是否唯一。")


@main.group()
def new() -> None:
    """新建档案。"""


@new.command("school")
@_RECORDS_OPTION
@click.option("--district", required=True, help="区县编号(records/ 下的文件夹名),例如 chengguan。")
@click.option(
    "--id", "school_id", required=True, help="学校编号,全市唯一,也是文件名,如 cg-xinhua-xiaoxue。"
)
@click.option("--name", required=True, help="学校全称。")
@click.option(
    "--stage", required=True,
    help="学段:幼儿园、小学、初中、高中、九年一贯制、完全中学、职业学校或特殊教育。",
)
@click.option("--ownership", default="公办", show_default=True, help="办学性质:公办或民办。")
@click.option("--boarding/--day", default=False, help="寄宿制学校用 --boarding(默认走读 --day)。")
@click.option("--students", type=_Count(0), required=True, help="在校学生数。")
@click.option("--staff", type=_Count(0), required=True, help="教职工数。")
@click.option("--address", required=True, help="学校地址。")
@click.option("--police-officer", required=True, help="一校一警:联系民警姓名。")
@click.option("--police-station", required=True, help="一校一警:所属派出所。")
@click.option("--police-phone", required=True, help="一校一警:值班电话。")
def new_school(
    records: Path, district: str, school_id: str, name: str, stage: str, ownership: str,
    boarding: bool, students: int, staff: int, address: str, police_officer: str,
    police_station: str, police_phone: str,
) -> int:  # fmt: skip
    """新建一所学校的档案 records/<区县>/<学校编号>.yaml(最小的有效档案,附中文说明)。"""
    from generator.authoring.edit import new_school as make

    with _editing():
        path = make(
            records, district=district, school_id=school_id, name=name, stage=stage,
            ownership=ownership, boarding=boarding, students=students, staff=staff,
            address=address, officer=police_officer, station=police_station,
            duty_phone=police_phone, display=_display,
        )  # fmt: skip
    click.echo(f"已新建 {_display(path)};请补全各部分后提交修改请求")
    return 0


@main.group()
def hazard() -> None:
    """登记隐患、隐患销号。"""


@hazard.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@_RECORDS_OPTION
@click.option("--id", "hazard_id", help="隐患编号(默认自动编号,如 H-2026-003)。")
@click.option("--found", type=_Date(), required=True, help="发现日期 YYYY-MM-DD。")
@click.option(
    "--source", required=True,
    help="隐患来源:自查、教育部门检查、公安检查、联合检查、上级督查或其他。",
)
@click.option("--inspection", help="发现该隐患的检查记录编号(如 I-2026-11)。")
@click.option("--found-by", help="发现人或检查组组长。")
@click.option("--location", required=True, help="隐患部位(不公开)。")
@click.option("--description", required=True, help="隐患描述(不公开)。")
@click.option("--category", required=True, help="隐患类别,如 消防安全、校舍安全、食品安全。")
@click.option("--grade", required=True, help="隐患等级:一般或重大。")
@click.option("--immediate", is_flag=True, help="能当场立即整改(立查立改)。")
@click.option(
    "--status", default="登记", show_default=True, help="状态:发现、登记、整改中、待验收。"
)
@click.option("--measures", help="整改措施。")
@click.option("--owner", help="整改责任人。")
@click.option("--deadline", type=_Date(), help="整改期限 YYYY-MM-DD。")
@click.option("--funds-amount", type=_Amount(), help="整改资金(元)。")
@click.option("--funds-source", help="资金来源。")
@click.option("--funds-secured/--funds-not-secured", default=None, help="资金是否已落实。")
@click.option("--plan", help="整改方案(重大隐患必填)。")
@click.option("--interim-controls", help="临时管控措施(不能立即整改时必填)。")
@click.option("--watcher", help="盯防人员(不能立即整改时必填)。")
@click.option("--risk", help="对应的风险点编号(如 R-02)。")
@click.option("--notes", help="备注。")
def hazard_add(file: Path, records: Path, hazard_id: str | None, **fields: Any) -> int:
    """在档案的隐患清单中登记一项隐患(编号自动生成),校验通过才写入。"""
    from generator.authoring.edit import add_hazard

    funds = {k: fields.pop(f"funds_{k}") for k in ("amount", "source", "secured")}
    if funds["amount"] is not None and funds["amount"].is_integer():
        funds["amount"] = int(funds["amount"])  # 386000, not 386000.0
    if any(v is not None for v in funds.values()):
        fields["funds"] = funds
    fields["id"] = hazard_id
    with _editing(file):
        new_id = add_hazard(file, fields, records=records, file=_display(file))
    click.echo(f"已登记隐患 {new_id} 到 {_display(file)}")
    return 0


@hazard.command("close")
@click.argument("file", type=click.Path(path_type=Path))
@click.argument("hazard_id", metavar="ID")
@_RECORDS_OPTION
@click.option("--rectified", type=_Date(), help="整改完成日期 YYYY-MM-DD(档案中已有时可省略)。")
@click.option("--closed", type=_Date(), required=True, help="验收销号日期 YYYY-MM-DD。")
@click.option("--verifier", required=True, help="验收人姓名。")
def hazard_close(
    file: Path, hazard_id: str, records: Path, rectified: Any, closed: Any, verifier: str
) -> int:  # fmt: skip
    """隐患销号:状态改为“已销号”,写上整改完成日期、销号日期和验收人;隐患保留在台账中。"""
    from generator.authoring.edit import close_hazard

    with _editing(file):
        close_hazard(
            file, hazard_id, rectified=rectified, closed=closed, verifier=verifier,
            records=records, file=_display(file),
        )  # fmt: skip
    click.echo(f"隐患 {hazard_id} 已销号({_display(file)})")
    return 0


@main.group()
def drill() -> None:
    """补录应急演练。"""


@drill.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@_RECORDS_OPTION
@click.option("--date", "day", type=_Date(), required=True, help="演练日期 YYYY-MM-DD。")
@click.option("--kind", required=True, help="演练类型,如 消防疏散、地震疏散、防恐防暴、防踩踏。")
@click.option("--scope", default="全校", show_default=True, help="范围:全校或部分。")
@click.option("--participants", type=_Count(1), required=True, help="参加人数。")
@click.option("--seconds", type=_Count(1), help="疏散用时(秒)。")
@click.option("--organiser", help="组织人。")
@click.option("--problems", help="发现的问题。")
@click.option("--improvements", help="改进措施。")
def drill_add(
    file: Path, records: Path, day: Any, kind: str, scope: str, participants: int,
    seconds: int | None, organiser: str | None, problems: str | None, improvements: str | None,
) -> int:  # fmt: skip
    """在档案中补录一次应急演练(按日期排好位置),校验通过才写入。"""
    from generator.authoring.edit import add_drill

    fields = {
        "date": day, "kind": kind, "scope": scope, "participants": participants,
        "evacuation_seconds": seconds, "organiser": organiser, "problems": problems,
        "improvements": improvements,
    }  # fmt: skip
    with _editing(file):
        position = add_drill(file, fields, records=records, file=_display(file))
    click.echo(f"已补录演练(第 {position} 项)到 {_display(file)}")
    return 0


# ---------------------------------------------------------------------------------------------
# The public site


def _build_site(records: Path, as_of: Any, out: Path, config: Path | None) -> Any:
    """Validate, evaluate and build the site into ``out``; exit 1 with the findings if not."""
    import datetime

    from generator.site.build import BuildFailed, build

    progress = sys.stderr.isatty() and os.environ.get("CI", "").lower() != "true"
    as_of = as_of or datetime.date.today()

    def stage(what: str) -> None:
        if progress:
            click.echo(f"{what}……", err=True)

    def waiting() -> None:
        click.echo(f"另一个网站构建正在写入 {_display(out.absolute().parent)},等它完成……", err=True)

    def kept() -> str:
        return f";原来的网站({_display(out)})保持不变" if (out / "sitemap.xml").is_file() else ""

    try:
        result = build(
            records, out, as_of, config_file=config, progress=progress, display=_display,
            wait=False,  # the replaced site is removed while the command reports or serves
            stage=stage, waiting=waiting,
        )  # fmt: skip
    except BuildFailed as exc:
        if exc.findings:
            click.echo(REPORTERS["text"](exc.findings), nl=False, err=True)
        _fail(f"{exc}{kept()}", 1)
    except OSError as exc:  # a full or read-only disk, at the edge: one line, no traceback
        _cannot_write(exc, out, note=f",网站没有生成{kept()}")
    click.echo(
        f"已生成网站到 {_display(out)}:{result.schools} 所学校,{result.files} 个文件"
        f"(截至 {as_of.isoformat()})"
    )
    return result


_SITE_OPTIONS = (
    _records_option("档案根目录。"),
    click.option("--as-of", type=_Date(), help="按哪一天评估 YYYY-MM-DD(默认今天)。"),
    click.option(
        "--out", type=click.Path(path_type=Path), default=Path("site"), show_default=True,
        help="网站输出文件夹:生成完成后才替换原来的内容。",
    ),
    click.option(
        "--config", type=click.Path(path_type=Path), default=None,
        help="mkdocs 配置文件(默认当前目录的 mkdocs.yml)。",
    ),
)  # fmt: skip


def _site_options(command: Any) -> Any:
    for option in reversed(_SITE_OPTIONS):
        command = option(command)
    return command


@main.command()
@_site_options
def build(records: Path, as_of: Any, out: Path, config: Path | None) -> int:
    """校验并评估档案,生成公开网站(mkdocs-material)。

    有档案校验不通过时退出码为 1,原来的网站文件夹保持不变。
    """
    _build_site(records, as_of, out, config).wait()
    return 0


@main.command()
@_site_options
@click.option("--port", type=_Count(1), default=8000, show_default=True, help="预览端口。")
def serve(records: Path, as_of: Any, out: Path, config: Path | None, port: int) -> int:
    """生成网站,并在 http://127.0.0.1:PORT 预览(Ctrl+C 停止)。"""
    import functools
    import http.server

    built = _build_site(records, as_of, out, config)

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet: one line per request
            pass

    # The folder is named, not entered: a later build swaps a new folder in under the name.
    handler = functools.partial(Handler, directory=str(out.absolute()))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        _fail(f"无法在端口 {port} 上启动预览:{exc.strerror or exc}(可用 --port 换一个端口)", 1)
    click.echo(f"预览网站:http://127.0.0.1:{port}/ (按 Ctrl+C 停止)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("\n已停止预览")
    finally:
        server.server_close()
        built.wait()
    return 0
