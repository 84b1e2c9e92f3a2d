"""Tests for generator/site/search.py: the Pagefind indexes over a built site.

Most tests index a small hand-made site in a tmp folder with the real Pagefind binary; the
browser tests query those indexes with Pagefind's own JavaScript in chromium, the parts
merged as search-ui.js merges them. The search box on the real built site is also tested in
test_browser.py.
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from browser import SAMPLE_RECORDS, build_site, serve

from generator.site import search

pytestmark = pytest.mark.slow  # whole-site builds and Pagefind runs


@pytest.fixture(autouse=True)
def eight_parts(request, monkeypatch):
    """The hand-made site's three districts in parts of their own (the built sample keeps
    the build's setting)."""
    if "sample_site" not in request.fixturenames:
        monkeypatch.setattr(search, "PARTS", 8)


SCHOOLS = {
    "cg-shiyan": ("城关区实验小学", "城关区", "小学", "达标", "城关区文昌路 18 号", []),
    "dc-er-zhong": ("东城第二中学", "东城区", "初中", "逾期", "东城区建设路 8 号", ["消防安全"]),
    "xh-shiyan-you": ("西湖区实验幼儿园", "西湖区", "幼儿园", "重大隐患", "西湖区湖滨路 3 号",
                      ["治安防范", "应急演练"]),
}  # fmt: skip

DISTRICT_PAGE = """<!doctype html><html lang="zh"><head><meta charset="utf-8"></head><body>
<nav>首页</nav><div data-pagefind-body><h1>城关区</h1><p>临河市城关区教育局</p>
<div data-pagefind-ignore>城关区实验小学</div></div></body></html>"""


HOME_PAGE = """<!doctype html><html lang="zh"><head><link rel="icon" href="data:,"></head>
<body><nav>导航</nav><article><h1>首页</h1><p>各校安全档案公示</p><div id="search"></div>
</article></body></html>"""


def make_site(root: Path) -> Path:
    """A tiny built site: a home page with the search box, the public API of three schools
    (as the site publishes it), a district page and a hand-written page."""
    (root / "api" / "schools").mkdir(parents=True)
    (root / "index.html").write_text(HOME_PAGE, encoding="utf-8")
    (root / "about").mkdir()
    (root / "about" / "index.html").write_text(
        HOME_PAGE.replace("首页", "关于本站").replace("各校安全档案公示", "防溺水宣传资料"),
        encoding="utf-8",
    )
    rows = []
    for school_id, (name, district, stage, status, address, categories) in SCHOOLS.items():
        row = {"id": school_id, "name": name, "district": district[:2], "stage": stage,
               "status": status}  # fmt: skip
        record = {
            **row,
            "district_name": district,
            "findings": [{"category": c, "message": f"{c}问题未按期整改"} for c in categories],
            "dossier": {"profile": {"id": school_id, "name": name, "address": address}},
        }
        (root / "api" / "schools" / f"{school_id}.json").write_text(
            json.dumps(record, ensure_ascii=False), encoding="utf-8"
        )
        rows.append(row)
    (root / "api" / "schools.json").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")
    (root / "districts" / "城关").mkdir(parents=True)
    (root / "districts" / "城关" / "index.html").write_text(DISTRICT_PAGE, "utf-8")
    return root


def _entry(bundle: Path) -> dict:
    return json.loads((bundle / "pagefind-entry.json").read_text(encoding="utf-8"))


def _pages(bundle: Path) -> int:
    return _entry(bundle)["languages"]["zh"]["page_count"]


def test_index_writes_a_shared_index_and_one_for_each_part_of_the_districts(tmp_path):
    site = make_site(tmp_path / "site")

    pages = search.index(site)

    bundle = site / "pagefind"
    assert pages == len(SCHOOLS) + 1 + 2  # the schools, the district page, home and about
    assert list(_entry(bundle)["languages"]) == ["zh"]
    assert _pages(bundle) == 2  # the shared index: home and about
    parts = {search.part_of(district[:2]) for _, district, *_ in SCHOOLS.values()}
    listed = json.loads((bundle / "parts.json").read_text(encoding="utf-8"))
    assert listed["parts"] == sorted(parts) == sorted(p.name for p in (bundle / "parts").iterdir())
    assert listed["filters"] == ["区县", "学段", "状态"]  # for the filter panel's headings
    assert sum(_pages(bundle / "parts" / part) for part in parts) == len(SCHOOLS) + 1
    # one copy of Pagefind's code, in the shared bundle; the parts hold only their index
    assert (bundle / "pagefind-ui.js").is_file() and list(bundle.glob("wasm.*"))
    assert not [p for p in (bundle / "parts").rglob("*") if p.suffix in (".js", ".css")]
    assert (bundle / "search-ui.js").read_bytes() == search.UI_SCRIPT.read_bytes()
    # district, stage and status are filters of the schools' parts
    assert len(list((bundle / "parts").glob("*/filter/*.pf_filter"))) == 3 * len(parts)


def test_a_district_always_falls_in_the_same_part():
    assert search.part_of("chengguan") == search.part_of("chengguan")
    assert len({search.part_of(f"d{i:03d}") for i in range(200)}) == search.PARTS
    assert all(p.isdigit() for p in (search.part_of("城关"), search.part_of("hexi")))


def test_two_runs_give_identical_bundles(tmp_path, monkeypatch):
    first = make_site(tmp_path / "first")
    second = shutil.copytree(first, tmp_path / "second")

    search.index(first)
    monkeypatch.setenv("XIAOAN_CACHE_DIR", str(tmp_path / "cache"))  # Pagefind runs again
    search.index(second)

    assert _tree(first / "pagefind") == _tree(second / "pagefind")


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_reindexing_leaves_no_stale_chunks(tmp_path):
    site = make_site(tmp_path / "site")
    search.index(site)
    fresh = sorted(p.relative_to(site) for p in (site / "pagefind").rglob("*"))
    (site / "pagefind" / "fragment" / "zh_stale.pf_fragment").write_bytes(b"old")
    part = next((site / "pagefind" / "parts").iterdir())
    (part / "fragment" / "zh_stale.pf_fragment").write_bytes(b"old")
    (site / "pagefind" / "parts" / "99").mkdir()

    search.index(site)

    assert sorted(p.relative_to(site) for p in (site / "pagefind").rglob("*")) == fresh


def _move_school(site: Path, school_id: str, district: str, **changes) -> None:
    """Change a school's public record as a build would: its API record and the list."""
    path = site / "api" / "schools" / f"{school_id}.json"
    record = {**json.loads(path.read_text(encoding="utf-8")), "district": district, **changes}
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    rows = json.loads((site / "api" / "schools.json").read_text(encoding="utf-8"))
    for row in rows:
        if row["id"] == school_id:
            row["district"] = district
    (site / "api" / "schools.json").write_text(json.dumps(rows, ensure_ascii=False), "utf-8")


def test_remaking_one_district_touches_only_its_part_and_equals_a_full_index(tmp_path):
    site = make_site(tmp_path / "site")
    search.index(site)
    before = _tree(site / "pagefind")
    _move_school(site, "dc-er-zhong", "东城", name="东城第二中学(新校区)")
    changed = search.part_of("东城")

    pages = search.index(site, districts=["东城"], shared=False)

    assert pages == 1
    after = _tree(site / "pagefind")
    inside = f"parts/{changed}/"
    assert {k: v for k, v in after.items() if not k.startswith(inside)} == {
        k: v for k, v in before.items() if not k.startswith(inside)
    }  # the shared index, the other parts and parts.json as they were
    assert after != before
    full = shutil.copytree(site, tmp_path / "full", ignore=shutil.ignore_patterns("pagefind"))
    search.index(full)
    assert after == _tree(full / "pagefind")


def test_a_district_left_without_pages_loses_its_part(tmp_path):
    site = make_site(tmp_path / "site")
    search.index(site)
    gone = search.part_of("西湖")
    assert gone not in {search.part_of("城关"), search.part_of("东城")}
    target = next(f"d{i}" for i in range(100) if search.part_of(f"d{i}") != gone)
    _move_school(site, "xh-shiyan-you", target)

    search.index(site, districts=["西湖", target], shared=False)

    listed = json.loads((site / "pagefind" / "parts.json").read_text(encoding="utf-8"))["parts"]
    assert gone not in listed and search.part_of(target) in listed
    assert not (site / "pagefind" / "parts" / gone).exists()
    full = shutil.copytree(site, tmp_path / "full", ignore=shutil.ignore_patterns("pagefind"))
    search.index(full)
    assert _tree(site / "pagefind") == _tree(full / "pagefind")


def test_remaking_the_shared_index_keeps_the_parts(tmp_path):
    site = make_site(tmp_path / "site")
    search.index(site)
    parts = _tree(site / "pagefind" / "parts")
    (site / "about" / "index.html").write_text(HOME_PAGE.replace("首页", "新页面"), "utf-8")

    assert search.index(site, districts=[], shared=True) == 2

    assert _tree(site / "pagefind" / "parts") == parts
    assert (site / "pagefind" / "parts.json").is_file()
    full = shutil.copytree(site, tmp_path / "full", ignore=shutil.ignore_patterns("pagefind"))
    search.index(full)
    assert _tree(site / "pagefind") == _tree(full / "pagefind")


def test_a_part_cannot_be_remade_before_the_whole_bundle_is_made(tmp_path):
    site = make_site(tmp_path / "site")
    with pytest.raises(search.SearchError, match=r"还没有完整的索引"):
        search.index(site, districts=["东城"], shared=False)


def test_a_missing_folder_is_a_chinese_error(tmp_path):
    with pytest.raises(search.SearchError, match=r"网站输出目录 .*missing 不存在"):
        search.index(tmp_path / "missing")


def test_a_folder_without_the_api_is_a_chinese_error(tmp_path):
    (tmp_path / "empty").mkdir()
    with pytest.raises(search.SearchError, match=r"找不到 .*empty/api/schools.json"):
        search.index(tmp_path / "empty")
    assert not (tmp_path / "empty" / "pagefind").exists()


def test_a_site_without_pages_is_a_chinese_error(tmp_path):
    (tmp_path / "site" / "api").mkdir(parents=True)
    (tmp_path / "site" / "api" / "schools.json").write_text("[]", encoding="utf-8")
    with pytest.raises(search.SearchError, match=r"site 中没有首页等可供搜索的页面"):
        search.index(tmp_path / "site")


def test_an_unreadable_api_record_is_a_chinese_error_naming_it(tmp_path):
    site = make_site(tmp_path / "site")
    (site / "api" / "schools" / "dc-er-zhong.json").write_text("{", encoding="utf-8")
    with pytest.raises(search.SearchError, match=r"读不了 .*dc-er-zhong.json"):
        search.index(site)


def test_school_text_is_escaped_in_the_pages_pagefind_reads(tmp_path):
    site = make_site(tmp_path / "site")
    record = site / "api" / "schools" / "cg-shiyan.json"
    data = json.loads(record.read_text(encoding="utf-8"))
    data["name"] = '<b onclick="x()">淘气</b>&amp;'

    page = search.school_page(data)

    assert "<h1>&lt;b onclick=&#34;x()&#34;&gt;淘气&lt;/b&gt;&amp;amp;</h1>" in page
    assert "<b " not in page and 'onclick="' not in page


def test_suffixes_start_a_word_at_every_chinese_character():
    assert search.suffixes("城关区实验小学") == "关区实验小学 区实验小学 实验小学 验小学 小学 学"
    assert search.suffixes("临河市 文昌路18号") == "河市 市 昌路 路"
    assert search.suffixes("No. 1 School") == ""


def test_the_built_site_indexes_each_school_district_and_shared_page(sample_site):
    schools = json.loads((sample_site / "api" / "schools.json").read_text(encoding="utf-8"))
    districts = {school["district"] for school in schools}
    bundle = sample_site / "pagefind"
    parts = json.loads((bundle / "parts.json").read_text(encoding="utf-8"))["parts"]

    assert sorted(parts) == sorted({search.part_of(d) for d in districts})
    assert sum(_pages(bundle / "parts" / p) for p in parts) == len(schools) + len(districts)
    shared = search.shared_pages(sample_site)
    assert _pages(bundle) == len(shared)
    assert {"index.html", "about/index.html", "districts/index.html"} <= set(shared)
    assert any(page.startswith("rules/") for page in shared)
    assert not [p for p in shared if p.startswith(("schools/", "admin/", "districts/"))
                and p != "districts/index.html"]  # fmt: skip
    assert (bundle / "search-ui.js").is_file()


def test_two_builds_of_the_sample_give_the_same_search_bundle(sample_site, tmp_path):
    again = build_site(SAMPLE_RECORDS, tmp_path / "site")
    assert _tree(sample_site / "pagefind") == _tree(again / "pagefind")


# Pagefind's search API with every part merged, as search-ui.js merges them.
PAGEFIND = """const pagefind = await import("/pagefind/merged/pagefind.js");
  await pagefind.options({});
  const { parts } = await (await fetch("/pagefind/parts.json")).json();
  for (const part of parts) await pagefind.mergeIndex(`/pagefind/parts/${part}/`);"""

QUERY = f"""async (term) => {{
  {PAGEFIND}
  const found = await pagefind.search(term);
  const pages = await Promise.all(found.results.map((result) => result.data()));
  return pages.map((data) => data.meta.title).sort();
}}"""


@pytest.fixture(scope="module")
def indexed_site(tmp_path_factory):
    site = make_site(tmp_path_factory.mktemp("search") / "site")
    parts, search.PARTS = search.PARTS, 8
    try:
        search.index(site)
    finally:
        search.PARTS = parts
    with serve(site) as url:
        yield url


@pytest.mark.browser
@pytest.mark.parametrize(
    ("term", "titles"),
    [
        # the query cuts 东城 into 东 and 城; the parts without 东城 have 第二 or 中学
        ("东城第二中学", ["东城第二中学"]),
        ("城关区实验小学", ["城关区实验小学"]),
        ("实验小学", ["城关区实验小学"]),  # not 西湖区实验幼儿园, alone in a part without 小学
        ("实验", ["城关区实验小学", "西湖区实验幼儿园"]),
        ("东城区", ["东城第二中学"]),  # district
        ("文昌路", ["城关区实验小学"]),  # address
        ("治安防范", ["西湖区实验幼儿园"]),  # finding category
        ("消防安全", ["东城第二中学"]),
        ("临河市", ["城关区"]),  # district page text
        ("首页", ["首页"]),  # the shared index
        ("溺水", ["关于本站"]),  # a hand-written page
    ],
)
def test_chinese_queries_find_the_right_pages(indexed_site, page, term, titles):
    page.goto(indexed_site + "/")
    assert page.evaluate(QUERY, term) == titles
    assert page.problems == []


@pytest.mark.browser
def test_full_matches_rank_before_pagefinds_fallback_in_other_parts(indexed_site, page):
    """城关区 is 城关 and 区. The part of 东城 holds no word that starts with 城关, so Pagefind
    falls back there to the longest word that 城关 starts with (城, of 东城第二中学's suffixes)
    and answers with 东城第二中学: one index for everything gave only the first two. The
    merged search cannot tell that fallback from a match; the full matches come first."""
    page.goto(indexed_site + "/")
    titles = page.evaluate(
        f"""async (term) => {{
      {PAGEFIND}
      const found = await pagefind.search(term);
      return (await Promise.all(found.results.map((r) => r.data()))).map((d) => d.meta.title);
    }}""",
        "城关区",
    )
    assert sorted(titles[:2]) == ["城关区", "城关区实验小学"]
    assert "西湖区实验幼儿园" not in titles  # its part holds neither 城关 nor a word it starts


@pytest.mark.browser
def test_every_sample_school_is_found_by_its_full_name(sample_site, page):
    api = json.loads((sample_site / "api" / "schools.json").read_text(encoding="utf-8"))
    with serve(sample_site) as url:
        page.goto(url + "/")
        found = page.evaluate(
            f"""async (names) => {{
          {PAGEFIND}
          const found = {{}};
          for (const name of names) {{
            const results = (await pagefind.search(name)).results.slice(0, 5);
            found[name] = (await Promise.all(results.map((r) => r.data()))).map((d) => d.url);
          }}
          return found;
        }}""",
            [school["name"] for school in api],
        )
    missing = [s["name"] for s in api if f"/schools/{s['id']}/" not in found[s["name"]]]
    assert missing == []


@pytest.mark.browser
def test_results_carry_district_stage_and_status(indexed_site, page):
    page.goto(indexed_site + "/")
    meta = page.evaluate(
        f"""async () => {{
      {PAGEFIND}
      const found = await pagefind.search("东城第二中学");
      return (await found.results[0].data()).meta;
    }}"""
    )
    assert meta == {"title": "东城第二中学", "区县": "东城区", "学段": "初中", "状态": "逾期"}


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


def _search_all(page, term: str) -> list[str]:
    """The URLs of every result for ``term``, from the site's Pagefind bundle."""
    return page.evaluate(
        f"""async (term) => {{
      {PAGEFIND}
      const found = await pagefind.search(term);
      return (await Promise.all(found.results.map((r) => r.data()))).map((d) => d.url);
    }}""",
        term,
    )


@pytest.mark.browser
@pytest.mark.parametrize("term", ["欺凌", "溺水", "消防"])
def test_a_word_is_found_on_every_school_page_that_shows_it(sample_site, page, term):
    pages_ = sorted(sample_site.glob("schools/*/index.html"))
    showing = {
        f"/schools/{p.parent.name}/"
        for p in pages_
        if term in p.read_text(encoding="utf-8").split('class="xa-school"', 1)[1]
    }
    assert len(showing) >= 5, f"the sample shows {term} on few pages"
    with serve(sample_site) as url:
        page.goto(url + "/")
        found = {u for u in _search_all(page, term) if u.startswith("/schools/")}
    assert showing - found == set()


@pytest.mark.browser
def test_the_header_search_works_on_every_page_with_clean_excerpts(sample_site, page):
    with serve(sample_site) as url:
        for path in ("/about/", "/schools/hx-binhe-xiaoxue/", "/reference/status/"):
            page.goto(url + path)
            page.locator("#xa-search-toggle").click()
            box = page.locator("#xa-search-panel input")
            assert box.get_attribute("aria-label") == "搜索全站"
            box.fill("实验小学")
            page.locator("#xa-search-panel .pagefind-ui__result-link").first.wait_for()
            excerpts = page.locator("#xa-search-panel .pagefind-ui__result-excerpt")
            texts = excerpts.all_inner_texts()
            assert texts and all(search.KEYS_MARK not in t for t in texts)
            # no run of suffixes (实验小学 验小学 小学) in what a reader sees
            assert all("验小学 小学" not in t for t in texts)
    assert page.problems == []


@pytest.mark.browser
def test_the_header_panel_filters_by_district_stage_and_status_on_a_phone(sample_site, page):
    """The filters' values load when a filter is first opened, with the query's counts."""
    from test_browser import axe_violations

    page.set_viewport_size({"width": 360, "height": 800})
    panel = page.locator("#xa-search-panel")
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))
    with serve(sample_site) as url:
        page.goto(url + "/about/")
        page.locator("#xa-search-toggle").click()
        panel.locator("input").fill("学校")
        panel.locator(".pagefind-ui__result-link").first.wait_for()
        page.wait_for_load_state("networkidle")
        assert sorted(panel.locator(".pagefind-ui__filter-name").all_inner_texts()) == [
            "区县", "学段", "状态"
        ]  # fmt: skip
        assert not [u for u in requested if u.endswith(".pf_filter")]
        every = panel.locator(".pagefind-ui__message").inner_text()

        panel.locator("summary", has_text="状态").click()
        overdue = panel.locator("label", has_text="逾期")
        shown = int(re.search(r"\((\d+)\)", overdue.inner_text()).group(1))
        assert [u for u in requested if u.endswith(".pf_filter")]
        overdue.click()
        page.wait_for_function(
            "(before) => document.querySelector('#xa-search-panel .pagefind-ui__message')"
            ".innerText !== before",
            arg=every,
        )
        # the count beside 逾期 was this query's: as many results once it is ticked
        message = panel.locator(".pagefind-ui__message").inner_text()
        assert 0 < shown == int(re.search(r"\d+", message).group()), message
        # the message changes first; the results' fragments load after it, one by one
        results = "[...document.querySelectorAll('#xa-search-panel .pagefind-ui__result')]"
        page.wait_for_function(
            f"{results}.length > 0 && {results}.every(r => r.innerText.includes('状态: '))"
        )
        tags = panel.locator(".pagefind-ui__result").all_inner_texts()
        assert tags and all("逾期" in t for t in tags), tags
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        assert axe_violations(page) == []
    assert page.problems == []
