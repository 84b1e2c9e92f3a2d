"""Tests for generator/core/validate.py: schema findings, checks inside a record, checks across the tree.

Every file in tests/fixtures/invalid/ is checked against tests/fixtures/invalid/expected.yaml:
the same number of findings, each at the expected line and column, with the expected code,
JSON path and Chinese message.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import BASE, INVALID, TODAY, VALID, district, school

from generator.core.findings import Finding
from generator.core.load import parse
from generator.core.validate import check_dossier, validate_document, validate_tree
from generator.core.workers import PARALLEL_FROM

EXPECTED = yaml.safe_load((INVALID / "expected.yaml").read_text(encoding="utf-8"))
CASES = sorted(p.stem for p in INVALID.glob("*.yaml") if p.name != "expected.yaml")
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def check(path: Path, tmp_path: Path) -> list[Finding]:
    """Findings for one file outside any records tree (schema and checks inside the record)."""
    return validate_tree(
        tmp_path / "records", [path], today=TODAY, display=lambda p: p.name
    ).findings


def test_every_invalid_example_has_expectations():
    assert sorted(EXPECTED) == CASES


@pytest.mark.parametrize("case", CASES)
def test_invalid_example(case, tmp_path):
    findings = check(INVALID / f"{case}.yaml", tmp_path)
    expected = EXPECTED[case]
    assert len(findings) == len(expected), "\n".join(
        f"{f.line}:{f.column} {f.message}" for f in findings
    )
    for finding, want in zip(findings, expected, strict=True):
        assert finding.file == f"{case}.yaml"
        assert f"{finding.line}:{finding.column}" == want["at"]
        assert finding.code == want["code"]
        assert finding.path == want.get("path", "")
        assert want["message"] in finding.message
        assert finding.severity == "error"
        assert CHINESE.search(finding.message)


@pytest.mark.parametrize("path", sorted(VALID.glob("*.yaml")), ids=lambda p: p.name)
def test_valid_examples_pass(path, tmp_path):
    assert check(path, tmp_path) == []


def test_html_in_text_is_just_text(tmp_path):
    # escaping is the site's job; a validator that refused "<" would refuse real text
    text = (VALID / "cg-qiaoxi-youeryuan.yaml").read_text(encoding="utf-8")
    assert "<script>" in text and "<img" in text
    assert check(VALID / "cg-qiaoxi-youeryuan.yaml", tmp_path) == []


def test_huge_file_is_a_finding_not_a_crash(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(BASE.read_text(encoding="utf-8") + "# 填充\n" * 200_000, encoding="utf-8")
    [finding] = check(path, tmp_path)
    assert (finding.file, finding.line, finding.code) == ("huge.yaml", 1, "file.too-large")


# ---------------------------------------------------------------------------------------------
# Messages, one keyword at a time


def findings_for(text: str) -> list[Finding]:
    doc = parse(text, "x.yaml")
    return validate_document(doc) or check_dossier(doc, TODAY)


def base_with(old: str, new: str) -> str:
    text = BASE.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    return text.replace(old, new)


def test_required_is_placed_at_the_parent_key():
    [f] = findings_for(base_with("  staff: 86\n", ""))
    assert (f.line, f.column, f.path, f.place) == (4, 1, "/profile/staff", "学校基本信息")
    assert f.message == "缺少必填字段“教职工数”(staff)"


def test_a_type_error_hides_the_other_errors_of_the_same_value():
    [f] = findings_for(base_with("  stage: 小学\n", "  stage: [小学]\n"))
    assert f.code == "schema.type" and f.message == "应为文字,而这里是列表"


def test_an_unquoted_number_where_a_choice_is_expected_lists_the_choices():
    [f] = findings_for(base_with("  stage: 小学\n", "  stage: 3\n"))
    assert f.code == "schema.type" and f.message.startswith(
        "“3”不是可选的值,应为以下之一:“幼儿园”、“小学”"
    )


def test_a_field_required_twice_is_reported_once():
    # 已销号 requires rectified by a condition; nothing else does: one finding, with the reason
    [f] = findings_for(base_with("    rectified: 2026-03-13\n    closed", "    closed"))
    assert f.message == "状态为“已销号”时必须填写“整改完成日期”(rectified)"


def test_unknown_field_written_as_its_chinese_title():
    missing, unknown = findings_for(base_with("    kind: 地震疏散\n", "    类型: 地震疏散\n"))
    assert unknown.message == "未知字段“类型”:字段名请用英文,是否应为 kind(演练类型)?"
    assert (unknown.line, unknown.column, unknown.path) == (127, 5, "/drills/1/类型")
    assert (missing.line, missing.message) == (126, "缺少必填字段“演练类型”(kind)")


def test_const_and_min_items_messages():
    text = (VALID / "_district.yaml").read_text(encoding="utf-8")
    doc = parse(
        text.replace("schema_version: 1", "schema_version: 2").split("reviewers:")[0]
        + "reviewers: []\n",
        "d.yaml",
    )
    messages = {f.code: f.message for f in validate_document(doc, "district")}
    assert messages == {"schema.const": "应为 1(现为 2)", "schema.minItems": "至少要有 1 项"}


def test_max_length_message():
    [f] = findings_for(base_with("  name: 城关区实验小学\n", f"  name: {'长' * 61}\n"))
    assert f.message == "不能超过 60 个字(现有 61 个字)"


def test_yaml_hints_for_words_yaml_reads_as_booleans_or_null():
    [f] = findings_for(base_with('  badge_no: "012345"\n', "  badge_no: yes\n"))
    assert f.message == "“yes”被 YAML 当作“是”(布尔值),如果是文字请加引号:'yes'"
    [f] = findings_for(base_with('  badge_no: "012345"\n', "  badge_no: null\n"))
    assert f.message == "“null”被 YAML 当作空值,如果是文字请加引号:'null'"


# ---------------------------------------------------------------------------------------------
# Inside one record


def test_dates_are_compared_with_today():
    text = base_with("  - date: 2026-10-25\n", "  - date: 2026-11-24\n")
    assert findings_for(text)[0].message == "演练日期 2026-11-24 不能晚于今天(2026-11-23)"
    assert findings_for(base_with("  - date: 2026-10-25\n", "  - date: 2026-11-23\n")) == []


def test_planned_dates_may_lie_in_the_future():
    assert (
        findings_for(
            base_with(
                "    next_review: 2027-03-01\n  - id: R-02",
                "    next_review: 2099-03-01\n  - id: R-02",
            )
        )
        == []
    )


def test_dates_out_of_range():
    [f] = findings_for(base_with("    deadline: 2026-12-31\n", "    deadline: 2101-01-01\n"))
    assert f.code == "record.date-range" and "2000—2100" in f.message


# ---------------------------------------------------------------------------------------------
# The tree


def codes(records) -> list[tuple[str, str]]:
    return [(Path(f.file).name, f.code) for f in records.findings]


def test_valid_tree(records):
    result = validate_tree(records, today=TODAY)
    assert result.findings == [] and result.ok
    assert result.files_checked == 5
    assert sorted(result.districts) == ["chengguan", "qiaobei"]
    assert [Path(d.file).name for d in result.schools] == [
        "cg-qiaoxi-youeryuan.yaml",
        "cg-shiyan-xiaoxue.yaml",
        "qb-di-yi-zhongxue.yaml",
    ]


def test_duplicate_school_ids_name_both_files(records):
    text = BASE.read_text(encoding="utf-8")
    (records / "qiaobei" / "cg-shiyan-xiaoxue.yaml").write_text(
        school(text, "cg-shiyan-xiaoxue", "qiaobei"), encoding="utf-8"
    )
    result = validate_tree(records, today=TODAY)
    dupes = [f for f in result.findings if f.code == "tree.duplicate-id"]
    assert {f.file for f in dupes} == {
        str(records / "chengguan/cg-shiyan-xiaoxue.yaml"),
        str(records / "qiaobei/cg-shiyan-xiaoxue.yaml"),
    }
    assert all(f.line == 5 and f.path == "/profile/id" for f in dupes)
    assert str(records / "qiaobei/cg-shiyan-xiaoxue.yaml") in dupes[0].message
    assert "全市学校编号必须唯一" in dupes[0].message
    assert len(result.schools) == 2  # neither duplicate counts as valid


def test_duplicates_are_found_when_only_one_file_is_named(records):
    text = BASE.read_text(encoding="utf-8")
    named = records / "qiaobei" / "cg-shiyan-xiaoxue.yaml"
    named.write_text(school(text, "cg-shiyan-xiaoxue", "qiaobei"), encoding="utf-8")
    result = validate_tree(records, [named], today=TODAY)
    assert result.files_checked == 1
    [f] = result.findings
    assert f.code == "tree.duplicate-id" and "chengguan/cg-shiyan-xiaoxue.yaml" in f.message


def test_only_named_files_are_reported(records):
    (records / "qiaobei" / "broken.yaml").write_text("a: [\n", encoding="utf-8")
    named = records / "chengguan" / "cg-shiyan-xiaoxue.yaml"
    assert validate_tree(records, [named], today=TODAY).findings == []
    assert codes(validate_tree(records, today=TODAY)) == [("broken.yaml", "yaml.syntax")]


def test_file_name_and_folder_must_match_the_record(records):
    text = BASE.read_text(encoding="utf-8")
    (records / "qiaobei" / "other-name.yaml").write_text(text, encoding="utf-8")
    result = validate_tree(records, today=TODAY)
    messages = [(f.path, f.message) for f in result.findings]
    assert messages == [
        ("/profile/id", "学校编号“cg-shiyan-xiaoxue”与文件名“other-name”不一致:两者必须相同"),
        ("/profile/district", "所属区县“chengguan”与所在文件夹“qiaobei”不一致:两者必须相同"),
    ]
    assert result.findings[0].line == 5


def test_district_folder_needs_its_file(records):
    (records / "qiaobei" / "_district.yaml").unlink()
    result = validate_tree(records, today=TODAY)
    assert codes(result) == [("qb-di-yi-zhongxue.yaml", "tree.no-district")]
    assert "qiaobei/ 中没有 _district.yaml" in result.findings[0].message


def test_district_file_is_validated_with_its_schema(records):
    path = records / "qiaobei" / "_district.yaml"
    path.write_text(
        district("qiaobei").replace("  - account: cg-reviewer\n", "  - acount: cg-reviewer\n"),
        encoding="utf-8",
    )
    result = validate_tree(records, today=TODAY)
    assert [(f.line, f.code, f.place) for f in result.findings] == [
        (8, "schema.additionalProperties", "审核人 第1项"),
        (8, "schema.required", "审核人 第1项"),
    ]
    assert "qiaobei" not in result.districts


def test_district_id_must_be_its_folder(records):
    (records / "qiaobei" / "_district.yaml").write_text(district("qiao-bei"), encoding="utf-8")
    [f] = validate_tree(records, today=TODAY).findings
    assert (
        f.code == "tree.name-mismatch"
        and "区县编号“qiao-bei”与所在文件夹“qiaobei”不一致" in f.message
    )


@pytest.mark.parametrize(
    "relative, fragment",
    [
        ("stray.yaml", "档案应放在 records/<区县编号>/<学校编号>.yaml"),
        ("chengguan/more/deep.yaml", "不要再分子文件夹"),
        ("chengguan/CG-Upper.yaml", "文件名“CG-Upper”不合规"),
        ("chengguan/with space.yaml", "文件名“with space”不合规"),
        ("chengguan/a..b.yaml", "文件名“a..b”不合规"),
        ("chengguan/back\\slash.yaml", "文件名“back\\slash”不合规"),
        ("Cheng Guan/x.yaml", "区县文件夹名“Cheng Guan”不合规"),
        ("chengguan/short.yml", "文件扩展名应为 .yaml"),
    ],
)
def test_path_tricks_are_refused(records, relative, fragment):
    path = records / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(BASE, path)
    result = validate_tree(records, [path], today=TODAY)
    assert [f.code for f in result.findings] == ["tree.path"]
    assert fragment in result.findings[0].message
    assert "不能有空格、大写字母" in result.findings[0].message or "不合规" not in fragment


@pytest.mark.parametrize("inside", [False, True], ids=["outside", "inside"])
def test_a_symlink_is_refused_with_a_finding_never_followed(records, tmp_path, inside):
    """A link to a file outside records/ crashed validate with a TypeError (issue 14 #4)."""
    target = records / "qiaobei" / "qb-di-yi-zhongxue.yaml"
    if not inside:
        target = tmp_path / "secret.yaml"
        target.write_text(school(BASE.read_text(encoding="utf-8"), "cg-link"), encoding="utf-8")
    link = records / "chengguan" / "cg-link.yaml"
    link.symlink_to(target)
    for files in (None, [link]):
        result = validate_tree(records, files, today=TODAY)
        assert codes(result) == [("cg-link.yaml", "file.symlink")]
        assert "符号链接" in result.findings[0].message
        assert "cg-link" not in {Path(d.file).stem for d in result.schools}


def test_files_outside_the_tree_get_schema_and_record_checks_only(tmp_path):
    path = tmp_path / "elsewhere" / "Any Name.yaml"
    path.parent.mkdir()
    shutil.copy(BASE, path)
    assert validate_tree(tmp_path / "records", [path], today=TODAY).findings == []


def test_worker_processes_find_the_same(records):
    """Many files are shared among processes when only findings are wanted: same findings."""
    text = BASE.read_text(encoding="utf-8")
    for n in range(PARALLEL_FROM + 10):
        school_id = f"cg-school-{n:03d}"
        body = school(text, school_id)
        if n % 50 == 7:
            body = body.replace("deadline: 2026-12-31", "deadline: 2026-02-30")
        if n == 33:
            body = "profile: [\n"
        (records / "chengguan" / f"{school_id}.yaml").write_text(body, encoding="utf-8")
    (records / "qiaobei" / "cg-school-005.yaml").write_text(
        school(text, "cg-school-005", "qiaobei"), encoding="utf-8"
    )
    alone = validate_tree(records, today=TODAY, jobs=1, documents=False)
    shared = validate_tree(records, today=TODAY, jobs=2, documents=False)
    kept = validate_tree(records, today=TODAY)
    assert shared.findings == alone.findings == kept.findings
    assert {f.code for f in shared.findings} == {
        "schema.format",
        "yaml.syntax",
        "tree.duplicate-id",
    }
    bad_dates = len([n for n in range(PARALLEL_FROM + 10) if n % 50 == 7])  # 7, 57, 107 …
    assert len(shared.findings) == bad_dates + 1 + 2
    assert shared.schools == []
    assert len(kept.schools) == PARALLEL_FROM + 10 + 4 - bad_dates - 1 - 2
    two = validate_tree(records, today=TODAY, jobs=2)
    # sent back packed, and unpacked only when read (see generator.core.load.Document)
    assert all(doc._packed is not None for doc in two.schools)
    assert [d.data for d in two.schools] == [d.data for d in kept.schools]


def test_the_checks_the_schema_declares_name_real_fields():
    """x-unique, x-refers-to, x-not-before and x-past are read from the schema: each must
    name what exists, or its check would silently do nothing."""
    from generator.core import schema
    from generator.core.validate import date_fields, marked

    dates = set(date_fields())
    unique = dict(marked("x-unique"))
    assert {p[0] for p in unique} >= {"risks", "hazards", "inspections"}
    for path, key in unique.items():
        assert schema.child(schema.at(path), 0)["properties"][key]
    for path, section in marked("x-refers-to"):
        assert (section,) in unique, f"{path} names {section}, whose ids need not be unique"
    for path, earlier in marked("x-not-before"):
        assert path in dates and all((*path[:-1], e) in dates for e in earlier), path
    past = [p for p, _ in marked("x-past")]
    assert len(past) >= 9 and set(past) <= dates


def test_boarding_students_are_at_most_the_students(tmp_path):
    """Declared in the schema (x-at-most), checked like every other declared check."""
    text = BASE.read_text(encoding="utf-8")
    students = yaml.safe_load(text)["profile"]["students"]
    path = tmp_path / "cg-shiyan-xiaoxue.yaml"
    for boarding, expected in ((students, []), (students + 1, ["record.more-than"])):
        body = text.replace("  students:", f"  boarding_students: {boarding}\n  students:", 1)
        path.write_text(body, encoding="utf-8")
        found = check_dossier(parse(body, str(path)), TODAY)
        assert [f.code for f in found] == expected
        if expected:
            assert found[0].message == f"寄宿学生数 {boarding} 大于在校学生数 {students}"
            assert found[0].path == "/profile/boarding_students"
