"""Tests for generator/core/load.py: safe YAML with source positions, and Chinese load errors."""

from __future__ import annotations

import pytest
import yaml
from conftest import BASE, INVALID, VALID

from generator.core.load import (
    MAX_DEPTH,
    LoadError,
    UsageError,
    _Loader,
    discover,
    load,
    parse,
)


def error(text: str) -> LoadError:
    with pytest.raises(LoadError) as caught:
        parse(text, "x.yaml")
    return caught.value


def test_values_and_positions():
    doc = parse("a: 1\nb:\n  - x\n  - 'y: z'\nc: 2024-02-29\n", "x.yaml")
    assert doc.data == {"a": 1, "b": ["x", "y: z"], "c": "2024-02-29"}  # dates stay text
    assert doc.positions[("b", 1)] == (4, 5)
    assert doc.key_positions[("c",)] == (5, 1)
    assert doc.locate(("b", 1)) == (4, 5)
    assert doc.locate(("b", 7, "deeper")) == (3, 3)  # nearest existing ancestor
    assert doc.locate(("c",), key=True) == (5, 1)
    assert doc.locate(("c",)) == (5, 4)


def test_raw_keeps_the_source_of_unquoted_non_text():
    doc = parse("a: no\nb: 1720\nc: 'no'\nd: 1.50\ne: ~\nf:\n", "x.yaml")
    assert doc.data == {"a": False, "b": 1720, "c": "no", "d": 1.5, "e": None, "f": None}
    assert doc.raw == {("a",): "no", ("b",): "1720", ("d",): "1.50", ("e",): "~", ("f",): ""}


@pytest.mark.parametrize(
    "raw", ["0777", "012", "-017", "0b101", "0x1F", "1_000", "17:20", "1_000.5", "190:20:30.15"]
)
def test_a_number_yaml_versions_read_differently_stays_the_text_typed(raw):
    """YAML 1.1 reads ``students: 0777`` as 511 and 17:20 as 1040; YAML 1.2 does not: the
    value is kept as typed (the schema refuses text in a number field, saying why)."""
    doc = parse(f"students: {raw}\n", "x.yaml")
    assert doc.data == {"students": raw}
    assert doc.raw == {("students",): raw}


@pytest.mark.parametrize(
    "raw",
    [".nan", ".NaN", ".inf", "-.inf", "+.INF", "1.0e+999", "9007199254740992", "-10" + "0" * 19],
)
def test_numbers_are_finite(raw):
    e = error(f"hours: {raw}\n")
    assert e.finding.code == "yaml.number" and raw in e.finding.message


@pytest.mark.parametrize(
    "raw", ['" "', "'\u3000'", '"\\ufeff"', '"\\x07"', '"a\\rb"', '"\\x85"', '"\\u2028"']
)
def test_text_is_not_blank_and_has_no_control_characters(raw):
    e = error(f"profile:\n  name: {raw}\n")
    assert (e.finding.line, e.finding.column) == (2, 9)
    assert e.finding.code in ("yaml.blank", "yaml.control-char")


def test_text_is_nfc_normalised():
    doc = parse("name: \"e\\u0301\"\nplain: 校安\n", "x.yaml")
    assert doc.data == {"name": "\u00e9", "plain": "校安"}


def test_positions_count_characters_not_bytes():
    doc = parse("名称: 城关区实验小学\n地址: 文昌路\n", "x.yaml")
    assert doc.positions[("地址",)] == (2, 5)


def test_control_character_is_placed_by_characters():
    # libyaml reports a byte offset; three bytes per Chinese character must not shift it
    e = error("a: 城关区文昌路\x07 18\n")
    assert (e.finding.line, e.finding.column, e.finding.code) == (1, 10, "yaml.control-char")
    assert "#x0007" in e.finding.message


@pytest.mark.parametrize(
    "text, line, column, code, fragment",
    [
        ("a: 1\n  b: 2\n", 2, 4, "yaml.syntax", "缩进不对"),
        ("a:\n\tb: 1\n", 2, 1, "yaml.tab", "Tab"),
        ('a: "x\nb: 1\nc: "d"\n', 1, 4, "yaml.syntax", "引号没有闭合"),
        ("a: 'x\nb: 1\n", 1, 4, "yaml.syntax", "引号没有闭合"),
        ("a: 1\n---\nb: 2\n", 2, 1, "yaml.syntax", "只能包含一份档案"),
        ("a: 1\na: 2\n", 2, 1, "yaml.duplicate-key", "第 1 行已有"),
        ("a: &x 1\nb: *x\n", 2, 4, "yaml.alias", "*x"),
        ("a: !!python/name:os.system x\n", 1, 4, "yaml.tag", "标签"),
        ("a: !custom x\n", 1, 4, "yaml.tag", "标签"),
        ("base: &b {x: 1}\nc:\n  <<: *b\n", 3, 3, "yaml.merge", "合并键"),
        ("1: x\n", 1, 1, "yaml.key", "数字"),
        ("yes: x\n", 1, 1, "yaml.key", "“yes”被 YAML 当作是/否(布尔值)"),
        ("? [a]\n: x\n", 1, 3, "yaml.key", "简单文字"),
        ("a: @x\n", 1, 4, "yaml.syntax", "加引号"),
        ("", 1, 1, "yaml.empty", "文件是空的"),
        ("# 只有注释\n", 1, 1, "yaml.empty", "文件是空的"),
    ],
)
def test_syntax_errors_are_placed_and_explained(text, line, column, code, fragment):
    finding = error(text).finding
    assert (finding.file, finding.line, finding.column, finding.code) == (
        "x.yaml",
        line,
        column,
        code,
    )
    assert fragment in finding.message


def test_nesting_is_limited():
    deep = "a: " + "[" * (MAX_DEPTH + 2) + "]" * (MAX_DEPTH + 2) + "\n"
    assert error(deep).finding.code == "yaml.too-deep"


def test_nesting_that_would_crash_the_composer_is_refused_first():
    """Some 20,000 levels (40 KB) overflow libyaml's recursive composer and kill the process:
    such a text is refused from the parser's events before it is composed. Run in another
    process, so that a crash fails this test instead of ending the run."""
    import subprocess
    import sys

    script = (
        "from generator.core.load import LoadError, parse\n"
        "for text in ['[' * 100_000, '- ' * 100_000 + 'x', '? ' * 100_000 + 'x']:\n"
        "    try:\n"
        "        parse(text, 'x.yaml')\n"
        "    except LoadError as exc:\n"
        "        f = exc.finding\n"
        "        print(f.code, f.line, f.column, f.message)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    message = f"嵌套超过 {MAX_DEPTH} 层,档案不应如此复杂"
    assert done.stdout.splitlines() == [
        f"yaml.too-deep 1 {MAX_DEPTH + 1} {message}",
        f"yaml.too-deep 1 {2 * MAX_DEPTH + 1} {message}",
        f"yaml.too-deep 1 {2 * MAX_DEPTH + 1} {message}",
    ]


def test_billion_laughs_is_refused_before_expanding():
    # expanded, the nine levels of nine aliases would make 10^9 strings and exhaust memory
    with pytest.raises(LoadError) as caught:
        load(INVALID / "yaml-billion-laughs.yaml")
    assert (caught.value.finding.line, caught.value.finding.code) == (3, "yaml.alias")


def test_encodings(tmp_path):
    text = BASE.read_text(encoding="utf-8")
    assert load(VALID / "cg-bom-zhongxue.yaml").data["profile"]["name"] == "城关区第二中学"
    for encoding, code in (
        ("utf-16", "file.encoding"),
        ("utf-16-be", "file.encoding"),
        ("gbk", "file.encoding"),
    ):
        path = tmp_path / f"{encoding}.yaml"
        data = text.encode(encoding)
        if encoding == "utf-16-be":
            data = b"\xfe\xff" + data
        path.write_bytes(data)
        with pytest.raises(LoadError) as caught:
            load(path, "f.yaml")
        assert caught.value.finding.code == code
        assert "UTF-8" in caught.value.finding.message


def test_gbk_error_points_at_the_first_bad_byte(tmp_path):
    path = tmp_path / "gbk.yaml"
    path.write_bytes("schema_version: 1\nprofile:\n  name: 城关\n".encode("gbk"))
    with pytest.raises(LoadError) as caught:
        load(path)
    assert (caught.value.finding.line, caught.value.finding.column) == (3, 9)


def test_huge_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.yaml"
    path.write_text(BASE.read_text(encoding="utf-8") + "# 填充\n" * 200_000, encoding="utf-8")
    assert path.stat().st_size > 1_000_000
    with pytest.raises(LoadError) as caught:
        load(path, "huge.yaml")
    assert caught.value.finding.code == "file.too-large"
    assert "超过上限 1.0 MB" in caught.value.finding.message
    # a lower limit applies to ordinary files too
    with pytest.raises(LoadError):
        load(BASE, max_bytes=1000)


def test_unreadable_file(tmp_path):
    with pytest.raises(LoadError) as caught:
        load(tmp_path / "missing.yaml", "missing.yaml")
    assert caught.value.finding.code == "file.unreadable"


def test_discover(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / ".git").mkdir()
    for name in ("a/x.yaml", "a/y.yml", "a/z.txt", ".git/h.yaml", "top.yaml"):
        (tmp_path / name).write_text("a: 1\n", encoding="utf-8")
    assert discover([tmp_path]) == [
        tmp_path / "a/x.yaml",
        tmp_path / "a/y.yml",
        tmp_path / "top.yaml",
    ]
    assert discover([tmp_path / "top.yaml", tmp_path]) == discover([tmp_path])  # unique
    with pytest.raises(UsageError, match="不是 YAML 文件"):
        discover([tmp_path / "a/z.txt"])
    with pytest.raises(UsageError, match="不存在"):
        discover([tmp_path / "nope"])


def test_a_file_is_named_as_given(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text("a: 1\n", encoding="utf-8")
    bad.write_text("a: [\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        load(bad, "bad.yaml")
    assert caught.value.finding.file == "bad.yaml"
    assert load(good, "good.yaml").data == {"a": 1} and load(good).file == str(good)


class _PyYAMLResolve(_Loader):
    """The loader with PyYAML's own tag resolution, to compare ours with."""

    resolve = yaml.resolver.BaseResolver.resolve


def _tags(node, seen=None):
    """The tree's tags and scalars; a node met again (an alias) only by its order."""
    seen = {} if seen is None else seen
    if id(node) in seen:
        return ("alias", seen[id(node)])
    seen[id(node)] = len(seen)
    if isinstance(node, yaml.ScalarNode):
        return (node.tag, node.value)
    if isinstance(node, yaml.SequenceNode):
        return (node.tag, [_tags(n, seen) for n in node.value])
    return (node.tag, [(_tags(k, seen), _tags(v, seen)) for k, v in node.value])


SCALARS = (
    "a: ''\nb:\nc: ~\nd: 1.5\ne: .inf\nf: 0x1F\ng: =\nh: Yes\ni: off\nj: 1_000\nk: -.5\n"
    "l: 0o17\nm: 2024-01-01\nn: '1'\no: \"true\"\np: !!str 3\nq: 1:20:30\nr: +12\ns: NULL\n"
)


@pytest.mark.parametrize(
    "path",
    [*sorted(VALID.glob("*.yaml")), *sorted(INVALID.glob("*.yaml")), None],
    ids=lambda p: p.name if p else "scalars",
)
def test_our_tag_resolution_is_pyyamls(path):
    text = (
        SCALARS if path is None else path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
    )
    try:
        ours = yaml.compose(text, Loader=_Loader)
    except yaml.YAMLError:
        with pytest.raises(yaml.YAMLError):
            yaml.compose(text, Loader=_PyYAMLResolve)
        return
    reference = yaml.compose(text, Loader=_PyYAMLResolve)
    assert (ours is None and reference is None) or _tags(ours) == _tags(reference)


def test_one_place_is_found_without_mapping_every_position(tmp_path):
    """A rule finding asks for one line: it is found by walking down to it, and agrees with
    the full map of positions for every value of every sample dossier."""
    from conftest import REPO

    checked = 0
    for path in sorted((REPO / "records").rglob("*.yaml"))[:6]:
        full, one = load(path), load(path)
        for where, at in full.positions.items():
            assert one.locate(where) == at, (path, where)
            checked += 1
        assert one._marks is None  # the full map was never built for it
    assert checked > 1000
    # nested values passed over on the way, in block and flow style
    text = "a:\n  x: {p: [1, {q: 2}], r: []}\n  b: [1, [2, [3]], {c: 4}]\n  d:\n    - - 5\n    - e: 6\n"
    for where, at in parse(text, "x.yaml").positions.items():
        assert parse(text, "x.yaml").locate(where) == at, where
    # a path that is not there: its nearest ancestor
    doc = parse("a:\n  b: [1, 2]\n", "x.yaml")
    assert doc.locate(("a", "b", 7)) == (2, 6)
    assert doc.locate(("a", "zz")) == (2, 3)


def test_a_document_travels_packed_and_unpacks_when_read():
    """Sent to another process (pickled), a document keeps its data as one bytes object
    until something reads ``data``: the site build's main process holds a city that way."""
    import pickle

    doc = load(BASE)
    copy = pickle.loads(pickle.dumps(doc))
    assert copy._packed is not None and copy.file == doc.file
    again = pickle.loads(pickle.dumps(copy))  # passed on still packed, not unpacked to pack
    assert again._packed == copy._packed
    assert copy.data == doc.data and copy._packed is None
    assert copy.locate(("profile", "name")) == doc.locate(("profile", "name"))


@pytest.mark.parametrize("now", ["", "# 只剩注释\n"])
def test_a_file_emptied_since_it_was_loaded_has_no_positions(tmp_path, now):
    """Positions come from the file again: one emptied meanwhile places a finding at the
    top of the file instead of failing."""
    path = tmp_path / "a.yaml"
    path.write_text("profile:\n  id: a\n", encoding="utf-8")
    doc = load(path, "a.yaml")
    path.write_text(now, encoding="utf-8")
    assert doc.locate(("profile", "id")) == (1, 1)
    assert doc.locate(("profile", "id"), key=True) == (1, 1)
    assert doc.positions == {}
