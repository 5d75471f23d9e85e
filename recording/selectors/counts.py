"""Reads about daily counts: a device's recent counts and totals and its change history, the
counts the entry grid shows, and the lines of the count file template."""

import datetime as dt

from django.db.models import Count, Max, Sum

from districts.selectors import user_scope
from recording.models import DailyCount, DailyCountRevision, RecordingDevice
from recording.selectors.devices import device_states, devices_in_service


def device_recent_counts(*, device: RecordingDevice, as_of: dt.date, days: int = 31):
    return DailyCount.objects.filter(
        device=device, date__lte=as_of, date__gt=as_of - dt.timedelta(days=days)
    ).order_by("-date")


def device_total(*, device: RecordingDevice, as_of: dt.date) -> dict:
    return DailyCount.objects.filter(device=device, date__lte=as_of).aggregate(
        recorded=Sum("count"), last_report=Max("date"), days=Count("id")
    )


def device_count_history(*, device: RecordingDevice, limit: int):
    """Every change of the device's counts (old -> new, who, via form or upload), newest first."""
    return (
        DailyCountRevision.objects.filter(daily_count__device=device)
        .select_related("daily_count", "changed_by")
        .order_by("-changed_at", "-id")[:limit]
    )


def daily_counts_of(devices, days: list[dt.date]):
    """The counts of `devices` (a queryset) on `days`, with who entered them."""
    return DailyCount.objects.filter(device__in=devices.values("pk"), date__in=days).select_related(
        "entered_by", "created_by"
    )


def count_template_rows(
    *, user, day: dt.date, area: str = "", limit: int | None = None
) -> list[list]:
    """One empty line per device of the user's area that is expected to report on `day`:
    commissioned, not retired, working that day (the rule of "belum lapor"). `limit` looks at
    that many devices only (the help's example needs two, not a province's thousands)."""
    devices = devices_in_service(user_scope(user), area=area, day=day).select_related(
        "sub_district"
    )
    # A short list for a few devices, a subquery for a whole area (a province has thousands).
    if limit:
        devices = list(devices[:limit])
        among = [device.pk for device in devices]
    else:
        among = devices.values("pk")
    states = device_states(code="", as_of=day, devices=among)
    return [
        [day, device.serial, None, "", device.sub_district.name, device.label]
        for device in devices
        if device.pk not in states
    ]


def count_help_example(*, user, day: dt.date, size: int = 2) -> list[list]:
    """The upload help's example lines, on the user's own serials: copied as they are, they are
    read without "nomor seri tidak dikenal". Empty when the user's area has no device yet."""
    rows = count_template_rows(user=user, day=day, limit=20)[:size]
    # Both ways of writing the day, and a note, as the help's column list describes them.
    written_days = (day.isoformat(), day.strftime("%d/%m/%Y"))
    counts, notes = (118, 95), ("", "listrik padam 2 jam")
    return [
        [written_days[i % 2], row[1], counts[i % 2], notes[i % 2]] for i, row in enumerate(rows)
    ]
