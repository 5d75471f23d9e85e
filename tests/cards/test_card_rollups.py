"""The card report totals per regency and day and per regency and month stay equal to the
reports after every kind of write; the expected totals are written out by hand."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from cards.models import CardReport, RegencyCardDailyTotal, RegencyCardMonthlyTotal
from cards.selectors import card_figures, card_series
from cards.services.rollups import card_rollup_differences, card_rollups_refresh
from tests.cards.conftest import row
from tests.cards.rollup_sums import raw_sums, stored_sums

pytestmark = pytest.mark.django_db

MARCH_31, APRIL_1, APRIL_2 = dt.date(2012, 3, 31), dt.date(2012, 4, 1), dt.date(2012, 4, 2)
MARCH, APRIL = dt.date(2012, 3, 1), dt.date(2012, 4, 1)


def _days(regency="16.08") -> dict[dt.date, tuple]:
    days, _months = stored_sums()
    return {day: values for (code, day), values in days.items() if code == regency}


def _months(regency="16.08") -> dict[dt.date, tuple]:
    _days, months = stored_sums()
    return {month: values for (code, month), values in months.items() if code == regency}


@pytest.fixture
def reported(receive, save):
    """OKU Timur's print office and two of its kecamatan on both sides of a month's end."""
    receive("16.08", 5_000, dt.date(2012, 3, 1))
    save(
        row("16.08", MARCH_31, print_ready=900, duplicates=4, failed=2, printed=600, spoiled=6),
        row("16.08", APRIL_1, line=2, print_ready=300, printed=250, suket_issued=40),
        row("16.08.01", MARCH_31, line=3, received=200, handed_out=50),
        row("16.08.01", APRIL_1, line=4, received=100, handed_out=120),
        row("16.08.02", APRIL_1, line=5, received=150),
    )


def test_a_saved_batch_fills_the_day_and_month_totals(reported):
    assert _days() == {
        MARCH_31: (900, 4, 2, 600, 6, 0, 200, 50, 2),
        # 100 + 150 received, 120 handed out; three reports (the office and two kecamatan)
        APRIL_1: (300, 0, 0, 250, 0, 40, 250, 120, 3),
    }
    assert _months() == {
        MARCH: (900, 4, 2, 600, 6, 0, 200, 50, 2),
        APRIL: (300, 0, 0, 250, 0, 40, 250, 120, 3),
    }
    assert stored_sums() == raw_sums()


def test_an_edit_moves_the_totals_and_a_cleared_figure_leaves_them(reported, save):
    save(
        row("16.08", APRIL_1, print_ready=350, printed=250),  # suket cleared to blank
        row("16.08.01", APRIL_1, line=2, received=100, handed_out=60),
    )
    # print-ready 300 → 350, suket 40 → blank (0), handed out 120 → 60; still three reports
    assert _days()[APRIL_1] == (350, 0, 0, 250, 0, 0, 250, 60, 3)
    assert _months()[APRIL] == (350, 0, 0, 250, 0, 0, 250, 60, 3)
    assert _months()[MARCH] == (900, 4, 2, 600, 6, 0, 200, 50, 2)
    assert stored_sums() == raw_sums()


def test_a_back_dated_report_lands_in_its_own_day_and_month(reported, save):
    save(row("16.08.03", dt.date(2012, 3, 5), received=70, handed_out=10))
    assert _days()[dt.date(2012, 3, 5)] == (0, 0, 0, 0, 0, 0, 70, 10, 1)
    # March: 200 + 70 received, 50 + 10 handed out, three reports
    assert _months()[MARCH] == (900, 4, 2, 600, 6, 0, 270, 60, 3)
    assert stored_sums() == raw_sums()


def test_the_dashboards_add_whole_months_and_the_days_across_a_months_end(reported):
    def four(figures):
        return (figures.print_ready, figures.printed, figures.received, figures.handed_out)

    # 900 + 300 print-ready, 600 + 250 printed; 200 + 250 received, 50 + 120 handed out
    assert four(card_figures(area="", as_of=APRIL_1)) == (1_200, 850, 450, 170)
    assert four(card_figures(area="16", as_of=MARCH_31)) == (900, 600, 200, 50)
    # Starting on 2 April, everything before counts in the first point.
    points = card_series(area="16", start=APRIL_2, end=APRIL_2)
    assert [(p.date, p.print_ready, p.printed, p.received, p.handed_out) for p in points] == [
        (APRIL_2, 1_200, 850, 450, 170)
    ]
    points = card_series(area="", start=MARCH_31, end=APRIL_2)
    assert [(p.date, p.print_ready, p.handed_out) for p in points] == [
        (MARCH_31, 900, 50),
        (APRIL_1, 1_200, 170),
    ]


def test_single_orm_writes_keep_the_totals(db):
    report = CardReport.objects.create(sub_district_id="16.08.01", date=APRIL_1, received=30)
    assert _days() == {APRIL_1: (0, 0, 0, 0, 0, 0, 30, 0, 1)}
    report.received, report.handed_out = 20, 5
    report.save()
    assert _months() == {APRIL: (0, 0, 0, 0, 0, 0, 20, 5, 1)}
    report.delete()
    assert _days() == {} and _months() == {}


def test_the_command_finds_and_repairs_a_wrong_total(reported):
    RegencyCardDailyTotal.objects.filter(regency="16.08", date=APRIL_1).update(printed=1)
    RegencyCardMonthlyTotal.objects.filter(regency="16.08", month=MARCH).delete()
    out = io.StringIO()
    with pytest.raises(CommandError, match="2 selisih"):
        call_command("card_rollups_refresh", "--check", stdout=out)
    assert "cards_regencycarddailytotal 16.08 2012-04-01" in out.getvalue()
    call_command("card_rollups_refresh", stdout=io.StringIO())
    assert list(card_rollup_differences()) == []
    assert _days()[APRIL_1] == (300, 0, 0, 250, 0, 40, 250, 120, 3)
    assert _months()[MARCH] == (900, 4, 2, 600, 6, 0, 200, 50, 2)


def test_a_refresh_of_one_regency_leaves_the_others(reported, receive, save):
    receive("16.09", 1_000, MARCH_31)
    save(row("16.09", APRIL_1, print_ready=10, printed=10))
    RegencyCardDailyTotal.objects.filter(regency="16.08").update(printed=0)
    card_rollups_refresh(["16.09"])
    assert _days("16.09") == {APRIL_1: (10, 0, 0, 10, 0, 0, 0, 0, 1)}
    assert _days()[APRIL_1][3] == 0  # not refreshed
    card_rollups_refresh(["16.08"])
    assert stored_sums() == raw_sums()
