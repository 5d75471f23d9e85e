"""A working day in a real browser, on the demo data (South Sumatra, April 2012).

The day after the demo's story, 17 April 2012, OKU Timur's operator types two counts with the
keyboard (one wrong first), uploads a file with three more and reports a broken station; the
provincial official then finds all of it on every dashboard level, and the national admin on the
national one. One test, because the live server's database is emptied after each test and the
demo takes a while to load.
"""

import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db.models import Q, Sum
from playwright.sync_api import Page, expect

from recording.models import DailyCount
from tests.conftest import DEMO_PASSWORD

pytestmark = pytest.mark.e2e

STORY_DAY = "2012-04-16"  # the demo's "today"
DAY = dt.date(2012, 4, 17)  # the day this test works through, a Tuesday
MONDAY = DAY - dt.timedelta(days=DAY.weekday())
OPERATOR, VIEWER, ADMIN = "operator.okutimur", "pemantau.sumsel", "admin"

SUMSEL, OKU_TIMUR, MARTAPURA, BELITANG, JAYAPURA = "16", "16.08", "16.08.01", "16.08.03", "16.08.16"
TYPED = {"SMS-1608-01-1": 120, "SMS-1608-01-2": 102}  # Martapura's two stations
UPLOADED = {"SMS-1608-03-1": 131, "SMS-1608-03-2": 97, "SMS-1608-04-1": 88}  # Belitang, Cempaka
BROKEN = "SMS-1608-16-1"  # Jayapura's only station
UPLOAD_NAME = "okutimur-2012-04-17.csv"


def _csv() -> bytes:
    """As Excel saves a CSV on an Indonesian PC: a BOM, semicolons, CRLF, both date forms."""
    lines = [
        "date;device;count;note",
        "2012-04-17;SMS-1608-03-1;131;",
        "17/04/2012;SMS-1608-03-2;97;listrik padam 2 jam",
        "2012-04-17;SMS-1608-04-1;88;",
    ]
    return "\r\n".join(lines).encode("utf-8-sig")


def _in_area(code: str) -> Q:
    return Q(device__sub_district__code=code) | Q(device__sub_district__code__startswith=f"{code}.")


def _recorded(code: str = "", *, since: dt.date = dt.date.min) -> int:
    """Everyone recorded in an area (the whole country for "") up to DAY, from the database."""
    counts = DailyCount.objects.filter(date__gte=since, date__lte=DAY)
    if code:
        counts = counts.filter(_in_area(code))
    return counts.aggregate(total=Sum("count"))["total"] or 0


def _id_number(n: int) -> str:
    """360381 -> 360.381, as the pages write it."""
    return f"{n:,}".replace(",", ".")


def _stat(page: Page, label: str):
    """The value of a summary card by its label."""
    # Not the card journey's cards, which repeat "Terekam" on a dashboard.
    card = page.locator("section.stats:not(.card-journey section) > div").filter(
        has=page.locator(".label", has_text=re.compile(f"^{re.escape(label)}$"))
    )
    return card.locator(".value")


@pytest.fixture
def demo(transactional_db):
    call_command("load_demo", password=DEMO_PASSWORD, stdout=io.StringIO())


def _enter_counts_with_the_keyboard(page: Page, screenshot):
    page.locator(".topbar").get_by_role("link", name="Entri harian").click()
    page.fill("#entry-date", DAY.isoformat())
    page.get_by_role("button", name="Tampilkan").click()
    expect(page.locator("h1")).to_contain_text("17 Apr 2012")
    page.get_by_role("link", name="Kec. Martapura").click()
    first = page.get_by_label("Jumlah terekam SMS-1608-01-1")
    second = page.get_by_label("Jumlah terekam SMS-1608-01-2")
    save = page.get_by_role("button", name="Simpan semua")

    # From the day field, Tab passes the day links and the first station's link to its count
    # (test_pages.py counts the presses); a slip of the finger types the letter O for a zero in
    # the second row.
    page.locator("#entry-date").focus()
    for _ in range(8):
        if first.evaluate("input => input === document.activeElement"):
            break
        page.keyboard.press("Tab")
    expect(first).to_be_focused()
    page.keyboard.type("120")
    page.keyboard.press("Enter")  # Enter goes down the counts...
    expect(second).to_be_focused()
    page.keyboard.type("12O")
    page.keyboard.press("Enter")  # ...after the last count to the save button...
    expect(save).to_be_focused()
    page.keyboard.press("Enter")  # ...and saves

    summary = page.locator(".entry-main .error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Belum ada yang disimpan: 1 kesalahan perlu diperbaiki.")
    expect(summary).to_contain_text('SMS-1608-01-2: "12O" bukan bilangan bulat (contoh: 120')
    expect(second).to_have_attribute("aria-invalid", "true")
    expect(first).to_have_value("120")  # what was typed is kept
    expect(second).to_have_value("12O")
    assert not DailyCount.objects.filter(date=DAY).exists()
    screenshot("1-entri-harian-kesalahan")

    page.keyboard.press("Tab")  # the summary's link to the count at fault
    page.keyboard.press("Enter")
    expect(second).to_be_focused()
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("102")
    page.keyboard.press("Enter")
    expect(save).to_be_focused()
    page.keyboard.press("Enter")

    expect(page.locator(".messages .success")).to_have_text(
        "Tersimpan: 2 baru, 0 diperbarui, 0 tidak berubah."
    )
    expect(first).to_have_value("120")
    expect(second).to_have_value("102")
    expect(page.locator("#not-reported-title")).to_have_text("Belum lapor: 0 alat")


def _upload_counts(page: Page):
    page.locator(".topbar").get_by_role("link", name="Unggah berkas").click()
    page.set_input_files(
        "main input[type=file]",
        files=[{"name": UPLOAD_NAME, "mimeType": "text/csv", "buffer": _csv()}],
    )
    page.get_by_role("button", name="Unggah dan periksa").click()

    expect(page.locator("h1")).to_contain_text(UPLOAD_NAME)
    expect(_stat(page, "Baris di berkas")).to_have_text("3")
    expect(_stat(page, "Akan dibuat")).to_have_text("3")
    expect(_stat(page, "Akan diperbarui")).to_have_text("0")
    expect(_stat(page, "Kesalahan")).to_have_text("0")
    rows = page.locator("main table.data tbody tr")
    expect(rows).to_have_count(3)
    for row, (serial, count) in zip(rows.all(), UPLOADED.items(), strict=True):
        expect(row.locator("td").nth(1)).to_have_text(serial)
        expect(row.locator("td").nth(2)).to_have_text("17 Apr 2012")
        expect(row.locator("td").nth(3)).to_have_text(str(count))
        expect(row.locator("td").nth(6)).to_have_text("baru")
    expect(rows.nth(1)).to_contain_text("listrik padam 2 jam")
    assert not DailyCount.objects.filter(date=DAY, device__serial__in=UPLOADED).exists()

    page.get_by_role("button", name="Simpan", exact=True).click()
    expect(page.locator(".messages .success")).to_have_text(
        f"{UPLOAD_NAME} disimpan: 3 baru, 0 diperbarui, 0 tetap."
    )
    expect(_stat(page, "Baru")).to_have_text("3")


def _report_fault(page: Page):
    page.goto(f"/alat/{BROKEN}/")
    page.get_by_role("link", name="Laporkan kerusakan").click()
    page.fill("#id_reported_on", DAY.isoformat())
    page.fill("#id_symptom", "Kamera tidak terdeteksi")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".messages .success")).to_have_text(
        f"Kerusakan alat {BROKEN} dilaporkan: tidak beroperasi sejak 17 Apr 2012."
    )


def _dashboard(
    page: Page, screenshot, *, code: str, before: tuple[int, int], added: int, name: str
):
    """Open an area's dashboard as of DAY, check that its figure and both charts count what was
    `added` on top of what was recorded `before` (in all, and this week), take its screenshot."""
    page.goto(f"/wilayah/{code + '/' if code else ''}?as_of={DAY.isoformat()}")
    expect(page.locator(".as-of-line")).to_contain_text("Keadaan per 17 Apr 2012")
    total, week = before
    recorded = _id_number(total + added)
    expect(_stat(page, "Terekam")).to_have_text(recorded)
    cumulative = page.locator("#grafik-kumulatif svg")
    expect(cumulative).to_be_visible()
    expect(cumulative.locator("desc")).to_contain_text(f"Terekam {recorded} dari ")
    # Seven months of days are drawn as weeks: the last bar is this week, Monday to DAY.
    this_week = _id_number(week + added)
    last_bar = page.locator("#grafik-harian svg rect.bar title").last
    expect(last_bar).to_have_text(re.compile(f"17 Apr 2012: {re.escape(this_week)}$"))
    screenshot(name)


def test_a_working_day_reaches_every_dashboard(
    page: Page, page_log, screenshot, log_in, log_out, demo
):
    typed, uploaded = sum(TYPED.values()), sum(UPLOADED.values())
    areas = ["", SUMSEL, OKU_TIMUR, MARTAPURA, BELITANG, JAYAPURA]
    before = {code: (_recorded(code), _recorded(code, since=MONDAY)) for code in areas}

    # The operator starts from the demo's story: OKU Timur on 16 April 2012.
    log_in(OPERATOR, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/wilayah/16\.08/$"))
    page.goto(f"/wilayah/{OKU_TIMUR}/?as_of={STORY_DAY}")
    expect(_stat(page, "Terekam")).to_have_text("360.381")
    expect(_stat(page, "Cakupan")).to_contain_text("81,4%")
    screenshot("0-kabupaten-oku-timur-16-april", height=1200)  # the README's picture

    _enter_counts_with_the_keyboard(page, screenshot)
    screenshot("2-entri-harian-tersimpan")
    _upload_counts(page)
    _report_fault(page)
    log_out()

    log_in(VIEWER, DEMO_PASSWORD)
    expect(page).to_have_url(re.compile(r"/wilayah/16/$"))
    # A provincial official sees their province and below, never the national page.
    page_log.expect_error_status("/wilayah/")
    assert page.goto("/wilayah/").status == 404
    expect(page.locator("h1")).to_have_text("Halaman tidak ditemukan")

    everything = typed + uploaded
    _dashboard(
        page, screenshot, code=SUMSEL, before=before[SUMSEL], added=everything, name="4-provinsi"
    )
    down = page.locator(".alert-box.down")
    expect(down.locator("h2")).to_have_text("3 alat rusak atau di vendor")
    expect(down.get_by_role("link", name=BROKEN)).to_be_visible()

    _dashboard(
        page,
        screenshot,
        code=OKU_TIMUR,
        before=before[OKU_TIMUR],
        added=everything,
        name="5-kabupaten-oku-timur",
    )
    # Jayapura joins the story's two kecamatan without a working station.
    no_device = page.locator(".alert-box.critical")
    expect(no_device.locator("li")).to_have_count(3)
    expect(no_device.get_by_role("link", name="Jayapura")).to_be_visible()
    expect(page.locator(".alert-box.down").get_by_role("link", name=BROKEN)).to_be_visible()

    _dashboard(
        page,
        screenshot,
        code=JAYAPURA,
        before=before[JAYAPURA],
        added=0,
        name="6-kecamatan-jayapura",
    )
    expect(page.locator(".alert-box.critical")).to_contain_text(
        "Semua alat di Jayapura (1) rusak atau di vendor: perekaman berhenti."
    )
    belitang = UPLOADED["SMS-1608-03-1"] + UPLOADED["SMS-1608-03-2"]
    for code, added in ((MARTAPURA, typed), (BELITANG, belitang)):
        page.goto(f"/wilayah/{code}/?as_of={DAY.isoformat()}")
        expect(_stat(page, "Terekam")).to_have_text(_id_number(before[code][0] + added))
    log_out()

    log_in(ADMIN, DEMO_PASSWORD)
    _dashboard(page, screenshot, code="", before=before[""], added=everything, name="7-nasional")

    saved = dict(DailyCount.objects.filter(date=DAY).values_list("device__serial", "count"))
    assert saved == TYPED | UPLOADED
    page_log.assert_clean()
