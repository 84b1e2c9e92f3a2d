"""演练: emergency drills, how often and of which kinds.

The seeds disagree (003: monthly for primary and secondary schools, quarterly for
kindergartens; 004: three whole-school drills a semester, mainly fire and earthquake), so the
frequencies are rule-set settings. A duty is checked once its period has ended: the latest
month, quarter or semester that ended before the day of evaluation must have its drills.
"""

from __future__ import annotations

from datetime import timedelta

from generator.core.dates import ONE_DAY, parse_date, period_of
from generator.core.rules.base import Deadline, Hit, due, rule

WHOLE_SCHOOL = "全校"
EVACUATION = ("消防疏散", "地震疏散", "防踩踏")
UNIT_WORDS = {"month": "每月", "quarter": "每季度"}


def _in(drills, period):
    return [(p, d, day) for p, d, day in drills if day in period]


@rule(
    id="drill.frequency",
    category="演练",
    severity="error",
    title="应急疏散演练次数不足(每月/每季度)",
    source="003 三(四)二(应急疏散演练); 中小学幼儿园应急疏散演练指南(教基一厅〔2014〕2号)",
    settings=("drills.interval", "drills.min_term_days"),
    fields=("profile.stage", "drills[].date", "drills[].kind"),
)
def frequency(school, ctx):
    """Only an evacuation drill (fire, earthquake, anti-trampling) counts for its month or
    quarter: 003 三(四)二 and the 2014 guide ask for 应急疏散演练, not any drill."""
    unit = ctx.setting("drills.interval").get(school.stage)
    if unit is None:
        return
    period = ctx.last_due_period(unit)
    if period is None:
        return
    drills = school.dated("drills", as_of=ctx.as_of)
    if not any(d.get("kind") in EVACUATION for _, d, _ in _in(drills, period)):
        yield Hit(
            ("drills",),
            f"{period.label}没有应急疏散演练记录({'、'.join(EVACUATION)}):"
            f"{school.stage}应{UNIT_WORDS[unit]}至少组织一次应急疏散演练"
            f"(应于 {period.end} 前完成)",
            "overdue",
            period.end,
        )


def _semester_duty(school, ctx, count, describe):
    """Hits for a per-semester duty: the semester now due, and the current one near its end.

    ``count(drills_in_semester)`` says what is missing ("" when nothing); ``describe(semester,
    missing)`` words the message.
    """
    drills = school.dated("drills", as_of=ctx.as_of)
    due = ctx.last_ended_semester
    missing = count(_in(drills, due.period))
    if missing:
        message = describe(due, missing) + f"(学期已于 {due.end} 结束)"
        yield Hit(("drills",), message, "overdue", due.end)
    current = ctx.current_semester
    warn = timedelta(days=ctx.setting("drills.semester_warn_days"))
    if current and ctx.as_of > current.end - warn:
        missing = count(_in(drills, current.period))
        if missing:
            message = describe(current, missing) + f"(学期将于 {current.end} 结束)"
            yield Hit(("drills",), message, "open", current.end)


@rule(
    id="drill.semester",
    category="演练",
    severity="error",
    title="每学期全校应急演练次数不足",
    source="004 三(三)2; 中小学幼儿园安全管理办法(教育部令第23号)第四十四条(未核实原文)",
    settings=("drills.semester_min_whole_school", "drills.semester_warn_days"),
    fields=("drills[].date", "drills[].scope"),
)
def semester(school, ctx):
    need = ctx.setting("drills.semester_min_whole_school")
    if need is None:
        return

    def count(drills):
        n = sum(d.get("scope") == WHOLE_SCHOOL for _, d, _ in drills)
        return f"{n}" if n < need else ""

    yield from _semester_duty(
        school,
        ctx,
        count,
        lambda s, n: f"{s.label}全校参加的应急演练 {n} 次,少于每学期 {need} 次",
    )


@rule(
    id="drill.semester_kinds",
    category="演练",
    severity="error",
    title="本学期缺少规定类型的演练(如消防、地震)",
    source="004 三(三)2(重点以防震、防火应急预案演练为主)",
    settings=("drills.semester_kinds", "drills.semester_warn_days"),
    fields=("drills[].date", "drills[].kind"),
)
def semester_kinds(school, ctx):
    kinds = ctx.setting("drills.semester_kinds")
    if not kinds:
        return

    def count(drills):
        held = {d.get("kind") for _, d, _ in drills}
        return "、".join(k for k in kinds if k not in held)

    yield from _semester_duty(school, ctx, count, lambda s, missing: f"{s.label}没有{missing}演练")


@rule(
    id="drill.bus",
    category="演练",
    severity="warning",
    title="有校车的学校未开展校车应急演练",
    source="中小学幼儿园应急疏散演练指南(教基一厅〔2014〕2号)(有校车的学校开展校车演练;频次为本项目设定)",
    settings=("drills.bus_drill_max_gap_days",),
    fields=("school_buses", "drills[].kind", "drills[].date"),
)
def bus(school, ctx):
    gap = ctx.setting("drills.bus_drill_max_gap_days")
    if gap is None or not school.get("school_buses"):
        return
    dates = [
        day for _, d, day in school.dated("drills", as_of=ctx.as_of) if d.get("kind") == "校车"
    ]
    if not dates:
        yield Hit(("drills",), "学校使用校车,但没有校车应急演练记录", "open")
        return
    last = max(dates)
    due = last + timedelta(days=gap)
    if ctx.as_of > due:
        yield Hit(
            ("drills",),
            f"最近一次校车演练在 {last},已超过 {gap} 天(应于 {due} 前再次演练)",
            "overdue",
            due,
        )


@rule(
    id="drill.evacuation_time",
    category="演练",
    severity="warning",
    title="最近一次疏散演练用时过长",
    source="中小学幼儿园应急疏散演练指南(教基一厅〔2014〕2号)(4层以下建筑:中学2分钟、小学3分钟)",
    settings=("drills.evacuation_limit_seconds",),
    fields=("profile.stage", "drills[].kind", "drills[].evacuation_seconds"),
)
def evacuation_time(school, ctx):
    limit = ctx.setting("drills.evacuation_limit_seconds").get(school.stage)
    if limit is None:
        return
    timed = [
        (day, path, d)
        for path, d, day in school.dated("drills", as_of=ctx.as_of)
        if d.get("kind") in EVACUATION and d.get("evacuation_seconds")
    ]
    if not timed:
        return
    day, path, d = max(timed, key=lambda t: (t[0], t[1]))
    if d["evacuation_seconds"] > limit:
        yield Hit(
            (*path, "evacuation_seconds"),
            f"最近一次疏散演练({d['date']},{d['kind']})用时 {d['evacuation_seconds']} 秒,"
            f"超过{school.stage}的 {limit} 秒,请改进疏散路线后再次演练",
            "open",
        )


@due("drill.frequency")
def _next_drill(school, ctx):
    """The end of the first month (or quarter) from ``as_of`` on that still needs an
    evacuation drill.

    The unit comes from the rule set (``drills.interval`` by stage); periods with fewer
    school days than ``drills.min_term_days`` (holidays) owe no drill."""
    unit = (ctx.setting("drills.interval") or {}).get(school.stage)
    if unit not in ("month", "quarter"):
        return
    min_days = ctx.setting("drills.min_term_days") or 0
    drilled = {  # as the rule counts them: evacuation drills only
        parse_date(d.get("date")) for _, d in school.items("drills") if d.get("kind") in EVACUATION
    }
    period = period_of(ctx.as_of, unit)
    for _ in range(8):  # at most two years ahead
        if ctx.calendar.term_days(period) >= min_days and not any(d in period for d in drilled):
            word = "本月" if unit == "month" else "本季度"
            yield Deadline(
                "drill",
                f"{period.start:%Y-%m}",
                period.end,
                f"应急演练:{period.label}至少组织一次",
                f"按规则集要求,{word}({period.label})应至少组织一次应急疏散演练,"
                f"截止 {period.end.isoformat()}。",
                "应急演练",
                (7, 1),
            )
            return
        period = period_of(period.end + ONE_DAY, unit)
