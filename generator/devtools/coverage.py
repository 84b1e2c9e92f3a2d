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
from generator.core.ruleset import BASELINE, MEASURES, _setting_names, available, load_rule_set
from generator.core.ruleset import _schema as ruleset_schema

OUTPUT = Path("docs") / "coverage.md"

SEEDS = {
    "000": "天津市蓟州区教育系统校园安全专项整治方案(2021)",
    "001": "南通市校园和校车安全专项整治实施方案(初稿,2019)",
    "002": "青浦区教育局关于加强安全隐患排查整治工作方案(2020)",
    "003": "某区教育系统安全专项整治三年行动实施方案(2020—2022)",
    "004": "隆化县中小学、幼儿园安全防范建设三年达标行动方案(隆教体〔2020〕55号)",
}

NOT_CHECKABLE: list[tuple[str, str, str]] = [
    # (出处, 要求, 为什么无法从档案检查)
    (
        "000 二(一)3",
        "建立矛盾纠纷化解机制和化解台账",
        "涉及师生和家长的个人纠纷,档案不录入个人信息",
    ),
    (
        "000 二(二)1",
        "保安教育培训,熟悉学校安全规定和器械使用方法",
        "培训效果和熟练程度无法从档案判断;档案只记录持证和专职",
    ),
    (
        "000 二(二)2",
        "插地式防冲撞设施随拔随插、插地深度满足要求",
        "日常操作情况;档案只记录是否设置防冲撞设施",
    ),
    (
        "000 二(二)3",
        "专人每日巡查监控设备运行、校正监控系统时间、及时修复故障",
        "日常运维;档案只记录存储天数、联网和重点部位覆盖",
    ),
    (
        "000 四(三)",
        "月度会商、定期通报、联合整治等部门协同机制",
        "教育局与公安等部门之间的机制,不在学校档案中;学校的定期会商见 resp.meetings",
    ),
    (
        "001 三(二)6—9",
        "传染病防控、建筑与施工、实习实训、稳定风险研判",
        "档案没有对应字段;相关问题可作为风险或隐患登记",
    ),
    (
        "001 四(二)",
        "隐患问题清单每月1日前上传全省校园安全风险管控系统",
        "由县区教育部门向省级系统报送,不是学校档案的内容",
    ),
    ("001 五(四)", "逐步提高保安待遇、发展校车服务", "经费和政策措施,无法从档案判断"),
    ("002 二2", "新冠疫情防控要求落实情况", "种子文件注明“此项排查已专项完成”"),
    (
        "002 二3",
        "寄宿制校园设专职宿舍管理员;上下学时段叠加保安",
        "岗位责任中可写宿舍管理员,但没有专职标记和分时段的保安排班字段",
    ),
    (
        "002 二6",
        "食堂日常自查和定期检查;传染病防控",
        "自查发现的问题作为隐患登记(hazards,来源“自查”)",
    ),
    (
        "002 二8",
        "心理健康教育,排查和跟踪心理异常学生",
        "涉及学生个人信息,档案不录入(domain.md“什么不公开”)",
    ),
    (
        "002 二10",
        "校园周边“八条措施”,周边黑网吧、摊贩等问题的沟通汇报",
        "属地政府和相关部门的职责;发现的问题可作为周边环境隐患登记",
    ),
    (
        "002 二12",
        "教职员工专业培训、法治教育、学生求助电话和联系人",
        "档案没有培训记录和求助电话字段;专题教育计入安全教育课时",
    ),
    (
        "003 三(一)",
        "集中学习安全生产重要论述、观看专题片、事故警示教育、对话谈心",
        "学习和会议活动不在档案范围",
    ),
    (
        "003 三(三)",
        "重点关注学生(特异体质、心理疾病、单亲家庭等)排查帮扶清单",
        "涉及学生个人信息,按 domain.md 永不录入本仓库",
    ),
    (
        "003 三(三)",
        "春、秋季开学前集中开展一次隐患排查",
        "排查发现的问题作为隐患登记;“开展过排查”本身没有单独字段",
    ),
    (
        "003 三(四)三、四",
        "安全教育教师专项培训;学校负责人和安全管理人员培训",
        "人员培训记录不在档案范围",
    ),
    ("003 三(五)二", "安全物联网监控系统和安全管理平台建设", "信息化建设项目,不是学校档案的内容"),
    (
        "003 三(五)三",
        "校舍定期检查、无D级危房和违章建筑",
        "档案没有校舍鉴定字段;发现的问题作为校舍安全隐患登记",
    ),
    ("003 三(六)1", "消防安全责任人和管理人培训全覆盖", "培训记录不在档案范围"),
    (
        "003 三(六)3",
        "校车驾驶人常态化培训、查处超速超员",
        "培训和交通执法由交通、公安部门负责;档案只记录标牌和驾驶资格",
    ),
    ("003 三(六)5", "校园周边200米安全区“四个禁止”", "由公安、文化、市场监管等部门整治"),
    (
        "003 三(六)6",
        "防溺水、防欺凌、防灾减灾、扫黑除恶、反恐专项工作",
        "专项教育计入安全教育课时;其余为部门专项行动",
    ),
    ("004 三(一)4", "“河北省学校安全网格化管理系统”覆盖率95%以上", "省级平台的数据,不在学校档案中"),
    (
        "004 三(一)5",
        "学校安全工作制度建设率100%(岗位、门卫、外来车辆登记等制度)",
        "档案没有制度清单字段",
    ),
    (
        "004 三(二)2—6",
        "警务室建设、风险预警、周边治安整治、接送学生车辆监管、打击涉校违法犯罪",
        "公安机关的职责;一校一警和护学岗见 police.*",
    ),
    ("004 三(三)1", "应急物资配备率100%", "档案没有应急物资字段"),
    ("004 三(三)3", "涉校案件应急联动处置机制", "教育、公安部门之间的机制"),
    ("004 三(四)2", "选派民警兼任法制辅导员", "公安机关选派,档案没有对应字段"),
    ("004 三(五)1", "学校安全工作纳入教育督导评优体系", "教育部门的督导制度"),
    (
        "教基一厅〔2014〕2号",
        "寄宿制和特殊教育学校增加演练频次",
        "文件未给出具体频次;按所在规则集的月度或学期要求检查",
    ),
    (
        "GB/T 29315-2022 附录A",
        "门卫室广播、宿舍值班室紧急报警、幼儿园活动室和寝室视频、危化品库房防盗门和入侵探测",
        "档案只记录视频是否覆盖全部重点部位,不逐一列出各部位的设备;周界入侵报警仅为建议",
    ),
    (
        "安委办〔2016〕11号(未核实原文)",
        "风险分四级并以红、橙、黄、蓝标示",
        "由档案格式(风险等级的可选值)保证,不是按日期检查的规则",
    ),
    (
        "校车安全管理条例",
        "校车标牌载明车牌、车主、驾驶人、线路、时刻和站点",
        "标牌上的内容无法从档案核对;档案只记录标牌有效期和驾驶人资格",
    ),
]


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
    node = ruleset_schema()["properties"]["settings"]["properties"][group]["properties"][key]
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


def _section_key(section: str) -> list:
    """Sort 二(一)3 before 二(一)10 and 三: numerals by value, digits as numbers."""
    return [
        (_NUM.index(c) + 1) if c in _NUM else int(c) if c.isdigit() else 0
        for c in re.findall(r"[0-9]+|.", section)
    ]


def render() -> str:
    names = sorted(available(), key=lambda n: (n != BASELINE, n))
    rule_sets = {name: load_rule_set(name) for name in names}
    out = [
        "# 规则覆盖矩阵",
        "",
        "<!-- 本页由 `xiaoan coverage` 根据规则元数据、规则集和 generator/devtools/coverage.py 中的清单生成,请勿手工编辑。 -->",
        "",
        f"本页列出 `xiaoan check` 的全部 {len(RULES)} 条规则:每条规则检查哪份种子文件的哪一条要求、"
        "读取档案的哪些字段、用到规则集的哪些设置。各地要求不同之处(演练按月还是按学期、录像保存"
        "30天还是90天)是规则集的设置,见“各规则集的设置”。无法从档案检查的要求列在最后,并说明原因。",
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
    for setting in _setting_names():
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
            MEASURES[rate.measure]
            if rate.measure
            else "没有以下规则的问题的学校所占比例:" + "、".join(f"`{r}`" for r in rate.rules)
        )
        out.append(
            f"| `{rate.id}` | {_cell(rate.title)} | {rate.target:.0%} | {_cell(how)} | {_cell(rate.source)} |"
        )
    out.append("")

    out += ["## 按种子文件", "", "每份种子文件中被规则引用的条款:", ""]
    cites = seed_citations()
    for seed, title in SEEDS.items():
        out += [f"### {seed} {title}", "", "| 条款 | 规则 |", "|---|---|"]
        by_section: dict[str, list[str]] = defaultdict(list)
        for section, rule_id in cites.get(seed, []):
            by_section[section].append(rule_id)
        for section in sorted(by_section, key=_section_key):
            out.append(
                f"| {_cell(section)} | " + "、".join(f"`{r}`" for r in by_section[section]) + " |"
            )
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
