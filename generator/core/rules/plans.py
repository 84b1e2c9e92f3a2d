"""预案: emergency plans, made and revised as circumstances change."""

from __future__ import annotations

from datetime import timedelta

from generator.core.dates import parse_date
from generator.core.rules.base import Hit, rule


@rule(
    id="plan.missing",
    category="预案",
    severity="error",
    title="没有应急预案",
    source="004 三(三)1(学校制定应急预案率100%); 002 二11; 003 三(五)四",
    fields=("emergency_plans",),
)
def missing(school, ctx):
    if not school.get("emergency_plans"):
        yield Hit(("emergency_plans",), "没有制定突发事件应急预案")


@rule(
    id="plan.stale",
    category="预案",
    severity="warning",
    title="应急预案长期未修订",
    source="003 三(五)四(根据学校实际和形势变化,适时修订应急预案); 002 二11; 修订间隔为规则集设置",
    settings=("plans.max_age_days",),
    fields=("emergency_plans[].revised",),
)
def stale(school, ctx):
    days = ctx.setting("plans.max_age_days")
    if days is None:
        return
    for path, plan in school.items("emergency_plans"):
        revised = parse_date(plan.get("revised"))
        if revised is not None and ctx.as_of > (due := revised + timedelta(days=days)):
            yield Hit(
                (*path, "revised"),
                f"应急预案“{plan['title']}”最近一次修订在 {revised},已超过 {days} 天未修订",
                "overdue",
                due,
            )


@rule(
    id="plan.supplies",
    category="预案",
    severity="error",
    title="应急物资未配备",
    source="004 三(三)1(应急物资配备率100%); 003 三(五)四(加强应急物资储备)",
    fields=("emergency_supplies.stocked",),
)
def supplies(school, ctx):
    if school.get("emergency_supplies", "stocked") is not True:
        yield Hit(("emergency_supplies",), "未按应急预案配齐应急物资")
