"""Writes of approvals: approve a regency's month, accept it at the province, unlock it.

Each is one atomic call that checks who may act at which level, writes the approval and an
audit row (`PeriodApprovalStep`), or raises `ApprovalRefused` naming the problem and writes
nothing. The rules are in the package docstring.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext

from common.days import format_day
from common.formatting import fmt_int, fmt_percent
from districts.choices import Role
from districts.models import AreaAssignment, Regency
from recording.selectors.completeness import completeness

from .choices import ApprovalLevel, ApprovalStep
from .models import PeriodApproval, PeriodApprovalStep
from .selectors import format_month, month_end, month_start, user_label

# The model permission an approving admin's role carries (districts/roles.py); the area and
# the level are checked on top of it.
APPROVE_PERMISSION = "approvals.add_periodapproval"


class ApprovalRefused(ValidationError):
    """A step that may not happen; the message says why, and nothing was written."""


def approval_level(user, regency: Regency) -> int | None:
    """The highest level at which `user` is an admin over `regency`, as a region level (0 the
    nation, for a superuser; 1 its province; 2 the regency itself); None when they are not."""
    if user is None or not user.is_active or not user.has_perm(APPROVE_PERMISSION):
        return None
    if user.is_superuser:
        return ApprovalLevel.NATIONAL
    assignments = AreaAssignment.objects.filter(
        Q(regency=regency) | Q(province_id=regency.province_id), user=user, role=Role.ADMIN
    ).values_list("province_id", flat=True)
    levels = [
        ApprovalLevel.PROVINCE if province else ApprovalLevel.REGENCY for province in assignments
    ]
    return min(levels, default=None)


def _who(user) -> str:
    return user_label(user.first_name, user.last_name, user.username)


def _period(regency: Regency, month) -> dict:
    return {"month": format_month(month), "regency": regency.name}


def _require_level(user, regency: Regency, month, *, at_most: int) -> int:
    level = approval_level(user, regency)
    if level is None or level > at_most:
        needed = ApprovalLevel(at_most).label
        raise ApprovalRefused(
            gettext(
                "%(user)s tidak berhak memproses bulan %(month)s %(regency)s: perlu admin "
                "%(needed)s atau tingkat di atasnya untuk wilayah ini."
            )
            % {**_period(regency, month), "user": _who(user) if user else "-", "needed": needed}
        )
    return level


def _live(regency: Regency, month) -> PeriodApproval | None:
    return (
        PeriodApproval.objects.select_for_update(of=("self",))
        .select_related("approved_by", "accepted_by")
        .filter(regency=regency, month=month, unlocked_at__isnull=True)
        .first()
    )


def _not_approved(regency: Regency, month) -> ApprovalRefused:
    return ApprovalRefused(
        gettext("Bulan %(month)s %(regency)s belum disetujui kabupaten/kota.")
        % _period(regency, month)
    )


def _step(approval: PeriodApproval, step: str, user, at, reason: str = "") -> None:
    PeriodApprovalStep.objects.create(approval=approval, step=step, user=user, at=at, reason=reason)


@transaction.atomic
def period_approve(*, regency: Regency, month, user, reason: str = "") -> PeriodApproval:
    """`user`, an admin of the regency or of its province, approves the regency's month (any
    day of it): refused before the month has ended, when it is already approved, and when its
    reports are incomplete without a written `reason`."""
    month, reason = month_start(month), reason.strip()
    level = _require_level(user, regency, month, at_most=ApprovalLevel.REGENCY)
    last_day, today = month_end(month), timezone.localdate()
    if last_day >= today:
        raise ApprovalRefused(
            gettext(
                "Bulan %(month)s belum berakhir (hari ini %(today)s); persetujuan baru bisa "
                "sesudah %(last)s."
            )
            % {**_period(regency, month), "today": format_day(today), "last": format_day(last_day)}
        )
    if (existing := _live(regency, month)) is not None:
        raise ApprovalRefused(
            gettext("Bulan %(month)s %(regency)s sudah disetujui oleh %(user)s pada %(when)s.")
            % {
                **_period(regency, month),
                "user": _who(existing.approved_by),
                "when": format_day(timezone.localdate(existing.approved_at)),
            }
        )
    figures = completeness(area=regency.code, as_of=last_day, days=last_day.day)
    if figures.received < figures.expected and not reason:
        raise ApprovalRefused(
            gettext(
                "Laporan harian %(regency)s bulan %(month)s baru %(percent)s lengkap "
                "(%(received)s dari %(expected)s laporan; %(missing)s belum masuk). Tuliskan "
                "alasan untuk menyetujui data yang belum lengkap."
            )
            % {
                **_period(regency, month),
                "percent": fmt_percent(figures.percent),
                "received": fmt_int(figures.received),
                "expected": fmt_int(figures.expected),
                "missing": fmt_int(figures.missing),
            }
        )
    now = timezone.now()
    approval = PeriodApproval(
        regency=regency,
        month=month,
        approved_by=user,
        approved_at=now,
        approved_level=level,
        reports_expected=figures.expected,
        reports_received=figures.received,
        reason=reason,
    )
    approval.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            approval.save()
    except IntegrityError:
        # Someone approved the same month between our check and our insert.
        raise ApprovalRefused(
            gettext("Bulan %(month)s %(regency)s baru saja disetujui pengguna lain.")
            % _period(regency, month)
        ) from None
    _step(approval, ApprovalStep.APPROVED, user, now, reason)
    return approval


@transaction.atomic
def period_accept(*, regency: Regency, month, user) -> PeriodApproval:
    """`user`, an admin of the regency's province (or a superuser), accepts its approved
    month."""
    month = month_start(month)
    _require_level(user, regency, month, at_most=ApprovalLevel.PROVINCE)
    approval = _live(regency, month)
    if approval is None:
        raise _not_approved(regency, month)
    if approval.accepted_at is not None:
        raise ApprovalRefused(
            gettext("Bulan %(month)s %(regency)s sudah diterima oleh %(user)s pada %(when)s.")
            % {
                **_period(regency, month),
                "user": _who(approval.accepted_by),
                "when": format_day(timezone.localdate(approval.accepted_at)),
            }
        )
    approval.accepted_by, approval.accepted_at = user, timezone.now()
    approval.save(update_fields=["accepted_by", "accepted_at"])
    _step(approval, ApprovalStep.ACCEPTED, user, approval.accepted_at)
    return approval


def unlock_level(approval: PeriodApproval) -> int:
    """The lowest level that may unlock: the approver's, or the province's once accepted."""
    if approval.accepted_at is not None:
        return min(approval.approved_level, ApprovalLevel.PROVINCE)
    return approval.approved_level


@transaction.atomic
def period_unlock(*, regency: Regency, month, user, reason: str) -> PeriodApproval:
    """`user`, at the approving level or above, opens the regency's month again, saying why."""
    month, reason = month_start(month), reason.strip()
    approval = _live(regency, month)
    if approval is None:
        raise _not_approved(regency, month)
    _require_level(user, regency, month, at_most=unlock_level(approval))
    if not reason:
        raise ApprovalRefused(
            gettext("Tuliskan alasan membuka kunci bulan %(month)s %(regency)s.")
            % _period(regency, month)
        )
    approval.unlocked_by, approval.unlocked_at = user, timezone.now()
    approval.unlock_reason = reason
    approval.save(update_fields=["unlocked_by", "unlocked_at", "unlock_reason"])
    _step(approval, ApprovalStep.UNLOCKED, user, approval.unlocked_at, reason)
    return approval
