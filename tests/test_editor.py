"""Tests for generator/authoring/editor.py: Decap's config made from the schema, and the /admin/ folder.

The glue script (generator/site/admin/editor.js) is tested here too, under node, on the real
sample records: it is bundled with the real esbuild from node_modules (``npm ci``).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import REPO, VALID

from generator.authoring import editor
from generator.core import schema as schemas
from generator.core.load import UsageError, parse
from generator.workflow import compare

XIAOAN = Path(sys.executable).parent / "xiaoan"
NODE_MODULES = REPO / "node_modules"
SAMPLE = REPO / "records"


def require_node_modules() -> None:
    """Skip when `npm ci` has not run, or fail where the editor must be tested (CI)."""
    if (NODE_MODULES / "decap-cms").is_dir() and shutil.which("node"):
        return
    message = "node 或 node_modules 缺失:请在仓库顶层运行 npm ci(make npm)"
    if os.environ.get("XIAOAN_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture
def config(records: Path, monkeypatch) -> dict:
    monkeypatch.chdir(records.parent)
    return editor.editor_config(Path("records"), backend="local")


def fields_by_name(fields: list[dict]) -> dict[str, dict]:
    return {f["name"]: f for f in fields}


# ---------------------------------------------------------------------------------------------
# Every property of the schema has its widget, at its place


def check_widget(node: dict, field: dict, where: str) -> None:
    """``field`` is the right widget for schema ``node``; recurse into objects and lists."""
    node = schemas.resolve(node)
    assert field["label"] == node["title"], where
    # a field some condition makes required says so first (验收人: 状态为“已销号”时必填。…)
    assert (field.get("hint") or "").endswith(node.get("description", "")), where
    widget = field["widget"]
    if where.endswith("profile.district"):  # a choice of the districts under records/
        assert widget == "select" and [o["value"] for o in field["options"]], where
    elif "const" in node:
        assert (widget, field["default"]) == ("hidden", node["const"]), where
    elif "enum" in node:
        assert (widget, field["options"]) == ("select", node["enum"]), where
    elif node["type"] == "boolean":
        assert widget == "boolean", where
    elif node["type"] in ("integer", "number"):
        assert widget == "number", where
        assert field["value_type"] == ("int" if node["type"] == "integer" else "float"), where
        assert field.get("min") == node.get("minimum"), where
        assert field.get("max") == node.get("maximum"), where
    elif node["type"] == "string" and node.get("format") == "date":
        assert widget == editor.DATE_WIDGET, where  # the glue script's: writes YYYY-MM-DD
    elif node["type"] == "string":
        assert widget in ("string", "text"), where
        if "pattern" in node:
            assert field["pattern"][0] == node["pattern"], where
            assert field["pattern"][1].startswith("格式不对,应为:"), where
        else:
            assert "pattern" not in field, where
    elif node["type"] == "object":
        assert widget == "object", where
        check_object(node, field["fields"], where)
    elif node["type"] == "array":
        assert widget == "list", where
        items = schemas.resolve(node["items"])
        if items["type"] == "object":
            assert "field" not in field, where
            check_object(items, field["fields"], where + "[]")
        else:
            inner = dict(field["field"], label=items["title"], hint=items.get("description"))
            check_widget(items, inner, where + "[]")
    else:
        raise AssertionError(f"{where}: no rule for {node}")


def check_object(node: dict, fields: list[dict], where: str) -> None:
    properties = node["properties"]
    assert [f["name"] for f in fields] == list(properties), f"{where}: fields in schema order"
    for name, sub in properties.items():
        check_widget(sub, fields_by_name(fields)[name], f"{where}.{name}")


def test_every_property_has_its_widget_in_every_collection(config):
    root = schemas.resolve(schemas.load_schema("dossier"))
    assert [c["name"] for c in config["collections"]] == ["chengguan", "qiaobei"]
    for collection in config["collections"]:
        check_object(root, collection["fields"], collection["name"])


def count_properties(node: dict) -> int:
    node = schemas.resolve(node)
    if node.get("type") == "object":
        return sum(1 + count_properties(sub) for sub in node.get("properties", {}).values())
    if node.get("type") == "array":
        return count_properties(node["items"])
    return 0


def count_fields(fields: list[dict]) -> int:
    total = 0
    for f in fields:
        total += 1 + count_fields(f.get("fields", []))
    return total


def test_the_walk_sees_every_property(config):
    # the same number of fields as properties: nothing dropped, nothing invented
    root = schemas.load_schema("dossier")
    assert count_fields(config["collections"][0]["fields"]) == count_properties(root) > 150


def test_required_follows_the_schema(config):
    fields = fields_by_name(config["collections"][0]["fields"])
    profile = fields_by_name(fields["profile"]["fields"])
    assert "required" not in profile["name"]  # required
    assert profile["principal"]["required"] is False  # optional
    hazard = fields_by_name(fields["hazards"]["fields"])
    assert "required" not in hazard["status"]
    assert (
        hazard["deadline"]["required"] is False
    )  # required only by a condition: the glue checks it
    # inside an optional object a required field is left to the glue: Decap would insist on it
    # even when the whole object is left out
    funds = fields_by_name(hazard["funds"]["fields"])
    assert hazard["funds"]["required"] is False
    assert funds["amount"]["required"] is False
    drill = fields_by_name(fields["drills"]["fields"])
    assert [n for n, f in drill.items() if f.get("required") is not False] == [
        "date", "kind", "scope", "participants"
    ]  # fmt: skip


def test_collection_per_district_with_dossier_settings(config):
    first = config["collections"][0]
    assert first["label"] == "城关区"
    assert first["folder"] == "records/chengguan"
    assert (first["extension"], first["format"]) == ("yaml", editor.FORMAT)
    assert first["filter"] == {"field": "schema_version", "value": 1}
    assert first["identifier_field"] == "profile.name"
    assert first["slug"] == "{{fields.profile.id}}"
    assert (first["create"], first["delete"]) == (True, False)
    profile = fields_by_name(fields_by_name(first["fields"])["profile"]["fields"])
    assert profile["district"]["default"] == "chengguan"
    second = fields_by_name(config["collections"][1]["fields"])
    assert fields_by_name(second["profile"]["fields"])["district"]["default"] == "qiaobei"
    assert config["publish_mode"] == "editorial_workflow"
    assert config["locale"] == "zh_Hans"
    assert config["local_backend"] is True
    assert config["editor"] == {"preview": False}


def test_time_of_day_is_text_with_its_pattern(config):
    police = fields_by_name(fields_by_name(config["collections"][0]["fields"])["police"]["fields"])
    start = fields_by_name(police["escort_posts"]["fields"])["start"]
    assert start["widget"] == "string"
    assert start["pattern"][0] == "^([01][0-9]|2[0-3]):[0-5][0-9]$"


def test_pattern_message_uses_the_words_of_the_definition(config):
    profile = fields_by_name(
        fields_by_name(config["collections"][0]["fields"])["profile"]["fields"]
    )
    phone = profile["office_phone"]
    assert phone["hint"] == "学校对外公开的办公电话。"
    assert (
        phone["pattern"][1]
        == "格式不对,应为:" + schemas.load_schema()["$defs"]["phone"]["description"]
    )


def test_long_lists_are_not_drawn_until_opened(config):
    hazards = fields_by_name(config["collections"][0]["fields"])["hazards"]
    assert hazards["collapsed"] is True and hazards["minimize_collapsed"] is True
    assert hazards["summary"] == "{{fields.id}} · {{fields.found}} · {{fields.source}}"


def test_output_is_deterministic(records, monkeypatch):
    monkeypatch.chdir(records.parent)
    first = editor.dump_config(editor.editor_config(Path("records"), "github", "jyj/records"))
    second = editor.dump_config(editor.editor_config(Path("records"), "github", "jyj/records"))
    assert first == second
    assert yaml.safe_load(first)["backend"]["repo"] == "jyj/records"


def test_backends(records, monkeypatch):
    monkeypatch.chdir(records.parent)
    github = editor.editor_config(
        Path("records"), "github", "jyj/records", "main", "https://auth.example.org/"
    )
    assert github["backend"]["name"] == "github"
    assert github["backend"]["base_url"] == "https://auth.example.org"
    assert github["backend"]["commit_messages"]["update"] == "修改{{collection}} {{slug}}"
    gitea = editor.editor_config(
        Path("records"), "gitea", "jyj/records", "editor", "https://git.example.org/", "abc123"
    )
    assert gitea["backend"] == {
        "name": "gitea", "repo": "jyj/records", "branch": "editor",
        "base_url": "https://git.example.org", "api_root": "https://git.example.org/api/v1",
        "app_id": "abc123", "commit_messages": editor.COMMIT_MESSAGES,
    }  # fmt: skip
    assert "publish_mode" not in gitea  # Decap's gitea backend refuses the editorial workflow
    local = editor.editor_config(Path("records"), "local", base_url="http://127.0.0.1:9000/api/v1")
    assert local["local_backend"] == {"url": "http://127.0.0.1:9000/api/v1"}
    with pytest.raises(UsageError, match="github 后端需要 --repo"):
        editor.editor_config(Path("records"), "github")
    with pytest.raises(UsageError, match="gitea 后端需要"):
        editor.editor_config(Path("records"), "gitea", "jyj/records")


def test_site_config_from_the_environment(records, monkeypatch):
    monkeypatch.chdir(records.parent)
    built = editor.site_editor_config(Path("records"), {"GITHUB_REPOSITORY": "jyj/records"})
    assert (built["backend"]["name"], built["backend"]["repo"]) == ("github", "jyj/records")
    alone = editor.site_editor_config(Path("records"), {})
    assert alone["backend"]["repo"] == "local/xiaoan" and alone["local_backend"] is True


def test_a_bad_district_file_is_a_clear_error(records, monkeypatch):
    monkeypatch.chdir(records.parent)
    (records / "chengguan" / "_district.yaml").write_text("name: [城关区\n", encoding="utf-8")
    with pytest.raises(editor.EditorError, match="_district.yaml"):
        editor.editor_config(Path("records"), "local")


# ---------------------------------------------------------------------------------------------
# The command


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(XIAOAN), *args], cwd=cwd, capture_output=True, text=True, encoding="utf-8", timeout=120
    )


def test_cli_prints_the_config(records):
    done = run("editor-config", "--backend", "local", cwd=records.parent)
    assert done.returncode == 0, done.stderr
    assert done.stdout == editor.dump_config(yaml.safe_load(done.stdout))
    assert yaml.safe_load(done.stdout)["collections"][0]["folder"] == "records/chengguan"


def test_cli_writes_a_file_and_warns_about_gitea(records, tmp_path):
    out = tmp_path / "out" / "config.yml"
    done = run("editor-config", "--backend", "gitea", "--repo", "jyj/records", "--base-url",
               "https://git.example.org", "--branch", "editor", "--out", str(out),
               cwd=records.parent)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "不支持编辑工作流" in done.stderr
    assert yaml.safe_load(out.read_text(encoding="utf-8"))["backend"]["name"] == "gitea"


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (("--backend", "github"), 2, "github 后端需要 --repo"),
        (("--backend", "svn"), 2, "不是可选的值"),
        (("--records", "nowhere", "--backend", "local"), 2, "找不到档案文件夹"),
    ],
)
def test_cli_refuses_in_chinese(records, args, code, words):
    done = run("editor-config", *args, cwd=records.parent)
    assert done.returncode == code
    assert words in done.stderr
    assert "Traceback" not in done.stderr


def test_cli_bad_district_file_exits_1(records):
    (records / "qiaobei" / "_district.yaml").write_text("name: [x\n", encoding="utf-8")
    done = run("editor-config", "--backend", "local", cwd=records.parent)
    assert done.returncode == 1
    assert "qiaobei/_district.yaml" in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------------------------------------
# The /admin/ folder


def test_without_node_modules_admin_says_what_to_do(config, tmp_path):
    assert editor.write_admin(tmp_path / "site", config, node_modules=tmp_path / "none") is False
    page = (tmp_path / "site" / "admin" / "index.html").read_text(encoding="utf-8")
    assert "npm ci" in page and "网页编辑器尚未安装" in page
    assert sorted(p.name for p in (tmp_path / "site" / "admin").iterdir()) == ["index.html"]


def test_admin_is_served_from_the_site(config, tmp_path):
    require_node_modules()
    site = tmp_path / "site"
    (site / "admin").mkdir(parents=True)
    (site / "admin" / "stale.js").write_text("old", encoding="utf-8")
    assert editor.write_admin(site, config) is True
    admin = site / "admin"
    names = {p.name for p in admin.iterdir()}
    assert {
        "index.html",
        "config.yml",
        "decap-cms.js",
        "xiaoan-editor.js",
        "dossier.schema.json",
    } <= names
    assert "stale.js" not in names and not any(n.endswith(".map") for n in names)
    assert not [p for p in site.iterdir() if p.name.startswith(".admin-")]  # no staging left
    page = (admin / "index.html").read_text(encoding="utf-8")
    assert "http" not in page  # every script and the config come from this folder
    assert yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8")) == config
    schema = json.loads((admin / "dossier.schema.json").read_text(encoding="utf-8"))
    assert schema == schemas.load_schema("dossier")


# ---------------------------------------------------------------------------------------------
# The glue script, under node

HARNESS = Path(__file__).with_name("editor_harness.cjs")


@pytest.fixture(scope="module")
def glue(tmp_path_factory) -> Path:
    require_node_modules()
    out = tmp_path_factory.mktemp("glue")
    bundle = out / "glue.cjs"
    subprocess.run(
        [str(NODE_MODULES / ".bin" / "esbuild"), str(editor.ADMIN_SOURCES / "editor.js"),
         "--bundle", "--format=cjs", "--platform=node", f"--outfile={bundle}",
         "--log-level=warning"],
        check=True, cwd=REPO,
    )  # fmt: skip
    return out


def run_glue(glue: Path, files: list[Path], pairs: Path | None = None) -> dict:
    done = subprocess.run(
        ["node", str(HARNESS)], capture_output=True, text=True, encoding="utf-8", timeout=120,
        env={**os.environ, "GLUE": str(glue / "glue.cjs"),
             "FILES": json.dumps([str(f) for f in files]),
             "SCHEMA": str(REPO / "schema" / "dossier.schema.json"),
             **({"PAIRS": str(pairs)} if pairs else {})},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_glue_keeps_every_sample_file_as_it_is(glue):
    files = sorted(SAMPLE.glob("*/*.yaml")) + sorted(VALID.glob("*.yaml"))
    results = run_glue(glue, files)
    for file in files:
        result = results[str(file)]
        if file.name == "_district.yaml":
            assert not result["isDossier"]  # left out of the collection by its filter
            continue
        text = file.read_text(encoding="utf-8")
        assert result["same"] == text, f"{file}: saving unchanged data rewrote the file"
        # adding a drill adds its lines and changes nothing else
        added = result["added"]
        before = parse(text, str(file)).data
        drill = {"date": "2026-11-20", "kind": "防踩踏", "scope": "全校", "participants": 1288}
        expected = {**before, "drills": [*before.get("drills", []), drill]}
        assert parse(added, str(file)).data == expected
        old_lines, new_lines = text.splitlines(), added.splitlines()
        assert len(new_lines) - len(old_lines) in (1, 4), file  # one flow line or four block lines
        assert all(line in new_lines for line in old_lines if line.strip() != "drills: []"), file


def test_glue_validates_like_xiaoan_validate(glue):
    school = SAMPLE / "chengguan" / "cg-diyi-xiaoxue.yaml"
    result = run_glue(glue, [school])[str(school)]
    assert result["problems"] == []
    # the harness adds a copy of the first hazard: an item with an id is named by it
    hid = parse(school.read_text(encoding="utf-8"), str(school)).data["hazards"][0]["id"]
    broken = result["broken"]
    assert f"隐患清单 {hid} › 整改期限:“2024-13-01”不是有效日期 (YYYY-MM-DD)" in broken
    assert f"隐患清单 {hid}:状态为“已销号”时必须填写“销号日期”" in broken
    drills = len(parse(school.read_text(encoding="utf-8"), str(school)).data["drills"]) + 1
    assert f"应急演练 第{drills}项 › 参加人数:不能小于 1(现为 0)" in broken
    # the organiser left empty is a form's leftover: removed before saving, not an error
    assert ["drills", drills - 1, "organiser"] in result["empties"]
    assert not [line for line in broken if "组织人" in line]


def changes(data: dict) -> list[dict]:
    """Edits a safety officer makes to ``data``, each as the whole dossier after it."""
    drill = {"date": "2026-11-21", "kind": "防踩踏", "scope": "全校", "participants": 1288}
    out = []

    def edited(edit) -> None:
        new = copy.deepcopy(data)
        edit(new)
        out.append(new)

    def close_first(d: dict) -> None:
        for h in d.get("hazards", []):
            if h["status"] != "已销号":
                h |= {"status": "已销号", "closed": "2026-11-21", "verifier": "王振东"}
                return

    def many(d: dict) -> None:
        close_first(d)
        d["drills"] = [*d.get("drills", []), drill, {**drill, "kind": "消防疏散"}, drill]
        d["profile"]["office_phone"] = "0571-88886666"
        d["profile"]["students"] = d["profile"].get("students", 0) + 1
        d["emergency_supplies"] = {**d.get("emergency_supplies", {}), "checked": "2026-11-21"}
        d["hazards"] = d.get("hazards", [])[1:]

    edited(lambda d: d.setdefault("drills", []).append(drill))
    edited(close_first)
    edited(lambda d: d["profile"].update(office_phone="0571-88886666"))
    edited(lambda d: d["profile"].pop("address", None))
    edited(lambda d: d.update(drills=d.get("drills", [])[:-1]))
    edited(lambda d: d.update(drills=[*d.get("drills", []), drill, drill]))  # the same label twice
    edited(lambda d: d.update(schema_version=2))
    edited(many)
    edited(lambda d: None)
    return out


def test_the_commit_message_says_what_changed_as_xiaoan_diff_does(glue, tmp_path):
    pairs = []
    for file in sorted(SAMPLE.glob("*/*.yaml")):
        if file.name == "_district.yaml":
            continue
        data = parse(file.read_text(encoding="utf-8"), str(file)).data
        pairs += [(data, new) for new in changes(data)] + [(None, data)]
    (tmp_path / "pairs.json").write_text(json.dumps(pairs, ensure_ascii=False), encoding="utf-8")
    said = run_glue(glue, [], tmp_path / "pairs.json")["subjects"]
    assert said == [compare.change_subject(old, new) for old, new in pairs]
    assert len(set(said)) > len(pairs) / 2  # the messages differ: they say what changed
    dier = parse((SAMPLE / "chengguan" / "cg-dier-zhongxue.yaml").read_text(encoding="utf-8"), "x")
    first, closing, *_, many, same = changes(dier.data)
    assert compare.change_subject(dier.data, first) == (
        "城关区第二中学:新增演练记录 2026-11-21 防踩踏"
    )
    assert compare.change_subject(dier.data, closing).startswith("城关区第二中学:隐患 H-")
    assert compare.change_subject(dier.data, closing).endswith(" 销号")
    assert compare.change_subject(dier.data, many).endswith(";删除隐患 H-2025-001 等 5 处修改")
    assert compare.change_subject(dier.data, same) == "城关区第二中学:调整格式(内容不变)"
    assert compare.change_subject(None, dier.data) == "城关区第二中学:新建学校档案"


def test_conditionally_required_fields_say_when_and_the_district_is_a_choice(config):
    (col, *_) = config["collections"]
    form = fields_by_name(col["fields"])
    hazard = fields_by_name(form["hazards"]["fields"])
    assert hazard["verifier"]["hint"].startswith("状态为“已销号”时必填。")
    assert hazard["funds"]["hint"].startswith("隐患等级为“重大”时必填。")
    assert "时必填" not in hazard["category"].get("hint", "")
    district = fields_by_name(form["profile"]["fields"])["district"]
    assert district["widget"] == "select" and "pattern" not in district
    assert [o["value"] for o in district["options"]] == [c["name"] for c in config["collections"]]
    assert district["default"] == col["name"]
