"""食堂: accompanied meals (陪餐), food samples (留样), open kitchen (明厨亮灶), licence."""

from __future__ import annotations

from datetime import timedelta

from generator.core.dates import parse_date
from generator.core.rules.base import Hit, recurring, rule


def _canteen(school):
    canteen = school.get("canteen")
    return canteen if canteen and canteen.get("operated") else None


@rule(
    id="canteen.accompanied_meals",
    category="食堂",
    severity="error",
    title="未落实学校负责人陪餐记录",
    source="003 三(六)2(校长陪餐); 学校食品安全与营养健康管理规定(2019); 001 三(二)5",
    fields=("canteen.accompanied_meals_recorded",),
)
def accompanied_meals(school, ctx):
    canteen = _canteen(school)
    if canteen is not None and canteen.get("accompanied_meals_recorded") is not True:
        yield Hit(("canteen",), "未落实学校负责人陪餐制度并记录")


@rule(
    id="canteen.meal_record_stale",
    category="食堂",
    severity="warning",
    title="陪餐记录长时间未更新",
    source="学校食品安全与营养健康管理规定(2019)(每餐陪餐并记录); 间隔为规则集设置",
    settings=("canteen.meal_record_max_gap_days",),
    fields=("canteen.last_accompanied_meal",),
)
def meal_record_stale(school, ctx):
    canteen, gap = _canteen(school), ctx.setting("canteen.meal_record_max_gap_days")
    semester = ctx.current_semester
    if (
        canteen is None
        or gap is None
        or semester is None
        or canteen.get("accompanied_meals_recorded") is not True
    ):
        return
    last = parse_date(canteen.get("last_accompanied_meal"))
    since = max(semester.start, last) if last else semester.start
    due = since + timedelta(days=gap)
    if ctx.as_of > due:
        when = f"最近一次陪餐记录在 {last}" if last else "没有陪餐记录日期"
        yield Hit(("canteen",), f"学期中{when},已超过 {gap} 天(应于 {due} 前再次陪餐并记录)", due=due)


@rule(
    id="canteen.samples",
    category="食堂",
    severity="error",
    title="食品留样不符合要求",
    source="003 三(六)2(食品留样); 学校食品安全与营养健康管理规定(2019)(每样不少于125克、冷藏48小时以上并记录)",
    settings=("canteen.sample_grams", "canteen.sample_hours"),
    fields=("canteen.sample_grams", "canteen.sample_hours", "canteen.sample_log"),
)
def samples(school, ctx):
    canteen = _canteen(school)
    if canteen is None:
        return
    grams, hours = ctx.setting("canteen.sample_grams"), ctx.setting("canteen.sample_hours")
    problems = []
    if canteen.get("sample_grams") is None or canteen["sample_grams"] < grams:
        problems.append(f"每样留样不足 {grams} 克" if "sample_grams" in canteen else "未写留样克数")
    if canteen.get("sample_hours") is None or canteen["sample_hours"] < hours:
        problems.append(
            f"冷藏保存不足 {hours} 小时" if "sample_hours" in canteen else "未写留样时长"
        )
    if canteen.get("sample_log") is not True:
        problems.append("没有留样记录")
    if problems:
        yield Hit(("canteen",), f"食品留样不符合要求:{'、'.join(problems)}")


@rule(
    id="canteen.open_kitchen",
    category="食堂",
    severity="warning",
    title="食堂未实现明厨亮灶",
    source="003 三(六)2(“互联网+明厨亮灶”建设)",
    fields=("canteen.open_kitchen",),
)
def open_kitchen(school, ctx):
    canteen = _canteen(school)
    if canteen is not None and canteen.get("open_kitchen") is not True:
        yield Hit(("canteen",), "食堂未实现“明厨亮灶”")


@rule(
    id="canteen.licence_expired",
    category="食堂",
    severity="error",
    title="食品经营许可证已过期",
    source="学校食品安全与营养健康管理规定(2019)(食堂应取得许可证)(未核实原文); 003 三(六)2",
    fields=("canteen.licence_valid_until",),
)
def licence_expired(school, ctx):
    canteen = _canteen(school)
    until = parse_date((canteen or {}).get("licence_valid_until"))
    if until is not None and ctx.as_of > until:
        yield Hit(
            ("canteen", "licence_valid_until"), f"食品经营许可证已于 {until} 过期", "overdue", until
        )


@rule(
    id="canteen.staff_health",
    category="食堂",
    severity="error",
    title="食堂从业人员健康证明不全",
    source="003 三(六)2(从业人员健康体检)",
    fields=("canteen.staff_health_certified",),
)
def staff_health(school, ctx):
    canteen = _canteen(school)
    if canteen is not None and canteen.get("staff_health_certified") is not True:
        yield Hit(("canteen",), "食堂从业人员未全部持有效健康证明")


@rule(
    id="canteen.purchase_records",
    category="食堂",
    severity="error",
    title="食品原材料未索证索票",
    source="003 三(六)2(原材料索证索票); 001 三(二)5(食品采购追溯体系)",
    fields=("canteen.purchase_records",),
)
def purchase_records(school, ctx):
    canteen = _canteen(school)
    if canteen is not None and canteen.get("purchase_records") is not True:
        yield Hit(("canteen",), "食品原材料采购未落实索证索票")


@rule(
    id="canteen.flue",
    category="食堂",
    severity="warning",
    title="食堂油烟管道长时间未清理",
    source="001 三(二)2(食堂油烟管道清理); 每季度清理一次(92天)为本项目设定",
    settings=("canteen.flue_max_days",),
    fields=("canteen.flue_cleaned",),
)
def flue(school, ctx):
    canteen, days = _canteen(school), ctx.setting("canteen.flue_max_days")
    if canteen is None or days is None:
        return
    yield from recurring(
        canteen.get("flue_cleaned"), ctx.as_of, days, ("canteen",), "flue_cleaned",
        "没有食堂油烟管道清理记录", "食堂油烟管道最近一次清理在 {last},已超过 {days} 天",
    )  # fmt: skip


@rule(
    id="canteen.gas",
    category="食堂",
    severity="error",
    title="食堂燃气安全措施或液化气钢瓶库不规范",
    source="002 二5(检查食堂燃气安全措施,液化气钢瓶瓶库设置是否规范); 001 三(二)2(学校用气)",
    fields=("canteen.gas_safety", "canteen.lpg_store"),
)
def gas(school, ctx):
    canteen = _canteen(school)
    if canteen is None:
        return
    problems = []
    if canteen.get("gas_safety") is not True:
        problems.append("燃气安全措施未落实")
    if canteen.get("lpg_store") == "不规范":
        problems.append("液化气钢瓶库设置不规范")
    if problems:
        yield Hit(("canteen",), f"食堂{'、'.join(problems)}")
