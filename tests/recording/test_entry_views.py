"""The daily entry page (/entri/): who may use it, what it lists, and how a save can fail."""

import datetime as dt
import html
import re
from html.parser import HTMLParser
from urllib.parse import urlencode

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from common.days import format_day
from districts.choices import Role
from districts.models import Campaign, EligiblePopulation
from recording.choices import DeviceStatus
from recording.models import (
    DailyCount,
    DailyCountRevision,
    DeviceStatusChange,
    RecordingDevice,
)
from recording.services.repairs import repair_report_fault

DAY = dt.date(2012, 4, 16)
YESTERDAY = dt.date(2012, 4, 15)


def _url(day=DAY, **params) -> str:
    return f"{reverse('entry')}?{urlencode({**params, 'date': day.isoformat()})}"


class _EntryFormReader(HTMLParser):
    """What a browser would send from the entry form, plus each input's tabindex in page order."""

    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self.tabs: list[tuple[str, int]] = []
        self.inside = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "data-entry-form" in attrs:
            self.inside = True
        if not self.inside or tag not in ("input", "button"):
            return
        name = attrs.get("name") or ("save" if "data-entry-save" in attrs else "")
        if "tabindex" in attrs:
            self.tabs.append((name, int(attrs["tabindex"])))
        if tag == "input" and name:
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.fields[name] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False


def _read(response) -> _EntryFormReader:
    reader = _EntryFormReader()
    reader.feed(response.content.decode())
    return reader


def _submit(client, page, counts=None, *, notes=None, url=None, **extra):
    """Post the form shown on `page` back, with the counts (and notes) typed into it."""
    data = _read(page).fields
    for device, value in (counts or {}).items():
        data[f"count-{device.pk}"] = str(value)
    for device, value in (notes or {}).items():
        data[f"note-{device.pk}"] = value
    data.update(extra)
    return client.post(url or page.request["PATH_INFO"] + "?" + page.request["QUERY_STRING"], data)


def _text(response_or_html) -> str:
    """The page's text as a reader sees it: no tags, entities decoded, whitespace squeezed."""
    page = getattr(response_or_html, "content", response_or_html)
    page = page.decode() if isinstance(page, bytes) else page
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def _part(response, pattern: str) -> str:
    """The text of one part of the page, e.g. the table or the box of missing reports."""
    return _text(re.search(pattern, response.content.decode(), re.S).group(0))


def _message(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def oku_devices(make_device):
    """Two kecamatan of OKU Timur and one of OKU Selatan, one device each (two in Martapura)."""
    return {
        "martapura_1": make_device("16.08.01", serial="SMS-1608-01-1", label="Kantor camat"),
        "martapura_2": make_device("16.08.01", serial="SMS-1608-01-2"),
        "bmt": make_device("16.08.12", serial="SMS-1608-12-1", status=DeviceStatus.BROKEN),
        "muara_dua": make_device("16.09.01", serial="SMS-1609-01-1"),
    }


# --- Who may use it ---------------------------------------------------------------------------


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get(_url())
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_viewer_may_not_enter_counts(client, viewer_sumsel, oku_devices):
    client.force_login(viewer_sumsel)
    assert client.get(_url()).status_code == 403
    device = oku_devices["martapura_1"]
    response = client.post(_url(), {f"count-{device.pk}": "10", f"version-{device.pk}": "0"})
    assert response.status_code == 403
    assert not DailyCount.objects.exists()


def test_operator_sees_only_their_devices_grouped_by_kecamatan(
    client, operator_oku_timur, admin_user, oku_devices, make_device
):
    make_device("16.08.01", serial="PENSIUN-1", status=DeviceStatus.RETIRED)
    make_device("16.08.01", serial="BARU-1", commissioned_on=dt.date(2012, 4, 17))
    martapura = oku_devices["martapura_1"]
    DailyCount.objects.create(device=martapura, date=YESTERDAY, count=1_234)
    DailyCount.objects.create(
        device=martapura,
        date=DAY,
        count=87,
        note="listrik padam",
        entered_by=admin_user,
        entered_at=dt.datetime(2012, 4, 16, 7, 30, tzinfo=dt.UTC),
    )
    DeviceStatusChange.objects.create(
        device=oku_devices["bmt"], status="broken", effective_on=dt.date(2012, 4, 2)
    )
    client.force_login(operator_oku_timur)
    response = client.get(_url())
    assert response.status_code == 200
    text = _text(response)
    for serial in ["SMS-1608-01-1", "SMS-1608-01-2", "SMS-1608-12-1"]:
        assert serial in text
    for serial in ["SMS-1609-01-1", "PENSIUN-1", "BARU-1"]:
        assert serial not in text
    # Kecamatan headings in code order, each before its devices.
    table = _part(response, r'<table class="data entry-table">.*?</table>')
    assert (
        table.index("Kec. Martapura")
        < table.index("SMS-1608-01-1")
        < table.index("SMS-1608-01-2")
        < table.index("Kec. Buay Madang Timur")
        < table.index("SMS-1608-12-1")
    )
    assert "Rusak" in text  # the broken device's status on the day, in words
    # Not expected to report while broken: it says why and takes no count.
    assert "Tidak perlu lapor: rusak sejak 2 Apr 2012." in text
    assert "1.234" in text  # yesterday, Indonesian grouping
    assert "admin_ektp · 16 Apr 2012 14:30" in text  # who entered today's value, Jakarta time
    fields = _read(response).fields
    assert fields[f"count-{martapura.pk}"] == "87"
    assert fields[f"note-{martapura.pk}"] == "listrik padam"
    assert fields[f"version-{martapura.pk}"] == "1"
    assert fields[f"count-{oku_devices['martapura_2'].pk}"] == ""
    assert fields[f"version-{oku_devices['martapura_2'].pk}"] == "0"
    assert f"count-{oku_devices['bmt'].pk}" not in fields


def test_area_narrows_the_list_and_an_outside_area_is_not_found(
    client, operator_oku_timur, oku_devices
):
    client.force_login(operator_oku_timur)
    text = _text(client.get(_url(area="16.08.12")))
    assert "SMS-1608-12-1" in text and "SMS-1608-01-1" not in text
    assert client.get(_url(area="16.09")).status_code == 404
    assert client.get(_url(area="16.09.01")).status_code == 404
    assert client.get(_url(area="bukan-kode")).status_code == 404


def test_admin_is_asked_for_an_area_before_any_device_is_listed(client, admin_user, oku_devices):
    client.force_login(admin_user)
    response = client.get(_url())
    assert response.status_code == 200
    text = _text(response)
    assert "Pilih wilayah" in text and "Kabupaten Ogan Komering Ulu Selatan" in text
    assert "SMS-16" not in text
    text = _text(client.get(_url(area="16.09")))
    assert "SMS-1609-01-1" in text and "SMS-1608-01-1" not in text


def test_an_invalid_date_is_refused_naming_the_value(client, operator_oku_timur):
    client.force_login(operator_oku_timur)
    response = client.get(reverse("entry") + "?date=2012-02-30")
    assert response.status_code == 400
    assert "Tanggal “2012-02-30” tidak dikenal" in _text(response)


def test_the_page_opens_on_today_in_jakarta_with_links_to_the_days_around(
    client, operator_oku_timur, oku_devices
):
    client.force_login(operator_oku_timur)
    today = timezone.localdate()
    response = client.get(reverse("entry"))
    assert f'name="date" value="{today.isoformat()}"' in response.content.decode()
    assert "Hari berikutnya" not in _text(response)  # nothing to enter for tomorrow yet
    page = client.get(_url()).content.decode()
    assert 'href="/entri/?date=2012-04-15"' in page
    assert 'href="/entri/?date=2012-04-17"' in page


def test_a_user_without_an_area_is_told_to_ask_the_admin(client, make_user):
    client.force_login(make_user("op_tanpa_wilayah", Role.OPERATOR))
    response = client.get(_url())
    assert response.status_code == 403
    assert "belum ditugaskan" in _text(response)


# --- Saving -----------------------------------------------------------------------------------


def test_saving_creates_counts_and_says_how_many(client, operator_oku_timur, oku_devices):
    RecordingDevice.objects.filter(serial="SMS-1608-01-1").update(daily_capacity=1_500)
    client.force_login(operator_oku_timur)
    page = client.get(_url())
    one, two, bmt = oku_devices["martapura_1"], oku_devices["martapura_2"], oku_devices["bmt"]
    response = _submit(client, page, {one: "1.234", two: "0"}, notes={two: "alat rusak"})
    assert response.status_code == 302
    assert response["Location"] == _url()
    assert _message(response) == "Tersimpan: 2 baru, 0 diperbarui, 0 tidak berubah."
    saved = {c.device: c for c in DailyCount.objects.filter(date=DAY)}
    assert set(saved) == {one, two}  # the empty input of `bmt` is no entry
    assert (saved[one].count, saved[two].count, saved[two].note) == (1_234, 0, "alat rusak")
    assert {c.entered_by for c in saved.values()} == {operator_oku_timur}
    assert bmt not in saved


def test_editing_a_count_updates_it_and_keeps_the_old_value(
    client, operator_oku_timur, oku_devices
):
    client.force_login(operator_oku_timur)
    device = oku_devices["martapura_1"]
    _submit(client, client.get(_url()), {device: "80"})
    response = _submit(client, client.get(_url()), {device: "95"})
    assert _message(response) == "Tersimpan: 0 baru, 1 diperbarui, 0 tidak berubah."
    saved = DailyCount.objects.get(device=device, date=DAY)
    assert (saved.count, saved.version) == (95, 2)
    revision = DailyCountRevision.objects.get(daily_count=saved)
    assert (revision.old_count, revision.new_count, revision.changed_by) == (
        80,
        95,
        operator_oku_timur,
    )


def test_a_device_outside_the_area_in_the_post_is_not_found_and_nothing_changes(
    client, operator_oku_timur, operator_oku_selatan, oku_devices
):
    outside = oku_devices["muara_dua"]
    DailyCount.objects.create(device=outside, date=DAY, count=40)
    mine = oku_devices["martapura_1"]
    client.force_login(operator_oku_timur)
    page = client.get(_url())
    for extra in [
        {f"count-{outside.pk}": "99", f"version-{outside.pk}": "1"},
        {f"note-{outside.pk}": "bukan alat saya"},
        {"count-999999": "5"},
        {"count-abc": "5"},
    ]:
        response = _submit(client, page, {mine: "10"}, **extra)
        assert response.status_code == 404
    assert list(DailyCount.objects.values_list("device", "count")) == [(outside.pk, 40)]


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("12a", ['SMS-1608-01-1: "12a" bukan bilangan bulat']),
        ("-5", ['SMS-1608-01-1: "-5" negatif', "kurang dari 0"]),
        ("1,5", ['SMS-1608-01-1: "1,5" bukan bilangan bulat']),
        ("301", ["301 untuk alat SMS-1608-01-1 melebihi batas 300", "kapasitas harian 100"]),
    ],
)
def test_a_count_that_cannot_be_right_is_refused_naming_the_device_and_the_limit(
    client, operator_oku_timur, oku_devices, typed, words
):
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {oku_devices["martapura_1"]: typed})
    assert response.status_code == 200
    text = _text(response)
    for word in words:
        assert word in text
    assert not DailyCount.objects.exists()


def test_a_date_in_the_future_is_refused(client, operator_oku_timur, oku_devices):
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    client.force_login(operator_oku_timur)
    page = client.get(_url(tomorrow))
    response = _submit(client, page, {oku_devices["martapura_1"]: "10"})
    assert f"Alat SMS-1608-01-1: tanggal {format_day(tomorrow)} belum terjadi" in _text(response)
    assert not DailyCount.objects.exists()


def test_a_date_before_the_device_started_is_refused(client, operator_oku_timur, make_device):
    # Not listed for that day; a form opened before its start date was changed still posts it.
    late = make_device("16.08.01", serial="SMS-LATE", commissioned_on=dt.date(2012, 4, 20))
    client.force_login(operator_oku_timur)
    response = client.post(_url(), {f"count-{late.pk}": "10", f"version-{late.pk}": "0"})
    assert response.status_code == 200
    assert "Alat SMS-LATE baru beroperasi sejak 20 Apr 2012" in _text(response)
    assert not DailyCount.objects.exists()


def test_a_date_before_the_campaign_started_is_refused(client, operator_oku_timur, oku_devices):
    Campaign.objects.create(
        regency_id="16.08",
        name="Perekaman massal",
        starts_on=dt.date(2012, 4, 17),
        deadline=dt.date(2012, 12, 31),
    )
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {oku_devices["martapura_1"]: "10"})
    assert "Alat SMS-1608-01-1: perekaman di wilayah ini baru dimulai 17 Apr 2012" in _text(
        response
    )
    assert not DailyCount.objects.exists()


def test_one_bad_row_saves_nothing_and_every_error_is_shown_with_what_was_typed(
    client, operator_oku_timur, oku_devices
):
    one, two, bmt = oku_devices["martapura_1"], oku_devices["martapura_2"], oku_devices["bmt"]
    client.force_login(operator_oku_timur)
    response = _submit(
        client, client.get(_url()), {one: "50", two: "12a", bmt: "301"}, notes={one: "lancar"}
    )
    assert response.status_code == 200
    text = _text(response)
    assert 'SMS-1608-01-2: "12a" bukan bilangan bulat' in text
    assert "301 untuk alat SMS-1608-12-1 melebihi batas 300" in text
    assert "2 kesalahan" in text
    fields = _read(response).fields
    assert (fields[f"count-{one.pk}"], fields[f"note-{one.pk}"]) == ("50", "lancar")
    assert (fields[f"count-{two.pk}"], fields[f"count-{bmt.pk}"]) == ("12a", "301")
    assert not DailyCount.objects.exists()
    # Fixed, the same form saves.
    response = _submit(client, response, {two: "12", bmt: "30"}, url=_url())
    assert DailyCount.objects.filter(date=DAY).count() == 3


def test_a_note_longer_than_the_column_is_refused_on_its_row(
    client, operator_oku_timur, oku_devices
):
    device = oku_devices["martapura_1"]
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {device: "5"}, notes={device: "x" * 201})
    assert "SMS-1608-01-1: catatan paling banyak 200 karakter" in _text(response)
    assert not DailyCount.objects.exists()


# --- Warnings ---------------------------------------------------------------------------------


def test_above_capacity_needs_confirmation_then_is_saved_for_follow_up(
    client, operator_oku_timur, oku_devices
):
    device = oku_devices["martapura_1"]
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {device: "150"})
    assert response.status_code == 200
    text = _text(response)
    assert "150 di atas kapasitas harian alat SMS-1608-01-1 (100)" in text
    assert "Saya sudah memeriksa peringatan di atas dan tetap ingin menyimpan" in text
    assert not DailyCount.objects.exists()
    assert "confirm" not in _read(response).fields  # never ticked for the operator

    response = _submit(client, response, confirm="on", url=_url())
    assert response.status_code == 302
    saved = DailyCount.objects.get(device=device, date=DAY)
    assert saved.count == 150
    assert saved.needs_follow_up and "kapasitas" in saved.follow_up_reasons


def test_a_warning_raised_after_the_box_was_ticked_must_be_confirmed_again(
    client, operator_oku_timur, oku_devices
):
    first, second = oku_devices["martapura_1"], oku_devices["martapura_2"]
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {first: "150", second: "20"})
    assert "150 di atas kapasitas harian alat SMS-1608-01-1" in _text(response)

    # The operator ticks the box, but also changes the second count to one over capacity.
    response = _submit(client, response, {second: "170"}, confirm="on", url=_url())
    assert response.status_code == 200
    text = _text(response)
    assert "Peringatan berubah setelah konfirmasi dicentang" in text
    assert "170 di atas kapasitas harian alat SMS-1608-01-2" in text
    assert not DailyCount.objects.exists()
    assert "confirm" not in _read(response).fields

    response = _submit(client, response, confirm="on", url=_url())
    assert response.status_code == 302
    assert sorted(DailyCount.objects.values_list("count", flat=True)) == [150, 170]


def test_ticking_the_box_with_a_typing_error_elsewhere_keeps_the_warnings_confirmable(
    client, operator_oku_timur, oku_devices
):
    first, second = oku_devices["martapura_1"], oku_devices["martapura_2"]
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {first: "150", second: "12O"})
    response = _submit(client, response, confirm="on", url=_url())
    text = _text(response)
    assert "Peringatan berubah" not in text  # same warning; only the error blocks the save
    response = _submit(client, response, {second: "12"}, confirm="on", url=_url())
    assert response.status_code == 302
    assert sorted(DailyCount.objects.values_list("count", flat=True)) == [12, 150]


def test_a_refused_save_sums_up_its_errors_at_the_top_with_links_to_the_inputs(
    client, operator_oku_timur, oku_devices
):
    first, second = oku_devices["martapura_1"], oku_devices["martapura_2"]
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {first: "12O"}, notes={second: "x" * 201})
    page = response.content.decode()
    summary = re.search(r'<div class="error error-summary" tabindex="-1".*?</ul>', page, re.S)
    assert summary, "no error summary that entry.js can focus"
    assert page.index("error-summary") < page.index('<table class="data entry-table">')
    links = re.findall(r'<a href="#([\w-]+)">([^<]*)</a>', summary.group(0))
    assert [target for target, _ in links] == [f"count-{first.pk}", f"note-{second.pk}"]
    assert "12O" in html.unescape(links[0][1]) and "catatan" in links[1][1]
    # Each link leads to an input marked invalid, and described by its row's messages.
    for target, _ in links:
        tag = re.search(rf'<input [^>]*id="{target}"[^>]*>', page).group(0)
        pk = target.split("-")[1]
        assert 'aria-invalid="true"' in tag and f'aria-describedby="pesan-{pk}"' in tag
        assert f'<td colspan="7" id="pesan-{pk}">' in page
    assert not DailyCount.objects.exists()


def test_the_confirmation_sits_in_the_box_of_the_warnings_it_confirms(
    client, operator_oku_timur, oku_devices
):
    device = oku_devices["martapura_1"]
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {device: "150"})
    box = _part(response, r'<div class="warning-box error-summary" tabindex="-1".*?</p>\s*</div>')
    assert "150 di atas kapasitas harian alat SMS-1608-01-1 (100)" in box
    assert "Saya sudah memeriksa peringatan di atas dan tetap ingin menyimpan" in box
    page = response.content.decode()
    assert page.index('name="confirm"') < page.index('<table class="data entry-table">')
    assert f'<a href="#count-{device.pk}">' in page


def test_a_count_on_a_day_the_device_was_broken_is_a_warning(
    client, operator_oku_timur, oku_devices
):
    device = oku_devices["martapura_1"]
    repair_report_fault(device=device, reported_on=DAY, symptom="mati", user=None)
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {device: "20"})
    assert "Alat SMS-1608-01-1 tercatat rusak pada 16 Apr 2012" in _text(response)
    assert not DailyCount.objects.exists()


def test_a_count_above_the_kecamatan_eligible_population_is_a_warning(
    client, operator_oku_timur, oku_devices
):
    EligiblePopulation.objects.create(
        sub_district_id="16.08.01", as_of=dt.date(2011, 9, 1), eligible=1_000
    )
    DailyCount.objects.create(device=oku_devices["martapura_2"], date=YESTERDAY, count=950)
    client.force_login(operator_oku_timur)
    response = _submit(client, client.get(_url()), {oku_devices["martapura_1"]: "60"})
    text = _text(response)
    assert "total terekam Kec. Martapura akan menjadi 1.010, melebihi wajib KTP 1.000" in text
    assert DailyCount.objects.filter(date=DAY).count() == 0


# --- Lost updates -----------------------------------------------------------------------------


@pytest.fixture
def second_operator(make_user):
    return make_user("op_okutimur_2", Role.OPERATOR, "16.08")


def test_a_value_saved_by_someone_else_after_opening_is_never_overwritten(
    client, operator_oku_timur, second_operator, oku_devices
):
    device = oku_devices["martapura_1"]
    client.force_login(operator_oku_timur)
    stale = client.get(_url())  # seen: no value yet (version 0)

    client.force_login(second_operator)
    _submit(client, client.get(_url()), {device: "70"}, notes={device: "dari kertas"})

    client.force_login(operator_oku_timur)
    response = _submit(client, stale, {device: "80"})
    assert response.status_code == 200
    assert DailyCount.objects.get(device=device).count == 70
    text = _text(response)
    assert "diubah orang lain" in text
    assert "Nilai Anda 80" in text
    assert "Tersimpan sekarang 70 “dari kertas” oleh op_okutimur_2" in text
    fields = _read(response).fields
    assert fields[f"version-{device.pk}"] == "1"  # the stored version, now seen
    assert f"resolve-{device.pk}" not in fields  # no choice made for the operator

    # Saving again without choosing is refused.
    again = _submit(client, response, url=_url())
    assert "SMS-1608-01-1: nilainya diubah orang lain; pilih" in _text(again)
    assert DailyCount.objects.get(device=device).count == 70

    # Keeping mine overwrites knowingly, and the change is on record.
    saved = _submit(client, again, url=_url(), **{f"resolve-{device.pk}": "mine"})
    assert saved.status_code == 302
    count = DailyCount.objects.get(device=device)
    assert (count.count, count.entered_by) == (80, operator_oku_timur)
    revision = DailyCountRevision.objects.get(daily_count=count)
    assert (revision.old_count, revision.new_count, revision.changed_by) == (
        70,
        80,
        operator_oku_timur,
    )


def test_taking_the_stored_value_keeps_it(client, operator_oku_timur, second_operator, oku_devices):
    device, other = oku_devices["martapura_1"], oku_devices["martapura_2"]
    DailyCount.objects.create(device=device, date=DAY, count=50)
    client.force_login(operator_oku_timur)
    stale = client.get(_url())  # seen: 50, version 1

    client.force_login(second_operator)
    _submit(client, client.get(_url()), {device: "55"})

    client.force_login(operator_oku_timur)
    response = _submit(client, stale, {device: "60", other: "7"})
    assert "Nilai Anda 60" in _text(response) and "Tersimpan sekarang 55" in _text(response)
    assert not DailyCount.objects.filter(device=other).exists()  # nothing of the batch saved
    saved = _submit(client, response, url=_url(), **{f"resolve-{device.pk}": "theirs"})
    assert _message(saved) == "Tersimpan: 1 baru, 0 diperbarui, 0 tidak berubah."
    assert DailyCount.objects.get(device=device).count == 55
    assert DailyCount.objects.get(device=other).count == 7


def test_two_saves_from_the_same_opened_form_never_both_win(
    client, operator_oku_timur, second_operator, oku_devices
):
    device = oku_devices["martapura_1"]
    for seen_before in (None, 40):
        DailyCount.objects.filter(device=device).delete()
        if seen_before is not None:
            DailyCount.objects.create(device=device, date=DAY, count=seen_before)
        client.force_login(operator_oku_timur)
        first = client.get(_url())
        client.force_login(second_operator)
        second = client.get(_url())

        assert _submit(client, second, {device: "61"}).status_code == 302
        client.force_login(operator_oku_timur)
        refused = _submit(client, first, {device: "62"})
        assert refused.status_code == 200 and "diubah orang lain" in _text(refused)
        assert DailyCount.objects.get(device=device).count == 61


# --- Belum lapor, queries, keyboard -----------------------------------------------------------


def test_not_reported_lists_exactly_the_devices_without_a_count_that_day(
    client, operator_oku_timur, oku_devices, make_device
):
    make_device("16.08.01", serial="PENSIUN-1", status=DeviceStatus.RETIRED)
    DailyCount.objects.create(device=oku_devices["martapura_1"], date=DAY, count=0)
    DailyCount.objects.create(device=oku_devices["martapura_2"], date=YESTERDAY, count=9)
    client.force_login(operator_oku_timur)
    response = client.get(_url())
    text = _part(response, r'<aside class="card not-reported".*?</aside>')
    assert "Belum lapor: 2 alat" in text
    assert "SMS-1608-01-2" in text and "SMS-1608-12-1" in text
    assert "SMS-1608-01-1" not in text and "PENSIUN-1" not in text


@pytest.mark.parametrize("devices", [5, 40])
def test_the_page_costs_the_same_queries_for_5_or_40_devices(
    client, operator_oku_timur, make_device, django_assert_max_num_queries, devices
):
    for n in range(devices):
        device = make_device(f"16.08.{n % 20 + 1:02d}", serial=f"Q-{n:03d}")
        DailyCount.objects.create(device=device, date=YESTERDAY, count=n)
        if n % 2:
            DailyCount.objects.create(
                device=device, date=DAY, count=n, entered_by=operator_oku_timur
            )
    client.force_login(operator_oku_timur)
    # One of them reads the devices' status on the day (the "belum lapor" rule).
    with django_assert_max_num_queries(8):
        page = client.get(_url())
    assert len(re.findall(r'data-entry-column="count"', page.content.decode())) == devices
    typed = {name: "10" for name in _read(page).fields if name.startswith("count-")}
    with django_assert_max_num_queries(25):
        response = _submit(client, page, **typed)
    assert response.status_code == 302


def test_tab_follows_the_page_and_counts_take_a_numeric_keyboard(
    client, operator_oku_timur, oku_devices
):
    """No positive tabindex: Tab goes from the day field and the day links into the grid, row
    by row (entry.js makes Enter go down the counts)."""
    client.force_login(operator_oku_timur)
    response = client.get(_url())
    page = response.content.decode()
    assert _read(response).tabs == []
    assert not re.search(r'tabindex="[1-9]', page)
    assert page.index('id="entry-date"') < page.index('rel="prev"') < page.index('name="count-')
    n = 3
    assert page.count('inputmode="numeric"') == n
    assert page.count('autocomplete="off"') == 2 * n
    assert '<script src="/static/js/entry.js" defer></script>' in page
    assert not re.search(r"<script(?![^>]*\bsrc=)", page)  # no inline script (CSP)
