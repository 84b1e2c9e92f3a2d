"""The coverage matrix ``docs/coverage.md``: which seed requirement each rule checks, from
which fields, with which settings — and which requirements a dossier cannot show, and why.

Generated from the rules' metadata, the shipped rule sets and the hand-kept list
:data:`NOT_CHECKABLE` below; ``xiaoan coverage`` rewrites the page, and a test fails when
the committed page is stale.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

from generator.core import schema
from generator.core.files import atomic_write
from generator.core.rules import CATEGORIES, RULES
from generator.core.ruleset import (
    BASELINE,
    MEASURES,
    available,
    load_rule_set,
    rule_set_schema,
    setting_names,
)
from generator.devtools.requirements import NATIONAL_NOT_CHECKABLE, REQUIREMENTS

OUTPUT = Path("docs") / "coverage.md"

SEEDS = {
    "000": "天津市蓟州区教育系统校园安全专项整治方案(2021)",
    "001": "南通市校园和校车安全专项整治实施方案(初稿,2019)",
    "002": "青浦区教育局关于加强安全隐患排查整治工作方案(2020)",
    "003": "某区教育系统安全专项整治三年行动实施方案(2020—2022)",
    "004": "隆化县中小学、幼儿园安全防范建设三年达标行动方案(隆教体〔2020〕55号)",
}

NOT_CHECKABLE: list[tuple[str, str, str]] = [
    (source, requirement, how) for source, requirement, how in REQUIREMENTS if isinstance(how, str)
] + NATIONAL_NOT_CHECKABLE
"""(出处, 要求, 为什么无法从档案检查): the seeds' requirements no rule or rate checks, then the
national rules beyond the seeds."""


def requirement_counts() -> dict[str, int]:
    """How the seeds' requirements are covered: by rules, by a district rate only, not at all."""
    by_rule = sum(
        not isinstance(how, str) and any(not h.startswith("rate:") for h in how)
        for _, _, how in REQUIREMENTS
    )
    not_checkable = sum(isinstance(how, str) for _, _, how in REQUIREMENTS)
    return {
        "total": len(REQUIREMENTS),
        "rules": by_rule,
        "rates": len(REQUIREMENTS) - by_rule - not_checkable,
        "not_checkable": not_checkable,
    }


def _how(how: tuple[str, ...] | str) -> str:
    if isinstance(how, str):
        return "无法检查:" + _cell(how)
    return "、".join(
        f"达标率 `{h.removeprefix('rate:')}`" if h.startswith("rate:") else f"`{h}`" for h in how
    )


def _cell(value: object) -> str:
    text = str(value).replace("|", "\\|").replace("\n", " ")
    return text


def _field_public(field: str) -> bool:
    parts: list = []
    for part in field.split("."):
        if part.endswith("[]"):
            parts += [part[:-2], 0]
        else:
            parts.append(part)
    return schema.is_public(tuple(parts))


def _setting_title(name: str) -> str:
    group, key = name.split(".")
    node = rule_set_schema()["properties"]["settings"]["properties"][group]["properties"][key]
    return node["title"]


_WORDS = {"month": "每月", "quarter": "每季度", "guard_rail": "金属防护栏", "alarm": "报警器"}


def _show(value: object) -> str:
    if isinstance(value, str) and value in _WORDS:
        return _WORDS[value]
    if value is None:
        return "不要求"
    if isinstance(value, dict):
        if all(v is None or isinstance(v, (str, int)) for v in value.values()):
            return ";".join(f"{k} {_show(v)}" for k, v in value.items())
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "、".join(_show(v) for v in value) or "(无)"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


_SEED_REF = re.compile(r"^(00[0-4])\s+(.+)$")
_NUM = "一二三四五六七八九十"
_SECTION = re.compile(rf"[{_NUM}]+(?:\([{_NUM}]+\))?(?:[0-9]+|[{_NUM}]+)?")


def seed_citations() -> dict[str, list[tuple[str, str]]]:
    """For each seed, the (section, rule id) pairs its rules cite: "000 二(一)3、三(三)(…)"
    cites 二(一)3 and 三(三); the words in brackets after them are an explanation."""
    cites: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for rule in RULES.values():
        for part in rule.source.split(";"):
            m = _SEED_REF.match(part.strip())
            if not m:
                continue
            text, pos = m.group(2), 0
            while (found := _SECTION.match(text, pos)) is not None:
                cites[m.group(1)].append((found.group(), rule.id))
                pos = found.end()
                if not text.startswith("、", pos):
                    break
                pos += 1
    return cites


def render() -> str:
    counts = requirement_counts()
    summary = (
        f"种子文件中的 {counts['total']} 项要求:{counts['rules'] + counts['rates']} 项由规则或达标率检查"
        f"(规则 {counts['rules']} 项,只由区县达标率衡量 {counts['rates']} 项),"
        f"{counts['not_checkable']} 项无法从档案检查(原因见各表和最后一节)。"
    )
    names = sorted(available(), key=lambda n: (n != BASELINE, n))
    rule_sets = {name: load_rule_set(name) for name in names}
    out = [
        "# 规则覆盖矩阵",
        "",
        "<!-- 本页由 `xiaoan coverage` 根据规则元数据、规则集和 generator/devtools/requirements.py、"
        "coverage.py 中的清单生成,请勿手工编辑。 -->",
        "",
        f"本页列出 `xiaoan check` 的全部 {len(RULES)} 条规则:每条规则检查哪份种子文件的哪一条要求、"
        "读取档案的哪些字段、用到规则集的哪些设置。各地要求不同之处(演练按月还是按学期、录像保存"
        "30天还是90天)是规则集的设置,见“各规则集的设置”。无法从档案检查的要求列在最后,并说明原因。",
        "",
        summary,
        "",
        "出处中的 000–004 指 `shared/seeds/` 中的五份种子文件;标“未核实原文”的出处只见于第三方转载,"
        "原文未经核对。字段后标 🔒 的是不公开字段:规则读取它,但发现的问题说明中不出现它的内容。",
        "",
        "规则分为 15 类;上级部门检查督导的次数(检查记录)归在“报告”类,检查发现的问题是否登记归在“隐患”类。",
        "",
        "问题的级别:**error** 为不符合要求,**warning** 为提醒(即将到期、建议改进)。"
        "学校状态由问题的性质决定:未销号重大隐患为“重大隐患”,超过期限为“逾期”,其余为“待整改”。",
        "",
        "## 规则一览",
        "",
    ]
    for category in CATEGORIES:
        rules = [r for r in RULES.values() if r.category == category]
        out += [
            f"### {category}({len(rules)} 条)",
            "",
            "| 规则 | 名称 | 级别 | 读取的字段 | 规则集设置 | 出处 |",
            "|---|---|---|---|---|---|",
        ]
        for r in rules:
            fields = "<br>".join(f"`{f}`" + ("" if _field_public(f) else " 🔒") for f in r.fields)
            settings = "<br>".join(f"`{s}`" for s in r.settings) or "—"
            out.append(
                f"| `{r.id}` | {_cell(r.title)} | {r.severity} | {fields} | {settings} | {_cell(r.source)} |"
            )
        out.append("")

    out += ["## 各规则集的设置", ""]
    out += [
        f"- `{n}`:{_cell(rs.title)}。{_cell(rs.description)}(出处:{_cell(rs.source)};继承:"
        f"{' → '.join(rs.chain[1:]) or '无'})"
        for n, rs in rule_sets.items()
    ]
    out += [
        "",
        "| 设置 | 说明 | " + " | ".join(f"`{n}`" for n in names) + " |",
        "|---|---|" + "---|" * len(names),
    ]
    for setting in setting_names():
        values = [_show(rs.setting(setting)) for rs in rule_sets.values()]
        out.append(
            f"| `{setting}` | {_cell(_setting_title(setting))} | "
            + " | ".join(_cell(v) for v in values)
            + " |"
        )
    out += [
        "",
        "停用的规则:"
        + ";".join(f"`{n}` {'、'.join(sorted(rs.disabled)) or '无'}" for n, rs in rule_sets.items())
        + "。",
        "",
    ]

    out += [
        "### 达标率(区县汇总)",
        "",
        "| 编号 | 名称 | 目标 | 计算方法 | 出处 |",
        "|---|---|---|---|---|",
    ]
    for rate in rule_sets[BASELINE].rates:
        how = (
            MEASURES[rate.measure].text
            if rate.measure
            else "没有以下规则的问题的学校所占比例:" + "、".join(f"`{r}`" for r in rate.rules)
        )
        out.append(
            f"| `{rate.id}` | {_cell(rate.title)} | {rate.target:.0%} | {_cell(how)} | {_cell(rate.source)} |"
        )
    out.append("")

    out += [
        "## 种子文件的要求",
        "",
        "逐份列出种子文件中学校档案能够体现的每一项要求(每项只列一次),以及检查它的规则、"
        "衡量它的区县达标率,或无法从档案检查的原因。",
        "",
    ]
    for seed, title in SEEDS.items():
        rows = [r for r in REQUIREMENTS if r[0].startswith(seed + " ")]
        out += [f"### {seed} {title}({len(rows)} 项)", "", "| 条款 | 要求 | 检查方式 |", "|---|---|---|"]
        out += [
            f"| {_cell(source[4:])} | {_cell(req)} | {_how(how)} |" for source, req, how in rows
        ]
        out.append("")

    out += ["## 无法从档案检查的要求", "", "| 出处 | 要求 | 原因 |", "|---|---|---|"]
    out += [f"| {_cell(s)} | {_cell(req)} | {_cell(why)} |" for s, req, why in NOT_CHECKABLE]
    out.append("")
    return "\n".join(out)


def write(path: Path = OUTPUT) -> bool:
    """Write the page; return whether it changed."""
    text = render()
    path = Path(path)
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text)
    return True
