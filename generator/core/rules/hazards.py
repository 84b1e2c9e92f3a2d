"""隐患: closed-loop hazard management (闭环管理): found, registered, rectified, closed.

A hazard is open until it is closed (销号) with a date and a verifier; past its deadline and
not closed it is overdue; an open major hazard (重大隐患) is the worst state a school can be in.
"""

from __future__ import annotations

from datetime import timedelta

from generator.core.dates import parse_date
from generator.core.rules.base import Deadline, Hit, due, rule

CLOSED = "已销号"


@rule(
    id="hazard.major_open",
    category="隐患",
    severity="error",
    title="重大隐患未销号",
    source="000 二(一)3; 003 三(三); 安全生产事故隐患排查治理暂行规定(安监总局令16号)第三条",
    fields=("hazards[].grade", "hazards[].status", "hazards[].closed"),
)
def major_open(school, ctx):
    for path, h, is_open in school.hazards(ctx.as_of):
        if is_open and h.get("grade") == "重大":
            deadline = f",整改期限 {h['deadline']}" if h.get("deadline") else ""
            yield Hit(
                path,
                f"重大隐患 {h['id']}({h['category']})尚未销号(状态:{h['status']}{deadline})",
                "major",
                parse_date(h.get("deadline")),
            )


@rule(
    id="hazard.overdue",
    category="隐患",
    severity="error",
    title="隐患逾期未销号",
    source="000 二(一)3、三(三); 003 三(三); 004 三(一)4",
    fields=("hazards[].deadline", "hazards[].status", "hazards[].closed"),
)
def overdue(school, ctx):
    for path, h, is_open in school.hazards(ctx.as_of):
        deadline = parse_date(h.get("deadline"))
        if is_open and deadline is not None and ctx.as_of > deadline:
            yield Hit(
                (*path, "deadline"),
                f"隐患 {h['id']}({h['category']})应于 {deadline} 前整改销号,已逾期"
                f"(状态:{h['status']})",
                "overdue",
                deadline,
            )


@rule(
    id="hazard.open",
    category="隐患",
    severity="warning",
    title="一般隐患正在整改",
    source="000 二(一)3; 002 四2; 003 三(三)",
    fields=("hazards[].grade", "hazards[].deadline", "hazards[].status"),
)
def still_open(school, ctx):
    for path, h, is_open in school.hazards(ctx.as_of):
        if not is_open or h.get("grade") == "重大":
            continue
        deadline = parse_date(h.get("deadline"))
        if deadline is None or ctx.as_of <= deadline:
            until = f",整改期限 {h['deadline']}" if deadline else ""
            yield Hit(
                path,
                f"隐患 {h['id']}({h['category']})尚未销号(状态:{h['status']}{until})",
                "open",
                deadline,
            )


@rule(
    id="hazard.interim_controls",
    category="隐患",
    severity="error",
    title="不能立即整改的隐患未落实临时管控措施和盯防人员",
    source="001 五(三)(一时无法彻底整改的,明确专人盯防,严格落实防控措施); 000 三(二); "
    "立查立改的7天期限为本项目设定",
    settings=("hazards.immediate_fix_days",),
    fields=(
        "hazards[].immediate",
        "hazards[].found",
        "hazards[].interim_controls",
        "hazards[].watcher",
    ),
)
def interim_controls(school, ctx):
    limit = ctx.setting("hazards.immediate_fix_days")
    for path, h, is_open in school.hazards(ctx.as_of):
        if not is_open or (h.get("interim_controls") and h.get("watcher")):
            continue
        if h.get("immediate") is False:
            yield Hit(path, f"隐患 {h['id']} 不能立即整改,须落实临时管控措施和盯防人员", "open")
            continue
        found = parse_date(h.get("found"))
        if limit is None or found is None:
            continue
        due = found + timedelta(days=limit)
        if ctx.as_of > due:
            yield Hit(
                path,
                f"隐患 {h['id']} 标为立查立改({found} 发现),超过 {limit} 天(应于 {due} 前销号)"
                "仍未销号,须落实临时管控措施和盯防人员",
                "open",
                due,
            )


@rule(
    id="hazard.funds",
    category="隐患",
    severity="warning",
    title="隐患整改资金未落实",
    source="002 四2(整改计划包含整改措施、完成时间、资金落实、项目负责人); 000 四(二)",
    fields=("hazards[].funds.secured", "hazards[].immediate"),
)
def funds(school, ctx):
    """An open hazard not fixed at once needs its funds in the plan (002 四2): written and
    secured. One fixed at once (立查立改) needs no plan."""
    for path, h, is_open in school.hazards(ctx.as_of):
        if not is_open or h.get("immediate") is True:
            continue
        grade = "重大隐患" if h.get("grade") == "重大" else "隐患"
        if "funds" not in h:
            yield Hit(path, f"{grade} {h['id']} 的整改计划没有写明资金落实情况", "open")
        elif h["funds"].get("secured") is False:
            yield Hit((*path, "funds", "secured"), f"{grade} {h['id']} 的整改资金尚未落实", "open")


@rule(
    id="hazard.inspection_registered",
    category="隐患",
    severity="error",
    title="检查发现的问题未全部登记为隐患",
    source="000 二(一)3(对检查所发现的问题逐一查找原因、研究措施); 002 四2",
    fields=("inspections[].hazards_found", "hazards[].inspection"),
)
def inspection_registered(school, ctx):
    registered: dict[str, int] = {}
    for _, h in school.items("hazards"):
        if h.get("inspection"):
            registered[h["inspection"]] = registered.get(h["inspection"], 0) + 1
    for path, item, _ in school.dated("inspections", as_of=ctx.as_of):
        found = item.get("hazards_found", 0)
        listed = registered.get(item["id"], 0)
        if found > listed:
            yield Hit(
                (*path, "hazards_found"),
                f"检查 {item['id']}({item['date']},{item['by']})发现问题 {found} 项,"
                f"隐患清单中只登记了 {listed} 项",
                "open",
            )


@due("hazard.overdue")
def _hazard_deadlines(school, ctx):
    for _, h in school.items("hazards"):
        deadline = parse_date(h.get("deadline"))
        if deadline is None or h.get("status") == CLOSED or not h.get("id"):
            continue
        grade = "重大隐患" if h.get("grade") == "重大" else "隐患"
        late = "(已逾期)" if deadline < ctx.as_of else ""
        yield Deadline(
            "hazard",
            h["id"],
            deadline,
            f"{grade}整改期限:{h.get('category', '')} {h['id']}{late}",
            f"隐患 {h['id']}({h.get('category', '')},{h.get('grade', '')},"
            f"来源:{h.get('source', '')})"
            f"当前状态“{h.get('status', '')}”,须在 {deadline.isoformat()} 前整改完成并验收销号。",
            "隐患整改",
            (7, 1),
        )


@rule(
    id="hazard.pre_term_check",
    category="隐患",
    severity="error",
    title="开学前未集中开展隐患排查",
    source="003 三(三)(春、秋季开学前集中组织开展一次安全隐患排查整治活动); “开学前”的天数为本项目设定",
    settings=("hazards.pre_term_check_days",),
    fields=("hazard_checks[].date", "hazard_checks[].kind"),
)
def pre_term_check(school, ctx):
    """Once a semester has begun, a 开学前排查 dated within ``pre_term_check_days`` before its
    first day (or on it) must be on record."""
    days = ctx.setting("hazards.pre_term_check_days")
    if days is None:
        return
    semester = ctx.current_semester
    if semester is None:  # in a vacation: the semester that began last
        semester = ctx.last_ended_semester
    window = (semester.start - timedelta(days=days), semester.start)
    checks = [
        day
        for _, c, day in school.dated("hazard_checks", as_of=ctx.as_of)
        if c.get("kind") == "开学前排查"
    ]
    if not any(window[0] <= d <= window[1] for d in checks):
        yield Hit(
            ("hazard_checks",),
            f"{semester.label}开学前({window[0]} 至 {window[1]})没有集中隐患排查记录",
            "overdue",
            window[1],
        )
