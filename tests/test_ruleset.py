"""Rule sets: the shipped ones load; a broken one is a clear Chinese error; extends merges."""

import shutil
from collections import Counter
from datetime import date

import pytest

from generator.core.evaluate import evaluate_school
from generator.core.rules import RULES, Context
from generator.core.ruleset import (
    MEASURES,
    RULESET_DIR,
    RuleSetError,
    UnknownRuleSet,
    available,
    load_rule_set,
)
from tests.dossiers import compliant, document, edit


def test_shipped_rule_sets():
    assert available() == ["jizhou", "longhua", "national", "plan-001", "plan-002", "plan-003"]
    for name in available():
        rs = load_rule_set(name)
        assert rs.title and rs.source and rs.calendar.semesters
        assert rs.chain[-1] == "national"
        for rule in RULES.values():
            for setting in rule.settings:
                rs.setting(setting)  # every setting a rule reads is there


def test_each_local_rule_set_names_its_seed():
    assert "003" in load_rule_set("plan-003").source
    assert "004" in load_rule_set("longhua").source
    assert "000" in load_rule_set("jizhou").source


def test_the_settings_the_seeds_disagree_on():
    national, plan, longhua, jizhou = (
        load_rule_set(n) for n in ("national", "plan-003", "longhua", "jizhou")
    )
    assert (
        plan.setting("drills.interval")["小学"] == "month"
        and plan.setting("drills.interval")["幼儿园"] == "quarter"
    )
    # 004 三(三)2 adds three whole-school drills a semester; it does not repeal the monthly one
    assert longhua.setting("drills.interval") == national.setting("drills.interval")
    assert longhua.setting("drills.semester_min_whole_school") == 3
    assert longhua.setting("drills.semester_kinds") == ["消防疏散", "地震疏散"]
    assert (
        longhua.setting("inspections.per_semester") == 2
        and national.setting("inspections.per_semester") is None
    )
    assert (
        jizhou.setting("video.storage_days") == 90 and national.setting("video.storage_days") == 30
    )
    assert jizhou.setting("guards.patrols_per_day") == 5
    assert (
        plan.setting("reports.monthly_due_day") == 10
        and plan.setting("reports.annual_due") == "12-15"
    )
    assert national.setting("reports.monthly_due_day") is None
    plan_001 = load_rule_set("plan-001")
    assert plan_001.setting("reports.monthly_due_day") == 1  # 001 四(二)
    assert plan_001.setting("reports.annual_due") == "12-10"  # 001 四(三)
    assert plan_001.setting("inspections.term_edge_days") == 30  # 001 五(五)
    assert national.setting("inspections.term_edge_days") is None
    assert load_rule_set("plan-002").settings == national.settings  # 002: no recurring deadline
    assert "范文" in load_rule_set("plan-003").description
    # what the child does not set comes from national
    assert jizhou.setting("canteen.sample_grams") == 125


def test_calendars_cover_2025_to_2028():
    for name in available():
        years = {s.school_year for s in load_rule_set(name).calendar.semesters}
        assert {2025, 2026, 2027, 2028} <= years


def test_every_measure_says_what_it_counts_and_counts_a_share():
    counts = Counter(closed_on_time=1, due_hazards=2, major_closed=0, major_hazards=1,
                     drills_last_year=3, education_last_year=0)  # fmt: skip
    for measure in MEASURES.values():
        assert measure.text
        done, out_of = measure.parts(counts)
        assert 0 <= done <= out_of


def test_unknown_rule_set():
    with pytest.raises(UnknownRuleSet) as exc:
        load_rule_set("nowhere")
    assert (
        str(exc.value) == "未知的规则集“nowhere”;可用的规则集:jizhou、longhua、national、plan-001、plan-002、plan-003"
    )
    with pytest.raises(UnknownRuleSet):
        load_rule_set("../national")


@pytest.fixture
def folder(tmp_path):
    shutil.copy(RULESET_DIR / "national.yaml", tmp_path / "national.yaml")
    return tmp_path


def write(folder, name, text):
    (folder / f"{name}.yaml").write_text(text, encoding="utf-8")
    return name


BASE = "schema_version: 1\ntitle: 测试\nsource: 测试\nextends: national\n"


def error_of(folder, name, text) -> str:
    write(folder, name, text)
    with pytest.raises(RuleSetError) as exc:
        load_rule_set(name, folder)
    assert "Traceback" not in str(exc.value)
    return str(exc.value)


def test_a_wrong_type_names_the_line_and_the_setting(folder):
    message = error_of(
        folder, "t1", BASE + "settings:\n  drills:\n    semester_min_whole_school: three\n"
    )
    assert message.startswith("规则集有错误:\n")
    assert (
        "t1.yaml:7:5: 设置(settings) › 演练(drills) › 每学期全校演练次数(semester_min_whole_school):应为整数或null,实为 'three'"
        in message
    )


def test_a_misspelt_setting(folder):
    message = error_of(folder, "t2", BASE + "settings:\n  video:\n    storage_dayz: 90\n")
    assert (
        "t2.yaml:7:5: 设置(settings) › 技防(video):不认识的设置项 storage_dayz(请检查拼写)"
        in message
    )


def test_a_bad_stage_value_and_a_bad_date(folder):
    message = error_of(folder, "t3", BASE + "settings:\n  drills:\n    interval: {小学: weekly}\n")
    assert "不是可选值之一" in message and "interval" in message
    message = error_of(
        folder,
        "t4",
        BASE
        + "calendar:\n  school_year_start: '09-01'\n  pattern: {first: ['09-01', '01-20'], second: ['02-20', '07-10']}\n"
        "  semesters:\n    - {school_year: 2027, first: [2027-09-01, 2028-02-30], second: [2028-03-01, 2028-07-01]}\n",
    )
    assert "'2028-02-30' 不是有效日期" in message and "t4.yaml:9:" in message


def test_a_too_long_title_is_said_in_chinese(folder):
    message = error_of(folder, "t9", BASE.replace("测试", "测" * 61, 1))
    assert "t9.yaml:2:1: 名称(title):不能超过 60 个字(现有 61 个字)" in message


def test_semesters_out_of_order(folder):
    message = error_of(
        folder,
        "t5",
        BASE
        + "calendar:\n  school_year_start: '09-01'\n  pattern: {first: ['09-01', '01-20'], second: ['02-20', '07-10']}\n"
        "  semesters:\n    - {school_year: 2027, first: [2027-09-01, 2028-03-01], second: [2028-02-20, 2028-07-01]}\n",
    )
    assert "t5.yaml:9:7: 校历(calendar) › 各学年学期(semesters) › 第1项:学期日期应依次为" in message


def test_unknown_parent_and_cycles(folder):
    message = error_of(folder, "t6", BASE.replace("national", "nowhere"))
    assert "未知的规则集“nowhere”" in message
    write(folder, "a", BASE.replace("national", "b"))
    message = error_of(folder, "b", BASE.replace("national", "a"))
    assert message == "规则集继承形成循环:b → a → b"


def test_a_root_rule_set_must_be_complete(folder):
    message = error_of(
        folder,
        "t7",
        "schema_version: 1\ntitle: 测试\nsource: 测试\nsettings:\n  video: {storage_days: 30}\n",
    )
    assert "缺少校历(calendar)" in message
    text = (
        (folder / "national.yaml")
        .read_text(encoding="utf-8")
        .replace("  video:\n    storage_days: 30\n", "  video: {}\n")
    )
    message = error_of(folder, "t8", text)
    assert "缺少设置 video.storage_days" in message


def test_unknown_rules_named(folder):
    assert "不存在的规则“drill.weekly”" in error_of(
        folder, "t9", BASE + "disabled: [drill.weekly]\n"
    )
    message = error_of(
        folder,
        "t10",
        BASE + "rates:\n  - {id: x, title: 某率, target: 1, source: 测试, rules: [no.such]}\n",
    )
    assert "引用了不存在的规则 no.such" in message
    message = error_of(
        folder, "t11", BASE + "rates:\n  - {id: y, title: 某率, target: 1, source: 测试}\n"
    )
    assert "必须写 rules(对应规则)或 measure(计算方法)中的一项" in message
    assert "缺少 title、target、source" in error_of(
        folder, "t12", BASE + "rates:\n  - {id: z, rules: [video.linked]}\n"
    )
    assert "未知的计算方法“guess”" in error_of(
        folder,
        "t13",
        BASE + "rates:\n  - {id: w, title: 某率, target: 1, source: 测试, measure: guess}\n",
    )


def test_broken_yaml(folder):
    message = error_of(folder, "t14", BASE + "settings:\n\tvideo: 1\n")
    assert message.startswith("t14.yaml:") or "t14.yaml:6:" in message
    assert "规则集文件无法读取" in message


def test_extends_merges_settings_rates_and_disabled(folder):
    write(
        folder,
        "child",
        BASE + "settings:\n  video: {storage_days: 60}\ndisabled: [device.key_rooms]\n"
        "rates:\n  - {id: hazards_on_time, target: 0.9}\n  - {id: escort_posts, disabled: true}\n"
        "  - {id: barriers, title: 防冲撞设施设置率, target: 1, source: 004 三(一)3, rules: [device.anti_collision]}\n",
    )
    write(
        folder,
        "grandchild",
        BASE.replace("national", "child") + "settings:\n  drills: {semester_min_whole_school: 2}\n",
    )
    rs = load_rule_set("grandchild", folder)
    assert rs.chain == ("grandchild", "child", "national")
    assert (
        rs.setting("video.storage_days") == 60
        and rs.setting("drills.semester_min_whole_school") == 2
    )
    assert rs.setting("drills.interval")["小学"] == "month"
    assert "device.key_rooms" in rs.disabled
    rates = {r.id: r for r in rs.rates}
    assert (
        rates["hazards_on_time"].target == 0.9
        and rates["hazards_on_time"].measure == "hazards_closed_on_time"
    )
    assert rates["hazards_on_time"].source == "004 三(一)4"
    assert "escort_posts" not in rates and rates["barriers"].rules == ("device.anti_collision",)
    assert rs.digest != load_rule_set("child", folder).digest


def test_a_disabled_rule_is_not_run(folder):
    write(folder, "quiet", BASE + "disabled: [device.anti_collision]\n")
    as_of = date(2026, 11, 23)
    data = edit(compliant(as_of), devices__anti_collision={"installed": False})
    noisy = evaluate_school(document(data), Context(as_of, load_rule_set("national", folder)))
    quiet = evaluate_school(document(data), Context(as_of, load_rule_set("quiet", folder)))
    assert [f.code for f in noisy.findings] == ["device.anti_collision"]
    assert quiet.findings == [] and quiet.status == "达标"
