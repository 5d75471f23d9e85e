"""Cards waiting to be handed out, first in first out, on hand-made batches: every expected
figure is worked out by hand in the comments and written as a literal."""

import datetime as dt

import pytest

from cards.ageing import (
    CardAgeing,
    card_ageing,
    card_ageing_by_child,
    handout_event_counts,
    handout_events_shown,
)
from cards.choices import HandoutStatus
from cards.models import HandoutEvent
from districts.models import SubDistrict
from tests.cards.conftest import row

pytestmark = pytest.mark.django_db

D = dt.date
AS_OF = D(2012, 4, 16)  # 30 days before: 17 March


def _ageing(waiting, waiting_long, oldest):
    return CardAgeing(waiting=waiting, waiting_long=waiting_long, oldest=oldest)


@pytest.fixture
def batches(receive, save):
    receive("16.08", 1_000, D(2012, 1, 2))
    receive("16.09", 1_000, D(2012, 1, 2))
    save(
        # OKU Timur's print office: 400 + 300 + 200 printed.
        row("16.08", D(2012, 1, 20), printed=400),
        row("16.08", D(2012, 2, 15), printed=300),
        row("16.08", D(2012, 3, 20), printed=200),
        # Its first kecamatan: received 100, 200, 300, 50; handed out 80, 20, 150 (250).
        row("16.08.01", D(2012, 2, 1), received=100),
        row("16.08.01", D(2012, 2, 20), received=200),
        row("16.08.01", D(2012, 3, 5), handed_out=80),
        row("16.08.01", D(2012, 3, 10), received=300, handed_out=20),
        row("16.08.01", D(2012, 4, 1), received=50),
        row("16.08.01", D(2012, 4, 10), handed_out=150),
        # Its second: 100 received on 1 April, all handed out on the 10th.
        row("16.08.02", D(2012, 4, 1), received=100),
        row("16.08.02", D(2012, 4, 10), handed_out=100),
        # OKU Selatan: 1,000 printed on 5 April, 600 of them handed out on the 8th.
        row("16.09", D(2012, 4, 5), printed=1_000),
        row("16.09.01", D(2012, 4, 6), received=600),
        row("16.09.01", D(2012, 4, 8), handed_out=600),
        # After the day: never counted.
        row("16.08.01", D(2012, 4, 17), handed_out=400),
    )


def test_a_kecamatan_hands_out_its_oldest_received_cards_first(batches):
    # Received 650, handed out 250: 400 wait. The 100 of 1 February went first, then 150 of
    # the 200 of 20 February, which is the oldest batch still waiting. Received up to 17 March
    # 600, so 600 - 250 = 350 wait more than 30 days.
    assert card_ageing(area="16.08.01", as_of=AS_OF) == _ageing(400, 350, D(2012, 2, 20))


def test_a_kecamatan_that_handed_out_everything_has_nothing_waiting(batches):
    # 100 received, 100 handed out: the batch is used up exactly.
    assert card_ageing(area="16.08.02", as_of=AS_OF) == _ageing(0, 0, None)
    assert card_ageing(area="16.09.01", as_of=AS_OF) == _ageing(0, 0, None)


def test_as_of_a_past_day_only_the_reports_up_to_it_count(batches):
    # 5 March: received 300, handed out 80, so 220 wait, the oldest from 1 February (100 > 80).
    # 30 days before is 4 February: 100 received by then, 100 - 80 = 20 wait longer.
    assert card_ageing(area="16.08.01", as_of=D(2012, 3, 5)) == _ageing(220, 20, D(2012, 2, 1))
    # 9 April: 16.08.02's 100 received, not yet handed out, 8 days old.
    assert card_ageing(area="16.08.02", as_of=D(2012, 4, 9)) == _ageing(100, 0, D(2012, 4, 1))


def test_a_regency_hands_out_its_oldest_print_run_first(batches):
    # OKU Timur printed 900 and its kecamatan handed out 250 + 100 = 350: the 400 of 20
    # January are the oldest still waiting (400 > 350). Printed up to 17 March 700, so 350
    # wait more than 30 days; 550 wait in all.
    assert card_ageing(area="16.08", as_of=AS_OF) == _ageing(550, 350, D(2012, 1, 20))
    # OKU Selatan: 1,000 printed 11 days ago, 600 handed out.
    assert card_ageing(area="16.09", as_of=AS_OF) == _ageing(400, 0, D(2012, 4, 5))


def test_a_regency_as_of_a_past_day(batches):
    # 5 March: printed 700, handed out 80; 400 printed by 4 February, 320 wait longer.
    assert card_ageing(area="16.08", as_of=D(2012, 3, 5)) == _ageing(620, 320, D(2012, 1, 20))
    assert card_ageing(area="16.09", as_of=D(2012, 3, 5)) == _ageing(0, 0, None)


def test_a_province_adds_up_its_regencies_without_netting_one_against_another(batches):
    # OKU Timur's 550 (350 long) and OKU Selatan's 400 (none long). Pooled, the 950 handed out
    # would have used 700 + 0 printed by 17 March, leaving no card "long": wrong, OKU Selatan's
    # hand-outs cannot give out OKU Timur's cards.
    assert card_ageing(area="16", as_of=AS_OF) == _ageing(950, 350, D(2012, 1, 20))
    assert card_ageing(area="", as_of=AS_OF) == _ageing(950, 350, D(2012, 1, 20))
    assert card_ageing(area="16", as_of=D(2012, 3, 5)) == _ageing(620, 320, D(2012, 1, 20))


def test_children_have_the_figures_of_their_own_page(batches):
    regencies = card_ageing_by_child(area="16", as_of=AS_OF)
    assert regencies["16.08"] == _ageing(550, 350, D(2012, 1, 20))
    assert regencies["16.09"] == _ageing(400, 0, D(2012, 4, 5))
    assert regencies["16.10"] == _ageing(0, 0, None)
    assert len(regencies) == 17  # every regency of South Sumatra

    provinces = card_ageing_by_child(area="", as_of=AS_OF)
    assert provinces["16"] == _ageing(950, 350, D(2012, 1, 20))
    assert provinces["11"] == _ageing(0, 0, None)

    # A regency's children are its kecamatan, by the cards they received.
    kecamatan = card_ageing_by_child(area="16.08", as_of=AS_OF)
    assert kecamatan["16.08.01"] == _ageing(400, 350, D(2012, 2, 20))
    assert kecamatan["16.08.02"] == _ageing(0, 0, None)
    assert len(kecamatan) == SubDistrict.objects.filter(regency="16.08").count()
    assert card_ageing_by_child(area="16.08.01", as_of=AS_OF) == {}


def test_the_days_can_be_chosen(batches):
    # 10 days before 16 April is 6 April: 16.08.01 received 650 by then, 650 - 250 = 400.
    assert card_ageing(area="16.08.01", as_of=AS_OF, days=10).waiting_long == 400


@pytest.mark.parametrize("area", ["", "16", "16.08", "16.08.01"])
def test_ageing_takes_two_queries_whatever_the_area(batches, area, django_assert_num_queries):
    with django_assert_num_queries(2):
        card_ageing(area=area, as_of=AS_OF)
    with django_assert_num_queries(0 if area == "16.08.01" else 2):
        card_ageing_by_child(area=area, as_of=AS_OF)


# --- Hand-out events -----------------------------------------------------------------------


def _event(code, *, planned_on=None, status=HandoutStatus.PLANNED, **fields):
    return HandoutEvent.objects.create(
        sub_district_id=code, planned_on=planned_on, planned_count=100, status=status, **fields
    )


@pytest.fixture
def events(db):
    return {
        "overdue": _event("16.08.01", planned_on=D(2012, 4, 10)),
        "postponed": _event(
            "16.08.02",
            planned_on=D(2012, 4, 12),
            status=HandoutStatus.POSTPONED,
            postponed_reason="Camat dinas luar",
        ),
        "undated": _event("16.08.03"),
        "upcoming": _event("16.08.01", planned_on=D(2012, 4, 20)),
        "held": _event(
            "16.08.02", planned_on=D(2012, 4, 2), status=HandoutStatus.HELD, held_on=D(2012, 4, 3)
        ),
        "held_long_ago": _event(
            "16.08.02", planned_on=D(2012, 2, 1), status=HandoutStatus.HELD, held_on=D(2012, 2, 1)
        ),
        "elsewhere": _event("16.09.01", planned_on=D(2012, 4, 10)),
    }


def test_events_are_shown_most_urgent_first(events):
    shown = list(handout_events_shown(area="16.08", as_of=AS_OF))
    assert [(e.pk, e.group) for e in shown] == [
        (events["overdue"].pk, "overdue"),
        (events["postponed"].pk, "postponed"),
        (events["undated"].pk, "undated"),
        (events["upcoming"].pk, "upcoming"),
        (events["held"].pk, "held"),  # 13 days ago; the one of 1 February is not recent
    ]
    assert handout_event_counts(area="16.08", as_of=AS_OF) == {
        "overdue": 1,
        "postponed": 1,
        "undated": 1,
        "upcoming": 1,
        "held": 1,
        "all": 5,
    }


def test_an_event_held_after_the_day_was_still_to_come_on_it(events):
    # On 2 April the hand-out of 3 April was planned for that day, so upcoming; the one of
    # 10 April too; the one of 1 February was held 31 days before, not recently.
    shown = handout_events_shown(area="16.08", as_of=D(2012, 4, 2))
    groups = {e.pk: e.group for e in shown}
    assert groups[events["held"].pk] == "upcoming"
    assert groups[events["overdue"].pk] == "upcoming"
    assert events["held_long_ago"].pk not in groups
    assert handout_event_counts(area="16.08.01", as_of=D(2012, 4, 2))["upcoming"] == 2
