import datetime as dt

import pytest
from django.urls import reverse

from districts.choices import Role
from districts.models import EligiblePopulation
from recording.models import DailyCount, Vendor
from recording.services.repairs import repair_report_fault, repair_ship

D = dt.date


@pytest.fixture
def oku_timur_figures(make_device):
    """Two kecamatan of OKU Timur with eligible figures, devices and counts."""
    EligiblePopulation.objects.create(
        sub_district_id="16.08.01", as_of=D(2011, 9, 1), eligible=10_000
    )
    EligiblePopulation.objects.create(
        sub_district_id="16.08.12", as_of=D(2011, 9, 1), eligible=2_500
    )
    martapura = make_device("16.08.01", serial="MTP-1")
    bmt = make_device("16.08.12", serial="BMT-1")
    DailyCount.objects.create(device=martapura, date=D(2012, 4, 15), count=1_200)
    DailyCount.objects.create(device=martapura, date=D(2012, 4, 16), count=34)
    DailyCount.objects.create(device=bmt, date=D(2012, 4, 1), count=900)
    # Broke and went to the vendor on 2 April, through the repair steps as in use.
    repair_report_fault(device=bmt, reported_on=D(2012, 4, 2), symptom="Mati", user=None)
    vendor = Vendor.objects.create(name="Konsorsium Uji")
    repair_ship(device=bmt, shipped_on=D(2012, 4, 2), vendor=vendor, user=None)
    return martapura, bmt


def test_anonymous_visitor_is_sent_to_login(client):
    response = client.get("/wilayah/16/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_login_page_speaks_indonesian(client):
    response = client.get(reverse("login"))
    assert "Nama pengguna" in response.content.decode()
    assert "Kata sandi" in response.content.decode()


def test_home_sends_each_user_to_their_area(client, viewer_sumsel, operator_oku_timur, admin_user):
    client.force_login(viewer_sumsel)
    assert client.get("/")["Location"] == "/wilayah/16/"
    client.force_login(operator_oku_timur)
    assert client.get("/")["Location"] == "/wilayah/16.08/"
    client.force_login(admin_user)
    assert client.get("/")["Location"] == "/wilayah/"


def test_a_kecamatan_operator_sees_their_kecamatan_only(client, operator_martapura):
    client.force_login(operator_martapura)
    assert client.get("/")["Location"] == "/wilayah/16.08.01/"
    assert client.get("/wilayah/16.08.01/").status_code == 200
    for outside in ("/wilayah/16.08/", "/wilayah/16.08.12/", "/wilayah/16/", "/wilayah/"):
        assert client.get(outside).status_code == 404, outside


def test_an_operator_of_two_regencies_sees_both(client, operator_two_regencies):
    client.force_login(operator_two_regencies)
    assert client.get("/")["Location"] == "/wilayah/16.08/"
    for inside in ("/wilayah/16.08/", "/wilayah/16.09/", "/wilayah/16.09.01/"):
        assert client.get(inside).status_code == 200, inside
    for outside in ("/wilayah/16.10/", "/wilayah/16/", "/wilayah/"):
        assert client.get(outside).status_code == 404, outside


@pytest.mark.parametrize(
    "areas, home",
    [
        (("16.09.01", "16.08"), "/wilayah/16.08/"),  # a kecamatan, and a regency elsewhere
        (("16.08", "11"), "/wilayah/11/"),  # a regency, and a province elsewhere
        (("16.08.01", "16.08", "16"), "/wilayah/16/"),  # nested: the province holds the rest
    ],
)
def test_home_of_a_user_with_several_areas_is_the_widest(client, make_user, areas, home):
    """Whatever order the assignments were made or the database lists them in."""
    client.force_login(make_user("campur", Role.VIEWER, *areas))
    assert client.get("/")["Location"] == home


def test_user_without_area_is_told_to_ask_the_admin(client, make_user):
    client.force_login(make_user("tanpa_wilayah"))
    response = client.get("/")
    assert response.status_code == 403
    assert "belum ditugaskan" in response.content.decode()


def test_regency_page_shows_coverage_in_indonesian_format(client, viewer_sumsel, oku_timur_figures):
    client.force_login(viewer_sumsel)
    response = client.get("/wilayah/16.08/?as_of=2012-04-16")
    assert response.status_code == 200
    html = response.content.decode()
    total = response.context["overview"].total
    assert (total.eligible, total.recorded, total.remaining) == (12_500, 2_134, 10_366)
    assert "12.500" in html and "2.134" in html
    assert "17,1%" in html  # 2,134 / 12,500
    assert "Buay Madang Timur" in html and "Martapura" in html


def test_counts_after_the_as_of_day_are_not_counted(client, viewer_sumsel, oku_timur_figures):
    client.force_login(viewer_sumsel)
    response = client.get("/wilayah/16.08/?as_of=2012-04-15")
    assert response.context["overview"].total.recorded == 2_100


def test_down_station_is_flagged_on_regency_page(client, viewer_sumsel, oku_timur_figures):
    client.force_login(viewer_sumsel)
    html = client.get("/wilayah/16.08/?as_of=2012-04-16").content.decode()
    assert 'class="down-all"' in html  # Buay Madang Timur: its only device is at the vendor


def test_sub_district_page_lists_its_devices(client, operator_oku_timur, oku_timur_figures):
    client.force_login(operator_oku_timur)
    response = client.get("/wilayah/16.08.01/?as_of=2012-04-16")
    html = response.content.decode()
    assert "MTP-1" in html and "1.234" in html
    assert "BMT-1" not in html


def test_device_page_shows_recent_counts(client, operator_oku_timur, oku_timur_figures):
    client.force_login(operator_oku_timur)
    html = client.get("/alat/MTP-1/?as_of=2012-04-16").content.decode()
    assert "1.200" in html and "1.234" in html


def test_viewer_of_another_province_gets_404(client, viewer_aceh, oku_timur_figures):
    client.force_login(viewer_aceh)
    assert client.get("/wilayah/16/").status_code == 404
    assert client.get("/wilayah/16.08/").status_code == 404
    assert client.get("/wilayah/").status_code == 404
    assert client.get("/alat/MTP-1/").status_code == 404


def test_operator_cannot_see_the_neighbouring_regency(
    client, operator_oku_selatan, oku_timur_figures
):
    client.force_login(operator_oku_selatan)
    assert client.get("/wilayah/16.08/").status_code == 404
    assert client.get("/wilayah/16/").status_code == 404


def test_unknown_region_code_is_404(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/wilayah/16.99/").status_code == 404
    assert client.get("/wilayah/1x/").status_code == 404


def test_impossible_as_of_date_is_a_clear_400(client, viewer_sumsel):
    client.force_login(viewer_sumsel)
    response = client.get("/wilayah/16/?as_of=2012-04-31")
    assert response.status_code == 400
    assert "2012-04-31" in response.content.decode()


@pytest.mark.parametrize(
    "url", ["/wilayah/", "/wilayah/16/", "/wilayah/16.08/", "/wilayah/16.08.01/"]
)
def test_region_pages_have_a_fixed_query_budget(
    client, admin_user, oku_timur_figures, make_device, django_assert_max_num_queries, url
):
    for number in range(30):
        make_device(f"16.08.{number % 20 + 1:02d}")
    client.force_login(admin_user)
    # 18 for the coverage, 7 for the card journey (3 for the area, 3 grouped by child, 1 for
    # its series per day), 6 for the cards waiting and hand-out events (2 for the area's
    # ageing, 2 for its children's, the events listed and their counts; a kecamatan has no
    # children: 4), 4 for the reporting completeness (stations, their days off, the reports,
    # those on days off).
    with django_assert_max_num_queries(35):
        assert client.get(url + "?as_of=2012-04-16").status_code == 200


def test_data_note_names_the_source_of_eligible_figures(client, viewer_sumsel, make_device):
    EligiblePopulation.objects.create(
        sub_district_id="16.08.01", as_of=D(2011, 9, 1), eligible=10, source="Perkiraan demo"
    )
    client.force_login(viewer_sumsel)
    html = client.get("/wilayah/16.08/").content.decode()
    assert "Catatan data" in html and "Perkiraan demo" in html


def test_data_sources_page_explains_coverage_and_attribution(client):
    html = client.get(reverse("data_sources")).content.decode()
    assert "Cakupan" in html and "MIT" in html and "Perkiraan" in html
