"""Page data: what each page of the public site shows, prepared from records and evaluation.

Pure functions from data to data. Everything about one school is taken from
``schema.public_view`` of its dossier, never from the dossier itself, so a field the schema
does not mark ``x-public`` cannot reach a page. Finding messages are written by the rules
from the whole dossier; :func:`scrub` takes out any private value they quote.

The templates only place what is prepared here: text is formatted, numbers are rounded,
chart geometry is computed, URLs are relative to the site root (``root`` + url).

Nothing here counts days from the day of evaluation: a page says dates (a finding's due date,
the days its school's status holds on), so it stays true on the days it is not rebuilt.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from functools import cache
from typing import Any

from generator.core import schema
from generator.core.dates import is_late, iso, parse_date
from generator.core.evaluate import STATUSES
from generator.core.rules.base import CATEGORIES, SchoolView
from generator.site import qr

STATUS_KEYS = {"重大隐患": "major", "逾期": "overdue", "待整改": "pending", "达标": "ok"}

# What each status means, in plain words (the 状态说明 page, /reference/status/).
STATUS_TEXT = {
    "重大隐患": "学校有未销号的重大隐患:可能造成严重危害、需要停用或较长时间整改,"
    "或学校无法独立整改的隐患。这是最严重的状态,整改期间徽章为红色。",
    "逾期": "有事项超过了规定的期限仍未完成:隐患过了整改期限未销号,风险点过了复核日期未复核,"
    "演练、报送、检查或设备检验没有按期进行等。",
    "待整改": "有问题尚未解决,但还没有超过期限:例如隐患在整改期限内整改中,或档案缺少某项记录。",
    "达标": "按所属区县执行的规则检查,没有发现问题。",
}
# The verdict's sentence for a school of each status, from the number of its worst problems.
VERDICT = {
    "重大隐患": "{n} 项重大隐患尚未销号",
    "逾期": "{n} 项事项已超过期限",
    "待整改": "{n} 项问题待整改,均未超过期限",
    "达标": "按本区规则检查,未发现问题",
}
STATUS_PAGE = "reference/status/"
RULES_DIR = "rules/"


def status_url(status: str) -> str:
    """Where ``status`` is explained, relative to the site root."""
    return f"{STATUS_PAGE}#{status_key(status)}"


def category_url(category: str) -> str:
    return f"{STATUS_PAGE}#cat-{category_slug(category)}"


def rule_url(rule_id: str) -> str:
    return f"{RULES_DIR}{rule_id}/"
SEVERITIES = {"error": "严重", "warning": "警告", "info": "提示"}
HIDDEN = "〔不公开〕"

# Sections of a school page, in order: (anchor, title). The table of contents is the same for
# every school, so the theme renders it once.
SCHOOL_SECTIONS = (
    ("status", "合规情况"),
    ("next", "接下来"),
    ("categories", "各类别状态"),
    ("profile", "学校基本信息"),
    ("police", "一校一警"),
    ("risks", "风险公告"),
    ("hazards", "隐患整改"),
    ("drills", "应急演练"),
    ("protection", "人防物防技防"),
    ("more", "其他安全管理"),
    ("signoff", "审核确认记录"),
)

# Dossier sections with a section of their own on the school page; the other public
# sections are shown generically under "其他安全管理", with the schema's titles.
_OWN_SECTIONS = {"schema_version", "profile", "police", "risks", "hazards", "drills", "devices"}

# The ledger of closed hazards and the list of drills grow every year: a page shows the latest
# SHOWN of each (the JSON API has them all), which keeps a school page small.
SHOWN = 30

RISK_LEVELS = {"重大": "red", "较大": "orange", "一般": "yellow", "低": "blue"}


def status_key(status: str) -> str:
    return STATUS_KEYS.get(status, "pending")


def category_slug(category: str) -> str:
    """The category's name in URLs (badges, anchors): beside it in rules.base.CATEGORIES."""
    return CATEGORIES[category]


# ---------------------------------------------------------------------------------------------
# Formatting


def fmt(value: Any) -> str:
    """A value as a reader sees it: 是/否, 1.5, 甲、乙, or — when missing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, list):
        return "、".join(fmt(v) for v in value)
    if isinstance(value, dict):
        return ";".join(f"{k}:{fmt(v)}" for k, v in value.items())
    return str(value)


def pct(value: float | None) -> str:
    """A share (0–1) as a percentage: 0.955 → 95.5%."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}".rstrip("0").rstrip(".") + "%"


@cache
def _node(path: tuple) -> dict:
    """The dossier schema at ``path`` (list items as index 0), looked up once."""
    return schema.at(path) or {}


@cache
def field_title(path: tuple) -> str:
    """The schema's title of the field at ``path`` (keys from the dossier's top), cached."""
    return schema.title(_node(path[:-1]), path[-1])


def _titled(data: dict, path: tuple) -> list[tuple[str, str]]:
    """(title, text) for each field of the mapping at ``path``, in the schema's order."""
    props = _node(path).get("properties", {})
    order = [k for k in props if k in data] + [k for k in data if k not in props]
    return [(field_title((*path, k)), fmt(_plain(data[k], (*path, k)))) for k in order]


def _plain(value: Any, path: tuple) -> Any:
    """A nested mapping with schema titles for keys (for :func:`fmt`)."""
    if isinstance(value, dict):
        return {field_title((*path, k)): _plain(v, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v, (*path, 0)) for v in value]
    return value


def _table(rows: list[dict], path: tuple) -> dict:
    """The list of mappings at ``path`` as a table: schema titles as columns, a row per item."""
    item = (*path, 0)
    keys = [k for k in _node(item).get("properties", {}) if any(k in r for r in rows)]
    return {
        "columns": [field_title((*item, k)) for k in keys],
        "rows": [[fmt(_plain(r.get(k), (*item, k))) for k in keys] for r in rows],
    }


# ---------------------------------------------------------------------------------------------
# Privacy


def scalars(value: Any) -> Iterator[Any]:
    """Every value inside ``value`` that is not a mapping or a list, in order."""
    if isinstance(value, dict):
        for v in value.values():
            yield from scalars(v)
    elif isinstance(value, list):
        for v in value:
            yield from scalars(v)
    else:
        yield value


def _leaves(value: Any, out: set[str]) -> set[str]:
    """Every text and number inside ``value``, as text."""
    for v in scalars(value):
        if isinstance(v, str):
            out.add(v)
        elif isinstance(v, int | float) and not isinstance(v, bool):
            out.add(fmt(v))
    return out


def _hidden_leaves(data: Any, public: Any, out: set[str]) -> set[str]:
    """The leaves of ``data`` that its public view dropped (the view keeps data's shape)."""
    if isinstance(data, dict):
        shown = public if isinstance(public, dict) else {}
        for k, v in data.items():
            if k in shown:
                _hidden_leaves(v, shown[k], out)
            else:
                _leaves(v, out)
    elif isinstance(data, list):
        shown = public if isinstance(public, list) and len(public) == len(data) else None
        for i, v in enumerate(data):
            if shown is None:
                _leaves(v, out)
            else:
                _hidden_leaves(v, shown[i], out)
    return out


_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@cache
def vocabulary() -> frozenset[str]:
    """The values the schemas list (``enum``): the reference pages show every one of them, and
    a rule's own words use them (消防, 校舍), so none is a secret even in a private field."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            found.update(v for v in node.get("enum", ()) if isinstance(v, str))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for kind in schema.KINDS:
        walk(schema.load_schema(kind))
    return frozenset(found)


def _secret(value: str) -> bool:
    # Text of two characters or more; numbers of five digits or more (shorter ones would match
    # years, counts and parts of dates in every message). Not a word of the schemas'
    # vocabulary, and not a date: those say nothing of a person or a weak spot.
    if value in vocabulary() or _DATE.fullmatch(value):
        return False
    return len(value) >= (5 if value.replace(".", "").isdigit() else 2)


def private_values(data: Any, public: Any, texts: Iterable[str] | None = None) -> list[str]:
    """Values held only in private fields of the dossier, longest first; with ``texts``,
    only those that occur in one of them.

    A value that is also in a public field (a principal who also verified a hazard) is not
    a secret: it is on the page anyway.
    """
    hidden = {v for v in _hidden_leaves(data, public, set()) if _secret(v)}
    if texts is not None:
        texts = list(texts)
        hidden = {v for v in hidden if any(v in t for t in texts)}
    if hidden:
        hidden -= _leaves(public, set())
    return sorted(hidden, key=lambda v: (-len(v), v))


def scrub(text: str, secrets: Iterable[str]) -> str:
    """``text`` with every private value replaced by 〔不公开〕."""
    for value in secrets:
        if value in text:
            if value.replace(".", "").isdigit():
                text = re.sub(rf"(?<![0-9.]){re.escape(value)}(?![0-9])", HIDDEN, text)
            else:
                text = text.replace(value, HIDDEN)
    return text


# ---------------------------------------------------------------------------------------------
# One school


def _urls(school_id: str) -> dict[str, str]:
    """Where a school's pages and files are, relative to the site root."""
    return {
        "page": f"schools/{school_id}/",
        "notice": f"schools/{school_id}/notice.html",
        "risk": f"schools/{school_id}/risk.html",
        "badge": f"badges/{school_id}.svg",
        "endpoint": f"badges/{school_id}.json",
        "api": f"api/schools/{school_id}.json",
        "calendar": f"calendar/{school_id}.ics",
    }


def hazard_counts(result: Any) -> dict[str, int]:
    """Open, overdue, major-open and closed hazards, as the evaluation counted them."""
    counts = result.counts
    return {
        "open": counts.get("open_hazards", 0),
        "overdue": counts.get("overdue_hazards", 0),
        "major": counts.get("major_open", 0),
        "closed": counts.get("closed_hazards", 0),
    }


def _hazard_rows(public: dict, as_of: date) -> tuple[list[dict], list[dict]]:
    """The hazards found by ``as_of`` (public fields), split into open and closed that day."""
    open_, closed = [], []
    for _, h, is_open in SchoolView(public).hazards(as_of):
        due = parse_date(h.get("deadline"))
        row = {
            "id": fmt(h.get("id")),
            "found": fmt(h.get("found")),
            "source": fmt(h.get("source")),
            "category": fmt(h.get("category")),
            "grade": fmt(h.get("grade")),
            "major": h.get("grade") == "重大",
            "status": fmt(h.get("status")),
            "deadline": fmt(h.get("deadline")),
            "rectified": fmt(h.get("rectified")),
            "closed": fmt(h.get("closed")),
            "overdue": is_open and due is not None and is_late(due, as_of),
            "measures": fmt(h.get("measures")) if is_open else "—",
            "interim": fmt(h.get("interim_controls")) if is_open else "—",
        }
        (open_ if is_open else closed).append(row)
    closed.sort(key=lambda r: (r["closed"], r["id"]))
    return open_, closed


def _risks(risks: list[dict], late: set[int]) -> list[dict]:
    """The risk list's rows; those at the indices ``late`` are past their review."""
    rows = [
        {
            "id": fmt(r.get("id")),
            "place": fmt(r.get("place")),
            "category": fmt(r.get("category")),
            "description": fmt(r.get("description")),
            "level": fmt(r.get("level")),
            "level_key": RISK_LEVELS.get(r.get("level"), "blue"),
            "controls": [fmt(c) for c in r.get("controls", [])],
            "owner": fmt(r.get("owner")),
            "assessed": fmt(r.get("assessed")),
            "next_review": fmt(r.get("next_review")),
            "overdue": i in late,
        }
        for i, r in enumerate(risks)
    ]
    return rows


def _overdue_in(result: Any, section: str) -> set[int]:
    """The items of a dossier list (``risks``) that an overdue finding points into."""
    items = (_item(f.path) for f in result.findings if f.status == "逾期")
    return {where[1] for where in items if where and where[0] == section}


def validity(result: Any) -> str:
    """The days the school's status holds on, as a page says them: true on each of them."""
    since = f"状态自 {result.valid_from} 起有效" if result.valid_from else "状态有效"
    change = result.next_change
    return since + (f",下次可能变化:{change}" if change else ",目前没有可预见的变化日期")


def _count(items: list[dict], key: str) -> int:
    return sum(1 for i in items if i.get(key) is True)


def protection(devices: dict) -> list[tuple[str, str]]:
    """人防、物防、技防 as counts and states (locations are private and never here)."""
    rows: list[tuple[str, str]] = []
    guards = devices.get("guards")
    if guards is not None:
        rows.append(
            (
                "保安员",
                f"{len(guards)} 名(专职 {_count(guards, 'full_time')} 名,"
                f"持证上岗 {_count(guards, 'certified')} 名)",
            )
        )
    for key, title in (("duty_24h", "24小时值守"), ("closed_campus", "封闭化管理")):
        if key in devices:
            rows.append((title, fmt(devices[key])))
    if "patrols_per_day" in devices:
        rows.append(("重点部位每日巡查", f"{devices['patrols_per_day']} 次"))
    for item in devices.get("protective_equipment", []):
        text = f"{fmt(item.get('count'))} 件"
        if item.get("expires"):
            text += f",有效期至 {item['expires']}"
        rows.append((f"防护器械:{fmt(item.get('kind'))}", text))
    barrier = devices.get("anti_collision")
    if barrier is not None:
        text = "已设置" if barrier.get("installed") else "未设置"
        if barrier.get("installed") and (barrier.get("kind") or barrier.get("count")):
            text += f"({fmt(barrier.get('kind'))} {fmt(barrier.get('count'))} 处)"
        rows.append(("防冲撞设施", text))
    video = devices.get("video")
    if video is not None:
        text = f"摄像头 {fmt(video.get('cameras'))} 个,录像保存 {fmt(video.get('storage_days'))} 天"
        if "key_areas_covered" in video:
            text += ",重点部位" + ("全覆盖" if video["key_areas_covered"] else "未全覆盖")
        text += ",已与公安联网" if video.get("linked_police") else ",未与公安联网"
        rows.append(("视频监控", text))
    alarm = devices.get("one_key_alarm")
    if alarm is not None:
        if alarm.get("installed"):
            text = "已安装," + ("已与公安联网" if alarm.get("linked_police") else "未与公安联网")
            if alarm.get("last_tested"):
                text += f",最近测试 {alarm['last_tested']}"
        else:
            text = "未安装"
        rows.append(("一键报警", text))
    perimeter = devices.get("perimeter_alarm")
    if perimeter is not None:
        rows.append(("周界报警", "已安装" if perimeter.get("installed") else "未安装"))
    for item in devices.get("fire_equipment", []):
        text = f"{fmt(item.get('count'))} 个,最近检查 {fmt(item.get('last_inspected'))}"
        if item.get("next_inspection"):
            text += f",下次检查 {item['next_inspection']}"
        if item.get("failed"):
            text += f",失效待更换 {item['failed']} 个"
        rows.append((f"消防设施:{fmt(item.get('kind'))}", text))
    return rows


def _more(public: dict) -> list[dict]:
    """The other public sections, shown with the schema's titles: a section's fields, and a
    table for each of its lists of records (报送记录's monthly reports, one row a month)."""
    sections = []
    for key, value in public.items():
        if key in _OWN_SECTIONS or value in ({}, [], None):
            continue
        section = {"id": key, "title": field_title((key,)), "tables": [], "fields": []}
        if isinstance(value, list) and all(isinstance(v, dict) for v in value):
            section["tables"].append({"title": "", **_table(value, (key,))})
        elif isinstance(value, dict):
            fields = {}
            for k, v in value.items():
                if isinstance(v, list) and v and all(isinstance(i, dict) for i in v):
                    table = _table(v, (key, k))
                    section["tables"].append({"title": field_title((key, k)), **table})
                else:
                    fields[k] = v
            section["fields"] = _titled(fields, (key,))
        else:
            section["fields"] = [(section["title"], fmt(value))]
        sections.append(section)
    return sections


def _police(police: dict) -> dict:
    return {
        "officer": fmt(police.get("officer")),
        "badge_no": fmt(police.get("badge_no")),
        "station": fmt(police.get("station")),
        "duty_phone": fmt(police.get("duty_phone")),
        "duties": fmt(police.get("duties")),
        "complaint_phone": fmt(police.get("complaint_phone")),
        "notice_posted": fmt(police.get("notice_posted")),
        "escort_posts": [
            {"period": fmt(p.get("period")), "time": f"{fmt(p.get('start'))}–{fmt(p.get('end'))}"}
            for p in police.get("escort_posts", [])
        ],
    }


def _named_place(place: str, path: str, public: dict) -> str:
    """``place`` with a list item's number replaced by its id: 隐患清单 第3项 → 隐患清单 H-2026-002."""
    where = _item(path)
    if where is None:
        return place
    items = public.get(where[0])
    if isinstance(items, list) and where[1] < len(items) and isinstance(items[where[1]], dict):
        item_id = items[where[1]].get("id")
        if item_id:
            return place.replace(f"第{where[1] + 1}项", str(item_id), 1)
    return place


def findings(result: Any, secrets: list[str], public: dict | None = None) -> list[dict]:
    """The school's current findings, private values taken out of their messages."""
    rows = []
    for f in result.findings:
        rows.append(
            {
                "rule": f.code,
                "rule_url": rule_url(f.code),
                "status": f.status or "待整改",
                "path": f.path,
                "category": fmt(f.category),
                "severity": SEVERITIES.get(f.severity, f.severity),
                "severity_key": f.severity,
                "message": scrub(f.message, secrets),
                "place": scrub(_named_place(f.place, f.path, public or {}), secrets),
                "source": fmt(f.source),
                "due": iso(f.due),
            }
        )
    return rows


def school_page(data: dict, result: Any, district: dict, as_of: date) -> dict:
    """Everything the school page, its notice and its risk announcement show.

    ``data`` is the whole dossier (only its public view is used, and its private values to
    scrub messages); ``result`` the school's evaluation (``SchoolResult``); ``district`` the
    district's public view.
    """
    public = schema.public_view(data)
    texts = [t for f in result.findings for t in (f.message, f.place)]
    secrets = private_values(data, public, texts) if texts else []
    profile = public.get("profile", {})
    school_id = profile.get("id") or result.id
    open_, closed = _hazard_rows(public, as_of)
    drills = sorted(public.get("drills", []), key=lambda d: str(d.get("date", "")))
    police = public.get("police", {})
    categories = [
        {
            "name": name,
            "status": status,
            "key": status_key(status),
            "badge": f"badges/{school_id}.{category_slug(name)}.svg",
            "url": category_url(name),
        }
        for name, status in result.categories.items()
    ]
    rows = findings(result, secrets, public)
    risks = _risks(public.get("risks", []), _overdue_in(result, "risks"))
    return {
        "id": school_id,
        "name": fmt(profile.get("name") or result.name),
        "district": {"id": district.get("id", ""), "name": fmt(district.get("name"))},
        "stage": fmt(profile.get("stage")),
        "address": fmt(profile.get("address")),
        "status": result.status,
        "status_key": status_key(result.status),
        "status_url": status_url(result.status),
        "as_of": as_of.isoformat(),
        "valid_from": iso(result.valid_from),
        "next_change": iso(result.next_change),
        "validity": validity(result),
        "verdict": verdict(result.status, rows, risks, open_),
        "urls": _urls(school_id),
        "profile": _titled({**profile, "district": district.get("name", "")}, ("profile",)),
        "categories": categories,
        "findings": rows,
        "risks": risks,
        "hazards": {
            "open": open_,
            "closed": closed[-SHOWN:],
            "closed_more": max(len(closed) - SHOWN, 0),
            "counts": hazard_counts(result),
        },
        "drills": _table(drills[-SHOWN:], ("drills",)),
        "drills_more": max(len(drills) - SHOWN, 0),
        "protection": protection(public.get("devices", {})),
        "police": _police(police),
        "more": _more(public),
        "signoffs": [],  # filled by the contribution workflow (merged reviews)
        "dossier": public,
    }


def _item(path: str) -> tuple[str, int] | None:
    """(section, index) of a finding's JSON pointer into a list item: /risks/0/x → (risks, 0)."""
    parts = path.split("/")
    if len(parts) >= 3 and parts[2].isdigit():
        return parts[1], int(parts[2])
    return None


def verdict(status: str, rows: list[dict], risks: list[dict], open_: list[dict]) -> dict:
    """The first thing a school page says: the status, why, and what happens next.

    ``reasons`` are the findings that make the status (the worst ones), each with the risk or
    hazard it is about, when it is about one, and for an overdue one the day it was due
    (unless its message says it already); ``hazards`` the open hazards, with their measures
    and interim controls, which say what is being done.
    """
    worst_ = [r for r in rows if r["status"] == status] if status != "达标" else []
    by_id = {h["id"]: h for h in open_}
    items = []
    for row in worst_:
        due = row["due"] if status == "逾期" else None
        if due and due in row["message"]:
            due = None  # 应于 2026-10-31 前完成 …: said already
        item = {"finding": row, "risk": None, "due": due}
        where = _item(row["path"])
        if where and where[0] == "risks" and where[1] < len(risks):
            item["risk"] = risks[where[1]]
        items.append(item)
    return {
        "sentence": VERDICT.get(status, VERDICT["待整改"]).format(n=len(worst_)),
        "reasons": items,
        "hazards": list(by_id.values()),
    }


def qr_svg(url: str) -> str:
    """A QR code for ``url`` as inline SVG markup (:func:`generator.site.qr.svg`).

    The mask is fixed: choosing the best of eight masks costs about five times as long, and
    any mask gives a valid code that phones read.
    """
    return qr.svg(url)


def school_api(page: dict) -> dict:
    """``/api/schools/<id>.json``: the public dossier, status and findings."""
    return {
        "id": page["id"],
        "name": page["name"],
        "district": page["district"]["id"],
        "district_name": page["district"]["name"],
        "stage": page["stage"],
        "status": page["status"],
        "valid_from": page["valid_from"],
        "next_change": page["next_change"],
        "categories": {c["name"]: c["status"] for c in page["categories"]},
        "hazards": page["hazards"]["counts"],
        "findings": [
            {
                k: f[k]
                for k in ("rule", "category", "severity_key", "message", "place", "source", "due")
            }
            for f in page["findings"]
        ],
        "dossier": page["dossier"],
    }


# Who answers for an overdue item, by the dossier section it is in (roles, not names).
OWNER_ROLES = {"hazards": "隐患整改责任人", "risks": "风险点责任人", "drills": "学校安全管理代表"}


def overdue_items(data: dict, result: Any) -> list[dict]:
    """The school's overdue findings for its district's list: the item, the day it was due
    (when the rule knows one) and the role that answers for it."""
    late = [f for f in result.findings if f.status == "逾期"]
    if not late:
        return []
    public = schema.public_view(data)
    secrets = private_values(data, public, [f.message for f in late])
    items = []
    for f in late:
        where = _item(f.path)
        items.append(
            {
                "school": result.name,
                "url": f"schools/{result.id}/",
                "item": scrub(f.message, secrets),
                "rule_url": rule_url(f.code),
                "due": iso(f.due) or "",
                "due_text": iso(f.due) or "—",
                "owner": OWNER_ROLES.get(where[0] if where else "", "学校安全管理代表"),
            }
        )
    return items


def school_row(result: Any, data: dict | None = None) -> dict:
    """A school as a row of its district's table, from its evaluation (its name, district
    and stage are public profile fields); with ``data`` (its dossier), its overdue items."""
    counts = hazard_counts(result)
    return {
        "id": result.id,
        "name": result.name,
        "district": result.district,
        "stage": result.stage,
        "status": result.status,
        "status_key": status_key(result.status),
        "rank": STATUSES.index(result.status) if result.status in STATUSES else 2,
        "open": counts["open"],
        "overdue": counts["overdue"],
        "major": counts["major"],
        "problems": [sum(f.status == st for f in result.findings) for st in STATUSES[:3]],
        "late": overdue_items(data, result) if data is not None else [],
        "url": f"schools/{result.id}/",
        "badge": f"badges/{result.id}.svg",
    }


# ---------------------------------------------------------------------------------------------
# Districts and the city


def _rate(rate: Any) -> dict:
    return {
        "id": rate.id,
        "title": rate.title,
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "value": pct(rate.value),
        "target": "≥" + pct(rate.target) if rate.target is not None else "—",
        "met": rate.met,
        "key": "na" if rate.value is None else ("ok" if rate.met else "bad"),
        "source": fmt(rate.source),
    }


def status_counts(rows: list[dict]) -> list[dict]:
    counts = Counter(r["status"] for r in rows)
    total = len(rows) or 1
    return [
        {"status": s, "key": status_key(s), "count": counts[s], "share": pct(counts[s] / total)}
        for s in STATUSES
    ]


def district_page(district: dict, result: Any, rows: list[dict]) -> dict:
    """A district's page: its rates against the targets and the table of its schools.

    ``district`` is the district file's public view, ``result`` its ``DistrictResult``,
    ``rows`` its schools as :func:`school_row` made them.
    """
    rows = sorted(rows, key=lambda r: (r["rank"], r["name"], r["id"]))
    did = district.get("id") or result.id
    return {
        "id": did,
        "excel": f"exports/districts/{did}.xlsx",
        "name": fmt(district.get("name") or result.name),
        "city": fmt(district.get("city")),
        "bureau": fmt(district.get("bureau")),
        "rule_set": fmt(district.get("rule_set") or result.rule_set),
        "url": f"districts/{did}/",
        "schools": rows,
        "stages": sorted({r["stage"] for r in rows}),
        "statuses": STATUSES,
        "counts": status_counts(rows),
        "compliant": pct(sum(r["status"] == "达标" for r in rows) / len(rows)) if rows else "—",
        "rates": [_rate(r) for r in result.rates],
        "major": [r for r in rows if r["major"]],
        "overdue": sorted(  # longest overdue first; those without a date last
            (i for r in rows for i in r["late"]), key=lambda i: (i["due"] or "~", i["school"])
        ),
        "problem_statuses": STATUSES[:3],
    }


# Bar chart of statuses by district, drawn as inline SVG: one bar per district, split by status.
# Narrow (440 units), so that on a 360 px phone it shrinks little and its text stays legible.
CHART = {"label": 100, "bar": 300, "count": 40, "row": 30, "bar_height": 20, "top": 30}


def chart(districts: list[dict]) -> dict:
    """Geometry of the statuses-by-district chart: bars scaled to the largest district."""
    c = CHART
    most = max((len(d["schools"]) for d in districts), default=0) or 1
    bars = []
    for i, d in enumerate(districts):
        y = c["top"] + i * c["row"]
        x = c["label"]
        segments = []
        for s in d["counts"]:
            if not s["count"]:
                continue
            width = s["count"] / most * c["bar"]
            segments.append({"x": round(x, 1), "width": round(width, 1), "key": s["key"]})
            x += width
        title = d["name"] + ":" + ",".join(f"{s['status']} {s['count']} 所" for s in d["counts"])
        bars.append(
            {"name": d["name"], "url": d["url"], "y": y, "text_y": y + c["bar_height"] - 5,
             "segments": segments, "total": len(d["schools"]), "total_x": round(x + 6, 1),
             "title": title}
        )  # fmt: skip
    width = c["label"] + c["bar"] + c["count"]
    height = c["top"] + len(districts) * c["row"] + 10
    legend = [
        {"status": s, "key": status_key(s), "x": c["label"] + i * 80}
        for i, s in enumerate(STATUSES)
    ]
    return {
        "width": width, "height": height, "bars": bars, "legend": legend,
        "label_x": c["label"] - 8, "bar_height": c["bar_height"],
    }  # fmt: skip


def home_page(districts: list[dict], as_of: date) -> dict:
    """The home page dashboard: city-wide counts, each district's rates, the chart."""
    rows = [r for d in districts for r in d["schools"]]
    matrix = []
    for d in districts:
        rated = [r for r in d["rates"] if r["key"] != "na"]
        met = sum(r["met"] is True for r in rated)
        matrix.append(
            {
                "name": d["name"],
                "url": d["url"],
                "schools": len(d["schools"]),
                "compliant": d["compliant"],
                "rated": len(rated),
                "met": met,
                "key": "ok" if met == len(rated) else "bad",
                "unmet": [r for r in rated if r["met"] is False],
            }
        )
    return {
        "as_of": as_of.isoformat(),
        "total": len(rows),
        "counts": status_counts(rows),
        "matrix": matrix,
        "chart": chart(districts),
    }


# ---------------------------------------------------------------------------------------------
# Reference pages, from the sources


_TYPES = {
    "string": "文字",
    "integer": "整数",
    "number": "数字",
    "boolean": "是/否",
    "array": "列表",
    "object": "对象",
}


def _type(node: dict) -> str:
    text = _TYPES.get(node.get("type"), fmt(node.get("type")))
    if node.get("format") == "date":
        text = "日期(YYYY-MM-DD)"
    if "enum" in node:
        text += ":" + " / ".join(fmt(v) for v in node["enum"])
    if "const" in node:
        text += f"(固定为 {fmt(node['const'])})"
    return text


def schema_fields(kind: str = "dossier") -> list[dict]:
    """Every field of a schema, grouped by top-level section, with whether it is public."""
    root = schema.at((), kind)
    groups = []
    for key in root.get("properties", {}):
        node = schema.child(root, key, kind)
        rows: list[dict] = []
        _walk_fields(node, (key,), key in root.get("required", []), kind, rows)
        groups.append({"key": key, "title": node.get("title", key), "rows": rows})
    return groups


def _walk_fields(node: dict, path: tuple, required: bool, kind: str, rows: list[dict]) -> None:
    label = ".".join(str(p) for p in path).replace(".[]", "[]")
    rows.append(
        {
            "path": label,
            "depth": min(sum(1 for p in path if p != "[]") - 1, 3),  # indented 3 levels at most
            "title": node.get("title", path[-1]),
            "description": node.get("description", ""),
            "type": _type(node),
            "required": required,
            "public": schema.is_public([0 if p == "[]" else p for p in path], kind),
        }
    )
    if node.get("type") == "array":
        item = schema.child(node, 0, kind)
        if item and item.get("type") == "object":
            for key in item.get("properties", {}):
                _walk_fields(
                    schema.child(item, key, kind), (*path, "[]", key),
                    key in item.get("required", []), kind, rows,
                )  # fmt: skip
    elif node.get("type") == "object":
        for key in node.get("properties", {}):
            _walk_fields(
                schema.child(node, key, kind), (*path, key),
                key in node.get("required", []), kind, rows,
            )  # fmt: skip


# What each category of rules asks of a school, in plain words (the 状态说明 page).
CATEGORY_TEXT = {
    "责任": "成立安全工作领导小组,明确安全管理代表和未成年人保护专职干部,签订岗位安全责任书,定期会商。",
    "风险": "辨识校园安全风险点,落实管控措施和责任人,按期复核,公告风险。",
    "隐患": "发现的隐患登记、限期整改、验收销号;重大隐患整改期间落实临时管控。",
    "演练": "按规定频次开展应急疏散等演练,记录参加人数、疏散用时和发现的问题。",
    "人防": "配齐专职保安员,持证上岗,24小时值守,重点部位按规定巡查。",
    "物防": "配备防护器械(在有效期内)、防冲撞设施,消防器材定期检查。",
    "技防": "视频监控和一键报警装置安装到位并与公安联网,录像按规定保存。",
    "一校一警": "明确联系民警和值班电话,在校门张贴公示牌,设置护学岗。",
    "预案": "制定应急预案并随情况变化修订。",
    "教育": "每学年开展规定课时的安全教育。",
    "校车": "校车标牌有效,驾驶人具备资格。",
    "食堂": "陪餐、留样、明厨亮灶等食品安全制度落实。",
    "危化品": "危险化学品专人保管、双人双锁,台账完整。",
    "特种设备": "锅炉、电梯等特种设备按期检验,操作人员持证。",
    "报告": "按月报送隐患清单,按年报送安全工作总结,接受教育和公安部门检查。",
}


def status_reference() -> dict:
    """The 状态说明 page: each status and each category in plain words."""
    return {
        "statuses": [
            {"status": s, "key": status_key(s), "text": STATUS_TEXT[s]} for s in STATUSES
        ],
        "categories": [
            {"name": c, "slug": category_slug(c), "text": CATEGORY_TEXT.get(c, "")}
            for c in CATEGORIES
        ],
    }


def rule_page(rule: Any) -> dict:
    """A rule's own page (/rules/<id>/): what it asks, in words, and what it cites."""
    return {
        "id": rule.id,
        "title": rule.title,
        "category": rule.category,
        "category_url": category_url(rule.category),
        "category_text": CATEGORY_TEXT.get(rule.category, ""),
        "severity": SEVERITIES.get(rule.severity, rule.severity),
        "source": fmt(rule.source),
        "settings": list(rule.settings),
    }


def rules_reference(rules: Iterable[Any]) -> list[dict]:
    """The rules, grouped by category: id, title, severity and the source they cite."""
    groups: dict[str, list[dict]] = {}
    for rule in rules:
        groups.setdefault(rule.category, []).append(
            {
                "id": rule.id,
                "url": rule_url(rule.id),
                "title": rule.title,
                "severity": SEVERITIES.get(rule.severity, rule.severity),
                "source": fmt(rule.source),
            }
        )
    return [{"category": k, "rules": sorted(v, key=lambda r: r["id"])} for k, v in groups.items()]
