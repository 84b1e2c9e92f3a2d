"""git 工作流:xiaoan diff、overdue-report、codeowners。"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from generator.cli import (
    FAILING,
    Choice,
    Date,
    cannot_write,
    display,
    fail,
    fail_on_option,
    main,
    records_option,
)
from generator.report.findings import REPORTERS

# ---------------------------------------------------------------------------------------------
# Contribution workflow: pull-request comparison, review routing, nightly flags, terminal edits

_BLOB_URL_HELP = (
    "行链接的前缀:GitHub 为 https://github.com/<所有者>/<仓库>/blob/<提交>,"
    "Gitea 为 <地址>/<所有者>/<仓库>/src/commit/<提交>;不给时只写文件名和行号。"
)


@main.command("diff")
@click.argument("base")
@click.argument("head", default="HEAD")
@records_option("档案根目录在仓库中的位置。")
@click.option("--as-of", type=Date(), help="修改前后都按这一天评估 YYYY-MM-DD(默认今天)。")
@click.option(
    "--format", "fmt", type=Choice(["text", "markdown", "github", "json"]), default="text",
    show_default=True,
    help="text 给人看,markdown 为审核摘要,github 为修改行上的注释,json 给程序读。",
)
@click.option(
    "--summary", type=click.Path(path_type=Path),
    help="另把 Markdown 审核摘要追加到这个文件(GitHub Actions 的 $GITHUB_STEP_SUMMARY)。",
)
@click.option("--blob-url", help=_BLOB_URL_HELP)
@fail_on_option(
    "修改带来这一级别(或更严重)的新问题时退出码也为 1;never 表示只在档案无效、"
    "删除或改写已销号隐患和已举行的演练时为 1。"
)
def diff(
    base: str, head: str, records: Path, as_of: Any, fmt: str, summary: Path | None,
    blob_url: str | None, fail_on: str,
) -> int:  # fmt: skip
    """比较两个 git 版本的档案,只校验和评估修改过的档案。

    \b
    BASE 通常是主分支(如 origin/main),HEAD 是修改请求的分支(默认当前版本);
    比较的起点是两者的分叉点,与修改请求页面显示的改动一致。列出每所修改过的学校:
    状态变化、新增和销号的隐患、新增和已解决的问题,以及每个部分新增、删除和修改的条目。
    修改过的档案没有通过校验,或删除、改写了已销号的隐患或已举行的演练时,退出码为 1
    (各种 --format 都一样);--fail-on 另让新增问题也算失败。
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
        fail(str(exc))
    click.echo(FORMATS[fmt](result, blob_url=blob_url), nl=False)
    if summary is not None:
        try:
            with summary.open("a", encoding="utf-8") as fh:
                fh.write(FORMATS["markdown"](result, blob_url=blob_url))
        except OSError as exc:
            cannot_write(exc, summary)
    if not result.ok:
        return 1
    added = (f for s in result.schools for f in s.findings_added)
    return 1 if any(f.severity in FAILING[fail_on] for f in added) else 0


@main.command()
@records_option("档案根目录;生成的文件放在它所在仓库的顶层。")
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
        fail(f"找不到档案文件夹 {records}(可用 --records 指定)")
    root = gitrepo.toplevel(records) or Path.cwd()
    try:
        wanted = co.expected(records, root, gitrepo.relative(root, records), display=display)
    except co.CodeownersError as exc:
        click.echo(REPORTERS["text"](exc.findings), nl=False, err=True)
        fail(str(exc), 1)
    except gitrepo.GitError as exc:
        fail(str(exc))
    if check_only:
        old = co.stale(wanted)
        if old:
            names = "、".join(display(p) for p in old)
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
        cannot_write(exc)
    for path in wanted:
        click.echo(f"{'已更新' if path in written else '无变化:'} {display(path)}")
    return 0


@main.command("overdue-report")
@records_option("档案根目录。")
@click.option("--as-of", type=Date(), help="按哪一天评估 YYYY-MM-DD(默认今天)。")
@click.option(
    "--since", type=Date(),
    help="与哪一天相比(默认前一天):取 git 中那天最后的档案,按那天评估。",
)
@click.option(
    "--previous", type=click.Path(path_type=Path),
    help="改为与上次运行的结果相比:上次 --save 保存的 JSON 文件。",
)
@click.option(
    "--format", "fmt", type=Choice(["markdown", "json"]), default="markdown", show_default=True,
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
        fail("--since 和 --previous 只能用一个")
    if not records.is_dir():
        fail(f"找不到档案文件夹 {records}(可用 --records 指定)")
    state = None
    if previous is not None:
        try:
            state = json.loads(previous.read_text(encoding="utf-8"))
            if not isinstance(state, dict) or not isinstance(state.get("districts"), list):
                raise ValueError
        except (OSError, ValueError):
            fail(f"{display(previous)} 不是 xiaoan overdue-report 保存的 JSON 结果")
    as_of = as_of or datetime.date.today()
    report = overdue.overdue_report(records, as_of, since=since, previous=state)
    try:
        if issues is not None:
            overdue.write_issues(report, issues, blob_url)
        if save is not None:
            save.parent.mkdir(parents=True, exist_ok=True)
            save.write_text(overdue.dumps(report), encoding="utf-8")
    except OSError as exc:
        cannot_write(exc)
    text = overdue.dumps(report) if fmt == "json" else overdue.summary_markdown(report, blob_url)
    click.echo(text, nl=False)
    return 0
