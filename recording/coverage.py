"""What a dashboard shows for one area (or one device), and the arithmetic on those figures.

The selectors fill these from a fixed number of aggregate queries; everything here is derived
from the stored figures without touching the database, so it is the same on every level.
"""

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _

from recording.links import region_url

RECENT_DAYS = 7
# An area silent for longer than this before the page's day gets a banner saying since when.
STALE_AFTER_DAYS = 7


# Coverage bands, in %: the charts colour bars by them and the summary's meter marks them.
BAND_MID, BAND_HIGH, BAND_DONE = 50, 80, 95


class Progress(models.TextChoices):
    """Whether an area will record everyone by its deadline at its current pace."""

    ON_TRACK = "on_track", _("Sesuai jadwal")
    AT_RISK = "at_risk", _("Berisiko")
    LATE = "late", _("Terlambat")


def coverage_percent(recorded: int, eligible: int) -> Decimal | None:
    if not eligible:
        return None
    return (Decimal(recorded) * 100 / Decimal(eligible)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )


@dataclass(frozen=True)
class Completeness:
    """Daily reports owed by an area's stations over a period (`expected`: the stations in
    service and working on each day), received among them, and received on time
    (`recording/selectors/completeness.py`)."""

    expected: int = 0
    received: int = 0
    on_time: int = 0

    def __add__(self, other: "Completeness") -> "Completeness":
        return Completeness(
            self.expected + other.expected,
            self.received + other.received,
            self.on_time + other.on_time,
        )

    @property
    def percent(self) -> Decimal | None:
        """Received ÷ expected × 100, one decimal; None when nothing was owed (no station in
        service)."""
        return coverage_percent(self.received, self.expected)

    @property
    def on_time_percent(self) -> Decimal | None:
        return coverage_percent(self.on_time, self.expected)

    @property
    def missing(self) -> int:
        return self.expected - self.received


@dataclass
class Coverage:
    """Figures of one area as of a day. Totals of a parent are sums of its children's."""

    code: str
    name: str
    as_of: dt.date | None = None
    url: str = ""
    eligible: int = 0
    recorded: int = 0
    recorded_last_7_days: int = 0
    deadline: dt.date | None = None
    devices: int = 0  # in service on the day: commissioned, not retired
    devices_down: int = 0  # broken or at the vendor on the day
    working_capacity: int = 0  # people/day the working devices can record together
    longest_down_days: int = 0
    longest_down_since: dt.date | None = None
    last_report: dt.date | None = None
    not_reported: int = 0  # working devices with no count for the day ("belum lapor")
    follow_up: int = 0  # counts marked for follow-up
    # Estimate of the people left unrecorded while stations were down, never more than the
    # area still had to record (see DownDevice.recordings_lost).
    recordings_lost: int = 0
    # Reports owed and received over the last 7 days up to as_of.
    reporting: Completeness = field(default_factory=Completeness)

    @property
    def reporting_completeness_percent(self) -> Decimal | None:
        return self.reporting.percent

    @property
    def meter_low(self) -> int:
        """The recorded figure where the summary's meter stops showing "low" (`BAND_MID`)."""
        return self.eligible * BAND_MID // 100

    @property
    def meter_high(self) -> int:
        """The recorded figure from which the meter shows "high" (`BAND_DONE`)."""
        return self.eligible * BAND_DONE // 100

    @property
    def coverage_percent(self) -> Decimal | None:
        return coverage_percent(self.recorded, self.eligible)

    @property
    def remaining(self) -> int:
        return max(self.eligible - self.recorded, 0)

    @property
    def daily_average(self) -> Decimal:
        """Recorded per day over the last 7 days."""
        return (Decimal(self.recorded_last_7_days) / RECENT_DAYS).quantize(Decimal("0.1"))

    @property
    def devices_operational(self) -> int:
        return self.devices - self.devices_down

    @property
    def no_working_device(self) -> bool:
        return self.devices > 0 and self.devices_operational == 0

    @property
    def days_left(self) -> int | None:
        """Recording days from the day after `as_of` up to and including the deadline."""
        if self.deadline is None or self.as_of is None:
            return None
        return (self.deadline - self.as_of).days

    @property
    def required_daily_rate(self) -> int | None:
        """People per day needed from tomorrow to reach 100% on the deadline."""
        if self.remaining == 0:
            return 0
        if self.days_left is None or self.days_left <= 0:
            return None
        return math.ceil(self.remaining / self.days_left)

    @property
    def projected_completion(self) -> dt.date | None:
        """The day 100% is reached at the last 7 days' pace; None if nothing is moving or no
        device is working."""
        if self.as_of is None:
            return None
        if self.remaining == 0:
            return self.as_of
        # With every device down, last week's pace says nothing about the days ahead.
        if self.recorded_last_7_days <= 0 or self.no_working_device:
            return None
        days = math.ceil(self.remaining * RECENT_DAYS / self.recorded_last_7_days)
        return self.as_of + dt.timedelta(days=days)

    @property
    def done(self) -> bool:
        return self.eligible > 0 and self.remaining == 0

    @property
    def progress(self) -> Progress | None:
        """On track if the current pace finishes by the deadline; late if even every working
        device at full capacity could not (or the deadline has passed); at risk in between."""
        if self.done:
            return Progress.ON_TRACK
        if self.deadline is None or self.eligible == 0:
            return None
        projected = self.projected_completion
        if projected is not None and projected <= self.deadline:
            return Progress.ON_TRACK
        rate = self.required_daily_rate
        if rate is None or rate > self.working_capacity:
            return Progress.LATE
        return Progress.AT_RISK


@dataclass
class DayPoint:
    date: dt.date
    recorded: int  # that day
    cumulative: int  # up to and including that day


@dataclass
class Dashboard:
    """One dashboard page: the area, its children (areas or devices) and its daily series."""

    total: Coverage
    children: list = field(default_factory=list)  # Coverage, or DeviceCoverage at kecamatan level
    series: list[DayPoint] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    down_devices: list = field(default_factory=list)  # DownDevice, longest down first
    # The last day the series runs to: the page's day, or an area's last report when that is
    # older than the series (the charts then show the data there is, up to that day).
    series_end: dt.date | None = None

    @property
    def completed_on(self) -> dt.date | None:
        """The first day the area had recorded all its eligible residents, if it has and that
        day lies within the series (two years)."""
        total = self.total
        if not total.done:
            return None
        return next((p.date for p in self.series if p.cumulative >= total.eligible), None)

    @property
    def stale(self) -> bool:
        """Nothing was reported for more than a week before the page's day (but once was)."""
        last, as_of = self.total.last_report, self.total.as_of
        return bool(last and as_of and (as_of - last).days > STALE_AFTER_DAYS)


@dataclass
class DownDevice:
    serial: str
    label: str
    sub_district_code: str
    sub_district_name: str
    status: str
    status_label: str
    since: dt.date
    days_down: int
    url: str = ""
    daily_average_before: Decimal = Decimal(0)  # over the 7 days before it went down
    # What its kecamatan still had to record on the day: no estimate can exceed it.
    unrecorded_in_sub_district: int | None = None

    @property
    def sub_district_url(self) -> str:
        return region_url(self.sub_district_code)

    @property
    def recordings_lost(self) -> int:
        """People the station would have recorded while down, at its pace before, but never
        more than its kecamatan still had to record (years down at a busy station's pace
        would otherwise "lose" more people than live there)."""
        pace = int((self.daily_average_before * self.days_down).to_integral_value())
        if self.unrecorded_in_sub_district is None:
            return pace
        return min(pace, self.unrecorded_in_sub_district)


def lost_within(devices, remaining: int) -> int:
    """The estimate for an area: its down stations' together, at most what it had left."""
    return min(sum(d.recordings_lost for d in devices), remaining)


@dataclass
class DeviceCoverage:
    """A device's row on a kecamatan dashboard."""

    serial: str
    label: str
    url: str
    status: str  # as of the day
    status_label: str
    daily_capacity: int
    recorded: int = 0
    recorded_last_7_days: int = 0
    last_report: dt.date | None = None
    reported_today: bool = False
    recorded_on_day: int | None = None  # the day's count, None without one
    down_since: dt.date | None = None
    days_down: int = 0
    follow_up: int = 0
    reporting: Completeness = field(default_factory=Completeness)

    @property
    def reporting_completeness_percent(self) -> Decimal | None:
        return self.reporting.percent

    @property
    def daily_average(self) -> Decimal:
        return (Decimal(self.recorded_last_7_days) / RECENT_DAYS).quantize(Decimal("0.1"))
