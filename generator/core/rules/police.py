"""一校一警: the assigned police officer, the notice board at the gate, the school-gate guard
posts (护学岗). The notice's fields have no national template: which are required is a
rule-set setting."""

from __future__ import annotations

from generator.core import schema
from generator.core.dates import parse_date
from generator.core.rules.base import Hit, rule


@rule(
    id="police.notice_fields",
    category="一校一警",
    severity="error",
    title="一校一警信息不完整",
    source="000 二(二)2(完善“一校一警”信息); 004 三(二)2(民警联系中小学的桥梁纽带作用); "
    "民警姓名、派出所、值班电话由档案格式要求,其余必填项为规则集设置",
    settings=("police.notice_fields",),
    fields=(
        "police.officer",
        "police.badge_no",
        "police.station",
        "police.duty_phone",
        "police.duties",
        "police.complaint_phone",
    ),
)
def notice_fields(school, ctx):
    missing = [f for f in ctx.setting("police.notice_fields") if not school.get("police", f)]
    if missing:
        names = "、".join(schema.title(schema.at(("police",)), f) for f in missing)
        yield Hit(("police",), f"一校一警公示信息不完整:缺少{names}")


@rule(
    id="police.notice_posted",
    category="一校一警",
    severity="error",
    title="一校一警公示牌未张贴",
    source="000 二(二)2(在学校门口明显位置悬挂“一校一警”公示牌)",
    fields=("police.notice_posted",),
)
def notice_posted(school, ctx):
    posted = parse_date(school.get("police", "notice_posted"))
    if posted is None:
        yield Hit(("police",), "一校一警公示牌未在校门口张贴(没有张贴日期)")
    elif posted > ctx.as_of:  # a date still to come: not posted yet on the day evaluated
        yield Hit(
            ("police", "notice_posted"), f"一校一警公示牌的张贴日期 {posted} 尚未到来,目前未张贴"
        )


@rule(
    id="police.escort_posts",
    category="一校一警",
    severity="warning",
    title="未设置护学岗",
    source="004 三(二)1(护学岗设置率100%); 001 三(二)3",
    fields=("police.escort_posts",),
)
def escort_posts(school, ctx):
    if not school.get("police", "escort_posts"):
        yield Hit(("police",), "未设置上下学时段的护学岗")


@rule(
    id="police.legal_counsellor",
    category="一校一警",
    severity="warning",
    title="没有民警兼任法制辅导员",
    source="004 三(四)2(选派公安民警兼任学校法制辅导员)",
    fields=("police.legal_counsellor",),
)
def legal_counsellor(school, ctx):
    if school.get("police", "legal_counsellor") is not True:
        yield Hit(("police",), "没有公安民警兼任学校法制辅导员")
