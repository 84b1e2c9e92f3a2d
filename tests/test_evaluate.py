"""Evaluation of whole trees: statuses, the planted mix of the sample records, district rates,
the JSON shape, and that no private value reaches a finding."""

import json
import re
import shutil
from datetime import date, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from generator import ROOT
from generator.core.evaluate import STATUSES, Evaluation, evaluate, worst
from generator.core.rules import CATEGORIES
from generator.core.ruleset import UnknownRuleSet, available
from generator.core.validate import validate_tree
from generator.devtools.synth import generate
from tests.dossiers import DELETE, compliant, document, edit, evaluate_one, private_values
from tests.test_rules_hazards import open_hazard

RECORDS = ROOT.parent / "records"
AS_OF = date(2026, 11, 23)

# The planted mix of records/README.md, as the rules see it on 2026-11-23.
EXPECTED = {
    "cg-shiyan-xiaoxue": "达标",
    "cg-diyi-xiaoxue": "逾期",  # no drill in October (journey 1)
    "cg-diyi-youeryuan": "达标",
    "cg-xiangyang-youeryuan": "逾期",  # untouched since July (journey 3)
    "cg-dier-zhongxue": "待整改",  # spray expiring within 30 days, a hazard within its deadline
    "cg-diyi-zhongxue": "达标",
    "cg-zhiye-xuexiao": "待整改",  # funds not secured, deadline ahead
    "cg-tejiao-xuexiao": "达标",
    "cg-mingde-xuexiao": "逾期",  # missing sections
    "cg-dongcheng-xiaoxue": "逾期",  # November's monthly report not sent
    "hx-shiyan-xiaoxue": "达标",
    "hx-dier-zhongxue": "重大隐患",  # the one open major hazard (journey 2)
    "hx-diyi-zhongxue": "达标",
    "hx-jiguan-youeryuan": "达标",
    # README says 待整改; the risk's review date (2026-10-31) has passed, which is overdue
    "hx-binhe-xiaoxue": "逾期",
    "hx-yucai-xuexiao": "待整改",  # a 420-second evacuation
    "hx-beiguan-zhongxue": "待整改",  # no anti-collision barrier
    "hx-jinsui-youeryuan": "待整改",  # 100 g samples, alarm not linked
    "hx-zhiye-zhongzhuan": "逾期",  # boiler inspection past due
    "qs-shiyan-xiaoxue": "达标",
    "qs-diyi-zhongxue": "达标",
    "qs-zhongxin-youeryuan": "达标",
    "qs-shiqiao-xiaoxue": "逾期",  # bus sign expired
    "qs-huangtuling-youeryuan": "逾期",  # spray expired, part-time guards, 3 patrols
    "qs-nanshan-zhongxue": "逾期",  # hazard past its deadline
    "qs-zhiye-jiaoyu": "逾期",  # 30-day video, risk review passed
    "qs-xiwan-xuexiao": "待整改",
}


@pytest.fixture(scope="module")
def records():
    return validate_tree(RECORDS, today=AS_OF)


@pytest.fixture(scope="module")
def sample(records):
    return evaluate(records, AS_OF)


def test_statuses_worst_first():
    assert STATUSES == ("重大隐患", "逾期", "待整改", "达标")
    assert worst(["达标", "待整改", "逾期"]) == "逾期"
    assert worst(["待整改", "重大隐患"]) == "重大隐患"
    assert worst([]) == "达标"


def test_sample_records_are_valid(records):
    assert records.findings == []
    assert len(records.schools) == len(EXPECTED)


def test_readme_lists_the_schools_asserted_here():
    readme = (RECORDS / "README.md").read_text(encoding="utf-8")
    listed = set(re.findall(r"^\| `([a-z0-9-]+)` \|", readme, flags=re.M))
    assert listed - {"chengguan", "hexi", "qingshan"} == set(EXPECTED)


def test_sample_records_give_the_planted_mix(sample):
    assert {s.id: s.status for s in sample.schools} == EXPECTED
    statuses = [s.status for s in sample.schools]
    assert statuses.count("达标") >= 8
    assert statuses.count("重大隐患") == 1


def test_sample_findings_say_what_was_planted(sample):
    by_id = {s.id: s for s in sample.schools}
    codes = lambda school_id: {f.code for f in by_id[school_id].findings}  # noqa: E731
    assert codes("cg-diyi-xiaoxue") == {"drill.frequency"}
    assert {
        "drill.frequency",
        "device.equipment_expired",
        "hazard.overdue",
        "resp.letters",
        "risk.review_overdue",
        "device.fire_equipment",
        "report.monthly",
        "plan.stale",
    } <= codes("cg-xiangyang-youeryuan")
    assert "hazard.major_open" in codes("hx-dier-zhongxue")
    assert codes("hx-beiguan-zhongxue") >= {"device.anti_collision"}
    assert codes("qs-zhiye-jiaoyu") >= {"video.storage"}
    assert codes("qs-shiqiao-xiaoxue") == {"bus.sign_expired", "bus.equipment"}
    assert {"risk.none", "plan.missing", "resp.safety_representative"} <= codes("cg-mingde-xuexiao")
    major = next(f for f in by_id["hx-dier-zhongxue"].findings if f.code == "hazard.major_open")
    assert (
        major.category == "隐患"
        and major.severity == "error"
        and major.school == "hx-dier-zhongxue"
    )
    assert (
        major.source.startswith("000 二(一)3") and major.line and major.path.startswith("/hazards/")
    )
    line = Path(major.file).read_text(encoding="utf-8").splitlines()[major.line - 1]
    assert "H-2026-002" in line  # the finding points at the hazard's own line


def test_every_category_has_a_status(sample):
    for s in sample.schools:
        assert list(s.categories) == list(CATEGORIES)
        assert s.status == worst(s.categories.values())
    by_id = {s.id: s for s in sample.schools}
    assert by_id["hx-dier-zhongxue"].categories["隐患"] == "重大隐患"
    assert by_id["hx-dier-zhongxue"].categories["演练"] == "达标"


def test_district_rates(sample):
    by_id = {d.id: d for d in sample.districts}
    assert set(by_id) == {"chengguan", "hexi", "qingshan"}
    hexi = by_id["hexi"]
    assert hexi.rule_set == "longhua" and hexi.name == "河西区"
    assert sum(hexi.status_counts.values()) == len(hexi.schools) == 9
    assert hexi.status_counts["重大隐患"] == 1
    rates = {r.id: r for r in hexi.rates}
    major = rates["major_hazards_fixed"]  # 004 三(二)4: the surroundings, not the campus
    assert (major.numerator, major.denominator, major.value, major.met) == (0, 0, None, None)
    assert rates["alarm_video_linked"].numerator == 8 and rates["alarm_video_linked"].met is False
    assert (
        rates["hazards_on_time"].target == 0.95 and rates["hazards_on_time"].source == "004 三(一)4"
    )
    qingshan = {r.id: r for r in by_id["qingshan"].rates}
    assert (qingshan["full_time_guards"].numerator, qingshan["full_time_guards"].denominator) == (
        7,
        8,
    )
    assert (qingshan["daily_patrols"].value, qingshan["daily_patrols"].met) == (7 / 8, False)
    chengguan = {r.id: r for r in by_id["chengguan"].rates}
    assert (
        chengguan["major_hazards_fixed"].value is None
        and chengguan["major_hazards_fixed"].met is None
    )


def test_hazard_counts_and_the_on_time_rate():
    as_of = date(2026, 11, 23)
    data = compliant(as_of)
    data["hazards"].append(
        edit(data["hazards"][0], id="H-02", closed="2026-11-09", deadline="2026-11-08")
    )
    data["hazards"].append(
        {
            **data["hazards"][0],
            "id": "H-03",
            "status": "整改中",
            "deadline": "2026-11-20",
            "immediate": False,
            "interim_controls": "围挡。",
            "watcher": "丁师傅",
        }
    )
    for key in ("rectified", "closed", "verifier"):
        del data["hazards"][2][key]
    result = evaluate_one(data, as_of)
    c = result.counts
    assert (
        c["open_hazards"],
        c["overdue_hazards"],
        c["closed_hazards"],
        c["closed_on_time"],
        c["due_hazards"],
    ) == (1, 1, 2, 1, 3)
    assert result.rate_parts["hazards_on_time"] == (1, 3)


def test_a_section_left_out_is_named_in_its_finding():
    """A finding about a whole section the dossier leaves out still says which: its path and
    place name the section, its line is the file's top (the section's nearest ancestor)."""
    data = edit(compliant(AS_OF), emergency_plans=DELETE, safety_education=DELETE)
    found = {f.code: f for f in evaluate_one(data, AS_OF).findings}
    assert [(c, f.path, f.place, f.line) for c, f in sorted(found.items())] == [
        ("education.hours", "/safety_education", "安全教育", 1),
        ("plan.missing", "/emergency_plans", "应急预案", 1),
    ]


def test_json_shape(sample):
    data = json.loads(sample.dumps())
    assert set(data) == {"as_of", "schools", "districts", "findings"}
    assert data["as_of"] == "2026-11-23"
    school = next(s for s in data["schools"] if s["id"] == "hx-dier-zhongxue")
    assert {
        "id",
        "status",
        "categories",
        "findings",
        "counts",
        "file",
        "name",
        "district",
        "stage",
    } <= set(school)
    assert school["status"] == "重大隐患" and school["categories"]["隐患"] == "重大隐患"
    assert school["valid_from"] <= "2026-11-23" < school["next_change"]  # ISO dates sort
    dues = [f["due"] for s in data["schools"] for f in s["findings"] if "due" in f]
    assert dues and all(date.fromisoformat(d) for d in dues)
    finding = school["findings"][0]
    assert {
        "file",
        "line",
        "column",
        "path",
        "message",
        "code",
        "severity",
        "school",
        "category",
        "source",
    } <= set(finding)
    district = data["districts"][0]
    assert {"id", "name", "rule_set", "schools", "status_counts", "rates"} <= set(district)
    assert set(district["rates"][0]) == {
        "id",
        "title",
        "numerator",
        "denominator",
        "value",
        "target",
        "met",
        "source",
    }
    assert list(district["status_counts"]) == list(STATUSES)


@pytest.mark.parametrize("rules", [None, *available()])
def test_no_private_value_in_any_finding(records, rules):
    """Findings reach the public site: no name, phone, location or description in them —
    on the sample records under every rule set, and on synthetic dossiers."""
    docs = list(records.schools)
    if rules:  # a synthetic district too: more kinds of problems, other names
        docs += [document(d, f"synth/{d['profile']['id']}.yaml") for rel, d in generate(40, 3)
                 if not rel.endswith("_district.yaml")]  # fmt: skip
    ev = evaluate(
        SimpleNamespace(schools=docs, districts=records.districts, findings=[]), AS_OF, rules
    )
    messages: dict[str, list[str]] = {}
    for f in ev.all_findings:
        messages.setdefault(f.file, []).append(f"{f.message} {f.place}")
    checked = fired = 0
    for doc in docs:
        private = private_values(doc.data)
        checked += len(private)
        for message in messages.get(doc.file, []):
            fired += 1
            leaked = [v for v in private if v in message]
            assert not leaked, (doc.file, message, leaked)
    assert checked > 500 and fired > 50  # the test looked at real values and real findings


def test_evaluate_only_named_schools_keeps_district_aggregates(records, sample):
    named = [s.file for s in sample.schools if s.id == "hx-dier-zhongxue"]
    ev = evaluate(records, AS_OF, only=named)
    assert [s.id for s in ev.schools] == ["hx-dier-zhongxue"]
    assert [d.as_dict() for d in ev.districts] == [d.as_dict() for d in sample.districts]
    quick = evaluate(records, AS_OF, only=named, districts=False)
    assert [s.as_dict() for s in quick.schools] == [
        s.as_dict() for s in ev.schools
    ] and quick.districts == []


def test_a_rule_set_for_every_district(records):
    ev = evaluate(records, AS_OF, rule_set="jizhou")
    assert {d.rule_set for d in ev.districts} == {"jizhou"}
    by_id = {s.id: s for s in ev.schools}
    assert "report.monthly" not in {
        f.code for f in by_id["cg-dongcheng-xiaoxue"].findings
    }  # plan-003's duty
    assert {s.rule_set for s in ev.schools} == {"jizhou"}
    with pytest.raises(UnknownRuleSet):
        evaluate(records, AS_OF, rule_set="nowhere")


def test_an_unknown_rule_set_in_a_district_file_is_an_error_and_the_baseline_applies(tmp_path):
    (tmp_path / "ceshi").mkdir()
    (tmp_path / "ceshi" / "_district.yaml").write_text(
        "schema_version: 1\nid: ceshi\nname: 测试区\nrule_set: nowhere\nreviewers:\n  - account: ceshi\n    name: 测试\n",
        encoding="utf-8",
    )
    import yaml

    (tmp_path / "ceshi" / "cs-ceshi-xiaoxue.yaml").write_text(
        yaml.safe_dump(compliant(AS_OF), allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    records = validate_tree(tmp_path, today=AS_OF)
    assert records.findings == [] and len(records.schools) == 1
    ev = evaluate(records, AS_OF)
    [problem] = ev.findings
    assert problem.code == "ruleset.unknown" and problem.line == 4 and problem.severity == "error"
    assert (
        "未知的规则集“nowhere”" in problem.message
        and "暂按全国基线(national)评估" in problem.message
    )
    assert [s.rule_set for s in ev.schools] == ["national"] and ev.schools[0].status == "达标"
    assert [d.rule_set for d in ev.districts] == ["national"]


def test_evaluation_as_of_an_earlier_day(records):
    """History: the major hazard was found on 2026-11-10; before that the school was not red."""
    ev = evaluate(
        records, date(2026, 11, 9), only=[s.file for s in records.schools if "hx-dier" in s.file]
    )
    assert ev.schools[0].status != "重大隐患"


def test_evaluation_object():
    ev = Evaluation(as_of=AS_OF, schools=[], districts=[])
    assert ev.to_json() == {"as_of": "2026-11-23", "schools": [], "districts": [], "findings": []}


def test_journey_1_recording_a_drill_clears_the_finding(tmp_path):
    """城关第一小学 had no drill in October; the safety officer adds one and the school is 达标."""
    shutil.copytree(RECORDS, tmp_path / "records")
    path = tmp_path / "records" / "chengguan" / "cg-diyi-xiaoxue.yaml"
    before = evaluate(
        validate_tree(tmp_path / "records", [path], today=AS_OF), AS_OF, districts=False
    )
    assert [f.code for f in before.schools[0].findings] == ["drill.frequency"]
    text = path.read_text(encoding="utf-8")
    drill = "  - date: 2026-10-28\n    kind: 地震疏散\n    scope: 全校\n    participants: 1450\n"
    path.write_text(text.replace("drills:\n", "drills:\n" + drill, 1), encoding="utf-8")
    records = validate_tree(tmp_path / "records", [path], today=AS_OF)
    assert records.findings == []
    after = evaluate(records, AS_OF, districts=False)
    assert after.schools[0].findings == [] and after.schools[0].status == "达标"


@pytest.mark.parametrize(
    "category, status, closed, expected",
    [
        ("周边环境", "整改中", None, (0, 1)),
        ("周边环境", "已销号", "2026-11-22", (1, 1)),
        ("周边环境", "已销号", "2026-11-24", (0, 1)),  # closed the day after: open then
        ("校舍安全", "整改中", None, (0, 0)),  # on campus: not what 004 三(二)4 measures
    ],
)
def test_major_hazards_fixed_counts_the_surroundings_only(category, status, closed, expected):
    as_of = date(2026, 11, 23)
    data = compliant(as_of)
    hazard = edit(data["hazards"][0], id="H-02", grade="重大", category=category, status=status)
    hazard.pop("closed")
    if closed:
        hazard["closed"] = closed
    data["hazards"].append(hazard)
    result = evaluate_one(data, as_of, lines=False)
    assert result.rate_parts["major_hazards_fixed"] == expected


@pytest.mark.parametrize("name", ["plan-001", "plan-002"])
def test_a_district_chooses_the_rule_set_of_seed_001_or_002(tmp_path, name):
    import yaml

    (tmp_path / "ceshi").mkdir()
    (tmp_path / "ceshi" / "_district.yaml").write_text(
        f"schema_version: 1\nid: ceshi\nname: 测试区\nrule_set: {name}\n"
        "reviewers:\n  - account: ceshi\n    name: 测试\n",
        encoding="utf-8",
    )
    data = compliant(AS_OF)
    data["reports"]["monthly"] = [m for m in data["reports"]["monthly"] if m["month"] != "2026-11"]
    (tmp_path / "ceshi" / "cs-ceshi-xiaoxue.yaml").write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    ev = evaluate(validate_tree(tmp_path, today=AS_OF), AS_OF)
    assert ev.findings == [] and [d.rule_set for d in ev.districts] == [name]
    codes = [f.code for f in ev.schools[0].findings]
    # 001 四(二): the list of November was due on 11-01; 002 sets no monthly report
    assert codes == (["report.monthly"] if name == "plan-001" else [])


# ---------------------------------------------------------------------------------------------
# The days a result holds on: the boundaries, rule by rule


def _on(data: dict, day: date):
    result = evaluate_one(data, day, lines=False)
    return result, {(f.code, f.status, f.due) for f in result.findings}


@pytest.mark.parametrize(
    "change, next_change, finding",
    [
        # an open hazard becomes overdue the day after its deadline
        (lambda d: d["hazards"].append(open_hazard(deadline="2026-11-26")),
         date(2026, 11, 27), ("hazard.overdue", "逾期", date(2026, 11, 26))),
        # a risk's review is late the day after its date
        (lambda d: d["risks"][0].update(next_review="2026-11-25"),
         date(2026, 11, 26), ("risk.review_overdue", "逾期", date(2026, 11, 25))),
        # a spray is expiring 30 days (equipment_warn_days) before its expiry
        (lambda d: d["devices"]["protective_equipment"][-1].update(expires="2026-12-25"),
         date(2026, 11, 25), ("device.equipment_expiring", "待整改", date(2026, 12, 25))),
        # a lift's upkeep is late 15 days after the last
        (lambda d: d["special_equipment"][0].update(last_maintenance="2026-11-13"),
         date(2026, 11, 29), ("special.lift_maintenance", "逾期", date(2026, 11, 28))),
    ],
)  # fmt: skip
def test_a_result_holds_until_its_next_change_and_changes_on_it(change, next_change, finding):
    data = compliant(AS_OF)
    change(data)
    result, before = _on(data, AS_OF)
    assert result.next_change == next_change
    last, _ = _on(data, next_change - timedelta(days=1))
    assert last.findings == result.findings and last.status == result.status
    after, found = _on(data, next_change)
    assert finding in found and finding not in before


def test_a_result_holds_since_the_day_it_last_changed():
    data = compliant(AS_OF)
    data["hazards"].append(open_hazard(deadline="2026-11-25"))
    result, found = _on(data, date(2026, 11, 28))
    assert ("hazard.overdue", "逾期", date(2026, 11, 25)) in found
    assert result.valid_from == date(2026, 11, 26) and result.status == "逾期"
    before, _ = _on(data, date(2026, 11, 25))
    assert before.status == "待整改" and before.next_change == date(2026, 11, 26)
    since, _ = _on(data, result.valid_from)
    assert since.findings == result.findings


def test_a_compliant_school_holds_to_the_end_of_the_month():
    """Nothing due before: the next month owes its drill and its report."""
    result = evaluate_one(compliant(AS_OF), AS_OF, lines=False)
    assert result.status == "达标" and result.next_change == date(2026, 12, 1)
    assert result.as_dict()["next_change"] == "2026-12-01"
