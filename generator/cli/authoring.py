"""修改档案:xiaoan new school、hazard add/close、drill add、editor-config。"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from generator.cli import (
    Amount,
    Choice,
    Count,
    Date,
    cannot_write,
    display,
    fail,
    main,
    records_option,
)
from generator.core.files import atomic_write
from generator.core.load import UsageError
from generator.report.findings import REPORTERS


@main.command("editor-config")
@records_option("档案根目录,每个区县文件夹生成一个集合;请在仓库顶层运行。")
@click.option(
    "--backend",
    type=Choice(["github", "gitea", "local"]),
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
        fail(str(exc))
    except EditorError as exc:
        fail(str(exc), 1)
    if backend == "gitea":
        click.echo(
            f"注意:Decap 的 gitea 后端不支持编辑工作流,每次保存都直接提交到分支 {branch};"
            "请保护主分支,并用 --branch 指定一个专门接收网页修改的分支(见 docs/editor.md)。",
            err=True,
        )
    if site is not None:
        click.echo(f"已写入 {display(site / 'admin')}", err=True)
        if out is None:
            return 0
    if out is None:
        click.echo(text, nl=False)
        return 0
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(out, text)
    except OSError as exc:
        cannot_write(exc, out)
    click.echo(f"已写入 {display(out)}", err=True)
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
        fail(str(exc), 1)
    except OSError as exc:
        cannot_write(exc, target)


_RECORDS_OPTION = records_option("档案根目录:用于检查文件名、区县和学校编号是否唯一。")


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
@click.option("--students", type=Count(0), required=True, help="在校学生数。")
@click.option("--staff", type=Count(0), required=True, help="教职工数。")
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
            duty_phone=police_phone, display=display,
        )  # fmt: skip
    click.echo(f"已新建 {display(path)};请补全各部分后提交修改请求")
    return 0


@main.group()
def hazard() -> None:
    """登记隐患、隐患销号。"""


@hazard.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@_RECORDS_OPTION
@click.option("--id", "hazard_id", help="隐患编号(默认自动编号,如 H-2026-003)。")
@click.option("--found", type=Date(), required=True, help="发现日期 YYYY-MM-DD。")
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
@click.option("--deadline", type=Date(), help="整改期限 YYYY-MM-DD。")
@click.option("--funds-amount", type=Amount(), help="整改资金(元)。")
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
        new_id = add_hazard(file, fields, records=records, file=display(file))
    click.echo(f"已登记隐患 {new_id} 到 {display(file)}")
    return 0


@hazard.command("close")
@click.argument("file", type=click.Path(path_type=Path))
@click.argument("hazard_id", metavar="ID")
@_RECORDS_OPTION
@click.option("--rectified", type=Date(), help="整改完成日期 YYYY-MM-DD(档案中已有时可省略)。")
@click.option("--closed", type=Date(), required=True, help="验收销号日期 YYYY-MM-DD。")
@click.option("--verifier", required=True, help="验收人姓名。")
def hazard_close(
    file: Path, hazard_id: str, records: Path, rectified: Any, closed: Any, verifier: str
) -> int:  # fmt: skip
    """隐患销号:状态改为“已销号”,写上整改完成日期、销号日期和验收人;隐患保留在台账中。"""
    from generator.authoring.edit import close_hazard

    with _editing(file):
        close_hazard(
            file, hazard_id, rectified=rectified, closed=closed, verifier=verifier,
            records=records, file=display(file),
        )  # fmt: skip
    click.echo(f"隐患 {hazard_id} 已销号({display(file)})")
    return 0


@main.group()
def drill() -> None:
    """补录应急演练。"""


@drill.command("add")
@click.argument("file", type=click.Path(path_type=Path))
@_RECORDS_OPTION
@click.option("--date", "day", type=Date(), required=True, help="演练日期 YYYY-MM-DD。")
@click.option("--kind", required=True, help="演练类型,如 消防疏散、地震疏散、防恐防暴、防踩踏。")
@click.option("--scope", default="全校", show_default=True, help="范围:全校或部分。")
@click.option("--participants", type=Count(1), required=True, help="参加人数。")
@click.option("--seconds", type=Count(1), help="疏散用时(秒)。")
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
        position = add_drill(file, fields, records=records, file=display(file))
    click.echo(f"已补录演练(第 {position} 项)到 {display(file)}")
    return 0
