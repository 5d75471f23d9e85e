"""The vendor report (/vendor/): turnaround, overdue repairs, inside the user's areas."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from recording.models import Vendor
from recording.services.repairs import (
    repair_fix_on_site,
    repair_replace,
    repair_report_fault,
    repair_return,
    repair_ship,
)
from tests.recording.test_repair_list import grant

REPORT = "/vendor/"


@pytest.fixture
def days_ago(frozen_today):
    return lambda days: frozen_today - dt.timedelta(days=days)


@pytest.fixture
def konsorsium(db):
    return Vendor.objects.create(name="Konsorsium PNRI", agreed_repair_days=10)


@pytest.fixture
def servis(db):
    return Vendor.objects.create(name="CV Servis Banda Aceh", agreed_repair_days=30)


@pytest.fixture
def at_vendor(make_device, days_ago):
    """A device of `sub_district` that broke `reported` days ago and left `shipped` days ago."""

    def make(sub_district: str, serial: str, vendor, *, reported: int, shipped: int):
        device = make_device(sub_district, serial=serial)
        repair_report_fault(
            device=device, reported_on=days_ago(reported), symptom="printer macet", user=None
        )
        repair_ship(device=device, shipped_on=days_ago(shipped), vendor=vendor, user=None)
        return device

    return make


@pytest.fixture
def history(at_vendor, make_device, days_ago, konsorsium, servis):
    """Closed and open repairs of two vendors in OKU Timur, OKU Selatan and Aceh."""
    # Konsorsium, OKU Timur, closed: 4, 10 and 30 days at the vendor.
    device = at_vendor("16.08.01", "TIM-A", konsorsium, reported=100, shipped=90)
    repair_return(device=device, returned_on=days_ago(86), user=None)
    device = at_vendor("16.08.02", "TIM-B", konsorsium, reported=80, shipped=70)
    repair_return(device=device, returned_on=days_ago(60), user=None)
    device = at_vendor("16.08.03", "TIM-C", konsorsium, reported=60, shipped=50)
    repair_replace(device=device, replaced_on=days_ago(20), new_serial="TIM-C2", user=None)
    # Konsorsium, OKU Timur, open: 20 days (overdue) and exactly the agreed 10 (on time).
    at_vendor("16.08.12", "TIM-LATE", konsorsium, reported=30, shipped=20)
    at_vendor("16.08.04", "TIM-ONTIME", konsorsium, reported=15, shipped=10)
    # Konsorsium, OKU Selatan: closed after 100 days, and one open overdue.
    device = at_vendor("16.09.01", "SEL-A", konsorsium, reported=200, shipped=150)
    repair_return(device=device, returned_on=days_ago(50), user=None)
    at_vendor("16.09.02", "SEL-LATE", konsorsium, reported=40, shipped=25)
    # Fixed on site: never went to a vendor, counts for none.
    device = make_device("16.08.05", serial="TIM-SITE")
    repair_report_fault(device=device, reported_on=days_ago(10), symptom="kabel", user=None)
    repair_fix_on_site(device=device, fixed_on=days_ago(5), user=None)
    # The other vendor, in Aceh: closed after 2 days, one open overdue (35 > 30).
    device = at_vendor("11.01.01", "ACE-A", servis, reported=50, shipped=40)
    repair_return(device=device, returned_on=days_ago(38), user=None)
    at_vendor("11.01.02", "ACE-LATE", servis, reported=40, shipped=35)


def figures(response, vendor_name: str) -> dict[str, str]:
    """The vendor's row of the summary table, as the user reads it."""
    assert response.status_code == 200
    html = response.content.decode()
    table = html[html.index('class="data vendor-table"') : html.index("</table>")]
    row = next(r for r in table.split("<tr")[1:] if f"<td>{vendor_name}" in r)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    keys = ["vendor", "agreed", "total", "open", "closed", "median", "worst", "overdue"]
    return dict(zip(keys, cells, strict=True))


def overdue_section(response, vendor) -> str:
    html = response.content.decode()
    start = html.index(f'id="terlambat-{vendor.pk}"')
    return html[start : html.index("</section>", start)]


def test_admin_sees_figures_over_every_area(client, admin_user, history, konsorsium, servis):
    client.force_login(admin_user)
    response = client.get(REPORT)
    assert figures(response, "Konsorsium PNRI") == {
        "vendor": "Konsorsium PNRI",
        "agreed": "10",
        "total": "7",
        "open": "3",
        "closed": "4",
        "median": "20",  # of 4, 10, 30 and 100 days
        "worst": "100",
        "overdue": "2",
    }
    aceh = figures(response, "CV Servis Banda Aceh")
    assert (aceh["total"], aceh["median"], aceh["worst"], aceh["overdue"]) == ("2", "2", "2", "1")


def test_operator_sees_only_their_regency(client, operator_oku_timur, history, servis):
    client.force_login(grant(operator_oku_timur, "view_vendor"))
    response = client.get(REPORT)
    assert figures(response, "Konsorsium PNRI") == {
        "vendor": "Konsorsium PNRI",
        "agreed": "10",
        "total": "5",
        "open": "2",
        "closed": "3",
        "median": "10",  # of 4, 10 and 30 days
        "worst": "30",
        "overdue": "1",
    }
    # A vendor with no repairs in the area is listed with nothing to show.
    aceh = figures(response, "CV Servis Banda Aceh")
    assert (aceh["total"], aceh["median"], aceh["worst"], aceh["overdue"]) == ("0", "—", "—", "0")
    assert f'id="terlambat-{servis.pk}"' not in response.content.decode()


def test_overdue_list_names_the_late_devices_only(
    client, operator_oku_timur, history, konsorsium, days_ago
):
    client.force_login(grant(operator_oku_timur, "view_vendor", "view_repair"))
    section = overdue_section(client.get(REPORT), konsorsium)
    assert "TIM-LATE" in section
    assert "TIM-ONTIME" not in section  # exactly the agreed days is not late
    assert "SEL-LATE" not in section  # OKU Selatan is not the operator's
    assert '<td class="num">20</td>' in section  # days at the vendor
    assert '<td class="num late-days">10</td>' in section  # days past the agreed 10
    assert f"/perbaikan/?vendor={konsorsium.pk}&amp;overdue=on" in section


def test_provincial_viewer_sees_both_regencies(client, viewer_sumsel, history, konsorsium):
    client.force_login(grant(viewer_sumsel, "view_vendor"))
    response = client.get(REPORT)
    assert figures(response, "Konsorsium PNRI")["overdue"] == "2"
    section = overdue_section(response, konsorsium)
    assert "TIM-LATE" in section
    assert "SEL-LATE" in section
    assert figures(response, "CV Servis Banda Aceh")["total"] == "0"


def test_median_of_an_even_count_in_indonesian(client, admin_user, at_vendor, days_ago):
    vendor = Vendor.objects.create(name="PT Genap", agreed_repair_days=14)
    for serial, shipped, returned in (("G-1", 30, 26), ("G-2", 30, 19)):  # 4 and 11 days
        device = at_vendor("16.08.01", serial, vendor, reported=40, shipped=shipped)
        repair_return(device=device, returned_on=days_ago(returned), user=None)
    client.force_login(admin_user)
    row = figures(client.get(REPORT), "PT Genap")
    assert (row["median"], row["worst"], row["closed"]) == ("7,5", "11", "2")


def test_anonymous_is_sent_to_login(client):
    response = client.get(REPORT)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_user_without_vendor_permission_is_refused(client, make_user):
    client.force_login(grant(make_user("tanpa_izin_vendor"), "view_repair"))
    assert client.get(REPORT).status_code == 403
    # The menu offers the repairs list but not the report they may not open.
    menu = client.get("/perbaikan/").content.decode()
    assert '<a href="/perbaikan/">Perbaikan</a>' in menu
    assert '<a href="/vendor/">' not in menu


@pytest.mark.parametrize("late", [1, 10])
def test_query_count_does_not_grow_with_repairs(
    client, django_assert_max_num_queries, operator_oku_timur, at_vendor, konsorsium, late
):
    for i in range(late):
        at_vendor("16.08.01", f"Q-{i:02d}", konsorsium, reported=40 + i, shipped=30 + i)
    client.force_login(grant(operator_oku_timur, "view_vendor"))
    with django_assert_max_num_queries(8):
        response = client.get(REPORT)
    assert figures(response, "Konsorsium PNRI")["overdue"] == str(late)
