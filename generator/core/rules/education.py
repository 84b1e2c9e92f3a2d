"""教育: safety education hours in each school year."""

from __future__ import annotations

from datetime import timedelta

from generator.core.dates import school_year_label
from generator.core.rules.base import Hit, rule


def _hours(school, ctx, year: int) -> float:
    period = ctx.calendar.school_year_period(year)
    return sum(
        float(e.get("hours", 0))
        for _, e, day in school.dated("safety_education", as_of=ctx.as_of)
        if day in period
    )


@rule(
    id="education.hours",
    category="教育",
    severity="error",
    title="每学年安全教育课时不足",
    source="003 三(四)一(中小学每学年不少于12个课时); 004 三(四)1(公共安全教育开课率100%); 002 二12",
    settings=("education.min_hours_per_year", "education.stages", "education.warn_days"),
    fields=("profile.stage", "safety_education[].date", "safety_education[].hours"),
)
def hours(school, ctx):
    need = ctx.setting("education.min_hours_per_year")
    if need is None or school.stage not in ctx.setting("education.stages"):
        return
    # The school year now due: the latest whose last semester has ended.
    due_year = ctx.last_ended_semester.school_year
    if ctx.last_ended_semester.number == 1:
        due_year -= 1
    have = _hours(school, ctx, due_year)
    if have < need:
        yield Hit(
            ("safety_education",),
            f"{school_year_label(due_year)}安全教育 {have:g} 课时,少于每学年 {need:g} 课时",
            "overdue",
            ctx.calendar.semesters_of(due_year)[1].end,
        )
    current = ctx.current_semester
    warn = timedelta(days=ctx.setting("education.warn_days"))
    if current and current.number == 2 and ctx.as_of > current.end - warn:
        have = _hours(school, ctx, current.school_year)
        if have < need:
            yield Hit(
                ("safety_education",),
                f"本学年({school_year_label(current.school_year)})安全教育 {have:g} 课时,少于 {need:g} 课时"
                f"(学期将于 {current.end} 结束)",
                "open",
                current.end,
            )


@rule(
    id="education.hotline",
    category="教育",
    severity="warning",
    title="未公告心理咨询热线",
    source="002 二8(公告区心理咨询中心热线电话及咨询方式)",
    fields=("student_support.hotline_posted",),
)
def hotline(school, ctx):
    if school.get("student_support", "hotline_posted") is not True:
        yield Hit(("student_support",), "未公告心理咨询热线电话及咨询方式")


@rule(
    id="education.help_line",
    category="教育",
    severity="warning",
    title="未设立学生求助电话和联系人",
    source="002 二12(设立学生求助电话和联系人)",
    fields=("student_support.help_line",),
)
def help_line(school, ctx):
    if school.get("student_support", "help_line") is not True:
        yield Hit(("student_support",), "未设立学生求助电话和联系人")
