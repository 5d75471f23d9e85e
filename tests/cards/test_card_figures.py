"""The card journey's figures on hand-worked data: every expected number is worked out by hand
in the comments and written as a literal."""

import dataclasses
import datetime as dt

import pytest

from cards.selectors import card_figures, card_figures_by_child, card_series, child_codes
from cards.services.blanko import blanko_transfer_record
from districts.models import Regency
from tests.cards.conftest import row

pytestmark = pytest.mark.django_db

AS_OF = dt.date(2012, 4, 16)
ACEH_SELATAN, ACEH_KEC = "11.01", "11.01.01"
ADDITIVE = [
    "print_ready",
    "duplicates",
    "failed",
    "printed",
    "spoiled",
    "suket_issued",
    "received",
    "handed_out",
    "print_ready_backlog",
    "awaiting_handout",
    "at_kecamatan",
    "blanko_stock",
    "blanko_used_28_days",
    "blanko_needed",
    "suket_outstanding",
]


@pytest.fixture
def journey(receive, save):
    april = lambda day: dt.date(2012, 4, day)  # noqa: E731
    receive("16.08", 1_000, april(1))
    receive("16.09", 3_000, april(1))
    receive(ACEH_SELATAN, 200, april(1))
    receive("16.10", 1_000, april(1))  # Ogan Ilir: more blanko than backlog
    blanko_transfer_record(
        from_regency=Regency.objects.get(code="16.09"),
        to_regency=Regency.objects.get(code="16.08"),
        date=april(10),
        quantity=500,
        user=None,
    )
    save(
        row(
            "16.08",
            april(15),
            print_ready=1_500,
            duplicates=10,
            failed=5,
            printed=800,
            spoiled=20,
            suket_issued=30,
        ),
        row("16.08", april(16), print_ready=200, printed=300, spoiled=0),
        row("16.08", april(17), printed=100),  # after as_of: never counted
        row("16.09", april(16), print_ready=2_600, printed=2_000, spoiled=15, suket_issued=0),
        row(
            ACEH_SELATAN,
            april(16),
            print_ready=400,
            duplicates=2,
            printed=150,
            spoiled=0,
            suket_issued=300,
        ),
        row("16.10", april(16), print_ready=100, printed=50, suket_issued=20),
        row("16.08.01", april(15), received=500, handed_out=100),
        row("16.08.01", april(16), handed_out=50),
        row("16.08.02", april(16), received=300),
        row("16.08.02", april(17), handed_out=300),  # after as_of
        row("16.09.01", april(16), received=1_200, handed_out=0),
        row(ACEH_KEC, april(16), received=150, handed_out=150),
    )


def _figures(area: str) -> dict:
    return dataclasses.asdict(card_figures(area=area, as_of=AS_OF))


def test_a_regency_adds_up_its_reports_and_its_ledger(journey):
    assert _figures("16.08") == {
        "print_ready": 1_700,  # 1.500 + 200
        "duplicates": 10,
        "failed": 5,
        "printed": 1_100,  # 800 + 300
        "spoiled": 20,
        "suket_issued": 30,
        "received": 800,  # 500 + 300 at its kecamatan
        "handed_out": 150,  # 100 + 50
        "print_ready_backlog": 600,  # 1.700 - 1.100
        "awaiting_handout": 950,  # 1.100 - 150
        "at_kecamatan": 650,  # 800 - 150
        "blanko_stock": 380,  # 1.000 + 500 in - 820 - 300 used
        "blanko_used_28_days": 1_120,
        "blanko_daily_use": 40.0,  # 1.120 / 28
        "blanko_days_left": 9,  # 380 / 40 = 9,5
        "blanko_needed": 220,  # 600 - 380
        "suket_outstanding": 30,  # all 30 sukets: 600 records still wait
    }


def test_oku_selatan_has_printed_2000_and_handed_out_none(journey):
    figures = _figures("16.09")

    assert (figures["printed"], figures["handed_out"], figures["awaiting_handout"]) == (
        2_000,
        0,
        2_000,
    )
    assert figures["blanko_stock"] == 485  # 3.000 - 500 lent - 2.015 used
    assert figures["blanko_days_left"] == 6  # 485 × 28 / 2.015 = 6,7
    assert figures["blanko_needed"] == 115  # backlog 600 - 485


def test_a_kecamatan_has_only_its_own_cards(journey):
    assert _figures("16.08.01") == {
        **dict.fromkeys(["print_ready", "duplicates", "failed", "printed", "spoiled"]),
        "suket_issued": None,
        "received": 500,
        "handed_out": 150,
        "print_ready_backlog": None,
        "awaiting_handout": 350,
        "at_kecamatan": 350,
        "blanko_stock": None,
        "blanko_used_28_days": None,
        "blanko_daily_use": None,
        "blanko_days_left": None,
        "blanko_needed": None,
        "suket_outstanding": None,
    }


def test_the_province_and_the_nation_add_up_their_regencies(journey):
    sumsel, nation = _figures("16"), _figures("")

    assert {k: sumsel[k] for k in ("print_ready", "printed", "blanko_stock", "blanko_needed")} == {
        "print_ready": 4_400,  # 1.700 + 2.600 + 100
        "printed": 3_150,
        "blanko_stock": 1_815,  # 380 + 485 + 950
        # 220 + 115 + 0: Ogan Ilir's 900 spare do not print the others' backlog.
        "blanko_needed": 335,
    }
    assert sumsel["blanko_days_left"] == 15  # 1.815 × 28 / 3.185 = 15,96
    assert {
        k: nation[k] for k in ("print_ready", "handed_out", "blanko_stock", "blanko_needed")
    } == {
        "print_ready": 4_800,
        "handed_out": 300,
        "blanko_stock": 1_865,  # 1.815 + 50
        "blanko_needed": 535,  # 335 + Aceh Selatan's 250 - 50
    }


@pytest.mark.parametrize("area", ["", "16", "11", "16.08", "16.09"])
def test_every_parent_is_the_sum_of_its_children(journey, area):
    parent = _figures(area)
    children = [_figures(code) for code in child_codes(area)]
    # Below a regency only the kecamatan's own figures exist.
    fields = ADDITIVE if len(area) < 5 else ["received", "handed_out", "at_kecamatan"]

    assert {f: parent[f] for f in fields} == {f: sum(c[f] for c in children) for f in fields}
    assert parent["received"] > 0


def test_without_printing_in_four_weeks_days_left_is_not_computable(receive):
    receive("16.08", 1_000, dt.date(2012, 3, 1))

    figures = _figures("16.08")

    assert (figures["blanko_stock"], figures["blanko_days_left"]) == (1_000, None)
    assert figures["blanko_daily_use"] == 0


@pytest.mark.parametrize("area", ["", "16", "16.08", "16.08.01"])
def test_figures_take_a_fixed_number_of_queries(journey, area, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        card_figures(area=area, as_of=AS_OF)


def _by_child(area: str) -> dict[str, dict]:
    return {
        code: dataclasses.asdict(figures)
        for code, figures in card_figures_by_child(area=area, as_of=AS_OF).items()
    }


def test_grouped_figures_of_south_sumatras_regencies(journey):
    children = _by_child("16")

    oku_timur, oku_selatan = children["16.08"], children["16.09"]
    assert (oku_timur["print_ready"], oku_timur["printed"], oku_timur["handed_out"]) == (
        1_700,  # 1.500 + 200
        1_100,  # 800 + 300; the 100 of 17 April come after the day
        150,  # 100 + 50 at 16.08.01
    )
    assert (oku_timur["blanko_stock"], oku_timur["blanko_days_left"]) == (380, 9)
    assert oku_timur["blanko_needed"] == 220
    assert (
        oku_selatan["printed"],
        oku_selatan["handed_out"],
        oku_selatan["awaiting_handout"],
    ) == (2_000, 0, 2_000)
    # A regency without any report: zeros, and no days left without printing.
    assert children["16.01"]["printed"] == 0 and children["16.01"]["blanko_days_left"] is None


def test_grouped_figures_of_a_regencys_kecamatan(journey):
    children = _by_child("16.08")

    assert (children["16.08.01"]["received"], children["16.08.01"]["awaiting_handout"]) == (
        500,
        350,  # 500 - 150
    )
    assert children["16.08.02"]["awaiting_handout"] == 300  # its 300 handed out on the 17th
    assert children["16.08.03"]["received"] == 0
    assert children["16.08.01"]["printed"] is None  # a kecamatan does not print


@pytest.mark.parametrize("area", ["", "16", "11", "16.08", "16.09"])
def test_grouped_figures_equal_each_childs_own_and_add_up_to_the_parent(journey, area):
    children = _by_child(area)
    parent = _figures(area)
    fields = ADDITIVE if len(area) < 5 else ["received", "handed_out", "at_kecamatan"]

    assert list(children) == child_codes(area)
    assert children == {code: _figures(code) for code in child_codes(area)}
    assert {f: parent[f] for f in fields} == {
        f: sum(c[f] for c in children.values()) for f in fields
    }


@pytest.mark.parametrize("area, queries", [("", 4), ("16", 4), ("16.08", 2), ("16.08.01", 0)])
def test_grouped_figures_take_a_fixed_number_of_queries(
    journey, area, queries, django_assert_num_queries
):
    with django_assert_num_queries(queries):
        card_figures_by_child(area=area, as_of=AS_OF)


def test_suket_outstanding_is_at_most_the_records_still_waiting(journey):
    # Aceh Selatan issued 300 sukets but only 400 - 150 = 250 records still wait: the cards
    # printed replaced the other 50 (first in, first out).
    assert _figures(ACEH_SELATAN)["suket_outstanding"] == 250
    assert _figures("16.10")["suket_outstanding"] == 20  # 20 sukets, 50 records waiting
    assert _figures("16.09")["suket_outstanding"] == 0  # no suket issued


@pytest.mark.parametrize(
    "area, suket_outstanding, blanko_needed",
    [
        ("16", 50, 335),  # 30 + 0 + 20; 220 + 115 + 0
        ("11", 250, 200),  # Aceh Selatan alone: min(300, 250); 250 - 50
        ("", 300, 535),  # 50 + 250; 335 + 200
    ],
)
def test_suket_outstanding_and_blanko_needed_add_up_per_regency(
    journey, area, suket_outstanding, blanko_needed
):
    parent, children = _figures(area), _by_child(area)

    assert (parent["suket_outstanding"], parent["blanko_needed"]) == (
        suket_outstanding,
        blanko_needed,
    )
    assert sum(c["suket_outstanding"] for c in children.values()) == suket_outstanding
    assert sum(c["blanko_needed"] for c in children.values()) == blanko_needed


def test_suket_outstanding_as_of_an_earlier_day(journey):
    # On 15 April OKU Timur had 1.500 print-ready, 800 printed: its 30 sukets all still out.
    figures = card_figures(area="16.08", as_of=dt.date(2012, 4, 15))
    # Aceh Selatan had not reported yet: nothing issued, nothing outstanding.
    aceh = card_figures(area=ACEH_SELATAN, as_of=dt.date(2012, 4, 15))

    assert (figures.suket_outstanding, aceh.suket_outstanding) == (30, 0)


def test_suket_outstanding_is_never_negative(receive, save):
    # More printed than print-ready (a report catching up on earlier days): nothing waits.
    receive("16.08", 1_000, dt.date(2012, 4, 1))
    save(row("16.08", AS_OF, print_ready=100, printed=150, suket_issued=10))

    assert _figures("16.08")["suket_outstanding"] == 0
    assert _figures("16")["suket_outstanding"] == 0


def _series(area: str, start: dt.date, end: dt.date = AS_OF) -> list[tuple]:
    return [dataclasses.astuple(p) for p in card_series(area=area, start=start, end=end)]


def test_card_series_is_cumulative_per_day_with_earlier_days_at_the_start(journey):
    april = lambda day: dt.date(2012, 4, day)  # noqa: E731
    # (day, print-ready, printed, received, handed out), each added up from the first report.
    assert _series("16.08", april(1)) == [
        (april(15), 1_500, 800, 500, 100),
        (april(16), 1_700, 1_100, 800, 150),  # + 200, + 300, + 300 at .02, + 50
    ]
    # Starting on the 16th, the 15th's reports count in the first point.
    assert _series("16.08", april(16)) == [(april(16), 1_700, 1_100, 800, 150)]
    # The nation on the 16th: 1.700 + 2.600 + 400 + 100 print-ready; 1.100 + 2.000 + 150 + 50
    # printed; 800 + 1.200 + 150 received; 150 + 0 + 150 handed out.
    assert _series("", april(1))[-1] == (april(16), 4_800, 3_300, 2_150, 300)


def test_card_series_stops_at_its_last_day(journey):
    april = lambda day: dt.date(2012, 4, day)  # noqa: E731

    assert _series("16.08", april(1), end=april(15)) == [(april(15), 1_500, 800, 500, 100)]
    # The 17th's 100 printed and 300 handed out come in only when the series runs to the 17th.
    assert _series("16.08", april(1), end=april(17))[-1] == (april(17), 1_700, 1_200, 800, 450)


def test_a_kecamatans_series_has_no_print_figures(journey):
    april = lambda day: dt.date(2012, 4, day)  # noqa: E731

    assert _series("16.08.01", april(1)) == [
        (april(15), 0, 0, 500, 100),
        (april(16), 0, 0, 500, 150),
    ]


@pytest.mark.parametrize("area", ["", "16", "16.08", "16.08.01"])
def test_card_series_takes_one_query(journey, area, django_assert_num_queries):
    with django_assert_num_queries(1):
        card_series(area=area, start=dt.date(2012, 4, 1), end=AS_OF)
