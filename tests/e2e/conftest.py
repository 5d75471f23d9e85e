"""Browser fixtures for the end-to-end tests: Debian's Chromium, driven by Playwright.

Playwright's own browser downloads are never used: the tests launch the system Chromium
(`CHROMIUM_PATH`, else `chromium` on the PATH). Without it the tests fail, so a CI machine that
lost its browser cannot pass by skipping them; `E2E_SKIP=1` skips them on purpose.
"""

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, Request, expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]

CHROMIUM_ARGS = [
    "--no-sandbox",  # CI runs as root, where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    # No internet on the build machine: nothing may phone home (and the app must not need it).
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
# The most common screen of an office laptop, a little taller for full-page screenshots' sake.
VIEWPORT = {"width": 1366, "height": 900}

# Every screenshot taken in this session, listed at the end of the run.
SCREENSHOTS: list[Path] = []


def chromium_path() -> str:
    return os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"


def screenshot_dir() -> Path:
    return Path(os.environ.get("E2E_SCREENSHOT_DIR") or ROOT / "test-output" / "e2e")


def pytest_terminal_summary(terminalreporter):
    if SCREENSHOTS:
        terminalreporter.write_sep("-", "e2e screenshots")
        for path in SCREENSHOTS:
            terminalreporter.write_line(str(path))


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if os.environ.get("E2E_SKIP") == "1":
        pytest.skip("E2E_SKIP=1: browser tests skipped on request")
    path = chromium_path()
    if not Path(path).is_file():
        pytest.fail(
            f"Chromium not found at {path}: install it (apt-get install chromium), point "
            "CHROMIUM_PATH at it, or set E2E_SKIP=1 to skip the browser tests on purpose."
        )
    # Playwright's sync API keeps an asyncio event loop on this thread while the browser is open,
    # and Django then refuses ORM calls from it (SynchronousOnlyOperation) although nothing here
    # is async: the tests call the ORM only between browser steps. Allowed for this module only.
    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@dataclass
class PageLog:
    """What the browser reported while a test ran: console errors, failed or outside requests."""

    origin: str
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    # URLs whose error status a test provoked on purpose (a page the user may not see).
    expected_errors: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage):
        if message.type == "error":
            self.console_errors.append(f"{message.text} ({message.location.get('url')})")

    def on_request(self, request: Request):
        parts = urlsplit(request.url)
        if parts.scheme not in ("data", "blob") and f"{parts.scheme}://{parts.netloc}" != (
            self.origin
        ):
            self.outside.append(request.url)

    def on_request_failed(self, request: Request):
        # Leaving a page cancels what it was still loading (its icon, say): not a failure.
        if request.failure != "net::ERR_ABORTED":
            self.failed.append(f"{request.method} {request.url}: {request.failure}")

    def expect_error_status(self, path: str):
        """The browser will log an error for `path` (a refused page): not a defect."""
        self.expected_errors.append(f"({self.origin}{path})")

    def assert_clean(self):
        unexpected = [
            error
            for error in self.console_errors
            if not (
                error.startswith("Failed to load resource")
                and error.endswith(tuple(self.expected_errors))
            )
        ]
        assert unexpected == [], "console errors"
        assert self.page_errors == [], "JavaScript errors"
        assert self.failed == [], "failed requests"
        assert self.outside == [], "requests outside the app (it must work offline)"


@pytest.fixture
def page_log(live_server) -> PageLog:
    return PageLog(origin=live_server.url)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item):
    report = yield
    if report.when == "call":
        item.e2e_failed = report.failed
    return report


@pytest.fixture
def page(request, browser: Browser, live_server, page_log: PageLog) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url,
        viewport=VIEWPORT,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("console", page_log.on_console)
    page.on("pageerror", lambda error: page_log.page_errors.append(str(error)))
    page.on("request", page_log.on_request)
    page.on("requestfailed", page_log.on_request_failed)
    yield page
    if getattr(request.node, "e2e_failed", False):
        # What the browser showed when the test failed, for a CI log that has only text.
        folder = screenshot_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"FAILED-{request.node.name}.png"
        page.screenshot(path=path, full_page=True)
        SCREENSHOTS.append(path)
    context.close()


@pytest.fixture
def screenshot(page: Page):
    """`screenshot("name")`: a full-page PNG into the screenshot folder; returns its path."""
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)

    def take(name: str, *, height: int | None = None) -> Path:
        """The whole page, or only its top `height` pixels."""
        path = folder / f"{name}.png"
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height} if height else None
        page.screenshot(path=path, full_page=True, clip=clip)
        SCREENSHOTS.append(path)
        print(f"screenshot: {path}")
        return path

    return take


@pytest.fixture
def log_in(page: Page):
    """`log_in(username, password)` through the real login form, as a person would."""

    def log_in(username: str, password: str):
        page.goto("/masuk/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        page.click("main button[type=submit]")
        expect(page.locator(".topbar .who")).to_have_text(username)

    return log_in


@pytest.fixture
def log_out(page: Page):
    def log_out():
        page.locator(".topbar").get_by_role("button", name="Keluar").click()
        expect(page.locator(".topbar").get_by_role("link", name="Masuk")).to_be_visible()

    return log_out
