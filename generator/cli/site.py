"""网站:xiaoan build、xiaoan serve。"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from generator.cli import Choice, Count, Date, cannot_write, display, fail, main, records_option
from generator.report.findings import REPORTERS
from generator.site.engine import DEFAULT, ENGINES

# ---------------------------------------------------------------------------------------------
# The public site


def _build_site(
    records: Path, as_of: Any, out: Path, config: Path | None, engine: str, full: bool,
    verbose: bool = False,
) -> Any:  # fmt: skip
    """Validate, evaluate and build the site into ``out``; exit 1 with the findings if not.
    ``verbose``: list the files written."""
    import datetime

    from generator.site.build import BuildFailed, build

    progress = sys.stderr.isatty() and os.environ.get("CI", "").lower() != "true"
    as_of = as_of or datetime.date.today()

    def stage(what: str) -> None:
        if progress:
            click.echo(f"{what}……", err=True)

    def waiting() -> None:
        click.echo(f"另一个网站构建正在写入 {display(out.absolute().parent)},等它完成……", err=True)

    def kept() -> str:
        return f";原来的网站({display(out)})保持不变" if (out / "sitemap.xml").is_file() else ""

    try:
        result = build(
            records, out, as_of, config_file=config, engine=engine, full=full, progress=progress,
            display=display,
            wait=False,  # the replaced site is removed while the command reports or serves
            stage=stage, waiting=waiting,
        )  # fmt: skip
    except BuildFailed as exc:
        if exc.findings:
            click.echo(REPORTERS["text"](exc.findings), nl=False, err=True)
        fail(f"{exc}{kept()}", 1)
    except OSError as exc:  # a full or read-only disk, at the edge: one line, no traceback
        cannot_write(exc, out, note=f",网站没有生成{kept()}")
    for line in result.warnings:
        click.echo(line, err=True)
    click.echo(result.summary, err=True)
    if verbose:
        for path in result.written:
            click.echo(path)
    if result.written:  # else the summary said there was nothing to do
        click.echo(
            f"已生成网站到 {display(out)}:{result.schools} 所学校,写入 {result.files} 个文件"
            f"(截至 {as_of.isoformat()})"
        )
    return result


_SITE_OPTIONS = (
    records_option("档案根目录。"),
    click.option("--as-of", type=Date(), help="按哪一天评估 YYYY-MM-DD(默认今天)。"),
    click.option(
        "--out", type=click.Path(path_type=Path), default=Path("site"), show_default=True,
        help="网站输出文件夹:生成完成后才替换原来的内容。",
    ),
    click.option(
        "--config", type=click.Path(path_type=Path), default=None,
        help="网站配置文件(默认当前目录的 mkdocs.yml)。",
    ),
    click.option(
        "--engine", type=Choice(list(ENGINES)), default=DEFAULT, show_default=True,
        help="生成手写页面和页面框架的网站引擎:mkdocs(mkdocs-material)或 zensical。",
    ),
    click.option(
        "--full", is_flag=True,
        help="重新生成全部页面(默认只重新生成上次构建以来有变化的学校和区县)。",
    ),
)  # fmt: skip


def _site_options(command: Any) -> Any:
    for option in reversed(_SITE_OPTIONS):
        command = option(command)
    return command


@main.command()
@_site_options
@click.option(
    "--verify", is_flag=True,
    help="生成后,另在临时文件夹中全部生成一次,与结果逐字节比较;不一致时列出文件,退出码 1。",
)
@click.option("--verbose", "-v", is_flag=True, help="列出写入的文件(相对于输出文件夹,每行一个)。")
def build(
    records: Path, as_of: Any, out: Path, config: Path | None, engine: str, full: bool,
    verify: bool, verbose: bool,
) -> int:  # fmt: skip
    """校验并评估档案,生成公开网站(默认用 mkdocs-material 的外观)。

    默认增量生成:只重新生成上次构建以来有变化的学校和区县;什么都没有变化时不写任何文件,
    网站保持原样。有档案校验不通过时退出码为 1,原来的网站文件夹保持不变。
    """
    import datetime
    import shutil
    import tempfile

    from generator.site.build import BuildFailed, differences
    from generator.site.build import build as build_site

    day = as_of or datetime.date.today()  # the same day for both builds, even across midnight
    _build_site(records, day, out, config, engine, full, verbose).wait()
    if verify:
        scratch = Path(tempfile.mkdtemp(prefix="xiaoan-verify-"))
        try:
            build_site(records, scratch / "site", day, config_file=config, engine=engine, full=True)
            wrong = differences(out, scratch / "site")
        except (BuildFailed, OSError) as exc:
            fail(f"核对用的全部生成(在 {scratch} 中)失败:{exc}", 1)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        if wrong:
            listed = "\n".join(f"  {f}" for f in wrong[:50])
            fail(f"增量生成的网站与全部生成的不一致({len(wrong)} 个文件),请报告这个问题:\n{listed}", 1)
        click.echo("核对通过:与全部生成的网站逐字节相同", err=True)
    return 0


@main.command()
@_site_options
@click.option("--port", type=Count(1), default=8000, show_default=True, help="预览端口。")
def serve(
    records: Path, as_of: Any, out: Path, config: Path | None, engine: str, full: bool, port: int
) -> int:
    """生成网站,并在 http://127.0.0.1:PORT 预览(Ctrl+C 停止)。

    档案文件夹中的文件有修改时,网站随即增量重新生成(约一秒),刷新页面即可看到。
    """
    import functools
    import http.server
    import threading

    built = _build_site(records, as_of, out, config, engine, full)

    from generator.site.publisher import SERVE_ADMIN

    class Handler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # quiet: one line per request
            pass

        def do_GET(self) -> None:
            # The editor cannot save here: /admin/ says how to run it (make editor).
            if self.path.split("?")[0] in ("/admin/", "/admin/index.html"):
                self._page(200, SERVE_ADMIN.read_bytes())
            else:
                super().do_GET()

        def send_error(self, code: int, message: str | None = None, explain: str | None = None):
            page = Path(self.directory) / "404.html"
            if code == 404 and page.is_file():  # the site's own 404 page, as a host serves it
                self._page(404, page.read_bytes())
            else:
                super().send_error(code, message, explain)

        def _page(self, code: int, body: bytes) -> None:
            self.send_response(code)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

    # The folder is named, not entered: a later build swaps a new folder in under the name.
    handler = functools.partial(Handler, directory=str(out.absolute()))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        fail(f"无法在端口 {port} 上启动预览:{exc.strerror or exc}(可用 --port 换一个端口)", 1)
    click.echo(f"预览网站:http://127.0.0.1:{port}/ (按 Ctrl+C 停止;修改档案后网站自动更新)")
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        _watch(records, as_of, out, config, engine)
    except KeyboardInterrupt:
        click.echo("\n已停止预览")
    finally:
        server.shutdown()
        server.server_close()
        built.wait()
    return 0


def _signature(records: Path) -> list[tuple[str, int, int]]:
    """What changes when a file under ``records`` is edited, added or removed."""
    found = []
    for folder, _, names in os.walk(records):
        for name in names:
            if name.endswith((".yaml", ".yml")):
                path = os.path.join(folder, name)
                try:
                    st = os.stat(path)
                except OSError:  # removed meanwhile: the next look sees it gone
                    continue
                found.append((path, st.st_mtime_ns, st.st_size))
    return sorted(found)


def _watch(records: Path, as_of: Any, out: Path, config: Path | None, engine: str) -> None:
    """Rebuild (incrementally) whenever a file under ``records`` changes, until Ctrl+C. A
    failed rebuild shows why and keeps the site served as it was."""
    import time

    seen = _signature(records)
    while True:
        time.sleep(0.5)
        now = _signature(records)
        if now == seen:
            continue
        seen = now
        try:
            _build_site(records, as_of, out, config, engine, full=False).wait()
        except click.exceptions.Exit:  # why is printed; the served site stays as it was
            pass
