"""The web editor at ``/admin/``: Decap CMS configured from the JSON schema.

* :func:`editor_config` — Decap's ``config.yml`` as a dict, made from
  ``schema/dossier.schema.json``: one widget per property, its Chinese label and hint from
  ``title`` and ``description``, and one folder collection per district under ``records/``.
* :func:`write_admin` — the ``admin/`` folder of the built site: the page, the config, the
  schema, Decap's files copied from ``node_modules`` (nothing comes from a CDN at run time)
  and the glue script (``site/admin/editor.js``, bundled with esbuild) that reads and writes
  dossiers as YAML and validates the whole entry with ajv before every save.

Decap reads only the widgets' own checks; the schema's conditions (``if``/``then``), length
limits and everything inside lists are checked by the glue script against the same schema
that ``xiaoan validate`` uses.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import yaml

from generator import ROOT
from generator.core import schema as schemas
from generator.core.load import LoadError, UsageError, load

BACKENDS = ("github", "gitea", "local")
FORMAT = "xiaoan-yaml"
"""The YAML format the glue script registers: YAML 1.1 quoting, as PyYAML reads it."""
DATE_WIDGET = "xiaoan-date"
"""The glue script's date field: the browser's date picker, the date in Chinese beside it."""

PROXY_URL = "http://localhost:8081/api/v1"
ADMIN_SOURCES = ROOT / "site" / "admin"
NODE_MODULES = ROOT.parent / "node_modules"
DECAP_DIST = ("decap-cms", "dist")

COMMIT_MESSAGES = {
    "create": "新建{{collection}} {{slug}}",
    "update": "修改{{collection}} {{slug}}",
    "delete": "删除{{collection}} {{slug}}",
    "uploadMedia": "上传文件 {{path}}",
    "deleteMedia": "删除文件 {{path}}",
}
"""Decap's own commit messages: 修改学校档案 cg-diyi-xiaoxue. The glue script replaces them for
every save of a dossier with one that says what changed (editor.js ``subject``); these remain
for what it does not make (uploading a file)."""

TEXT_AREA_FROM = 200
"""Strings that may be longer than this many characters get a multi-line text box."""


class EditorError(Exception):
    """The editor cannot be configured or written; the message says why, in Chinese."""


# ---------------------------------------------------------------------------------------------
# Fields from the schema


def _pattern_message(node: dict, kind: str) -> str:
    """What a value must look like, in the words of the part that sets the pattern (a ``$ref``
    target's own description, e.g. 电话号码,例如 …), as ``xiaoan validate`` says it."""
    while "pattern" not in node and "$ref" in node:
        node = schemas.resolve({"$ref": node["$ref"]}, kind)
    rule = node.get("description") or f"符合 {node['pattern']}"
    return f"格式不对,应为:{rule}"


def _when(node: dict, kind: str) -> dict[str, list[str]]:
    """``{property: [conditions]}`` for the properties of ``node`` that its ``if``/``then``
    rules make required: 验收人 → ["状态为“已销号”"]. The form says so in the field's hint,
    where Decap would only say (可选)."""
    out: dict[str, list[str]] = {}
    props = node.get("properties", {})
    for rule in node.get("allOf", []):
        said = []
        for key, test in rule.get("if", {}).get("properties", {}).items():
            values = [test["const"]] if "const" in test else test.get("enum", [])
            shown = "或".join(
                ("“是”" if v else "“否”") if isinstance(v, bool) else f"“{v}”" for v in values
            )
            title = schemas.resolve(props.get(key, {}), kind).get("title", key)
            said.append(f"{title}为{shown}")
        for name in rule.get("then", {}).get("required", []):
            out.setdefault(name, []).append("且".join(said))
    return out


def field(name: str, node: dict, required: bool, kind: str = "dossier") -> dict:
    """The Decap field for property ``name`` described by schema ``node``.

    ``required`` says whether Decap itself should insist on a value. Conditions the widgets
    cannot express are left to the glue script's full validation before saving.
    """
    written, node = node, schemas.resolve(node, kind)
    out: dict[str, Any] = {"name": name, "label": node.get("title", name)}
    if node.get("description"):
        out["hint"] = node["description"]
    if not required:
        out["required"] = False
    kind_of = node.get("type")
    if "const" in node:
        out.update(widget="hidden", default=node["const"])
    elif "enum" in node:
        out.update(widget="select", options=list(node["enum"]))
    elif kind_of == "boolean":
        out["widget"] = "boolean"
        if required:
            out["default"] = False  # a toggle shows 否 until switched: the value it shows
    elif kind_of in ("integer", "number"):
        out.update(widget="number", value_type="int" if kind_of == "integer" else "float")
        if kind_of == "integer":
            out["step"] = 1
        if "minimum" in node:
            out["min"] = node["minimum"]
        if "maximum" in node:
            out["max"] = node["maximum"]
    elif kind_of == "string" and node.get("format") == "date":
        out["widget"] = DATE_WIDGET  # writes YYYY-MM-DD; Decap's datetime shows 08/28/2026
    elif kind_of == "string":
        long = node.get("maxLength", 0) > TEXT_AREA_FROM
        out["widget"] = "text" if long else "string"
        if "pattern" in node:
            out["pattern"] = [node["pattern"], _pattern_message(written, kind)]
    elif kind_of == "object":
        out.update(widget="object", fields=fields(node, required, kind))
    elif kind_of == "array":
        out.update(_list(node, kind))
    else:
        raise EditorError(f"档案格式中的字段 {name} 没有可用的编辑控件(类型 {kind_of!r})")
    return out


def fields(node: dict, present: bool = True, kind: str = "dossier") -> list[dict]:
    """The fields of an object, in the schema's order.

    A required property is required in the form only where its object is sure to exist
    (``present``): inside an optional object Decap would insist on it even when the whole
    object is left out, so there the glue script's validation alone enforces it.
    """
    node = schemas.resolve(node, kind)
    required = set(node.get("required", ()))
    when = _when(node, kind)
    out = []
    for name, sub in node.get("properties", {}).items():
        made = field(name, sub, present and name in required, kind)
        if name in when and name not in required:
            rule = "时必填;".join(when[name]) + "时必填"
            made["hint"] = f"{rule}。" + made.get("hint", "")
        out.append(made)
    return out


def _list(node: dict, kind: str) -> dict:
    items = schemas.resolve(node.get("items", {}), kind)
    out: dict[str, Any] = {"widget": "list"}
    if "minItems" in node:
        out["min"] = node["minItems"]
    if items.get("type") == "object":
        out["label_singular"] = items.get("title", "项")
        # Collapsed and minimised: a list's items are not even drawn until it is opened,
        # which keeps a dossier with 150 hazards quick to open and to type in.
        out["collapsed"] = True
        out["minimize_collapsed"] = True
        inner = fields(items, True, kind)
        shown = _summary_fields(items, kind)
        if shown:
            out["summary"] = " · ".join(f"{{{{fields.{name}}}}}" for name in shown)
        out["fields"] = inner
    else:
        out["field"] = field("item", items, True, kind)
        out["field"]["label"] = items.get("title", "项")
    return out


def _summary_fields(items: dict, kind: str, limit: int = 3) -> list[str]:
    """What a collapsed list item shows: its first few required short values."""
    required = items.get("required", ())
    shown = []
    for name in required:
        sub = schemas.resolve(items["properties"][name], kind)
        if sub.get("type") in ("string", "integer", "number") and sub.get("maxLength", 0) <= 100:
            shown.append(name)
        if len(shown) == limit:
            break
    return shown


# ---------------------------------------------------------------------------------------------
# The whole config


def districts(records: Path) -> list[tuple[str, str]]:
    """``(folder name, Chinese name)`` of every district folder under ``records``, sorted."""
    if not records.is_dir():
        raise UsageError(f"找不到档案文件夹 {records}(可用 --records 指定)")
    found = []
    for folder in sorted(p for p in records.iterdir() if p.is_dir() and not p.name.startswith(".")):
        info = folder / "_district.yaml"
        name = folder.name
        if info.is_file():
            try:
                data = load(info).data
            except LoadError as exc:
                finding = exc.finding
                raise EditorError(
                    f"{finding.file} 第 {finding.line} 行:{finding.message}"
                ) from None
            if isinstance(data, dict) and isinstance(data.get("name"), str):
                name = data["name"]
        found.append((folder.name, name))
    if not found:
        raise EditorError(f"{records} 下没有区县文件夹(records/<区县编号>/)")
    return found


def _backend(
    backend: str, repo: str | None, branch: str, base_url: str | None, app_id: str | None
) -> dict:
    if backend not in BACKENDS:
        raise UsageError(f"不支持的后端 {backend},可选:{'、'.join(BACKENDS)}")
    if backend == "gitea":
        if not repo or not base_url:
            raise UsageError("gitea 后端需要 --repo(所有者/仓库名)和 --base-url(Gitea 的地址)")
        root = base_url.rstrip("/")
        out = {"name": "gitea", "repo": repo, "branch": branch, "base_url": root,
               "api_root": f"{root}/api/v1"}  # fmt: skip
        if app_id:
            out["app_id"] = app_id  # the OAuth2 application registered in Gitea (PKCE login)
        return out
    if backend == "github" and not repo:
        raise UsageError("github 后端需要 --repo(所有者/仓库名,例如 jiaoyuju/xiaoan-records)")
    out = {"name": "github", "repo": repo or "local/xiaoan", "branch": branch}
    if backend == "github" and base_url:
        out["base_url"] = base_url.rstrip("/")  # the OAuth server that hands out tokens
    return out


def dossier_form(kind: str = "dossier") -> list[dict]:
    """The editor's fields for a whole dossier, from the schema."""
    return fields(schemas.resolve(schemas.load_schema(kind), kind), True, kind)


def collection(
    district: str, label: str, folder: str, form: list[dict] | None = None,
    choices: list[tuple[str, str]] | None = None,
) -> dict:
    """The folder collection of one district's dossiers (``form``: :func:`dossier_form`;
    ``choices``: every district as :func:`districts` lists them, for the 所属区县 select)."""
    # A new dossier starts in this district: only the profile section differs between
    # districts, so the rest of the form is shared, not rebuilt for each of them.
    options = [{"label": f"{name}({key})", "value": key} for key, name in choices or []]
    select = {"widget": "select", "options": options} if options else {}
    form = [
        {**section, "fields": [
            {**{k: v for k, v in sub.items() if not (select and k == "pattern")}, **select,
             "default": district} if sub["name"] == "district" else sub
            for sub in section["fields"]
        ]} if section["name"] == "profile" else section
        for section in (form if form is not None else dossier_form())
    ]  # fmt: skip
    return {
        "name": district,
        "label": label,
        "label_singular": "学校档案",
        "description": f"{label}各学校的安全档案(一校一档),保存在 {folder}/ 中。",
        "folder": folder,
        "extension": "yaml",
        "format": FORMAT,
        # _district.yaml lies in the same folder: the format reads a file that is not a
        # dossier as an entry without schema_version, which this filter leaves out.
        "filter": {"field": "schema_version", "value": 1},
        "create": True,
        "delete": False,
        "identifier_field": "profile.name",
        "slug": "{{fields.profile.id}}",
        "summary": "{{fields.profile.name}}({{fields.profile.id}})",
        "fields": form,
    }


def editor_config(
    records: Path,
    backend: str = "github",
    repo: str | None = None,
    branch: str = "main",
    base_url: str | None = None,
    app_id: str | None = None,
    folder: str | None = None,
) -> dict:
    """Decap's configuration for the dossiers under ``records``.

    ``folder`` is where ``records`` stands in the repository (default: its path as given,
    which is right when run from the repository's top). With ``backend="local"`` the editor
    talks to decap-server (``base_url``, default :data:`PROXY_URL`) when opened on localhost.
    """
    records = Path(records)
    prefix = folder if folder is not None else _repo_path(records)
    config: dict[str, Any] = {"backend": _backend(backend, repo, branch, base_url, app_id)}
    config["backend"]["commit_messages"] = dict(COMMIT_MESSAGES)
    # Opened on localhost, the editor uses decap-server when one answers (make editor);
    # anywhere else Decap ignores this, so every config carries it.
    form = dossier_form()
    url = (base_url if backend == "local" else None) or PROXY_URL
    config["local_backend"] = True if url == PROXY_URL else {"url": url}
    if backend != "gitea":
        # Decap's gitea backend refuses the editorial workflow; there every save is a commit
        # on `branch`, which must therefore not be the protected main branch.
        config["publish_mode"] = "editorial_workflow"
    config.update(
        locale="zh_Hans",
        media_folder=f"{prefix}/_uploads" if prefix else "_uploads",
        show_preview_links=False,
        editor={"preview": False},
        slug={"encoding": "ascii", "clean_accents": False},
        collections=[
            collection(name, label, f"{prefix}/{name}" if prefix else name, form, found)
            for found in [districts(records)]
            for name, label in found
        ],
    )
    return config


def site_editor_config(records: Path, environ: dict | None = None) -> dict:
    """The config the site build puts in ``/admin/``, set by environment variables.

    ``XIAOAN_EDITOR_BACKEND`` (github, gitea or local), ``XIAOAN_EDITOR_REPO`` (else
    ``GITHUB_REPOSITORY``, which GitHub and Gitea Actions set), ``XIAOAN_EDITOR_BRANCH``
    (main), ``XIAOAN_EDITOR_BASE_URL`` and ``XIAOAN_EDITOR_APP_ID`` (gitea). Without a
    repository the editor works only with ``make editor`` (decap-server on this computer).
    """
    env = os.environ if environ is None else environ
    repo = env.get("XIAOAN_EDITOR_REPO") or env.get("GITHUB_REPOSITORY") or None
    backend = env.get("XIAOAN_EDITOR_BACKEND") or ("github" if repo else "local")
    try:
        folder = _repo_path(Path(records))
    except UsageError:  # records elsewhere (a test's tmp folder): name it as the repository does
        folder = Path(records).name
    return editor_config(
        records,
        backend=backend,
        repo=repo,
        branch=env.get("XIAOAN_EDITOR_BRANCH") or "main",
        base_url=env.get("XIAOAN_EDITOR_BASE_URL") or None,
        app_id=env.get("XIAOAN_EDITOR_APP_ID") or None,
        folder=folder,
    )


def _repo_path(records: Path) -> str:
    if records.is_absolute():
        try:
            records = records.relative_to(Path.cwd())
        except ValueError:
            raise UsageError(
                f"{records} 不在当前文件夹内:请在档案仓库的顶层运行,或给出相对路径"
            ) from None
    text = records.as_posix().strip("/")
    return "" if text == "." else text


def dump_config(config: dict) -> str:
    """``config.yml`` text: keys in order, Chinese as is; the same config gives the same text."""
    head = "# 由 xiaoan editor-config 从 schema/dossier.schema.json 生成,请勿手改。\n"
    return head + yaml.safe_dump(config, allow_unicode=True, sort_keys=False, width=1000)


# ---------------------------------------------------------------------------------------------
# The admin/ folder of the built site


def _decap_files(node_modules: Path) -> list[Path]:
    """Decap's browser files: the bundle, its lazily loaded chunks and wasm; no source maps."""
    dist = node_modules.joinpath(*DECAP_DIST)
    return sorted(
        p
        for p in dist.iterdir()
        if p.is_file()
        and (p.name.startswith("decap-cms.js") or p.name.endswith((".decap-cms.js", ".wasm")))
        and not p.name.endswith(".map")
    )


def bundle_glue(node_modules: Path, out_file: Path) -> None:
    """Bundle ``site/admin/editor.js`` with ajv and yaml into one browser script."""
    esbuild = node_modules / ".bin" / "esbuild"
    if not esbuild.exists():
        raise EditorError(f"找不到 {esbuild}:请在仓库顶层运行 npm ci")
    done = subprocess.run(
        [str(esbuild), str(ADMIN_SOURCES / "editor.js"), "--bundle", "--format=iife",
         "--target=es2020", "--minify", "--charset=utf8", "--log-level=warning",
         f"--outfile={out_file}"],
        cwd=node_modules.parent, capture_output=True, text=True, encoding="utf-8",
        env={**os.environ, "NODE_PATH": str(node_modules)},
    )  # fmt: skip
    if done.returncode != 0:
        raise EditorError(f"打包编辑器脚本失败(esbuild):\n{done.stderr.strip()}")


def write_admin(out_dir: Path, config: dict, node_modules: Path | None = None) -> bool:
    """Write ``out_dir/admin/``; return whether the editor itself is there.

    Without ``node_modules`` (``npm ci`` not run) the folder holds a Chinese page saying
    so, and the rest of the build is unaffected. The folder is assembled aside and moved
    into place whole, so a failure never leaves half an editor behind.
    """
    node_modules = NODE_MODULES if node_modules is None else Path(node_modules)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "admin"
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".admin-") as tmp:
        staging = Path(tmp) / "admin"
        staging.mkdir()
        ready = node_modules.joinpath(*DECAP_DIST, "decap-cms.js").is_file()
        if ready:
            for source in _decap_files(node_modules):
                shutil.copy2(source, staging / source.name)
            bundle_glue(node_modules, staging / "xiaoan-editor.js")
            shutil.copy2(ADMIN_SOURCES / "index.html", staging / "index.html")
            (staging / "config.yml").write_text(dump_config(config), encoding="utf-8")
            (staging / "dossier.schema.json").write_text(
                json.dumps(schemas.load_schema("dossier"), ensure_ascii=False, indent=1),
                encoding="utf-8",
            )
        else:
            shutil.copy2(ADMIN_SOURCES / "missing.html", staging / "index.html")
        if target.exists():
            shutil.rmtree(target)
        staging.rename(target)
    return ready
