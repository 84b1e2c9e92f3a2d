"""特种设备: boilers, lifts, pressure vessels: periodic inspection, maintenance, operators."""

from __future__ import annotations

from datetime import timedelta

from generator.core.dates import parse_date
from generator.core.rules.base import Deadline, Hit, due, rule


@rule(
    id="special.inspection_overdue",
    category="特种设备",
    severity="error",
    title="特种设备超过定期检验日期",
    source="003 三(六)4(加强对特种设备日常检查保养); 特种设备安全法; 001 三(二)1",
    fields=("special_equipment[].next_inspection",),
)
def inspection_overdue(school, ctx):
    for path, item in school.items("special_equipment"):
        due = parse_date(item.get("next_inspection"))
        if due is not None and ctx.as_of > due:
            yield Hit(
                (*path, "next_inspection"),
                f"特种设备“{item['name']}”({item['kind']})的定期检验已于 {due} 到期,已逾期",
                "overdue",
                due,
            )


@rule(
    id="special.inspection_due",
    category="特种设备",
    severity="warning",
    title="特种设备定期检验即将到期",
    source="特种设备安全法(检验合格有效期届满前一个月提出定期检验要求)",
    settings=("special_equipment.request_days_before",),
    fields=("special_equipment[].next_inspection",),
)
def inspection_due(school, ctx):
    days = ctx.setting("special_equipment.request_days_before")
    for path, item in school.items("special_equipment"):
        due = parse_date(item.get("next_inspection"))
        if due is not None and ctx.as_of <= due <= ctx.as_of + timedelta(days=days):
            yield Hit(
                (*path, "next_inspection"),
                f"特种设备“{item['name']}”的定期检验将于 {due} 到期,应在到期前一个月申请检验",
                due=due,
            )


@rule(
    id="special.operator",
    category="特种设备",
    severity="error",
    title="特种设备作业人员未持证上岗",
    source="003 三(六)4(特种设备管理人员须持证上岗)",
    fields=("special_equipment[].operator_certified",),
)
def operator(school, ctx):
    for path, item in school.items("special_equipment"):
        if item.get("operator_certified") is False:
            yield Hit(
                (*path, "operator_certified"), f"特种设备“{item['name']}”的作业人员未持证上岗"
            )


UPKEEP = {"电梯": "lift_maintenance_days", "锅炉": "upkeep_days", "压力容器": "upkeep_days",
          "压力管道": "upkeep_days"}
"""The kinds whose upkeep is checked, with the setting that gives their longest gap."""


@rule(
    id="special.lift_maintenance",
    category="特种设备",
    severity="error",
    title="电梯、锅炉、压力容器超过期限未维护保养",
    source="特种设备安全监察条例 第三十一条(电梯至少每15日维护保养一次); "
    "003 三(六)4(加强锅炉、电梯、压力容器、管道……日常检查保养); 锅炉和压力容器的30天为本项目设定",
    settings=("special_equipment.lift_maintenance_days", "special_equipment.upkeep_days"),
    fields=("special_equipment[].kind", "special_equipment[].last_maintenance"),
)
def lift_maintenance(school, ctx):
    for path, item in school.items("special_equipment"):
        setting = UPKEEP.get(item.get("kind"))
        days = ctx.setting(f"special_equipment.{setting}") if setting else None
        if days is None:
            continue
        last = parse_date(item.get("last_maintenance"))
        name = f"{item['kind']}“{item['name']}”"
        if last is None:
            yield Hit(path, f"{name}没有维护保养记录")
        elif ctx.as_of > last + timedelta(days=days):
            due = last + timedelta(days=days)
            yield Hit(
                (*path, "last_maintenance"),
                f"{name}最近一次维保在 {last},应于 {due} 前再次维保",
                "overdue",
                due,
            )


@due("special.inspection_due")
def _inspection_dates(school, ctx):
    request = ctx.setting("special_equipment.request_days_before") or 30
    for _, e in school.items("special_equipment"):
        next_inspection = parse_date(e.get("next_inspection"))
        if next_inspection and e.get("name"):
            yield Deadline(
                "equipment",
                e["name"],
                next_inspection,
                f"特种设备定期检验到期:{e['name']}",
                f"{e.get('kind', '')}“{e['name']}”的定期检验 {next_inspection.isoformat()} 到期,"
                f"请至少提前 {request} 天向检验机构提出检验申请。",
                "特种设备",
                (request, 7),
            )
