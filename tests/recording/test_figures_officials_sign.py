"""Figures an official can defend, on the demo: one "belum lapor" rule, old data said as old,
completed areas as complete, statuses that read with their projection, crumbs that open."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from districts.choices import Role
from districts.models import Regency
from districts.selectors import Crumb, region_crumbs, user_scope
from recording.choices import DeviceStatus
from recording.selectors.dashboards import area_dashboard

STORY = "as_of=2012-04-16"
MUCH_LATER = "as_of=2026-11-30"


def _text(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def demo_operator(loaded, client, django_user_model):
    client.force_login(django_user_model.objects.get(username="operator.okutimur"))
    return client


def test_expected_to_report_is_only_a_working_station():
    assert DeviceStatus.expected_to_report(DeviceStatus.OPERATIONAL)
    for status in (DeviceStatus.BROKEN, DeviceStatus.AT_VENDOR, DeviceStatus.RETIRED):
        assert not DeviceStatus.expected_to_report(status)


def test_entry_page_and_dashboard_count_the_same_silent_stations(demo_operator):
    """29 devices, 2 at the vendor: 27 expected to report on the story day, none did yet."""
    html = demo_operator.get("/entri/?area=16.08&date=2012-04-17").content.decode()
    dashboard = area_dashboard(
        region=Regency.objects.get(code="16.08"), code="16.08", as_of=dt.date(2012, 4, 17)
    )
    assert dashboard.total.not_reported == 27
    listed = html.split('id="not-reported-title"', 1)[1].split("</ul>", 1)[0]
    assert "Belum lapor: 27 alat" in listed
    assert len(re.findall(r"<li>", listed)) == 27
    # The two stations at the vendor are not on the list.
    assert "SMS-1608-12-1" not in listed and "SMS-1608-20-1" not in listed


def test_an_area_silent_for_years_says_since_when_and_links_to_that_day(demo_operator):
    response = demo_operator.get(f"/wilayah/16.08/?{MUCH_LATER}")
    html = response.content.decode()
    text = _text(response)
    assert "Data terakhir 16 Apr 2012" in text
    assert 'href="?as_of=2012-04-16"' in html
    assert "Lihat keadaan per 16 Apr 2012" in text
    # The charts end at the data instead of saying there is none.
    assert "Belum ada data perekaman" not in text
    assert '<polyline class="cumulative"' in html
    fresh = _text(demo_operator.get(f"/wilayah/16.08/?{STORY}"))
    assert "Data terakhir" not in fresh


def test_the_kecamatan_table_shows_each_devices_count_for_the_day(demo_operator):
    response = demo_operator.get(f"/wilayah/16.08.01/?{STORY}")
    html = response.content.decode()
    assert "Jumlah 16 Apr" in html
    assert ">ya<" not in html
    # The devices table is the page's first; the card journey's tables come after it.
    devices = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>.*?</tr>", devices, re.S)
    assert rows
    for row in rows:
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        # The day's count: a number like the other figures, or "belum lapor" (then the 7 days'
        # reporting completeness and the follow-up marks).
        assert re.fullmatch(r"[\d.]+|.*belum lapor.*", cells[-3].strip()), cells[-3]


def test_a_completed_regency_says_done_and_since_when(demo_operator, client, viewer_sumsel):
    client.force_login(viewer_sumsel)
    own_page = _text(client.get(f"/wilayah/16.09/?{STORY}"))
    assert "Selesai 3 Apr 2012" in own_page
    province = client.get(f"/wilayah/16/?{STORY}").content.decode()
    row = next(r for r in re.findall(r"<tr[^>]*>.*?</tr>", province, re.S) if "16.09" in r)
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    # The "Perkiraan selesai" column says it is done, instead of projecting a day.
    assert cells[9] == "Selesai"
    assert cells[10] == "Selesai 100%"


def test_a_status_reads_with_its_projection(demo_operator, client, viewer_sumsel):
    client.force_login(viewer_sumsel)
    page = client.get(f"/wilayah/16.08/?{STORY}").content.decode()
    late_rows = [
        r
        for r in re.findall(r"<tr[^>]*>.*?</tr>", page, re.S)
        if re.search(r'class="badge progress-(at_risk|late)"', r)
    ]
    assert late_rows
    for row in late_rows:
        projected = re.search(r'<span class="late">(\d+ \w+ \d{4})</span>', row)
        if projected:  # a projected day after the deadline comes with the days it is late
            assert re.search(r"\+\d+ hari", row), row


def test_the_headline_names_the_kecamatan_without_a_working_station(demo_operator):
    text = _text(demo_operator.get(f"/wilayah/16.08/?{STORY}"))
    assert "2 kecamatan tanpa alat yang berfungsi" in text
    assert "Tidak ada alat yang berfungsi di Ogan Komering Ulu Timur" not in text
    kecamatan = _text(demo_operator.get(f"/wilayah/16.08.12/?{STORY}"))
    assert "Tidak ada alat yang berfungsi di Buay Madang Timur" in kecamatan


@pytest.mark.parametrize(
    ("role", "area", "region", "linked"),
    [
        (Role.VIEWER, "16", "16.08", ["", "/wilayah/16/", "/wilayah/16.08/"]),
        (Role.OPERATOR, "16.08", "16.08.12", ["", "", "/wilayah/16.08/", "/wilayah/16.08.12/"]),
        (
            None,
            "",
            "16.08.12",
            ["/wilayah/", "/wilayah/16/", "/wilayah/16.08/", "/wilayah/16.08.12/"],
        ),
    ],
)
def test_crumbs_link_only_to_areas_the_user_may_open(make_user, role, area, region, linked):
    user = (
        make_user("siapa", role, area)
        if role
        else make_user("siapa", Role.ADMIN, is_staff=True, is_superuser=True)
    )
    from districts.selectors import region_get

    crumbs = region_crumbs(user_scope(user), region_get(region))
    assert [c.url for c in crumbs] == linked
    assert crumbs[0] == Crumb("Indonesia", linked[0])


def test_no_crumb_on_a_page_leads_to_a_404(demo_operator):
    for url in (f"/wilayah/16.08.12/?{STORY}", reverse("device", args=["SMS-1608-12-1"])):
        html = demo_operator.get(url).content.decode()
        crumbs = html.split('class="crumbs"', 1)[1].split("</nav>", 1)[0]
        links = re.findall(r'href="([^"]+)"', crumbs)
        assert links, url
        for link in links:
            assert demo_operator.get(link).status_code == 200, link
        assert "Sumatera Selatan" in crumbs and 'href="/wilayah/16/"' not in crumbs


def test_pages_open_on_the_default_day_when_one_is_set(demo_operator, settings):
    settings.DEFAULT_DAY = dt.date(2012, 4, 16)
    text = _text(demo_operator.get("/wilayah/16.08/"))
    assert "Keadaan per 16 Apr 2012" in text
    assert "81,4%" in text
    entry = _text(demo_operator.get("/entri/?area=16.08.01"))
    assert (
        "16 Apr 2012" in entry
        or "2012-04-16" in demo_operator.get("/entri/?area=16.08.01").content.decode()
    )
