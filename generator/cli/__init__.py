"""The ``xiaoan`` command line: thin commands over the library.

This is the only place that maps errors to exit codes: 0 all good, 1 a record is invalid or
unreadable, 2 the command itself was misused (unknown path, bad option). Messages are
Chinese; click's own usage errors are translated by :class:`_Group`.

The commands live in the modules of this package, one per stage of the pipeline:
:mod:`.records` (validate, check), :mod:`.site` (build, serve), :mod:`.exchange` (export,
import, template), :mod:`.workflow` (diff, overdue-report, codeowners), :mod:`.authoring`
(new, hazard, drill, editor-config), :mod:`.devtools` (synth, coverage).
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


class Choice(click.Choice):
    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value in self.choices:
            return value
        self.fail(f"“{value}”不是可选的值,可选:{'、'.join(map(str, self.choices))}", param, ctx)


class Count(click.ParamType):
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


class Amount(click.ParamType):
    """A finite number of at least 0 (inf and nan are refused), in Chinese."""

    name = "number"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> float:
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


def display(path: Path) -> str:
    """A path as messages show it: relative to the current folder when inside it. Told by
    the path's text first (a build names every file of the tree: resolving each one's links
    took 7 s for 20,000 files), by where its links lead only when that says outside."""
    try:
        here, full = os.getcwd(), os.path.abspath(path)
        if full == here or full.startswith(os.path.join(here, "")):
            return Path(os.path.relpath(full, here)).as_posix()
        return (
            Path(os.path.relpath(path)).as_posix()
            if Path(path).resolve().is_relative_to(Path(here).resolve())
            else str(path)
        )
    except (OSError, ValueError):  # no current folder; another drive on Windows
        return str(path)


def fail(message: str, code: int = 2) -> None:
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


def cannot_write(exc: OSError, path: Path | None = None, note: str = "") -> None:
    """Exit 1: ``path`` (else the file the error names) could not be written."""
    where = path if path is not None else exc.filename and Path(exc.filename)
    fail(f"无法写入{' ' + display(where) if where else ''}:{_os_reason(exc)}{note}", 1)


FAILING = {"error": {"error"}, "warning": {"error", "warning"}, "never": set()}
"""The severities that fail a command, by the value of its ``--fail-on``."""


def fail_on_option(what: str) -> Any:
    """The ``--fail-on`` option (default ``never``), with what fails in this command."""
    return click.option(
        "--fail-on", type=Choice(list(FAILING)), default="never", show_default=True, help=what
    )


def records_option(what: str) -> Any:
    """The ``--records`` option (default ``records``), with what it is for in this command."""
    return click.option(
        "--records", type=click.Path(path_type=Path), default=Path("records"), show_default=True,
        help=what,
    )


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="xiaoan", message="%(prog)s %(version)s")
def main() -> None:
    """校安档案:校验学校安全档案 (YAML),生成公开网站。"""


# ---------------------------------------------------------------------------------------------
# Data exchange: Excel 台账, CSV, JSON, calendar feeds


class Date(click.ParamType):
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


# The commands register themselves on `main` when imported.
from generator.cli import authoring, devtools, exchange, records, site, workflow  # noqa: E402, F401
