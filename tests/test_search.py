"""Tests for generator/site/search.py: the Pagefind index over a built site.

Most tests index a small hand-made site in a tmp folder with the real Pagefind binary; the
browser tests query that index with Pagefind's own JavaScript in chromium. The search box
on the real built site is tested in test_browser.py.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from browser import SAMPLE_RECORDS, build_site, serve

from generator.site import search

PAGE = """<!doctype html>
<html lang="zh"><head><meta charset="utf-8"><title>{name}</title></head>
<body><nav>首页 区县 学校</nav>
<article data-pagefind-body>
<h1>{name}</h1>
<p>区县:<span data-pagefind-meta="区县">{district}</span>
学段:<span data-pagefind-meta="学段">{stage}</span>
状态:<span data-pagefind-meta="状态">{status}</span></p>
<p>地址:{address}</p>
<ul>{findings}</ul>
</article></body></html>
"""

SCHOOLS = {
    "cg-shiyan": ("城关区实验小学", "城关区", "小学", "达标", "城关区文昌路 18 号", []),
    "dc-er-zhong": ("东城第二中学", "东城区", "初中", "逾期", "东城区建设路 8 号", ["消防安全"]),
    "xh-shiyan-you": ("西湖区实验幼儿园", "西湖区", "幼儿园", "重大隐患", "西湖区湖滨路 3 号",
                      ["治安防范", "应急演练"]),
}  # fmt: skip


def make_site(root: Path) -> Path:
    """A tiny site: three school pages with data-pagefind-body, and a home page without."""
    (root / "index.html").parent.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(
        '<!doctype html><html lang="zh"><head><link rel="icon" href="data:,"></head>'
        '<body><div id="search"></div></body></html>',
        encoding="utf-8",
    )
    for school_id, (name, district, stage, status, address, findings) in SCHOOLS.items():
        folder = root / "schools" / school_id
        folder.mkdir(parents=True)
        items = "".join(f"<li>{category}:未按期整改</li>" for category in findings)
        (folder / "index.html").write_text(
            PAGE.format(name=name, district=district, stage=stage, status=status,
                        address=address, findings=items),
            encoding="utf-8",
        )  # fmt: skip
    return root


def test_index_writes_a_chinese_bundle_of_the_marked_pages(tmp_path):
    site = make_site(tmp_path / "site")

    pages = search.index(site)

    assert pages == len(SCHOOLS)  # the home page has no data-pagefind-body
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert list(entry["languages"]) == ["zh"]
    assert entry["languages"]["zh"]["page_count"] == len(SCHOOLS)
    assert (site / "pagefind" / "pagefind-ui.js").is_file()
    assert (site / "pagefind" / "search-ui.js").read_bytes() == search.UI_SCRIPT.read_bytes()
    assert not list((site / "pagefind").glob("filter/*")), "pages use meta, not filters"


def test_two_runs_give_identical_bundles(tmp_path):
    first = make_site(tmp_path / "first")
    second = shutil.copytree(first, tmp_path / "second")

    search.index(first)
    search.index(second)

    assert _tree(first / "pagefind") == _tree(second / "pagefind")


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_reindexing_leaves_no_stale_chunks(tmp_path):
    site = make_site(tmp_path / "site")
    search.index(site)
    fresh = sorted(p.relative_to(site) for p in (site / "pagefind").rglob("*"))
    (site / "pagefind" / "fragment" / "zh_stale.pf_fragment").write_bytes(b"old")

    search.index(site)

    assert sorted(p.relative_to(site) for p in (site / "pagefind").rglob("*")) == fresh


def test_a_missing_folder_is_a_chinese_error(tmp_path):
    with pytest.raises(search.SearchError, match=r"网站输出目录 .*missing 不存在"):
        search.index(tmp_path / "missing")


def test_a_folder_without_pages_is_a_chinese_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(search.SearchError, match=r"empty 中没有学校或区县页面"):
        search.index(tmp_path / "empty")
    assert not (tmp_path / "empty" / "pagefind" / "search-ui.js").exists()


def test_the_built_site_indexes_each_school_and_district_page(sample_site):
    api = json.loads((sample_site / "api" / "schools.json").read_text(encoding="utf-8"))
    schools = api["schools"] if isinstance(api, dict) else api
    districts = {school["district"] for school in schools}
    entry = json.loads((sample_site / "pagefind" / "pagefind-entry.json").read_text("utf-8"))

    assert entry["languages"]["zh"]["page_count"] == len(schools) + len(districts)
    assert not list((sample_site / "pagefind").glob("filter/*")), "pages use meta, not filters"
    assert (sample_site / "pagefind" / "search-ui.js").is_file()


def test_two_builds_of_the_sample_give_the_same_search_bundle(sample_site, tmp_path):
    again = build_site(SAMPLE_RECORDS, tmp_path / "site")
    assert _tree(sample_site / "pagefind") == _tree(again / "pagefind")


QUERY = """async (term) => {
  const pagefind = await import("/pagefind/pagefind.js");
  await pagefind.options({});
  const found = await pagefind.search(term);
  const pages = await Promise.all(found.results.map((result) => result.data()));
  return pages.map((data) => data.meta.title).sort();
}"""


@pytest.fixture(scope="module")
def indexed_site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("search") / "site")
    search.index(site)
    with serve(site) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize(
    ("term", "titles"),
    [
        ("实验小学", ["城关区实验小学"]),  # segmented: not 西湖区实验幼儿园
        ("实验", ["城关区实验小学", "西湖区实验幼儿园"]),
        ("东城区", ["东城第二中学"]),  # district
        ("文昌路", ["城关区实验小学"]),  # address
        ("治安防范", ["西湖区实验幼儿园"]),  # finding category
        ("消防安全", ["东城第二中学"]),
        ("首页", []),  # outside data-pagefind-body
    ],
)
def test_chinese_queries_find_the_right_pages(indexed_site, page, term, titles):
    page.goto(indexed_site + "/")
    assert page.evaluate(QUERY, term) == titles
    assert page.problems == []


@pytest.mark.browser
def test_the_search_box_works_when_the_site_lives_under_a_sub_path(sample_site, tmp_path, page):
    (tmp_path / "xiaoan").symlink_to(sample_site)  # as on GitHub Pages: /<repository>/
    with serve(tmp_path) as url:
        page.goto(url + "/xiaoan/")
        page.locator(".pagefind-ui__search-input").fill("实验小学")
        page.locator(".pagefind-ui__result-link").first.wait_for()
        links = page.locator(".pagefind-ui__result-link").all()

        hrefs = [link.get_attribute("href") for link in links]
        assert hrefs and all(href.startswith("/xiaoan/") for href in hrefs), hrefs
        assert any(href.startswith("/xiaoan/schools/") for href in hrefs), hrefs
        links[0].click()
        page.wait_for_url(url + hrefs[0])
    assert page.problems == []
