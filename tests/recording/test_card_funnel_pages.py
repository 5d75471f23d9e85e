"""The card journey's backlog figures and its chart over time on the dashboards, on hand-made
figures (the demo, loaded once per module in test_card_journey_pages.py, would add to them)."""

import csv
import datetime as dt
import io

import pytest

from cards.services.blanko import blanko_receipt_record
from cards.services.reports import card_reports_save
from districts.models import Regency
from recording.models import DailyCount
from tests.cards.conftest import row as report_row

pytestmark = pytest.mark.django_db


def card_backlog(make_device) -> None:
    """Worked by hand: OKU Timur got 1.000 blanko, 1.500 print-ready and 800 printed + 20 spoiled
    on 10 April, 900 sukets: 700 waiting, stock 180, so 520 blanko needed and min(900, 700) =
    700 sukets out. OKU Selatan got 500, 600 print-ready and 300 printed on 12 April, 100
    sukets: 300 waiting, stock 200, so 100 needed and min(100, 300) = 100 out. Martapura
    (16.08.01) received 500 and handed out 200 on 12 April; its device recorded 3.000 on
    1 April."""
    day = dt.date(2012, 4, 1)
    for code, quantity in (("16.08", 1_000), ("16.09", 500)):
        blanko_receipt_record(
            regency=Regency.objects.get(code=code),
            date=day,
            quantity=quantity,
            reference=f"470/{quantity}/Dukcapil",
            user=None,
        )
    card_reports_save(
        rows=[
            report_row(
                "16.08",
                dt.date(2012, 4, 10),
                print_ready=1_500,
                printed=800,
                spoiled=20,
                suket_issued=900,
            ),
            report_row(
                "16.09", dt.date(2012, 4, 12), print_ready=600, printed=300, suket_issued=100
            ),
            report_row("16.08.01", dt.date(2012, 4, 12), received=500, handed_out=200),
        ],
        user=None,
    )
    DailyCount.objects.create(device=make_device("16.08.01"), date=day, count=3_000)


@pytest.fixture
def backlog(make_device):
    card_backlog(make_device)


def _card_section(client, url: str) -> str:
    html = client.get(url).content.decode()
    return html[html.index('<section class="card-journey"') :]


def _stat(label: str, value: str) -> str:
    return f'<span class="label">{label}</span><span class="value">{value}</span>'


@pytest.mark.parametrize(
    "url, suket_outstanding, blanko_needed",
    [
        ("/wilayah/?as_of=2012-04-16", "800", "620"),  # 700 + 100; 520 + 100
        ("/wilayah/16/?as_of=2012-04-16", "800", "620"),
        ("/wilayah/16.08/?as_of=2012-04-16", "700", "520"),
        ("/wilayah/16.09/?as_of=2012-04-16", "100", "100"),
        # On 11 April OKU Selatan had not reported: only OKU Timur's.
        ("/wilayah/16/?as_of=2012-04-11", "700", "520"),
    ],
)
def test_backlog_shows_suket_outstanding_and_blanko_needed(
    client, admin_user, backlog, url, suket_outstanding, blanko_needed
):
    client.force_login(admin_user)
    section = _card_section(client, url)

    assert _stat("Suket beredar (perkiraan)", suket_outstanding) in section
    assert _stat("Blanko dibutuhkan untuk tunggakan", blanko_needed) in section


def test_province_table_has_blanko_needed_per_regency(client, admin_user, backlog):
    client.force_login(admin_user)
    section = _card_section(client, "/wilayah/16/?as_of=2012-04-16")

    def last_cell(code: str) -> str:
        row = section[section.index(f'href="/wilayah/{code}/?as_of=2012-04-16"') :]
        return row[: row.index("</tr>")].split("<td>")[-1].split("</td>")[0]

    assert (last_cell("16.08"), last_cell("16.09"), last_cell("16.01")) == ("520", "100", "0")


def test_kecamatan_has_no_suket_nor_blanko_figures(client, admin_user, backlog):
    client.force_login(admin_user)
    section = _card_section(client, "/wilayah/16.08.01/?as_of=2012-04-16")

    assert _stat("Suket beredar (perkiraan)", "—") in section
    assert "Blanko dibutuhkan" not in section


@pytest.mark.parametrize(
    "url, figures",
    [
        (
            "/wilayah/16/?as_of=2012-04-16",
            "Terekam 3.000; Siap cetak 2.100; Dicetak 1.100; Diserahkan 200.",
        ),
        # The day before OKU Selatan's and Martapura's reports: OKU Timur's alone.
        (
            "/wilayah/16/?as_of=2012-04-11",
            "Terekam 3.000; Siap cetak 1.500; Dicetak 800; Diserahkan 0.",
        ),
        (
            "/wilayah/16.08.01/?as_of=2012-04-16",
            "Terekam 3.000; Diterima kecamatan 500; Diserahkan 200.",
        ),
    ],
)
def test_card_journey_chart_on_the_page(client, admin_user, backlog, url, figures):
    client.force_login(admin_user)
    section = _card_section(client, url)
    day = "16 Apr 2012" if "04-16" in url else "11 Apr 2012"

    assert 'id="grafik-perjalanan-kartu"' in section
    assert f"Kumulatif per {day}: {figures}</desc>" in section


def _csv_rows(client, url: str) -> dict[str, dict]:
    content = client.get(url).content.decode("utf-8")
    return {row["code"]: row for row in csv.DictReader(io.StringIO(content))}


def test_csv_has_suket_outstanding_and_blanko_needed(client, admin_user, backlog):
    client.force_login(admin_user)
    regencies = _csv_rows(client, "/wilayah/16/?as_of=2012-04-16&_export=csv")
    kecamatan = _csv_rows(client, "/wilayah/16.08/?as_of=2012-04-16&_export=csv")

    assert (regencies["16.08"]["suket_outstanding"], regencies["16.08"]["blanko_needed"]) == (
        "700",
        "520",
    )
    assert (regencies["16.09"]["suket_outstanding"], regencies["16.09"]["blanko_needed"]) == (
        "100",
        "100",
    )
    # A kecamatan has neither: empty, not 0.
    assert (kecamatan["16.08.01"]["suket_outstanding"], kecamatan["16.08.01"]["blanko_needed"]) == (
        "",
        "",
    )
