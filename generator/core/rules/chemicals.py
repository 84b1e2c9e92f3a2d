"""危化品: hazardous chemicals in school labs: two keepers, two locks, a ledger."""

from __future__ import annotations

from generator.core.rules.base import Hit, recurring, rule


def _held(school):
    chem = school.get("chemicals")
    return chem if chem and chem.get("held") else None


@rule(
    id="chem.custody",
    category="危化品",
    severity="error",
    title="危险化学品未实行专人保管、双人双锁",
    source="002 二5(危险品由专人保管,双人双锁)",
    settings=("chemicals.min_keepers",),
    fields=("chemicals.keepers", "chemicals.double_lock"),
)
def custody(school, ctx):
    chem = _held(school)
    if chem is None:
        return
    need = ctx.setting("chemicals.min_keepers")
    problems = []
    if len(chem.get("keepers") or ()) < need:
        problems.append(f"保管人少于 {need} 人")
    if chem.get("double_lock") is not True:
        problems.append("未实行双人双锁")
    if problems:
        yield Hit(("chemicals",), f"危险化学品保管不符合要求:{'、'.join(problems)}")


@rule(
    id="chem.ledger",
    category="危化品",
    severity="error",
    title="危险化学品没有领用台账",
    source="002 二5(入账登记详细); 003 三(六)4(危险源全周期管理)",
    fields=("chemicals.ledger",),
)
def ledger(school, ctx):
    chem = _held(school)
    if chem is not None and chem.get("ledger") is not True:
        yield Hit(("chemicals",), "危险化学品没有建立领用台账")


@rule(
    id="chem.checked",
    category="危化品",
    severity="warning",
    title="危险化学品长时间未清点检查",
    source="003 三(六)4(全面开展危险化学品排查工作); 每季度一次(92天)为本项目设定",
    settings=("chemicals.check_max_days",),
    fields=("chemicals.last_checked",),
)
def checked(school, ctx):
    chem, days = _held(school), ctx.setting("chemicals.check_max_days")
    if chem is None or days is None:
        return
    yield from recurring(
        chem.get("last_checked"), ctx.as_of, days, ("chemicals",), "last_checked",
        "没有危险化学品清点检查记录", "危险化学品最近一次清点检查在 {last},已超过 {days} 天",
    )  # fmt: skip


@rule(
    id="chem.lab_rules",
    category="危化品",
    severity="warning",
    title="实验室安全准入或废弃物处置未落实",
    source="001 三(二)1(实验室安全宣传与准入制度落实,废弃物处置)",
    fields=("chemicals.lab_admission", "chemicals.waste_disposal"),
)
def lab_rules(school, ctx):
    chem = _held(school)
    if chem is None:
        return
    missing = [w for k, w in (("lab_admission", "安全准入制度"), ("waste_disposal", "废弃物规范处置"))
               if chem.get(k) is not True]  # fmt: skip
    if missing:
        yield Hit(("chemicals",), f"实验室{'、'.join(missing)}未落实")
