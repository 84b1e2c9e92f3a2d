"""The package's layout is the pipeline's: each stage imports only the stages before it, and no
module reaches for another's private names. Read from the source (ast), lazy imports included."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import generator

PACKAGE = generator.ROOT
ALLOWED = {
    "core": {"core"},
    "report": {"core", "report"},
    "exchange": {"core", "exchange"},
    "authoring": {"core", "exchange", "authoring"},
    "workflow": {"core", "report", "exchange", "workflow"},
    "site": {"core", "report", "exchange", "authoring", "workflow", "site"},
    "devtools": {"core", "report", "exchange", "authoring", "workflow", "site", "devtools"},
    "cli": {"core", "report", "exchange", "authoring", "workflow", "site", "devtools", "cli"},
}
"""Which groups each group may import; the package itself and __main__ may import any."""


def modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "_schema" not in p.parts)


def group_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else None


def imports(path: Path) -> list[tuple[str, list[str], int]]:
    """(module, names, line) of every import of generator.* in a file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("generator"):
            names = [a.name for a in node.names]
            found.append((node.module, names, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("generator"):
                    found.append((alias.name, [], node.lineno))
    return found


def name_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = rel.parts[:-1] if rel.name == "__init__" else rel.parts
    return ".".join(parts)


def violations(path: Path) -> list[str]:
    me = name_of(path)
    mine = group_of(me)
    out = []
    for module, names, line in imports(path):
        targets = [module] if module != "generator" else [f"generator.{n}" for n in names]
        for target in targets:
            theirs = group_of(target)
            if mine is not None and theirs is not None and theirs not in ALLOWED[mine]:
                out.append(f"{me}:{line} imports {target} ({mine} → {theirs})")
        if module != me:
            for n in names:
                if n.startswith("_") and not n.startswith("__"):
                    out.append(f"{me}:{line} imports the private name {module}.{n}")
    return out


def test_every_module_belongs_to_a_group():
    loose = [name_of(p) for p in modules() if group_of(name_of(p)) is None]
    assert sorted(loose) == ["generator", "generator.__main__"]


@pytest.mark.parametrize("path", modules(), ids=name_of)
def test_imports_follow_the_pipeline(path):
    assert violations(path) == []


def test_the_check_catches_a_core_module_importing_the_site(tmp_path, monkeypatch):
    fake = tmp_path / "generator"
    (fake / "core").mkdir(parents=True)
    bad = fake / "core" / "evaluate.py"
    bad.write_text(
        "from generator.site import pages\n"
        "def f():\n    from generator.workflow.compare import _md\n",
        encoding="utf-8",
    )
    monkeypatch.setattr(generator, "ROOT", fake)
    monkeypatch.setattr(__import__(__name__), "PACKAGE", fake)
    assert violations(bad) == [
        "generator.core.evaluate:1 imports generator.site (core → site)",
        "generator.core.evaluate:3 imports generator.workflow.compare (core → workflow)",
        "generator.core.evaluate:3 imports the private name generator.workflow.compare._md",
    ]


def test_one_module_speaks_to_the_site_engine():
    """The engines are behind one adapter (generator/site/engine.py): moving to another engine
    touches that module, not the publisher, the writer, the pages or the build's publishing."""
    speakers = sorted(
        name_of(p)
        for p in modules()
        if any(m.startswith(("mkdocs", "material", "zensical")) for m, _, _ in imports_all(p))
    )
    assert speakers == ["generator.site.engine"]


def imports_all(path: Path) -> list[tuple[str, list[str], int]]:
    """Every import of a file (not only generator's), as :func:`imports` gives them."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names], node.lineno))
        elif isinstance(node, ast.Import):
            found += [(alias.name, [], node.lineno) for alias in node.names]
    return found
