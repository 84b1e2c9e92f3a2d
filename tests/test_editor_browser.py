"""The web editor in a real browser: Decap CMS from /admin/, decap-server in git mode.

Each test clones a temporary git repository holding the sample records, starts decap-server
(`MODE=git`) on the clone and serves /admin/ (written by `editor.write_admin`) on localhost,
then drives headless Debian chromium with Playwright. Saving goes through Decap's editorial
workflow: a commit on the branch cms/<district>/<school> of the clone.
"""

from __future__ import annotations

import copy
import datetime
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml
from browser import serve
from conftest import REPO
from test_browser import DESKTOP, PHONE, axe_violations
from test_editor import require_node_modules

from generator.authoring import editor
from generator.core.load import parse
from generator.devtools.synth import dump

pytestmark = pytest.mark.browser

SAMPLE = REPO / "records"
DISTRICT = "chengguan"
SCHOOL = "cg-diyi-xiaoxue"
NAME = "城关第一小学"
DRILL_DATE = (datetime.date.today() - datetime.timedelta(days=2)).isoformat()


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          encoding="utf-8", check=True)  # fmt: skip
    return done.stdout


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Editor:
    url: str  # the site, no trailing slash
    repo: Path  # the clone decap-server works in
    log: Path

    def file(self, school: str) -> str:
        return f"records/{DISTRICT}/{school}.yaml"

    def branch(self, school: str) -> str:
        return f"cms/{DISTRICT}/{school}"


@contextmanager
def running_editor(tmp_path: Path, extra: dict[str, str] | None = None) -> Iterator[Editor]:
    """The sample records (plus ``extra`` files) in a cloned repository, decap-server on it
    and /admin/ served from a temporary site."""
    require_node_modules()
    origin = tmp_path / "origin"
    shutil.copytree(SAMPLE, origin / "records")
    for rel, text in (extra or {}).items():
        (origin / rel).write_text(text, encoding="utf-8")
    git(origin, "init", "-q", "-b", "main")
    git(origin, "add", ".")
    git(
        origin,
        "-c",
        "user.name=测试",
        "-c",
        "user.email=test@example.org",
        "commit",
        "-q",
        "-m",
        "示例档案",
    )
    repo = tmp_path / "repo"
    subprocess.run(["git", "clone", "-q", str(origin), str(repo)], check=True)
    git(repo, "config", "user.name", "学校安全管理员")
    git(repo, "config", "user.email", "officer@example.org")

    port = free_port()
    proxy = f"http://127.0.0.1:{port}/api/v1"
    log = tmp_path / "decap-server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(REPO / "node_modules" / ".bin" / "decap-server")],
            env={**os.environ, "MODE": "git", "GIT_REPO_DIRECTORY": str(repo), "PORT": str(port),
                 "BIND_HOST": "127.0.0.1"},
            stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        wait_for(proxy, server, log)
        config = editor.editor_config(
            repo / "records", backend="local", base_url=proxy, folder="records"
        )
        site = tmp_path / "site"
        assert editor.write_admin(site, config)
        with serve(site) as url:
            yield Editor(url, repo, log)
    finally:
        server.terminate()
        server.wait(timeout=10)


def wait_for(proxy: str, server: subprocess.Popen, log: Path) -> None:
    request = urllib.request.Request(proxy, data=b'{"action":"info"}',
                                     headers={"Content-Type": "application/json"})  # fmt: skip
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(request, timeout=2) as answer:
                assert json.load(answer)["type"] == "local_git"
                return
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"decap-server 没有启动:\n{log.read_text(encoding='utf-8')}")
            time.sleep(0.2)


def block_outside(page, site: str) -> list[str]:
    """Refuse every request that leaves this computer; return the list of those tried."""
    outside: list[str] = []

    def handle(route):
        url = route.request.url
        if url.startswith(("http://127.0.0.1:", "http://localhost:", "data:", "blob:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    page.route("**/*", handle)
    return outside


def open_school(page, ed: Editor, label: str) -> float:
    """Log in to the local backend and open a school's dossier; return the seconds it took."""
    page.goto(f"{ed.url}/admin/")
    page.get_by_role("button", name="登录").click()
    entry = page.get_by_text(label, exact=True)
    entry.wait_for()
    started = time.perf_counter()
    entry.click()
    list_field(page, "应急演练").get_by_role("button", name="新增演练记录").wait_for()
    return time.perf_counter() - started


def list_field(page, label: str):
    return page.locator('[aria-label="list field"]').filter(
        has=page.locator("label", has_text=re.compile(f"^{label}$"))
    )


def choose(field, value: str) -> None:
    field.fill(value)
    field.press("Enter")


def add_drill(page, participants: str = "1288", organiser: str | None = None) -> None:
    drills = list_field(page, "应急演练")
    drills.get_by_role("button", name="新增演练记录").click()
    drills.get_by_label("演练日期").last.fill(DRILL_DATE)
    choose(drills.get_by_label("演练类型").last, "防踩踏")
    choose(drills.get_by_label("范围").last, "全校")
    drills.get_by_label("参加人数").last.fill(participants)
    if organiser is not None:
        drills.get_by_label("组织人 (可选)").last.fill(organiser)


def save(page) -> float:
    started = time.perf_counter()
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("内容已保存").wait_for()
    return time.perf_counter() - started


def new_drill() -> dict:
    return {"date": DRILL_DATE, "kind": "防踩踏", "scope": "全校", "participants": 1288}


# ---------------------------------------------------------------------------------------------


def test_a_drill_added_in_the_editor_lands_on_a_branch_as_valid_yaml(page, tmp_path):
    with running_editor(tmp_path) as ed:
        outside = block_outside(page, ed.url)
        open_school(page, ed, f"{NAME}({SCHOOL})")
        # Decap's strings that its Chinese lacks are Chinese too: the toggles of nested fields
        toggles = page.locator('[aria-label="Expand"], [aria-label="Collapse"]')
        assert toggles.count() == 0
        assert page.locator('[aria-label="展开"], [aria-label="收起"]').count() > 0
        add_drill(page)
        save(page)

        before_text = git(ed.repo, "show", f"main:{ed.file(SCHOOL)}")
        after_text = git(ed.repo, "show", f"{ed.branch(SCHOOL)}:{ed.file(SCHOOL)}")
        before, after = parse(before_text, SCHOOL).data, parse(after_text, SCHOOL).data
        assert after == {**before, "drills": [*before["drills"], new_drill()]}
        # the text too: four lines added, nothing else touched (comments, quotes, flow lists)
        assert git(ed.repo, "diff", "--numstat", "main", ed.branch(SCHOOL)).split() == [
            "4", "0", ed.file(SCHOOL)
        ]  # fmt: skip
        assert (
            f"  - date: {DRILL_DATE}\n    kind: 防踩踏\n    scope: 全校\n    participants: 1288\n"
            in after_text
        )
        # the editorial workflow: a draft on its own branch, main untouched, the clone clean
        assert (
            git(ed.repo, "config", f"branch.{ed.branch(SCHOOL)}.description").strip()
            == "decap-cms/draft"
        )
        # the commit message says what changed (Decap's own would be "修改学校档案 <slug>")
        assert (
            git(ed.repo, "log", "-1", "--format=%B", ed.branch(SCHOOL)).strip()
            == f"{NAME}:新增演练记录 {DRILL_DATE} 防踩踏"
        )
        # decap-server answers the save before it has checked main out again: wait for that
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and (
            git(ed.repo, "rev-parse", "--abbrev-ref", "HEAD").strip() != "main"
            or git(ed.repo, "status", "--porcelain") != ""
        ):
            time.sleep(0.2)
        assert git(ed.repo, "rev-parse", "--abbrev-ref", "HEAD").strip() == "main"
        assert git(ed.repo, "status", "--porcelain") == ""
        assert outside == []
        assert not [p for p in page.problems if p.startswith("uncaught")], page.problems

        # what the branch holds passes `xiaoan validate`
        check = tmp_path / "check"
        check.mkdir()
        archive = subprocess.run(
            ["git", "-C", str(ed.repo), "archive", ed.branch(SCHOOL), "records"],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        subprocess.run(["tar", "-x", "-C", str(check)], input=archive, check=True)
        done = subprocess.run(
            [sys.executable, "-m", "generator", "validate", "--records", str(check / "records")],
            capture_output=True, text=True, encoding="utf-8",
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr


def broken_school(text: str) -> str:
    """The sample school renamed, with its first hazard's deadline a day that does not exist."""
    text = text.replace(f"id: {SCHOOL}", "id: cg-cuowu-xiaoxue", 1).replace(
        f"name: {NAME}", "name: 城关错误小学", 1
    )
    return re.sub(r"(\n    deadline: )\S+", r"\g<1>2024-13-01", text, count=1)


def test_the_whole_entry_is_validated_before_saving(page, tmp_path):
    text = (SAMPLE / DISTRICT / f"{SCHOOL}.yaml").read_text(encoding="utf-8")
    extra = {f"records/{DISTRICT}/cg-cuowu-xiaoxue.yaml": broken_school(text)}
    with running_editor(tmp_path, extra) as ed:
        outside = block_outside(page, ed.url)
        open_school(page, ed, "城关错误小学(cg-cuowu-xiaoxue)")
        add_drill(page, organiser="王" * 41)  # typed into a list item: longer than 40 characters
        page.get_by_role("button", name="保存", exact=True).click()
        panel = page.locator("#xiaoan-problems")
        panel.wait_for()
        shown = panel.inner_text()
        data = parse(text, SCHOOL).data
        drills = len(data["drills"]) + 1
        first = data["hazards"][0]["id"]  # an item with an id is named by it
        assert f"隐患清单 {first} › 整改期限:“2024-13-01”不是有效日期 (YYYY-MM-DD)" in shown
        assert f"应急演练 第{drills}项 › 组织人:不能超过 40 个字(现有 41 个字)" in shown
        assert "未保存" in shown
        assert page.evaluate("document.activeElement.id") == "xiaoan-problems"
        # 转到 opens the closed list and its closed item, and puts the cursor in the field
        hazards = list_field(page, "隐患清单")
        assert hazards.locator("input[id^='deadline-field-']").filter(visible=True).count() == 0
        panel.get_by_role("button", name=f"转到 隐患清单 {first} › 整改期限").click()
        page.wait_for_function(
            """() => { const e = document.activeElement, box = e.getBoundingClientRect();
                       return e.id.startsWith('deadline-field-') && e.checkVisibility()
                              && box.top >= 0 && box.bottom <= innerHeight; }"""
        )
        said = page.evaluate("document.activeElement.parentElement.textContent")
        assert said.startswith("“2024-13-01”不是有效日期")
        page.get_by_text("保存内容失败").wait_for()  # Decap's own notice says so too
        assert git(ed.repo, "branch", "--list", "cms/*") == ""  # nothing was committed
        assert outside == []


def big_school(text: str, hazards: int = 150, drills: int = 60) -> str:
    """The sample school with ``hazards`` hazards and ``drills`` drills."""
    data = parse(text, SCHOOL).data
    data["profile"] |= {"id": "cg-da-xiaoxue", "name": "城关大型小学"}
    start = datetime.date(2019, 1, 7)
    listed = []
    for i in range(hazards):
        hazard = copy.deepcopy(data["hazards"][i % len(data["hazards"])])
        hazard["id"] = f"H-{i + 1:04d}"
        hazard.pop("inspection", None)
        listed.append(hazard)
    data["hazards"] = listed
    data["drills"] = [
        dict(
            data["drills"][i % len(data["drills"])],
            date=(start + datetime.timedelta(days=30 * i)).isoformat(),
        )
        for i in range(drills)
    ]
    return dump(data)


def test_opening_and_saving_a_dossier_with_150_hazards_and_60_drills(page, tmp_path):
    text = (SAMPLE / DISTRICT / f"{SCHOOL}.yaml").read_text(encoding="utf-8")
    extra = {f"records/{DISTRICT}/cg-da-xiaoxue.yaml": big_school(text)}
    with running_editor(tmp_path, extra) as ed:
        page.set_default_timeout(120_000)
        opened = open_school(page, ed, "城关大型小学(cg-da-xiaoxue)")
        started = time.perf_counter()
        add_drill(page)
        typed = time.perf_counter() - started
        saved = save(page)
        print(
            f"\nDecap CMS, 150 隐患 + 60 演练:打开 {opened:.2f} s,"
            f"填写一条演练 {typed:.2f} s,保存 {saved:.2f} s"
        )
        after = parse(
            git(ed.repo, "show", f"{ed.branch('cg-da-xiaoxue')}:{ed.file('cg-da-xiaoxue')}"), "x"
        ).data
        assert len(after["hazards"]) == 150 and len(after["drills"]) == 61


DIER = "cg-dier-zhongxue"  # 城关区第二中学: hazard H-2026-002 is being rectified


def test_the_safety_officer_records_a_drill_and_closes_a_hazard_then_the_reviewer_diffs(
    page, tmp_path
):
    """Journeys 1 and 2 end to end: a drill and a hazard's closing saved from the editor as
    one branch; `xiaoan diff` on that branch shows the reviewer both, and passes."""
    with running_editor(tmp_path) as ed:
        open_school(page, ed, f"城关区第二中学({DIER})")
        add_drill(page)
        hazards = list_field(page, "隐患清单")
        hazards.get_by_test_id("expand-button").first.click()  # the list, then the item
        summary = hazards.get_by_text(re.compile(r"^H-2026-002 · "))
        summary.locator("xpath=preceding-sibling::div[1]/button[1]").click()  # its own toggle

        def hazard_field(label: str):  # the opened item's field (closed ones are hidden)
            return hazards.get_by_label(re.compile(f"^{label}")).filter(visible=True)

        verifier = hazard_field("验收人")
        verifier.wait_for()
        choose(hazard_field("状态"), "已销号")
        hazard_field("整改完成日期").fill(DRILL_DATE)
        hazard_field("销号日期").fill(DRILL_DATE)
        verifier.fill("王振东")
        # the date field: the browser's picker and, beside it, the date in Chinese
        day = datetime.date.fromisoformat(DRILL_DATE)
        said = f"{day.year}年{day.month}月{day.day}日 星期{'一二三四五六日'[day.weekday()]}"
        closed = hazard_field("销号日期")
        assert closed.get_attribute("type") == "date"
        shown = closed.evaluate("e => e.nextElementSibling.textContent")  # .xiaoan-date-said
        assert shown == said
        save(page)

        text = git(ed.repo, "show", f"{ed.branch(DIER)}:{ed.file(DIER)}")
        # saved as the schema wants: a plain YYYY-MM-DD (a YAML date, read by xiaoan as text)
        assert f"\n    closed: {DRILL_DATE}\n" in text
        (raw,) = [h for h in yaml.safe_load(text)["hazards"] if h["id"] == "H-2026-002"]
        assert raw["closed"] == day
        after = parse(text, DIER).data
        (closed,) = [h for h in after["hazards"] if h["id"] == "H-2026-002"]
        assert (closed["status"], closed["closed"], closed["verifier"]) == (
            "已销号", DRILL_DATE, "王振东"
        )  # fmt: skip
        done = subprocess.run(
            [sys.executable, "-m", "generator", "diff", "main", ed.branch(DIER),
             "--records", "records", "--format", "markdown"],
            cwd=ed.repo, capture_output=True, text=True, encoding="utf-8",
        )  # fmt: skip
        assert done.returncode == 0, done.stdout + done.stderr
        assert "销号的隐患:H-2026-002" in done.stdout
        assert f"应急演练:新增 {DRILL_DATE} 防踩踏" in done.stdout
        assert "全部修改过的档案通过校验" in done.stdout
        # the commit (and so the pull request's title) says what changed, as xiaoan diff does
        subject = git(ed.repo, "log", "-1", "--format=%B", ed.branch(DIER)).strip()
        assert subject == f"城关区第二中学:隐患 H-2026-002 销号;新增演练记录 {DRILL_DATE} 防踩踏"
        as_json = subprocess.run(
            [sys.executable, "-m", "generator", "diff", "main", ed.branch(DIER),
             "--records", "records", "--format", "json"],
            cwd=ed.repo, capture_output=True, text=True, encoding="utf-8", check=True,
        ).stdout  # fmt: skip
        assert [s["subject"] for s in json.loads(as_json)["schools"]] == [subject]


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366", "390"])
def test_the_editor_passes_axe_and_fits_a_phone(page, tmp_path, viewport):
    """axe-core on every screen of /admin/ a safety officer meets, the glue script's problems
    panel and date field among them, and nothing wider than the screen."""
    page.set_viewport_size(viewport)
    with running_editor(tmp_path) as ed:
        found = {}

        def check(screen: str) -> None:
            page.wait_for_load_state("networkidle")
            page.add_style_tag(content="* { transition: none !important; }")  # colours as they end
            violations = axe_violations(page)
            width = page.evaluate("document.documentElement.scrollWidth")
            if violations or width > viewport["width"]:
                found[screen] = {"axe": violations, "width": width}

        page.goto(f"{ed.url}/admin/")
        page.get_by_role("button", name="登录").wait_for()
        check("登录")
        page.get_by_role("button", name="登录").click()
        page.get_by_text(f"{NAME}({SCHOOL})", exact=True).wait_for()
        check("学校列表")
        page.goto(f"{ed.url}/admin/#/workflow")
        page.get_by_text("工作流", exact=True).first.wait_for()
        check("工作流")
        page.goto(f"{ed.url}/admin/#/collections/{DISTRICT}/entries/{DIER}")
        list_field(page, "应急演练").get_by_role("button", name="新增演练记录").wait_for()
        page.evaluate("xiaoanEditor.goTo(['hazards', 1, 'closed'])")  # a list item opened
        page.wait_for_function("document.activeElement.id.startsWith('closed-field-')")
        check("档案")
        add_drill(page, organiser="王" * 41)
        page.get_by_role("button", name="保存", exact=True).click()
        page.locator("#xiaoan-problems").wait_for()
        page.get_by_text("保存内容失败").first.wait_for()
        check("问题清单")
        assert found == {}
