"""`load_demo`: the April 2012 South Sumatra story, as a user of the demo sees it."""

import datetime as dt
import io
import re

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db.models import Avg, Count, F, Max, OuterRef, Q, Subquery, Sum

from devtools import demo
from districts.models import AreaAssignment, Campaign, EligiblePopulation, Province, SubDistrict
from recording.choices import DeviceStatus
from recording.models import DailyCount, DeviceStatusChange, RecordingDevice, Repair, Vendor
from recording.selectors.dashboards import area_dashboard
from recording.services.repairs import repair_days_down, repair_replace, repair_report_fault
from tests.conftest import DEMO_PASSWORD as PASSWORD

D = dt.date


def _load(**options) -> str:
    out = io.StringIO()
    call_command("load_demo", stdout=out, **options)
    return out.getvalue()


def _logs_in(client, username: str, password: str) -> bool:
    """Log in through the login page as a person would (django-axes checks every attempt)."""
    response = client.post("/masuk/", {"username": username, "password": password})
    return response.status_code == 302


def _printed_password(output: str, username: str) -> str:
    """The last cell of the username's row in the printed logins table."""
    row = next(line for line in output.splitlines() if line.split()[:1] == [username])
    return row.split()[-1]


def _recorded(*, regency: str, on: dt.date = demo.DEMO_TODAY) -> int:
    return DailyCount.objects.filter(device__sub_district__regency=regency, date__lte=on).aggregate(
        total=Sum("count")
    )["total"]


def _eligible(*, regency: str) -> int:
    return EligiblePopulation.objects.filter(sub_district__regency=regency).aggregate(
        total=Sum("eligible")
    )["total"]


def _sumsel_dashboard():
    return area_dashboard(region=Province.objects.get(code="16"), code="16", as_of=D(2012, 4, 16))


def _snapshot() -> dict:
    """What a reload must leave unchanged."""
    sumsel_eligible = EligiblePopulation.objects.filter(sub_district__regency__province="16")
    return {
        "daily counts": DailyCount.objects.aggregate(rows=Count("id"), total=Sum("count")),
        "devices": RecordingDevice.objects.aggregate(
            rows=Count("id"), down=Count("id", filter=Q(status__in=DeviceStatus.down()))
        ),
        "device pks": list(RecordingDevice.objects.order_by("pk").values_list("pk", "serial")),
        "eligible": sumsel_eligible.aggregate(rows=Count("id"), total=Sum("eligible")),
        "campaigns": Campaign.objects.count(),
        "users": get_user_model().objects.count(),
        "assignments": AreaAssignment.objects.count(),
        "vendors": list(Vendor.objects.values_list("name", "contact", "agreed_repair_days")),
        "repairs": list(
            Repair.objects.order_by("device__serial").values_list(
                "device__serial",
                "reported_on",
                "symptom",
                "reported_by__username",
                "shipped_on",
                "vendor__name",
                "vendor_reference",
                "closed_on",
            )
        ),
        "status changes": list(
            DeviceStatusChange.objects.order_by("device__serial", "effective_on").values_list(
                "device__serial", "event", "status", "effective_on", "changed_by__username"
            )
        ),
    }


def test_oku_timur_shows_the_story_figures(loaded):
    eligible = _eligible(regency=demo.OKU_TIMUR)
    recorded = _recorded(regency=demo.OKU_TIMUR)
    assert EligiblePopulation.objects.filter(sub_district__regency=demo.OKU_TIMUR).count() == 20
    assert (recorded, eligible) == (360_381, 442_800)
    assert round(100 * recorded / eligible, 1) == 81.4
    overview = area_dashboard(
        region=Province.objects.get(code="16"), code="16", as_of=D(2012, 4, 16)
    )
    oku_timur = next(c for c in overview.children if c.code == demo.OKU_TIMUR)
    assert (oku_timur.recorded, oku_timur.eligible) == (360_381, 442_800)
    assert str(oku_timur.coverage_percent) == "81.4"


def test_regency_page_tells_the_story_to_the_demo_operator(loaded, client):
    assert _logs_in(client, "operator.okutimur", PASSWORD)
    page = client.get("/wilayah/16.08/?as_of=2012-04-16").content.decode()
    assert "442.800" in page
    assert "360.381" in page
    assert "81,4%" in page
    assert "Perkiraan demo" in page  # the eligible figures say they are estimates


def test_two_oku_timur_devices_at_vendor_stop_reporting_when_they_broke(loaded):
    at_vendor = RecordingDevice.objects.in_area(demo.OKU_TIMUR).filter(
        status=DeviceStatus.AT_VENDOR
    )
    assert sorted(at_vendor.values_list("sub_district", flat=True)) == ["16.08.12", "16.08.20"]
    assert not RecordingDevice.objects.exclude(status=DeviceStatus.OPERATIONAL).exclude(
        pk__in=at_vendor
    )
    for code, broke_on in [("16.08.12", D(2012, 4, 2)), ("16.08.20", D(2012, 4, 5))]:
        counts = DailyCount.objects.filter(device__sub_district=code)
        assert not counts.filter(date__gte=broke_on).exists()
        totals = counts.aggregate(last=Max("date"), recorded=Sum("count"))
        assert totals["last"] == broke_on - dt.timedelta(days=1)
        assert totals["recorded"] > 0
        # The operator reported the fault, the regency's admin shipped it: one open repair.
        timeline = DeviceStatusChange.objects.filter(device__sub_district=code).order_by(
            "effective_on"
        )
        assert list(
            timeline.values_list("event", "status", "effective_on", "changed_by__username")
        ) == [
            ("fault_reported", DeviceStatus.BROKEN, broke_on, "operator.okutimur"),
            ("shipped", DeviceStatus.AT_VENDOR, broke_on + dt.timedelta(days=2), "admin.okutimur"),
        ]
        repair = Repair.objects.get(device__sub_district=code)
        assert set(timeline.values_list("repair", flat=True)) == {repair.pk}


def test_the_two_oku_timur_devices_are_at_the_vendor_14_and_11_days(loaded, client):
    vendor = Vendor.objects.get()
    assert (vendor.name, vendor.contact, vendor.agreed_repair_days) == (
        "Konsorsium PNRI",
        "Helpdesk konsorsium e-KTP",
        14,
    )
    open_repairs = Repair.objects.filter(closed_on=None).order_by("device__sub_district")
    assert [
        (
            r.device.sub_district_id,
            r.device.status,
            r.vendor,
            r.shipped_on,
            r.vendor_reference,
            repair_days_down(r, as_of=D(2012, 4, 16)),
        )
        for r in open_repairs
    ] == [
        ("16.08.12", "at_vendor", vendor, D(2012, 4, 4), "PNRI-20120404-160812", 14),
        ("16.08.20", "at_vendor", vendor, D(2012, 4, 7), "PNRI-20120407-160820", 11),
    ]
    assert all(r.symptom for r in open_repairs)
    # The dashboards count the same days from the timeline the repairs wrote.
    down = area_dashboard(
        region=Province.objects.get(code="16"), code="16", as_of=D(2012, 4, 16)
    ).down_devices
    assert [(d.sub_district_code, d.days_down) for d in down] == [
        ("16.08.12", 14),
        ("16.08.20", 11),
    ]
    assert _logs_in(client, "operator.okutimur", PASSWORD)
    page = client.get(f"{open_repairs[0].device.get_absolute_url()}?as_of=2012-04-16")
    text = " ".join(page.content.decode().split())
    assert "PNRI-20120404-160812" in text and "14 hari" in text


def test_oku_selatan_reaches_100_percent_on_3_april(loaded):
    eligible = _eligible(regency=demo.OKU_SELATAN)
    assert _recorded(regency=demo.OKU_SELATAN, on=D(2012, 4, 2)) < eligible
    assert _recorded(regency=demo.OKU_SELATAN, on=D(2012, 4, 3)) == eligible
    assert _recorded(regency=demo.OKU_SELATAN, on=D(2012, 4, 16)) == eligible
    after = DailyCount.objects.filter(
        device__sub_district__regency=demo.OKU_SELATAN, date__gt=D(2012, 4, 3)
    )
    devices = RecordingDevice.objects.in_area(demo.OKU_SELATAN).count()
    # Every station keeps reporting (zero) through 16 April, so none looks silent.
    assert after.count() == devices * 13
    assert not after.exclude(count=0, note="Seluruh wajib KTP sudah terekam").exists()


def test_no_kecamatan_is_above_100_percent_and_every_kecamatan_has_a_device(loaded):
    recorded = (
        DailyCount.objects.filter(device__sub_district=OuterRef("sub_district"))
        .values("device__sub_district")
        .annotate(total=Sum("count"))
        .values("total")
    )
    sumsel = EligiblePopulation.objects.filter(sub_district__regency__province="16")
    assert sumsel.count() == 241
    assert not sumsel.annotate(recorded=Subquery(recorded)).filter(recorded__gt=F("eligible"))
    assert not SubDistrict.objects.filter(regency__province="16", devices__isnull=True).exists()


def test_daily_counts_stay_within_capacity_and_sundays_are_quieter(loaded):
    assert not DailyCount.objects.filter(
        Q(count__lt=0) | Q(count__gt=F("device__daily_capacity"))
    ).exists()
    oku_timur = DailyCount.objects.filter(device__sub_district__regency=demo.OKU_TIMUR)
    sunday = oku_timur.filter(date__week_day=1).aggregate(avg=Avg("count"))["avg"]
    weekday = oku_timur.filter(date__week_day__in=[2, 3, 4, 5, 6]).aggregate(avg=Avg("count"))
    assert sunday < weekday["avg"] / 2
    # One row per working device per day, 1 September 2011 to 16 April 2012.
    working = RecordingDevice.objects.in_area(demo.OKU_TIMUR).filter(
        status=DeviceStatus.OPERATIONAL
    )
    assert DailyCount.objects.filter(device__in=working).count() == working.count() * 229


def test_other_regencies_are_part_way_and_varied(loaded):
    overview = area_dashboard(
        region=Province.objects.get(code="16"), code="16", as_of=D(2012, 4, 16)
    )
    others = [
        c.coverage_percent
        for c in overview.children
        if c.code not in (demo.OKU_TIMUR, demo.OKU_SELATAN)
    ]
    assert len(others) == 15
    assert all(50 < percent < 99 for percent in others)
    assert max(others) - min(others) > 15


def test_every_sumsel_regency_has_the_campaign(loaded):
    campaigns = Campaign.objects.filter(regency__province="16")
    assert campaigns.count() == 17
    assert set(campaigns.values_list("name", "starts_on", "deadline")) == {
        ("Perekaman e-KTP 2011–2012", D(2011, 9, 1), D(2012, 4, 30))
    }


def test_demo_logins_have_their_role_and_area_and_are_printed(loaded, client):
    users = get_user_model().objects
    operator = users.get(username="operator.okutimur")
    viewer = users.get(username="pemantau.sumsel")
    admin = users.get(username="admin")
    regency_admin = users.get(username="admin.okutimur")
    assert list(operator.groups.values_list("name", flat=True)) == ["operator"]
    assert list(viewer.groups.values_list("name", flat=True)) == ["viewer"]
    assert list(admin.groups.values_list("name", flat=True)) == ["admin"]
    assert list(regency_admin.groups.values_list("name", flat=True)) == ["admin"]
    assert [a.area_code for a in operator.area_assignments.all()] == ["16.08"]
    assert [a.area_code for a in viewer.area_assignments.all()] == ["16"]
    assert [a.area_code for a in regency_admin.area_assignments.all()] == ["16.08"]
    assert admin.is_staff and admin.is_superuser
    assert regency_admin.is_staff and not regency_admin.is_superuser
    assert regency_admin.email == "admin.okutimur@dukcapil-okutimur.example"
    assert not operator.is_staff and not viewer.is_superuser
    for username in ("operator.okutimur", "pemantau.sumsel", "admin", "admin.okutimur"):
        assert username in loaded
    assert _printed_password(loaded, "operator.okutimur") == PASSWORD
    assert _printed_password(loaded, "admin") == PASSWORD
    assert _printed_password(loaded, "admin.okutimur") == PASSWORD
    assert "http://127.0.0.1:8000/" in loaded
    assert _logs_in(client, "pemantau.sumsel", PASSWORD)
    # The operator's name is on every OKU Timur count, and on no other.
    oku_timur = Q(device__sub_district__regency=demo.OKU_TIMUR)
    assert not DailyCount.objects.filter(oku_timur).exclude(entered_by=operator).exists()
    assert not DailyCount.objects.exclude(oku_timur).filter(entered_by__isnull=False).exists()


def test_loading_again_keeps_the_data_and_issues_a_new_password(loaded, client, monkeypatch):
    before = _snapshot()
    # Someone tried the repair steps on the demo: a replacement and a new fault are undone.
    at_vendor = RecordingDevice.objects.get(serial="SMS-1608-12-1")
    repair_replace(
        device=at_vendor, replaced_on=D(2012, 4, 16), new_serial="PENGGANTI-1", user=None
    )
    working = RecordingDevice.objects.get(serial="SMS-1608-01-1")
    repair_report_fault(device=working, reported_on=D(2012, 4, 16), symptom="Uji", user=None)
    monkeypatch.delenv("DEMO_PASSWORD", raising=False)
    output = _load()
    assert _snapshot() == before
    assert PASSWORD not in output
    assert not _logs_in(client, "admin", PASSWORD)
    assert _logs_in(client, "admin", _printed_password(output, "admin"))


def test_progress_goes_to_stderr_and_the_printed_report_is_unchanged(loaded, terminal):
    output = _load(password=PASSWORD, stderr=terminal)

    def timeless(text: str) -> str:
        return re.sub(r"dalam \d+\.\d detik", "dalam … detik", text)

    # The same report as the first load's, whose stderr was no terminal.
    assert timeless(output) == timeless(loaded)
    assert [line.rsplit("\r", 1)[-1] for line in terminal.getvalue().rstrip("\n").split("\n")] == [
        "Memuat provinsi: selesai dalam 0:00",
        "Memuat kabupaten/kota: selesai dalam 0:00",
        "Memuat kecamatan: selesai dalam 0:00",
        "Memuat wajib KTP, target dan pengguna demo: selesai dalam 0:00",
        "Membuat alat dan jumlah harian: selesai dalam 0:00",
        "Menghitung rekap harian: selesai dalam 0:00",
        "Memeriksa angka cerita: selesai dalam 0:00",
        "Memuat perjalanan kartu (perkiraan): selesai dalam 0:00",
    ]


def test_demo_rollups_equal_the_counts(loaded):
    from recording.services.rollups import rollup_differences

    assert rollup_differences() == []
