"""Reads of repairs: the open-repairs list and the vendor report, inside the user's areas.

Days are counted by the database from the dates (today − reported_on, today − shipped_on,
closed_on − shipped_on) as durations, which PostgreSQL and SQLite both compare and sort.
"""

import datetime as dt
import statistics
from dataclasses import dataclass

from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
)
from django.db.models.functions import Cast
from django.db.models.lookups import GreaterThan

from districts.models import Province, Regency, SubDistrict
from districts.selectors import UserScope
from recording.models import RecordingDevice, Repair, Vendor

ONE_DAY = dt.timedelta(days=1)


def _since(field: str, today: dt.date) -> ExpressionWrapper:
    """today − the date at `field`, as a duration."""
    return ExpressionWrapper(
        Value(today, output_field=DateField()) - F(field), output_field=DurationField()
    )


def _between(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def overdue_condition(*, today: dt.date, prefix: str = "", agreed_days: str) -> Q:
    """Open, shipped, and at the vendor for more days than the vendor agreed to.

    `prefix` reaches the repair (`""` from Repair, `"repairs__"` from Vendor); `agreed_days` is
    the path to the vendor's `agreed_repair_days` from the queryset's model.
    """
    # SQLite multiplies a duration only by a plain integer column type, hence the cast.
    agreed = ExpressionWrapper(
        Cast(agreed_days, output_field=IntegerField()) * ONE_DAY, output_field=DurationField()
    )
    return Q(**{f"{prefix}closed_on": None, f"{prefix}shipped_on__isnull": False}) & GreaterThan(
        _since(f"{prefix}shipped_on", today), agreed
    )


def open_repairs(*, scope: UserScope, today: dt.date) -> QuerySet[Repair]:
    """Open repairs of devices in the scope, with `down_for` (a duration) and `overdue`."""
    return (
        Repair.objects.filter(closed_on=None)
        .filter(scope.filter_q("device__sub_district__code"))
        .select_related("device__sub_district__regency", "vendor")
        .annotate(
            down_for=_since("reported_on", today),
            overdue=Case(
                When(
                    overdue_condition(today=today, agreed_days="vendor__agreed_repair_days"),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
    )


def scope_regencies(scope: UserScope, *, province: str | None = None) -> QuerySet[Regency]:
    """Regencies the scope reaches into (a kecamatan's scope reaches its regency)."""
    regencies = Regency.objects.filter(
        code__in=SubDistrict.objects.filter(scope.filter_q("code")).values("regency_id")
    )
    if province is not None:
        regencies = regencies.filter(province_id=province)
    return regencies.order_by("code")


def scope_provinces(scope: UserScope) -> QuerySet[Province]:
    return Province.objects.filter(
        code__in=SubDistrict.objects.filter(scope.filter_q("code")).values("regency__province_id")
    ).order_by("code")


@dataclass(frozen=True)
class VendorFigures:
    """One vendor's repairs inside a scope; turnarounds in days, None without closed repairs."""

    vendor: Vendor
    total: int
    open: int
    closed: int
    overdue: int
    median_turnaround: float | None
    worst_turnaround: int | None


def vendor_figures(*, scope: UserScope, today: dt.date) -> list[VendorFigures]:
    """Every vendor with its figures over the repairs in the scope (two queries).

    Counts and the worst turnaround are aggregated by the database; the median needs the
    durations themselves, read in one query for all vendors.
    """
    in_scope = scope.filter_q("repairs__device__sub_district__code")
    closed = Q(repairs__closed_on__isnull=False)
    turned_around = closed & Q(repairs__shipped_on__isnull=False)
    vendors = Vendor.objects.annotate(
        total=Count("repairs", filter=in_scope),
        open_count=Count("repairs", filter=in_scope & Q(repairs__closed_on=None)),
        closed_count=Count("repairs", filter=in_scope & closed),
        overdue_count=Count(
            "repairs",
            filter=in_scope
            & overdue_condition(today=today, prefix="repairs__", agreed_days="agreed_repair_days"),
        ),
        worst=Max(
            _between("repairs__shipped_on", "repairs__closed_on"), filter=in_scope & turned_around
        ),
    ).order_by("name")

    turnarounds: dict[int, list[int]] = {}
    rows = (
        Repair.objects.filter(scope.filter_q("device__sub_district__code"))
        .filter(closed_on__isnull=False, shipped_on__isnull=False)
        .annotate(turnaround=_between("shipped_on", "closed_on"))
        .values_list("vendor_id", "turnaround")
    )
    for vendor_id, turnaround in rows:
        turnarounds.setdefault(vendor_id, []).append(turnaround.days)

    return [
        VendorFigures(
            vendor=v,
            total=v.total,
            open=v.open_count,
            closed=v.closed_count,
            overdue=v.overdue_count,
            median_turnaround=(
                statistics.median(turnarounds[v.pk]) if v.pk in turnarounds else None
            ),
            worst_turnaround=v.worst.days if v.worst is not None else None,
        )
        for v in vendors
    ]


def overdue_repairs(*, scope: UserScope, today: dt.date) -> QuerySet[Repair]:
    """Open repairs past the vendor's agreed days, by vendor, longest at the vendor first."""
    return (
        open_repairs(scope=scope, today=today)
        .filter(overdue=True)
        .annotate(at_vendor_for=_since("shipped_on", today))
        .order_by("vendor__name", "vendor_id", "shipped_on", "device__serial")
    )


def device_has_open_repair(device: RecordingDevice) -> bool:
    """Whether a fault of the device is reported and not yet closed."""
    return Repair.objects.filter(device=device, closed_on=None).exists()
