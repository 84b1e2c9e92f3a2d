"""Nothing private reaches the public site.

A dossier gets a unique canary value in every private field the schema has (found by walking
the schema, so a field added later is covered too); the real site is built with mkdocs and
Pagefind; no file under the output folder may hold any canary, not even inside the search
index's compressed fragments. Public canaries, placed the same way, must be found: the search
reaches everywhere it should.
"""

from __future__ import annotations

import gzip
import json
import zipfile
from datetime import date
from pathlib import Path

import pytest
import yaml
from dossiers import compliant

from generator.core import schema
from generator.core.validate import validate_tree
from generator.site.build import build

AS_OF = date(2026, 11, 23)

# Private fields whose values cannot carry a canary: a yes/no says nothing by itself, a list of
# fixed names takes no made-up value, and an age is at most 80, which any page may show as
# another number.
NO_CANARY = {
    ("responsibilities", "safety_representative", "full_time"): "是/否",
    ("hazards", 0, "funds", "secured"): "是/否",
    ("devices", "key_rooms", 0, "guard_rail"): "是/否",
    ("devices", "key_rooms", 0, "alarm"): "是/否",
    ("school_buses", 0, "driver", "age"): "至多 80",
    ("responsibilities", "safety_office"): "是/否",
    ("responsibilities", "safety_rules"): "可选值(制度名称)",
    ("school_buses", 0, "driver", "matches_sign"): "是/否",
}


def schema_leaves(kind: str):
    """(path, node) of every leaf field of a schema; list items are index 0."""

    def walk(node: dict, path: tuple):
        if node.get("type") == "object":
            for key in node.get("properties", {}):
                yield from walk(schema.child(node, key, kind), (*path, key))
        elif node.get("type") == "array" and schema.child(node, 0, kind).get("type") == "object":
            yield from walk(schema.child(node, 0, kind), (*path, 0))
        else:
            yield path, node

    yield from walk(schema.at((), kind), ())


def _private_leaves(kind: str):
    """(path, node) of every private leaf field of a schema; list items are index 0."""
    return ((path, node) for path, node in schema_leaves(kind) if not schema.is_public(path, kind))


class Canaries:
    """Unique values that fit each field: text, phone numbers, dates, large numbers."""

    def __init__(self) -> None:
        self.n = 0
        self.values: list[str] = []

    def for_field(self, node: dict):
        self.n += 1
        if node.get("type") == "array":
            value: object = [f"CANARY-PRIVATE-{self.n:04d}"]
            text = value[0]
        elif node.get("type") in ("integer", "number"):
            value = 987_000 + self.n  # five digits and more: never a count or a year
            text = str(value)
        elif node.get("format") == "date":
            value = text = f"2013-{1 + self.n % 12:02d}-{1 + self.n % 28:02d}"
        elif "pattern" in node and "[0-9]" in node["pattern"] and "A-Z" not in node["pattern"]:
            value = text = f"1399999{self.n:04d}"  # a phone number
        else:
            value = text = f"CANARY-PRIVATE-{self.n:04d}"
        self.values.append(text)
        return value


def _skeleton(node: dict) -> object:
    """The smallest valid value of ``node``: its required fields, with plain defaults."""
    if node.get("type") == "object":
        return {key: _skeleton(schema.child(node, key)) for key in node.get("required", [])}
    if "enum" in node:
        return node["enum"][0]
    return {"string": "示例", "boolean": True, "array": [], "integer": 1, "number": 1}[node["type"]]


def _fill(data: object, path: tuple, node_path: tuple, value: object) -> int:
    """Put ``value`` at ``path`` in every list item on the way; make missing parts. Returns how
    many places got it."""
    key, rest = path[0], path[1:]
    if key == 0:
        if not data:
            data.append(_skeleton(schema.at((*node_path, 0))))
        return sum(_fill(item, rest, (*node_path, 0), value) for item in data)
    if not rest:
        data[key] = value
        return 1
    if key not in data:
        data[key] = [] if rest[0] == 0 else _skeleton(schema.at((*node_path, key)))
    return _fill(data[key], rest, (*node_path, key), value)


def _date_sensitive(path: tuple) -> bool:
    # Closing a hazard needs its dates in order; the canary dates lie years back.
    return path[0] == "hazards"


def canary_dossier(school_id: str = "cs-canary-xiaoxue") -> tuple[dict, Canaries, dict, dict]:
    """A compliant dossier with a canary in every private field that can carry one: the
    data, the canaries, where they were placed (path: how many places) and what was not."""
    canaries = Canaries()
    data = compliant(AS_OF, school_id=school_id)
    placed: dict[tuple, int] = {}
    skipped = {}
    for path, node in _private_leaves("dossier"):
        if path in NO_CANARY or node.get("type") == "boolean":
            skipped[path] = NO_CANARY.get(path, "是/否")
            continue
        placed[path] = _fill(data, path, (), canaries.for_field(node))
    return data, canaries, placed, skipped


@pytest.fixture(scope="module")
def canary_site(tmp_path_factory):
    data, canaries, placed, skipped = canary_dossier()
    district = {
        "schema_version": 1, "id": "ceshi", "name": "测试区", "rule_set": "national",
        "reviewers": [{"account": "CANARY-PRIVATE-9001", "name": "CANARY-PRIVATE-9002"}],
    }  # fmt: skip
    canaries.values += ["CANARY-PRIVATE-9001", "CANARY-PRIVATE-9002"]
    # public canaries: the control group
    data["profile"]["address"] = "CANARY-PUBLIC-ADDRESS"
    data["police"]["station"] = "CANARY-PUBLIC-STATION"
    data["hazards"][0]["category"] = "消防安全"

    records = tmp_path_factory.mktemp("canary") / "records"
    (records / "ceshi").mkdir(parents=True)
    dump = {"allow_unicode": True, "sort_keys": False}
    (records / "ceshi" / "_district.yaml").write_text(yaml.safe_dump(district, **dump), "utf-8")
    (records / "ceshi" / "cs-canary-xiaoxue.yaml").write_text(yaml.safe_dump(data, **dump), "utf-8")
    checked = validate_tree(records, today=AS_OF)
    assert checked.ok, [f.message for f in checked.findings]
    out = records.parent / "site"
    build(records, out, AS_OF)
    return {"out": out, "canaries": canaries.values, "placed": placed, "skipped": skipped}


def _contents(out: Path):
    for path in sorted(out.rglob("*")):
        if path.is_file():
            raw = path.read_bytes()
            if raw[:2] == b"\x1f\x8b":  # the search index and sitemap.xml.gz are gzipped
                raw += gzip.decompress(raw)
            elif path.suffix == ".xlsx":  # the public workbooks: zipped XML
                with zipfile.ZipFile(path) as z:
                    raw += b"".join(z.read(name) for name in z.namelist())
            # Pagefind puts zero-width spaces between the words it segments
            yield path.relative_to(out), raw.replace("\u200b".encode(), b"")


def test_every_private_field_got_a_canary(canary_site):
    assert all(count >= 1 for count in canary_site["placed"].values()), canary_site["placed"]
    fields = {path for path, node in _private_leaves("dossier")}
    assert fields == set(canary_site["placed"]) | set(canary_site["skipped"])
    assert set(canary_site["skipped"]) == set(NO_CANARY)
    assert len(canary_site["placed"]) >= 50


def test_no_private_value_anywhere_in_the_output(canary_site):
    canaries = [c.encode() for c in canary_site["canaries"]]
    leaks = [
        (str(path), canary.decode())
        for path, raw in _contents(canary_site["out"])
        for canary in canaries
        if canary in raw
    ]
    assert leaks == []


def test_public_values_are_found_where_they_belong(canary_site):
    found: dict[str, set[str]] = {"CANARY-PUBLIC-ADDRESS": set(), "CANARY-PUBLIC-STATION": set()}
    for path, raw in _contents(canary_site["out"]):
        for value, where in found.items():
            if value.encode() in raw:
                where.update((path.parts[0], path.name))
    # the school page, its notice, the API, and the search index all have them
    assert {"schools", "api", "pagefind"} <= found["CANARY-PUBLIC-ADDRESS"]
    # the workbooks are read unzipped, so a leak into them would show
    assert any(
        path.parts[0] == "exports" and "统计表".encode() in raw
        for path, raw in _contents(canary_site["out"])
    )
    assert {"schools", "notice.html", "api"} <= found["CANARY-PUBLIC-STATION"]


def test_findings_on_private_fields_keep_their_place_not_their_value(canary_site):
    api = json.loads(
        (canary_site["out"] / "api/schools/cs-canary-xiaoxue.json").read_text(encoding="utf-8")
    )
    # the canary dates make rules fire on private fields (letters, the bus driver's licence)
    places = " ".join(f["place"] for f in api["findings"])
    assert "责任清单" in places or "校车" in places
    assert "CANARY" not in json.dumps(api["findings"], ensure_ascii=False)
