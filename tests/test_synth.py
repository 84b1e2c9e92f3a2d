"""The synthetic records tree: deterministic, valid, the right size and the designed mix."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml

from generator import SCHEMA_DIR
from generator.core.load import load
from generator.core.validate import validate_tree
from generator.devtools import synth

REF = synth.REF.isoformat()


def files(root: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()
    }


@pytest.fixture(scope="module")
def tree(tmp_path_factory) -> Path:
    """Sixty schools (two districts), written once for the tests that only read them."""
    root = tmp_path_factory.mktemp("synth") / "records"
    assert synth.write_tree(root, 60, seed=1) == 60
    return root


@pytest.fixture(scope="module")
def schools() -> list[dict]:
    """Two hundred dossiers, as data."""
    return [
        data for rel, data in synth.generate(200, seed=5) if not rel.endswith("/_district.yaml")
    ]


def test_same_seed_same_tree_byte_for_byte(tmp_path):
    synth.write_tree(tmp_path / "a", 30, seed=3)
    synth.write_tree(tmp_path / "b", 30, seed=3)
    synth.write_tree(tmp_path / "c", 30, seed=4)
    a, b, c = files(tmp_path / "a"), files(tmp_path / "b"), files(tmp_path / "c")
    assert len(a) == 31  # one district, thirty schools
    assert a == b
    assert a != c


def test_layout_ids_and_districts(tree):
    districts = sorted(tree.glob("*/_district.yaml"))
    assert len(districts) == 2  # about one per 40 schools
    assert [load(d).data["rule_set"] for d in districts] == ["plan-003", "longhua"]
    ids = []
    for path in tree.glob("*/*.yaml"):
        if path.name == "_district.yaml":
            continue
        profile = load(path).data["profile"]
        assert path.stem == profile["id"]
        assert path.parent.name == profile["district"]
        ids.append(profile["id"])
    assert len(ids) == len(set(ids)) == 60
    assert synth.write_tree(tree.parent / "one", 3) == 3
    assert len(list((tree.parent / "one").glob("*/_district.yaml"))) == 1  # at least one


def test_every_file_is_valid_against_the_schemas(tree):
    validators = {
        kind: jsonschema.Draft202012Validator(
            json.loads((SCHEMA_DIR / f"{kind}.schema.json").read_text(encoding="utf-8")),
            format_checker=jsonschema.FormatChecker(),
        )
        for kind in ("dossier", "district")
    }
    checked = 0
    for path in sorted(tree.rglob("*.yaml")):
        kind = "district" if path.name == "_district.yaml" else "dossier"
        errors = [
            f"{e.json_path}: {e.message}" for e in validators[kind].iter_errors(load(path).data)
        ]
        assert errors == [], path
        checked += 1
    assert checked == 62


def test_the_project_validator_finds_nothing(tree):
    records = validate_tree(tree, today=synth.REF)
    assert records.findings == []
    assert len(records.schools) == 60 and len(records.districts) == 2


def test_sizes_like_real_dossiers(tree):
    sizes = [p.stat().st_size for p in tree.glob("*/*.yaml") if p.name != "_district.yaml"]
    # the sample records, with their comments, average about 15,600 bytes
    assert 8_000 <= statistics.mean(sizes) <= 13_000
    assert min(sizes) > 4_000 and max(sizes) < 30_000


def test_fast_writer_matches_safe_dump(tree):
    for i, path in enumerate(sorted(tree.glob("*/*.yaml"))):
        text = path.read_text(encoding="utf-8")
        data = load(path).data
        assert text == synth.dump_reference(data), path
        if i < 5:  # the same data as plain safe_dump: digit-like text only gains quotes
            plain = yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
            assert yaml.load(plain, Loader=yaml.CSafeLoader) == yaml.load(
                text, Loader=yaml.CSafeLoader
            )


def test_times_dates_and_numbers_in_text_are_quoted(tree):
    text = next(p for p in sorted(tree.glob("*/*.yaml")) if p.name != "_district.yaml").read_text(
        encoding="utf-8"
    )
    assert "    start: '07:" in text
    assert "  established: '2026-09-0" in text
    assert "  badge_no: '" in text
    assert synth.dump({"t": "07:20", "p": "0300-2345678", "n": "no", "x": "是"}) == (
        "t: '07:20'\np: '0300-2345678'\nn: 'no'\nx: 是\n"
    )


def test_every_section_filled(schools):
    for data in schools:
        assert 3 <= len(data["risks"]) <= 8
        assert 2 <= len(data["hazards"]) <= 12
        assert 3 <= len(data["drills"]) <= 10
        assert data["responsibilities"]["leadership_group"]["members"]
        assert data["responsibilities"]["posts"]
        assert data["devices"]["guards"] and data["devices"]["fire_equipment"]
        assert (
            data["police"]["escort_posts"] and data["emergency_plans"] and data["safety_education"]
        )
        assert data["inspections"] and data["reports"]["monthly"]
        secondary = data["profile"]["stage"] in synth.SECONDARY
        assert data["chemicals"]["held"] == secondary
    profiles = [d["profile"] for d in schools]
    assert {p["stage"] for p in profiles} == set(synth.STAGES)
    assert {p["ownership"] for p in profiles} == {"公办", "民办"}
    assert {p["boarding"] for p in profiles} == {True, False}
    names = [p["name"] for p in profiles]
    assert len(set(names)) == len(names)
    assert sum(n.endswith("实验小学") for n in names) >= 3
    assert any("市第" in n for n in names)
    assert sum("school_buses" in d for d in schools) >= 5
    assert sum("special_equipment" in d for d in schools) >= 10
    assert sum(d["canteen"]["operated"] for d in schools) >= 100


def status(data: dict) -> str:
    """What a reader of the data would call the school's state on the reference date."""
    open_hazards = [h for h in data["hazards"] if h["status"] != "已销号"]
    if any(h["grade"] == "重大" for h in open_hazards):
        return "major"
    drills = [d["date"] for d in data["drills"] if d["kind"] != "校车"]
    late = "2026-08-25" if data["profile"]["stage"] == "幼儿园" else "2026-10-01"
    if (
        any(h["deadline"] < REF for h in open_hazards)
        or any(e.get("expires", "9999") < REF for e in data["devices"]["protective_equipment"])
        or max(drills) < late
    ):
        return "overdue"
    devices = data["devices"]
    if (
        devices["video"]["storage_days"] < 90
        or not all(g["certified"] for g in devices["guards"])
        or not devices["one_key_alarm"]["linked_police"]
        or not devices["anti_collision"]["installed"]
        or any(f.get("failed", 0) for f in devices["fire_equipment"])
        or data["canteen"].get("sample_grams", 125) < 125
    ):
        return "gap"
    return "open" if open_hazards else "compliant"


def test_status_mix_as_designed(schools):
    mix = Counter(status(d) for d in schools)
    assert 0.35 <= mix["compliant"] / 200 <= 0.65
    assert 0.18 <= mix["open"] / 200 <= 0.42
    assert 0.07 <= mix["overdue"] / 200 <= 0.25
    assert 1 <= mix["major"] <= 16
    # what overdue means varies: a hazard past its deadline, an expired spray, a late drill
    overdue = [d for d in schools if status(d) == "overdue"]
    assert any(
        any(h["status"] != "已销号" and h["deadline"] < REF for h in d["hazards"]) for d in overdue
    )
    assert any(
        any(e.get("expires", "9999") < REF for e in d["devices"]["protective_equipment"])
        for d in overdue
    )


def test_the_project_rules_see_the_same_mix(tree):
    from generator.core.evaluate import evaluate

    statuses = Counter(
        s.status for s in evaluate(validate_tree(tree, today=synth.REF), synth.REF).schools
    )
    assert sum(statuses.values()) == 60
    assert 0.35 <= statuses["达标"] / 60 <= 0.65
    assert statuses["待整改"] >= 10 and statuses["逾期"] >= 3 and statuses["重大隐患"] >= 1


def test_compliant_schools_keep_their_dates(schools):
    """Nothing a compliant school holds runs out on the reference date."""
    for data in (d for d in schools if status(d) == "compliant"):
        assert all(r["next_review"] > REF for r in data["risks"])
        assert all(h["closed"] <= h["deadline"] for h in data["hazards"])
        assert all(
            e["expires"] > REF for e in data["devices"]["protective_equipment"] if "expires" in e
        )
        assert all(x["sign_valid_until"] > REF for x in data.get("school_buses", []))
        assert all(x["next_inspection"] > REF for x in data.get("special_equipment", []))
        months = {d["date"][:7] for d in data["drills"]}
        assert {"2026-09", "2026-10", "2026-11"} <= months


def test_refuses_a_folder_with_files(tmp_path):
    out = tmp_path / "records"
    (out / "d01").mkdir(parents=True)
    (out / "d01" / "keep.yaml").write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="已存在且不是空的"):
        synth.write_tree(out, 5)
    assert files(out) == {"d01/keep.yaml": b"x: 1\n"}
    empty = tmp_path / "empty"
    empty.mkdir()
    assert synth.write_tree(empty, 2) == 2


def test_chinese_numerals():
    assert [synth.cn_number(n) for n in (1, 10, 12, 20, 21, 100, 103, 110, 999)] == [
        "一",
        "十",
        "十二",
        "二十",
        "二十一",
        "一百",
        "一百零三",
        "一百一十",
        "九百九十九",
    ]
