import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from cards.models import BlankoMovement, BlankoStock, CardReport, CardReportRevision
from cards.services.reports import CardReportsRejected, ReportRow, card_reports_save
from districts.choices import Role
from districts.models import Campaign
from recording.models import EntrySource
from tests.cards.conftest import DAY, KEC, row
from tests.conftest import OKU_SELATAN, OKU_TIMUR

pytestmark = pytest.mark.django_db


def _refused(*rows, user=None) -> list[str]:
    with pytest.raises(CardReportsRejected) as refused:
        card_reports_save(rows=list(rows), user=user)
    return [str(problem) for problem in refused.value.check.errors]


def _stock(code: str = OKU_TIMUR) -> int:
    return BlankoStock.objects.get(regency=code).stock


def test_printing_beyond_the_stock_is_refused_with_the_figures_and_nothing_written(receive):
    receive(quantity=1_200)

    errors = _refused(row(OKU_TIMUR, printed=1_500, spoiled=20, print_ready=2_000))

    assert errors == [
        "Baris 1, kolom printed: Blanko tidak cukup: stok 1.200, dicetak 1.500 + rusak 20."
    ]
    assert not CardReport.objects.exists()
    assert not BlankoMovement.objects.filter(kind="use").exists()
    assert _stock() == 1_200


def test_printing_within_the_stock_writes_the_report_its_use_and_the_new_stock(receive, save):
    receive(quantity=1_200)

    check = save(row(OKU_TIMUR, print_ready=1_300, printed=1_000, spoiled=20))

    assert check.created == 1
    report = CardReport.objects.get(regency=OKU_TIMUR, date=DAY)
    assert (report.print_ready, report.printed, report.spoiled, report.received) == (
        1_300,
        1_000,
        20,
        None,
    )
    assert report.blanko_use.quantity == -1_020
    assert _stock() == 180


def test_an_edit_of_the_use_moves_the_stock_and_keeps_one_movement_per_day(receive, save):
    receive(quantity=1_200)
    save(row(OKU_TIMUR, printed=1_000, spoiled=20))

    save(row(OKU_TIMUR, printed=900, spoiled=0))

    assert list(BlankoMovement.objects.filter(kind="use").values_list("quantity", flat=True)) == [
        -900
    ]
    assert _stock() == 300


def test_printing_on_a_past_day_that_leaves_a_later_day_short_is_refused(receive, save):
    receive(quantity=1_000)
    save(row(OKU_TIMUR, date=DAY, printed=600))

    # 500 more on an earlier day fits that day's stock (1.000) but leaves 16 April at -100.
    errors = _refused(row(OKU_TIMUR, date=DAY - dt.timedelta(days=2), printed=500, line=7))

    assert errors == [
        "Baris 7, kolom printed: Blanko tidak cukup: dicetak 500 + rusak 0 pada 14 Apr 2012 "
        "membuat stok pada 16 Apr 2012 menjadi -100."
    ]
    assert CardReport.objects.count() == 1
    assert _stock() == 400


def test_printing_before_any_blanko_arrived_is_refused(receive):
    receive(quantity=1_000, date=dt.date(2012, 4, 10))

    errors = _refused(row(OKU_TIMUR, date=dt.date(2012, 4, 9), printed=10))

    assert errors == ["Baris 1, kolom printed: Blanko tidak cukup: stok 0, dicetak 10 + rusak 0."]


def test_handing_out_beyond_the_cards_at_the_kecamatan_is_refused_with_nothing_written(save):
    save(row(KEC, date=DAY - dt.timedelta(days=1), received=400, handed_out=100))

    errors = _refused(row(KEC, received=0, handed_out=301), row(OKU_TIMUR, print_ready=5, line=2))

    assert errors == [
        "Baris 1, kolom handed_out: Kartu di 16.08.01 Martapura tidak cukup: tersedia 300 "
        "(diterima dikurangi yang sudah dibagikan), dibagikan 301."
    ]
    assert CardReport.objects.count() == 1


def test_an_edit_of_a_past_day_that_leaves_a_later_day_negative_is_refused(save):
    save(
        row(KEC, date=DAY - dt.timedelta(days=2), received=400),
        row(KEC, date=DAY, handed_out=400),
    )

    # Only 300 received on the 14th: the 16th's hand-out of 400 would then be 100 short.
    errors = _refused(row(KEC, date=DAY - dt.timedelta(days=2), received=300, line=3))

    assert errors == [
        "Baris 3, kolom handed_out: Kartu di 16.08.01 Martapura tidak cukup: dibagikan 0 pada "
        "14 Apr 2012 membuat kartu tersedia pada 16 Apr 2012 menjadi -100."
    ]
    assert CardReport.objects.get(sub_district=KEC, date=DAY - dt.timedelta(days=2)).received == 400


def test_each_level_fills_only_its_own_columns():
    errors = _refused(
        row(OKU_TIMUR, printed=0, received=10, line=2),
        row(KEC, handed_out=0, print_ready=5, line=3),
    )

    assert errors == [
        "Baris 2, kolom received: 16.08 Kabupaten Ogan Komering Ulu Timur adalah "
        "kabupaten/kota; kolom received diisi kecamatan.",
        "Baris 3, kolom print_ready: 16.08.01 Martapura adalah kecamatan; kolom print_ready "
        "diisi kabupaten/kota (kantor percetakan Dukcapil).",
    ]


def test_the_database_refuses_a_figure_on_the_wrong_level_or_a_negative_one():
    for fields in (
        {"regency_id": OKU_TIMUR, "received": 1},
        {"sub_district_id": KEC, "printed": 1},
        {"sub_district_id": KEC, "handed_out": -1},
        {"regency_id": OKU_TIMUR, "sub_district_id": KEC},
        {},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            CardReport.objects.create(date=DAY, **fields)


def test_negative_figures_a_future_day_and_a_day_before_the_campaign_are_refused():
    Campaign.objects.create(
        regency_id=OKU_TIMUR, name="Uji", starts_on=dt.date(2011, 10, 1), deadline=DAY
    )
    tomorrow = dt.date.today() + dt.timedelta(days=1)

    errors = _refused(
        row(OKU_TIMUR, failed=-3, line=2),
        row(KEC, date=tomorrow, received=1, line=3),
        row(KEC, date=dt.date(2011, 9, 30), received=1, line=4),
    )

    assert errors[0] == (
        "Baris 2, kolom failed: 16.08 Kabupaten Ogan Komering Ulu Timur: -3 negatif; angka "
        "tidak boleh kurang dari 0."
    )
    assert errors[1].startswith("Baris 3, kolom date: 16.08.01 Martapura: tanggal ")
    assert "belum terjadi" in errors[1]
    assert errors[2] == (
        "Baris 4, kolom date: 16.08.01 Martapura: perekaman di wilayah ini baru dimulai "
        "1 Okt 2011; tanggal 30 Sep 2011 terlalu awal."
    )


def test_a_second_report_for_the_same_area_and_day_in_one_batch_is_refused():
    errors = _refused(row(KEC, received=1, line=2), row(KEC, received=2, line=5))

    assert errors == [
        "Baris 5, kolom area: 16.08.01 Martapura tanggal 16 Apr 2012 sudah ada di baris 2; satu "
        "wilayah hanya satu laporan per hari."
    ]


@pytest.mark.parametrize(
    ("persona", "area", "allowed"),
    [
        ("op_timur", OKU_TIMUR, True),
        ("op_timur", KEC, True),
        ("op_kec", KEC, True),
        ("op_kec", OKU_TIMUR, False),
        ("op_kec", "16.08.02", False),
        ("op_selatan", OKU_TIMUR, False),
        ("op_selatan", KEC, False),
        ("viewer", KEC, False),
    ],
)
def test_only_users_whose_area_covers_the_area_may_write(make_user, persona, area, allowed):
    user = {
        "op_timur": lambda: make_user("op_timur", Role.OPERATOR, OKU_TIMUR),
        "op_kec": lambda: make_user("op_kec", Role.OPERATOR, KEC),
        "op_selatan": lambda: make_user("op_selatan", Role.OPERATOR, OKU_SELATAN),
        "viewer": lambda: make_user("viewer", Role.VIEWER, "16"),
    }[persona]()
    report = row(area, print_ready=1) if area == OKU_TIMUR else row(area, received=1)

    if allowed:
        card_reports_save(rows=[report], user=user)
        assert CardReport.objects.count() == 1
    else:
        errors = _refused(report, user=user)
        assert len(errors) == 1
        assert "di luar wilayah kerja Anda" in errors[0]
        assert not CardReport.objects.exists()


def test_every_write_is_kept_with_old_and_new_values_who_and_how(operator_oku_timur, receive):
    receive(quantity=100)
    card_reports_save(rows=[row(OKU_TIMUR, printed=10)], user=operator_oku_timur)
    card_reports_save(
        rows=[row(OKU_TIMUR, printed=12, spoiled=1)],
        user=operator_oku_timur,
        source=EntrySource.IMPORT,
    )

    created, changed = CardReportRevision.objects.order_by("id")
    empty = dict.fromkeys(["print_ready", "duplicates", "failed", "suket_issued"])
    assert created.old_values is None
    assert created.new_values == {**empty, "printed": 10, "spoiled": None}
    assert created.source == EntrySource.FORM
    assert changed.old_values == {**empty, "printed": 10, "spoiled": None}
    assert changed.new_values == {**empty, "printed": 12, "spoiled": 1}
    assert (changed.changed_by, changed.source) == (operator_oku_timur, EntrySource.IMPORT)
    report = CardReport.objects.get()
    assert (report.version, report.entered_by) == (2, operator_oku_timur)


def test_a_row_saved_again_unchanged_writes_nothing(save):
    save(row(KEC, received=5))

    check = save(row(KEC, received=5))

    assert (check.created, check.updated, check.unchanged) == (0, 0, 1)
    assert CardReportRevision.objects.count() == 1


def test_a_report_changed_since_the_form_was_opened_is_not_overwritten(save):
    save(row(KEC, received=5))
    stale = row(KEC, received=9)
    stale.seen_version = 0

    errors = _refused(stale)

    assert "sudah diubah orang lain" in errors[0]
    assert CardReport.objects.get().received == 5


def test_rows_are_checked_and_written_in_a_bounded_number_of_queries(
    receive, save, django_assert_max_num_queries
):
    receive(quantity=10_000)
    rows = [row(OKU_TIMUR, date=DAY - dt.timedelta(days=n), printed=10) for n in range(10)]
    rows += [row(f"16.08.0{n}", received=5, handed_out=1) for n in range(1, 10)]

    with django_assert_max_num_queries(40):
        save(*rows)

    assert ReportRow and CardReport.objects.count() == 19
    assert _stock() == 10_000 - 100
