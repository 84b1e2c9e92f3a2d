"""generator/site/reuse.py: what a build made from the same inputs (the engine's pages, the
web editor) is copied from the cache folder, and gives the same bytes."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path

import pytest

from generator.site import reuse
from generator.site.build import build, differences


def test_an_entry_is_copied_back_and_only_the_newest_are_kept(tmp_path):
    made = tmp_path / "made"
    (made / "sub").mkdir(parents=True)
    (made / "sub" / "page.html").write_text("页面", encoding="utf-8")
    for i in range(reuse.KEEP + 2):
        reuse.keep("pages", f"key{i}", made)
    kept = sorted(p.name for p in (Path(os.environ["XIAOAN_CACHE_DIR"]) / "site" / "pages").iterdir())
    assert len(kept) == reuse.KEEP and f"key{reuse.KEEP + 1}" in kept  # the one just kept, always
    assert reuse.fetch("pages", f"key{reuse.KEEP + 1}", tmp_path / "copy")
    assert (tmp_path / "copy" / "sub" / "page.html").read_text(encoding="utf-8") == "页面"
    assert not reuse.fetch("pages", "unknown", tmp_path / "none")


def test_a_cache_that_cannot_be_written_is_not_used(tmp_path, monkeypatch):
    (tmp_path / "file").write_text("", encoding="utf-8")
    monkeypatch.setenv("XIAOAN_CACHE_DIR", str(tmp_path / "file"))  # not a folder
    (tmp_path / "made").mkdir()
    reuse.keep("pages", "key", tmp_path / "made")
    assert not reuse.fetch("pages", "key", tmp_path / "copy")


@pytest.mark.slow  # whole-site builds
def test_a_build_copies_what_the_same_inputs_made_and_is_the_same(national_records, tmp_path, monkeypatch):
    day = date(2026, 11, 23)
    build(national_records, tmp_path / "first", day)
    cache = Path(os.environ["XIAOAN_CACHE_DIR"]) / "site"
    kept = sorted(p.relative_to(cache) for p in cache.glob("*/*"))
    assert [p.parent.name for p in kept] == ["editor", "engine"]
    build(national_records, tmp_path / "again", day)  # a full build: the same inputs, copied
    assert sorted(p.relative_to(cache) for p in cache.glob("*/*")) == kept  # nothing made anew
    monkeypatch.setenv("XIAOAN_CACHE_DIR", str(tmp_path / "first" / "index.html"))  # no cache
    build(national_records, tmp_path / "made", day)  # the engine runs
    assert differences(tmp_path / "again", tmp_path / "made") == []
