"""Synthetic records trees: fictional but plausible districts and school dossiers.

For benchmarks, demos and tests that need many schools. Everything comes from one
``random.Random(seed)`` and a fixed reference date (:data:`REF`, standing for "now"), so a
seed always gives the same tree, byte for byte, whatever day it runs. Each dossier is built
as a dict from templates; nothing is validated here (the tests check that every file is
valid against the schemas).

The mix of schools (:data:`MIX`): about half fully compliant; a third with small open items
(hazards being rectified within their deadline); some with something overdue (a hazard past
its deadline, an expired defence spray, a late drill); a few with an open major hazard; a
few with a gap in their protection (a guard without a certificate, video kept 30 days …).
"""

from __future__ import annotations

import functools
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import yaml

from generator.core.rules.responsibilities import SAFETY_RULES

REF = date(2026, 11, 23)
"""The synthetic "today": dates spread around it, before and after."""

SCHOOLS_PER_DISTRICT = 40
RULE_SETS = ("plan-003", "longhua", "jizhou", "national")

# What kind of school each dossier describes, with weights (percent).
MIX = (("compliant", 50), ("open", 30), ("overdue", 15), ("major", 3), ("gap", 2))


def write_tree(out: Path, schools: int, seed: int = 0) -> int:
    """Write a records tree of ``schools`` dossiers under ``out``; return how many were written.

    ``out`` must not exist or be empty: nothing is ever overwritten.
    """
    out = Path(out)
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(
            f"输出文件夹 {out} 已存在且不是空的:为避免覆盖已有文件,请指定一个不存在的或空的文件夹"
        )
    if schools < 1:
        raise ValueError("学校数量至少为 1")
    written = 0
    made: set[Path] = set()
    for rel, data in generate(schools, seed):
        path = out / rel
        if path.parent not in made:
            path.parent.mkdir(parents=True, exist_ok=True)
            made.add(path.parent)
        path.write_bytes(dump(data).encode("utf-8"))
        written += not path.name.startswith("_")
    return written


def generate(schools: int, seed: int = 0) -> Iterator[tuple[str, dict]]:
    """(relative path, data) for each file of the tree: each district file, then its schools."""
    return _Synth(seed).tree(schools)


# ---------------------------------------------------------------------------------------------
# Writing YAML
#
# ``yaml.safe_dump`` spends most of its time turning Python objects into nodes; a dossier is
# only mappings, lists, text, numbers and booleans, so a few lines write the same text about
# ten times faster. The tests check that :func:`dump` gives exactly what :func:`dump_reference`
# (``yaml.dump`` with the safe dumper) gives. One deliberate difference from plain
# ``safe_dump``: text made of digits and ``-:.+`` (dates, times like '07:20', phone numbers) is
# always single-quoted, so that no YAML reader can take it for a number or a date.


class _ReferenceDumper(yaml.SafeDumper):
    pass


_DIGITLIKE = re.compile(r"[0-9][0-9:.+-]*")
_STR_TAG = "tag:yaml.org,2002:str"


def _represent_str(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "'" if _DIGITLIKE.fullmatch(text) else None
    return dumper.represent_scalar(_STR_TAG, text, style=style)


_ReferenceDumper.add_representer(str, _represent_str)


def dump_reference(data: dict) -> str:
    """The dossier as ``yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)``
    writes it (with digit-like text quoted): slow, the yardstick for :func:`dump`."""
    return yaml.dump(data, Dumper=_ReferenceDumper, allow_unicode=True, sort_keys=False, width=1000)


# Text that safe_dump writes plain: a letter (ASCII or CJK) first, then letters, digits and
# punctuation that is no YAML indicator, no spaces, no line breaks. Anything else goes through
# the reference dumper (cached: such text comes from the templates).
_CJK = "\u00a0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd"
_PLAIN = re.compile(f"[A-Za-z{_CJK}][A-Za-z0-9_./()+=~;{_CJK}-]*")
_KEY = re.compile(r"[a-z][a-z0-9_]*")
_KEYS: set[str] = set()  # keys seen to be plain
_RESOLVER = yaml.resolver.Resolver()


class _Unusual(Exception):
    """Data the fast writer does not handle: a list in a list, a non-text key …"""


@functools.lru_cache(maxsize=4096)
def _quoted(text: str) -> str:
    out = dump_reference([text])
    if not out.startswith("- ") or out.count("\n") != 1:
        raise _Unusual(text)
    return out[2:-1]


def _scalar(value) -> str:
    kind = type(value)
    if kind is str:
        if _DIGITLIKE.fullmatch(value):
            return f"'{value}'"
        if _PLAIN.fullmatch(value) and (
            value[0] > "\x7f"
            or _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STR_TAG
        ):
            return value
        return _quoted(value)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if kind is float and re.fullmatch(r"-?[0-9]+\.[0-9]+", repr(value)):
        return repr(value)
    if value == [] or value == {}:
        return "[]" if value == [] else "{}"
    raise _Unusual(value)


def _mapping(data: dict, indent: int, out: list[str], first: str | None = None) -> None:
    pad = " " * indent
    for key, value in data.items():
        if key not in _KEYS:
            if type(key) is not str or not _KEY.fullmatch(key):
                raise _Unusual(key)
            _KEYS.add(key)
        head = f"{pad if first is None else first}{key}:"
        first = None
        if value and type(value) is dict:
            out.append(head + "\n")
            _mapping(value, indent + 2, out)
        elif value and type(value) is list:
            out.append(head + "\n")
            _sequence(value, indent, out)  # block sequences in a mapping are not indented
        else:
            out.append(f"{head} {_scalar(value)}\n")


def _sequence(items: list, indent: int, out: list[str]) -> None:
    pad = " " * indent
    for value in items:
        if value and type(value) is dict:
            _mapping(value, indent + 2, out, first=pad + "- ")
        elif value and type(value) is list:
            raise _Unusual(value)
        else:
            out.append(f"{pad}- {_scalar(value)}\n")


def dump(data: dict) -> str:
    """YAML text as the project writes it: Chinese as is, keys in order, no wrapping."""
    if not data:
        return dump_reference(data)
    out: list[str] = []
    try:
        _mapping(data, 0, out)
    except _Unusual:
        return dump_reference(data)
    return "".join(out)


# ---------------------------------------------------------------------------------------------
# Words and templates

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红志建国文辉力斌波宁鹏飞慧晶琳颖鑫宇浩凯丹婷雪梅"
    "海峰欣怡佳晨阳春燕兰凤洁亮成俊林云松柏晓东子涵博瑞思雨嘉睿泽铭振兴德永庆福宏利新光荣昌盛"
)
PLACE = (
    "临河云泽青川白石南屏东阳安平永宁长乐清源凤城金川玉山西峡兴隆太和定远龙泉宝丰文昌丰宁望江明水"
)
TOWN_SYL = "柳石桥河湾坪岭沟庄集店营堡口塘湖山林泉溪头新黄马杨李王张高双三五北南东西前后上下大小"
TOWN_SUFFIX = ("镇", "镇", "镇", "乡", "街道")
DISTRICT_NAMES = (
    "东城区",
    "西城区",
    "城关区",
    "南湖区",
    "北山区",
    "河西区",
    "新港区",
    "开发区",
    "青林县",
    "白沙县",
    "石门县",
    "柳溪县",
    "丰乐县",
    "安康区",
    "高新区",
    "滨江区",
)
ROADS = (
    "建设路",
    "人民路",
    "解放路",
    "文化路",
    "学府路",
    "育才街",
    "光明路",
    "和平路",
    "新华街",
    "中山路",
    "朝阳路",
    "幸福路",
    "兴业路",
    "滨河路",
    "长青路",
    "胜利街",
    "团结路",
    "振兴路",
)
BRANDS = (
    "育才",
    "博雅",
    "启明",
    "英才",
    "阳光",
    "星光",
    "童趣",
    "春晖",
    "明德",
    "致远",
    "立人",
    "树人",
    "新星",
    "彩虹",
    "蓝天",
    "晨曦",
    "博文",
    "弘毅",
    "卓越",
    "嘉禾",
)

STAGES = ("幼儿园", "小学", "初中", "高中", "九年一贯制", "完全中学", "职业学校", "特殊教育")
STAGE_WEIGHTS = (28, 36, 13, 6, 7, 3, 4, 3)
STAGE_SLUG = {
    "幼儿园": "youeryuan",
    "小学": "xiaoxue",
    "初中": "chuzhong",
    "高中": "gaozhong",
    "九年一贯制": "jiunian",
    "完全中学": "wanzhong",
    "职业学校": "zhiye",
    "特殊教育": "teshu",
}
# students (low, high), boarding share, private share
STAGE_FACTS = {
    "幼儿园": ((60, 420), 0.02, 0.4),
    "小学": ((150, 2600), 0.1, 0.08),
    "初中": ((300, 2200), 0.3, 0.1),
    "高中": ((700, 3600), 0.75, 0.12),
    "九年一贯制": ((300, 2400), 0.4, 0.15),
    "完全中学": ((800, 3200), 0.6, 0.1),
    "职业学校": ((500, 4000), 0.7, 0.2),
    "特殊教育": ((40, 260), 0.5, 0.0),
}
SECONDARY = {"初中", "高中", "九年一贯制", "完全中学", "职业学校"}
NUMBERED_KIND = {  # how a numbered school is called: 临河市第十二小学
    "幼儿园": "幼儿园",
    "小学": "小学",
    "初中": "中学",
    "高中": "高级中学",
    "九年一贯制": "学校",
    "完全中学": "中学",
    "职业学校": "职业中专",
    "特殊教育": "特殊教育学校",
}
TOWN_KIND = {
    "幼儿园": "中心幼儿园",
    "小学": "中心小学",
    "初中": "中学",
    "高中": "高级中学",
    "九年一贯制": "九年一贯制学校",
    "完全中学": "中学",
    "职业学校": "职业技术学校",
    "特殊教育": "特殊教育学校",
}
EXPERIMENTAL_KIND = {
    "幼儿园": "实验幼儿园",
    "小学": "实验小学",
    "初中": "实验中学",
    "高中": "实验中学",
    "九年一贯制": "实验学校",
    "完全中学": "实验中学",
    "职业学校": "职业技术学校",
    "特殊教育": "特殊教育学校",
}

MEMBER_POSTS = (
    ("副校长", "分管安全工作,组织隐患排查和应急演练"),
    ("总务主任", "负责校舍、设施设备和食堂的安全管理"),
    ("德育主任", "负责安全教育和心理健康教育"),
    ("教务主任", "负责教学活动和实验教学安全"),
    ("安全办主任", "负责日常安全检查、台账和报送"),
    ("工会主席", "负责教职工安全培训和监督"),
    ("校医", "负责卫生防疫、传染病防控和急救"),
    ("年级组长", "负责本年级学生安全管理"),
    ("团委书记", "负责学生安全志愿活动"),
    ("办公室主任", "负责值班安排和信息报送"),
)
POSTS = (
    ("班主任", "本班学生安全教育和日常管理,放学清点人数,异常情况及时报告。"),
    ("任课教师", "课堂教学安全,上课清点人数,落实实验和体育课安全操作规程。"),
    ("体育教师", "体育课和课外活动安全,课前检查场地器材,做好保护措施。"),
    ("食堂管理员", "食品采购索证索票、加工卫生、留样和陪餐记录,明厨亮灶。"),
    ("门卫", "校门24小时值守,外来人员和车辆登记核实,遇突发情况立即报警。"),
    ("宿舍管理员", "宿舍安全管理,查寝和夜间巡查,检查用电和消防通道。"),
    ("电工", "供配电设施和线路的维护检查,检测漏电保护装置,杜绝私拉乱接。"),
    ("实验室管理员", "实验室和危险化学品保管,双人双锁、领用登记,定期清点台账。"),
    ("校医", "晨午检、传染病防控和伤病处置,管理急救药品和器材。"),
    ("安全办主任", "安全工作的日常组织和检查,隐患清单和整改台账,按时报送月报。"),
    ("总务主任", "校舍、围墙、护栏等设施的检查维修,消防设施检测和特种设备年检。"),
    ("德育主任", "组织安全教育课程和主题活动,每学年不少于12课时。"),
    ("值班领导", "值班期间的全面安全工作,带班巡查重点部位,处置突发事件。"),
)
MEETING_TOPICS = (
    "研究本月隐患排查情况和整改进度",
    "部署开学安全检查和消防演练",
    "分析校园周边交通安全形势",
    "研究食堂食品安全和陪餐制度落实情况",
    "部署防溺水和暑期安全工作",
    "部署冬季防火和防踩踏工作",
    "通报上级检查发现的问题并落实整改责任",
    "研究校园安全防范设施升级改造方案",
    "部署节假日值班和安全教育",
)

# category, place, description, controls, levels it may have
RISKS = (
    (
        "消防",
        "学生宿舍楼",
        "宿舍人员密集,违规使用电器或吸烟可能引发火灾,夜间疏散困难。",
        (
            "宿舍管理员每晚查寝并检查违规电器",
            "每月检查灭火器和应急照明",
            "每学期开展一次夜间疏散演练",
        ),
        ("较大", "一般"),
    ),
    (
        "消防",
        "食堂操作间",
        "燃气灶具和油烟管道积油可能引发火灾。",
        ("燃气管道安装泄漏报警和自动切断装置", "每季度清洗油烟管道", "操作人员经消防培训后上岗"),
        ("较大", "一般"),
    ),
    (
        "校舍",
        "教学楼楼梯和走廊",
        "上下学和课间人流集中,拥挤推搡可能造成踩踏。",
        ("分年级错峰上下楼", "楼梯口安排教师值守", "楼梯设置靠右行走标识和照明"),
        ("较大", "一般"),
    ),
    (
        "校舍",
        "围墙和护栏",
        "部分围墙年久,大风暴雨天气有倒塌风险。",
        ("雨季前后检查围墙稳定性", "危险段设置警示标志和隔离带"),
        ("一般", "低"),
    ),
    (
        "食品",
        "学校食堂",
        "食材采购、储存或加工不当可能引发食物中毒。",
        ("落实索证索票和进货查验", "每餐每样留样125克以上冷藏48小时", "学校负责人每餐陪餐并记录"),
        ("较大", "一般"),
    ),
    (
        "交通",
        "校门口道路",
        "上下学时段车辆和接送家长集中,存在交通事故风险。",
        ("上下学时段护学岗值守", "设置减速带和交通标志", "引导家长在指定区域接送"),
        ("较大", "一般"),
    ),
    (
        "治安",
        "校门和周界",
        "社会人员可能闯入校园,威胁师生安全。",
        ("门卫24小时值守,外来人员登记", "校门设置防冲撞设施", "一键报警与公安联网"),
        ("较大", "一般"),
    ),
    (
        "溺水",
        "学校周边河道和水塘",
        "学生私自下水游泳或在水边玩耍可能溺水。",
        ("开展防溺水专题教育", "向家长发放告知书", "协调属地在危险水域设置警示牌和救生设备"),
        ("重大", "较大"),
    ),
    (
        "踩踏",
        "操场集合通道",
        "大型集会和疏散时通道狭窄可能发生踩踏。",
        ("制定集会疏散路线并分批进出", "通道保持畅通,设专人疏导"),
        ("一般", "低"),
    ),
    (
        "自然灾害",
        "校园",
        "暴雨、大风、雷电等天气可能造成校舍损坏和人员伤害。",
        ("关注气象预警并及时调整教学安排", "汛期前检查排水设施"),
        ("一般", "低"),
    ),
    (
        "传染病",
        "教室和宿舍",
        "流感、诺如病毒等传染病可能在校内聚集性发生。",
        ("落实晨午检和因病缺课追踪", "教室每日通风消毒"),
        ("一般", "低"),
    ),
    (
        "周边环境",
        "校园周边200米",
        "周边存在流动摊贩和网吧,影响学生安全。",
        ("联合属地开展周边环境整治", "放学时段教师护送路队"),
        ("一般", "低"),
    ),
    (
        "危化品",
        "化学实验室药品室",
        "危险化学品保管不当可能发生泄漏、被盗或误用。",
        ("实行双人双锁和领用登记", "药品室安装防盗门和视频监控", "每月清点台账"),
        ("较大", "一般"),
    ),
    (
        "特种设备",
        "锅炉房",
        "锅炉超压或缺水可能引发爆炸事故。",
        ("司炉工持证上岗", "安全阀和压力表按期校验", "每日巡检并记录运行参数"),
        ("较大", "一般"),
    ),
    (
        "其他",
        "体育器材区",
        "单双杠、篮球架等器材松动可能造成运动伤害。",
        ("每周检查体育器材牢固程度", "损坏器材立即停用并维修"),
        ("一般", "低"),
    ),
)
RISK_CATEGORY = {  # hazard category -> the risk category it relates to
    "消防安全": "消防",
    "用电安全": "消防",
    "校舍安全": "校舍",
    "设施设备": "其他",
    "食品安全": "食品",
    "交通安全": "交通",
    "治安防范": "治安",
    "危险化学品": "危化品",
    "特种设备": "特种设备",
    "周边环境": "周边环境",
}

# category, location, description, measures, interim controls, plan when major (or None)
HAZARDS = (
    (
        "消防安全",
        "教学楼二楼东侧",
        "部分灭火器压力不足,指针位于红区。",
        "更换压力不足的灭火器,建立月检记录。",
        "在该区域临时增配灭火器,安排专人每日检查。",
        None,
    ),
    (
        "消防安全",
        "学生宿舍楼",
        "宿舍楼一层安全出口被杂物堵塞。",
        "清理杂物,在出口设置禁止堆放标识,纳入每日巡查。",
        "安排宿舍管理员每日清点出口并记录。",
        None,
    ),
    (
        "消防安全",
        "实验楼",
        "实验楼未设置自动喷淋系统,疏散楼梯仅一部,不符合现行消防规范。",
        "增设自动喷淋系统和室外疏散楼梯,完成消防验收。",
        "实验楼限制同时使用人数,每层安排教师负责疏散,加密消防巡查。",
        "委托设计单位出具改造方案,报区财政申请专项资金,寒假期间施工,完工后申请消防验收。",
    ),
    (
        "消防安全",
        "图书馆",
        "应急照明灯部分损坏,停电时无法正常启用。",
        "更换损坏的应急照明灯并逐一测试。",
        "配备手电筒,闭馆时由管理员检查。",
        None,
    ),
    (
        "用电安全",
        "教学楼配电箱",
        "配电箱门锁损坏,线路老化裸露。",
        "更换配电箱和老化线路,加装门锁和警示标识。",
        "临时断开老化线路,配电箱周边设置隔离带,电工每日检查。",
        None,
    ),
    (
        "用电安全",
        "学生宿舍",
        "个别宿舍私拉电线为手机充电。",
        "拆除私拉线路,宿舍加装限电装置,开展用电安全教育。",
        "宿舍管理员每晚检查违规用电。",
        None,
    ),
    (
        "校舍安全",
        "综合楼外墙",
        "综合楼外墙瓷砖空鼓脱落,有坠落伤人危险。",
        "对外墙空鼓瓷砖全面排查并铲除重贴。",
        "外墙下方设置隔离区和警示标志,禁止学生通行。",
        "委托专业机构检测外墙,编制维修方案报教育局,安排专项资金,利用假期施工,完工后组织验收。",
    ),
    (
        "校舍安全",
        "老教学楼",
        "老教学楼经鉴定为C级危房,部分梁柱出现裂缝。",
        "停止使用老教学楼,拆除重建或加固改造。",
        "老教学楼整体封闭停用,设置围挡和警示标志,安排专人看守。",
        "一、完成房屋安全鉴定并报区教育局;二、制定加固改造方案并申请区财政专项资金;三、施工期间学生调整至新教学楼上课;四、完工后组织竣工验收和安全鉴定。",
    ),
    (
        "校舍安全",
        "教学楼楼梯",
        "楼梯扶手松动,部分护栏高度不足1.1米。",
        "加固楼梯扶手,加高护栏至1.1米以上。",
        "楼梯口安排教师值守,课间疏导学生靠右慢行。",
        None,
    ),
    (
        "设施设备",
        "操场",
        "篮球架底座锈蚀松动。",
        "更换篮球架底座并做防锈处理。",
        "停用该篮球架并设置警示标志。",
        None,
    ),
    (
        "设施设备",
        "校门",
        "电动伸缩门限位开关失灵。",
        "维修伸缩门限位装置,每周检查一次。",
        "伸缩门改为手动开关,门卫专人操作。",
        None,
    ),
    (
        "食品安全",
        "食堂库房",
        "库房食品未离地离墙存放,部分调料超过保质期。",
        "清理过期调料,增设货架,落实出入库登记。",
        "食堂管理员每日检查库房。",
        None,
    ),
    (
        "食品安全",
        "食堂留样间",
        "留样记录不全,个别菜品留样不足125克。",
        "补齐留样记录表,配备电子秤,每餐核对。",
        "校长陪餐时抽查留样。",
        None,
    ),
    (
        "交通安全",
        "校门口道路",
        "校门口缺少减速带和学校区域警示标志。",
        "协调交管部门设置减速带和警示标志。",
        "上下学时段护学岗值守,教师疏导交通。",
        None,
    ),
    (
        "交通安全",
        "校门口路段",
        "校门直接临国道,上下学时段车流量大,缺少人行过街设施。",
        "协调交通、公路部门建设过街天桥或设置信号灯。",
        "上下学时段安排交警和护学岗双岗值守,学生结队过街。",
        "联合交通、公安、公路部门现场论证,由区政府立项建设人行过街设施,建设期间加强护学岗。",
    ),
    (
        "治安防范",
        "校门",
        "校门口未设置防冲撞设施。",
        "在校门口安装升降柱。",
        "上下学时段安排保安在校门外值守。",
        None,
    ),
    (
        "治安防范",
        "周界围墙",
        "北侧围墙高度不足,有翻越痕迹。",
        "加高围墙并安装周界报警。",
        "夜间加密巡逻,北侧增设临时照明。",
        None,
    ),
    (
        "治安防范",
        "监控室",
        "部分摄像头画面模糊,录像保存不足90天。",
        "更换摄像头和硬盘,录像保存90天以上。",
        "保安加密对相应区域的巡查。",
        None,
    ),
    (
        "治安防范",
        "门卫室",
        "外来人员登记簿记录不全。",
        "规范外来人员登记,核验身份证件。",
        "值班领导每日检查登记簿。",
        None,
    ),
    (
        "危险化学品",
        "化学实验室药品室",
        "药品柜未实行双人双锁,领用台账缺少签字。",
        "更换双锁药品柜,规范领用登记和双人签字。",
        "药品室钥匙由总务主任临时保管。",
        None,
    ),
    (
        "特种设备",
        "锅炉房",
        "锅炉安全阀校验过期。",
        "联系检验机构校验安全阀。",
        "锅炉降压运行,司炉工加密巡检。",
        None,
    ),
    (
        "特种设备",
        "教学楼电梯",
        "电梯维保记录不全,超过15日未维护保养。",
        "督促维保单位按期维保并完善记录。",
        "暂停使用电梯,张贴停用告示。",
        None,
    ),
    (
        "周边环境",
        "校园北侧河道",
        "学校北侧河道无护栏和警示标志。",
        "协调水务部门加装护栏和警示标志。",
        "放学时段安排教师巡查河道周边。",
        "报告属地镇政府和水务部门,联合制定河道护栏建设方案,落实资金后施工,期间设置临时警示标志。",
    ),
    (
        "周边环境",
        "校门西侧",
        "校门附近有流动摊贩占道经营。",
        "协调城管部门清理摊贩。",
        "放学时段教师引导学生快速离校。",
        None,
    ),
)

DRILL_KIND_OTHER = ("防恐防暴", "防踩踏", "防溺水", "防汛", "食品安全", "地震疏散", "消防疏散")
DRILL_PROBLEMS = (
    ("个别班级下楼时速度过快,出现拥挤。", "加强楼梯口疏导,下次演练前强调靠右慢行。"),
    ("二楼东侧疏散指示标志不够醒目。", "更换为蓄光型疏散指示标志。"),
    ("部分学生用湿毛巾捂口鼻动作不规范。", "班主任利用班会课再次讲解示范。"),
    ("集合点清点人数用时较长。", "各班指定清点员,统一报告格式。"),
    ("广播报警声音在西侧楼层听不清。", "检修广播系统并增加扬声器。"),
    ("门卫使用钢叉配合不够熟练。", "每月组织一次防暴器械训练。"),
)
EDUCATION = {  # month -> topics
    9: ("开学第一课:校园安全", "交通安全教育", "防欺凌教育"),
    10: ("消防安全知识讲座", "防诈骗教育", "国防教育"),
    11: ("全国消防日主题教育", "防踩踏教育", "冬季安全教育"),
    12: ("防溺冰教育", "寒假安全教育", "交通安全教育"),
    1: ("寒假安全教育", "防火防爆教育"),
    3: ("全国中小学生安全教育日", "春季传染病预防"),
    4: ("国家安全教育", "防溺水教育"),
    5: ("防灾减灾日主题教育", "心理健康教育"),
    6: ("防溺水专题教育", "暑期安全教育"),
    7: ("暑期安全教育",),
}
PLANS = (
    ("总体预案", "学校突发公共事件总体应急预案"),
    ("火灾", "消防安全应急疏散预案"),
    ("地震", "地震应急疏散预案"),
    ("防恐防暴", "校园防恐防暴应急处置预案"),
    ("踩踏", "防拥挤踩踏事故应急预案"),
    ("溺水", "防溺水应急预案"),
    ("自然灾害", "防汛防台和极端天气应急预案"),
    ("传染病", "传染病疫情防控应急预案"),
)
INSPECTORS = (
    ("教育部门", "教育部门检查", "区教育局安全检查组对校园安全管理、消防设施和台账进行全面检查"),
    ("公安机关", "公安检查", "派出所对人防物防技防建设、一键报警和视频监控联网情况进行检查"),
    ("联合检查", "联合检查", "教育、公安、消防联合检查组对学校开展开学安全检查"),
    ("七部门联合检查", "联合检查", "区教育局等七部门对校园安全进行联合检查"),
    ("消防救援", "其他", "消防救援大队对消防设施、疏散通道和消防安全管理进行检查"),
    ("市场监管", "其他", "市场监管所对食堂食品安全和特种设备进行检查"),
)
ESCORT = {
    "早": ("07:10", "07:20", "07:30"),
    "中": ("11:40", "11:50", "12:00"),
    "晚": ("16:30", "17:00", "17:20"),
}


def cn_number(n: int) -> str:
    """1..999 in Chinese numerals, as school names use them: 十二, 二十一, 一百零三."""
    digits = "零一二三四五六七八九"
    hundreds, rest = divmod(n, 100)
    tens, ones = divmod(rest, 10)
    text = digits[hundreds] + "百" if hundreds else ""
    if tens:
        text += ("" if tens == 1 and not hundreds else digits[tens]) + "十"
    elif hundreds and ones:
        text += "零"
    if ones:
        text += digits[ones]
    return text


def day(offset: int) -> str:
    """The date ``offset`` days from :data:`REF`, as YYYY-MM-DD."""
    return (REF + timedelta(days=offset)).isoformat()


def _off(d: date) -> int:
    return (d - REF).days


def _months_back(n: int) -> list[tuple[int, int]]:
    """The ``n`` months ending with the current one, newest first, as (year, month)."""
    y, m = REF.year, REF.month
    months = []
    for _ in range(n):
        months.append((y, m))
        y, m = (y, m - 1) if m > 1 else (y - 1, 12)
    return months


# ---------------------------------------------------------------------------------------------
# The generator


class _Synth:
    def __init__(self, seed: int):
        self.rng = random.Random(seed)
        self.names: set[str] = set()
        self.counters: dict[tuple[str, str], int] = {}
        self.experimental: set[str] = set()  # districts that have their 实验小学

    # -- small helpers -------------------------------------------------------------------------

    def person(self) -> str:
        r = self.rng
        given = r.choice(GIVEN) + (r.choice(GIVEN) if r.random() < 0.7 else "")
        return r.choice(SURNAMES) + given

    def mobile(self) -> str:
        return f"13{self.rng.randint(0, 9)}0000{self.rng.randint(0, 9999):04d}"

    def landline(self, area: str) -> str:
        return f"{area}-{self.rng.randint(2, 8)}{self.rng.randint(0, 9999999):07d}"

    def town(self) -> str:
        r = self.rng
        return r.choice(TOWN_SYL) + r.choice(TOWN_SYL) + r.choice(TOWN_SUFFIX)

    def pick(self, weights: tuple) -> str:
        return self.rng.choices([k for k, _ in weights], [w for _, w in weights])[0]

    # -- the tree ------------------------------------------------------------------------------

    def tree(self, schools: int) -> Iterator[tuple[str, dict]]:
        n_districts = max(1, round(schools / SCHOOLS_PER_DISTRICT))
        width = max(2, len(str(n_districts)))
        school_width = max(4, len(str(schools)))
        cities = self.cities((n_districts + 7) // 8)
        index = 0
        for k in range(n_districts):
            city, area = cities[k // 8]
            district = self.district(k, width, city)
            yield f"{district['id']}/_district.yaml", district
            count = (k + 1) * schools // n_districts - k * schools // n_districts
            for _ in range(count):
                stage = STAGES[index] if index < len(STAGES) else None
                index += 1
                school_id = f"{district['id']}-s{index:0{school_width}d}"
                data = self.dossier(school_id, district, area, stage)
                yield f"{district['id']}/{data['profile']['id']}.yaml", data

    def cities(self, n: int) -> list[tuple[str, str]]:
        names = [PLACE[i : i + 2] for i in range(0, len(PLACE), 2)]
        while len(names) < n:
            name = self.rng.choice(TOWN_SYL) + self.rng.choice(PLACE)
            if name not in names:
                names.append(name)
        return [(name + "市", f"0{300 + i % 700}") for i, name in enumerate(names[:n])]

    def district(self, k: int, width: int, city: str) -> dict:
        name = DISTRICT_NAMES[k % 8 + 8 * (k // 8 % 2)]
        did = f"d{k + 1:0{width}d}"
        return {
            "schema_version": 1,
            "id": did,
            "name": name,
            "city": city,
            "rule_set": RULE_SETS[k % len(RULE_SETS)],
            "bureau": f"{city}{name}教育局校园安全管理办公室",
            "reviewers": [
                {"account": f"xiaoan-{did}-shenhe{i}", "name": self.person()} for i in (1, 2)
            ],
        }

    def school_name(self, stage: str, district: dict, experimental: bool) -> tuple[str, bool]:
        """A name not used before in the tree, and whether it is a private school's brand name."""
        r = self.rng
        city, short = district["city"], district["name"][:-1]
        for attempt in range(5):
            roll, private = r.random(), False
            if experimental and attempt == 0 or 0.5 <= roll < 0.6:  # 东城实验小学
                name = f"{short}{EXPERIMENTAL_KIND[stage]}"
            elif roll < 0.35:  # 柳庄镇中心小学
                name = f"{self.town()}{TOWN_KIND[stage]}"
            elif roll < 0.5:  # 育才学校
                name = f"{r.choice(BRANDS)}{'学校' if stage in SECONDARY else NUMBERED_KIND[stage]}"
                private = True
            else:
                break
            if name not in self.names:
                self.names.add(name)
                return name, private
        # numbered within the city, which never repeats: 临河市第十二小学
        kind = NUMBERED_KIND[stage]
        n = self.counters[(city, kind)] = self.counters.get((city, kind), 0) + 1
        name = f"{city}第{cn_number(n)}{kind}"
        self.names.add(name)
        return name, False

    # -- one dossier ---------------------------------------------------------------------------

    def dossier(self, school_id: str, district: dict, area: str, stage: str | None) -> dict:
        r = self.rng
        kind = self.pick(MIX)
        stage = stage or r.choices(STAGES, STAGE_WEIGHTS)[0]
        (low, high), boarding_share, private_share = STAGE_FACTS[stage]
        # the first primary school of each district is its 实验小学
        experimental = stage == "小学" and district["id"] not in self.experimental
        if experimental:
            self.experimental.add(district["id"])
        name, branded = self.school_name(stage, district, experimental)
        students = r.randint(low, high)
        boarding = r.random() < boarding_share
        names: dict[str, None] = {}
        while len(names) < 20:
            names[self.person()] = None
        ctx = _School(
            kind=kind,
            stage=stage,
            students=students,
            staff=max(8, students // r.randint(9, 16)),
            boarding=boarding,
            secondary=stage in SECONDARY,
            canteen=boarding or stage == "幼儿园" or r.random() < 0.6,
            equipment=boarding and r.random() < 0.5 or r.random() < 0.15,
            principal=next(iter(names)),
            people=list(names),
        )
        if kind == "overdue":
            ctx.problems = {r.choice(("hazard", "hazard", "hazard", "spray", "drill"))}
            if r.random() < 0.3:
                ctx.problems.add(r.choice(("spray", "drill", "hazard")))
        elif kind == "gap":
            ctx.problems = {r.choice(("guard", "video", "alarm", "barrier", "signs", "canteen"))}
        buses = stage in ("幼儿园", "小学", "九年一贯制", "特殊教育") and r.random() < 0.2

        risks = self.risks(ctx)
        inspections = self.inspections()
        drills = self.drills(ctx)
        plans = self.plans(ctx)
        if buses:
            drills.append(self.drill(ctx, REF.year, 10, "校车", "部分"))
            drills.sort(key=lambda d: d["date"])
            plans.append(
                {
                    "kind": "校车事故",
                    "title": "校车安全事故应急预案",
                    "revised": day(-r.randint(30, 300)),
                    "approved_by": ctx.principal,
                }
            )
        data: dict = {
            "schema_version": 1,
            "profile": {
                "id": f"{school_id}-{STAGE_SLUG[stage]}",
                "name": name,
                "district": district["id"],
                "stage": stage,
                "ownership": "民办" if branded or r.random() < private_share else "公办",
                "boarding": boarding,
                "students": students,
                "staff": ctx.staff,
                "address": f"{district['city']}{district['name']}"
                f"{r.choice(ROADS)}{r.randint(1, 399)}号",
                "principal": ctx.principal,
                "office_phone": self.landline(area),
            },
            "responsibilities": self.responsibilities(ctx),
            "risks": risks,
            "hazards": self.hazards(ctx, risks, inspections),
            "drills": drills,
            "devices": self.devices(ctx),
            "police": self.police(area),
            "emergency_plans": plans,
            "safety_education": self.education(ctx),
        }
        if buses:
            data["school_buses"] = self.buses()
        data["canteen"] = self.canteen(ctx) if ctx.canteen else {"operated": False}
        data["chemicals"] = self.chemicals(ctx) if ctx.secondary else {"held": False}
        if ctx.equipment:
            data["special_equipment"] = self.special_equipment(ctx)
        data["inspections"] = inspections
        data["reports"] = self.reports()
        self.seed_requirements(data, ctx)
        return data

    def seed_requirements(self, data: dict, ctx: _School) -> None:
        """The fields of the rules added from the seeds (issue #12). They draw from their own
        generator, seeded by the school's id, so every earlier choice stays as it was; a
        compliant school meets them all, a school with a gap misses one of them."""
        r = random.Random(data["profile"]["id"])
        resp, dev = data["responsibilities"], data["devices"]
        resp.update(
            safety_office=True,
            safety_rules=list(SAFETY_RULES),
            warning_education=day(-r.randint(30, 400)),
            safety_talk=day(-r.randint(10, 300)),
        )
        dev.update(
            peak_extra_guards=True,
            **({"dorm_managers": r.randint(1, 4)} if ctx.boarding else {}),
            handover_log=True,
            patrol_log=True,
            electronic_patrol=True,
            fire_acceptance=True,
        )
        dev["video"].update(keeper_assigned=True, daily_check=True)
        if ctx.kind == "compliant" and not dev["perimeter_alarm"]["installed"]:
            dev["perimeter_alarm"] = {"installed": True, "zones": ["东侧围墙", "西侧围墙"]}
        data["police"]["legal_counsellor"] = True
        for bus in data.get("school_buses", []):
            bus.update(gps=True, escort=True)
            bus["driver"].update(
                qualification_valid_until=bus["driver"]["licence_valid_until"], matches_sign=True
            )
        if ctx.canteen:
            data["canteen"].update(
                staff_health_certified=True,
                purchase_records=True,
                flue_cleaned=day(-r.randint(5, 80)),
                gas_safety=True,
                lpg_store=r.choice(("不使用液化气", "不使用液化气", "规范")),
            )
        if data["chemicals"].get("held"):
            data["chemicals"].update(lab_admission=True, waste_disposal=True)
        for item in data.get("special_equipment", []):
            if item["kind"] != "电梯":
                item["last_maintenance"] = day(-r.randint(1, 25))
        data["emergency_supplies"] = {"stocked": True, "last_checked": day(-r.randint(1, 60))}
        data["student_support"] = {"hotline_posted": True, "help_line": True}
        data["buildings"] = [
            {"name": name, "safety_grade": r.choice("AAB"), "in_use": True,
             "last_checked": day(-r.randint(30, 300))}
            for name in ("1号教学楼", "综合楼", "学生宿舍楼")[: 3 if ctx.boarding else 2]
        ]  # fmt: skip
        data["hazard_checks"] = [
            {"date": d, "kind": "开学前排查", "hazards_found": r.randint(0, 3)}
            for d in ("2026-02-20", "2026-08-25")
        ]
        for h in data["hazards"]:  # 002 四2: a plan with its funds for what is not fixed at once
            if h["status"] != "已销号" and not h.get("immediate") and "funds" not in h:
                h["funds"] = {"amount": r.randint(1, 30) * 1000, "source": "学校公用经费",
                              "secured": True}  # fmt: skip
        if ctx.kind == "gap" and r.random() < 0.5:
            data["buildings"][0]["last_checked"] = day(-r.randint(400, 700))

    def responsibilities(self, ctx: _School) -> dict:
        r = self.rng
        members = r.sample(MEMBER_POSTS, r.randint(3, 5))
        people = iter(ctx.people[1:])  # after the principal: distinct people for these posts
        rep, minor = next(people), next(people)
        letters = date(2026, 9, r.randint(1, 12))
        posts = []
        for post, duties in r.sample(POSTS, r.randint(3, 5)):
            if post == "宿舍管理员" and not ctx.boarding:
                continue
            posts.append(
                {
                    "post": post,
                    "person": r.choice(ctx.people),
                    "duties": duties,
                    "letter_signed": (letters + timedelta(days=r.randint(0, 5))).isoformat(),
                }
            )
        return {
            "leadership_group": {
                "leader": ctx.principal,
                "established": date(2026, 9, r.randint(1, 8)).isoformat(),
                "members": [
                    {
                        "name": next(people),
                        "post": post,
                        **({"role": role} if r.random() < 0.5 else {}),
                    }
                    for post, role in members
                ],
            },
            "safety_representative": {
                "name": rep,
                "post": "安全办主任",
                "full_time": True,
                "appointed": day(-r.randint(80, 1500)),
                "phone": self.mobile(),
            },
            "minor_protection_officer": {
                "name": minor,
                "post": r.choice(("德育主任", "心理教师", "团委书记", "副校长")),
                "appointed": day(-r.randint(80, 1500)),
                "phone": self.mobile(),
            },
            "posts": posts,
            "meetings": [
                {
                    "date": date(y, m, r.randint(2, 12)).isoformat(),
                    "topic": r.choice(MEETING_TOPICS),
                    "attendees": r.randint(6, 15),
                }
                for y, m in reversed(_months_back(r.randint(2, 3)))
            ],
        }

    def risks(self, ctx: _School) -> list[dict]:
        r = self.rng
        pool = [t for t in RISKS if ctx.has(t[0])]
        chosen = r.sample(pool, min(len(pool), 3 + int(r.random() ** 3 * 6)))  # 3–8, mostly few
        risks = []
        for i, (category, place, description, controls, levels) in enumerate(chosen, 1):
            risks.append(
                {
                    "id": f"R-{i:02d}",
                    "place": place,
                    "category": category,
                    "description": description,
                    "level": r.choice(levels),
                    "controls": list(controls[: r.randint(2, 3)]),
                    "owner": r.choice(ctx.people),
                    **({"owner_phone": self.mobile()} if r.random() < 0.3 else {}),
                    "assessed": day(-r.randint(20, 300)),
                    "next_review": day(r.randint(20, 250)),
                }
            )
        return risks

    def inspections(self) -> list[dict]:
        """Two inspections a semester, this one and the last, and sometimes one from last year."""
        r = self.rng
        dates = [
            date(2026, 9, r.randint(3, 28)),
            date(2026, r.choice((10, 11)), r.randint(3, 20)),
            date(2026, 3, r.randint(3, 30)),
            date(2026, r.choice((5, 6)), r.randint(3, 28)),
        ]
        if r.random() < 0.3:
            dates.append(date(2025, r.choice((10, 11, 12)), r.randint(3, 28)))
        dates.sort()
        out = []
        numbers: dict[int, int] = {}
        for d in dates:
            numbers[d.year] = numbers.get(d.year, 0) + 1
            by, _, notes = r.choice(INSPECTORS)
            out.append(
                {
                    "id": f"I-{d.year}-{numbers[d.year]:02d}",
                    "date": d.isoformat(),
                    "by": by,
                    "hazards_found": 0,
                }
            )
            if r.random() < 0.5:
                out[-1]["notes"] = notes + "。"
        return out

    def hazards(self, ctx: _School, risks: list[dict], inspections: list[dict]) -> list[dict]:
        r = self.rng
        n = 2 + int(r.random() ** 4 * 11)  # 2–12, mostly few
        states = ["closed"] * n
        if ctx.kind == "open" or (ctx.kind in ("overdue", "major", "gap") and r.random() < 0.4):
            for i in range(r.randint(1, min(3, n - 1))):
                states[i] = "open"
        if "hazard" in ctx.problems:
            states[-1] = "overdue"
            if r.random() < 0.3 and n > 2:
                states[-2] = "overdue"
        if ctx.kind == "major":
            states[-1] = "major"
        risk_by_category = {}
        for risk in risks:
            risk_by_category.setdefault(risk["category"], risk["id"])
        by_source = {by: source for by, source, _ in INSPECTORS}
        items = []
        for state in states:
            # now and then a major hazard, long since closed
            major = state == "major" or state == "closed" and r.random() < 0.04
            templates = [t for t in HAZARDS if (t[5] is not None) == major and ctx.has(t[0])]
            items.append(
                self.hazard(
                    ctx, state, r.choice(templates), inspections, by_source, risk_by_category
                )
            )
        items.sort(key=lambda h: h["found"])
        numbers: dict[str, int] = {}
        for h in items:
            year = h["found"][:4]
            numbers[year] = numbers.get(year, 0) + 1
            h["id"] = f"H-{year}-{numbers[year]:03d}"
        for insp in inspections:
            insp["hazards_found"] = sum(h.get("inspection") == insp["id"] for h in items)
        return items

    def hazard(self, ctx, state, template, inspections, by_source, risk_by_category) -> dict:
        r = self.rng
        category, location, description, measures, interim, plan = template
        # when found: closed ones any time in the last year or so, open ones recently
        if state == "closed":
            window = (-420, -3)
        elif state == "overdue":
            window = (-200, -30)
        elif state == "major":
            window = (-120, -10)
        else:
            window = (-45, -1)
        candidates = [
            i for i in inspections if window[0] <= _off(date.fromisoformat(i["date"])) <= window[1]
        ]
        h: dict = {"id": ""}
        if candidates and r.random() < 0.5:
            insp = r.choice(candidates)
            found = _off(date.fromisoformat(insp["date"]))
            h.update(found=insp["date"], source=by_source[insp["by"]], inspection=insp["id"])
            h["found_by"] = self.person()
        else:
            found = r.randint(*window)
            h.update(found=day(found), source="自查")
        major = plan is not None
        immediate = state == "closed" and not major and r.random() < 0.4
        h.update(
            location=location,
            description=description,
            category=category,
            grade="重大" if major else "一般",
            immediate=immediate,
        )
        if state == "closed":
            if immediate:
                deadline = rectified = closed = found
            else:
                deadline = found + (r.randint(60, 180) if major else r.randint(5, 45))
                last = min(deadline, -1)
                rectified = r.randint(found, max(found, last - 1))
                closed = r.randint(rectified, max(rectified, last))
            h.update(
                status="已销号",
                measures=measures,
                owner=r.choice(ctx.people),
                deadline=day(deadline),
            )
        else:
            if state == "overdue":
                deadline = r.randint(max(found + 7, -60), -3)
            elif state == "major":
                deadline = r.randint(30, 160)
            else:
                deadline = r.randint(5, 60)
            status = (
                r.choice(("登记", "整改中", "整改中", "待验收")) if state == "open" else "整改中"
            )
            if found >= -3 and state == "open" and r.random() < 0.5:
                status = "发现"
            h.update(
                status=status, measures=measures, owner=r.choice(ctx.people), deadline=day(deadline)
            )
        if major:
            h["funds"] = {
                "amount": r.randint(5, 90) * 10000,
                "source": r.choice(("区财政专项", "市级专项资金", "学校公用经费")),
                "secured": state == "closed" or r.random() < 0.5,
            }
            h["plan"] = plan
        if not immediate and state != "closed":
            h["interim_controls"] = interim
            h["watcher"] = r.choice(ctx.people)
        if state == "closed":
            h.update(rectified=day(rectified), closed=day(closed), verifier=r.choice(ctx.people))
        elif h["status"] == "待验收":
            h["rectified"] = day(r.randint(found, 0))
        risk = risk_by_category.get(RISK_CATEGORY.get(category, ""))
        if risk:
            h["risk"] = risk
        if r.random() < 0.1:
            h["notes"] = r.choice(
                ("已向区教育局书面报告。", "整改前后照片已存档。", "已纳入本月隐患清单月报。")
            )
        return h

    def drill(self, ctx: _School, year: int, month: int, kind: str, scope: str) -> dict:
        r = self.rng
        last_day = 20 if (year, month) == (REF.year, REF.month) else 26
        people = ctx.students + ctx.staff
        participants = (
            people - r.randint(0, people // 20)
            if scope == "全校"
            else r.randint(30, max(31, people // 3))
        )
        if ctx.secondary:
            seconds = r.randint(75, 118)
        else:
            seconds = r.randint(95, 175)
        d = {
            "date": date(year, month, r.randint(2, last_day)).isoformat(),
            "kind": kind,
            "scope": scope,
            "participants": participants,
            "evacuation_seconds": seconds,
        }
        if r.random() < 0.6:
            d["organiser"] = r.choice(ctx.people)
        if r.random() < 0.25:
            d["problems"], d["improvements"] = r.choice(DRILL_PROBLEMS)
        return d

    def drills(self, ctx: _School) -> list[dict]:
        """A drill each month of this term and the last, at least three a term whole-school
        fire and earthquake drills (both kinds each term), sometimes a few from before."""
        r = self.rng
        months = [(2026, 9), (2026, 10), (2026, 11)]
        if "drill" in ctx.problems:  # the last two months missed (the whole term in a kindergarten)
            months = [] if ctx.stage == "幼儿园" else months[:1]
        spring = [(2026, 3), (2026, 4), (2026, 5), (2026, 6)]
        other = r.choice(spring)
        older = [(2025, 12), (2026, 1)][2 - int(r.random() ** 2 * 3) :]
        drills = []
        for y, m in older + spring + months:
            if (y, m) == other or y == 2025 or m == 1:
                kind = r.choice(DRILL_KIND_OTHER)
                scope = "全校" if kind in ("消防疏散", "地震疏散") or r.random() < 0.6 else "部分"
            else:
                kind, scope = ("地震疏散" if m in (4, 5, 10) else "消防疏散"), "全校"
            drills.append(self.drill(ctx, y, m, kind, scope))
        return drills

    def devices(self, ctx: _School) -> dict:
        r = self.rng
        people = ctx.students + ctx.staff
        needed = 1 if people < 100 else 2 if people <= 1000 else 2 + -(-(people - 1000) // 500)
        guards = []
        for i in range(needed + r.randint(0, 1)):
            guards.append(
                {
                    "name": self.person(),
                    "certificate_no": f"保安员证{r.randint(2015, 2025)}{r.randint(0, 999999):06d}",
                    **({"phone": self.mobile()} if r.random() < 0.5 else {}),
                    "full_time": True,
                    "certified": not ("guard" in ctx.problems and i == 0),
                    "hired": day(-r.randint(60, 2500)),
                }
            )
        spray_expires = r.randint(-60, -2) if "spray" in ctx.problems else r.randint(40, 500)
        equipment = [
            {"kind": "防刺背心", "count": len(guards) + r.randint(0, 2)},
            {"kind": "钢叉", "count": r.randint(2, 6)},
            {
                "kind": "防卫喷雾",
                "count": r.randint(2, 4),
                "expires": day(spray_expires),
                "location": "门卫室",
            },
            {"kind": "一键报警遥控器", "count": r.randint(1, 3), "location": "门卫室和值班室"},
        ]
        equipment.insert(2, {"kind": "橡胶警棍", "count": len(guards)})
        for kind in ("防暴头盔", "防割手套"):
            if r.random() < 0.3:
                equipment.insert(3, {"kind": kind, "count": len(guards)})
        cameras = max(16, people // r.randint(12, 25))
        locations = ["校门内外", "门卫室", "操场", "教学楼各楼层走廊", "周界围墙"]
        if ctx.boarding:
            locations.append("学生宿舍出入口")
        if ctx.stage == "幼儿园":
            locations += ["各班活动室", "午睡室"]
        if ctx.canteen:
            locations.append("食堂操作间")
        fire = []
        for kind, low, high in (
            ("灭火器", 30, 160),
            ("室内消火栓", 8, 40),
            ("应急照明", 20, 90),
            ("疏散指示标志", 30, 120),
            ("烟感报警器", 10, 80),
        ):
            if kind in ("室内消火栓", "烟感报警器") and r.random() < 0.5:
                continue
            item = {
                "kind": kind,
                "count": r.randint(low, high),
                "last_inspected": day(-r.randint(1, 28)),
                "next_inspection": day(r.randint(3, 30)),
            }
            if kind == "疏散指示标志":
                item["national_standard"] = "signs" not in ctx.problems
                item["failed"] = r.randint(2, 6) if "signs" in ctx.problems else 0
            fire.append(item)
        rooms = r.sample(["财务室", "档案室", "配电室", "监控室"], r.randint(2, 4))
        if ctx.secondary:
            rooms.append("化学实验室药品室")
        return {
            "guards": guards,
            "duty_24h": True,
            "patrols_per_day": r.randint(5, 8),
            "closed_campus": True,
            "protective_equipment": equipment,
            "anti_collision": (
                {"installed": False}
                if "barrier" in ctx.problems
                else {
                    "installed": True,
                    "kind": r.choice(("升降柱", "隔离墩", "防撞桩")),
                    "count": r.randint(3, 8),
                }
            ),
            "video": {
                "cameras": cameras,
                "key_areas_covered": True,
                "storage_days": 30 if "video" in ctx.problems else r.choice((90, 90, 90, 120, 180)),
                "linked_police": True,
                "locations": locations,
            },
            "one_key_alarm": {
                "installed": True,
                "linked_police": "alarm" not in ctx.problems,
                "last_tested": day(-r.randint(1, 25)),
                "location": "门卫室",
            },
            "perimeter_alarm": {
                "installed": True,
                "zones": ["东侧围墙", "南侧围墙", "西侧围墙", "北侧围墙"],
            }
            if r.random() < 0.6
            else {"installed": False},
            "fire_equipment": fire,
            "key_rooms": [{"room": room, "guard_rail": True, "alarm": True} for room in rooms],
        }

    def police(self, area: str) -> dict:
        r = self.rng
        station = self.town()[:2] + "派出所"
        posts = [{"period": "早", "start": r.choice(ESCORT["早"][:2]), "end": "08:00"}]
        if r.random() < 0.4:
            posts.append({"period": "中", "start": r.choice(ESCORT["中"]), "end": "12:30"})
        posts.append(
            {
                "period": "晚",
                "start": r.choice(ESCORT["晚"]),
                "end": r.choice(("17:30", "17:40", "18:00")),
            }
        )
        return {
            "officer": self.person(),
            "badge_no": f"{r.randint(0, 999999):06d}",
            "station": station,
            "duty_phone": self.landline(area),
            "officer_mobile": self.mobile(),
            "duties": "指导学校安全防范和安全教育;每周到校巡查;上下学时段护学;"
            "接警后第一时间到场处置。",
            "complaint_phone": "12389",
            "notice_posted": day(-r.randint(10, 200)),
            "escort_posts": posts,
        }

    def plans(self, ctx: _School) -> list[dict]:
        r = self.rng
        chosen = PLANS[:3] + tuple(r.sample(PLANS[3:], r.randint(1, 3)))
        plans = [
            {"kind": kind, "title": title, "revised": day(-r.randint(20, 300))}
            for kind, title in chosen
        ]
        plans[0]["approved_by"] = ctx.principal
        if ctx.stage != "特殊教育" and r.random() < 0.5:
            plans.append(
                {
                    "kind": "食品安全",
                    "title": "食品安全事故应急预案",
                    "revised": day(-r.randint(20, 300)),
                    "approved_by": ctx.principal,
                }
            )
        return plans

    def education(self, ctx: _School) -> list[dict]:
        """Twelve hours or more in the last school year, and as many in this one so far."""
        r = self.rng
        out = []
        for months in ((3, 4, 5, 6), (9, 10, 11)):
            year = 2026
            hours = 0.0
            while hours < 12:
                audience = "全园幼儿" if ctx.stage == "幼儿园" else "全校学生"
                m = r.choice(months)
                d = date(year, m, r.randint(2, 20 if m == 11 else 27))
                h = r.choice((2, 3, 4, 4, 6))
                hours += h
                if ctx.stage != "幼儿园" and r.random() < 0.3:
                    audience = r.choice(
                        ("一年级", "二年级", "毕业年级", "寄宿学生" if ctx.boarding else "三年级")
                    )
                out.append({"date": d.isoformat(), "topic": r.choice(EDUCATION[m]), "hours": h})
                if r.random() < 0.5:
                    out[-1]["audience"] = audience
        out.sort(key=lambda e: e["date"])
        return out

    def canteen(self, ctx: _School) -> dict:
        r = self.rng
        weekday = REF - timedelta(days=max(0, REF.weekday() - 4))
        grams = 100 if "canteen" in ctx.problems else r.choice((125, 150, 200, 200))
        return {
            "operated": True,
            "licence_no": f"JY{r.randint(1, 9)}{r.randint(0, 10**13 - 1):013d}",
            "licence_valid_until": day(r.randint(120, 1500)),
            "open_kitchen": True,
            "accompanied_meals_recorded": True,
            "last_accompanied_meal": weekday.isoformat(),
            "sample_grams": grams,
            "sample_hours": r.choice((48, 48, 72)),
            "sample_log": True,
        }

    def chemicals(self, ctx: _School) -> dict:
        r = self.rng
        return {
            "held": True,
            "keepers": r.sample(ctx.people, 2),
            "double_lock": True,
            "ledger": True,
            "last_checked": day(-r.randint(1, 28)),
            "store_location": "实验楼二楼药品室",
        }

    def special_equipment(self, ctx: _School) -> list[dict]:
        r = self.rng
        items = []
        if ctx.boarding and r.random() < 0.7:
            items.append(
                {
                    "kind": "锅炉",
                    "name": "1号燃气热水锅炉",
                    "reg_no": f"锅G{r.randint(0, 99999):05d}",
                    "last_inspection": day(-r.randint(30, 300)),
                    "next_inspection": day(r.randint(60, 330)),
                    "operator_certified": True,
                }
            )
        for i in range(r.randint(0 if items else 1, 2)):
            items.append(
                {
                    "kind": "电梯",
                    "name": f"{i + 1}号楼电梯",
                    "reg_no": f"梯T{r.randint(0, 99999):05d}",
                    "last_inspection": day(-r.randint(30, 300)),
                    "next_inspection": day(r.randint(60, 330)),
                    "last_maintenance": day(-r.randint(1, 12)),
                    "operator_certified": True,
                }
            )
        return items

    def buses(self) -> list[dict]:
        r = self.rng
        return [
            {
                "plate": f"冀{r.choice('ABCDEFG')}·{r.randint(10000, 99999)}",
                "sign_no": f"XC{r.randint(2024, 2026)}{r.randint(0, 99999):05d}",
                "sign_valid_until": day(r.randint(60, 700)),
                "seats": r.choice((19, 35, 41, 56)),
                "route": f"{self.town()}—{self.town()}—学校",
                "driver": {
                    "name": self.person(),
                    "licence_valid_until": day(r.randint(200, 2000)),
                    "driving_years": r.randint(5, 25),
                    "age": r.randint(30, 55),
                },
            }
            for _ in range(r.randint(1, 2))
        ]

    def reports(self) -> dict:
        r = self.rng
        monthly = [
            {"month": f"{y}-{m:02d}", "submitted": date(y, m, r.randint(1, 10)).isoformat()}
            for y, m in reversed(_months_back(r.randint(3, 6)))
        ]
        return {
            "monthly": monthly,
            "annual": [
                {"year": y, "submitted": date(y, 12, r.randint(1, 15)).isoformat()}
                for y in (2024, 2025)
            ],
        }


@dataclass
class _School:
    """What the parts of one dossier share while it is built."""

    kind: str  # one of MIX
    stage: str
    students: int
    staff: int
    boarding: bool
    secondary: bool
    canteen: bool
    equipment: bool  # has special equipment (boiler, lift)
    principal: str
    people: list[str]  # staff names to draw owners, organisers … from
    problems: set[str] = field(default_factory=set)  # what is wrong, beyond the kind

    def has(self, category: str) -> bool:
        """Whether a risk or hazard of this category can arise at this school."""
        if category in ("危化品", "危险化学品"):
            return self.secondary
        if category == "特种设备":
            return self.equipment
        if category in ("食品", "食品安全"):
            return self.canteen
        return True
