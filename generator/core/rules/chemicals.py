"""危化品: hazardous chemicals in school labs: two keepers, two locks, a ledger."""

from __future__ import annotations

from generator.core.rules.base import Hit, rule


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
