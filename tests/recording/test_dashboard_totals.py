"""Totals on every dashboard level, worked out by hand for a small tree of areas.

Four kecamatan in three regencies of two provinces, with eligible figures, devices and counts
chosen so that every figure below can be checked with pencil and paper.
"""

import datetime as dt

import pytest

from districts.models import EligiblePopulation
from recording.models import DailyCount
from recording.services.repairs import repair_report_fault

D = dt.date
AS_OF = "?as_of=2012-04-16"


@pytest.fixture
def tree(make_device, frozen_today):
    eligible = {"16.08.01": 10_000, "16.08.12": 2_500, "16.09.01": 4_000, "11.01.01": 5_000}
    for code, people in eligible.items():
        EligiblePopulation.objects.create(
            sub_district_id=code, as_of=D(2011, 9, 1), eligible=people
        )
    counts = {
        # Martapura: two devices, 1,200 + 34 + 500 = 1,734, all in the last 7 days.
        ("16.08.01", "MTP-1"): [(D(2012, 4, 15), 1_200), (D(2012, 4, 16), 34)],
        ("16.08.01", "MTP-2"): [(D(2012, 4, 10), 500)],
        # Buay Madang Timur: 900 on 1 April, then broken since 2 April.
        ("16.08.12", "BMT-1"): [(D(2012, 4, 1), 900)],
        # OKU Selatan: 3,000 within the week; one day before it (9 April) is not "last 7 days".
        ("16.09.01", "SEL-1"): [(D(2012, 4, 9), 1_000), (D(2012, 4, 12), 2_000)],
        # Aceh: 250 on the day; a count after the day is not counted.
        ("11.01.01", "ACE-1"): [(D(2012, 4, 16), 250), (D(2012, 4, 17), 99)],
    }
    devices = {}
    for (code, serial), days in counts.items():
        devices[serial] = make_device(code, serial=serial)
        for day, count in days:
            DailyCount.objects.create(device=devices[serial], date=day, count=count)
    repair_report_fault(
        device=devices["BMT-1"], reported_on=D(2012, 4, 2), symptom="Kamera mati", user=None
    )


# code: eligible, recorded, recorded in the 7 days 10–16 April, coverage, devices down
EXPECTED = {
    "": (21_500, 5_884, 3_984, "27.4", 1),  # 5,884 / 21,500 = 27.37%
    "16": (16_500, 5_634, 3_734, "34.1", 1),  # 5,634 / 16,500 = 34.15%
    "11": (5_000, 250, 250, "5.0", 0),
    "16.08": (12_500, 2_634, 1_734, "21.1", 1),  # 2,634 / 12,500 = 21.07%
    "16.09": (4_000, 3_000, 2_000, "75.0", 0),
    "16.08.01": (10_000, 1_734, 1_734, "17.3", 0),  # 1,734 / 10,000 = 17.34%
    "16.08.12": (2_500, 900, 0, "36.0", 1),
}


def _figures(coverage):
    return (
        coverage.eligible,
        coverage.recorded,
        coverage.recorded_last_7_days,
        str(coverage.coverage_percent),
        coverage.devices_down,
    )


@pytest.mark.parametrize("code", ["", "16", "16.08", "16.08.01"])
def test_each_level_shows_the_totals_worked_out_by_hand(client, admin_user, tree, code):
    client.force_login(admin_user)
    url = f"/wilayah/{code}/" if code else "/wilayah/"
    overview = client.get(url + AS_OF).context["overview"]
    assert _figures(overview.total) == EXPECTED[code]
    # The cumulative chart ends at the area's total.
    assert overview.series[-1].cumulative == EXPECTED[code][1]


@pytest.mark.parametrize(
    "code, children",
    [
        ("", ["11", "16"]),
        ("16", ["16.08", "16.09"]),
        ("16.08", ["16.08.01", "16.08.12"]),
    ],
)
def test_each_child_row_shows_its_own_totals(client, admin_user, tree, code, children):
    client.force_login(admin_user)
    url = f"/wilayah/{code}/" if code else "/wilayah/"
    overview = client.get(url + AS_OF).context["overview"]
    rows = {c.code: _figures(c) for c in overview.children if c.code in children}
    assert rows == {child: EXPECTED[child] for child in children}


def test_a_kecamatan_lists_each_device_with_its_own_figures(client, admin_user, tree):
    client.force_login(admin_user)
    overview = client.get("/wilayah/16.08.01/" + AS_OF).context["overview"]
    assert [(d.serial, d.recorded, d.recorded_last_7_days) for d in overview.children] == [
        ("MTP-1", 1_234, 1_234),
        ("MTP-2", 500, 500),
    ]
