"""The card journey on the dashboards and in their exports, on the demo (South Sumatra, 16
April 2012). OKU Selatan's figures are the story's and the demo's estimates, worked by hand:
print-ready 2.400, printed 2.000 (four runs of 500), spoiled 20 (1 in 100), blanko received
4.500 (2.000 + 20 + 2.400 = 4.420, rounded up to 500s), so a stock of 4.500 - 2.020 = 2.480,
lasting 2.480 × 28 / 2.020 = 34,4 → 34 days at the last four weeks' use."""

import csv
import io

import pytest

from cards.models import HandoutEvent, HandoutStatus

pytestmark = pytest.mark.django_db

PROVINCE_CSV = "/wilayah/16/?as_of=2012-04-16&_export=csv"


def _rows(client, url: str) -> dict[str, dict]:
    content = client.get(url).content.decode("utf-8")
    return {row["code"]: row for row in csv.DictReader(io.StringIO(content))}


def test_province_csv_has_oku_selatans_2000_cards_awaiting_handout(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    oku_selatan = _rows(client, PROVINCE_CSV)["16.09"]

    assert (oku_selatan["printed"], oku_selatan["handed_out"]) == ("2000", "0")
    assert oku_selatan["awaiting_handout"] == "2000"
    assert oku_selatan["print_ready_backlog"] == "400"  # 2.400 - 2.000
    assert (oku_selatan["blanko_stock"], oku_selatan["blanko_days_left"]) == ("2480", "34")
    assert (oku_selatan["suket_issued"], oku_selatan["card_coverage_percent"]) == ("0", "0.0")


def test_every_regency_prints_no_more_than_print_ready_nor_ready_more_than_recorded(
    client, viewer_sumsel, loaded
):
    client.force_login(viewer_sumsel)
    rows = _rows(client, PROVINCE_CSV)

    assert len(rows) == 17
    for code, row in rows.items():
        printed, backlog = int(row["printed"]), int(row["print_ready_backlog"])
        assert 0 < printed <= printed + backlog <= int(row["recorded"]), code
        assert int(row["blanko_stock"]) >= backlog, code  # receipts cover use and the backlog


def test_oku_selatans_handout_waits_for_the_bupati(loaded):
    (event,) = HandoutEvent.objects.filter(sub_district__regency="16.09")

    assert (event.planned_on, event.planned_count, event.note) == (
        None,
        2_000,
        "menunggu jadwal bupati",
    )
    assert event.status == HandoutStatus.PLANNED


def test_regency_page_shows_the_card_journey(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    html = client.get("/wilayah/16.09/?as_of=2012-04-16").content.decode()
    section = html[html.index('<section class="card-journey"') :]

    assert "Perjalanan kartu" in section
    for label, value in (
        ("Siap cetak", "2.400"),
        ("Dicetak", "2.000"),
        ("Siap cetak belum dicetak", "400"),
        ("Dicetak belum diserahkan", "2.000"),
        ("Stok blanko", "2.480"),
    ):
        assert f'<span class="label">{label}</span><span class="value">{value}</span>' in section
    assert "cukup 34 hari" in section


def test_province_page_lists_card_figures_per_regency(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    html = client.get("/wilayah/16/?as_of=2012-04-16").content.decode()
    section = html[html.index('<section class="card-journey"') :]
    row = section[section.index('href="/wilayah/16.09/?as_of=2012-04-16"') :]
    row = row[: row.index("</tr>")]

    # Print-ready, printed, handed out, backlog, awaiting, suket, blanko, days left, needed.
    cells = [cell.split("</td>")[0] for cell in row.split("<td>")[1:]]
    assert cells == ["2.400", "2.000", "0", "400", "2.000", "0", "2.480", "34", "0"]


def test_kecamatan_page_shows_its_cards_without_print_figures(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    html = client.get("/wilayah/16.09.01/?as_of=2012-04-16").content.decode()
    section = html[html.index('<section class="card-journey"') :]

    assert '<span class="label">Dicetak</span><span class="value">—</span>' in section
    assert "Diterima belum diserahkan" in section and "Stok blanko" not in section


def test_card_journey_in_english(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/wilayah/16.09/?as_of=2012-04-16").content.decode()
    section = html[html.index('<section class="card-journey"') :]

    for label in (
        "Card journey",
        "Print-ready",
        "Printed not handed out",
        "Blanko stock",
        "enough for 34 days",
    ):
        assert label in section, label
    assert "2,480" in section
    for indonesian in ("Perjalanan kartu", "Dicetak", "Stok blanko"):
        assert indonesian not in section, indonesian


def _waiting_section(client, url: str) -> str:
    html = client.get(url).content.decode()
    return html[html.index('<section class="card-waiting"') :]


def test_regency_page_flags_print_runs_waiting_more_than_30_days(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    # OKU Selatan printed 500 on 26 March, 2 April, 9 April and 16 April and handed out none.
    # On 16 April the oldest run waits 21 days: nothing waits longer than 30.
    on_the_day = _waiting_section(client, "/wilayah/16.09/?as_of=2012-04-16")
    assert (
        '<div class=""><span class="label">Menunggu lebih dari 30 hari</span>'
        '<span class="value">0</span>'
    ) in on_the_day
    assert "terlama sejak 26 Mar 2012 (21 hari)" in on_the_day
    # On 1 May, 30 days back is 1 April: the run of 26 March (500) waits 36 days.
    in_may = _waiting_section(client, "/wilayah/16.09/?as_of=2012-05-01")
    assert (
        '<div class="warn"><span class="label">Menunggu lebih dari 30 hari</span>'
        '<span class="value">500</span>'
    ) in in_may
    assert "terlama sejak 26 Mar 2012 (36 hari)" in in_may


def test_province_page_lists_regencies_with_cards_waiting_oldest_first(
    client, viewer_sumsel, loaded
):
    client.force_login(viewer_sumsel)
    section = _waiting_section(client, "/wilayah/16/?as_of=2012-05-01")
    listed = section[section.index('<ol class="waiting-children">') : section.index("</ol>")]

    # Every regency's first print run was on 26 March: all 17 wait, in code order.
    assert listed.count("<li>") == 17
    assert listed.index('href="/wilayah/16.01/') < listed.index('href="/wilayah/16.09/')
    oku_selatan = listed[listed.index('href="/wilayah/16.09/') :]
    oku_selatan = " ".join(oku_selatan[: oku_selatan.index("</li>")].split())
    assert "500 kartu lebih dari 30 hari, terlama sejak 26 Mar 2012 (36 hari)" in oku_selatan


def test_regency_page_shows_the_handout_waiting_for_the_bupati(client, viewer_sumsel, loaded):
    (event,) = HandoutEvent.objects.filter(sub_district__regency="16.09")
    client.force_login(viewer_sumsel)
    section = _waiting_section(client, "/wilayah/16.09/?as_of=2012-04-16")
    row = section[section.index('<tr class="handout-undated">') :]
    row = row[: row.index("</tr>")]

    assert (
        f'<a href="/kartu/pembagian/?area={event.sub_district_id}#jadwal-{event.pk}">'
        f"{event.sub_district.name}</a>"
    ) in row
    assert "belum dijadwalkan" in row and "menunggu jadwal bupati" in row
    assert "<td>2.000</td>" in row
    assert "belum dijadwalkan 1" in section
    assert '<a href="/kartu/pembagian/?area=16.09">' in section
