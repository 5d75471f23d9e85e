"""Writes of hand-out events: a kecamatan schedules a hand-out of printed cards (with a day, or
none yet while it waits for the Bupati's schedule), holds it, or postpones it with a reason.

Each step checks `HANDOUT_TRANSITIONS`, writes the event and a `HandoutEventChange` (who, when,
what) in one transaction, with the event locked so two clicks never take two steps.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from cards.choices import HANDOUT_TRANSITIONS, HandoutStatus, HandoutStep
from cards.models import HandoutEvent, HandoutEventChange
from cards.services.access import area_require, user_or_none
from common.days import format_day
from districts.models import SubDistrict


class HandoutRefused(ValidationError):
    """A step that may not happen now; the message says why, in the operator's words."""


def _step(event: HandoutEvent, step: str, *, user, note: str = "") -> HandoutEvent:
    """Move the (locked) event along `step`, and keep the change."""
    allowed_from, to = HANDOUT_TRANSITIONS[step]
    if event.status not in allowed_from:
        raise HandoutRefused(
            gettext("Pembagian ini berstatus %(status)s; “%(step)s” tidak dapat dilakukan.")
            % {
                "status": HandoutStatus(event.status).label.lower(),
                "step": HandoutStep(step).label,
            }
        )
    who = user_or_none(user)
    event.status = to
    event.updated_by, event.updated_at = who, timezone.now()
    event.full_clean()
    event.save()
    HandoutEventChange.objects.create(
        event=event,
        step=step,
        status=to,
        planned_on=event.planned_on,
        note=note,
        changed_by=who,
        changed_at=event.updated_at,
    )
    return event


def _locked(event: HandoutEvent, user) -> HandoutEvent:
    area_require(user, "cards.change_handoutevent", event.sub_district_id)
    return HandoutEvent.objects.select_for_update().get(pk=event.pk)


def _planned_count_rule(planned_count: int) -> None:
    if planned_count < 0:
        raise HandoutRefused(gettext("Jumlah kartu direncanakan tidak boleh negatif."))


def handout_event_schedule(
    *,
    sub_district: SubDistrict,
    planned_on: dt.date | None,
    planned_count: int,
    place: str = "",
    note: str = "",
    user,
) -> HandoutEvent:
    """A new planned hand-out; `planned_on` None while no day is set ("menunggu jadwal
    bupati" goes in `note`)."""
    area_require(user, "cards.add_handoutevent", sub_district.code)
    _planned_count_rule(planned_count)
    with transaction.atomic():
        event = HandoutEvent(
            sub_district=sub_district,
            planned_on=planned_on,
            planned_count=planned_count,
            place=place.strip(),
            note=note.strip(),
            created_by=user_or_none(user),
        )
        return _step(event, HandoutStep.SCHEDULED, user=user, note=event.note)


def handout_event_reschedule(
    *, event: HandoutEvent, planned_on: dt.date | None, user, note: str = ""
) -> HandoutEvent:
    """A new day (or still none) for a planned or postponed hand-out."""
    with transaction.atomic():
        event = _locked(event, user)
        event.planned_on = planned_on
        event.postponed_reason = ""
        return _step(event, HandoutStep.SCHEDULED, user=user, note=note.strip())


def handout_event_hold(
    *, event: HandoutEvent, held_on: dt.date, user, today: dt.date | None = None
) -> HandoutEvent:
    """The hand-out took place on `held_on` (not in the future)."""
    today = today or timezone.localdate()
    if held_on > today:
        raise HandoutRefused(
            gettext("Tanggal %(day)s belum terjadi (hari ini %(today)s).")
            % {"day": format_day(held_on), "today": format_day(today)}
        )
    with transaction.atomic():
        event = _locked(event, user)
        event.held_on = held_on
        return _step(event, HandoutStep.HELD, user=user)


def handout_event_postpone(*, event: HandoutEvent, reason: str, user) -> HandoutEvent:
    """The hand-out will not take place as planned; the reason is required."""
    reason = reason.strip()
    if not reason:
        raise HandoutRefused(gettext("Tulis alasan pembagian kartu ditunda."))
    with transaction.atomic():
        event = _locked(event, user)
        event.postponed_reason = reason
        return _step(event, HandoutStep.POSTPONED, user=user, note=reason)
