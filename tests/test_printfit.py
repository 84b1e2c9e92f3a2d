"""Whether a printed sheet fits one A4 page: the estimate, and the estimate against Chromium.

The fast tests check the line counting and the sample schools. The browser tests build the
samples with a few schools made near the boundary (just under and just over one page, for
the 风险公告 and the 一校一警 notice) and one made far too long, print them with Chromium, and
compare the pages and heights with :mod:`generator.site.printfit`'s estimate.
"""

from __future__ import annotations

import copy
import functools
import io
import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml
from browser import SAMPLE_RECORDS, run_build, serve
from dossiers import evaluate_one

from generator.core import schema
from generator.devtools.synth import dump
from generator.site import pages, printfit
from generator.site.build import prepare
from generator.site.printfit import Overflow, lines, notice_pages, overflowing, risk_pages

AS_OF = date(2026, 11, 23)
BASE = SAMPLE_RECORDS / "hexi" / "hx-dier-zhongxue.yaml"
DISTRICT = {"id": "hexi", "name": "河西区"}


def sample_pages(records: Path = SAMPLE_RECORDS) -> dict[str, dict]:
    """The school page data of every school of ``records``, by id, as the build makes it."""
    data = prepare(records, AS_OF)
    views = {k: schema.public_view(d.data, "district") for k, d in data.records.districts.items()}
    docs = {doc.file: doc for doc in data.records.schools}
    found = {}
    for result in data.evaluation.schools:
        s = pages.school_page(docs[result.file].data, result, views.get(result.district, {}), AS_OF)
        found[s["id"]] = s
    return found


# ---------------------------------------------------------------------------------------------
# Lines of text

SIZE = 3.0  # mm


@pytest.mark.parametrize(
    "text, ems, expected",
    [
        ("消防安全" * 5, 20, 1),  # a Chinese character is one em
        ("消防安全" * 5 + "检", 20, 2),
        ("消防安全" * 4 + "2026-12-16", 20, 2),  # a date is not broken, it moves on
        ("消防安全" * 5 + "。" + "检" * 19, 20, 3),  # no line starts with 。: 全 goes along
        ("消防安全" * 5 + "\uff0c" + "检" * 19, 20, 3),  # nor with a full-width comma
        ("消防安全" * 4 + "检查" + "\n" + "每月", 40, 2),  # a newline starts a line
        ("R-2026-0000000000000000001", 5, 3),  # longer than a line: broken anywhere
        ("检查 R-2026-0000000000000000001", 6, 4),  # on lines of its own
        ("每15日检查", 5.5, 1),  # digits are half as wide
    ],
)
def test_lines(text, ems, expected):
    assert lines(text, ems * SIZE, SIZE) == expected


def test_the_numbers_are_those_of_print_css():
    css = (Path(printfit.__file__).parent / "assets" / "print.css").read_text(encoding="utf-8")
    widths = {}
    for names, mm in re.findall(r"((?:\.xa-col-\w+,?\s*)+)\{ width: (\d+)mm; \}", css):
        widths.update(dict.fromkeys(re.findall(r"\.xa-col-(\w+)", names), int(mm)))
    assert widths == {k: v for k, v in printfit.COLUMNS.items() if k != "description"}
    assert "@page { size: A4; margin: 12mm; }" in css
    assert f"body {{ line-height: {printfit.LINE}; }}" in css


def test_the_samples_fit_on_one_page_each():
    found = sample_pages()
    assert overflowing(found.values()) == []
    # and not by a hair: the fullest sheet leaves room
    assert max(risk_pages(s) for s in found.values()) < 0.9


@functools.cache
def _base() -> dict:
    return yaml.safe_load(BASE.read_text(encoding="utf-8"))


def _school(n: int, risks: list[dict] | None = None) -> dict:
    """The base dossier as school ``hx-ceshi-dayin-<n>`` (测试打印学校<n>), with ``risks``
    instead of its own (then no hazard refers to one)."""
    data = copy.deepcopy(_base())
    data["profile"].update(id=f"hx-ceshi-dayin-{n}", name=f"测试打印学校{n}")
    if risks is not None:
        data["risks"] = risks
        for hazard in data["hazards"]:
            hazard.pop("risk", None)
    return data


def _risk(i: int, description: str, controls: list[str] | None = None, **more) -> dict:
    return {
        "id": f"R-{i:02d}", "place": "教学楼", "category": "消防", "level": "一般",
        "description": description, "controls": controls or [], "owner": "王老师",
        "assessed": "2026-09-01", "next_review": "2027-03-01", **more,
    }  # fmt: skip


def _page(data: dict) -> dict:
    return pages.school_page(data, evaluate_one(data, AS_OF, lines=False), DISTRICT, AS_OF)


def test_many_risks_overflow_and_the_warning_names_the_school():
    text = "汛期河道水位上涨,学生私自下河游泳存在溺水风险。" * 3
    s = _page(_school(1, risks=[_risk(i, text) for i in range(1, 13)]))

    (found,) = overflowing([s])

    assert (found.sheet, found.school, found.name) == ("risk", "hx-ceshi-dayin-1", "测试打印学校1")
    assert 1.2 < found.pages < 2
    assert re.fullmatch(
        r"注意:测试打印学校1\(hx-ceshi-dayin-1\)的风险公告超过一页 A4\(约 1\.\d 页\),"
        r"打印时接续到下一页;如需一页,请精简风险描述或管控措施。",
        found.message(),
    )


def test_the_estimate_is_rounded_up():
    assert "约 1.1 页" in Overflow("x", "甲", "notice", 1.01).message()
    assert "约 1.3 页" in Overflow("x", "甲", "risk", 1.3).message()


def test_long_duties_overflow_the_notice():
    data = _school(1)
    data["police"]["duties"] = "定期到校了解安全情况,参与学校应急演练。" * 40
    s = _page(data)
    assert [(o.sheet, o.school) for o in overflowing([s])] == [("notice", "hx-ceshi-dayin-1")]


# ---------------------------------------------------------------------------------------------
# Schools near the boundary, made with the estimate, checked with Chromium


def _tune(make, estimate, low: float, high: float) -> dict:
    """The dossier ``make(k)`` for the smallest ``k`` whose estimated pages reach ``low``
    (they grow with ``k``); they must not pass ``high``."""
    first, last = 1, 3000
    while first < last:
        k = (first + last) // 2
        if estimate(_page(make(k))) >= low:
            last = k
        else:
            first = k + 1
    data = make(first)
    assert low <= estimate(_page(data)) <= high, f"no dossier puts the estimate in [{low}, {high}]"
    return data


FILL = "校园周边道路车流量大,上下学时段人车混行,存在交通事故风险。" * 80


def _risks(n: int):
    """School ``n`` with ``k`` characters of risk descriptions, 120 a row."""

    def make(k: int) -> dict:
        rows = [_risk(i + 1, FILL[:120]) for i in range(k // 120)]
        if k % 120:
            rows.append(_risk(len(rows) + 1, FILL[: k % 120]))
        return _school(n, risks=rows)

    return make


def _duties(n: int):
    """School ``n`` with ``k`` characters of the officer's duties."""

    def make(k: int) -> dict:
        data = _school(n)
        data["police"]["duties"] = FILL[:k]
        return data

    return make


# (school number, what to make, the estimate's window): just under and just over one page
NEAR = [
    (11, _risks(11), risk_pages, 0.965, 0.99),
    (12, _risks(12), risk_pages, 1.01, 1.035),
    (13, _duties(13), notice_pages, 0.965, 0.99),
    (14, _duties(14), notice_pages, 1.01, 1.035),
]
LONG = "hx-ceshi-dayin-20"  # far over one page: 18 rows of mixed, long text


def _long_school() -> dict:
    rows = []
    for i in range(1, 19):
        rows.append(
            _risk(
                i,
                f"{FILL[:30]}(依据 GB 50016-2014 第 {i} 条,每 15 日检查 1 次。){FILL[: i * 2]}",
                ["宿管员夜间每两小时巡查一次并记录", f"每层配置灭火器,止于 END{i:02d}"],
                place="学生宿舍楼及食堂后厨" if i % 3 else "北侧河道",
                owner="阿卜杜热合曼·买买提" if i % 4 == 0 else "王老师",
                next_review="2026-10-01" if i % 5 == 0 else "2027-03-01",  # some late
            )
        )
    return _school(20, risks=rows)


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """The samples and the schools above, built with the real CLI and served:
    (url, stderr of the build, page data by school id)."""
    root = tmp_path_factory.mktemp("printfit")
    records = shutil.copytree(SAMPLE_RECORDS, root / "records")
    made = [_tune(make, est, low, high) for _, make, est, low, high in NEAR] + [_long_school()]
    for data in made:
        path = records / "hexi" / f"{data['profile']['id']}.yaml"
        path.write_text(dump(data), encoding="utf-8")
    done = run_build(records, root / "site")
    assert done.returncode == 0, done.stderr
    with serve(root / "site") as url:
        yield url, done.stderr, sample_pages(records)


def _pdf(page, url: str) -> list[str]:
    """The text of each page of ``url`` printed to PDF on A4 (as a browser prints it)."""
    from pypdf import PdfReader

    page.goto(url)
    page.wait_for_load_state("networkidle")
    pdf = PdfReader(io.BytesIO(page.pdf(format="A4", print_background=True)))
    return [p.extract_text() for p in pdf.pages]


MM = 96 / 25.4  # CSS pixels in a mm


@pytest.mark.browser
def test_the_estimate_matches_the_height_chromium_lays_out(printed, browser_context):
    """Every sheet of the samples and the schools near the boundary, laid out for print on
    A4's width: the estimated height is the real one, to within 1 % of a page."""
    url, _, found = printed
    tab = browser_context.new_page()
    tab.set_viewport_size({"width": round(printfit.PAGE_WIDTH * MM), "height": 1000})
    tab.emulate_media(media="print")
    off = {}
    for sid, s in found.items():
        if sid == LONG:
            continue
        for sheet, estimate in printfit.ESTIMATES.items():
            tab.goto(f"{url}/schools/{sid}/{sheet}.html")
            height = tab.locator("main").bounding_box()["height"] / MM
            real = height / printfit.PAGE_HEIGHT
            if abs(estimate(s) - real) > 0.01:
                off[f"{sid} {sheet}"] = (round(estimate(s), 3), round(real, 3))
    tab.close()
    assert off == {}


@pytest.mark.browser
@pytest.mark.parametrize("n, sheet", [(n, "risk" if est is risk_pages else "notice")
                                      for n, _, est, _, _ in NEAR])  # fmt: skip
def test_just_under_one_page_prints_on_one_and_just_over_on_two(printed, page, n, sheet):
    url, stderr, found = printed
    sid = f"hx-ceshi-dayin-{n}"
    estimate = printfit.ESTIMATES[sheet](found[sid])

    printed_pages = len(_pdf(page, f"{url}/schools/{sid}/{sheet}.html"))

    assert printed_pages == (1 if estimate < 1 else 2), f"estimated {estimate:.3f}"
    warned = f"注意:测试打印学校{n}({sid})的{printfit.SHEETS[sheet]}超过一页 A4" in stderr
    assert warned == (estimate > 1)


@pytest.mark.browser
def test_a_long_announcement_runs_onto_a_second_page_whole_rows_under_a_repeated_header(
    printed, page
):
    url, stderr, found = printed
    s = found[LONG]

    texts = _pdf(page, f"{url}/schools/{LONG}/risk.html")

    assert len(texts) == 2 == int(risk_pages(s)) + 1
    for text in texts:  # the header row on each page
        assert re.search(r"编号\s+\S+\s+类别\s+等级", text), text
    for r in s["risks"]:  # each row whole on one page: its number and its last words
        end = f"END{r['id'][2:]}"
        where = [i for i, text in enumerate(texts) if re.search(rf"\b{r['id']}\b", text)]
        assert len(where) == 1 and end in texts[where[0]], f"{r['id']} is split: {where}"
    assert f"注意:{s['name']}({LONG})的风险公告超过一页 A4(约 1." in stderr


@pytest.mark.browser
def test_the_build_warns_about_exactly_the_sheets_over_one_page(printed):
    _, stderr, found = printed
    warned = re.findall(r"注意:\S+?\(([\w-]+)\)的(\S+?)超过一页 A4", stderr)
    expected = [(o.school, printfit.SHEETS[o.sheet]) for o in overflowing(found.values())]
    assert sorted(warned) == sorted(expected)
    assert {w[0] for w in warned} == {"hx-ceshi-dayin-12", "hx-ceshi-dayin-14", LONG}
