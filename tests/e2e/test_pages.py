"""Every kind of page on an office laptop (1366×768) and on a phone (390×844): it never scrolls
sideways as a whole, wide tables keep their first columns in view, the entry grid fits a
phone, the keyboard gets through a day's entry, and an axe-core audit finds nothing serious.

The demo (South Sumatra, April 2012) is loaded once for the module and served by the live server
that does not empty the database between tests (see `transactional_db` below). Each size keeps
one logged-in browser context per user for all its pages. Nothing here saves a count, so
every test sees the demo as loaded.
"""

import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from cards.models import BlankoMovement, HandoutEvent
from districts.services import regions_import
from recording.models import DailyCount
from tests.conftest import DEMO_PASSWORD
from tests.e2e.conftest import SCREENSHOTS, PageLog, screenshot_dir

pytestmark = pytest.mark.e2e

SIZES = {
    "desktop": {"width": 1366, "height": 768},  # the most common office laptop screen
    "phone": {"width": 390, "height": 844},
}
OPERATOR, VIEWER, ADMIN = "operator.okutimur", "pemantau.sumsel", "admin"
STORY_DAY = "2012-04-16"
# A day without counts in the demo, for a form the keyboard test fills in (and never saves).
EMPTY_DAY = dt.date(2012, 4, 17)
MARTAPURA = "16.08.01"
MARTAPURA_SERIALS = ("SMS-1608-01-1", "SMS-1608-01-2")  # daily capacity 150 each
# The demo's card journey is OKU Selatan's: blanko movements and a hand-out awaiting the Bupati.
OKU_SELATAN = "16.09"
CARD_LEDGER = f"/kartu/blanko/?area={OKU_SELATAN}"
CARD_HANDOUTS = f"/kartu/pembagian/?area={OKU_SELATAN}"
# Tab presses from the day field to the first count at most: Chromium's day field takes three
# (its day, month and year), then the "show" button, the previous and next day, the first
# station's link, and its count.
TABS_TO_FIRST_COUNT = 8
# Only these fail the audit; the others are listed in the failure message all the same.
AXE_FAILING_IMPACTS = {"serious", "critical"}
AXE = Axe()
# Copied to docs/ for the README by hand after a run: (size, page kind) -> file name.
README_SHOTS = {
    ("desktop", "regency"): "dashboard-desktop",
    ("phone", "entry-refused"): "entry-phone",
}


@pytest.fixture(scope="module")
def demo_database(browser, django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo, loaded once for the module and emptied again at its end, as a transactional
    test leaves the database (with the region list back)."""
    with django_db_blocker.unblock():
        call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())
        try:
            yield
        finally:
            call_command("flush", interactive=False, verbosity=0)
            regions_import()


@pytest.fixture
def transactional_db(demo_database):
    """This module's tests share the demo database: pytest-django's `transactional_db`, which
    `live_server` asks for, would empty it after every test. So these tests write nothing."""


@pytest.fixture
def _regions_back_after_a_flush():
    """Nothing is flushed between this module's tests (`demo_database` does it at the end)."""


@pytest.fixture(scope="module")
def site(demo_database, live_server) -> str:
    return live_server.url


@dataclass
class Session:
    page: Page
    log: PageLog


@pytest.fixture(scope="module")
def sessions(browser: Browser, site: str) -> Iterator[Callable[[str, str | None], Session]]:
    """`sessions(size, user)`: one browser context per size and user (None: anonymous), logged
    in through the login form on first use and kept for the module."""
    opened: dict[tuple[str, str | None], Session] = {}
    contexts = []

    def get(size: str, user: str | None) -> Session:
        if (size, user) not in opened:
            context = browser.new_context(
                base_url=site, viewport=SIZES[size], locale="id-ID", timezone_id="Asia/Jakarta"
            )
            context.set_default_timeout(15_000)
            contexts.append(context)
            page = context.new_page()
            log = PageLog(origin=site)
            page.on("console", log.on_console)
            page.on("pageerror", lambda error: log.page_errors.append(str(error)))
            page.on("request", log.on_request)
            page.on("requestfailed", log.on_request_failed)
            if user:
                page.goto("/masuk/")
                page.fill("#id_username", user)
                page.fill("#id_password", DEMO_PASSWORD)
                page.click("main button[type=submit]")
                expect(page.locator(".topbar .who")).to_have_text(user)
            opened[size, user] = Session(page=page, log=log)
        session = opened[size, user]
        # What the browser reports is checked per test.
        for reports in (session.log.console_errors, session.log.page_errors, session.log.failed):
            reports.clear()
        session.log.outside.clear()
        session.log.expected_errors.clear()
        return session

    yield get
    for context in contexts:
        context.close()


def _screenshot(page: Page, name: str, *, height: int | None = None):
    folder = screenshot_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.png"
    width = page.viewport_size["width"]
    clip = {"x": 0, "y": 0, "width": width, "height": height} if height else None
    page.screenshot(path=path, full_page=True, clip=clip)
    SCREENSHOTS.append(path)


# --- What every page must pass ---------------------------------------------------------------


def assert_no_sideways_scroll(page: Page):
    """The page as a whole is never wider than the window; wide tables scroll in their box."""
    widths = page.evaluate(
        """() => ({page: document.documentElement.scrollWidth, window: window.innerWidth,
                  wider: [...document.querySelectorAll("body *")]
                    .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1
                                 && !e.closest(".table-scroll"))
                    .slice(0, 5).map(e => e.tagName.toLowerCase() + "." + e.className)})"""
    )
    assert widths["page"] <= widths["window"], (
        f"the page is {widths['page']} px wide in a {widths['window']} px window; "
        f"sticking out: {widths['wider']}"
    )


def assert_axe_finds_nothing_serious(page: Page):
    """axe-core (bundled by axe-playwright-python, no network) on the page as it is now."""
    violations = AXE.run(page).response["violations"]
    failing = [v for v in violations if v["impact"] in AXE_FAILING_IMPACTS]
    report = "\n".join(
        f"{v['impact']}: {v['id']} ({v['help']}) on {len(v['nodes'])} element(s), e.g. "
        + "; ".join(str(node["target"]) for node in v["nodes"][:3])
        for v in violations
    )
    assert failing == [], f"axe-core found:\n{report}"


# --- The page kinds --------------------------------------------------------------------------


def assert_crumbs_open(page: Page) -> list[str]:
    """Every breadcrumb link opens for this user (no 404, no 403): a crumb outside the user's
    area is shown as text. Returns the crumbs' texts, links or not."""
    crumbs = page.locator("nav.crumbs")
    for href in crumbs.locator("a[href]").evaluate_all("links => links.map(a => a.href)"):
        status = page.request.get(href).status
        assert status == 200, f"the crumb {href} answers {status}"
    return [text.strip() for text in crumbs.locator("a, span").all_inner_texts()]


def _upload_preview(page: Page, log: PageLog):
    """An upload of Martapura's two stations, one count above the station's capacity: the
    preview shows its table, a warning and the confirmation box (it is not saved)."""
    page.goto("/impor/")
    lines = ["date,device,count,note"] + [
        f"{EMPTY_DAY.isoformat()},{serial},{count},"
        for serial, count in zip(MARTAPURA_SERIALS, (120, 200), strict=True)
    ]
    page.set_input_files(
        "main input[type=file]",
        files=[
            {"name": "martapura.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}
        ],
    )
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("h1")).to_contain_text("martapura.csv")
    expect(page.locator("input[name=confirm]")).to_be_visible()


def _card_upload_preview(page: Page, log: PageLog):
    """A card report file of OKU Timur whose print run exceeds its blanko: the preview names the
    line and column, beside a good line of Martapura (nothing is saved)."""
    page.goto("/kartu/unggah/")
    lines = [
        "date,area,print_ready,duplicates,failed,printed,spoiled,suket_issued,received,handed_out",
        f"{EMPTY_DAY.isoformat()},16.08,,,,999999,,,,",
        f"{EMPTY_DAY.isoformat()},{MARTAPURA},,,,,,,10,4",
    ]
    page.set_input_files(
        "main input[type=file]",
        files=[{"name": "kartu.csv", "mimeType": "text/csv", "buffer": "\n".join(lines).encode()}],
    )
    page.get_by_role("button", name="Unggah dan periksa").click()
    expect(page.locator("h1")).to_contain_text("kartu.csv")
    expect(page.get_by_text("Baris 2").first).to_be_visible()


def _entry_refused(page: Page, log: PageLog):
    page.goto(f"/entri/?area={MARTAPURA}&date={EMPTY_DAY.isoformat()}")
    page.get_by_label(f"Jumlah terekam {MARTAPURA_SERIALS[0]}").fill("200")
    page.get_by_label(f"Jumlah terekam {MARTAPURA_SERIALS[1]}").fill("12O")
    page.get_by_role("button", name="Simpan semua").click()
    expect(page.locator(".error-summary").first).to_be_focused()


def _ledger_refused(page: Page, log: PageLog):
    """A receipt with no letter number and "1,5" blanko: refused, nothing saved."""
    page.goto(CARD_LEDGER)
    receipt = page.locator("form:has(input[name=action][value=receipt])")
    receipt.get_by_label("Tanggal diterima").fill(STORY_DAY)
    receipt.get_by_label("Jumlah blanko").fill("1,5")
    receipt.get_by_role("button", name="Simpan").click()
    expect(page.locator(".error-summary")).to_be_focused()


def _handouts_refused(page: Page, log: PageLog):
    """A hand-out scheduled without its number of cards: refused, nothing saved."""
    page.goto(CARD_HANDOUTS)
    page.get_by_role("button", name="Simpan jadwal").click()
    expect(page.locator(".error-summary")).to_be_focused()


def _not_found(page: Page, log: PageLog):
    log.expect_error_status("/wilayah/99/")
    assert page.goto("/wilayah/99/").status == 404
    expect(page.locator("h1")).to_have_text("Halaman tidak ditemukan")


PAGE_KINDS = {
    # kind: (user, path, or a function that brings the page there)
    "login": (None, "/masuk/"),
    "national": (ADMIN, f"/wilayah/?as_of={STORY_DAY}"),
    "province": (ADMIN, f"/wilayah/16/?as_of={STORY_DAY}"),
    "regency": (ADMIN, f"/wilayah/16.08/?as_of={STORY_DAY}"),
    # Buay Madang Timur: its only station at the vendor, so the alert boxes show too.
    "kecamatan": (ADMIN, f"/wilayah/16.08.12/?as_of={STORY_DAY}"),
    "device": (ADMIN, f"/alat/SMS-1608-12-1/?as_of={STORY_DAY}"),
    # The same pages for users whose areas are smaller than the crumbs' path.
    "viewer-regency": (VIEWER, f"/wilayah/16.08/?as_of={STORY_DAY}"),
    "operator-kecamatan": (OPERATOR, f"/wilayah/{MARTAPURA}/?as_of={STORY_DAY}"),
    "operator-device": (OPERATOR, f"/alat/{MARTAPURA_SERIALS[0]}/?as_of={STORY_DAY}"),
    "entry": (OPERATOR, f"/entri/?date={STORY_DAY}"),
    "entry-refused": (OPERATOR, _entry_refused),
    "upload": (OPERATOR, "/impor/"),
    "upload-preview": (OPERATOR, _upload_preview),
    "card-entry": (OPERATOR, f"/kartu/entri/?area=16.08&date={STORY_DAY}"),
    "card-entry-printed": (ADMIN, f"/kartu/entri/?area={OKU_SELATAN}&date={STORY_DAY}"),
    "card-upload": (OPERATOR, "/kartu/unggah/"),
    "card-upload-preview": (OPERATOR, _card_upload_preview),
    "card-ledger": (ADMIN, CARD_LEDGER),
    "card-ledger-refused": (ADMIN, _ledger_refused),
    "card-handouts": (ADMIN, CARD_HANDOUTS),
    "card-handouts-refused": (ADMIN, _handouts_refused),
    "repairs": (ADMIN, "/perbaikan/"),
    "vendor": (ADMIN, "/vendor/"),
    "password": (ADMIN, "/kata-sandi/"),
    "data-sources": (ADMIN, "/tentang-data/"),
    "not-found": (ADMIN, _not_found),
}


@pytest.mark.parametrize("kind", PAGE_KINDS)
@pytest.mark.parametrize("size", SIZES)
def test_every_page_fits_the_screen_and_passes_axe(sessions, size, kind):
    user, where = PAGE_KINDS[kind]
    session = sessions(size, user)
    page = session.page
    if callable(where):
        where(page, session.log)
    else:
        assert page.goto(where).ok
    assert_no_sideways_scroll(page)
    assert_axe_finds_nothing_serious(page)
    assert_crumbs_open(page)
    _screenshot(page, f"{size}-{kind}")
    if (size, kind) in README_SHOTS:
        _screenshot(page, README_SHOTS[size, kind])
    session.log.assert_clean()


# Crumbs as each user sees them: (user, path) -> (the path's names, the ones that are links).
CRUMBS = {
    (VIEWER, f"/wilayah/16.08/?as_of={STORY_DAY}"): (
        ["Indonesia", "Sumatera Selatan", "Kabupaten Ogan Komering Ulu Timur"],
        ["Sumatera Selatan"],
    ),
    (OPERATOR, f"/wilayah/{MARTAPURA}/?as_of={STORY_DAY}"): (
        ["Indonesia", "Sumatera Selatan", "Kabupaten Ogan Komering Ulu Timur", "Martapura"],
        ["Kabupaten Ogan Komering Ulu Timur"],
    ),
    (ADMIN, f"/wilayah/16.08.12/?as_of={STORY_DAY}"): (
        ["Indonesia", "Sumatera Selatan", "Kabupaten Ogan Komering Ulu Timur", "Buay Madang Timur"],
        ["Indonesia", "Sumatera Selatan", "Kabupaten Ogan Komering Ulu Timur"],
    ),
}


@pytest.mark.parametrize(("user", "path"), CRUMBS)
def test_breadcrumbs_show_the_path_and_link_only_what_the_user_may_open(sessions, user, path):
    page = sessions("desktop", user).page
    assert page.goto(path).ok
    names, links = CRUMBS[user, path]
    assert assert_crumbs_open(page) == names
    assert page.locator("nav.crumbs a").all_inner_texts() == links


# --- Wide tables -----------------------------------------------------------------------------

# kind: (user, path, the header texts of the columns that must stay in view on each size)
WIDE_TABLES = {
    # 38 provinces: taller than a phone's screen, so the box must hold them.
    "national": (
        ADMIN,
        f"/wilayah/?as_of={STORY_DAY}",
        {"desktop": ["Kode", "Nama"], "phone": ["Nama"]},
    ),
    "regency": (
        ADMIN,
        f"/wilayah/16.08/?as_of={STORY_DAY}",
        {"desktop": ["Kode", "Nama"], "phone": ["Nama"]},  # a phone keeps only the name
    ),
    "kecamatan": (
        ADMIN,
        f"/wilayah/16.08.12/?as_of={STORY_DAY}",
        {"desktop": ["Nomor seri"], "phone": ["Nomor seri"]},
    ),
    "repairs": (
        ADMIN,
        "/perbaikan/",
        {"desktop": ["Pilih", "Nomor seri"], "phone": ["Pilih", "Nomor seri"]},
    ),
}


@pytest.mark.parametrize("kind", WIDE_TABLES)
@pytest.mark.parametrize("size", SIZES)
def test_wide_tables_scroll_in_their_box_with_the_first_columns_in_view(sessions, size, kind):
    user, path, pinned = WIDE_TABLES[kind]
    page = sessions(size, user).page
    page.goto(path)
    box = page.locator(".table-scroll").first
    box.scroll_into_view_if_needed()
    fits = box.evaluate("b => b.scrollWidth <= b.clientWidth")
    if size == "desktop" and kind in ("national", "regency"):
        # An office laptop shows the whole dashboard table, its last columns included.
        assert fits, "the dashboard table needs scrolling sideways at 1366 px"
    if fits:
        headers = box.locator("thead th")
        last = headers.nth(headers.count() - 1).bounding_box()
        edge = box.bounding_box()
        assert last["x"] + last["width"] <= edge["x"] + edge["width"] + 1
        return
    # Too wide for its box: the box is on screen whole (so is its scroll bar), and scrolled to
    # the far right its first columns are still there, at its left edge, not under anything.
    assert box.evaluate("b => b.getBoundingClientRect().height <= window.innerHeight")
    box.evaluate("b => { b.scrollLeft = b.scrollWidth; }")
    assert box.evaluate("b => b.scrollLeft") > 0
    for header in pinned[size]:
        position = box.evaluate(
            """(b, text) => {
              const ths = [...b.querySelectorAll("thead th")];
              const column = ths.findIndex(th => th.textContent.trim() === text);
              const cell = b.querySelector(`tbody tr > :nth-child(${column + 1})`);
              const r = cell.getBoundingClientRect(), edge = b.getBoundingClientRect();
              const seen = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
              return {column, left: r.left - edge.left, right: r.right - edge.left,
                      width: edge.width, onTop: cell.contains(seen)};
            }""",
            header,
        )
        assert position["column"] >= 0, f"no column {header!r}"
        # Still in the box, and at its left: pinned columns come first.
        assert 0 <= position["left"] < position["width"] / 2, f"{header!r} moved: {position}"
        assert position["right"] <= position["width"], f"{header!r} cut off: {position}"
        assert position["onTop"], f"{header!r} is hidden under the scrolled columns"


# --- The entry page on a phone and by keyboard -----------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_the_entry_grid_fits_the_screen_with_large_count_inputs(sessions, size):
    """OKU Timur's stations on a day none has reported yet (so the list of those missing is
    long): every count input whole within the window's width, large on a phone (one station per
    row, its note under it), and the first one on the first screen."""
    page = sessions(size, OPERATOR).page
    page.goto(f"/entri/?date={EMPTY_DAY.isoformat()}")
    expect(page.locator("#not-reported-title")).to_contain_text("Belum lapor: 2")  # 27 or 29
    counts = page.locator("input[data-entry-column=count]")
    assert counts.count() >= 27
    boxes = counts.evaluate_all(
        """inputs => inputs.map(input => {
          const r = input.getBoundingClientRect();
          const note = input.closest("tr").querySelector("input[data-entry-column=note]");
          const n = note.getBoundingClientRect();
          return {left: r.left, right: r.right, top: r.top, bottom: r.bottom, height: r.height,
                  font: parseFloat(getComputedStyle(input).fontSize), noteTop: n.top,
                  inputmode: input.inputMode, autocomplete: input.autocomplete};
        })"""
    )
    width, height = SIZES[size]["width"], SIZES[size]["height"]
    for box in boxes:
        assert box["left"] >= 0 and box["right"] <= width, f"count input cut off: {box}"
        assert box["inputmode"] == "numeric" and box["autocomplete"] == "off"
    assert boxes[0]["top"] < height, "the form starts below the first screen"
    if size == "phone":
        for box in boxes:
            # Large enough for a thumb, and text a phone does not zoom into (16 px and up).
            assert box["height"] >= 44 and box["font"] >= 20, box
            assert box["noteTop"] >= box["bottom"], "the note is beside the count, not below it"
    assert page.locator("[tabindex]:not([tabindex='-1']):not([tabindex='0'])").count() == 0


@pytest.mark.parametrize("size", SIZES)
def test_a_days_entry_by_keyboard_from_the_date_field(sessions, size):
    """Tab from the day field reaches the first count; Enter moves down the counts to the save
    button; a refused save puts the focus on the error summary, whose link leads to the input;
    the warnings' confirmation sits in the warnings box. Nothing is saved."""
    page = sessions(size, OPERATOR).page
    page.goto(f"/entri/?area={MARTAPURA}&date={EMPTY_DAY.isoformat()}")
    first, second = (page.get_by_label(f"Jumlah terekam {serial}") for serial in MARTAPURA_SERIALS)
    save = page.get_by_role("button", name="Simpan semua")

    page.locator("#entry-date").focus()
    presses = 0
    while presses < TABS_TO_FIRST_COUNT and not first.evaluate("e => e === document.activeElement"):
        page.keyboard.press("Tab")
        presses += 1
    expect(first).to_be_focused()
    page.keyboard.type("200")  # above the station's capacity of 150: a warning
    page.keyboard.press("Enter")
    expect(second).to_be_focused()
    page.keyboard.type("12O")  # the letter O for a zero: an error
    page.keyboard.press("Enter")
    expect(save).to_be_focused()
    page.keyboard.press("Enter")

    summary = page.locator(".error-summary.error")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text(
        "Belum ada yang disimpan: 1 kesalahan perlu diperbaiki."
    )
    expect(first).to_have_value("200")  # what was typed is kept
    page.keyboard.press("Tab")
    link = summary.get_by_role("link", name=re.compile(r'^SMS-1608-01-2: "12O" bukan bilangan'))
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(second).to_be_focused()
    expect(second).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("102")
    page.keyboard.press("Enter")
    expect(save).to_be_focused()
    page.keyboard.press("Enter")

    # Only the warning is left: its box has the focus, and its confirmation right inside it.
    warnings = page.locator(".warning-box.error-summary")
    expect(warnings).to_be_focused()
    expect(page.locator(".error-summary.error")).to_have_count(0)
    page.keyboard.press("Tab")
    expect(warnings.get_by_role("link", name=re.compile("^200 di atas kapasitas"))).to_be_focused()
    page.keyboard.press("Tab")
    expect(
        warnings.get_by_label("Saya sudah memeriksa peringatan di atas dan tetap ingin menyimpan")
    ).to_be_focused()
    assert not DailyCount.objects.filter(date=EMPTY_DAY).exists()
    _screenshot(page, f"{size}-entry-keyboard")


# --- Charts ----------------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
def test_the_charts_are_read_out_and_their_links_reached_by_keyboard(sessions, size):
    """Each chart is named for a screen reader; the coverage bars are links, named with their
    figures, that Tab reaches in order and Enter opens."""
    page = sessions(size, ADMIN).page
    page.goto(f"/wilayah/16.08/?as_of={STORY_DAY}")
    expect(page.get_by_role("img", name=re.compile(r"^Perekaman kumulatif"))).to_have_count(1)
    expect(page.get_by_role("img", name=re.compile(r"^Terekam per minggu"))).to_have_count(1)
    chart = page.get_by_role("group", name="Cakupan per kecamatan")
    links = chart.get_by_role("link")
    expect(links).to_have_count(20)
    lowest = chart.get_by_role("link", name="Buay Madang Timur: 49,0% (20.879 dari 42.577)")
    # Tab from the section's heading: the chart's first bar, the lowest coverage.
    page.locator(".children h2").evaluate("heading => { heading.tabIndex = -1; heading.focus(); }")
    page.keyboard.press("Tab")
    expect(lowest).to_be_focused()
    page.keyboard.press("Tab")
    expect(links.nth(1)).to_be_focused()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(rf"/wilayah/16\.08\.12/\?as_of={STORY_DAY}$"))


# --- The card pages' small forms by keyboard -------------------------------------------------


def _ledger_receipt_without_a_letter(page: Page):
    page.goto(CARD_LEDGER)
    receipt = page.locator("form:has(input[name=action][value=receipt])")
    receipt.get_by_label("Tanggal diterima").fill(STORY_DAY)
    receipt.get_by_label("Jumlah blanko").fill("500")
    receipt.get_by_label("Jumlah blanko").press("Enter")  # Enter in a field saves the form


def _handout_without_cards(page: Page):
    page.goto(CARD_HANDOUTS)
    page.get_by_label("Keterangan").fill("menunggu jadwal bupati")
    page.get_by_label("Keterangan").press("Enter")


# kind: (open the page and save a refused form, the summary's heading, its link, the field)
REFUSED_FORMS = {
    "ledger": (
        _ledger_receipt_without_a_letter,
        "Belum ada yang disimpan: 1 kesalahan perlu diperbaiki.",
        "Nomor surat: Bidang ini tidak boleh kosong.",
        "#id_receipt-reference",
    ),
    "handouts": (
        _handout_without_cards,
        "Belum ada yang disimpan: 1 kesalahan perlu diperbaiki.",
        "Jumlah kartu direncanakan: Bidang ini tidak boleh kosong.",
        "#id_planned_count",
    ),
}


@pytest.mark.parametrize("kind", REFUSED_FORMS)
@pytest.mark.parametrize("size", SIZES)
def test_a_refused_card_form_puts_the_focus_on_its_error_summary(sessions, size, kind):
    """As on the entry pages: the summary of what stopped the save has the focus, Tab reaches
    its link, and Enter on the link puts the caret in the field at fault. Nothing is saved."""
    refuse, heading, message, field = REFUSED_FORMS[kind]
    session = sessions(size, ADMIN)
    page = session.page
    movements, events = BlankoMovement.objects.count(), HandoutEvent.objects.count()
    refuse(page)
    summary = page.locator(".error-summary")
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text(heading)
    page.keyboard.press("Tab")
    link = summary.get_by_role("link", name=message)
    expect(link).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(field)).to_be_focused()
    expect(page.locator(field)).to_have_attribute("aria-invalid", "true")
    assert (BlankoMovement.objects.count(), HandoutEvent.objects.count()) == (movements, events)
    _screenshot(page, f"{size}-card-{kind}-keyboard")
    session.log.assert_clean()
