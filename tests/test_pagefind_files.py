"""Tests for generator/site/pagefind_files.py: Pagefind's runs merged into one bundle.

The bundles are real Pagefind output. ``_searched`` reads one back into what the browser
searches: each page's fragment and word count, each word's pages with their locations, each
filter's pages and the words each chunk holds, by URL (a merged index numbers its pages run
after run, one run lists them as its folder does).
"""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from generator.site import pagefind_files, search

pytestmark = pytest.mark.slow  # a whole-site build and Pagefind runs


def _searched(bundle: Path) -> dict:
    entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
    ((language, index),) = entry["languages"].items()
    version, pages, chunks, filters, sorts, fields = pagefind_files.read(
        bundle / f"pagefind.{index['hash']}.pf_meta"
    )
    urls, fragments = [], {}
    for name, word_count in pages:
        data = gzip.decompress((bundle / "fragment" / f"{name}.pf_fragment").read_bytes())
        fragment = json.loads(data[len(pagefind_files.SIGNATURE) :])
        urls.append(fragment["url"])
        fragments[fragment["url"]] = (fragment, word_count)
    words = {}
    for first, last, name in chunks:
        (chunk,) = pagefind_files.read(bundle / "index" / f"{name}.pf_index")
        for word, word_pages, extra in chunk:
            assert first <= word[: len(first)] and word[: len(last)] <= last and extra == []
            number, found = 0, {}
            for step, locations, meta in word_pages:
                number += step
                found[urls[number]] = (locations, [fields[-1 - m] if m < 0 else m for m in meta])
            words[word] = found
    filtered = {}
    for name, file in filters:
        filter_name, values = pagefind_files.read(bundle / "filter" / f"{file}.pf_filter")
        assert filter_name == name
        filtered[name] = {value: sorted(urls[p] for p in pages_) for value, pages_ in values}
    return {
        "version": version, "pages": entry["languages"][language]["page_count"],
        "fragments": fragments, "words": words, "filters": filtered, "sorts": sorts,
        "chunks": [chunk[:2] for chunk in chunks], "fields": sorted(fields),
    }  # fmt: skip


def test_runs_merged_make_the_index_that_one_run_makes(sample_site, tmp_path, monkeypatch):
    """The sample's shared index in 11 runs, its schools in 3 and its districts in another
    (their pages have other meta fields), against one Pagefind run over each index's pages."""
    site = shutil.copytree(sample_site, tmp_path / "site")
    shutil.rmtree(site / search.RUNS_DIR)  # every run made again
    monkeypatch.setattr(search, "RUN_PAGES", 10)
    schools = json.loads((site / "api" / "schools.json").read_bytes())
    one = {}
    with search.Index(site) as index:
        index.add_published((school["id"], school["district"]) for school in schools)
        index.start()
        for name, runs in index.runs.items():
            for run in runs:  # every page of the index in one folder
                made = index.pages / "runs" / name / run.key
                shutil.copytree(made, tmp_path / "one" / name, dirs_exist_ok=True)
            options = search.SHARED_OPTIONS if name == search.SHARED else []
            one[name] = _pagefind(tmp_path / "one" / name, tmp_path / "raw" / name, options)
        index.finish()

    part = search.part_of("chengguan")
    assert [len(index.runs[name]) for name in (search.SHARED, part)] == [11, 4]
    assert _searched(site / "pagefind") == _searched(one[search.SHARED])
    merged, single = _searched(site / "pagefind" / "parts" / part), _searched(one[part])
    assert merged == single
    assert len(merged["chunks"]) > 1 and merged["filters"]["状态"]
    assert len(merged["fields"]) > 4  # the schools' and the districts' meta fields


def test_fragments_are_named_by_the_pages_token_and_number(sample_site):
    bundle = sample_site / "pagefind"
    for prefix, path in (("s", bundle), ("00", bundle / "parts" / "00")):
        names = sorted(p.stem for p in (path / "fragment").iterdir())
        assert names and all(n.startswith(prefix) for n in names)
        token = names[0][len(prefix) : len(prefix) + search.PAGES_TOKEN]
        assert re.fullmatch("[0-9a-f]{4}", token) and all(n.startswith(prefix + token) for n in names)
        numbers = {int(n[len(prefix) + len(token) :], 36) for n in names}
        assert numbers == set(range(len(names))) and len(names) == _searched(path)["pages"]


def _site(folder: Path, pages: dict[str, str]) -> Path:
    for name, text in pages.items():
        (folder / name).mkdir(parents=True)
        (folder / name / "index.html").write_text(PAGE.format(name, text), encoding="utf-8")
    return folder


SCHOOLS = {
    "a": "城关区实验小学 消防演练 每月一次",
    "b": "东城第二中学 防溺水教育 消防通道",
    "c": "西河幼儿园 食品安全 消防器材过期",
    "d": "南山中学 校园欺凌 心理辅导",
}


def test_a_merge_leaves_out_and_reorders_pages_as_asked(tmp_path):
    """Pages of kept runs left out and a changed page from another run merge into the index
    one run over the pages makes; unchanged pages keep their fragments' names."""
    first = _pagefind(_site(tmp_path / "s1", SCHOOLS), tmp_path / "r1")
    edited = {"b": "东城第二中学 防溺水教育 消防通道畅通 整改完成"}
    second = _pagefind(_site(tmp_path / "s2", edited), tmp_path / "r2")
    now = {**SCHOOLS, **edited}
    one = _pagefind(_site(tmp_path / "s3", now), tmp_path / "one")
    run_pages = [pagefind_files.urls(first), pagefind_files.urls(second)]  # Pagefind numbers pages as it finds them
    order = [(r, run_pages[r].index(f"/{name}/")) for name in sorted(now)
             for r in ((1,) if name in edited else (0,))]  # fmt: skip

    assert pagefind_files.merge([first, second], tmp_path / "merged", order=order) == 4
    before = [(0, run_pages[0].index(f"/{name}/")) for name in sorted(SCHOOLS)]
    assert pagefind_files.merge([first], tmp_path / "before", order=before) == 4

    merged = _searched(tmp_path / "merged")
    assert merged == _searched(one)
    assert sorted(merged["words"]["整改"]) == ["/b/"] and "过期" in merged["words"]
    # the same pages, the same names: only the edited page's fragment is another file
    before, after = _named(tmp_path / "before"), _named(tmp_path / "merged")
    assert before == after
    changed = {url for url, name in after.items()
               if _fragment_bytes(tmp_path / "merged", name) != _fragment_bytes(tmp_path / "before", name)}  # fmt: skip
    assert changed == {"/b/"}


def _fragment_bytes(bundle: Path, name: str) -> bytes:
    return (bundle / "fragment" / f"{name}.pf_fragment").read_bytes()


def test_a_run_merged_in_reverse_is_the_same_index(tmp_path):
    """Every page a block of its own: each word's list cut into entries and put in order."""
    run = _pagefind(_site(tmp_path / "s", SCHOOLS), tmp_path / "r")
    order = [(0, page) for page in reversed(range(len(SCHOOLS)))]

    assert pagefind_files.merge([run], tmp_path / "merged", order=order) == 4
    assert _searched(tmp_path / "merged") == _searched(run)
    assert pagefind_files.urls(tmp_path / "merged") == pagefind_files.urls(run)[::-1]


def _named(bundle: Path) -> dict[str, str]:
    """Each page's fragment name, by URL."""
    return {url: name for url, (name, _) in zip(pagefind_files.urls(bundle), _meta(bundle)[1], strict=True)}


def _meta(bundle: Path) -> list:
    entry = json.loads((bundle / "pagefind-entry.json").read_bytes())
    ((_, index),) = entry["languages"].items()
    return pagefind_files.read(bundle / f"pagefind.{index['hash']}.pf_meta")


def _pagefind(site: Path, out: Path, options: list[str] = []) -> Path:  # noqa: B006
    command = [str(search._executable()), "--site", str(site), "--output-path", str(out),
               "--force-language", "zh", "--quiet", *options]  # fmt: skip
    subprocess.run(command, check=True, capture_output=True)
    return out


PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8"><title>{0}</title></head>
<body data-pagefind-body><h1>{0}</h1><p>{1}</p></body></html>"""


def test_a_page_that_is_in_two_runs_is_in_both_places(tmp_path):
    """Pagefind gives identical pages one fragment; a merge keeps one for each page."""
    runs = []
    for run, names in enumerate((["a", "b"], ["c"])):
        for name in names:
            (tmp_path / f"site{run}" / name).mkdir(parents=True)
            (tmp_path / f"site{run}" / name / "index.html").write_text(
                PAGE.format("城关区实验小学", "消防演练"), encoding="utf-8"
            )
        runs.append(_pagefind(tmp_path / f"site{run}", tmp_path / f"run{run}"))

    assert pagefind_files.merge(runs, tmp_path / "merged") == 3

    merged = _searched(tmp_path / "merged")
    assert sorted(merged["fragments"]) == ["/a/", "/b/", "/c/"]
    assert sorted(merged["words"]["消防"]) == ["/a/", "/b/", "/c/"]


def test_what_a_merge_does_not_know_is_a_format_error(tmp_path):
    (tmp_path / "site" / "a").mkdir(parents=True)
    (tmp_path / "site" / "a" / "index.html").write_text(
        PAGE.format("学校", "<span data-pagefind-sort='date'>2026-11-23</span>"), "utf-8"
    )
    run = _pagefind(tmp_path / "site", tmp_path / "run")

    with pytest.raises(pagefind_files.FormatError, match="sorts"):
        pagefind_files.merge([run], tmp_path / "merged")


@pytest.mark.parametrize(
    "value", [0, 23, 24, 255, 256, 65536, 2**32, -1, -24, -25, -300, "城关", [], [[1, [-25, 3]], "x"]]
)
def test_cbor_values_read_back_as_written(value):
    assert pagefind_files.decode(pagefind_files.encode(value)) == (
        value, len(pagefind_files.encode(value))
    )  # fmt: skip
