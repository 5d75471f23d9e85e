import datetime as dt

import pytest
from django.db import IntegrityError, transaction
from django.db.models import Sum

from cards.models import BlankoMovement, BlankoStock, BlankoTransfer, ReorderPointChange
from cards.services.access import CardsForbidden
from cards.services.blanko import (
    BlankoRefused,
    blanko_correction_record,
    blanko_receipt_record,
    blanko_reorder_point_set,
    blanko_transfer_record,
)
from districts.models import Regency
from tests.cards.conftest import DAY, row
from tests.conftest import OKU_SELATAN, OKU_TIMUR

pytestmark = pytest.mark.django_db


def _regency(code: str) -> Regency:
    return Regency.objects.get(code=code)


def _stocks() -> dict[str, int]:
    return dict(BlankoStock.objects.values_list("regency", "stock"))


def _transfer(quantity: int, date: dt.date = DAY, user=None):
    return blanko_transfer_record(
        from_regency=_regency(OKU_TIMUR),
        to_regency=_regency(OKU_SELATAN),
        date=date,
        quantity=quantity,
        reference="Surat Gubernur 470/88",
        user=user,
    )


def test_a_receipt_needs_its_reference_and_a_positive_quantity(receive):
    for quantity, reference in ((0, "470/1"), (-5, "470/1"), (100, "  ")):
        with pytest.raises(BlankoRefused):
            blanko_receipt_record(
                regency=_regency(OKU_TIMUR),
                date=DAY,
                quantity=quantity,
                reference=reference,
                user=None,
            )

    receive(quantity=2_000)

    assert _stocks() == {OKU_TIMUR: 2_000}


def test_a_transfer_writes_both_sides_linked_in_one_go(receive):
    receive(quantity=1_000)

    transfer = _transfer(300)

    out, into = transfer.movements.order_by("quantity")
    assert (out.regency_id, out.kind, out.quantity) == (OKU_TIMUR, "transfer_out", -300)
    assert (into.regency_id, into.kind, into.quantity) == (OKU_SELATAN, "transfer_in", 300)
    assert _stocks() == {OKU_TIMUR: 700, OKU_SELATAN: 300}


def test_a_transfer_beyond_the_senders_stock_is_refused_with_nothing_written(receive):
    receive(quantity=1_000)

    with pytest.raises(BlankoRefused) as refused:
        _transfer(1_001)

    assert refused.value.messages == [
        "Blanko Kabupaten Ogan Komering Ulu Timur tidak cukup: stok 1.000 pada 16 Apr 2012, "
        "dipindahkan 1.001."
    ]
    assert not BlankoTransfer.objects.exists()
    assert BlankoMovement.objects.count() == 1
    assert _stocks() == {OKU_TIMUR: 1_000}


def test_a_backdated_transfer_that_leaves_a_later_day_short_is_refused(receive, save):
    receive(quantity=1_000, date=dt.date(2012, 4, 1))
    save(row(OKU_TIMUR, printed=800))

    # On 10 April the stock was still 1.000, but after the 16th's printing only 200 are left.
    with pytest.raises(BlankoRefused) as refused:
        _transfer(300, date=dt.date(2012, 4, 10))

    assert "stok 200 pada 16 Apr 2012, dipindahkan 300" in refused.value.messages[0]
    assert _stocks()[OKU_TIMUR] == 200


def test_a_correction_needs_a_reason_and_never_makes_the_stock_negative(receive):
    receive(quantity=100)
    timur = _regency(OKU_TIMUR)
    with pytest.raises(BlankoRefused) as no_reason:
        blanko_correction_record(regency=timur, date=DAY, quantity=-5, reason=" ", user=None)
    with pytest.raises(BlankoRefused) as too_much:
        blanko_correction_record(regency=timur, date=DAY, quantity=-101, reason="Hilang", user=None)

    blanko_correction_record(
        regency=timur, date=DAY, quantity=-100, reason="Rusak kena air", user=None
    )

    assert no_reason.value.messages == ["Tulis alasan koreksi stok (hasil stok opname)."]
    assert "stok 100 pada 16 Apr 2012, dikurangi 101" in too_much.value.messages[0]
    assert _stocks() == {OKU_TIMUR: 0}


def test_the_database_never_holds_a_negative_stock_or_a_movement_against_its_kind(receive):
    receive(quantity=10)
    with pytest.raises(IntegrityError), transaction.atomic():
        BlankoStock.objects.filter(regency=OKU_TIMUR).update(stock=-1)
    for fields in (
        {"kind": "receipt", "quantity": 5},  # no reference
        {"kind": "receipt", "quantity": -5, "reference": "x"},
        {"kind": "correction", "quantity": -5},  # no reason
        {"kind": "transfer_in", "quantity": 5},  # no transfer
        {"kind": "use", "quantity": -5},  # no report
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            BlankoMovement.objects.create(regency_id=OKU_TIMUR, date=DAY, **fields)


def test_the_stock_row_equals_the_sum_of_the_ledger_after_every_kind_of_movement(receive, save):
    receive(quantity=1_000, date=dt.date(2012, 4, 1))
    receive(code=OKU_SELATAN, quantity=500, date=dt.date(2012, 4, 2))
    _transfer(250, date=dt.date(2012, 4, 3))
    save(row(OKU_TIMUR, printed=600, spoiled=10), row(OKU_SELATAN, printed=700, spoiled=3))
    save(row(OKU_TIMUR, printed=700, spoiled=40))
    blanko_correction_record(
        regency=_regency(OKU_SELATAN),
        date=DAY,
        quantity=-7,
        reason="Selisih stok opname",
        user=None,
    )

    ledger = dict(
        BlankoMovement.objects.values("regency")
        .annotate(s=Sum("quantity"))
        .values_list("regency", "s")
    )
    assert ledger == _stocks() == {OKU_TIMUR: 10, OKU_SELATAN: 40}


def test_only_admins_of_the_regency_manage_its_ledger(
    receive, operator_oku_timur, admin_oku_timur, make_user
):
    receive(quantity=1_000)
    timur = _regency(OKU_TIMUR)
    with pytest.raises(CardsForbidden):
        blanko_receipt_record(
            regency=timur, date=DAY, quantity=10, reference="470/2", user=operator_oku_timur
        )
    with pytest.raises(CardsForbidden):
        _transfer(10, user=admin_oku_timur)  # the receiving regency is not theirs

    blanko_receipt_record(
        regency=timur, date=DAY, quantity=10, reference="470/2", user=admin_oku_timur
    )
    province_admin = make_user("admin_sumsel", "admin", "16", is_staff=True)
    _transfer(10, user=province_admin)

    assert _stocks() == {OKU_TIMUR: 1_000, OKU_SELATAN: 10}
    assert BlankoMovement.objects.filter(created_by=admin_oku_timur).count() == 1


def test_the_reorder_point_is_set_by_an_admin_of_the_regency(admin_oku_timur, operator_oku_timur):
    with pytest.raises(CardsForbidden):
        blanko_reorder_point_set(
            regency=_regency(OKU_TIMUR), reorder_point=1_000, user=operator_oku_timur
        )

    blanko_reorder_point_set(regency=_regency(OKU_TIMUR), reorder_point=1_000, user=admin_oku_timur)

    assert BlankoStock.objects.get(regency=OKU_TIMUR).reorder_point == 1_000


def test_each_change_of_the_reorder_point_is_kept_with_who_and_what_it_was(admin_oku_timur):
    regency = _regency(OKU_TIMUR)
    blanko_reorder_point_set(regency=regency, reorder_point=1_000, user=admin_oku_timur)
    blanko_reorder_point_set(regency=regency, reorder_point=1_000, user=admin_oku_timur)
    blanko_reorder_point_set(regency=regency, reorder_point=2_000, user=admin_oku_timur)
    blanko_reorder_point_set(regency=regency, reorder_point=None, user=admin_oku_timur)

    changes = ReorderPointChange.objects.filter(regency=OKU_TIMUR).order_by("id")
    # The second call changed nothing and is not a change.
    assert [(c.old_value, c.new_value) for c in changes] == [
        (None, 1_000),
        (1_000, 2_000),
        (2_000, None),
    ]
    assert {c.changed_by for c in changes} == {admin_oku_timur}
    assert BlankoStock.objects.get(regency=OKU_TIMUR).reorder_point is None
