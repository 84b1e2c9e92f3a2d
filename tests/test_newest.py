"""The newest-versions check: which upgraded package broke the tests, and the issue it writes."""

from __future__ import annotations

from generator.devtools import newest

LOCK = """\
pyyaml==6.0.3 \\
    --hash=sha256:aaaa
    # via xiaoan (pyproject.toml)
jinja2==3.1.6 \\
    --hash=sha256:bbbb
ruamel-yaml==0.18.17 \\
    --hash=sha256:cccc
"""
NEWEST = "pyyaml==6.0.4\njinja2==3.1.6\nruamel.yaml==0.19.1\nnew-dep==1.0\n"


class FakeInstall:
    """Installs nothing: the suite 'fails' whenever PyYAML 6.0.4 would be installed."""

    def __init__(self, breaks: set[tuple[str, str]], together: bool = False):
        self.breaks, self.together, self.runs, self.log = breaks, together, [], ""

    def __call__(self, wanted, tests):
        self.runs.append((dict(wanted), tests))
        hit = {(n, v) for n, v in wanted.items()} & self.breaks
        broken = hit == self.breaks if self.together else bool(hit)
        self.log = "E   yaml.too-deep never came" if broken else "all passed"
        return ["tests/test_load.py::test_deep"] if broken else []


def test_pins_read_hashed_and_plain_lines_by_canonical_name():
    assert newest.pins(LOCK) == {"pyyaml": "6.0.3", "jinja2": "3.1.6", "ruamel-yaml": "0.18.17"}
    assert newest.pins(NEWEST)["ruamel-yaml"] == "0.19.1"


def test_changes_list_upgrades_and_new_packages_only():
    found = newest.changes(newest.pins(LOCK), newest.pins(NEWEST))
    assert [str(c) for c in found] == [
        "new-dep (新增) → 1.0",
        "pyyaml 6.0.3 → 6.0.4",
        "ruamel-yaml 0.18.17 → 0.19.1",
    ]


def test_a_failing_upgrade_is_named_in_the_issue_body():
    fake = FakeInstall({("pyyaml", "6.0.4")})
    code, body = newest.check(newest.pins(LOCK), newest.pins(NEWEST), fake)
    assert code == 1
    assert body.startswith("## 出问题的依赖\n\n- **pyyaml 6.0.4**(锁定版本 6.0.3)\n")
    assert "ruamel-yaml 0.19.1**" not in body  # tried alone, it passes: not named as guilty
    assert "- `tests/test_load.py::test_deep`" in body
    assert "yaml.too-deep never came" in body  # the log of the full run, not of the last try
    # the full suite once on the newest pins, then only the failed test, one upgrade at a time
    assert fake.runs[0][1] is None
    assert [tests for _, tests in fake.runs[1:]] == [["tests/test_load.py::test_deep"]] * 3
    assert all(w["jinja2"] == "3.1.6" for w, _ in fake.runs)


def test_a_failure_that_needs_two_upgrades_names_both():
    fake = FakeInstall({("pyyaml", "6.0.4"), ("ruamel-yaml", "0.19.1")}, together=True)
    code, body = newest.check(newest.pins(LOCK), newest.pins(NEWEST), fake)
    assert code == 1
    assert "- **pyyaml 6.0.4**" in body and "- **ruamel-yaml 0.19.1**" in body
    assert "需要一起升级才会失败" in body


def test_passing_or_nothing_new_exits_zero():
    code, report = newest.check(newest.pins(LOCK), newest.pins(NEWEST), FakeInstall(set()))
    assert code == 0 and "全部测试通过" in report and "pyyaml 6.0.3 → 6.0.4" in report
    fake = FakeInstall({("pyyaml", "6.0.4")})
    assert newest.check(newest.pins(LOCK), newest.pins(LOCK), fake)[0] == 0
    assert fake.runs == []


def test_failed_tests_are_read_from_junit(tmp_path):
    junit = tmp_path / "junit.xml"
    junit.write_text(
        '<testsuites><testsuite><testcase classname="tests.test_load" name="test_a"/>'
        '<testcase classname="tests.test_load" name="test_b"><failure/></testcase>'
        '<testcase classname="tests.test_cli" name="test_c[x]"><error/></testcase>'
        "</testsuite></testsuites>",
        encoding="utf-8",
    )
    assert newest.failed_tests(junit) == [
        "tests/test_load.py::test_b",
        "tests/test_cli.py::test_c[x]",
    ]
    assert newest.failed_tests(tmp_path / "missing.xml") == ["(测试没有运行)"]
