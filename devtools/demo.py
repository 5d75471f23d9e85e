"""The demo data set: South Sumatra two weeks before the e-KTP recording deadline (April 2012).

A news story of 16 April 2012 reported that Kabupaten Ogan Komering Ulu Timur had recorded
360,381 of its 442,800 wajib KTP (81.4%) while the recording devices of two kecamatan were broken
and had been shipped to the vendor consortium, and that neighbouring OKU Selatan had already
recorded everyone. `demo_load()` puts that story, on its real dates, into the database; everything
the story does not say (the split over kecamatan, the other regencies, the daily counts, the
symptoms and the vendor's ticket numbers) is a deterministic estimate, documented in
`demo_data/SOURCE.md`. The two breakdowns are real repairs, made through the repair services like
any other, so the demo's downtime is exactly what an office would have recorded.
"""

import csv
import datetime as dt
import math
import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from common.progress import ProgressCallback
from devtools.demo_cards import card_journey_load
from districts.choices import Role
from districts.models import (
    AreaAssignment,
    Campaign,
    Province,
    Regency,
    SubDistrict,
    parent_code,
)
from districts.roles import role_groups_ensure
from districts.services import population_import_rows, regions_import
from recording.choices import DeviceStatus
from recording.coverage import Dashboard
from recording.models import DailyCount, DeviceStatusChange, RecordingDevice, Repair, Vendor
from recording.selectors.dashboards import area_dashboard
from recording.services.repairs import repair_report_fault, repair_ship
from recording.services.rollups import daily_counts_delete, rollup_refresh

DEMO_DATA_DIR = Path(__file__).resolve().parent / "demo_data"
ELIGIBLE_CSV = DEMO_DATA_DIR / "eligible_sumsel.csv"

SUMSEL = "16"
OKU_TIMUR = "16.08"
OKU_SELATAN = "16.09"
STORY_REGENCIES = (OKU_TIMUR, OKU_SELATAN)

# The news story. Its only figures are OKU Timur's two numbers; the days of the events (OKU
# Selatan complete, the breakdowns, the shipping) are the demo's, set to fit its narrative.
DEMO_TODAY = dt.date(2012, 4, 16)
ENTERED_AT_TIME = dt.time(17, 0)
OKU_TIMUR_ELIGIBLE = 442_800
OKU_TIMUR_RECORDED = 360_381
OKU_SELATAN_COMPLETED_ON = dt.date(2012, 4, 3)
CAMPAIGN_NAME = "Perekaman e-KTP 2011–2012"
CAMPAIGN_STARTS_ON = dt.date(2011, 9, 1)
CAMPAIGN_DEADLINE = dt.date(2012, 4, 30)

BUAY_MADANG_TIMUR = "16.08.12"
BUAY_PEMUKA_BANGSA_RAJA = "16.08.20"
BUAY_MADANG_TIMUR_BROKE_ON = dt.date(2012, 4, 2)
BUAY_PEMUKA_BANGSA_RAJA_BROKE_ON = dt.date(2012, 4, 5)
DAYS_TO_SHIP_TO_VENDOR = 2
BUAY_MADANG_TIMUR_SHIPPED_ON = BUAY_MADANG_TIMUR_BROKE_ON + dt.timedelta(
    days=DAYS_TO_SHIP_TO_VENDOR
)
BUAY_PEMUKA_BANGSA_RAJA_SHIPPED_ON = BUAY_PEMUKA_BANGSA_RAJA_BROKE_ON + dt.timedelta(
    days=DAYS_TO_SHIP_TO_VENDOR
)
# Sub-district code -> the day its only device broke / was shipped to the vendor consortium.
BROKEN_ON = {
    BUAY_MADANG_TIMUR: BUAY_MADANG_TIMUR_BROKE_ON,
    BUAY_PEMUKA_BANGSA_RAJA: BUAY_PEMUKA_BANGSA_RAJA_BROKE_ON,
}
SHIPPED_TO_VENDOR_ON = {
    BUAY_MADANG_TIMUR: BUAY_MADANG_TIMUR_SHIPPED_ON,
    BUAY_PEMUKA_BANGSA_RAJA: BUAY_PEMUKA_BANGSA_RAJA_SHIPPED_ON,
}
# The e-KTP recording equipment came from the consortium led by Perum PNRI (Percetakan Negara RI).
VENDOR_NAME = "Konsorsium PNRI"
VENDOR_CONTACT = "Helpdesk konsorsium e-KTP"
VENDOR_AGREED_REPAIR_DAYS = 14
# What the story does not say: the symptom reported and the consortium's ticket number.
SYMPTOMS = {
    BUAY_MADANG_TIMUR: "Server perekaman mati, tidak bisa dinyalakan.",
    BUAY_PEMUKA_BANGSA_RAJA: "Pemindai sidik jari tidak terdeteksi oleh aplikasi perekaman.",
}
SHIPPING_NOTE = "Dikirim ke konsorsium vendor untuk diperbaiki atau diganti."


def vendor_reference(code: str) -> str:
    """The demo's ticket number for a kecamatan's repair, e.g. `PNRI-20120404-160812`."""
    return f"PNRI-{SHIPPED_TO_VENDOR_ON[code]:%Y%m%d}-{code.replace('.', '')}"


# Our estimates, not the story's.
DEMO_SEED = 20120416
ELIGIBLE_AS_OF = CAMPAIGN_STARTS_ON
# One vendor consortium supplied the same recording set everywhere: people per day.
DEVICE_CAPACITY = 150
# Devices per kecamatan: enough that its target needs at most this share of their capacity
# (room for the slow start, Sundays and holidays); in the story's two regencies a kecamatan larger
# than the regency's average has at least two.
DEVICE_UTILISATION = 0.65
COMPLETED_NOTE = "Seluruh wajib KTP sudah terekam"
# Every demo device's serial starts with this (`SMS-1608-12-1`); the demo owns those devices.
SERIAL_PREFIX = "SMS-"
BATCH_SIZE = 5000

# National holidays in the campaign: offices were closed or nearly so.
HOLIDAYS = frozenset(
    {
        dt.date(2011, 11, 6),  # Iduladha 1432 H
        dt.date(2011, 11, 27),  # Tahun Baru Islam 1433 H
        dt.date(2011, 12, 25),  # Natal
        dt.date(2011, 12, 26),  # cuti bersama Natal
        dt.date(2012, 1, 1),  # Tahun Baru
        dt.date(2012, 1, 23),  # Imlek 2563
        dt.date(2012, 2, 5),  # Maulid Nabi
        dt.date(2012, 3, 23),  # Nyepi
        dt.date(2012, 4, 6),  # Wafat Isa Almasih
    }
)
DEADLINE_RUSH_FROM = dt.date(2012, 3, 1)


@dataclass(frozen=True)
class DemoUser:
    username: str
    role: str
    area_code: str | None
    first_name: str
    email: str = ""
    superuser: bool = False


DEMO_USERS = (
    DemoUser("operator.okutimur", Role.OPERATOR, OKU_TIMUR, "Operator OKU Timur"),
    DemoUser("pemantau.sumsel", Role.VIEWER, SUMSEL, "Pemantau Sumatera Selatan"),
    DemoUser("admin", Role.ADMIN, None, "Admin", superuser=True),
    # The regency's own admin: ships devices to the vendor and receives `send_alerts`.
    DemoUser(
        "admin.okutimur",
        Role.ADMIN,
        OKU_TIMUR,
        "Admin OKU Timur",
        email="admin.okutimur@dukcapil-okutimur.example",
    ),
)
OPERATOR_USERNAME = "operator.okutimur"
ADMIN_OKU_TIMUR_USERNAME = "admin.okutimur"


@dataclass(frozen=True)
class PlannedDevice:
    serial: str
    sub_district_id: str
    label: str
    daily_capacity: int
    commissioned_on: dt.date
    counts_until: dt.date  # last day it recorded anyone
    rows_until: dt.date  # last day it reported (zero rows after `counts_until`)


@dataclass
class DemoPlan:
    devices: list[PlannedDevice] = field(default_factory=list)
    # serial -> counts from the device's commissioning day, one per day, through `counts_until`
    counts: dict[str, list[int]] = field(default_factory=dict)


@dataclass
class DemoLogin:
    username: str
    role: str
    area: str
    password: str


@dataclass
class DemoLoadResult:
    logins: list[DemoLogin]
    devices: int
    daily_counts: int
    repairs: list[Repair]  # open, at the vendor on DEMO_TODAY
    eligible_rows: int
    campaigns: int
    coverage: Dashboard  # Sumatera Selatan and its regencies on DEMO_TODAY
    card_reports: int = 0  # the print offices' reports of the card journey (estimates)


def apportion(
    *, total: int, weights: Sequence[int], caps: Sequence[int] | None = None
) -> list[int]:
    """Split `total` in proportion to integer `weights`, exactly (largest remainder).

    A share that would exceed its cap is fixed at the cap and the rest is split again; ties go to
    the earlier position, so the result depends only on the inputs.
    """
    n = len(weights)
    result = [0] * n
    free = list(range(n))
    rest = total
    while True:
        weight = sum(weights[i] for i in free)
        over = [i for i in free if rest * weights[i] > caps[i] * weight] if caps is not None else []
        if not over:
            break
        for i in over:
            result[i] = caps[i]
            rest -= caps[i]
        capped = set(over)
        free = [i for i in free if i not in capped]
    if rest and not weight:
        raise ValueError(f"Cannot place {total} within the caps given.")
    if not rest:
        return result
    remainders = []
    for i in free:
        share, remainder = divmod(rest * weights[i], weight)
        result[i] = share
        remainders.append((-remainder, i))
    for _, i in sorted(remainders)[: total - sum(result)]:
        result[i] += 1
    return result


def eligible_rows_read(*, path: Path = ELIGIBLE_CSV) -> list[dict[str, str]]:
    """The bundled per-kecamatan estimates: rows with code, eligible, as_of and source."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def campaigns_ensure(*, province_code: str = SUMSEL) -> int:
    """One 2011–2012 recording campaign per regency of the province."""
    campaigns = [
        Campaign(
            regency_id=code,
            name=CAMPAIGN_NAME,
            starts_on=CAMPAIGN_STARTS_ON,
            deadline=CAMPAIGN_DEADLINE,
        )
        for code in Regency.objects.filter(province_id=province_code).values_list("code", flat=True)
    ]
    Campaign.objects.bulk_create(
        campaigns,
        update_conflicts=True,
        unique_fields=["regency", "starts_on"],
        update_fields=["name", "deadline"],
    )
    return len(campaigns)


def _area_kwargs(code: str) -> dict:
    model, key = [(Province, "province"), (Regency, "regency"), (SubDistrict, "sub_district")][
        code.count(".")
    ]
    return {key: model.objects.get(code=code)}


def demo_users_ensure(*, password: str) -> list[DemoLogin]:
    """Create the demo logins, or reset them to `password`, with their groups and areas."""
    groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
    # Hashing is deliberately slow; the logins share one password, so hash it once.
    encoded = make_password(password)
    logins = []
    for demo in DEMO_USERS:
        is_admin = demo.role == Role.ADMIN
        user, _ = get_user_model().objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "email": demo.email,
                "password": encoded,
                "is_active": True,
                "is_staff": is_admin,
                "is_superuser": demo.superuser,
            },
        )
        user.groups.set([groups[demo.role]])
        area = "semua wilayah"
        if demo.area_code:
            area_kwargs = _area_kwargs(demo.area_code)
            AreaAssignment.objects.get_or_create(user=user, role=demo.role, **area_kwargs)
            area = str(next(iter(area_kwargs.values())))
        logins.append(DemoLogin(demo.username, demo.role, area, password))
    return logins


def _days(first: dt.date, last: dt.date) -> list[dt.date]:
    return [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]


def _day_weight(day: dt.date, *, device: PlannedDevice, taper: bool, rng: random.Random) -> int:
    """How busy a station is on a day, relative to others, as an integer weight."""
    age = (day - device.commissioned_on).days
    # Slow start: staff learn the equipment and residents hear about it over the first weeks.
    weight = 0.15 + 0.85 / (1 + math.exp(-(age - 45) / 12))
    if day in HOLIDAYS:
        weight *= 0.15
    elif day.weekday() == 6:
        weight *= 0.3
    elif day.weekday() == 5:
        weight *= 0.75
    if day >= DEADLINE_RUSH_FROM:
        weight *= 1.15
    if taper:
        # The last residents of a finished kecamatan trickle in.
        days_left = (device.counts_until - day).days
        if days_left < 14:
            weight *= 0.4 + 0.6 * days_left / 14
    return max(1, round(1000 * weight * rng.uniform(0.8, 1.2)))


def _kecamatan_counts(
    *, devices: list[PlannedDevice], target: int, taper: bool, rng: random.Random
) -> dict[str, list[int]]:
    cells = [
        (device, day)
        for device in devices
        for day in _days(device.commissioned_on, device.counts_until)
    ]
    values = apportion(
        total=target,
        weights=[_day_weight(day, device=device, taper=taper, rng=rng) for device, day in cells],
        caps=[device.daily_capacity for device, _ in cells],
    )
    counts: dict[str, list[int]] = {device.serial: [] for device in devices}
    for (device, _), value in zip(cells, values, strict=True):
        counts[device.serial].append(value)
    return counts


def _kecamatan_targets(
    *, regency: str, eligible: dict[str, int], rng: random.Random
) -> dict[str, int]:
    """How many residents each kecamatan of a regency has recorded by its last counting day."""
    codes = sorted(eligible)
    if regency == OKU_SELATAN:
        return dict(eligible)
    if regency == OKU_TIMUR:
        # The two kecamatan whose only device broke lag well behind the rest.
        lagging = {BUAY_MADANG_TIMUR: 0.5, BUAY_PEMUKA_BANGSA_RAJA: 0.7}
        rates = [lagging.get(code) or rng.uniform(0.8, 0.95) for code in codes]
        total = OKU_TIMUR_RECORDED
    else:
        regency_rate = rng.uniform(0.56, 0.96)
        rates = [regency_rate * rng.uniform(0.9, 1.1) for _ in codes]
        total = round(sum(eligible.values()) * regency_rate)
    shares = apportion(
        total=total,
        weights=[
            round(eligible[code] * rate * 1000) for code, rate in zip(codes, rates, strict=True)
        ],
        caps=[eligible[code] for code in codes],
    )
    return dict(zip(codes, shares, strict=True))


def _kecamatan_devices(
    *, code: str, name: str, target: int, large: bool, rng: random.Random
) -> list[PlannedDevice]:
    regency = parent_code(code)
    story = regency in STORY_REGENCIES
    counts_until = rows_until = DEMO_TODAY
    if regency == OKU_SELATAN:
        counts_until = OKU_SELATAN_COMPLETED_ON
    if code in BROKEN_ON:
        counts_until = rows_until = BROKEN_ON[code] - dt.timedelta(days=1)
        # The story: each of these kecamatan lost its recording, so it had a single device.
        how_many = 1
    else:
        days = (counts_until - CAMPAIGN_STARTS_ON).days + 1
        needed = math.ceil(target / (DEVICE_CAPACITY * days * DEVICE_UTILISATION))
        how_many = max(2 if large else 1, needed)
    prefix = SERIAL_PREFIX + code[:5].replace(".", "") + "-" + code[6:]
    return [
        PlannedDevice(
            serial=f"{prefix}-{number}",
            sub_district_id=code,
            label=f"Kec. {name} #{number}",
            daily_capacity=DEVICE_CAPACITY,
            # Elsewhere some stations arrived a few weeks late.
            commissioned_on=CAMPAIGN_STARTS_ON
            + dt.timedelta(days=0 if story else rng.choice((0, 0, 0, 0, 7, 14, 21))),
            counts_until=counts_until,
            rows_until=rows_until,
        )
        for number in range(1, how_many + 1)
    ]


def demo_plan(
    *, eligible: dict[str, int], names: dict[str, str], seed: int = DEMO_SEED
) -> DemoPlan:
    """Devices and their daily counts for every kecamatan in `eligible`; no database access."""
    rng = random.Random(seed)
    plan = DemoPlan()
    for regency in sorted({parent_code(code) for code in eligible}):
        in_regency = {code: n for code, n in eligible.items() if parent_code(code) == regency}
        targets = _kecamatan_targets(regency=regency, eligible=in_regency, rng=rng)
        average = sum(in_regency.values()) / len(in_regency)
        for code in sorted(in_regency):
            devices = _kecamatan_devices(
                code=code,
                name=names[code],
                target=targets[code],
                large=regency in STORY_REGENCIES and in_regency[code] > average,
                rng=rng,
            )
            plan.devices += devices
            plan.counts.update(
                _kecamatan_counts(
                    devices=devices,
                    target=targets[code],
                    taper=regency == OKU_SELATAN,
                    rng=rng,
                )
            )
    return plan


def _demo_owned_device_ids() -> set[int]:
    """The demo devices and any device that replaced one of them (on the device page, while
    someone tried the demo), however many replacements deep."""
    owned = set(
        RecordingDevice.objects.filter(serial__startswith=SERIAL_PREFIX).values_list(
            "pk", flat=True
        )
    )
    frontier = owned
    while frontier:
        frontier = set(
            RecordingDevice.objects.filter(replaces__in=frontier)
            .exclude(pk__in=owned)
            .values_list("pk", flat=True)
        )
        owned |= frontier
    return owned


def devices_replace(*, devices: list[PlannedDevice]) -> dict[str, int]:
    """Make the demo devices exactly the planned ones, operational, with no counts, repairs or
    status changes; returns serial -> pk.

    Devices are upserted by serial, so their primary keys survive a reload. Replacements of demo
    devices made by hand are removed with them.
    """
    owned = _demo_owned_device_ids()
    RecordingDevice.objects.filter(pk__in=owned, replaces__isnull=False).update(replaces=None)
    # The timeline points at repairs, and repairs at their replacement device: in this order.
    DeviceStatusChange.objects.filter(device__in=owned).delete()
    Repair.objects.filter(device__in=owned).delete()
    daily_counts_delete(DailyCount.objects.filter(device__in=owned))
    planned = [d.serial for d in devices]
    RecordingDevice.objects.filter(pk__in=owned).exclude(serial__in=planned).delete()
    fields = ["sub_district_id", "label", "daily_capacity", "commissioned_on"]
    # Every device starts working; the breakdowns are made by the repair steps afterwards.
    RecordingDevice.objects.bulk_create(
        [
            RecordingDevice(
                serial=d.serial,
                status=DeviceStatus.OPERATIONAL,
                **{f: getattr(d, f) for f in fields},
            )
            for d in devices
        ],
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["serial"],
        update_fields=["sub_district", "label", "status", "daily_capacity", "commissioned_on"],
    )
    demo_devices = RecordingDevice.objects.filter(serial__startswith=SERIAL_PREFIX)
    return dict(demo_devices.values_list("serial", "pk"))


def daily_counts_create(*, plan: DemoPlan, device_ids: dict[str, int], operator_id: int) -> int:
    """Insert the planned counts: one row per device per day, zero after a kecamatan is done."""
    rows = []
    for device in plan.devices:
        entered_by_id = operator_id if device.sub_district_id.startswith(f"{OKU_TIMUR}.") else None
        counts = plan.counts[device.serial]
        for i, day in enumerate(_days(device.commissioned_on, device.rows_until)):
            done = i >= len(counts)
            # Entered at the end of the working day, as an office would.
            entered_at = timezone.make_aware(dt.datetime.combine(day, ENTERED_AT_TIME))
            rows.append(
                DailyCount(
                    device_id=device_ids[device.serial],
                    date=day,
                    count=0 if done else counts[i],
                    note=COMPLETED_NOTE if done else "",
                    created_by_id=entered_by_id,
                    created_at=entered_at,
                    entered_by_id=entered_by_id,
                    entered_at=entered_at,
                )
            )
    DailyCount.objects.bulk_create(rows, batch_size=BATCH_SIZE)
    return len(rows)


def vendor_ensure() -> Vendor:
    vendor, _ = Vendor.objects.update_or_create(
        name=VENDOR_NAME,
        defaults={"contact": VENDOR_CONTACT, "agreed_repair_days": VENDOR_AGREED_REPAIR_DAYS},
    )
    return vendor


def repairs_create(*, plan: DemoPlan, device_ids: dict[str, int], vendor: Vendor) -> list[Repair]:
    """The two OKU Timur breakdowns, through the repair services like any office's: the
    operator reports the fault on the day the device broke, the regency's admin ships it to the
    consortium two days later. Both are still at the vendor on the demo's day."""
    users = get_user_model().objects.in_bulk(
        [OPERATOR_USERNAME, ADMIN_OKU_TIMUR_USERNAME], field_name="username"
    )
    devices = RecordingDevice.objects.in_bulk(
        [device_ids[d.serial] for d in plan.devices if d.sub_district_id in BROKEN_ON]
    )
    repairs = []
    for device in sorted(devices.values(), key=lambda d: d.serial):
        code = device.sub_district_id
        repair_report_fault(
            device=device,
            reported_on=BROKEN_ON[code],
            symptom=SYMPTOMS[code],
            user=users[OPERATOR_USERNAME],
        )
        repairs.append(
            repair_ship(
                device=device,
                shipped_on=SHIPPED_TO_VENDOR_ON[code],
                vendor=vendor,
                vendor_reference=vendor_reference(code),
                note=SHIPPING_NOTE,
                user=users[ADMIN_OKU_TIMUR_USERNAME],
            )
        )
    return repairs


def _silent(label: str, done: int, total: int | None = None) -> None:
    pass


@transaction.atomic
def demo_load(
    *, password: str | None = None, progress: ProgressCallback | None = None
) -> DemoLoadResult:
    """Load the April 2012 South Sumatra story; running it again leaves the same data.

    Without a `password` the demo logins get a fresh random one on every run. `progress`
    hears when each step starts (and of the regions as they are loaded).
    """
    step = progress or _silent
    regions_import(progress=progress)
    step("Memuat wajib KTP, target dan pengguna demo", 0, None)
    role_groups_ensure()
    eligible_rows = eligible_rows_read()
    population_import_rows(rows=eligible_rows)
    campaigns = campaigns_ensure()
    logins = demo_users_ensure(password=password or secrets.token_urlsafe(9))

    eligible = {row["code"]: int(row["eligible"]) for row in eligible_rows}
    names = dict(SubDistrict.objects.filter(code__in=eligible).values_list("code", "name"))
    step("Membuat alat dan jumlah harian", 0, None)
    plan = demo_plan(eligible=eligible, names=names)
    device_ids = devices_replace(devices=plan.devices)
    operator_id = get_user_model().objects.get(username=OPERATOR_USERNAME).pk
    daily_counts = daily_counts_create(plan=plan, device_ids=device_ids, operator_id=operator_id)
    vendor = vendor_ensure()
    repairs = repairs_create(plan=plan, device_ids=device_ids, vendor=vendor)
    step("Menghitung rekap harian", 0, None)
    rollup_refresh(SUMSEL)

    step("Memeriksa angka cerita", 0, None)
    province = Province.objects.get(code=SUMSEL)
    overview = area_dashboard(region=province, code=province.code, as_of=DEMO_TODAY)
    oku_timur = next(row for row in overview.children if row.code == OKU_TIMUR)
    if (oku_timur.eligible, oku_timur.recorded) != (OKU_TIMUR_ELIGIBLE, OKU_TIMUR_RECORDED):
        # The story's two numbers are the point of the demo; never leave a database without them.
        raise RuntimeError(
            f"OKU Timur loaded as {oku_timur.recorded}/{oku_timur.eligible}, not the story's."
        )
    step("Memuat perjalanan kartu (perkiraan)", 0, None)
    card_reports = card_journey_load(coverage=overview)
    return DemoLoadResult(
        logins=logins,
        devices=len(plan.devices),
        daily_counts=daily_counts,
        repairs=repairs,
        eligible_rows=len(eligible_rows),
        campaigns=campaigns,
        coverage=overview,
        card_reports=card_reports,
    )
