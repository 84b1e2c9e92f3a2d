"""Page data of the public site: what each page shows, what it never shows, each status."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta

import pytest
from dossiers import compliant, evaluate_one

from generator.core import schema
from generator.core.evaluate import STATUSES, DistrictResult, Rate, SchoolResult
from generator.core.findings import Finding
from generator.core.rules import CATEGORIES, RULES
from generator.site import pages

AS_OF = date(2026, 11, 23)
DISTRICT = {"id": "ceshi", "name": "测试区", "city": "测试市", "rule_set": "national"}


def _d(days: int) -> str:
    return (AS_OF + timedelta(days=days)).isoformat()


def _hazard(hid: str, **fields) -> dict:
    hazard = {
        "id": hid, "found": _d(-30), "source": "公安检查", "location": "东侧围墙",
        "description": "围墙破损。", "category": "治安防范", "grade": "一般", "immediate": True,
        "status": "整改中", "measures": "重新砌筑。", "owner": "乙主任", "deadline": _d(10),
    }  # fmt: skip
    hazard.update(fields)
    return hazard


def _page(data: dict, as_of: date = AS_OF) -> dict:
    return pages.school_page(data, evaluate_one(data, as_of), DISTRICT, as_of)


# ---------------------------------------------------------------------------------------------
# What is public


def test_a_school_page_holds_no_private_value():
    data = compliant(AS_OF)
    data["hazards"].append(
        _hazard("H-02", location="PRIVATE-LOCATION", description="PRIVATE-DESCRIPTION",
                measures="PRIVATE-MEASURES", owner="PRIVATE-OWNER", notes="PRIVATE-NOTES",
                interim_controls="PRIVATE-INTERIM", watcher="PRIVATE-WATCHER")
    )  # fmt: skip
    data["police"]["officer_mobile"] = "13999990001"
    data["devices"]["video"]["locations"] = ["PRIVATE-CAMERA-SPOT"]
    data["devices"]["guards"][0].update(name="PRIVATE-GUARD", certificate_no="PRIVATE-CERT")
    data["devices"]["one_key_alarm"]["location"] = "PRIVATE-ALARM-SPOT"
    data["responsibilities"]["safety_representative"]["phone"] = "13999990002"
    data["risks"][0]["owner_phone"] = "13999990003"
    page = _page(data)
    text = json.dumps(page, ensure_ascii=False)
    for secret in ("PRIVATE-", "13999990001", "13999990002", "13999990003", "财务室"):
        assert secret not in text
    # while the public parts are there
    for shown in ("戊警官", "010-12345678", "测试派出所", "H-02", "测试区育才路 1 号", "校门口"):
        assert shown in text
    # how an open hazard is being fixed would tell the details of a weakness (domain.md):
    # the public sees its category, status and deadline only
    (hazard,) = page["verdict"]["hazards"]
    assert (hazard["measures"], hazard["interim"]) == ("—", "—")


def test_the_api_record_is_the_public_view():
    data = compliant(AS_OF)
    page = _page(data)
    api = pages.school_api(page)
    assert api["dossier"] == schema.public_view(data)
    assert "responsibilities" not in api["dossier"]
    keys = {"id", "name", "district", "stage", "status", "valid_from", "next_change", "categories", "findings"}
    assert keys <= set(api)
    assert api["status"] == "达标" and api["findings"] == []


def test_protection_is_counts_and_states_never_places():
    data = compliant(AS_OF)
    data["devices"]["protective_equipment"][0]["location"] = "门卫室柜子"
    rows = dict(pages.protection(schema.public_view(data)["devices"]))
    assert rows["保安员"] == "2 名(专职 2 名,持证上岗 2 名)"
    assert rows["视频监控"] == "摄像头 40 个,录像保存 90 天,重点部位全覆盖,已与公安联网"
    assert rows["一键报警"] == "已安装,已与公安联网,最近测试 2026-11-22"
    assert rows["防冲撞设施"] == "已设置(升降柱 4 处)"
    assert "门卫室柜子" not in json.dumps(rows, ensure_ascii=False)


def test_other_public_sections_are_shown_with_schema_titles():
    page = _page(compliant(AS_OF))
    titles = [m["title"] for m in page["more"]]
    assert titles[:3] == ["应急预案", "应急物资", "学生求助与心理热线"]
    (buses,) = next(m for m in page["more"] if m["title"] == "校车")["tables"]
    assert "车牌号" in buses["columns"] and "驾驶人" not in buses["columns"]
    canteen = dict(next(m for m in page["more"] if m["title"] == "食堂")["fields"])
    assert canteen["明厨亮灶"] == "是" and "食品经营许可证号" not in canteen


# ---------------------------------------------------------------------------------------------
# Scrubbing private values out of finding messages


def test_private_values_are_those_only_in_private_fields():
    data = compliant(AS_OF)
    data["hazards"][0]["verifier"] = "甲校长"  # also the principal: public
    public = schema.public_view(data)
    secret = pages.private_values(data, public)
    assert "二楼走廊" in secret and "丁师傅" in secret
    assert "乙主任" not in secret  # a risk owner: public
    assert "甲校长" not in secret  # on the page anyway, as principal
    assert secret == sorted(secret, key=lambda v: (-len(v), v))
    assert pages.private_values(data, public, ["问题在二楼走廊"]) == ["二楼走廊"]


def test_the_schemas_words_and_dates_in_private_fields_are_no_secret():
    """消防 in the private list of safety rules (an enum) must not turn the drill message's
    消防疏散 into 〔不公开〕疏散; a private date is no secret either. Names still are."""
    data = compliant(AS_OF)
    data["responsibilities"]["safety_rules"] = ["消防", "校舍"]
    data["hazards"][0]["verifier"] = "丙主任"
    public = schema.public_view(data)
    texts = ["没有应急疏散演练记录(消防疏散、地震疏散)", "校舍“实训楼”", "丙主任"]
    assert pages.private_values(data, public, texts) == ["丙主任"]
    assert "消防" in pages.vocabulary() and "2026-08-31" not in pages.vocabulary()
    assert not pages._secret("2026-08-31") and pages._secret("2026年8月")


def test_scrub_replaces_private_text_and_long_numbers_only():
    secrets = ["二楼走廊", "48000"]
    assert pages.scrub("二楼走廊的灭火器", secrets) == "〔不公开〕的灭火器"
    assert pages.scrub("资金 48000 元", secrets) == "资金 〔不公开〕 元"
    assert pages.scrub("共 148000 元", secrets) == "共 148000 元"  # part of another number
    assert pages.scrub("期限 2026-12-31", secrets) == "期限 2026-12-31"


def test_finding_messages_lose_private_values():
    data = compliant(AS_OF)
    result = evaluate_one(data, AS_OF)
    leaky = Finding(
        file="x.yaml", message="保安员 保安1 未持证,存放于二楼走廊", code="test.leak",
        place="人防物防技防台账 › 保安员 第1项", category="人防", source="测试",
    )  # fmt: skip
    result.findings.append(leaky)
    page = pages.school_page(data, result, DISTRICT, AS_OF)
    (finding,) = page["findings"]
    assert finding["message"] == "保安员 〔不公开〕 未持证,存放于〔不公开〕"
    assert finding["rule"] == "test.leak" and finding["source"] == "测试"


# ---------------------------------------------------------------------------------------------
# What each status shows


def _with_status(status: str) -> dict:
    data = compliant(AS_OF)
    if status == "重大隐患":
        data["hazards"].append(
            _hazard("H-09", grade="重大", funds={"amount": 48000, "secured": True}, plan="分两步。")
        )
    elif status == "逾期":
        data["hazards"].append(_hazard("H-09", deadline=_d(-3)))
    elif status == "待整改":
        data["hazards"].append(_hazard("H-09"))
    return data


@pytest.mark.parametrize("status", STATUSES)
def test_each_status_shows_its_badge_and_colour(status):
    data = _with_status(status)
    result = evaluate_one(data, AS_OF)
    assert result.status == status
    page = pages.school_page(data, result, DISTRICT, AS_OF)
    assert page["status"] == status
    assert page["status_key"] == {"重大隐患": "major", "逾期": "overdue", "待整改": "pending",
                                  "达标": "ok"}[status]  # fmt: skip
    assert page["urls"]["badge"] == "badges/cs-ceshi-xiaoxue.svg"
    assert bool(page["findings"]) == (status != "达标")
    row = pages.school_row(result, data)
    assert row["rank"] == STATUSES.index(status)
    # the problem columns add up to the status: the worst non-zero column is the status
    worst = next((s for s, n in zip(STATUSES, row["problems"], strict=False) if n), "达标")
    assert worst == status
    assert [i["due"] for i in row["late"]] == ([_d(-3)] if status == "逾期" else [])
    assert row["open"] == page["hazards"]["counts"]["open"] == (0 if status == "达标" else 1)
    assert row["overdue"] == (1 if status == "逾期" else 0)
    assert row["major"] == (1 if status == "重大隐患" else 0)


def test_every_category_has_a_badge_url():
    page = _page(_with_status("逾期"))
    slugs = [c["badge"].removeprefix("badges/cs-ceshi-xiaoxue.") for c in page["categories"]]
    assert len(slugs) == len(set(slugs)) == 15
    assert all(s.isascii() for s in slugs)
    hazards = next(c for c in page["categories"] if c["name"] == "隐患")
    assert hazards == {"name": "隐患", "status": "逾期", "key": "overdue",
                       "badge": "badges/cs-ceshi-xiaoxue.hazards.svg",
                       "url": "reference/status/#cat-hazards"}  # fmt: skip


@pytest.mark.parametrize("status", STATUSES)
def test_the_page_says_the_status_and_why_first(status):
    data = _with_status(status)
    page = _page(data)
    verdict = page["verdict"]
    assert page["status_url"] == f"reference/status/#{page['status_key']}"
    if status == "达标":
        assert verdict["reasons"] == [] and "未发现问题" in verdict["sentence"]
        return
    assert verdict["sentence"].startswith(f"{len(verdict['reasons'])} 项")
    reason = next(r for r in verdict["reasons"] if "H-09" in r["finding"]["message"])
    assert reason["finding"]["status"] == status
    assert reason["finding"]["rule_url"] == f"rules/{reason['finding']['rule']}/"
    (hazard,) = verdict["hazards"]
    assert hazard["id"] == "H-09" and hazard["overdue"] == (status == "逾期")
    if status != "待整改":  # the deadline (an open hazard's first finding is another)
        assert reason["finding"]["due"] == _d(-3 if status == "逾期" else 10)
    # the day it was due, said once: by the message (as here), or else by the verdict
    assert reason["due"] is None and reason["finding"]["due"] in reason["finding"]["message"]


def test_a_late_risk_review_is_marked_on_its_card_and_named_by_its_id():
    data = compliant(AS_OF)
    data["risks"][0]["next_review"] = _d(-32)
    page = _page(data)
    assert page["status"] == "逾期"
    (reason,) = page["verdict"]["reasons"]
    assert reason["risk"]["overdue"] is page["risks"][0]["overdue"] is True
    assert reason["finding"]["due"] == _d(-32) and reason["due"] is None  # the message says it
    risk_id = data["risks"][0]["id"]
    assert reason["finding"]["place"].startswith(f"风险清单 {risk_id}")


def test_every_rule_has_a_page_with_its_source_and_category():
    for rule in RULES.values():
        r = pages.rule_page(rule)
        assert r["title"] == rule.title and r["source"] == rule.source
        assert r["category_url"].startswith("reference/status/#cat-")
    ref = pages.status_reference()
    assert [s["status"] for s in ref["statuses"]] == list(STATUSES)
    assert all(c["text"] for c in ref["categories"])


def test_hazards_are_split_as_of_the_day():
    data = compliant(AS_OF)
    data["hazards"] += [
        _hazard("H-02", deadline=_d(-1)),  # overdue
        _hazard("H-03"),  # open, not yet due
        _hazard("H-04", found=_d(5)),  # found after the day: not there yet
        _hazard("H-05", status="已销号", rectified=_d(2), closed=_d(3), verifier="甲校长"),
    ]  # closed after the day: still open then
    page = _page(data)
    hazards = page["hazards"]
    assert [h["id"] for h in hazards["open"]] == ["H-02", "H-03", "H-05"]
    assert [h["overdue"] for h in hazards["open"]] == [True, False, False]
    assert [h["id"] for h in hazards["closed"]] == ["H-01"]
    assert hazards["counts"] == {"open": 3, "overdue": 1, "major": 0, "closed": 1}


def test_long_ledgers_show_the_latest_entries():
    data = compliant(AS_OF)
    closed = dict(data["hazards"][0])
    data["hazards"] = [
        {**closed, "id": f"H-{i:03d}", "closed": _d(-100 + i), "rectified": _d(-101 + i)}
        for i in range(pages.SHOWN + 5)
    ]
    page = _page(data)
    assert page["hazards"]["closed_more"] == 5
    assert [h["id"] for h in page["hazards"]["closed"]][-1] == f"H-{pages.SHOWN + 4:03d}"
    assert len(page["drills"]["rows"]) == min(pages.SHOWN, len(data["drills"]))
    assert page["drills_more"] == max(len(data["drills"]) - pages.SHOWN, 0)


def test_police_notice_data():
    police = _page(compliant(AS_OF))["police"]
    assert police["officer"] == "戊警官" and police["badge_no"] == "000001"
    assert police["escort_posts"] == [{"period": "早", "time": "07:20–08:00"}]


def test_profile_shows_the_district_name_not_its_id():
    profile = dict(_page(compliant(AS_OF))["profile"])
    assert profile["所属区县"] == "测试区"
    assert profile["寄宿制"] == "否"
    assert profile["校长"] == "甲校长"


# ---------------------------------------------------------------------------------------------
# Districts, the city


def _result(sid: str, status: str, **counts) -> SchoolResult:
    return SchoolResult(
        id=sid, file=f"{sid}.yaml", name=f"学校{sid}", district="ceshi", stage="小学",
        rule_set="national", status=status, categories={}, findings=[],
        counts={"open_hazards": 0, "overdue_hazards": 0, "major_open": 0, "closed_hazards": 0,
                **counts},
    )  # fmt: skip


def _district(*results: SchoolResult) -> dict:
    rates = [
        Rate("hazards", "限期消号率", 19, 20, 0.95, 0.95, True, "004 三(一)4"),
        Rate("drills", "演练率", 1, 2, 0.5, 1.0, False, "004 三(三)2"),
        Rate("plans", "预案率", 0, 0, None, 1.0, None, "004 三(三)1"),
    ]
    result = DistrictResult("ceshi", "测试区", "national", [r.id for r in results], {}, rates)
    return pages.district_page(DISTRICT, result, [pages.school_row(r) for r in results])


def test_district_lists_schools_worst_first_and_its_rates():
    d = _district(
        _result("a", "达标"), _result("b", "逾期", open_hazards=2, overdue_hazards=1),
        _result("c", "重大隐患", open_hazards=1, major_open=1), _result("d", "待整改"),
    )  # fmt: skip
    assert [r["id"] for r in d["schools"]] == ["c", "b", "d", "a"]
    assert [c["count"] for c in d["counts"]] == [1, 1, 1, 1]
    assert d["compliant"] == "25%"
    assert [r["id"] for r in d["major"]] == ["c"]
    hazards, drills, plans = d["rates"]
    assert (hazards["value"], hazards["target"], hazards["key"]) == ("95%", "≥95%", "ok")
    assert (drills["value"], drills["key"]) == ("50%", "bad")
    assert (plans["value"], plans["key"]) == ("—", "na")


def test_home_adds_up_the_city_and_scales_the_chart():
    big = _district(*[_result(f"a{i}", "达标") for i in range(3)], _result("b", "逾期"))
    small = _district(_result("c", "重大隐患"), _result("d", "达标"))
    home = pages.home_page([big, small], AS_OF)
    assert home["total"] == 6
    assert {c["status"]: c["count"] for c in home["counts"]} == {
        "重大隐患": 1, "逾期": 1, "待整改": 0, "达标": 4,
    }  # fmt: skip
    matrix = home["matrix"][0]
    assert (matrix["met"], matrix["rated"], matrix["key"]) == (1, 2, "bad")
    assert [r["title"] for r in matrix["unmet"]] == ["演练率"]
    first, second = home["chart"]["bars"]
    full = pages.CHART["bar"]
    assert sum(s["width"] for s in first["segments"]) == pytest.approx(full)
    assert sum(s["width"] for s in second["segments"]) == pytest.approx(full / 2)
    assert [s["key"] for s in second["segments"]] == ["major", "ok"]


def test_formatting():
    assert pages.fmt(True) == "是" and pages.fmt(False) == "否"
    assert pages.fmt(None) == "—" and pages.fmt([]) == "—"
    assert pages.fmt(1.5) == "1.5" and pages.fmt(2.0) == "2"
    assert pages.fmt(["甲", "乙"]) == "甲、乙"
    assert pages.pct(1.0) == "100%" and pages.pct(0.9473) == "94.7%" and pages.pct(None) == "—"


# ---------------------------------------------------------------------------------------------
# Reference pages


def test_schema_reference_marks_every_field_as_the_schema_does():
    groups = pages.schema_fields()
    rows = {r["path"]: r for g in groups for r in g["rows"]}
    assert rows["hazards[].location"]["public"] is False
    assert rows["hazards[].deadline"]["public"] is True
    assert rows["police.officer_mobile"]["public"] is False
    assert rows["devices.guards[].certificate_no"]["public"] is False
    assert rows["profile.name"]["title"] == "学校名称" and rows["profile.name"]["required"]
    assert rows["profile.stage"]["type"].startswith("文字:幼儿园 / 小学")
    for path, row in rows.items():
        parts = []
        for part in path.split("."):
            parts.append(part.removesuffix("[]"))
            if part.endswith("[]"):
                parts.append(0)
        assert row["public"] == schema.is_public(parts), path


def test_rules_reference_lists_every_rule_with_its_source():
    groups = pages.rules_reference(RULES.values())
    listed = [r for g in groups for r in g["rules"]]
    assert len(listed) == len(RULES)
    assert all(r["source"] and r["source"] != "—" for r in listed)
    assert {g["category"] for g in groups} <= set(CATEGORIES)


def test_qr_code_is_inline_svg():
    svg = pages.qr_svg("https://xiaoan.example.org/schools/cs-ceshi-xiaoxue/")
    assert svg.startswith("<svg") and "<path" in svg and "<script" not in svg


def test_page_data_does_not_touch_the_dossier():
    data = compliant(AS_OF)
    before = copy.deepcopy(data)
    _page(data)
    assert data == before


def test_the_verdict_says_the_due_date_its_message_does_not():
    data = compliant(AS_OF)
    data["devices"]["one_key_alarm"]["last_tested"] = _d(-40)  # 31 days: due on day -9
    page = _page(data)
    (reason,) = page["verdict"]["reasons"]
    assert _d(-9) not in reason["finding"]["message"] and reason["due"] == _d(-9)
    assert page["findings"][0]["due"] == _d(-9)


def test_the_page_says_from_when_to_when_its_status_holds():
    data = _with_status("逾期")  # H-09 due on day -3, late since day -2
    result = evaluate_one(data, AS_OF)
    page = pages.school_page(data, result, DISTRICT, AS_OF)
    assert (page["valid_from"], page["next_change"]) == ("2026-11-22", "2026-12-01")
    assert page["validity"] == "状态自 2026-11-22 起有效,下次可能变化:2026-12-01"
    api = pages.school_api(page)
    assert (api["valid_from"], api["next_change"]) == ("2026-11-22", "2026-12-01")
    assert {f["due"] for f in api["findings"]} >= {_d(-3)}
    result.valid_from = result.next_change = None
    assert pages.validity(result) == "状态有效,目前没有可预见的变化日期"


def test_the_district_lists_its_overdue_items_latest_first():
    late_hazard = _with_status("逾期")  # H-09, 3 days past its deadline
    late_review = compliant(AS_OF)
    late_review["profile"] |= {"id": "cs-late-xiaoxue", "name": "测试迟到小学"}
    late_review["risks"][0]["next_review"] = _d(-32)
    rows = [
        pages.school_row(evaluate_one(data, AS_OF), data)
        for data in (late_hazard, late_review, compliant(AS_OF))
    ]
    result = DistrictResult("ceshi", "测试区", "national", [r["id"] for r in rows], {}, [])
    d = pages.district_page(DISTRICT, result, rows)
    assert [(i["due_text"], i["owner"]) for i in d["overdue"]] == [
        (_d(-32), "风险点责任人"), (_d(-3), "隐患整改责任人"),
    ]  # fmt: skip
    assert d["overdue"][0]["school"] == "测试迟到小学"
    assert d["overdue"][1]["rule_url"].startswith("rules/hazard.")


def test_every_category_has_its_plain_words():
    """pages.CATEGORY_TEXT explains each category of rules.base.CATEGORIES on the status page:
    a new category without words would show a blank line."""
    assert set(pages.CATEGORY_TEXT) == set(CATEGORIES)
