"""Shared test helpers: the example files, and real records trees built in tmp folders."""

from __future__ import annotations

import datetime
import re
import shutil
from pathlib import Path

import pytest
from browser import browser_context, page, sample_site, sample_url  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
VALID = FIXTURES / "valid"
INVALID = FIXTURES / "invalid"
TODAY = datetime.date(2026, 11, 23)
"""“Today” for tests that compare dates with today: the fixtures' dates lie before it."""

BASE = VALID / "cg-shiyan-xiaoxue.yaml"
"""The fullest valid dossier; invalid examples are copies of it with one kind of mistake."""


def school(text: str, school_id: str, district: str = "chengguan") -> str:
    """The text of a dossier (one of the valid examples) renamed to another id and district."""
    source_id = next(
        line.split(":", 1)[1].strip() for line in text.splitlines() if line.startswith("  id:")
    )
    return text.replace(f"  id: {source_id}\n", f"  id: {school_id}\n", 1).replace(
        "  district: chengguan\n", f"  district: {district}\n", 1
    )


def district(district_id: str, name: str = "城关区") -> str:
    text = (VALID / "_district.yaml").read_text(encoding="utf-8")
    return text.replace("id: chengguan", f"id: {district_id}").replace(
        "name: 城关区", f"name: {name}"
    )


def pytest_collection_modifyitems(items):
    """Browser tests are slow tests: `make test-fast` (-m "not slow") leaves them out."""
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    """Each test's check cache in a folder of its own, never the user's ~/.cache/xiaoan."""
    monkeypatch.setenv("XIAOAN_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


@pytest.fixture
def records(tmp_path: Path) -> Path:
    """A valid records tree: two districts, three schools."""
    root = tmp_path / "records"
    base = BASE.read_text(encoding="utf-8")
    small = (VALID / "cg-qiaoxi-youeryuan.yaml").read_text(encoding="utf-8")
    for folder, name in (("chengguan", "城关区"), ("qiaobei", "桥北区")):
        (root / folder).mkdir(parents=True)
        (root / folder / "_district.yaml").write_text(district(folder, name), encoding="utf-8")
    shutil.copy(BASE, root / "chengguan" / "cg-shiyan-xiaoxue.yaml")
    (root / "chengguan" / "cg-qiaoxi-youeryuan.yaml").write_text(small, encoding="utf-8")
    (root / "qiaobei" / "qb-di-yi-zhongxue.yaml").write_text(
        school(base, "qb-di-yi-zhongxue", "qiaobei"), encoding="utf-8"
    )
    return root


@pytest.fixture
def national_records(records: Path) -> Path:
    """The same tree under a rule set that exists (national), as a site build needs."""
    for path in records.glob("*/_district.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"rule_set: .*", "rule_set: national", text), encoding="utf-8")
    return records
