"""The daily digest each regency's admins receive by email (`send_alerts`).

Per regency: devices down longer than N days, repairs past the vendor's agreed time, working
stations that have not reported for M days, blanko under the regency's reorder point or
running out within `BLANKO_DAYS` at the recent printing rate, printed cards waiting more than
`CARD_WAITING_DAYS` to be handed out (at the print office and at each kecamatan, first in first
out), hand-out events postponed, overdue or still without a day after that many days, and the
data-quality findings of the last `QUALITY_DAYS` days (counts per check, the first few named;
they ride along with a digest that has something else to say, see `RegencyDigest.is_empty`).
Everything is read in a fixed number of queries for all regencies at once and then split per
regency in Python; a regency with nothing to say, or without an admin who has an email
address, gets no email.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Max, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from cards.ageing import CARD_WAITING_DAYS, handout_alert_events, long_waiting_in_regencies
from cards.selectors import blanko_standings
from common.days import format_day
from districts.choices import Role
from districts.codes import regency_code
from districts.models import AreaAssignment, Regency
from recording.choices import DeviceStatus
from recording.models import RecordingDevice, Repair
from recording.selectors.devices import device_states
from recording.selectors.quality import QUALITY_DAYS, Finding, QualityCheck, quality_findings
from recording.services.repairs import repair_days_overdue, repair_due_on

DOWN_DAYS = 3
SILENT_DAYS = 2
# Blanko for fewer days than this at the recent printing rate is worth a word: a request to
# the ministry or a loan from a neighbour takes about two weeks to arrive.
BLANKO_DAYS = 14
# Data-quality findings named in the email; the rest are counted, and the page lists them all.
QUALITY_LISTED = 5
STATUS_LABELS = dict(DeviceStatus.choices)


@dataclass(frozen=True)
class DownLine:
    serial: str
    label: str
    sub_district_name: str
    status_label: str
    since: dt.date
    days_down: int
    vendor: str  # "" while not shipped


@dataclass(frozen=True)
class OverdueLine:
    serial: str
    sub_district_name: str
    vendor: str
    vendor_reference: str
    shipped_on: dt.date
    due_on: dt.date
    days_overdue: int


@dataclass(frozen=True)
class SilentLine:
    serial: str
    label: str
    sub_district_name: str
    last_report: dt.date | None  # None: never reported
    days_silent: int  # days since the last report, or since commissioning (inclusive)


@dataclass(frozen=True)
class BlankoLine:
    stock: int
    reorder_point: int | None
    below_reorder_point: bool
    days_left: int | None


@dataclass(frozen=True)
class WaitingLine:
    sub_district_name: str  # "": the regency's print runs
    waiting_long: int
    oldest: dt.date
    days_oldest: int


@dataclass(frozen=True)
class HandoutLine:
    sub_district_name: str
    group: str  # "overdue", "postponed" or "undated" (without a day for too long)
    planned_on: dt.date | None
    planned_count: int
    postponed_reason: str
    note: str
    days: int  # overdue: days past the planned day; undated: days since it was recorded


@dataclass
class RegencyDigest:
    code: str
    name: str
    as_of: dt.date
    down_days: int
    silent_days: int
    recipients: list[str]
    down: list[DownLine] = field(default_factory=list)
    overdue: list[OverdueLine] = field(default_factory=list)
    silent: list[SilentLine] = field(default_factory=list)
    blanko: BlankoLine | None = None  # only when short: under its reorder point or its days
    waiting_days: int = CARD_WAITING_DAYS
    cards_waiting: list[WaitingLine] = field(default_factory=list)  # print office first
    handouts: list[HandoutLine] = field(default_factory=list)
    quality_days: int = QUALITY_DAYS
    # (check label, findings) for each check that found something, in the page's order.
    quality_counts: list[tuple[str, int]] = field(default_factory=list)
    quality_findings: list[Finding] = field(default_factory=list)  # the first QUALITY_LISTED

    @property
    def quality_total(self) -> int:
        return sum(total for _label, total in self.quality_counts)

    @property
    def is_empty(self) -> bool:
        """Nothing that needs acting on today. Data-quality findings join a digest but do not
        send one alone: they stand for `QUALITY_DAYS` days and would mail the same lines every
        day; the data-quality page is where they are worked through."""
        return not (
            self.down
            or self.overdue
            or self.silent
            or self.blanko
            or self.cards_waiting
            or self.handouts
        )

    @property
    def subject(self) -> str:
        return translation.gettext("[e-KTP] Ringkasan harian — %(area)s, %(date)s") % {
            "area": self.name,
            "date": format_day(self.as_of),
        }


def _recipients_by_regency() -> dict[str, set[str]]:
    """Regency code -> addresses of the admins assigned to it or to its province (two queries).

    Only assigned admins: a national superuser is not mailed about every regency.
    """
    assignments = (
        AreaAssignment.objects.filter(
            user__is_active=True,
            user__groups__name=Role.ADMIN,
            sub_district__isnull=True,
        )
        .exclude(user__email="")
        .values_list("regency_id", "province_id", "user__email")
    )
    by_regency: dict[str, set[str]] = defaultdict(set)
    by_province: dict[str, set[str]] = defaultdict(set)
    for regency, province, email in assignments:
        (by_regency[regency] if regency else by_province[province]).add(email)
    if by_province:
        for code, province in Regency.objects.filter(province__in=by_province).values_list(
            "code", "province_id"
        ):
            by_regency[code] |= by_province[province]
    return by_regency


def regency_digests(
    *,
    as_of: dt.date,
    down_days: int = DOWN_DAYS,
    silent_days: int = SILENT_DAYS,
    blanko_days: int = BLANKO_DAYS,
    waiting_days: int = CARD_WAITING_DAYS,
) -> list[RegencyDigest]:
    """The digests with something to say and someone to say it to, by regency code."""
    recipients = _recipients_by_regency()
    if not recipients:
        return []
    codes = sorted(recipients)
    digests = {
        code: RegencyDigest(
            code=code,
            name=name,
            as_of=as_of,
            down_days=down_days,
            silent_days=silent_days,
            recipients=sorted(recipients[code]),
            waiting_days=waiting_days,
        )
        for code, name in Regency.objects.filter(code__in=codes).values_list("code", "name")
    }

    # Down or retired on the day, from the dated timeline (one query).
    states = device_states(code="", as_of=as_of)
    open_repairs = (
        Repair.objects.filter(reported_on__lte=as_of, device__sub_district__regency__in=codes)
        .filter(Q(closed_on__isnull=True) | Q(closed_on__gt=as_of))
        .select_related("device__sub_district", "vendor")
    )
    vendor_of: dict[int, str] = {}
    for repair in open_repairs:
        digest = digests[repair.device.sub_district.regency_id]
        shipped = repair.shipped_on and repair.shipped_on <= as_of
        if shipped and repair.vendor:
            vendor_of[repair.device_id] = repair.vendor.name
        if shipped and (late := repair_days_overdue(repair, as_of=as_of)):
            # Overdue implies a vendor: the due day is counted from its agreed repair days.
            digest.overdue.append(
                OverdueLine(
                    serial=repair.device.serial,
                    sub_district_name=repair.device.sub_district.name,
                    vendor=repair.vendor.name,
                    vendor_reference=repair.vendor_reference,
                    shipped_on=repair.shipped_on,
                    due_on=repair_due_on(repair),
                    days_overdue=late,
                )
            )
    for state in states.values():
        digest = digests.get(regency_code(state.sub_district_code))
        days = (as_of - state.since).days
        if digest is None or state.status not in DeviceStatus.down() or days <= down_days:
            continue
        digest.down.append(
            DownLine(
                serial=state.serial,
                label=state.label,
                sub_district_name=state.sub_district_name,
                status_label=str(STATUS_LABELS[state.status]),
                since=state.since,
                days_down=days,
                vendor=vendor_of.get(state.device_id, ""),
            )
        )

    # Working stations whose last report is `silent_days` or more days old (one query).
    quiet_since = as_of - dt.timedelta(days=silent_days)
    silent = (
        RecordingDevice.objects.filter(
            sub_district__regency__in=codes, commissioned_on__lte=quiet_since
        )
        .exclude(pk__in=list(states))
        .annotate(last=Max("daily_counts__date", filter=Q(daily_counts__date__lte=as_of)))
        .filter(Q(last__isnull=True) | Q(last__lte=quiet_since))
        .values_list(
            "serial",
            "label",
            "sub_district__regency_id",
            "sub_district__name",
            "commissioned_on",
            "last",
        )
    )
    for serial, label, regency, sub_district_name, commissioned_on, last in silent:
        digests[regency].silent.append(
            SilentLine(
                serial=serial,
                label=label,
                sub_district_name=sub_district_name,
                last_report=last,
                days_silent=(as_of - last).days if last else (as_of - commissioned_on).days + 1,
            )
        )

    # Blanko under the regency's reorder point or running out within `blanko_days` (two
    # queries).
    for code, standing in blanko_standings(codes=codes, as_of=as_of).items():
        below = standing.reorder_point is not None and standing.stock < standing.reorder_point
        running_out = standing.days_left is not None and standing.days_left < blanko_days
        if code in digests and (below or running_out):
            digests[code].blanko = BlankoLine(
                stock=standing.stock,
                reorder_point=standing.reorder_point,
                below_reorder_point=below,
                days_left=standing.days_left,
            )

    _add_cards_waiting(digests, codes=codes, as_of=as_of, days=waiting_days)
    _add_handouts(digests, codes=codes, as_of=as_of, days=waiting_days)
    _add_quality(digests, as_of=as_of)

    for digest in digests.values():
        digest.down.sort(key=lambda d: (-d.days_down, d.serial))
        digest.overdue.sort(key=lambda o: (-o.days_overdue, o.serial))
        digest.silent.sort(key=lambda s: (s.last_report or dt.date.min, s.serial))
    return [digests[code] for code in sorted(digests) if not digests[code].is_empty]


def _add_cards_waiting(digests: dict, *, codes: list[str], as_of: dt.date, days: int) -> None:
    """Print runs and received cards waiting more than `days`: the regency's first, then its
    kecamatan in code order (four queries)."""
    regencies, kecamatan = long_waiting_in_regencies(codes=codes, as_of=as_of, days=days)
    for unit in [*regencies, *kecamatan]:
        if (digest := digests.get(unit.regency_code)) is None:
            continue
        digest.cards_waiting.append(
            WaitingLine(
                sub_district_name="" if unit.code == unit.regency_code else unit.name,
                waiting_long=unit.ageing.waiting_long,
                oldest=unit.ageing.oldest,
                days_oldest=unit.ageing.oldest_days(as_of),
            )
        )


def _add_handouts(digests: dict, *, codes: list[str], as_of: dt.date, days: int) -> None:
    """Hand-out events postponed, overdue, or without a day `days` after they were recorded,
    most urgent first (one query)."""
    for event in handout_alert_events(codes=codes, as_of=as_of, days=days):
        if (digest := digests.get(event.sub_district.regency_id)) is None:
            continue
        if event.group == "overdue":
            waited = (as_of - event.planned_on).days
        else:
            waited = (as_of - timezone.localdate(event.created_at)).days
        digest.handouts.append(
            HandoutLine(
                sub_district_name=event.sub_district.name,
                group=event.group,
                planned_on=event.planned_on,
                planned_count=event.planned_count,
                postponed_reason=event.postponed_reason,
                note=event.note,
                days=waited,
            )
        )


def _add_quality(digests: dict, *, as_of: dt.date) -> None:
    """Each regency's data-quality findings: the checks run once for the whole country and are
    split by regency (at most ten queries, whatever the number of regencies)."""
    by_regency: dict[str, dict[str, list[Finding]]] = defaultdict(lambda: defaultdict(list))
    for check, found in quality_findings(area="", as_of=as_of).items():
        for finding in found:
            if regency_code(finding.area_code) in digests:
                by_regency[regency_code(finding.area_code)][check].append(finding)
    for code, checks in by_regency.items():
        digest = digests[code]
        digest.quality_counts = [
            (str(QualityCheck(check).label), len(found)) for check, found in checks.items()
        ]
        digest.quality_findings = [f for found in checks.values() for f in found][:QUALITY_LISTED]


def digest_message(digest: RegencyDigest, *, base_url: str = "") -> EmailMessage:
    """The plain-text email, in Bahasa Indonesia with Indonesian numbers and dates."""
    with translation.override(settings.LANGUAGE_CODE):
        body = render_to_string(
            "recording/email/device_digest.txt",
            {"digest": digest, "base_url": base_url.rstrip("/")},
        )
    return EmailMessage(subject=digest.subject, body=body, to=digest.recipients)


def alerts_send(
    *,
    as_of: dt.date,
    down_days: int = DOWN_DAYS,
    silent_days: int = SILENT_DAYS,
    blanko_days: int = BLANKO_DAYS,
    waiting_days: int = CARD_WAITING_DAYS,
    base_url: str = "",
) -> list[RegencyDigest]:
    """Email every regency's digest to its admins; returns the digests sent."""
    digests = regency_digests(
        as_of=as_of,
        down_days=down_days,
        silent_days=silent_days,
        blanko_days=blanko_days,
        waiting_days=waiting_days,
    )
    if digests:
        with get_connection() as connection:
            connection.send_messages([digest_message(d, base_url=base_url) for d in digests])
    return digests
