"""Property tests (hypothesis): dossiers made from the schema itself.

Each example takes a compliant dossier with a canary in every private field
(:func:`test_privacy.canary_dossier`) and puts, at one field of the schema (any field, found
by walking the schema, so a field added later is covered too), a value drawn from that
field's own schema, a hostile string, a hostile number, or a raw YAML token (``0777``,
``.nan``, ``17:20`` …). The file then goes through validate, check, the public view (the
API), the calendar feed, the CSV and workbook exports, the import round trip and an edit
command. Whatever comes in:

* nothing raises but the project's own refusals, each with a Chinese finding;
* a dossier accepted is shown as typed (a public text is in the public view, NFC) and
  round-trips through the workbook unchanged;
* no private value reaches a public output, no NaN reaches JSON, no control byte the
  calendar format forbids reaches a feed.

The default run draws 200 examples (a few for the site build); ``make test-thorough`` draws
ten times as many.
"""

from __future__ import annotations

import copy
import csv
import datetime
import functools
import json
import math
import os
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_privacy import AS_OF, _contents, _fill, canary_dossier, schema_leaves

from generator.authoring.edit import EditError, add_drill
from generator.core import schema
from generator.core.evaluate import evaluate_school
from generator.core.findings import Finding
from generator.core.load import Document, LoadError, parse
from generator.core.rules import Context
from generator.core.ruleset import load_rule_set
from generator.core.validate import DISTRICT_FILE, check_dossier, validate_document
from generator.devtools.synth import REF, generate
from generator.exchange.calendar import school_feed
from generator.exchange.export import ledger_tables, write_csv
from generator.exchange.ledger_import import LedgerError, read_ledger
from generator.exchange.workbook import ledger_sheets, write_workbook
from generator.site.build import BuildFailed, build

FILE = "records/ceshi/cs-canary-xiaoxue.yaml"
BASE, CANARIES, _, _ = canary_dossier()
PRIVATE = [c.encode() for c in CANARIES.values]
CJK = re.compile(r"[\u4e00-\u9fff]")
CALENDAR_FORBIDDEN = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")  # bare LF: lines end in CRLF
RULES = load_rule_set("national")
DISTRICT = yaml.safe_dump(
    {"schema_version": 1, "id": "ceshi", "name": "测试区", "rule_set": "national",
     "reviewers": [{"account": "ceshi-reviewer", "name": "审核员"}]},
    allow_unicode=True,
)  # fmt: skip

HOSTILE_TEXT = [
    "", " ", "\u3000", "\ufeff", "\ufeff城关", "\x07", "a\x00b", "a\rb", "\x85", "\u2028",
    "<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{ 7*7 }}", "{% raw %}",
    "-2+3+cmd|' /C calc'!A0", "=1+1", "+1", "@SUM(A1)", "\t=1", "\u202e反转文字", "e\u0301",
    "'; DROP TABLE x;--", "../../etc/passwd", "%s%n", "NaN", "null", "~", "yes", "no", "0777",
    "17:20", "1_000", ".inf", "#注释", "&anchor", "*alias", "!!python/object:os.system",
    "a: b", "- x", "无", "'", '"', "\\", "😀👨‍👩‍👧", "城" * 3000, "x\n\ny",
]
HOSTILE_NUMBERS = [
    math.nan, math.inf, -math.inf, 1e308, -1, 0, -0.0, 2**63, -(2**63) - 1, 10**30, 0.5, 1e-300,
]
RAW_TOKENS = [
    "0777", "012", ".nan", ".NaN", "-.inf", ".inf", "1.0e+999", "17:20", "1_000", "0x1F", "0b11",
    "~", "yes", "no", "on", "null", "''", '""', "[]", "{}", "!!binary aGVsbG8=", "!!int '3'",
]  # fmt: skip
PLACEHOLDER = "XIAOAN-RAW-TOKEN-PLACEHOLDER"


class _Dumper(yaml.SafeDumper):
    """Lists indented under their key, as dossiers are written (and as the editor finds
    at its first try)."""

    def increase_indent(self, flow: bool = False, indentless: bool = False):
        return super().increase_indent(flow, False)


class Raw(str):
    """A YAML token written into the file as is, unquoted."""


LEAVES = list(schema_leaves("dossier"))


def _by_schema(node: dict) -> st.SearchStrategy:
    """Values the field's own schema describes (enum, pattern, format, range, items)."""
    if "enum" in node:
        return st.sampled_from(node["enum"])
    kind = node.get("type")
    if kind == "array":
        return st.lists(_by_schema(schema.child(node, 0)), max_size=3)
    if kind == "boolean":
        return st.booleans()
    if kind == "integer":
        return st.integers(node.get("minimum"), node.get("maximum"))
    if kind == "number":
        return st.floats(node.get("minimum"), node.get("maximum"), allow_nan=False)
    if node.get("format") == "date":
        return st.dates(datetime.date(2000, 1, 1), AS_OF).map(datetime.date.isoformat)
    if "pattern" in node:
        return st.from_regex(node["pattern"], fullmatch=True)
    return st.text(max_size=node.get("maxLength", 40))


def _value(node: dict, hostile: bool) -> st.SearchStrategy:
    if not hostile:
        return st.one_of(_by_schema(node), st.sampled_from(HOSTILE_TEXT[6:]))
    return st.one_of(
        _by_schema(node),
        st.sampled_from(HOSTILE_TEXT),
        st.sampled_from(HOSTILE_NUMBERS),
        st.sampled_from(RAW_TOKENS).map(Raw),
        st.text(),
    )


@st.composite
def fields(draw, hostile: bool = True) -> tuple[tuple, object]:
    """(path, value): a field of the schema and what to put there; ``hostile=False`` draws
    what the schema allows and hostile text that is still valid text (most get built)."""
    path, node = draw(st.sampled_from(LEAVES))
    return path, draw(_value(node, hostile))


def dossier_text(path: tuple, value: object) -> str:
    """The canary dossier with ``value`` at ``path`` (in every list item on the way)."""
    data = copy.deepcopy(BASE)
    _fill(data, path, (), PLACEHOLDER if isinstance(value, Raw) else value)
    text = yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000)
    return text.replace(PLACEHOLDER, value) if isinstance(value, Raw) else text


def _thorough() -> bool:
    """``make test-thorough`` (XIAOAN_THOROUGH=1): ten times as many examples."""
    return os.environ.get("XIAOAN_THOROUGH") == "1"


def _examples(request, default: int, slow: int) -> int:
    return slow if _thorough() else default


def _refused(findings: list[Finding], file: str = FILE) -> bool:
    errors = [f for f in findings if f.severity == "error"]
    for f in errors:
        assert isinstance(f, Finding) and f.file.endswith(file) and CJK.search(f.message), f
    return bool(errors)


def _public_text(value) -> list[str]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _public_text(v)]
    if isinstance(value, list):
        return [t for v in value for t in _public_text(v)]
    return [value] if isinstance(value, str) else []


def _check_one(path: tuple, value: object, tmp: Path, heavy: bool = True) -> str:
    """Drive one dossier through everything; return how it ended (for the statistics).
    ``heavy``: also the workbook round trip and the edit command (a tenth of a second each)."""
    text = dossier_text(path, value)
    try:
        doc = parse(text, FILE)
    except LoadError as exc:
        assert _refused([exc.finding]) and exc.finding.line is not None
        return "refused by the loader"
    if _refused(validate_document(doc) or check_dossier(doc, AS_OF)):
        return "refused by the validator"
    data = doc.data
    result = evaluate_school(doc, Context(AS_OF, RULES))

    public = schema.public_view(data)
    api = json.dumps(public, ensure_ascii=False, allow_nan=False)  # a bare NaN breaks JSON.parse
    assert not [c for c in PRIVATE if c in api.encode()]
    if isinstance(value, str) and not isinstance(value, Raw) and schema.is_public(path) and value:
        assert unicodedata.normalize("NFC", value) in _public_text(public)  # shown as typed

    feed = school_feed(doc, result, AS_OF, RULES)
    assert not CALENDAR_FORBIDDEN.search(feed.replace(b"\r\n", b"").replace(b"\t", b""))
    assert not [c for c in PRIVATE if c in feed]

    for written in write_csv(tmp / "csv", ledger_tables(data, public=True)):
        with written.open(encoding="utf-8-sig", newline="") as fh:
            for cell in (c for row in csv.reader(fh) for c in row):
                assert not [c for c in CANARIES.values if c in cell]

    if not heavy:
        return "accepted"
    book = write_workbook(tmp / "台账.xlsx", ledger_sheets(data))
    try:
        again, _ = read_ledger(book)
    except LedgerError as exc:
        raise AssertionError(f"an accepted dossier's own workbook is refused: {exc}") from None
    assert again == data

    dossier = tmp / "records" / "ceshi" / "cs-canary-xiaoxue.yaml"
    dossier.write_text(text, encoding="utf-8")
    try:
        add_drill(
            dossier, {"date": AS_OF, "kind": "消防疏散", "scope": "全校",
                      "participants": 100},
            records=tmp / "records", today=AS_OF,
        )  # fmt: skip
    except EditError as exc:
        assert CJK.search(str(exc)) and all(_refused([f], FILE) for f in exc.findings)
        return "accepted; the edit refused"
    return "accepted"


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("properties")
    (root / "records" / "ceshi").mkdir(parents=True)
    (root / "records" / "ceshi" / "_district.yaml").write_text(DISTRICT, encoding="utf-8")
    return root


def test_every_field_of_the_schema_is_drawn():
    assert len(LEAVES) >= 150
    assert {p[0] for p, _ in LEAVES} >= {"profile", "hazards", "drills", "devices", "police"}


@pytest.mark.slow  # runs in make test; make test-thorough draws ten times as many
def test_a_dossier_from_the_schema_is_accepted_as_typed_or_refused_with_a_finding(
    request, workdir
):
    seen: dict[str, int] = {}
    slow = _thorough()

    @settings(
        max_examples=_examples(request, 200, 2000), deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )  # fmt: skip
    @given(fields())
    def run(field):
        heavy = slow or sum(seen.values()) % 4 == 0  # the default run: every fourth example
        how = _check_one(*field, workdir, heavy)
        seen[how] = seen.get(how, 0) + 1

    run()
    assert seen.get("accepted", 0) >= 20 and seen.get("refused by the loader", 0) >= 5, seen
    assert seen.get("refused by the validator", 0) >= 20, seen


@pytest.mark.slow
def test_a_site_built_from_drawn_dossiers_shows_them_and_nothing_private(
    request, tmp_path_factory
):
    """The real build (mkdocs, Pagefind) of a one-school tree: refused with findings, or
    built with no canary in any file, search fragments and workbooks included."""
    built = []

    @settings(
        max_examples=_examples(request, 3, 25), deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                               HealthCheck.function_scoped_fixture],
    )  # fmt: skip
    @example((("profile", "address"), '<script>alert(1)</script>"><img src=x onerror=1>'))
    @given(fields(hostile=False))
    def run(field):
        text = dossier_text(*field)
        root = tmp_path_factory.mktemp("site")
        records = root / "records" / "ceshi"
        records.mkdir(parents=True)
        (records / "_district.yaml").write_text(DISTRICT, encoding="utf-8")
        (records / "cs-canary-xiaoxue.yaml").write_text(text, encoding="utf-8")
        try:
            build(root / "records", root / "site", AS_OF)
        except BuildFailed as exc:
            assert exc.findings and all(CJK.search(f.message) for f in exc.findings)
            return
        leaks = [
            (str(p), c.decode()) for p, raw in _contents(root / "site") for c in PRIVATE if c in raw
        ]
        assert leaks == []
        path, value = field
        if isinstance(value, str) and value and schema.is_public(path):  # shown as typed
            api = json.loads((root / "site/api/schools/cs-canary-xiaoxue.json").read_text("utf-8"))
            assert unicodedata.normalize("NFC", value) in _public_text(api)
        built.append(field)
        shutil.rmtree(root)

    run()
    assert built  # the explicit example at least


# ---------------------------------------------------------------------------------------------
# A school's result holds on every day of its window


DATE_LEAVES = [path for path, node in LEAVES if node.get("format") == "date"]
RULE_SET_NAMES = ("national", "jizhou", "longhua", "plan-001", "plan-002", "plan-003")


@functools.lru_cache(maxsize=64)
def _synth_schools(seed: int) -> tuple[dict, ...]:
    """The dossiers of a small synthetic tree (every stage, every mix of problems)."""
    return tuple(data for rel, data in generate(24, seed) if not rel.endswith(DISTRICT_FILE))


def _set_date(data: dict, path: tuple, value: str, pick: int) -> None:
    """``value`` at ``path`` where the dossier has that place (list items chosen by ``pick``);
    nothing where it has not: the dossier stays as its generator made it."""
    node = data
    for key in path[:-1]:
        if key == 0:
            if not isinstance(node, list) or not node:
                return
            node = node[pick % len(node)]
        elif isinstance(node, dict) and key in node:
            node = node[key]
        else:
            return
    if isinstance(node, dict):
        node[path[-1]] = value


@st.composite
def dated_schools(draw) -> tuple[dict, datetime.date, str]:
    """A synthetic dossier, some of its dates moved near the day of evaluation, that day, and
    a rule set."""
    schools = _synth_schools(draw(st.integers(0, 7)))
    data = copy.deepcopy(draw(st.sampled_from(schools)))
    as_of = REF + datetime.timedelta(days=draw(st.integers(-400, 400)))
    for path in draw(st.lists(st.sampled_from(DATE_LEAVES), max_size=4)):
        day = as_of + datetime.timedelta(days=draw(st.integers(-120, 120)))
        _set_date(data, path, day.isoformat(), draw(st.integers(0, 9)))
    return data, as_of, draw(st.sampled_from(RULE_SET_NAMES))


def _outcome(result) -> dict:
    """Everything a school's evaluation says, but the window itself."""
    out = result.as_dict()
    del out["valid_from"], out["next_change"]
    return {**out, "rate_parts": result.rate_parts}


def test_a_school_result_holds_on_every_day_of_its_window(request):
    """Evaluated on any day from ``valid_from`` to the day before ``next_change``, a school
    comes out exactly as on ``as_of``: findings (messages, statuses, due dates), categories,
    status, counts and rate shares."""
    seen = {"bounded": 0, "changes": 0}

    @settings(
        max_examples=_examples(request, 150, 1500), deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )  # fmt: skip
    @given(dated_schools(), st.data())
    def run(school, data):
        dossier, as_of, rule_set = school
        rules = load_rule_set(rule_set)
        doc = Document(FILE, dossier)
        result = evaluate_school(doc, Context(as_of, rules))
        start = result.valid_from or as_of - datetime.timedelta(days=1000)
        end = result.next_change or as_of + datetime.timedelta(days=1000)
        assert start <= as_of < end
        seen["bounded"] += result.next_change is not None
        days = [start, end - datetime.timedelta(days=1)]
        days.append(data.draw(st.dates(start, end - datetime.timedelta(days=1)), label="day"))
        expected = _outcome(result)
        for day in days:
            assert _outcome(evaluate_school(doc, Context(day, rules))) == expected, day
        if result.next_change is not None:
            later = _outcome(evaluate_school(doc, Context(result.next_change, rules)))
            seen["changes"] += later != expected

    run()
    assert seen["bounded"] >= 100 and seen["changes"] >= 50, seen
