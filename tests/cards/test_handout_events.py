import datetime as dt

import pytest

from cards.models import HandoutEvent
from cards.services.access import CardsForbidden
from cards.services.handouts import (
    HandoutRefused,
    handout_event_hold,
    handout_event_postpone,
    handout_event_reschedule,
    handout_event_schedule,
)
from districts.models import SubDistrict
from tests.cards.conftest import DAY

pytestmark = pytest.mark.django_db

SELATAN_KEC = "16.09.01"


def _schedule(user, code=SELATAN_KEC, planned_on=None):
    return handout_event_schedule(
        sub_district=SubDistrict.objects.get(code=code),
        planned_on=planned_on,
        planned_count=2_000,
        place="Kantor Camat",
        note="menunggu jadwal bupati",
        user=user,
    )


def test_a_hand_out_waits_without_a_day_then_is_held_with_every_step_kept(operator_oku_selatan):
    event = _schedule(operator_oku_selatan)
    assert (event.planned_on, event.status, event.note) == (
        None,
        "planned",
        "menunggu jadwal bupati",
    )

    handout_event_reschedule(
        event=event, planned_on=dt.date(2012, 4, 20), user=operator_oku_selatan
    )
    handout_event_hold(
        event=event,
        held_on=dt.date(2012, 4, 20),
        user=operator_oku_selatan,
        today=dt.date(2012, 4, 21),
    )

    event.refresh_from_db()
    assert (event.status, event.held_on) == ("held", dt.date(2012, 4, 20))
    assert list(event.changes.values_list("step", "status", "planned_on", "changed_by")) == [
        ("scheduled", "planned", None, operator_oku_selatan.pk),
        ("scheduled", "planned", dt.date(2012, 4, 20), operator_oku_selatan.pk),
        ("held", "held", dt.date(2012, 4, 20), operator_oku_selatan.pk),
    ]


def test_a_postponement_needs_a_reason_and_a_held_event_cannot_be_postponed(operator_oku_selatan):
    event = _schedule(operator_oku_selatan, planned_on=DAY)
    with pytest.raises(HandoutRefused) as no_reason:
        handout_event_postpone(event=event, reason="  ", user=operator_oku_selatan)

    handout_event_postpone(event=event, reason="Bupati berhalangan", user=operator_oku_selatan)
    with pytest.raises(HandoutRefused):
        handout_event_hold(event=event, held_on=DAY, user=operator_oku_selatan)
    handout_event_reschedule(event=event, planned_on=DAY, user=operator_oku_selatan)
    handout_event_hold(event=event, held_on=DAY, user=operator_oku_selatan)
    with pytest.raises(HandoutRefused) as after_held:
        handout_event_postpone(event=event, reason="Hujan", user=operator_oku_selatan)

    assert no_reason.value.messages == ["Tulis alasan pembagian kartu ditunda."]
    assert after_held.value.messages == [
        "Pembagian ini berstatus terlaksana; “Ditunda” tidak dapat dilakukan."
    ]
    assert HandoutEvent.objects.get().status == "held"


def test_a_hand_out_cannot_be_held_in_the_future(operator_oku_selatan):
    event = _schedule(operator_oku_selatan)
    with pytest.raises(HandoutRefused):
        handout_event_hold(
            event=event, held_on=DAY, user=operator_oku_selatan, today=DAY - dt.timedelta(days=1)
        )
    assert HandoutEvent.objects.get().status == "planned"


def test_only_operators_of_the_area_schedule_or_change_its_hand_outs(
    operator_oku_timur, operator_oku_selatan, viewer_sumsel
):
    event = _schedule(operator_oku_selatan)
    for user in (operator_oku_timur, viewer_sumsel):
        with pytest.raises(CardsForbidden):
            _schedule(user)
        with pytest.raises(CardsForbidden):
            handout_event_postpone(event=event, reason="x", user=user)
    assert HandoutEvent.objects.count() == 1
    assert HandoutEvent.objects.get().status == "planned"
