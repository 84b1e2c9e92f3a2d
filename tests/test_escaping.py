"""Record text is shown as typed and runs nothing.

Every free-text field of a dossier and of its district file gets text full of HTML, script
tags, quotes, template and Markdown syntax, right-to-left marks and emoji (as much as the
field's length allows); the real site is built, and each page holds that text escaped —
never as markup, never evaluated — and the JSON API holds it exactly as typed.
"""

from __future__ import annotations

import html
import json
from datetime import date

import pytest
import yaml
from dossiers import compliant
from markupsafe import escape

from generator.core import schema
from generator.site.build import build

AS_OF = date(2026, 11, 23)
RTL = "\u202e"  # RIGHT-TO-LEFT OVERRIDE
# Longest first: each field gets the longest that fits its maxLength.
NAUGHTY = [
    "<script>alert(\"x\")</script><img src=x onerror=alert(1)> & 'q' {{ 7*7 }} {% if 1 %}i"
    "{% endif %} **b** [l](javascript:alert(1)) " + RTL + "RTL 😀",
    '<script>alert("x")</script> {{ 7*7 }} **b** ' + RTL + "😀",
    "<script>x</script>&'\"{{ 1 }}" + RTL + "😀",
    "<b>&'\"{{x}}" + RTL + "😀",
    '<i>&"😀',
]
ONE_LINE = "^(?!无$)\\S(.*\\S)?$"  # the pattern of list items of text: still free text
PAYLOADS = ['<script>alert("x")', "<script>x</script>", "<img src=x", "<b>&", "<i>&", "<strong>b"]


def _text_fields(kind: str):
    """Paths of every free-text field (no enum, pattern or format); list items as index 0."""

    def walk(node: dict, path: tuple):
        kind_of = node.get("type")
        if kind_of == "object":
            for key in node.get("properties", {}):
                yield from walk(schema.child(node, key, kind), (*path, key))
        elif kind_of == "array":
            yield from walk(schema.child(node, 0, kind), (*path, 0))
        elif kind_of == "string" and not {"enum", "format", "const"} & set(node):
            if node.get("pattern", ONE_LINE) == ONE_LINE:  # free text, if on one line
                yield path, node

    yield from walk(schema.at((), kind), ())


def _naughty(node: dict) -> str:
    return next(t for t in NAUGHTY if len(t) <= node.get("maxLength", 10_000))


def _fill(data, path: tuple, value: str) -> int:
    key, rest = path[0], path[1:]
    if key == 0:
        if rest:
            return sum(_fill(item, rest, value) for item in data)
        data[:] = [value] * max(len(data), 1)
        return len(data)
    if key not in data:
        return 0
    if not rest:
        data[key] = value
        return 1
    return _fill(data[key], rest, value)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    data = compliant(AS_OF, school_id="cs-naughty-xiaoxue")
    data["risks"][0]["description"] = "风险描述"
    data["profile"]["office_phone"] = "010-12345678"
    filled = {path: _fill(data, path, _naughty(node)) for path, node in _text_fields("dossier")}
    district = {
        "schema_version": 1, "id": "ceshi", "name": "", "city": "", "bureau": "",
        "rule_set": "national", "reviewers": [{"account": "reviewer", "name": ""}],
    }  # fmt: skip
    for path, node in _text_fields("district"):
        _fill(district, path, _naughty(node))
    records = tmp_path_factory.mktemp("naughty") / "records"
    (records / "ceshi").mkdir(parents=True)
    dump = {"allow_unicode": True, "sort_keys": False}
    (records / "ceshi" / "_district.yaml").write_text(yaml.safe_dump(district, **dump), "utf-8")
    school = records / "ceshi" / "cs-naughty-xiaoxue.yaml"
    school.write_text(yaml.safe_dump(data, **dump), "utf-8")
    out = records.parent / "site"
    build(records, out, AS_OF)
    return {"out": out, "data": data, "district": district, "filled": filled}


def _page(site, rel: str) -> str:
    return (site["out"] / rel).read_text(encoding="utf-8")


PAGES = [
    "schools/cs-naughty-xiaoxue/index.html",
    "schools/cs-naughty-xiaoxue/notice.html",
    "schools/cs-naughty-xiaoxue/risk.html",
    "districts/ceshi/index.html",
    "districts/index.html",
    "index.html",
]


def test_the_dossier_is_full_of_naughty_text(site):
    assert sum(site["filled"].values()) >= 40
    for field in (("profile", "name"), ("police", "officer"), ("risks", 0, "place")):
        assert site["filled"][field] >= 1


@pytest.mark.parametrize("rel", PAGES)
def test_no_record_text_becomes_markup(site, rel):
    text = _page(site, rel)
    for payload in PAYLOADS:
        assert payload not in text, payload
    assert 'href="javascript' not in text


@pytest.mark.parametrize(
    ("rel", "field"),
    [
        (PAGES[0], ("profile", "name")),
        (PAGES[0], ("profile", "address")),
        (PAGES[0], ("police", "duties")),
        (PAGES[0], ("risks", 0, "place")),
        (PAGES[1], ("police", "officer")),
        (PAGES[1], ("police", "station")),
        (PAGES[2], ("risks", 0, "controls", 0)),
        (PAGES[3], ("profile", "name")),
    ],
)
def test_text_is_shown_escaped_and_as_typed(site, rel, field):
    value = site["data"]
    for key in field:
        value = value[key]
    text = _page(site, rel)
    escaped = str(escape(value))  # as Jinja's autoescape writes it
    assert escaped in text
    assert html.unescape(escaped) == value  # reads as typed: quotes, RTL mark and emoji
    assert RTL in value and "😀" in value


def test_template_and_markdown_syntax_stay_literal(site):
    school = _page(site, PAGES[0])
    assert "{{ 7*7 }}" in school and "**b**" in school
    assert "<strong>b</strong>" not in school


def test_titles_are_escaped(site):
    name = site["data"]["profile"]["name"]
    school = _page(site, PAGES[0])
    assert f"<title>{escape(name)} - 校安档案</title>" in school
    district_name = site["district"]["name"]
    district = _page(site, PAGES[3])
    assert f"<title>{escape(district_name)} - 校安档案</title>" in district
    home = _page(site, "index.html")
    assert f'class="xa-chart__label">{escape(district_name)}</text>' in home


def test_the_api_holds_the_text_as_typed(site):
    api = json.loads(_page(site, "api/schools/cs-naughty-xiaoxue.json"))
    assert api["name"] == site["data"]["profile"]["name"]
    assert api["dossier"]["police"]["duties"] == site["data"]["police"]["duties"]
    listed = json.loads(_page(site, "api/schools.json"))
    assert listed[0]["name"] == site["data"]["profile"]["name"]


def test_every_generated_page_is_still_well_formed(site):
    # an unescaped quote would end an attribute early: count tags in and out of the text
    for rel in PAGES:
        text = _page(site, rel)
        assert text.count("<html") == 1 and text.rstrip().endswith("</html>"), rel
