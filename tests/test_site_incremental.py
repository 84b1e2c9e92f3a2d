"""Incremental builds (generator/site/manifest.py, publisher.py): a build on top of the site
built before renders only what changed, and its output is byte for byte the output of a
full build of the same records on the same day."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from conftest import REPO, school
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from generator.authoring import edit
from generator.cli import main
from generator.devtools import synth
from generator.site import manifest, search
from generator.site.build import build, differences

pytestmark = pytest.mark.slow  # whole-site builds

AS_OF = date(2026, 11, 23)


@pytest.fixture
def records(national_records: Path) -> Path:
    return national_records


def full_build(records: Path, out: Path, as_of: date) -> None:
    shutil.rmtree(out, ignore_errors=True)
    assert build(records, out, as_of, full=True).summary.endswith("全部页面")


def cli_build(records: Path, out: Path, *args: str):
    run = CliRunner().invoke(main, ["build", "--records", str(records), "--out", str(out),
                                    "--as-of", AS_OF.isoformat(), *args])  # fmt: skip
    assert run.exit_code == 0, run.output
    return run


def files(site: Path) -> dict[str, tuple[int, int]]:
    """Each file of the site (relative path): its inode and modification time."""
    return {str(p.relative_to(site)): (p.stat().st_ino, p.stat().st_mtime_ns)
            for p in site.rglob("*") if p.is_file()}  # fmt: skip


def test_a_build_with_nothing_changed_writes_nothing_and_says_so(records, tmp_path):
    out = tmp_path / "site"
    cli_build(records, out)
    folder, before = out.stat().st_ino, files(out)
    run = cli_build(records, out, "--verbose")
    assert run.stderr.splitlines()[-1] == "没有变化:网站保持原样(共 3 所学校)"
    assert run.stdout == ""  # no file listed, no "已生成网站"
    assert out.stat().st_ino == folder and files(out) == before  # the same folder, the same files
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records", "site"]  # no new generation


def test_verbose_lists_only_the_changed_schools_files_and_the_aggregates(records, tmp_path):
    out = tmp_path / "site"
    cli_build(records, out)
    before = files(out)
    path = records / "qiaobei" / "qb-di-yi-zhongxue.yaml"
    path.write_text(path.read_text("utf-8").replace("  name: ", "  name: 新", 1), "utf-8")
    run = cli_build(records, out, "-v")
    *listed, last = run.stdout.splitlines()
    assert last.startswith("已生成网站") and f"写入 {len(listed)} 个文件" in last
    assert listed == sorted(listed)
    after = files(out)
    assert listed == sorted(f for f in after if before.get(f, (0,))[0] != after[f][0])
    entry = json.loads((out / manifest.FILE).read_text("utf-8"))["schools"]["qb-di-yi-zhongxue"]
    school = [f for f in listed if "qb-di-yi-zhongxue" in f]
    assert school and set(school) <= set(entry["files"])
    aggregates = {
        ".xiaoan/manifest.json", "api/schools.json", "sitemap.xml", "sitemap.xml.gz", "index.html",
        "districts/index.html", "reference/rules/index.html", "reference/schema/index.html",
        "reference/status/index.html", "districts/qiaobei/index.html", "exports/districts/qiaobei.xlsx",
    }  # fmt: skip
    assert aggregates <= set(listed)
    # the search index of the schools: the school's fragment and what lists words and pages
    # (the chunks, the meta file); the shared one (home, reference pages …) read the same
    # pages as before, and is kept, as are the scripts; the runs Pagefind made
    index = {f for f in set(listed) - set(school) - aggregates if not f.startswith(search.RUNS_DIR)}
    assert index and all(f.startswith("pagefind/parts/00/") for f in index)
    assert [f for f in index if f.endswith(".pf_fragment")] == [
        f for f in listed if f.startswith("pagefind/") and f.endswith(".pf_fragment")
    ] and len([f for f in index if "/fragment/" in f]) == 1


def test_one_changed_school_runs_pagefind_over_its_page_only(tmp_path, monkeypatch):
    """60 schools, runs of at most 8 pages: after a new address, Pagefind reads that school's
    page alone; the kept runs are the previous build's files, the index's other fragments
    too, and the bundle is a full build's."""
    monkeypatch.setattr(search, "RUN_PAGES", 8)
    records, out = tmp_path / "records", tmp_path / "site"
    synth.write_tree(records, 60)
    build(records, out, synth.REF)
    before = files(out)
    path = sorted(records.glob("*/[!_]*.yaml"))[30]
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"^  address: (.*)$", r"  address: \1附1号", text, count=1, flags=re.M), "utf-8")

    assert build(records, out, synth.REF).summary.startswith("增量生成:1 所学校")

    after = files(out)
    written = {f for f in after if before.get(f, (0,))[0] != after[f][0]}
    runs = {f.split("/")[3] for f in written if f.startswith(search.RUNS_DIR)}
    (made,) = runs  # one new run, of one page: the school's
    pages = json.loads((out / search.RUNS_DIR / "00" / made / search.PAGES_FILE).read_bytes())["pages"]
    assert [url for url, _ in pages] == [f"/schools/{path.stem}/"]
    assert len([f for f in written if f.startswith("pagefind/") and "/fragment/" in f]) == 1
    full_build(records, tmp_path / "full", synth.REF)
    assert differences(out, tmp_path / "full") == []


def test_one_changed_school_is_the_only_school_rendered(records, tmp_path):
    out = tmp_path / "site"
    build(records, out, AS_OF)
    old = json.loads((out / manifest.FILE).read_text(encoding="utf-8"))
    path = records / "qiaobei" / "qb-di-yi-zhongxue.yaml"
    text = path.read_text(encoding="utf-8")
    name = re.search(r"^  name: (.*)$", text, re.M).group(1)
    path.write_text(text.replace(f"  name: {name}\n", "  name: 桥北区新名中学\n", 1), "utf-8")
    result = build(records, out, AS_OF)
    assert result.summary.startswith("增量生成:1 所学校、1 个区县有变化")
    new = json.loads((out / manifest.FILE).read_text(encoding="utf-8"))
    changed = {k for k in new["schools"] if new["schools"][k] != old["schools"][k]}
    assert changed == {"qb-di-yi-zhongxue"}
    assert "桥北区新名中学" in (out / "schools/qb-di-yi-zhongxue/index.html").read_text("utf-8")
    assert "桥北区新名中学" in (out / "api/schools.json").read_text("utf-8")
    full_build(records, tmp_path / "full", AS_OF)
    assert differences(out, tmp_path / "full") == []


def test_a_deleted_school_disappears_everywhere(records, tmp_path):
    out = tmp_path / "site"
    build(records, out, AS_OF)
    (records / "qiaobei" / "qb-di-yi-zhongxue.yaml").unlink()
    result = build(records, out, AS_OF)
    assert "1 所学校已删除" in result.summary
    assert not any("qb-di-yi-zhongxue" in str(p) for p in out.rglob("*"))
    full_build(records, tmp_path / "full", AS_OF)
    assert differences(out, tmp_path / "full") == []


def test_when_most_schools_changed_everything_is_made_again(records, tmp_path):
    """Linking every file and then replacing most of them costs more than a full build."""
    out = tmp_path / "site"
    build(records, out, AS_OF)
    for path in sorted(records.glob("*/[!_]*.yaml"))[:2]:
        text = path.read_text(encoding="utf-8")
        path.write_text(re.sub(r"^  name: (.*)$", r"  name: \1(改)", text, count=1, flags=re.M), "utf-8")
    result = build(records, out, AS_OF)
    assert result.summary == "3 所学校中 2 所有变化,重新生成全部页面"
    full_build(records, tmp_path / "full", AS_OF)
    assert differences(out, tmp_path / "full") == []


def test_a_renamed_district_is_rendered_again_with_its_schools_and_the_editor(records, tmp_path):
    out = tmp_path / "site"
    build(records, out, AS_OF)
    path = records / "qiaobei" / "_district.yaml"
    path.write_text(path.read_text("utf-8").replace("name: 桥北区", "name: 桥北新区"), "utf-8")
    result = build(records, out, AS_OF)
    assert result.summary.startswith("增量生成:1 所学校、1 个区县有变化")
    assert "桥北新区" in (out / "districts/qiaobei/index.html").read_text("utf-8")
    full_build(records, tmp_path / "full", AS_OF)
    assert differences(out, tmp_path / "full") == []


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("config", "网站配置(mkdocs.yml)有变化"),
        ("docs", "手写页面(docs/)有变化"),
        ("manifest", "上次构建的记录 {manifest} 已损坏,"),
        ("entry", "上次构建的记录 {manifest} 已损坏,"),
        ("no-manifest", "没有上次构建的记录 {manifest},"),
        ("engine", "网站引擎有变化"),
    ],
)
def test_what_the_manifest_cannot_vouch_for_means_a_full_build(records, tmp_path, change, reason):
    config = tmp_path / "mkdocs.yml"
    shutil.copy(REPO / "mkdocs.yml", config)
    shutil.copytree(REPO / "docs", tmp_path / "docs")
    out = tmp_path / "site"
    build(records, out, AS_OF, config_file=config)
    engine = "mkdocs"
    if change == "config":
        config.write_text(config.read_text("utf-8").replace("site_name: 校安档案", "site_name: 校安"), "utf-8")
    elif change == "docs":
        with open(tmp_path / "docs" / "about.md", "a", encoding="utf-8") as fh:
            fh.write("\n又及:本页有修改。\n")
    elif change == "manifest":
        (out / manifest.FILE).write_text("{not json", encoding="utf-8")
    elif change == "entry":
        data = json.loads((out / manifest.FILE).read_text(encoding="utf-8"))
        del next(iter(data["schools"].values()))["row"]
        (out / manifest.FILE).write_text(json.dumps(data), encoding="utf-8")
    elif change == "no-manifest":
        (out / manifest.FILE).unlink()
    else:
        engine = "zensical"
    result = build(records, out, AS_OF, config_file=config, engine=engine)
    reason = reason.format(manifest=out / manifest.FILE)
    assert reason in result.summary and result.summary.endswith("重新生成全部页面")


def test_full_is_asked_for_and_said(records, tmp_path):
    out = tmp_path / "site"
    build(records, out, AS_OF)
    assert "按要求(--full)重新生成全部页面" in cli_build(records, out, "--full").output


# ---------------------------------------------------------------------------------------------
# Any sequence of real changes: incremental equals full after every step


class IncrementalEqualsFull(RuleBasedStateMachine):
    """Random sequences of the changes schools and bureaus make, an incremental build after
    each, compared byte for byte with a full build of the same records on the same day."""

    def __init__(self, root: Path):
        super().__init__()
        self.root = root
        self.fulls = root / "full"  # full builds, by state: the seed's and the last

    @initialize()
    def start(self) -> None:
        self.step = 0
        self.as_of = AS_OF
        self.records = self.root / "records"
        self.site = self.root / "site"
        for folder in (self.records, self.site):
            shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(self.root.parent / "seed", self.records)
        self.seed = self._state()
        if (self.fulls / self.seed).is_dir():  # the seed's first build: every sequence's start
            # cp -a keeps the hard links between the badges and their shared files
            subprocess.run(["cp", "-a", self.fulls / self.seed, self.site], check=True)
        else:
            build(self.records, self.site, self.as_of)

    def _state(self) -> str:
        """What a full build is made from: the records, byte for byte, and the day."""
        return manifest.digest(manifest.tree(self.records), self.as_of)

    def _schools(self) -> list[Path]:
        return sorted(self.records.glob("*/[!_]*.yaml"))

    # The edits are the edit commands' own functions (generator/authoring/edit.py), validated
    # as of the machine's day: the commands check dates against the real today, which the
    # machine's day passes as it moves forward.
    @rule(which=st.integers(0, 10), days=st.integers(0, 20))
    def add_hazard(self, which: int, days: int) -> None:
        schools = self._schools()
        edit.add_hazard(schools[which % len(schools)], {
            "found": self.as_of, "source": "自查", "location": "东楼", "description": "灭火器过期",
            "category": "消防安全", "grade": "一般", "immediate": False, "status": "整改中",
            "measures": "更换灭火器", "owner": "王强", "deadline": self.as_of + timedelta(days=days),
            "interim_controls": "设置警示标志", "watcher": "李明",
        }, records=self.records, today=self.as_of)  # fmt: skip

    @rule(which=st.integers(0, 10))
    def close_hazard(self, which: int) -> None:
        schools = self._schools()
        path = schools[which % len(schools)]
        hazards = yaml.safe_load(path.read_text("utf-8")).get("hazards") or []
        open_ = [h["id"] for h in hazards if h.get("status") != "已销号"]
        if open_:
            edit.close_hazard(path, open_[0], rectified=self.as_of, closed=self.as_of,
                              verifier="赵敏", records=self.records, today=self.as_of)  # fmt: skip

    @rule(which=st.integers(0, 10))
    def add_drill(self, which: int) -> None:
        schools = self._schools()
        fields = {"date": self.as_of, "kind": "消防疏散", "scope": "全校", "participants": 300,
                  "evacuation_seconds": 180}  # fmt: skip
        edit.add_drill(schools[which % len(schools)], fields, records=self.records, today=self.as_of)

    @rule(which=st.integers(0, 10), name=st.sampled_from(["育才学校", "<b>新</b>学校", "明德中学"]))
    def rename_school(self, which: int, name: str) -> None:
        schools = self._schools()
        path = schools[which % len(schools)]
        text = path.read_text("utf-8")
        path.write_text(re.sub(r"^  name: .*$", f"  name: '{name}'", text, count=1, flags=re.M), "utf-8")

    @rule(rule_set=st.sampled_from(["national", "plan-003", "jizhou"]))
    def change_rule_set(self, rule_set: str) -> None:
        path = self.records / "chengguan" / "_district.yaml"
        text = path.read_text("utf-8")
        path.write_text(re.sub(r"rule_set: .*", f"rule_set: {rule_set}", text), "utf-8")

    @rule()
    def rename_district(self) -> None:
        path = self.records / "qiaobei" / "_district.yaml"
        text = path.read_text("utf-8")
        path.write_text(text.replace("name: 桥北区", "name: 桥北新区", 1) if "桥北新区" not in text else text.replace("name: 桥北新区", "name: 桥北区", 1), "utf-8")  # fmt: skip

    @rule()
    def delete_school(self) -> None:
        schools = self._schools()
        if len(schools) > 1:
            schools[-1].unlink()

    @rule(n=st.integers(0, 99))
    def add_school(self, n: int) -> None:
        target = self.records / "qiaobei" / f"qb-xin-{n:02d}-xiaoxue.yaml"
        base = (REPO / "tests/fixtures/valid/cg-shiyan-xiaoxue.yaml").read_text("utf-8")
        target.write_text(school(base, target.stem, "qiaobei"), "utf-8")

    @rule(days=st.integers(1, 45))
    def move_date(self, days: int) -> None:
        self.as_of += timedelta(days=days)

    @invariant()
    def incremental_equals_full(self) -> None:
        if not hasattr(self, "as_of"):
            return
        self.step += 1
        build(self.records, self.site, self.as_of)
        # The same records on the same day build the same bytes (test_site_build.py checks):
        # the seed's full build, which every sequence starts from, and the last one, which a
        # step that changed nothing compares with again, are made once.
        full = self.fulls / self._state()
        if not full.is_dir():
            for old in self.fulls.glob("*"):
                if old.name != self.seed:
                    shutil.rmtree(old)
            full_build(self.records, full, self.as_of)
        assert differences(self.site, full) == [], f"step {self.step}"


def test_incremental_equals_full_after_any_changes(records, tmp_path, monkeypatch):
    """50 sequences of 4 changes (60 of 8 under XIAOAN_THOROUGH=1), each change built
    incrementally and compared with a full build. The sites and the build cache are kept in
    memory (tmpfs) where there is one: every build writes hundreds of small files."""
    memory = Path(tempfile.mkdtemp(prefix="xiaoan-state-machine-", dir=search._scratch() or tmp_path))
    try:
        monkeypatch.setenv("XIAOAN_CACHE_DIR", str(memory / "cache"))
        shutil.copytree(records, memory / "seed")
        (memory / "run").mkdir()
        thorough = os.environ.get("XIAOAN_THOROUGH") == "1"
        run_state_machine_as_test(
            lambda: IncrementalEqualsFull(memory / "run"),
            settings=settings(
                max_examples=60 if thorough else 50, stateful_step_count=8 if thorough else 4,
                deadline=None, suppress_health_check=list(HealthCheck),
            ),
        )  # fmt: skip
    finally:
        shutil.rmtree(memory, ignore_errors=True)


def test_serve_republishes_when_a_dossier_changes(records, tmp_path):
    """``xiaoan serve`` watches the records: an edit shows on the served page, a bad edit
    says why and leaves the page as it was."""
    import socket
    import subprocess
    import sys
    import time
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "site"
    serve = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--records", str(records), "--out",
         str(out), "--as-of", AS_OF.isoformat(), "--port", str(port)],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}/schools/qb-di-yi-zhongxue/"

    def page_until(text: str, limit: float = 120) -> str:
        end = time.monotonic() + limit
        while time.monotonic() < end:
            try:
                html = urllib.request.urlopen(url, timeout=5).read().decode("utf-8")
                if text in html:
                    return html
            except OSError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"{text} never appeared")

    try:
        page_until("<h1")
        path = records / "qiaobei" / "qb-di-yi-zhongxue.yaml"
        text = path.read_text(encoding="utf-8")
        old = re.search(r"^  name: (.*)$", text, re.M).group(1)
        path.write_text(text.replace(f"  name: {old}\n", "  name: 桥北区改名中学\n", 1), "utf-8")
        page_until("桥北区改名中学")
        path.write_text(text.replace("  stage:", "  stage: 不是学段\n  x_stage:", 1), "utf-8")
        time.sleep(3)
        assert "桥北区改名中学" in page_until("桥北区改名中学")
    finally:
        serve.terminate()
        _, stderr = serve.communicate(timeout=30)
    assert "增量生成:1 所学校" in stderr
    assert "原来的网站" in stderr and "保持不变" in stderr and "Traceback" not in stderr


def test_the_installed_packages_do_not_depend_on_the_current_folder(tmp_path):
    """`python -m generator` from the checkout saw its xiaoan.egg-info as one more package, so a
    build from there after one from elsewhere was a full build ('已安装的 Python 包有变化')."""
    import sys

    code = "from generator.site import manifest; print(manifest.packages())"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    seen = {
        subprocess.run([sys.executable, "-c", code], cwd=folder, env=env, capture_output=True,
                       text=True, check=True).stdout
        for folder in (REPO, tmp_path)
    }  # fmt: skip
    assert len(seen) == 1
