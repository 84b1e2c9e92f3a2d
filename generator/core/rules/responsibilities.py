"""责任: the responsibility list: leadership group, safety staff, post letters, meetings.

The whole section is private (names, posts): messages name items by their number only.
"""

from __future__ import annotations

from datetime import timedelta

from generator.core.dates import parse_date, school_year_label
from generator.core.rules.base import Hit, recurring, rule


@rule(
    id="resp.leadership_group",
    category="责任",
    severity="error",
    title="未成立由校长任组长的安全工作领导小组",
    source="002 二1(由单位主要领导任组长); 004 三(一)1; 000 四(一)",
    fields=("responsibilities.leadership_group.leader", "profile.principal"),
)
def leadership_group(school, ctx):
    leader = school.get("responsibilities", "leadership_group", "leader")
    principal = school.get("profile", "principal")
    if not leader:
        yield Hit(
            ("responsibilities",), "未成立由校长任组长的安全工作领导小组(责任清单中没有领导小组)"
        )
    elif principal and leader != principal:
        yield Hit(
            ("responsibilities", "leadership_group", "leader"),
            "安全工作领导小组的组长不是校长(学校基本信息中的校长):应由学校主要领导任组长",
        )


@rule(
    id="resp.safety_representative",
    category="责任",
    severity="error",
    title="未明确安全管理代表",
    source="002 二1; 004 三(一)1",
    fields=("responsibilities.safety_representative",),
)
def safety_representative(school, ctx):
    if not school.get("responsibilities", "safety_representative", "name"):
        yield Hit(("responsibilities",), "未明确学校安全管理代表(专职安全管理人员)")


@rule(
    id="resp.full_time_safety_staff",
    category="责任",
    severity="warning",
    title="安全管理人员不是专职",
    source="004 三(一)1(配齐安全管理专职人员率达100%)",
    fields=("responsibilities.safety_representative.full_time",),
)
def full_time_safety_staff(school, ctx):
    if school.get("responsibilities", "safety_representative", "full_time") is False:
        yield Hit(
            ("responsibilities", "safety_representative", "full_time"),
            "安全管理代表不是专职人员:应配齐安全管理专职人员",
        )


@rule(
    id="resp.minor_protection_officer",
    category="责任",
    severity="error",
    title="未明确未成年人保护专职干部",
    source="002 二1",
    fields=("responsibilities.minor_protection_officer",),
)
def minor_protection_officer(school, ctx):
    if not school.get("responsibilities", "minor_protection_officer", "name"):
        yield Hit(("responsibilities",), "未明确未成年人保护工作专职干部")


@rule(
    id="resp.letters",
    category="责任",
    severity="error",
    title="岗位安全责任书本学年未签订",
    source="004 三(一)1(学校岗位安全责任率达到100%); 000 二(一)1; 003 三(二)三(一岗双责); "
    "每学年开学后30天内签订为本项目设定",
    settings=("responsibilities.letters_due_days",),
    fields=("responsibilities.posts[].letter_signed",),
)
def letters(school, ctx):
    posts = list(school.items("responsibilities", "posts"))
    if not posts:
        yield Hit(("responsibilities",), "责任清单中没有岗位安全责任(一岗双责)")
        return
    days = ctx.setting("responsibilities.letters_due_days")
    if days is None:
        return
    start = ctx.school_year_start
    due = start + timedelta(days=days)
    if ctx.as_of <= due:
        return
    year = school_year_label(ctx.school_year)
    for path, post in posts:
        signed = parse_date(post.get("letter_signed"))
        if signed is None or signed < start or signed > ctx.as_of:
            yield Hit(
                (*path, "letter_signed") if signed else path,
                f"岗位责任 第{path[-1] + 1}项 的安全责任书{year}尚未签订(应于 {due} 前签订)",
                "overdue",
                due,
            )


@rule(
    id="resp.meetings",
    category="责任",
    severity="warning",
    title="未定期召开安全会商",
    source="002 二1(定期会商制度); 000 二(一)2(定期研究解决安全重大问题的会议制度)、四(三)(月度会商); "
    "会商间隔为规则集设置,基线的92天(每季度一次)为本项目设定",
    settings=("responsibilities.meeting_max_gap_days",),
    fields=("responsibilities.meetings[].date",),
)
def meetings(school, ctx):
    gap = ctx.setting("responsibilities.meeting_max_gap_days")
    if gap is None:
        return
    dates = [d for _, _, d in school.dated("responsibilities", "meetings", as_of=ctx.as_of)]
    if not dates:
        yield Hit(("responsibilities",), "没有安全会商记录")
    elif ctx.as_of > max(dates) + timedelta(days=gap):  # the dates are private: no due
        yield Hit(
            ("responsibilities", "meetings"), f"已超过 {gap} 天没有召开安全会商", "overdue"
        )


@rule(
    id="resp.safety_office",
    category="责任",
    severity="error",
    title="未设立安全管理工作专职机构",
    source="004 三(一)1(设立安全管理工作专职机构率达到100%)",
    fields=("responsibilities.safety_office",),
)
def safety_office(school, ctx):
    if school.get("responsibilities", "safety_office") is not True:
        yield Hit(("responsibilities",), "未设立安全管理工作专职机构(如安全办、保卫处)")


SAFETY_RULES = (
    "安全岗位责任分工",
    "安全教育",
    "食堂及食品",
    "消防",
    "校舍",
    "校车",
    "门卫",
    "外来车辆登记检查",
    "隐患排查整改",
    "治安巡逻突发事件",
)
"""The ten safety rules 004 三(一)5 names; 食堂及食品 and 校车 only where the school has them."""


@rule(
    id="resp.safety_rules",
    category="责任",
    severity="warning",
    title="安全管理制度不健全",
    source="004 三(一)5(学校安全工作制度建设率100%:岗位责任分工、安全教育、食堂及食品、消防、校舍、"
    "校车、门卫、外来车辆登记检查、隐患排查整改、治安巡逻突发事件等制度)",
    fields=("responsibilities.safety_rules", "canteen.operated", "school_buses"),
)
def safety_rules(school, ctx):
    have = set(school.get("responsibilities", "safety_rules", default=()) or ())
    skip = set()
    if not school.get("canteen", "operated"):
        skip.add("食堂及食品")
    if not school.get("school_buses"):
        skip.add("校车")
    missing = [r for r in SAFETY_RULES if r not in have and r not in skip]
    if missing:
        yield Hit(("responsibilities",), f"未建立以下安全管理制度:{'、'.join(missing)}")


@rule(
    id="resp.warning_education",
    category="责任",
    severity="warning",
    title="未组织教职员工事故警示教育",
    source="003 三(一)二(各学校组织全体教职员工,至少开展一次集中警示教育)",
    fields=("responsibilities.warning_education",),
)
def warning_education(school, ctx):
    if parse_date(school.get("responsibilities", "warning_education")) is None:
        yield Hit(("responsibilities",), "没有组织全体教职员工开展集中事故警示教育的记录")


@rule(
    id="resp.safety_talk",
    category="责任",
    severity="warning",
    title="本年度未开展安全对话谈心",
    source="003 三(一)三(每年组织开展一次安全对话谈心活动); 按365天计为本项目设定",
    settings=("responsibilities.talk_max_gap_days",),
    fields=("responsibilities.safety_talk",),
)
def safety_talk(school, ctx):
    gap = ctx.setting("responsibilities.talk_max_gap_days")
    if gap is None:
        return
    yield from recurring(
        school.get("responsibilities", "safety_talk"), ctx.as_of, gap, ("responsibilities",),
        "safety_talk", "没有主要负责人与教职员工安全对话谈心的记录",
        "已超过 {days} 天没有开展安全对话谈心", private=True,
    )  # fmt: skip
