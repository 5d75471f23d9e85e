"""Data-quality checks: each fires on a case built for it and stays silent on a clean one."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from districts.choices import Role
from districts.models import EligiblePopulation
from recording.choices import DeviceStatus
from recording.models import DailyCount, DailyCountRevision, DeviceStatusChange, EntrySource
from recording.selectors.quality import (
    coverage_above_full,
    eligible_missing,
    figures_lowered,
    quality_findings,
    spikes,
    zeros_while_others_report,
)
from recording.services.alerts import digest_message, regency_digests
from recording.services.rollups import rollup_rebuild

D = dt.date
AS_OF = D(2012, 4, 20)


def _counts(device, first: dt.date, *counts: int):
    """One count a day from `first` on."""
    DailyCount.objects.bulk_create(
        DailyCount(device=device, date=first + dt.timedelta(days=n), count=count)
        for n, count in enumerate(counts)
    )


def _summary(findings):
    return [(f.area_code, f.serial, f.day, f.figure, f.reference) for f in findings]


# 1. Spikes


def test_a_count_above_three_times_the_devices_median_is_a_spike(make_device):
    # Eight earlier days: 10 20 20 20 30 30 30 40, median (20 + 30) / 2 = 25; 76 > 75.
    history = (10, 20, 20, 20, 30, 30, 30, 40)
    spiking = make_device("16.08.01", serial="LONJAK-1")
    _counts(spiking, D(2012, 4, 10), *history, 76)
    at_three_times = make_device("16.08.01", serial="PAS-1")
    _counts(at_three_times, D(2012, 4, 10), *history, 75)
    small = make_device("16.08.02", serial="KECIL-1")  # 2 -> 7: more than 3x, under the floor
    _counts(small, D(2012, 4, 10), *[2] * 8, 7)
    new = make_device("16.08.02", serial="BARU-1")  # three earlier days: no pattern yet
    _counts(new, D(2012, 4, 15), 10, 10, 10, 200)

    found = spikes(area="16.08", as_of=AS_OF)

    assert _summary(found) == [("16.08.01", "LONJAK-1", D(2012, 4, 18), 76, Decimal("25.0"))]
    assert "lebih dari 3× median 25.0" in found[0].reason
    assert spikes(area="16.09", as_of=AS_OF) == []  # another regency
    assert spikes(area="16.08", as_of=D(2012, 4, 17)) == []  # before the spike


def test_the_median_looks_only_at_the_28_days_before(make_device):
    device = make_device("16.08.01", serial="LAMA-1")
    _counts(device, D(2012, 2, 1), *[100] * 20)  # 1-20 Feb: more than 28 days before 20 Mar
    _counts(device, D(2012, 3, 10), *[10] * 10, 60)  # 10-19 Mar at 10, then 60 on 20 Mar
    assert _summary(spikes(area="", as_of=D(2012, 3, 20))) == [
        ("16.08.01", "LAMA-1", D(2012, 3, 20), 60, Decimal("10.0"))
    ]


# 2. Zero while the kecamatan reports


def test_a_zero_while_the_kecamatans_other_stations_record_is_found(make_device):
    silent = make_device("16.08.01", serial="NOL-1")
    _counts(silent, D(2012, 4, 18), 0, 0)
    busy = make_device("16.08.01", serial="RAJIN-1")
    _counts(busy, D(2012, 4, 18), 12, 0)  # the 19th: everyone recorded zero (a holiday)
    alone = make_device("16.08.02", serial="SENDIRI-1")
    _counts(alone, D(2012, 4, 18), 0)
    broken = make_device("16.08.01", serial="RUSAK-1")
    DeviceStatusChange.objects.create(
        device=broken, status=DeviceStatus.BROKEN, effective_on=D(2012, 4, 17)
    )
    _counts(broken, D(2012, 4, 18), 0)

    found = zeros_while_others_report(area="16.08", as_of=AS_OF)

    assert _summary(found) == [("16.08.01", "NOL-1", D(2012, 4, 18), 0, 12)]
    assert "merekam 12 orang hari itu" in found[0].reason
    assert zeros_while_others_report(area="16.08.02", as_of=AS_OF) == []


# 3. Coverage above 100%


def test_coverage_above_100_says_whether_the_denominator_or_the_neighbours(make_device):
    EligiblePopulation.objects.create(sub_district_id="16.08.01", as_of=D(2011, 1, 1), eligible=100)
    EligiblePopulation.objects.create(
        sub_district_id="16.08.02", as_of=D(2011, 1, 1), eligible=1000
    )
    EligiblePopulation.objects.create(sub_district_id="16.09.01", as_of=D(2011, 1, 1), eligible=50)
    _counts(make_device("16.08.01"), D(2012, 4, 1), 150)
    _counts(make_device("16.08.02"), D(2012, 4, 1), 10)
    _counts(make_device("16.09.01"), D(2012, 4, 2), 80)

    found = coverage_above_full(area="16", as_of=AS_OF)

    assert _summary(found) == [
        ("16.08.01", "", AS_OF, 150, 100),
        ("16.09.01", "", AS_OF, 80, 50),
        ("16.09", "", AS_OF, 80, 50),
    ]
    neighbours, low_kecamatan, low_regency = [f.reason for f in found]
    assert "melayani penduduk kecamatan lain" in neighbours
    assert "terlalu rendah atau sudah usang" in low_kecamatan
    assert "terlalu rendah atau sudah usang" in low_regency
    # A kecamatan's page: its own finding only, still judged against its regency.
    [only] = coverage_above_full(area="16.08.01", as_of=AS_OF)
    assert "melayani penduduk kecamatan lain" in only.reason
    # Before the counts, nothing is above 100%.
    assert coverage_above_full(area="16", as_of=D(2012, 3, 31)) == []


# 4. Figures that fell


def test_a_revision_that_lowered_a_reported_count_is_found_with_who_and_when(
    make_device, operator_oku_timur
):
    device = make_device("16.08.01", serial="TURUN-1")
    _counts(device, D(2012, 4, 10), 40, 30, 20)
    lowered, raised, long_ago = DailyCount.objects.filter(device=device).order_by("date")
    when = timezone.make_aware(dt.datetime(2012, 4, 19, 9, 30))
    for count, old, new, at in [
        (lowered, 40, 35, when),
        (raised, 25, 30, when),
        (long_ago, 30, 20, timezone.make_aware(dt.datetime(2012, 3, 1, 9))),
    ]:
        DailyCountRevision.objects.create(
            daily_count=count,
            old_count=old,
            new_count=new,
            changed_by=operator_oku_timur,
            changed_at=at,
            source=EntrySource.FORM,
        )

    found = figures_lowered(area="16.08", as_of=AS_OF)

    assert _summary(found) == [("16.08.01", "TURUN-1", D(2012, 4, 10), 35, 40)]
    assert found[0].reason == (
        "Diturunkan dari 40 menjadi 35 oleh op_okutimur pada 19 Apr 2012 09:30 (Formulir entri)."
    )
    assert figures_lowered(area="16.09", as_of=AS_OF) == []


# 5. Eligible figure missing


def test_a_kecamatan_with_counts_and_no_eligible_figure_is_found(make_device):
    _counts(make_device("16.08.01"), D(2012, 4, 3), 5)  # no figure at all
    _counts(make_device("16.08.02"), D(2012, 4, 3), 5)  # a figure only from May
    EligiblePopulation.objects.create(sub_district_id="16.08.02", as_of=D(2012, 5, 1), eligible=9)
    _counts(make_device("16.08.03"), D(2012, 4, 3), 5)  # a figure in force: fine
    EligiblePopulation.objects.create(sub_district_id="16.08.03", as_of=D(2011, 1, 1), eligible=9)

    found = eligible_missing(area="16.08", as_of=AS_OF)

    assert _summary(found) == [("16.08.01", "", AS_OF, 0, None), ("16.08.02", "", AS_OF, 0, None)]
    assert "sejak 2012-04-03" in found[0].reason
    assert eligible_missing(area="16.08", as_of=D(2012, 4, 2)) == []  # before any count


# The page, its CSV and the digest


def _page_world(make_device):
    """OKU Timur: a lonely zero in Martapura and a spike in Buay Madang (16.08.02); neither
    kecamatan has an eligible figure."""
    lonely = make_device("16.08.01", serial="NOL-1")
    _counts(lonely, D(2012, 4, 18), 0)
    _counts(make_device("16.08.01", serial="RAJIN-1"), D(2012, 4, 18), 12)
    _counts(make_device("16.08.02", serial="LONJAK-1"), D(2012, 4, 10), *[20] * 8, 90)


def test_the_page_lists_findings_per_check_with_links_and_a_filter(
    client, make_device, operator_oku_timur, django_assert_max_num_queries
):
    _page_world(make_device)
    client.force_login(operator_oku_timur)
    with django_assert_max_num_queries(20):
        page = client.get("/mutu-data/", {"area": "16.08", "as_of": "2012-04-20"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Lonjakan jumlah (1)" in html
    assert "Nol saat alat lain melapor (1)" in html
    assert "Cakupan di atas 100% (0)" in html
    assert '<a href="/alat/LONJAK-1/?as_of=2012-04-18">LONJAK-1</a>' in html
    assert '<a href="/alat/NOL-1/?as_of=2012-04-18">NOL-1</a>' in html
    assert 'href="/wilayah/16.08.01/?as_of=2012-04-20"' in html

    zeros = client.get("/mutu-data/", {"area": "16.08", "as_of": "2012-04-20", "check": "zero"})
    assert "NOL-1" in zeros.content.decode()
    assert "LONJAK-1" not in zeros.content.decode()
    unknown = client.get("/mutu-data/", {"area": "16.08", "check": "semua"})
    assert unknown.status_code == 400


def test_the_csv_holds_every_finding(client, make_device, operator_oku_timur):
    _page_world(make_device)
    client.force_login(operator_oku_timur)
    response = client.get("/mutu-data/", {"area": "16.08", "as_of": "2012-04-20", "_export": "csv"})
    assert response["Content-Disposition"] == (
        'attachment; filename="mutu-data-16.08-2012-04-20.csv"'
    )
    lines = response.content.decode().splitlines()
    assert lines[0] == "check,area_code,area_name,device,date,figure,reference,reason"
    assert lines[1].startswith("spike,16.08.02,Buay Madang,LONJAK-1,2012-04-18,90,20.0,")
    assert lines[2].startswith("zero,16.08.01,Martapura,NOL-1,2012-04-18,0,12,")
    assert lines[3].startswith("no_eligible,16.08.01,Martapura,,2012-04-20,0,,")
    assert lines[4].startswith("no_eligible,16.08.02,Buay Madang,,2012-04-20,0,,")
    assert len(lines) == 5


def test_the_page_is_404_outside_the_users_areas(client, operator_oku_selatan):
    client.force_login(operator_oku_selatan)
    assert client.get("/mutu-data/", {"area": "16.08"}).status_code == 404
    assert client.get("/mutu-data/", {"area": "16.09"}).status_code == 200


def test_the_digest_counts_the_findings_and_names_the_first(make_user, make_device, mailoutbox):
    make_user("adm_timur", Role.ADMIN, "16.08", email="adm@okutimur.example")
    _page_world(make_device)
    # Something to act on today: a station silent since it was commissioned.
    make_device("16.08.03", serial="DIAM-1", commissioned_on=D(2012, 4, 1))
    [digest] = regency_digests(as_of=AS_OF)
    assert digest.quality_counts == [
        ("Lonjakan jumlah", 1),
        ("Nol saat alat lain melapor", 1),
        ("Jumlah wajib KTP tidak ada", 2),
    ]
    body = digest_message(digest, base_url="https://ektp.example").body
    assert "TEMUAN MUTU DATA 28 HARI TERAKHIR (4)" in body
    assert "- Lonjakan jumlah: 1" in body
    assert "  * Nol saat alat lain melapor, 16.08.01 Martapura, NOL-1, 18 Apr 2012: " in body
    assert "https://ektp.example/mutu-data/?area=16.08&as_of=2012-04-20" in body


# The query budget, and the demo (last: the demo stays loaded for the rest of the module)


def test_the_checks_cost_a_fixed_number_of_queries(make_device, django_assert_max_num_queries):
    # Aceh's kecamatan, each with 40 days at 10, a spike of 90, a zero and too low a figure;
    # a second station in the first reports 5 a day from the zero's day.
    for n in range(5):
        device = make_device(f"11.01.0{n + 1}")
        _counts(device, D(2012, 3, 1), *[10] * 40, 90, 0)
        EligiblePopulation.objects.create(
            sub_district_id=f"11.01.0{n + 1}", as_of=D(2011, 1, 1), eligible=10
        )
    _counts(make_device("11.01.01"), D(2012, 4, 11), *[5] * 10)
    rollup_rebuild()  # bulk_create skips the rollups the coverage check reads
    # Spikes 2, zeros 1, coverage 5 (two for what was recorded, eligible, names of kecamatan
    # and regencies), lowered 1, eligible missing 2 (the kecamatan without one, their first
    # count).
    with django_assert_max_num_queries(11):
        found = quality_findings(area="11", as_of=AS_OF)
    assert {check: len(f) for check, f in found.items()} == {
        "spike": 5,
        "zero": 1,
        "over_coverage": 6,
        "fell": 0,
        "no_eligible": 0,
    }


@pytest.mark.parametrize("as_of", [D(2012, 4, 16), D(2012, 3, 31)])
def test_the_demo_is_clean(loaded, as_of):
    """The demo's figures are plausible: no spike, no lonely zero, no coverage above 100%, no
    revision, an eligible figure for every kecamatan with counts."""
    assert {
        check: len(found) for check, found in quality_findings(area="", as_of=as_of).items()
    } == {
        "spike": 0,
        "zero": 0,
        "over_coverage": 0,
        "fell": 0,
        "no_eligible": 0,
    }
