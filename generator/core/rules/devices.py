"""人防、物防、技防: guards and patrols, protective equipment and barriers, video and alarms.

Exact locations of cameras and alarms and the guards' names are private: messages name
items by their kind or number.
"""

from __future__ import annotations

from datetime import timedelta

from generator.core.dates import parse_date
from generator.core.rules.base import Deadline, Hit, due, recurring, rule

# ---------------------------------------------------------------------------------------------
# 人防


def _guards(school):
    return list(school.items("devices", "guards"))


@rule(
    id="guard.full_time",
    category="人防",
    severity="error",
    title="没有专职保安员",
    source="004 三(一)2; 001 五(四); “三个100%”(专职保安)",
    fields=("devices.guards[].full_time",),
)
def full_time(school, ctx):
    if not any(g.get("full_time") for _, g in _guards(school)):
        yield Hit(("devices", "guards"), "没有专职保安员:中小学、幼儿园专职保安配备率应达到100%")


def required_guards(headcount: int, steps: dict) -> int:
    """Guards a school of ``headcount`` people needs (公治〔2015〕168号 as cited): fewer than
    100: 1; up to 1000: 2; then one more for every 500 or part of it."""
    if headcount < steps["small_below"]:
        return steps["small"]
    if headcount <= steps["medium_up_to"]:
        return steps["medium"]
    extra = -(-(headcount - steps["medium_up_to"]) // steps["extra_per"])
    return steps["medium"] + extra


def guard_headcount(school, basis: str) -> int:
    """The people guards are counted for: 师生 (students and staff), 学生, or 走读学生
    (students less boarders)."""
    students = int(school.get("profile", "students", default=0))
    if basis == "学生":
        return students
    if basis == "走读学生":
        return max(students - int(school.get("profile", "boarding_students", default=0)), 0)
    return school.headcount


@rule(
    id="guard.count",
    category="人防",
    severity="error",
    title="专职保安员人数不足",
    source="中小学幼儿园安全防范工作规范(试行)(公治〔2015〕168号)(据地方文件转引,未核实原文); "
    "GB/T 29315-2022(据转述按走读学生计、1000人以上至少3名,未核实原文); 002 二3; "
    "人数基数和各档人数为规则集设置",
    settings=("guards.min_guards", "guards.headcount_basis"),
    fields=(
        "profile.students",
        "profile.staff",
        "profile.boarding_students",
        "devices.guards[].full_time",
    ),
)
def count(school, ctx):
    steps = ctx.setting("guards.min_guards")
    if steps is None:
        return
    basis = ctx.setting("guards.headcount_basis")
    people = guard_headcount(school, basis)
    need = required_guards(people, steps)
    have = sum(bool(g.get("full_time")) for _, g in _guards(school))
    if 0 < have < need:  # none at all is guard.full_time's finding
        yield Hit(
            ("devices", "guards"),
            f"专职保安员 {have} 名,按{basis} {people} 人应至少配备 {need} 名",
        )


@rule(
    id="guard.certified",
    category="人防",
    severity="error",
    title="保安员未持证上岗",
    source="000 二(二)1(督促无证保安及时办理保安证); 保安服务管理条例",
    fields=("devices.guards[].certified",),
)
def certified(school, ctx):
    for path, g in _guards(school):
        if g.get("certified") is False:
            yield Hit((*path, "certified"), f"保安员 第{path[-1] + 1}名 未持保安员证上岗")


@rule(
    id="guard.duty_24h",
    category="人防",
    severity="error",
    title="校门未实行24小时值守",
    source="000 二(二)1; GB/T 29315-2022",
    fields=("devices.duty_24h",),
)
def duty_24h(school, ctx):
    if school.get("devices", "duty_24h") is False:
        yield Hit(("devices", "duty_24h"), "校门未实行24小时值班值守")


@rule(
    id="guard.patrols",
    category="人防",
    severity="error",
    title="重点部位每日巡查次数不足",
    source="000 二(二)1(每日巡查学校重点部位不少于5次); GB/T 29315-2022; 004 三(一)4(日巡查率)",
    settings=("guards.patrols_per_day",),
    fields=("devices.patrols_per_day",),
)
def patrols(school, ctx):
    need = ctx.setting("guards.patrols_per_day")
    have = school.get("devices", "patrols_per_day")
    if need is not None and have is not None and have < need:
        yield Hit(("devices", "patrols_per_day"), f"重点部位每日巡查 {have} 次,少于 {need} 次")


@rule(
    id="guard.peak_hours",
    category="人防",
    severity="warning",
    title="上下学时段未叠加保安",
    source="002 二3(特别是上学、放学时段叠加保安)",
    fields=("devices.peak_extra_guards",),
)
def peak_hours(school, ctx):
    if school.get("devices", "peak_extra_guards") is not True:
        yield Hit(("devices",), "上学、放学时段校门口未叠加保安力量")


@rule(
    id="guard.dorm_managers",
    category="人防",
    severity="error",
    title="寄宿制学校未配专职宿舍管理员",
    source="002 二3(寄宿制校园设专职宿舍管理员)",
    fields=("profile.boarding", "devices.dorm_managers"),
)
def dorm_managers(school, ctx):
    if school.get("profile", "boarding") and not school.get("devices", "dorm_managers"):
        yield Hit(("devices",), "寄宿制学校没有专职宿舍管理员")


@rule(
    id="guard.logs",
    category="人防",
    severity="warning",
    title="保安交接登记、巡查登记未落实",
    source="000 二(二)1(规范校园保安交接登记、巡查登记制度)",
    fields=("devices.handover_log", "devices.patrol_log"),
)
def logs(school, ctx):
    missing = [
        word
        for key, word in (("handover_log", "交接登记"), ("patrol_log", "巡查登记"))
        if school.get("devices", key) is not True
    ]
    if missing:
        yield Hit(("devices",), f"保安{'、'.join(missing)}制度未落实")


# ---------------------------------------------------------------------------------------------
# 物防


@rule(
    id="device.equipment_missing",
    category="物防",
    severity="error",
    title="保安防护器械未配齐",
    source="004 三(一)2(配齐保安器械); 002 二3(配备必要的安全防护、应急处置装备); "
    "000 二(二)1(着防刺背心,携带橡胶警棍、警用自卫喷雾和一键报警遥控器); 必配种类为规则集设置",
    settings=("devices.required_equipment",),
    fields=("devices.protective_equipment[].kind", "devices.protective_equipment[].count"),
)
def equipment_missing(school, ctx):
    """No equipment at all is a finding under every rule set (004 三(一)2 配齐保安器械);
    which kinds are required is the rule set's list (000 names four)."""
    have = {
        e.get("kind")
        for _, e in school.items("devices", "protective_equipment")
        if e.get("count", 0) > 0
    }
    if not have:
        yield Hit(("devices", "protective_equipment"), "没有配备保安防护器械")
        return
    missing = [k for k in ctx.setting("devices.required_equipment") if k not in have]
    if missing:
        yield Hit(("devices", "protective_equipment"), f"防护器械未配齐:缺少{'、'.join(missing)}")


@rule(
    id="device.equipment_expired",
    category="物防",
    severity="error",
    title="防卫喷雾等器械已过期",
    source="000 二(二)2(及时更换损坏过期的警用自卫喷雾器)",
    fields=("devices.protective_equipment[].expires",),
)
def equipment_expired(school, ctx):
    for path, e in school.items("devices", "protective_equipment"):
        expires = parse_date(e.get("expires"))
        if expires is not None and ctx.as_of > expires and e.get("count", 0) > 0:
            yield Hit(
                (*path, "expires"), f"{e['kind']}已于 {expires} 过期,须及时更换", "overdue", expires
            )


@rule(
    id="device.equipment_expiring",
    category="物防",
    severity="warning",
    title="防卫喷雾等器械即将过期",
    source="000 二(二)2(及时更换损坏过期的警用自卫喷雾器)",
    settings=("devices.equipment_warn_days",),
    fields=("devices.protective_equipment[].expires",),
)
def equipment_expiring(school, ctx):
    days = ctx.setting("devices.equipment_warn_days")
    for path, e in school.items("devices", "protective_equipment"):
        expires = parse_date(e.get("expires"))
        if (
            expires is not None
            and ctx.as_of <= expires <= ctx.as_of + timedelta(days=days)
            and e.get("count", 0) > 0
        ):
            yield Hit((*path, "expires"), f"{e['kind']}将于 {expires} 到期,请提前更换", due=expires)


@rule(
    id="device.anti_collision",
    category="物防",
    severity="error",
    title="校门口未设置防冲撞设施",
    source="004 三(一)3; 002 二3; 001 三(二)3; GB/T 29315-2022 附录A(征求意见稿措辞)",
    fields=("devices.anti_collision.installed",),
)
def anti_collision(school, ctx):
    if school.get("devices", "anti_collision", "installed") is not True:
        yield Hit(
            ("devices", "anti_collision"), "校门口未设置隔离栏、隔离墩或升降柱等硬质防冲撞设施"
        )


@rule(
    id="device.closed_campus",
    category="物防",
    severity="error",
    title="校园未实行封闭化管理",
    source="004 三(一)3(封闭管理达100%); 002 二3; “三个100%”(封闭化管理)",
    fields=("devices.closed_campus",),
)
def closed_campus(school, ctx):
    if school.get("devices", "closed_campus") is False:
        yield Hit(("devices", "closed_campus"), "校园未实行封闭化管理")


@rule(
    id="device.fire_equipment",
    category="物防",
    severity="error",
    title="消防设施超过检查期限",
    source="001 三(二)2(消防设施、器材维保); 002 二4; 检查间隔为规则集设置",
    settings=("devices.fire_inspection_max_days",),
    fields=("devices.fire_equipment[].next_inspection", "devices.fire_equipment[].last_inspected"),
)
def fire_equipment(school, ctx):
    max_days = ctx.setting("devices.fire_inspection_max_days")
    for path, e in school.items("devices", "fire_equipment"):
        due = parse_date(e.get("next_inspection"))
        if due is None and max_days is not None:
            last = parse_date(e.get("last_inspected"))
            due = last + timedelta(days=max_days) if last else None
        if due is not None and ctx.as_of > due:
            yield Hit(
                (*path, "next_inspection" if "next_inspection" in e else "last_inspected"),
                f"消防设施({e['kind']})应于 {due} 前检查,已逾期",
                "overdue",
                due,
            )


@rule(
    id="device.fire_failed",
    category="物防",
    severity="error",
    title="失效的消防设施未更换",
    source="000 二(二)2(及时修复更换失效的标识); 001 三(二)2",
    fields=("devices.fire_equipment[].failed",),
)
def fire_failed(school, ctx):
    for path, e in school.items("devices", "fire_equipment"):
        if e.get("failed", 0) > 0:
            yield Hit((*path, "failed"), f"消防设施({e['kind']})有 {e['failed']} 个失效待更换")


@rule(
    id="device.evacuation_signs",
    category="物防",
    severity="error",
    title="疏散指示标志不符合国家标准",
    source="000 二(二)2(在规定点位设置国标应急疏散指示标识); 002 二4",
    fields=("devices.fire_equipment[].kind", "devices.fire_equipment[].national_standard"),
)
def evacuation_signs(school, ctx):
    signs = [
        (p, e)
        for p, e in school.items("devices", "fire_equipment")
        if e.get("kind") == "疏散指示标志"
    ]
    if not signs:
        yield Hit(("devices", "fire_equipment"), "消防设施中没有疏散指示标志")
    for path, e in signs:
        if e.get("national_standard") is False:
            yield Hit((*path, "national_standard"), "疏散指示标志不符合国家标准,须更换为国标标识")


@rule(
    id="device.key_rooms",
    category="物防",
    severity="warning",
    title="重点部位未加装防护栏和报警器",
    source="000 二(二)3(食堂伙房、化学实验室及药品库房、财务室、计算机室等重点部位加装金属防护栏和报警器)",
    settings=("devices.key_room_protection",),
    fields=("devices.key_rooms[].guard_rail", "devices.key_rooms[].alarm"),
)
def key_rooms(school, ctx):
    needed = ctx.setting("devices.key_room_protection")
    if not needed:
        return
    words = {"guard_rail": "金属防护栏", "alarm": "报警器"}
    for path, room in school.items("devices", "key_rooms"):
        missing = [words[k] for k in needed if room.get(k) is not True]
        if missing:
            yield Hit(path, f"重点部位 第{path[-1] + 1}项 未加装{'和'.join(missing)}")


@rule(
    id="device.fire_acceptance",
    category="物防",
    severity="error",
    title="校舍未通过消防验收或备案",
    source="001 三(二)2(学校建筑物或场所依法通过消防验收或消防备案)",
    fields=("devices.fire_acceptance",),
)
def fire_acceptance(school, ctx):
    if school.get("devices", "fire_acceptance") is not True:
        yield Hit(("devices",), "学校建筑物和场所未依法通过消防验收或办理消防备案")


@rule(
    id="device.fire_duty",
    category="物防",
    severity="error",
    title="消防值班人员未持证上岗",
    source="001 三(二)2(消防值班人员按规定配备并持证上岗)",
    fields=("devices.fire_duty_certified",),
)
def fire_duty(school, ctx):
    if school.get("devices", "fire_duty_certified") is False:
        yield Hit(("devices", "fire_duty_certified"), "消防控制室值班人员未按规定配备或未持证上岗")


@rule(
    id="building.dangerous",
    category="物防",
    severity="error",
    title="仍在使用D级危房",
    source="003 三(五)三(校内无D级危房、危墙); 001 三(二)7(违规使用危险房屋)",
    fields=("buildings[].safety_grade", "buildings[].in_use"),
)
def dangerous_building(school, ctx):
    for path, b in school.items("buildings"):
        if b.get("safety_grade") == "D" and b.get("in_use") is not False:
            yield Hit((*path, "safety_grade"), f"校舍“{b['name']}”鉴定为D级危房,仍在使用")


@rule(
    id="building.yearly_check",
    category="物防",
    severity="error",
    title="校舍超过一年未检查",
    source="003 三(六)6(建立健全校舍年检制度)、三(五)三(校舍定期检查); 按365天计为本项目设定",
    settings=("devices.building_check_max_days",),
    fields=("buildings", "buildings[].last_checked"),
)
def building_check(school, ctx):
    days = ctx.setting("devices.building_check_max_days")
    if days is None:
        return
    buildings = list(school.items("buildings"))
    if not buildings:
        yield Hit(("buildings",), "没有校舍安全台账(校舍安全鉴定等级和年度检查)")
    for path, b in buildings:
        last = parse_date(b.get("last_checked"))
        if last is not None and ctx.as_of > (due := last + timedelta(days=days)):
            yield Hit(
                (*path, "last_checked"),
                f"校舍“{b['name']}”最近一次检查在 {last},应于 {due} 前再次检查",
                "overdue",
                due,
            )


# ---------------------------------------------------------------------------------------------
# 技防


@rule(
    id="video.storage",
    category="技防",
    severity="error",
    title="视频录像保存天数不足",
    source="000 二(二)3(存储时间达到90天); GB/T 29315-2022(替代2012版;基线的30天出自2012版,"
    "2022版的天数未核实原文); 天数为规则集设置",
    settings=("video.storage_days",),
    fields=("devices.video.storage_days",),
)
def video_storage(school, ctx):
    need = ctx.setting("video.storage_days")
    have = school.get("devices", "video", "storage_days")
    if have is not None and have < need:
        yield Hit(("devices", "video", "storage_days"), f"视频录像保存 {have} 天,少于 {need} 天")


@rule(
    id="video.linked",
    category="技防",
    severity="error",
    title="视频监控未与公安机关联网",
    source="004 三(一)4; 001 五(四); 003 三(五)一; “三个100%”",
    fields=("devices.video.linked_police",),
)
def video_linked(school, ctx):
    if school.get("devices", "video", "linked_police") is not True:
        yield Hit(("devices", "video", "linked_police"), "视频监控系统未接入公安机关")


@rule(
    id="video.coverage",
    category="技防",
    severity="warning",
    title="视频监控未覆盖全部重点部位",
    source="000 二(二)3(校园门口、走廊楼道、楼梯口等重点部位纳入监控范围); 003 三(五)一; 002 二3",
    fields=("devices.video.key_areas_covered",),
)
def video_coverage(school, ctx):
    if school.get("devices", "video", "key_areas_covered") is False:
        yield Hit(
            ("devices", "video", "key_areas_covered"),
            "视频监控未覆盖校门、周界、楼道等全部重点部位",
        )


@rule(
    id="alarm.linked",
    category="技防",
    severity="error",
    title="一键报警未安装或未与公安机关联网",
    source="004 三(一)4; 001 五(四)、三(二)3(一键报警装置安装); “三个100%”",
    fields=("devices.one_key_alarm.installed", "devices.one_key_alarm.linked_police"),
)
def alarm_linked(school, ctx):
    alarm = school.get("devices", "one_key_alarm", default={})
    if alarm.get("installed") is not True:
        yield Hit(("devices", "one_key_alarm"), "未安装一键式紧急报警装置")
    elif alarm.get("linked_police") is not True:
        yield Hit(("devices", "one_key_alarm", "linked_police"), "一键报警装置未与公安机关联网")


@due("device.equipment_expiring")
def _spray_expiry(school, ctx):
    warn = ctx.setting("devices.equipment_warn_days") or 30
    sprays: dict = {}
    for _, item in school.items("devices", "protective_equipment"):
        expires = parse_date(item.get("expires"))
        if item.get("kind") == "防卫喷雾" and expires:
            sprays[expires] = sprays.get(expires, 0) + (item.get("count") or 0)
    for expires, count in sprays.items():
        yield Deadline(
            "spray",
            expires.isoformat(),
            expires,
            f"防卫喷雾到期{'(已过期)' if expires < ctx.as_of else ''}",
            f"{count} 具防卫喷雾 {expires.isoformat()} 到期,请在到期前更换。",
            "物防",
            (warn, 7),
        )


@rule(
    id="video.upkeep",
    category="技防",
    severity="warning",
    title="视频监控无专人负责或未每日巡查",
    source="000 二(二)3(安排专人负责,每日巡查设备运行情况)",
    fields=("devices.video.keeper_assigned", "devices.video.daily_check"),
)
def video_upkeep(school, ctx):
    video = school.get("devices", "video", default={})
    missing = [
        word
        for key, word in (("keeper_assigned", "安排专人负责"), ("daily_check", "每日巡查设备运行"))
        if video.get(key) is not True
    ]
    if missing:
        yield Hit(("devices", "video"), f"视频监控系统未{'、未'.join(missing)}")


@rule(
    id="alarm.tested",
    category="技防",
    severity="warning",
    title="一键报警长时间未测试",
    source="004 三(一)4(一键报警达标率100%); 001 三(二)3; 每月测试一次(31天)为本项目设定",
    settings=("devices.alarm_test_max_days",),
    fields=("devices.one_key_alarm.last_tested",),
)
def alarm_tested(school, ctx):
    days = ctx.setting("devices.alarm_test_max_days")
    alarm = school.get("devices", "one_key_alarm", default={})
    if days is None or alarm.get("installed") is not True:
        return
    yield from recurring(
        alarm.get("last_tested"), ctx.as_of, days, ("devices", "one_key_alarm"), "last_tested",
        "一键报警装置没有联网测试记录", "一键报警最近一次测试在 {last},已超过 {days} 天",
    )  # fmt: skip


@rule(
    id="alarm.perimeter",
    category="技防",
    severity="warning",
    title="未安装校园周界报警",
    source="001 三(二)3(校园周界报警); GB/T 29315-2022 附录A(周界入侵报警为建议,征求意见稿措辞)",
    fields=("devices.perimeter_alarm.installed",),
)
def perimeter(school, ctx):
    if school.get("devices", "perimeter_alarm", "installed") is not True:
        yield Hit(("devices",), "校园周界未安装入侵报警装置")


@rule(
    id="device.electronic_patrol",
    category="技防",
    severity="warning",
    title="未配备电子巡查系统",
    source="004 三(一)4(配备校园一键报警、视频监控、电子巡查等系统)",
    fields=("devices.electronic_patrol",),
)
def electronic_patrol(school, ctx):
    if school.get("devices", "electronic_patrol") is not True:
        yield Hit(("devices",), "未配备电子巡查(巡更)系统")
