"""Shared fixtures for tests that drive a real browser over a really built site.

Debian's chromium (`apt-get install chromium`; `.ci/run` installs it) is driven through
Playwright's Python package, never a browser that `playwright install` downloads. When
chromium or playwright is missing, the tests that need them are skipped with the reason
(or fail, under XIAOAN_REQUIRE_BROWSER=1, as in .ci/run).

tests/conftest.py imports the fixtures (browser_context, page, sample_site, sample_url);
test modules import the helpers (serve, build_site) from here.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_RECORDS = ROOT / "records"
AS_OF = "2026-11-23"

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def run_build(records: Path, out: Path, as_of: str = AS_OF) -> subprocess.CompletedProcess:
    """`xiaoan build` of `records` into `out` (the real CLI), its output captured."""
    return subprocess.run(
        [sys.executable, "-m", "generator", "build", "--records", str(records),
         "--as-of", as_of, "--out", str(out)],
        cwd=ROOT, capture_output=True, text=True, encoding="utf-8",
    )  # fmt: skip


def build_site(records: Path, out: Path, as_of: str = AS_OF) -> Path:
    """Build the site from `records` into `out` with the real CLI; fail the test on errors."""
    done = run_build(records, out, as_of)
    if done.returncode != 0:
        pytest.fail(f"xiaoan build failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    return out


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve `folder` over HTTP on a free localhost port; yields the base URL (no slash)."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def chromium_or_skip() -> str:
    """The path of Debian's chromium, or skip the test saying what is missing.

    With XIAOAN_REQUIRE_BROWSER=1 (set by .ci/run, which installs both) a missing browser
    fails the test instead, so CI cannot pass without running the browser tests."""
    missing = None
    path = shutil.which("chromium")
    if path is None:
        missing = "chromium 未安装(apt-get install chromium chromium-driver fonts-noto-cjk)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            missing = "Python 包 playwright 未安装(pip install -e '.[test]')"
    if missing and os.environ.get("XIAOAN_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{missing};XIAOAN_REQUIRE_BROWSER=1 要求运行浏览器测试")
    if missing:
        pytest.skip(missing)
    return path


@pytest.fixture(scope="session")
def browser_context(tmp_path_factory):
    """One headless chromium with a fresh profile for the whole session."""
    path = chromium_or_skip()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            tmp_path_factory.mktemp("chromium-profile"),
            executable_path=path,
            headless=True,
            args=CHROMIUM_FLAGS,
            locale="zh-CN",
            viewport={"width": 1280, "height": 900},
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    """A new tab. `page.problems` collects console errors, uncaught exceptions and dialogs
    (alert, confirm, prompt), which are dismissed: a page that opens one ran a script."""
    tab = browser_context.new_page()
    tab.problems = []
    tab.on(
        "console",
        lambda message: (
            message.type == "error"
            and tab.problems.append(
                f"console error: {message.text} ({message.location.get('url')})"
            )
        ),
    )
    tab.on("pageerror", lambda error: tab.problems.append(f"uncaught exception: {error}"))

    def on_dialog(dialog):
        tab.problems.append(f"dialog {dialog.type}: {dialog.message}")
        dialog.dismiss()

    tab.on("dialog", on_dialog)
    yield tab
    tab.close()


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory) -> Path:
    """The sample records in records/, built once per session."""
    return build_site(SAMPLE_RECORDS, tmp_path_factory.mktemp("sample") / "site")


@pytest.fixture(scope="session")
def sample_url(sample_site) -> Iterator[str]:
    with serve(sample_site) as url:
        yield url
