"""Rule sets: the thresholds, school calendar and 达标率 targets one jurisdiction follows.

A rule set is a YAML file in ``generator/core/rulesets/`` (package data), checked against
``ruleset.schema.json``. Where the seeds disagree (drills monthly or three a semester, video
kept 30 or 90 days) the value lives here, not in code. A rule set may ``extends:`` another:
settings are merged key by key, rates by id, ``disabled`` rules added up; the calendar is the
child's if it has one.

A broken rule set raises :class:`RuleSetError` with a Chinese message naming the file, line
and place; an unknown name raises :class:`UnknownRuleSet` (a usage error on the command line).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

from generator.core.dates import SchoolCalendar, Semester, parse_date
from generator.core.load import LoadError, load
from generator.core.schema import FORMATS

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"
BASELINE = "national"


@dataclass(frozen=True)
class Measure:
    """How a district rate is computed from a school's counts (see evaluate._counts)."""

    text: str
    """What it measures, in words (the coverage matrix and the rule pages show it)."""
    parts: Callable[[Mapping[str, int]], tuple[int, int]]
    """(numerator, denominator) of one school's share of the rate."""


MEASURES = {
    # of the hazards now decided (closed, or open past their deadline), those closed by their
    # deadline; one fixed at once, without a deadline, counts as on time
    "hazards_closed_on_time": Measure(
        "到期或已销号的隐患中,按期销号的比例",
        lambda c: (c["closed_on_time"], c["due_hazards"]),
    ),
    "major_hazards_closed": Measure(
        "重大隐患中已销号的比例", lambda c: (c["major_closed"], c["major_hazards"])
    ),
    # 004 三(二)4: the 重大隐患整治率 of the streets around schools (周边治安), not the campus
    "major_nearby_closed": Measure(
        "周边环境类重大隐患(校园周边治安乱点等)中已销号的比例",
        lambda c: (c["major_nearby_closed"], c["major_nearby"]),
    ),
    "drilled_within_year": Measure(
        "近一年内至少开展过一次演练的学校比例", lambda c: (int(c["drills_last_year"] > 0), 1)
    ),
    "education_within_year": Measure(
        "近一年内有安全教育课记录的学校比例", lambda c: (int(c["education_last_year"] > 0), 1)
    ),
}


class RuleSetError(Exception):
    """A rule set that cannot be used; the message says where and why, in Chinese."""


class UnknownRuleSet(RuleSetError):
    """No rule set of that name."""


@dataclass(frozen=True)
class RateDef:
    """One district-wide rate: schools without findings of ``rules``, or a named ``measure``."""

    id: str
    title: str
    target: float
    source: str
    rules: tuple[str, ...] = ()
    measure: str | None = None


@dataclass(frozen=True)
class RuleSet:
    name: str
    title: str
    description: str
    source: str
    chain: tuple[str, ...]  # this rule set, then the ones it extends
    settings: dict
    calendar: SchoolCalendar
    rates: tuple[RateDef, ...]
    disabled: frozenset[str]
    digest: str = ""  # of the files' text: changes whenever the rule set does (for caches)

    def setting(self, name: str) -> Any:
        """A setting by its dotted name, e.g. ``drills.interval``."""
        value: Any = self.settings
        for part in name.split("."):
            value = value[part]
        return value


def available(folder: Path = RULESET_DIR) -> list[str]:
    """The names of the rule sets shipped in ``folder``."""
    return sorted(p.stem for p in folder.glob("*.yaml") if not p.name.startswith("_"))


@cache
def rule_set_schema() -> dict:
    return json.loads((RULESET_DIR / "ruleset.schema.json").read_text(encoding="utf-8"))


def load_rule_set(name: str, folder: Path = RULESET_DIR) -> RuleSet:
    """The rule set ``name`` with everything it extends merged in, checked."""
    return _load(name, Path(folder), ())


@cache
def _load(name: str, folder: Path, stack: tuple[str, ...]) -> RuleSet:
    if name in stack:
        raise RuleSetError(f"规则集继承形成循环:{' → '.join((*stack, name))}")
    path = folder / f"{name}.yaml"
    if not path.is_file() or name.startswith("_"):
        known = "、".join(available(folder)) or "(无)"
        raise UnknownRuleSet(f"未知的规则集“{name}”;可用的规则集:{known}")
    display = _display(path)
    try:
        doc = load(path, display)
    except LoadError as exc:
        f = exc.finding
        raise RuleSetError(
            f"{f.file}:{f.line}:{f.column}: 规则集文件无法读取:{f.message}"
        ) from None
    errors = sorted(
        jsonschema.Draft202012Validator(rule_set_schema(), format_checker=FORMATS).iter_errors(doc.data),
        key=lambda e: doc.locate(e.absolute_path),
    )
    if errors:
        lines = []
        for e in errors[:10]:
            at = tuple(e.absolute_path)
            if e.validator == "additionalProperties":  # point at the unknown key itself
                extra = [k for k in e.instance if k not in e.schema.get("properties", {})]
                at += tuple(extra[:1])
            line, col = doc.locate(at, key=True)
            lines.append(f"{display}:{line}:{col}: {_place(e.absolute_path)}:{_describe(e)}")
        raise RuleSetError("规则集有错误:\n" + "\n".join(lines))
    data = doc.data
    parent = _load(data["extends"], folder, (*stack, name)) if "extends" in data else None

    def fail(path: tuple, message: str) -> RuleSetError:
        line, col = doc.locate(path)
        return RuleSetError(f"{display}:{line}:{col}: {_place(path)}:{message}")

    settings = _merge(parent.settings if parent else {}, data.get("settings", {}))
    if "calendar" in data:
        calendar = _calendar(data["calendar"], fail)
    elif parent:
        calendar = parent.calendar
    else:
        raise fail((), "缺少校历(calendar);不继承其他规则集的规则集必须写出校历")
    rates = _rates(parent.rates if parent else (), data.get("rates", []), fail)
    disabled = (parent.disabled if parent else frozenset()) | frozenset(data.get("disabled", []))
    _check_complete(settings, rates, data, fail)
    return RuleSet(
        name=name,
        title=data["title"],
        description=data.get("description", ""),
        source=data["source"],
        chain=(name, *(parent.chain if parent else ())),
        settings=settings,
        calendar=calendar,
        rates=rates,
        disabled=disabled,
        digest=hashlib.sha256(
            path.read_bytes() + (parent.digest if parent else "").encode()
        ).hexdigest(),
    )


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _merge(base: dict, over: dict) -> dict:
    """``over`` laid on ``base``: mappings merged key by key, anything else replaced."""
    out = dict(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _md(text: str) -> tuple[int, int]:
    month, day = text.split("-")
    return int(month), int(day)


def _calendar(data: dict, fail) -> SchoolCalendar:
    year_start = _md(data["school_year_start"])
    try:
        date(2024, *year_start)  # 2024: a leap year accepts 02-29
        pattern = tuple(tuple(_md(x) for x in data["pattern"][k]) for k in ("first", "second"))
        for pair in pattern:
            for md in pair:
                date(2024, *md)
    except ValueError:
        raise fail(("calendar",), "月-日不是有效的日期") from None
    semesters: list[Semester] = []
    for i, entry in enumerate(data["semesters"]):
        year = entry["school_year"]
        first, second = ([parse_date(x) for x in entry[k]] for k in ("first", "second"))
        year_begins = date(year, *year_start)
        where = ("calendar", "semesters", i)
        if not first[0] <= first[1] < second[0] <= second[1]:
            raise fail(where, "学期日期应依次为:第一学期开始 ≤ 结束 < 第二学期开始 ≤ 结束")
        if first[0] < year_begins or second[1] >= date(year + 1, *year_start):
            raise fail(where, f"学期应在 {year}-{year + 1} 学年之内(学年从 {year_begins} 开始)")
        if any(s.school_year == year for s in semesters):
            raise fail(where, f"{year}-{year + 1} 学年重复出现")
        semesters += [Semester(year, 1, *first), Semester(year, 2, *second)]
    return SchoolCalendar(year_start, tuple(sorted(semesters, key=lambda s: s.start)), pattern)


def _rates(inherited: tuple[RateDef, ...], entries: list[dict], fail) -> tuple[RateDef, ...]:
    merged = {r.id: dict(r.__dict__) for r in inherited}
    seen: set[str] = set()
    for i, entry in enumerate(entries):
        where = ("rates", i)
        if entry["id"] in seen:
            raise fail(where, f"达标率编号“{entry['id']}”重复")
        seen.add(entry["id"])
        if entry.get("disabled"):
            merged.pop(entry["id"], None)
            continue
        rate = merged.setdefault(entry["id"], {"id": entry["id"], "rules": (), "measure": None})
        if "rules" in entry or "measure" in entry:
            rate["rules"], rate["measure"] = tuple(entry.get("rules", ())), entry.get("measure")
        rate.update({k: entry[k] for k in ("title", "target", "source") if k in entry})
        missing = [k for k in ("title", "target", "source") if k not in rate]
        if missing:
            raise fail(where, f"新增的达标率“{entry['id']}”缺少 {'、'.join(missing)}")
        if bool(rate["rules"]) == bool(rate["measure"]):
            raise fail(where, "达标率必须写 rules(对应规则)或 measure(计算方法)中的一项,且只写一项")
        if rate["measure"] and rate["measure"] not in MEASURES:
            raise fail(where, f"未知的计算方法“{rate['measure']}”;可用:{'、'.join(MEASURES)}")
    return tuple(RateDef(**r) for r in merged.values())


def _check_complete(settings, rates, data, fail) -> None:
    """Every setting a rule reads is there; every rule id named exists."""
    from generator.core.rules import RULES  # the registry; imported here to keep loading light

    for rate in rates:
        unknown = [r for r in rate.rules if r not in RULES]
        if unknown:
            raise fail(("rates",), f"达标率“{rate.id}”引用了不存在的规则 {'、'.join(unknown)}")
    for i, rule_id in enumerate(data.get("disabled", [])):
        if rule_id not in RULES:
            raise fail(("disabled", i), f"不存在的规则“{rule_id}”")
    missing = [s for s in setting_names() if not _has(settings, s)]
    if missing:
        where = ("settings",) if "settings" in data else ()
        raise fail(where, f"缺少设置 {'、'.join(missing)}(不继承其他规则集时,必须写出全部设置)")


@cache
def setting_names() -> tuple[str, ...]:
    """Every setting the schema defines, dotted (``drills.interval``)."""
    groups = rule_set_schema()["properties"]["settings"]["properties"]
    return tuple(f"{g}.{k}" for g, node in groups.items() for k in node["properties"])


def _has(settings: dict, dotted: str) -> bool:
    group, key = dotted.split(".")
    return key in settings.get(group, {})


# ---------------------------------------------------------------------------------------------
# Messages


def _place(path) -> str:
    """Where ``path`` stands in a rule set, by the schema's Chinese titles."""
    node: dict | None = rule_set_schema()
    parts: list[str] = []
    for key in path:
        if node is None:
            parts.append(str(key))
            continue
        if isinstance(key, int):
            node = node.get("items")
            parts.append(f"第{key + 1}项")
        else:
            node = (node.get("properties") or {}).get(key)
            parts.append(f"{node['title']}({key})" if node and "title" in node else f"“{key}”")
    return " › ".join(parts) or "规则集"


_TYPES = {
    "integer": "整数",
    "number": "数字",
    "string": "文字",
    "boolean": "是/否",
    "array": "列表",
    "object": "键值表",
    "null": "null",
}


def _describe(error: jsonschema.ValidationError) -> str:
    v, value = error.validator, error.instance
    if v == "type":
        wanted = error.validator_value
        wanted = [wanted] if isinstance(wanted, str) else wanted
        return f"应为{'或'.join(_TYPES.get(t, t) for t in wanted)},实为 {value!r}"
    if v == "required":
        missing = [k for k in error.validator_value if k not in value]
        return f"缺少必填项 {'、'.join(missing)}"
    if v == "additionalProperties":
        extra = [k for k in value if k not in error.schema.get("properties", {})]
        return f"不认识的设置项 {'、'.join(map(str, extra))}(请检查拼写)"
    if v == "enum":
        allowed = "、".join("null" if x is None else str(x) for x in error.validator_value)
        return f"{value!r} 不是可选值之一:{allowed}"
    if v in ("minimum", "maximum"):
        word = "不能小于" if v == "minimum" else "不能大于"
        return f"{value!r} {word} {error.validator_value}"
    if v == "format":
        return f"{value!r} 不是有效日期(YYYY-MM-DD)"
    if v == "pattern":
        return f"{value!r} 格式不对"
    if v == "const":
        return f"应为 {error.validator_value!r}"
    if v in ("minItems", "maxItems"):
        return f"项数不对(应为 {error.schema.get('minItems')}–{error.schema.get('maxItems', '不限')} 项)"
    if v == "uniqueItems":
        return "列表中有重复项"
    if v == "minLength":
        return "不能为空"
    if v == "maxLength":
        return f"不能超过 {error.validator_value} 个字(现有 {len(value)} 个字)"
    return error.message
