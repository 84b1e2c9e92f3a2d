"""The built site in a real browser: headless chromium (Debian's) driven by Playwright.

The sample records in records/ are built once per session with `xiaoan build` and served
on localhost (fixtures in tests/browser.py); a second build holds a dossier full of HTML,
script tags, quotes, RTL marks and emoji. Set XIAOAN_SHOTS=<folder> to save screenshots.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from browser import SAMPLE_RECORDS, build_site, serve

pytestmark = pytest.mark.browser


def shot(page, name: str) -> None:
    """Save a screenshot of the top of the page to $XIAOAN_SHOTS/<name>.png, when that is set."""
    folder = os.environ.get("XIAOAN_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"{name}.png"))


def schools(site: Path) -> list[dict]:
    """The published list of schools (id, name, district, stage, status)."""
    data = json.loads((site / "api" / "schools.json").read_text(encoding="utf-8"))
    return data["schools"] if isinstance(data, dict) else data


def test_home_page_loads_without_console_errors(sample_url, page):
    page.goto(sample_url + "/")
    page.wait_for_load_state("networkidle")

    assert page.locator("h1").first.inner_text().strip()
    assert page.locator("#search .pagefind-ui__search-input").count() == 1
    shot(page, "home")
    assert page.problems == []


def test_a_district_table_sorts_when_a_heading_is_clicked(sample_site, sample_url, page):
    district = max(
        {s["district"] for s in schools(sample_site)},
        key=lambda d: sum(s["district"] == d for s in schools(sample_site)),
    )
    page.goto(f"{sample_url}/districts/{district}/")
    table = page.locator("table#xa-schools, #xa-schools table")
    column = table.locator("thead th").filter(has_text="学校").first
    names = table.locator("tbody tr td:first-child a")
    assert names.count() >= 2, "the busiest district needs two schools to sort"
    before = names.all_inner_texts()

    column.locator("button").click()
    ascending = names.all_inner_texts()
    column.locator("button").click()
    descending = names.all_inner_texts()

    assert column.get_attribute("aria-sort") == "descending"
    assert sorted(ascending) == sorted(before)
    assert descending == ascending[::-1]
    assert ascending == _collated(page, ascending)
    shot(page, "district")
    assert page.problems == []


def _collated(page, names: list[str]) -> list[str]:
    """`names` in the browser's Chinese collation order (pinyin), as the table sorts."""
    return page.evaluate(
        "(names) => names.slice().sort(new Intl.Collator('zh-CN', {numeric: true}).compare)",
        names,
    )


def test_the_district_table_filters_by_name(sample_site, sample_url, page):
    school = schools(sample_site)[0]
    page.goto(f"{sample_url}/districts/{school['district']}/")
    rows = page.locator("table#xa-schools tbody tr, #xa-schools table tbody tr")

    page.locator("form.xa-filter input[name=q]").fill(school["name"])

    visible = [row for row in rows.all() if row.is_visible()]
    assert [row.locator("a").first.inner_text() for row in visible] == [school["name"]]
    assert page.problems == []


def test_a_school_page_shows_its_badge(sample_site, sample_url, page):
    school = schools(sample_site)[0]
    page.goto(f"{sample_url}/schools/{school['id']}/")
    badge = page.locator("img.xa-badge")
    badge.wait_for()
    page.wait_for_load_state("networkidle")

    assert badge.evaluate("(img) => img.complete && img.naturalWidth") > 0
    assert school["status"] in badge.get_attribute("alt")
    shot(page, "school")
    assert page.problems == []


def test_search_finds_a_school_by_its_chinese_name(sample_site, sample_url, page):
    named = [s for s in schools(sample_site) if "实验小学" in s["name"]]
    assert named, "the sample records need a school named …实验小学"
    page.goto(sample_url + "/")

    page.locator(".pagefind-ui__search-input").fill("实验小学")
    page.locator(".pagefind-ui__result-link").first.wait_for()

    links = page.locator(".pagefind-ui__result-link")
    found = {link.get_attribute("href") for link in links.all()}
    assert {f"/schools/{s['id']}/" for s in named} <= found
    shot(page, "search")
    links.filter(has_text=named[0]["name"]).first.click()
    page.wait_for_url(f"**/schools/{named[0]['id']}/")
    assert page.locator("h1").first.inner_text() == named[0]["name"]
    assert page.problems == []


def test_search_box_comes_back_after_instant_navigation(sample_site, sample_url, page):
    page.goto(sample_url + "/")
    page.locator("a[href$='districts/']").first.click()
    page.wait_for_url("**/districts/")
    page.go_back()
    page.locator(".pagefind-ui__search-input").fill("实验")
    page.locator(".pagefind-ui__result-link").first.wait_for()
    assert page.locator("#search .pagefind-ui__search-input").count() == 1
    assert page.problems == []


def pdf_pages(pdf: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


@pytest.mark.parametrize("sheet", ["notice", "risk"])  # 一校一警公示, 风险公告
def test_every_printable_sheet_prints_on_one_a4_page(sample_site, sample_url, page, sheet):
    for school in schools(sample_site):
        page.goto(f"{sample_url}/schools/{school['id']}/{sheet}.html")
        page.wait_for_load_state("networkidle")
        pdf = page.pdf(format="A4", print_background=True)
        assert pdf_pages(pdf) == 1, f"{school['id']}: {sheet}.html takes more than one page"
    page.emulate_media(media="print")
    shot(page, sheet)
    assert page.problems == []


# A dossier whose public text is hostile. Each value must show as typed and run nothing.
NAUGHTY = {
    ("profile", "name"): "<i>淘气</i>小学\"'&amp;<script>alert(1)</script>\u200f🏫",
    ("profile", "address"):
        "<img src=x onerror=\"window.__pwned=1;alert(2)\"> 文昌路 \u202e18 号 {{ 7*7 }} 🚒",
    ("police", "station"): "'\"><svg onload=alert(3)>派出所 \u202bשלום\u202c",
    ("police", "duties"):
        "[点我](javascript:alert(4)) **粗体** <iframe src=javascript:alert(5)></iframe> ${alert()}",
    ("risks", 0, "place"): "\"><img src=x onerror=window.__pwned=1>河道",
    ("risks", 0, "description"):
        "</title></script><script>window.__pwned=1</script> 😀 ' \" \u202e",
    ("risks", 0, "controls", 0): "<a href=\"javascript:alert(8)\">措施</a> &lt;已转义&gt;",
}  # fmt: skip


def _set(data, path, value):
    for key in path[:-1]:
        data = data[key]
    data[path[-1]] = value


@pytest.fixture(scope="session")
def naughty(tmp_path_factory):
    """The sample records with one dossier made hostile, built and served."""
    from generator.devtools.synth import dump

    root = tmp_path_factory.mktemp("naughty")
    records = shutil.copytree(SAMPLE_RECORDS, root / "records")
    dossier = next(p for p in sorted(records.glob("*/*.yaml")) if not p.name.startswith("_"))
    data = yaml.safe_load(dossier.read_text(encoding="utf-8"))
    for path, value in NAUGHTY.items():
        _set(data, path, value)
    dossier.write_text(dump(data), encoding="utf-8")
    site = build_site(records, root / "site")
    with serve(site) as url:
        yield url, data["profile"]


def _assert_harmless(page):
    assert page.evaluate("() => window.__pwned") is None, "an injected script ran"
    assert page.problems == []


def test_a_naughty_dossier_shows_as_typed_and_runs_nothing(naughty, page):
    url, profile = naughty
    page.goto(f"{url}/schools/{profile['id']}/")
    page.wait_for_load_state("networkidle")

    assert page.locator("h1").first.inner_text() == NAUGHTY[("profile", "name")]
    _open_everything(page)
    text = page.locator("article").inner_text()
    for path in [("profile", "address"), ("risks", 0, "description")]:
        assert NAUGHTY[path].strip() in text
    assert page.locator("article script:not([src])").count() == 0
    assert page.locator("article img[onerror], article svg[onload], article iframe").count() == 0
    scripted_links = "article [href^='javascript:' i], article [src^='javascript:' i]"
    assert page.locator(scripted_links).count() == 0
    shot(page, "naughty-school")
    _assert_harmless(page)


@pytest.mark.parametrize("kind", ["notice.html", "risk.html", "districts"])
def test_naughty_text_runs_nothing_on_other_pages(naughty, page, kind):
    url, profile = naughty
    where = (
        f"districts/{profile['district']}/"
        if kind == "districts"
        else f"schools/{profile['id']}/{kind}"
    )
    page.goto(f"{url}/{where}")
    page.wait_for_load_state("networkidle")

    assert NAUGHTY[("profile", "name")] in page.locator("body").inner_text()
    _assert_harmless(page)


def test_naughty_text_runs_nothing_in_search_results(naughty, page):
    url, profile = naughty
    page.goto(url + "/")
    page.locator(".pagefind-ui__search-input").fill("淘气")
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for()
    page.wait_for_load_state("networkidle")

    assert result.get_attribute("href") == f"/schools/{profile['id']}/"
    assert "淘气" in result.inner_text()
    shot(page, "naughty-search")
    _assert_harmless(page)


# ---------------------------------------------------------------------------------------------
# Every page template, on a desktop and a phone

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 900}


def template_pages(site: Path) -> list[str]:
    """One URL of each kind of page the site has (a school that is not 达标, for its verdict)."""
    school = next(s for s in schools(site) if s["status"] != "达标")
    rule = sorted(p.name for p in (site / "rules").iterdir())[0]
    return [
        "/", "/districts/", f"/districts/{school['district']}/",
        f"/schools/{school['id']}/", f"/schools/{school['id']}/notice.html",
        f"/schools/{school['id']}/risk.html", "/reference/rules/", f"/rules/{rule}/",
        "/reference/status/", "/reference/schema/", "/about/", "/404.html",
    ]  # fmt: skip


def _open_everything(page) -> None:
    page.wait_for_load_state("networkidle")
    page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")


def axe_violations(page) -> list[str]:
    if not AXE.is_file():
        pytest.fail("axe-core 未安装:请在仓库根目录运行 npm ci")
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        """async (tags) => (await axe.run(document, {runOnly: {type: "tag", values: tags}}))
            .violations.map((v) => v.id + ": " + v.nodes.map((n) => n.target.join(" ")).join(", "))""",
        AXE_TAGS,
    )
    return found


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_every_page_template_passes_axe(sample_site, sample_url, page, viewport):
    page.set_viewport_size(viewport)
    violations = {}
    for path in template_pages(sample_site):
        page.goto(sample_url + path)
        _open_everything(page)
        found = axe_violations(page)
        if path == "/about/":  # the header's search panel, open with results
            page.locator("#xa-search-toggle").click()
            page.locator("#xa-search-panel input").fill("实验小学")
            page.locator("#xa-search-panel .pagefind-ui__result-link").first.wait_for()
            found += axe_violations(page)
        if found:
            violations[path] = found
    assert violations == {}
    assert page.problems == []


def test_no_page_scrolls_sideways_on_a_phone(sample_site, sample_url, page):
    page.set_viewport_size({"width": 360, "height": 800})
    wide = {}
    for path in template_pages(sample_site):
        page.goto(sample_url + path)
        _open_everything(page)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide[path] = width
    assert wide == {}


def test_a_parent_finds_a_school_and_reads_why_it_is_overdue(sample_site, sample_url, page):
    school = next(s for s in schools(sample_site) if s["status"] == "逾期")
    page.set_viewport_size(PHONE)
    page.goto(sample_url + "/about/")
    page.locator("#xa-search-toggle").click()
    page.locator("#xa-search-panel input").fill(school["name"])
    link = page.locator("#xa-search-panel .pagefind-ui__result-link").first
    assert link.inner_text() == school["name"]
    link.click()
    page.wait_for_url(f"**/schools/{school['id']}/")

    # the first thing under the name is the verdict: status, why, as of when
    verdict = page.locator(".xa-verdict")
    assert verdict.locator(".xa-verdict__head").inner_text().startswith("逾期")
    # from when, and until when at the latest: true on each day until then, with no rebuild
    assert re.search(r"状态自 2026-\d\d-\d\d 起有效,下次可能变化:2026-\d\d-\d\d", verdict.inner_text())
    assert "截至" not in verdict.inner_text()
    box = verdict.bounding_box()
    assert box["y"] + box["height"] < PHONE["height"], "the verdict is not on the first screen"
    reasons = verdict.locator(".xa-verdict__items li")
    # by when it was due: a date, not days counted from the day of evaluation
    assert reasons.count() >= 1 and re.search(r"\d{4}-\d{2}-\d{2}", reasons.first.inner_text())
    shot(page, "school-phone")

    # what 逾期 means, and what the rule asks and where it comes from
    verdict.locator("a.xa-pill").click()
    page.wait_for_url("**/reference/status/#overdue")
    assert "超过了规定的期限" in page.locator("#overdue + dd").inner_text()
    page.go_back()
    reasons.first.get_by_role("link", name="这条要求是什么").click()
    page.wait_for_url("**/rules/*/")
    assert page.locator("#source + p").inner_text().strip()
    assert page.problems == []
