"""Data-quality checks on the recording figures: what an official must look at before signing.

One function per check, each for an area (a region code, "" the nation) over the `days` days up
to and including `as_of`, each answering a list of `Finding`s (the area or device, the day, the
figures and why). Every check is a fixed number of queries grouped in the database, whatever
the size of the area; Python only turns the rows found into findings.

- Spike: a count more than `SPIKE_FACTOR` × the median of the same device's counts of the
  `SPIKE_HISTORY_DAYS` days before it, and at least `SPIKE_FLOOR` (a 2 → 7 is noise). The
  median is computed in SQL portable to PostgreSQL and SQLite: the device's earlier counts are
  numbered in order (ROW_NUMBER) and counted (COUNT) per count being checked, and the middle one
  (or the mean of the middle two) is kept. A device with fewer than `SPIKE_MIN_HISTORY` earlier
  counts has no pattern yet and is not judged.
- Zero on a working day: a count of 0 from a station in service that day (commissioned and
  working by its dated status timeline, `DeviceStatus.expected_to_report`) while another
  station of the same kecamatan recorded residents that day, so the office was open.
- Coverage above 100%: a kecamatan or regency whose recorded total to the day passes its
  eligible figure in force. A kecamatan above 100% inside a regency that is not is most likely
  serving residents of neighbouring kecamatan; a regency above 100% (or a kecamatan in one) most
  likely has an eligible figure that is too low or out of date.
- A figure that fell: a revision in the period that lowered an already-reported count, with who
  changed it and when.
- Eligible figure missing: a kecamatan with counts up to the day but no eligible figure dated on
  or before it, so its coverage cannot be computed.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection, models
from django.db.models import Exists, F, Min, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.formatting import fmt_day, fmt_int
from districts.codes import area_q, code_in_area, regency_code, region_level
from districts.models import EligiblePopulation, Regency, SubDistrict
from recording.choices import DeviceStatus
from recording.models import (
    DailyCount,
    DailyCountRevision,
    DeviceMonthlyTotal,
    DeviceStatusChange,
    EntrySource,
    RecordingDevice,
)
from recording.services.rollups import month_start

QUALITY_DAYS = 28
SPIKE_FACTOR = 3
SPIKE_FLOOR = 50
SPIKE_HISTORY_DAYS = 28
SPIKE_MIN_HISTORY = 7


class QualityCheck(models.TextChoices):
    SPIKE = "spike", _("Lonjakan jumlah")
    ZERO = "zero", _("Nol saat alat lain melapor")
    OVER_COVERAGE = "over_coverage", _("Cakupan di atas 100%")
    FELL = "fell", _("Jumlah diturunkan")
    NO_ELIGIBLE = "no_eligible", _("Jumlah wajib KTP tidak ada")


@dataclass(frozen=True)
class Finding:
    """One thing a check found: where (an area, and a device when it is about one), which day,
    the figure found and the figure it was held against, and why it is worth a look."""

    check: str
    area_code: str
    area_name: str
    serial: str  # "" for a finding about an area
    day: dt.date
    figure: int
    reference: int | Decimal | None
    reason: str

    @property
    def check_label(self) -> str:
        return str(QualityCheck(self.check).label)


def period(as_of: dt.date, days: int = QUALITY_DAYS) -> tuple[dt.date, dt.date]:
    """The first and last day of the `days` days ending with `as_of`."""
    return as_of - dt.timedelta(days=days - 1), as_of


# --- 1. Spikes ----------------------------------------------------------------------------------


def _days_before_sql(column: str, days: int) -> str:
    """SQL for the day `days` before a date column: the one line the two databases disagree on."""
    if connection.vendor == "sqlite":
        return f"date({column}, '-{int(days)} days')"
    return f"({column} - {int(days)})"


def _area_sql(area: str, column: str) -> tuple[str, list]:
    if not area:
        return "1 = 1", []
    return f"({column} = %s OR {column} LIKE %s)", [area, f"{area}.%"]


def spikes(*, area: str, as_of: dt.date, days: int = QUALITY_DAYS) -> list[Finding]:
    """Counts far above the device's own median of the days before (two queries)."""
    start, end = period(as_of, days)
    counts = DailyCount._meta.db_table
    devices = RecordingDevice._meta.db_table
    in_area, area_params = _area_sql(area, "d.sub_district_id")
    adapt = connection.ops.adapt_datefield_value
    # Only counts at or above the floor are judged, so the pairs stay few.
    sql = f"""
        WITH pairs AS (
            SELECT c.id AS count_id, p.count AS earlier,
                   ROW_NUMBER() OVER (PARTITION BY c.id ORDER BY p.count) AS position,
                   COUNT(*) OVER (PARTITION BY c.id) AS earlier_reports
            FROM {counts} c
            JOIN {devices} d ON d.id = c.device_id
            JOIN {counts} p ON p.device_id = c.device_id
                AND p.date < c.date
                AND p.date >= {_days_before_sql("c.date", SPIKE_HISTORY_DAYS)}
            WHERE c.date >= %s AND c.date <= %s AND c.count >= %s AND {in_area}
        ),
        medians AS (
            SELECT count_id, AVG(earlier) AS median FROM pairs
            WHERE earlier_reports >= %s
              AND position IN ((earlier_reports + 1) / 2, (earlier_reports + 2) / 2)
            GROUP BY count_id
        )
        SELECT m.count_id, m.median FROM medians m JOIN {counts} c ON c.id = m.count_id
        WHERE c.count > %s * m.median
    """
    params = [adapt(start), adapt(end), SPIKE_FLOOR, *area_params, SPIKE_MIN_HISTORY, SPIKE_FACTOR]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        medians = {count_id: Decimal(str(median)) for count_id, median in cursor.fetchall()}
    if not medians:
        return []
    rows = (
        DailyCount.objects.filter(id__in=medians)
        .order_by("date", "device__serial")
        .values_list(
            "id",
            "device__serial",
            "device__sub_district_id",
            "device__sub_district__name",
            "date",
            "count",
        )
    )
    findings = []
    for count_id, serial, code, name, day, count in rows:
        median = medians[count_id].quantize(Decimal("0.1"))
        findings.append(
            Finding(
                check=QualityCheck.SPIKE,
                area_code=code,
                area_name=name,
                serial=serial,
                day=day,
                figure=count,
                reference=median,
                reason=gettext(
                    "%(count)s terekam, lebih dari %(factor)s× median %(median)s pada "
                    "%(days)s hari sebelumnya. Periksa apakah angka salah ketik atau "
                    "termasuk hari lain."
                )
                % {
                    "count": count,
                    "factor": SPIKE_FACTOR,
                    "median": median,
                    "days": SPIKE_HISTORY_DAYS,
                },
            )
        )
    return findings


# --- 2. Zeros while the kecamatan reports ---------------------------------------------------------


def zeros_while_others_report(
    *, area: str, as_of: dt.date, days: int = QUALITY_DAYS
) -> list[Finding]:
    """Zero counts of a station in service while another station of its kecamatan recorded
    residents that day (one query)."""
    start, end = period(as_of, days)
    status_then = (
        DeviceStatusChange.objects.filter(
            device=OuterRef("device_id"), effective_on__lte=OuterRef("date")
        )
        .order_by("-effective_on", "-id")
        .values("status")[:1]
    )
    others = (
        DailyCount.objects.filter(
            device__sub_district=OuterRef("device__sub_district"),
            date=OuterRef("date"),
            count__gt=0,
        )
        .exclude(device=OuterRef("device"))
        .order_by()
        .values("device__sub_district")
        .annotate(total=Sum("count"))
        .values("total")
    )
    rows = (
        DailyCount.objects.filter(
            area_q(area, "device__sub_district__code"),
            date__range=(start, end),
            count=0,
            date__gte=F("device__commissioned_on"),
        )
        .annotate(status_then=Subquery(status_then), others=Subquery(others))
        .filter(Q(status_then__isnull=True) | Q(status_then=DeviceStatus.OPERATIONAL))
        .filter(others__gt=0)
        .order_by("date", "device__serial")
        .values_list(
            "device__serial",
            "device__sub_district_id",
            "device__sub_district__name",
            "date",
            "note",
            "others",
        )
    )
    findings = []
    for serial, code, name, day, note, others_total in rows:
        reason = gettext(
            "Alat beroperasi melaporkan 0, sementara alat lain di kecamatan yang sama merekam "
            "%(others)s orang hari itu."
        ) % {"others": others_total}
        if note:
            reason = f"{reason} {gettext('Catatan:')} {note}"
        findings.append(
            Finding(
                check=QualityCheck.ZERO,
                area_code=code,
                area_name=name,
                serial=serial,
                day=day,
                figure=0,
                reference=others_total,
                reason=reason,
            )
        )
    return findings


# --- 3. Coverage above 100% ---------------------------------------------------------------------


def _recorded_by_sub_district(area: str, as_of: dt.date) -> dict[str, int]:
    """Residents recorded to the day per kecamatan: whole months from the device-month totals,
    the month of the day from its counts (two queries)."""
    this_month = month_start(as_of)
    recorded: dict[str, int] = defaultdict(int)
    months = (
        DeviceMonthlyTotal.objects.filter(
            area_q(area, "device__sub_district__code"), month__lt=this_month
        )
        .values("device__sub_district_id")
        .annotate(total=Sum("recorded"))
        .values_list("device__sub_district_id", "total")
        .order_by()
    )
    days = (
        DailyCount.objects.filter(
            area_q(area, "device__sub_district__code"), date__range=(this_month, as_of)
        )
        .values("device__sub_district_id")
        .annotate(total=Sum("count"))
        .values_list("device__sub_district_id", "total")
        .order_by()
    )
    for rows in (months, days):
        for code, total in rows:
            recorded[code] += total or 0
    return recorded


def coverage_above_full(*, area: str, as_of: dt.date, days: int = QUALITY_DAYS) -> list[Finding]:
    """Kecamatan and regencies whose recorded total to `as_of` passes their eligible figure in
    force on it (four queries). A kecamatan's regency is read whole, to tell which reason."""
    level = region_level(area)
    wide = regency_code(area) if level == 3 else area
    recorded = _recorded_by_sub_district(wide, as_of)
    eligible = {
        code: (figure, since)
        for code, figure, since in EligiblePopulation.objects.current(as_of)
        .filter(area_q(wide))
        .values_list("sub_district_id", "eligible", "as_of")
        .order_by()
    }
    regency_recorded: dict[str, int] = defaultdict(int)
    regency_eligible: dict[str, int] = defaultdict(int)
    for code, total in recorded.items():
        regency_recorded[regency_code(code)] += total
    for code, (figure, _since) in eligible.items():
        regency_eligible[regency_code(code)] += figure
    over_regencies = {
        code
        for code, total in regency_recorded.items()
        if regency_eligible.get(code) and total > regency_eligible[code]
    }
    over_kecamatan = [
        code
        for code, total in recorded.items()
        if code in eligible and total > eligible[code][0] and code_in_area(code, area)
    ]
    names = dict(SubDistrict.objects.filter(code__in=over_kecamatan).values_list("code", "name"))
    findings = []
    for code in sorted(over_kecamatan):
        figure, since = eligible[code]
        if regency_code(code) in over_regencies:
            reason = gettext(
                "Terekam melebihi wajib KTP (per %(since)s), dan kabupaten/kotanya juga di atas "
                "100%%: jumlah wajib KTP kemungkinan terlalu rendah atau sudah usang."
            )
        else:
            reason = gettext(
                "Terekam melebihi wajib KTP (per %(since)s), sementara kabupaten/kotanya di "
                "bawah 100%%: kemungkinan melayani penduduk kecamatan lain."
            )
        findings.append(
            Finding(
                check=QualityCheck.OVER_COVERAGE,
                area_code=code,
                area_name=names.get(code, ""),
                serial="",
                day=as_of,
                figure=recorded[code],
                reference=figure,
                reason=reason % {"since": since.isoformat()},
            )
        )
    if level < 3:
        regency_names = dict(
            Regency.objects.filter(code__in=over_regencies).values_list("code", "name")
        )
        for code in sorted(over_regencies):
            findings.append(
                Finding(
                    check=QualityCheck.OVER_COVERAGE,
                    area_code=code,
                    area_name=regency_names.get(code, ""),
                    serial="",
                    day=as_of,
                    figure=regency_recorded[code],
                    reference=regency_eligible[code],
                    reason=gettext(
                        "Terekam melebihi wajib KTP seluruh kabupaten/kota: jumlah wajib KTP "
                        "kemungkinan terlalu rendah atau sudah usang (atau banyak penduduk "
                        "kabupaten/kota lain dilayani di sini)."
                    ),
                )
            )
    return findings


# --- 4. Figures that fell -----------------------------------------------------------------------


def figures_lowered(*, area: str, as_of: dt.date, days: int = QUALITY_DAYS) -> list[Finding]:
    """Revisions made in the period that lowered a count already reported (one query)."""
    start, end = period(as_of, days)
    tz = timezone.get_default_timezone()
    since = timezone.make_aware(dt.datetime.combine(start, dt.time.min), tz)
    until = timezone.make_aware(dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min), tz)
    rows = (
        DailyCountRevision.objects.filter(
            area_q(area, "daily_count__device__sub_district__code"),
            changed_at__gte=since,
            changed_at__lt=until,
            old_count__gt=F("new_count"),
        )
        .order_by("changed_at", "id")
        .values_list(
            "daily_count__device__serial",
            "daily_count__device__sub_district_id",
            "daily_count__device__sub_district__name",
            "daily_count__date",
            "old_count",
            "new_count",
            "changed_by__username",
            "changed_at",
            "source",
        )
    )
    findings = []
    for serial, code, name, day, old, new, who, when, source in rows:
        findings.append(
            Finding(
                check=QualityCheck.FELL,
                area_code=code,
                area_name=name,
                serial=serial,
                day=day,
                figure=new,
                reference=old,
                reason=gettext(
                    "Diturunkan dari %(old)s menjadi %(new)s oleh %(who)s pada %(when)s "
                    "(%(source)s)."
                )
                % {
                    "old": fmt_int(old),
                    "new": fmt_int(new),
                    "who": who or gettext("(tidak diketahui)"),
                    "when": fmt_day(timezone.localtime(when), "j M Y H:i"),
                    "source": EntrySource(source).label if source in EntrySource.values else source,
                },
            )
        )
    return findings


# --- 5. Eligible figures missing ----------------------------------------------------------------


def eligible_missing(*, area: str, as_of: dt.date, days: int = QUALITY_DAYS) -> list[Finding]:
    """Kecamatan with counts up to the day and no eligible figure dated on or before it (two
    queries: the kecamatan without a figure that have a station, then their first count).

    The kecamatan without a figure come first because they are few: a first-count probe per
    kecamatan of a whole province made PostgreSQL walk the date index for the kecamatan that
    never reported (minutes on the demo)."""
    has_eligible = EligiblePopulation.objects.filter(
        sub_district=OuterRef("code"), as_of__lte=as_of
    )
    has_station = RecordingDevice.objects.filter(
        sub_district=OuterRef("code"), commissioned_on__lte=as_of
    )
    names = dict(
        SubDistrict.objects.filter(area_q(area, "code"))
        .filter(Exists(has_station))
        .exclude(Exists(has_eligible))
        .values_list("code", "name")
    )
    if not names:
        return []
    rows = sorted(
        DailyCount.objects.filter(device__sub_district__in=list(names), date__lte=as_of)
        .values("device__sub_district")
        .annotate(first=Min("date"))
        .order_by()
        .values_list("device__sub_district", "first")
    )
    rows = [(code, names[code], first) for code, first in rows]
    return [
        Finding(
            check=QualityCheck.NO_ELIGIBLE,
            area_code=code,
            area_name=name,
            serial="",
            day=as_of,
            figure=0,
            reference=None,
            reason=gettext(
                "Ada jumlah terekam sejak %(first)s, tetapi belum ada jumlah wajib KTP: "
                "cakupannya tidak dapat dihitung."
            )
            % {"first": first.isoformat()},
        )
        for code, name, first in rows
    ]


CHECKS = {
    QualityCheck.SPIKE: spikes,
    QualityCheck.ZERO: zeros_while_others_report,
    QualityCheck.OVER_COVERAGE: coverage_above_full,
    QualityCheck.FELL: figures_lowered,
    QualityCheck.NO_ELIGIBLE: eligible_missing,
}


def quality_findings(
    *, area: str, as_of: dt.date, days: int = QUALITY_DAYS, checks=None
) -> dict[str, list[Finding]]:
    """The findings of every check (or of the `checks` named), by check, in `CHECKS` order."""
    return {
        check: function(area=area, as_of=as_of, days=days)
        for check, function in CHECKS.items()
        if checks is None or check in checks
    }
