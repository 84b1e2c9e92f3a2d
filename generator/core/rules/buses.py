"""校车: the school bus sign (校车标牌) and the driver's qualification.

The driver's details are private: messages name the bus by its plate and say what is wrong,
never the driver's name, age or dates (nor do their findings carry a due date).
"""

from __future__ import annotations

from datetime import timedelta

from generator.core.dates import parse_date
from generator.core.rules.base import Deadline, Hit, due, rule


@rule(
    id="bus.sign_expired",
    category="校车",
    severity="error",
    title="校车标牌已过期",
    source="002 二7(校车标牌是否在有效期内); 校车安全管理条例",
    fields=("school_buses[].sign_valid_until",),
)
def sign_expired(school, ctx):
    for path, bus in school.items("school_buses"):
        until = parse_date(bus.get("sign_valid_until"))
        if until is not None and ctx.as_of > until:
            yield Hit(
                (*path, "sign_valid_until"),
                f"校车 {bus['plate']} 的校车标牌已于 {until} 过期",
                "overdue",
                until,
            )


@rule(
    id="bus.licence_expired",
    category="校车",
    severity="error",
    title="校车驾驶人驾驶资格已过期",
    source="002 二7(校车驾驶员是否取得校车驾驶资格); 校车安全管理条例 第二十三、二十四条",
    fields=(
        "school_buses[].driver.qualification_valid_until",
        "school_buses[].driver.licence_valid_until",
    ),
)
def licence_expired(school, ctx):
    """The 校车驾驶资格 (endorsed on the licence) must be on record and valid, and so must
    the driving licence itself."""
    for path, bus in school.items("school_buses"):
        driver = bus.get("driver", {})
        qualified = parse_date(driver.get("qualification_valid_until"))
        if qualified is None:
            yield Hit((*path, "driver"), f"校车 {bus['plate']} 的驾驶人没有登记校车驾驶资格")
        for key, what in (("qualification_valid_until", "校车驾驶资格"), ("licence_valid_until", "驾驶证")):
            until = parse_date(driver.get(key))
            if until is not None and ctx.as_of > until:
                yield Hit(
                    (*path, "driver", key), f"校车 {bus['plate']} 的驾驶人{what}已过期", "overdue"
                )


@rule(
    id="bus.expiring",
    category="校车",
    severity="warning",
    title="校车标牌或驾驶资格即将到期",
    source="002 二7; 校车安全管理条例",
    settings=("buses.warn_days",),
    fields=(
        "school_buses[].sign_valid_until",
        "school_buses[].driver.licence_valid_until",
        "school_buses[].driver.qualification_valid_until",
    ),
)
def expiring(school, ctx):
    days = ctx.setting("buses.warn_days")
    horizon = ctx.as_of + timedelta(days=days)
    for path, bus in school.items("school_buses"):
        sign = parse_date(bus.get("sign_valid_until"))
        if sign is not None and ctx.as_of <= sign <= horizon:
            yield Hit(
                (*path, "sign_valid_until"),
                f"校车 {bus['plate']} 的校车标牌将于 {sign} 到期,请及时办理",
                due=sign,
            )
        driver = bus.get("driver", {})
        keys = ("licence_valid_until", "qualification_valid_until")
        dates = [parse_date(driver.get(k)) for k in keys]
        if any(d is not None and ctx.as_of <= d <= horizon for d in dates):
            yield Hit(
                (*path, "driver"),
                f"校车 {bus['plate']} 的驾驶人驾驶资格即将到期,请及时办理",
            )


@rule(
    id="bus.driver",
    category="校车",
    severity="error",
    title="校车驾驶人不符合驾龄或年龄要求",
    source="校车安全管理条例 第二十三条(驾龄3年以上、年龄25至60周岁)",
    settings=("buses.driver_min_years", "buses.driver_min_age", "buses.driver_max_age"),
    fields=("school_buses[].driver.driving_years", "school_buses[].driver.age"),
)
def driver(school, ctx):
    years, low, high = (
        ctx.setting(f"buses.{k}") for k in ("driver_min_years", "driver_min_age", "driver_max_age")
    )
    for path, bus in school.items("school_buses"):
        d = bus.get("driver", {})
        problems = []
        if d.get("driving_years") is not None and d["driving_years"] < years:
            problems.append(f"驾龄不足 {years} 年")
        if d.get("age") is not None and not low <= d["age"] <= high:
            problems.append(f"年龄不在 {low} 至 {high} 周岁之间")
        if problems:
            yield Hit((*path, "driver"), f"校车 {bus['plate']} 的驾驶人{'、'.join(problems)}")


@due("bus.sign_expired")
def _bus_signs(school, ctx):
    warn = ctx.setting("buses.warn_days") or 30
    for _, b in school.items("school_buses"):
        valid_until = parse_date(b.get("sign_valid_until"))
        if valid_until and b.get("plate"):
            yield Deadline(
                "bus-sign",
                b["plate"],
                valid_until,
                f"校车标牌到期:{b['plate']}",
                f"校车 {b['plate']} 的校车标牌有效期至 {valid_until.isoformat()},请提前办理。",
                "校车",
                (warn, 7),
            )


@rule(
    id="bus.driver_matches_sign",
    category="校车",
    severity="error",
    title="校车驾驶人与校车标牌不一致",
    source="002 二7(校车驾驶员信息是否与校车标牌驾驶员信息一致)",
    fields=("school_buses[].driver.matches_sign",),
)
def driver_matches_sign(school, ctx):
    for path, bus in school.items("school_buses"):
        if bus.get("driver", {}).get("matches_sign") is not True:
            yield Hit((*path, "driver"), f"校车 {bus['plate']} 的驾驶人与校车标牌登记的驾驶人不一致或未核对")


@rule(
    id="bus.equipment",
    category="校车",
    severity="error",
    title="校车未装动态监控装置或无随车照管人员",
    source="003 三(六)3(动态监控装置应装未装;随车照管人员); 校车安全管理条例",
    fields=("school_buses[].gps", "school_buses[].escort"),
)
def equipment(school, ctx):
    for path, bus in school.items("school_buses"):
        missing = [w for k, w in (("gps", "未安装动态监控装置"), ("escort", "没有随车照管人员"))
                   if bus.get(k) is not True]  # fmt: skip
        if missing:
            yield Hit(path, f"校车 {bus['plate']} {'、'.join(missing)}")


@rule(
    id="bus.group_transport",
    category="校车",
    severity="error",
    title="师生集体用车未租用有资质车辆或未备案",
    source="002 二7(师生集体用车是否租用具有资质的公司服务车辆,并按规定进行备案); 001 三(二)4",
    fields=("group_transport[].qualified", "group_transport[].filed"),
)
def group_transport(school, ctx):
    for path, trip, day in school.dated("group_transport", as_of=ctx.as_of):
        missing = [w for k, w in (("qualified", "未租用具有资质的车辆"), ("filed", "未备案"))
                   if trip.get(k) is not True]  # fmt: skip
        if missing:
            yield Hit(path, f"{day} 的师生集体用车{'、'.join(missing)}")
