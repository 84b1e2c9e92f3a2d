"""Tests for generator/core/schema.py: the two validators, Chinese places and the public marks."""

from __future__ import annotations

import copy
import json

import fastjsonschema
import pytest
from conftest import BASE, INVALID, VALID
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.core import schema
from generator.core.load import LoadError, load


@pytest.mark.parametrize(
    "value, ok",
    [
        ("2024-02-29", True),
        ("2026-11-23", True),
        ("2023-02-29", False),
        ("2024-13-01", False),
        ("2024-04-31", False),
        ("2024-1-01", False),
        ("20240101", False),
        ("2024-01-01\n", False),
        ("２０２４-01-01", False),  # full-width digits
        ("2024-01-01T00:00", False),
        ("", False),
        (20240101, True),  # not text: the type check reports it, not the format
    ],
)
def test_is_date(value, ok):
    assert schema.is_date(value) is ok


def test_schemas_load_once_and_stay_unchanged():
    before = json.dumps(schema.load_schema("dossier"), sort_keys=True)
    schema.fast_validator.cache_clear()
    schema.fast_validator("dossier")
    assert json.dumps(schema.load_schema("dossier"), sort_keys=True) == before
    assert schema.load_schema("dossier") is schema.load_schema("dossier")
    assert schema.load_schema("district")["title"] == "区县信息"
    with pytest.raises(ValueError):
        schema.load_schema("school")


def test_schema_files_are_found_through_the_package():
    assert (schema.schema_dir() / "dossier.schema.json").is_file()


@pytest.mark.parametrize(
    "path, place",
    [
        ((), "学校安全档案"),
        (("hazards", 2, "deadline"), "隐患清单 第3项 › 整改期限"),
        (("risks", 0, "controls", 1), "风险清单 第1项 › 管控措施 第2项"),
        (("profile", "principal"), "学校基本信息 › 校长"),  # the referring title wins over $defs
        (("devices", "guards", 0, "name"), "人防物防技防台账 › 保安员 第1项 › 姓名"),
        (("hazards", 0, "funds", "amount"), "隐患清单 第1项 › 整改资金 › 金额(元)"),
        (("hazards", 0, "weather"), "隐患清单 第1项 › “weather”"),
    ],
)
def test_place(path, place):
    assert schema.place(path) == place


def test_place_in_the_district_schema():
    assert schema.place(("reviewers", 0, "account"), "district") == "审核人 第1项 › 代码平台账号"


@pytest.mark.parametrize(
    "path, public",
    [
        (("schema_version",), True),
        (("profile", "name"), True),  # inherited from profile
        (("responsibilities", "safety_representative", "name"), False),  # marked false above
        (("risks", 0, "owner"), True),
        (("risks", 0, "owner_phone"), False),
        (("hazards", 0, "status"), True),
        (("hazards", 0, "description"), False),
        (("hazards", 0, "funds", "amount"), False),  # false switches off everything below
        (("devices", "guards", 0, "certified"), True),
        (("devices", "guards", 0, "certificate_no"), False),
        (("devices", "key_rooms", 0, "room"), False),
        (("hazards", 0, "no_such_field"), False),  # unknown: private
    ],
)
def test_is_public(path, public):
    assert schema.is_public(path) is public


def test_public_view_drops_every_private_field():
    data = load(BASE).data
    view = schema.public_view(data)
    dumped = json.dumps(view, ensure_ascii=False)
    assert "responsibilities" not in view
    for secret in (
        "138000000",
        "BA-2019-0012",
        "教学楼二层东侧",
        "48000",
        "门卫室",
        "JY-1120-0001",
        "科学实验室准备间",
    ):
        assert secret not in dumped
    assert view["profile"] == data["profile"]
    assert view["hazards"][1] == {
        "id": "H-2026-002",
        "found": "2026-10-15",
        "source": "公安检查",
        "inspection": "I-2026-02",
        "category": "治安防范",
        "grade": "重大",
        "immediate": False,
        "status": "整改中",
        "deadline": "2026-12-31",
        "risk": "R-01",
    }
    assert view["devices"]["guards"] == [
        {"full_time": True, "certified": True, "hired": "2019-05-01"},
        {"full_time": True, "certified": True},
    ]
    assert view["police"]["officer"] == "刘警官" and "officer_mobile" not in view["police"]
    assert data["responsibilities"]  # the input is left alone


def test_public_view_drops_unknown_fields_and_keeps_public_containers():
    assert schema.public_view({"x": 1, "profile": {"boarding": True, "x": 2}}) == {
        "profile": {"boarding": True}
    }
    assert schema.public_view({"hazards": [{"location": "x"}]}) == {"hazards": [{}]}
    assert schema.public_view({"reviewers": [{"account": "a"}]}, "district") == {}


# ---------------------------------------------------------------------------------------------
# The fast and the full validator must agree


def agree(data, kind: str = "dossier") -> bool:
    try:
        schema.fast_validator(kind)(data)
        fast = True
    except fastjsonschema.JsonSchemaException:
        fast = False
    full = not list(schema.full_validator(kind).iter_errors(data))
    assert fast == full, f"fast validator says {fast}, full validator says {full}"
    return fast


def loadable(folder):
    for path in sorted(folder.glob("*.yaml")):
        if path.name == "expected.yaml":
            continue
        try:
            yield path, load(path)
        except LoadError:
            continue


@pytest.mark.parametrize(
    "path, doc",
    list(loadable(VALID)) + list(loadable(INVALID)),
    ids=lambda x: getattr(x, "name", ""),
)
def test_fast_and_full_agree_on_every_example(path, doc):
    kind = "district" if path.name == "_district.yaml" else "dossier"
    assert agree(doc.data, kind) is (path.parent == VALID or path.stem.startswith("record-"))


@pytest.mark.parametrize(
    "change",
    [
        lambda d: d["profile"].update(id="cg\n"),  # Python's $ would accept the final newline
        lambda d: d["profile"].update(students=1260.0),
        lambda d: d["profile"].update(students=True),
        lambda d: d["safety_education"][0].update(hours=True),
        lambda d: d["hazards"][0].update(status=None),
        lambda d: d["hazards"][1].update(immediate=0),
        lambda d: d["police"]["escort_posts"][0].update(start="07:20\n"),
        lambda d: d.update(schema_version=1.0),
        lambda d: d.update(schema_version=True),
    ],
)
def test_fast_and_full_agree_on_edge_cases(change):
    data = copy.deepcopy(load(BASE).data)
    change(data)
    agree(data)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 3000)
    | st.floats(-1, 20, allow_nan=False)
    | st.sampled_from(
        ["", "2024-02-29", "2023-02-29", "已销号", "重大", "R-01", "x\n", "07:20", "abc"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.sampled_from(["id", "x", "status"]), inner, max_size=2)
    ),
    max_leaves=6,
)


def _paths(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _paths(v, prefix + (k,))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _paths(v, prefix + (i,))


_BASE_DATA = load(BASE).data
_BASE_PATHS = [p for p in _paths(_BASE_DATA) if p]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(_BASE_PATHS), _JSON, st.booleans())
def test_fast_and_full_agree_on_random_changes(path, value, delete):
    data = copy.deepcopy(_BASE_DATA)
    holder = data
    for key in path[:-1]:
        holder = holder[key]
    if delete and isinstance(holder, dict):
        del holder[path[-1]]
    else:
        holder[path[-1]] = value
    agree(data)
