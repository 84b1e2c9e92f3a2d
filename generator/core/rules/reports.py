"""报告: the monthly hazard-list report, the annual summary, and the inspections a school
receives (检查记录: the bureau's and the police's visits, kept with the reports)."""

from __future__ import annotations

import re
from calendar import monthrange
from datetime import date, timedelta

from generator.core.dates import (
    add_months,
    last_monthly_due,
    last_yearly_due,
    next_yearly_due,
    parse_date,
)
from generator.core.rules.base import Deadline, Hit, due, rule


def _submitted(item, as_of) -> bool:
    day = parse_date(item.get("submitted"))
    return day is not None and day <= as_of


@rule(
    id="report.monthly",
    category="报告",
    severity="error",
    title="隐患清单月报未按时报送",
    source="003 三(三)(日巡查、周排查、月报告,每月上旬报送学校安全风险隐患排查整治清单)",
    settings=("reports.monthly_due_day",),
    fields=("reports.monthly[].month", "reports.monthly[].submitted"),
)
def monthly(school, ctx):
    """The report of month M (``month: M``, as the schema's 报送的月份) is due by day
    ``monthly_due_day`` of M; the latest such deadline already passed is checked."""
    day = ctx.setting("reports.monthly_due_day")
    if day is None:
        return
    year, month, due = last_monthly_due(ctx.as_of, day)
    label = f"{year}-{month:02d}"
    sent = [
        parse_date(r.get("submitted"))
        for _, r in school.items("reports", "monthly")
        if r.get("month") == label and _submitted(r, ctx.as_of)
    ]
    what = f"{year}年{month}月的隐患排查整治清单月报(月份 {label})应于 {due} 前报送"
    if not sent:
        yield Hit(("reports", "monthly"), f"{what},没有报送记录", "overdue", due)
    elif min(sent) > due:  # 按时: a late report does not clear the month
        yield Hit(("reports", "monthly"), f"{what},{min(sent)} 才报送(逾期)", "overdue", due)


@rule(
    id="report.annual",
    category="报告",
    severity="error",
    title="年度安全工作总结未按时报送",
    source="003 四(每年12月15日前报送年度工作报告)",
    settings=("reports.annual_due",),
    fields=("reports.annual[].year", "reports.annual[].submitted"),
)
def annual(school, ctx):
    when = ctx.setting("reports.annual_due")
    if when is None:
        return
    month, day = (int(x) for x in when.split("-"))
    year, due = last_yearly_due(ctx.as_of, month, day)
    if not any(
        r.get("year") == year and _submitted(r, ctx.as_of)
        for _, r in school.items("reports", "annual")
    ):
        yield Hit(
            ("reports", "annual"),
            f"{year}年度安全工作总结应于 {due} 前报送,没有报送记录",
            "overdue",
            due,
        )


@rule(
    id="report.inspections",
    category="报告",
    severity="warning",
    title="每学期检查督导次数不足",
    source="004 三(五)2(教育、公安等部门每学期至少开展两次校园及周边地区检查督导)",
    settings=("inspections.per_semester",),
    fields=("inspections[].date",),
)
def inspections(school, ctx):
    need = ctx.setting("inspections.per_semester")
    if need is None:
        return
    semester = ctx.last_ended_semester
    held = [d for _, _, d in school.dated("inspections", as_of=ctx.as_of) if d in semester]
    if len(held) < need:
        yield Hit(
            ("inspections",),
            f"{semester.label}教育、公安等部门检查督导 {len(held)} 次,少于每学期 {need} 次",
            "overdue",
            semester.end,
        )


@due("report.monthly")
def _next_monthly_report(school, ctx):
    day = ctx.setting("reports.monthly_due_day")
    if not isinstance(day, int):
        return
    first = date(ctx.as_of.year, ctx.as_of.month, day)  # the rule-set schema keeps it ≤ 28
    if first < ctx.as_of:
        first = add_months(first, 1)
    yield Deadline(
        "monthly-report",
        "monthly",
        first,
        "隐患清单月报报送截止",
        f"每月 {day} 日前报送上月隐患排查整治清单。",
        "报送",
        (3,),
        {"freq": "monthly", "bymonthday": day},
    )


@due("report.annual")
def _next_annual_report(school, ctx):
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})", str(ctx.setting("reports.annual_due") or ""))
    if not m:
        return
    month, day = int(m.group(1)), int(m.group(2))
    first = next_yearly_due(ctx.as_of, month, day)  # as the rule clamps it: 02-29 → 02-28
    yield Deadline(
        "annual-report",
        "annual",
        first,
        "年度安全工作总结报送截止",
        f"每年 {month} 月 {day} 日前报送年度安全工作总结。",
        "报送",
        (14, 3),
        # a day the month has every year (02-29 → 28, 04-31 → 30), or the event never recurs
        {"freq": "yearly", "bymonth": month, "bymonthday": min(day, monthrange(2027, month)[1])},
    )


@rule(
    id="report.term_supervision",
    category="报告",
    severity="warning",
    title="开学初、放假前没有检查督导",
    source="001 五(五)(责任督学在学期放假前、开学初对所有中小学、幼儿园安全工作进行重点督导); "
    "“开学初”“放假前”的天数为本项目设定",
    settings=("inspections.term_edge_days",),
    fields=("inspections[].date",),
)
def term_supervision(school, ctx):
    """The semester now due needs a visit in its first and its last ``term_edge_days`` days;
    the current semester its first, once those days have passed."""
    days = ctx.setting("inspections.term_edge_days")
    if days is None:
        return
    held = [d for _, _, d in school.dated("inspections", as_of=ctx.as_of)]
    edge = timedelta(days=days - 1)

    def visited(start, end):
        return any(start <= d <= end for d in held)

    due = ctx.last_ended_semester
    windows = [(due, "开学初", due.start, due.start + edge), (due, "放假前", due.end - edge, due.end)]
    current = ctx.current_semester
    if current and ctx.as_of > current.start + edge:
        windows.insert(0, (current, "开学初", current.start, current.start + edge))
    for semester, when, start, end in windows:
        if not visited(start, end):
            yield Hit(
                ("inspections",),
                f"{semester.label}{when}({start} 至 {end})没有检查督导记录",
                "overdue",
                end,
            )
