"""Reads: coverage of an area and of its child areas, computed in the database."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import CharField, Count, Max, Q, Sum
from django.db.models.functions import Left

from districts.models import EligiblePopulation, Province, Regency, SubDistrict
from districts.selectors import UserScope, region_level

from .choices import DeviceStatus
from .models import DailyCount, RecordingDevice

# Length of a child's code at each level: national -> "16", province -> "16.08", regency ->
# "16.08.12". Grouping by a prefix of the sub-district code avoids joining up the tree.
CHILD_CODE_LENGTH = {0: 2, 1: 5, 2: 8}
CHILD_MODEL = {0: Province, 1: Regency, 2: SubDistrict}


def coverage_percent(recorded: int, eligible: int) -> Decimal | None:
    if not eligible:
        return None
    return (Decimal(recorded) * 100 / Decimal(eligible)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass
class Coverage:
    code: str
    name: str
    eligible: int = 0
    recorded: int = 0
    devices: int = 0
    devices_down: int = 0
    last_report: dt.date | None = None
    url: str = ""

    @property
    def coverage_percent(self) -> Decimal | None:
        return coverage_percent(self.recorded, self.eligible)

    @property
    def remaining(self) -> int:
        return max(self.eligible - self.recorded, 0)


@dataclass
class AreaOverview:
    total: Coverage
    children: list[Coverage] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


def _sub_district_filter(code: str, prefix: str = "") -> Q:
    # `sub_district__code` is the FK column itself (codes are primary keys): no join.
    key = f"{prefix}sub_district__code"
    if not code:
        return Q()
    return Q(**{key: code}) | Q(**{f"{key}__startswith": f"{code}."})


def area_overview(*, code: str, name: str, as_of: dt.date) -> AreaOverview:
    """Eligible, recorded and device figures for an area (not a sub-district) and its children.

    Four grouped queries whatever the size of the area; the totals are sums of the children.
    """
    level = region_level(code)
    length = CHILD_CODE_LENGTH[level]
    child_model = CHILD_MODEL[level]
    children_qs = child_model.objects.all()
    if code:
        children_qs = children_qs.filter(code__startswith=f"{code}.")
    rows = {
        c.code: Coverage(code=c.code, name=c.name, url=c.get_absolute_url()) for c in children_qs
    }

    eligible = (
        EligiblePopulation.objects.current(as_of)
        .filter(_sub_district_filter(code))
        .annotate(child=Left("sub_district_id", length, output_field=CharField()))
        .values("child")
        .annotate(total=Sum("eligible"))
        .order_by()
    )
    for row in eligible:
        rows[row["child"]].eligible = row["total"]

    recorded = (
        DailyCount.objects.filter(_sub_district_filter(code, "device__"), date__lte=as_of)
        .annotate(child=Left("device__sub_district_id", length, output_field=CharField()))
        .values("child")
        .annotate(total=Sum("count"), last=Max("date"))
        .order_by()
    )
    for row in recorded:
        rows[row["child"]].recorded = row["total"]
        rows[row["child"]].last_report = row["last"]

    devices = (
        RecordingDevice.objects.filter(_sub_district_filter(code))
        .exclude(status=DeviceStatus.RETIRED)
        .annotate(child=Left("sub_district_id", length, output_field=CharField()))
        .values("child")
        .annotate(total=Count("id"), down=Count("id", filter=Q(status__in=DeviceStatus.down())))
        .order_by()
    )
    for row in devices:
        rows[row["child"]].devices = row["total"]
        rows[row["child"]].devices_down = row["down"]

    children = list(rows.values())
    total = Coverage(
        code=code,
        name=name,
        eligible=sum(c.eligible for c in children),
        recorded=sum(c.recorded for c in children),
        devices=sum(c.devices for c in children),
        devices_down=sum(c.devices_down for c in children),
        last_report=max((c.last_report for c in children if c.last_report), default=None),
    )
    sources = list(
        EligiblePopulation.objects.current(as_of)
        .filter(_sub_district_filter(code))
        .exclude(source="")
        .values_list("source", flat=True)
        .distinct()
        .order_by("source")
    )
    return AreaOverview(total=total, children=children, sources=sources)


def sub_district_devices(*, sub_district: SubDistrict, as_of: dt.date):
    """The sub-district's devices with what each has recorded up to `as_of`."""
    return (
        RecordingDevice.objects.filter(sub_district=sub_district)
        .annotate(
            recorded=Sum("daily_counts__count", filter=Q(daily_counts__date__lte=as_of)),
            last_report=Max("daily_counts__date", filter=Q(daily_counts__date__lte=as_of)),
        )
        .order_by("serial")
    )


def sub_district_overview(*, sub_district: SubDistrict, as_of: dt.date) -> AreaOverview:
    eligible = (
        EligiblePopulation.objects.current(as_of)
        .filter(sub_district=sub_district)
        .values_list("eligible", "source")
        .first()
    )
    devices = list(sub_district_devices(sub_district=sub_district, as_of=as_of))
    total = Coverage(
        code=sub_district.code,
        name=sub_district.name,
        eligible=eligible[0] if eligible else 0,
        recorded=sum(d.recorded or 0 for d in devices),
        devices=sum(1 for d in devices if d.status != DeviceStatus.RETIRED),
        devices_down=sum(1 for d in devices if d.status in DeviceStatus.down()),
        last_report=max((d.last_report for d in devices if d.last_report), default=None),
    )
    sources = [eligible[1]] if eligible and eligible[1] else []
    return AreaOverview(total=total, children=devices, sources=sources)


def device_recent_counts(*, device: RecordingDevice, as_of: dt.date, days: int = 31):
    return DailyCount.objects.filter(
        device=device, date__lte=as_of, date__gt=as_of - dt.timedelta(days=days)
    ).order_by("-date")


def device_total(*, device: RecordingDevice, as_of: dt.date) -> dict:
    return DailyCount.objects.filter(device=device, date__lte=as_of).aggregate(
        recorded=Sum("count"), last_report=Max("date"), days=Count("id")
    )


def devices_in_scope(scope: UserScope):
    """The devices a user may see and enter counts for (404 for anything else)."""
    return RecordingDevice.objects.filter(scope.filter_q()).select_related("sub_district__regency")
