"""Writes of the blanko ledger: receipts, transfers between regencies, stock-take corrections
and the reorder point. A day's use is written by the card report's save (`reports.py`).

Every movement locks the regency's `BlankoStock` row first, checks that no day's balance
from the movement's day on would go below zero, then writes the movement and the new stock
in the same transaction. Only admins of the regency (or of a province or the nation above it)
manage the ledger.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext

from cards.choices import MovementKind
from cards.models import BlankoMovement, BlankoStock, BlankoTransfer, ReorderPointChange
from cards.services.access import area_require, user_or_none
from cards.services.balances import balances_after, lowest_from
from common.days import format_day
from common.formatting import fmt_int
from districts.models import Regency

LEDGER_PERMISSION = "cards.add_blankomovement"


class BlankoRefused(ValidationError):
    """A movement that may not be written; the message says why, with the figures."""


def stocks_locked(regency_codes: set[str]) -> dict[str, BlankoStock]:
    """The regencies' stock rows, created when missing and locked until the transaction ends.

    Locked in code order, so two writers that need the same regencies never wait on each
    other in a circle.
    """
    codes = sorted(regency_codes)
    BlankoStock.objects.bulk_create(
        [BlankoStock(regency_id=code) for code in codes], ignore_conflicts=True
    )
    locked = BlankoStock.objects.select_for_update().filter(regency__in=codes).order_by("pk")
    return {stock.regency_id: stock for stock in locked}


def blanko_balances(
    changes: dict[tuple[str, dt.date], int],
) -> dict[str, list[tuple[dt.date, int]]]:
    """Each changed regency's end-of-day stock from its first changed day on, with `changes`
    (regency, day → quantity added, negative for blanko going out) applied. One query."""
    day_sums = (
        BlankoMovement.objects.filter(regency__in={regency for regency, _day in changes})
        .values("regency", "date")
        .annotate(net=Sum("quantity"))
        .values_list("regency", "date", "net")
        .order_by()
    )
    return balances_after(day_sums, changes)


def apply_stock_changes(stocks: dict[str, BlankoStock], deltas: dict[str, int]) -> None:
    """Move the locked stock rows by `deltas` (regency → quantity)."""
    now = timezone.now()
    changed = []
    for regency, delta in deltas.items():
        if delta:
            stock = stocks[regency]
            stock.stock += delta
            stock.updated_at = now
            changed.append(stock)
    BlankoStock.objects.bulk_update(changed, ["stock", "updated_at"])


def _day_rule(date: dt.date, today: dt.date | None) -> None:
    today = today or timezone.localdate()
    if date > today:
        raise BlankoRefused(
            gettext("Tanggal %(day)s belum terjadi (hari ini %(today)s).")
            % {"day": format_day(date), "today": format_day(today)}
        )


def _quantity_rule(quantity: int) -> None:
    if quantity <= 0:
        raise BlankoRefused(
            gettext("Jumlah blanko %(quantity)s; harus lebih dari 0.")
            % {"quantity": fmt_int(quantity)}
        )


def _outgoing_rule(regency: Regency, date: dt.date, quantity: int, message: str) -> None:
    """Refuse `quantity` (negative) going out on `date` if any day's stock from then on would
    go below zero; `message` names the stock, the day and the quantity."""
    balances = blanko_balances({(regency.code, date): quantity})[regency.code]
    day, balance = lowest_from(balances, date)
    if balance < 0:
        raise BlankoRefused(
            message
            % {
                "regency": regency.name,
                "stock": fmt_int(balance - quantity),
                "day": format_day(day),
                "quantity": fmt_int(-quantity),
            }
        )


def _movement_write(stocks, *, regency, date, kind, quantity, user, **fields) -> BlankoMovement:
    movement = BlankoMovement(
        regency=regency,
        date=date,
        kind=kind,
        quantity=quantity,
        created_by=user_or_none(user),
        **fields,
    )
    movement.full_clean()
    movement.save()
    apply_stock_changes(stocks, {regency.code: quantity})
    return movement


def blanko_receipt_record(
    *,
    regency: Regency,
    date: dt.date,
    quantity: int,
    reference: str,
    user,
    today: dt.date | None = None,
) -> BlankoMovement:
    """Blanko received from the ministry, with the reference of its letter."""
    area_require(user, LEDGER_PERMISSION, regency.code)
    _day_rule(date, today)
    _quantity_rule(quantity)
    reference = reference.strip()
    if not reference:
        raise BlankoRefused(gettext("Tulis nomor surat pengiriman blanko dari Kemendagri."))
    with transaction.atomic():
        stocks = stocks_locked({regency.code})
        return _movement_write(
            stocks,
            regency=regency,
            date=date,
            kind=MovementKind.RECEIPT,
            quantity=quantity,
            reference=reference,
            user=user,
        )


def blanko_transfer_record(
    *,
    from_regency: Regency,
    to_regency: Regency,
    date: dt.date,
    quantity: int,
    reference: str = "",
    user,
    today: dt.date | None = None,
) -> BlankoTransfer:
    """Blanko lent by one regency to another: the transfer and both its movements, in one
    transaction, or nothing. The user must manage both regencies' ledgers (a province's admin
    lends between its regencies)."""
    area_require(user, LEDGER_PERMISSION, from_regency.code, to_regency.code)
    _day_rule(date, today)
    _quantity_rule(quantity)
    if from_regency.code == to_regency.code:
        raise BlankoRefused(gettext("Blanko hanya dapat dipindahkan ke kabupaten/kota lain."))
    with transaction.atomic():
        stocks = stocks_locked({from_regency.code, to_regency.code})
        _outgoing_rule(
            from_regency,
            date,
            -quantity,
            gettext(
                "Blanko %(regency)s tidak cukup: stok %(stock)s pada %(day)s, dipindahkan "
                "%(quantity)s."
            ),
        )
        transfer = BlankoTransfer(
            from_regency=from_regency,
            to_regency=to_regency,
            date=date,
            quantity=quantity,
            reference=reference.strip(),
            created_by=user_or_none(user),
        )
        transfer.full_clean()
        transfer.save()
        for regency, kind, signed in (
            (from_regency, MovementKind.TRANSFER_OUT, -quantity),
            (to_regency, MovementKind.TRANSFER_IN, quantity),
        ):
            _movement_write(
                stocks,
                regency=regency,
                date=date,
                kind=kind,
                quantity=signed,
                reference=transfer.reference,
                transfer=transfer,
                user=user,
            )
        return transfer


def blanko_correction_record(
    *,
    regency: Regency,
    date: dt.date,
    quantity: int,
    reason: str,
    user,
    today: dt.date | None = None,
) -> BlankoMovement:
    """A stock-take correction, signed (+ found, − missing), with the reason written out."""
    area_require(user, LEDGER_PERMISSION, regency.code)
    _day_rule(date, today)
    reason = reason.strip()
    if not reason:
        raise BlankoRefused(gettext("Tulis alasan koreksi stok (hasil stok opname)."))
    if quantity == 0:
        raise BlankoRefused(gettext("Koreksi 0 tidak mengubah stok; tulis selisihnya."))
    with transaction.atomic():
        stocks = stocks_locked({regency.code})
        if quantity < 0:
            _outgoing_rule(
                regency,
                date,
                quantity,
                gettext(
                    "Koreksi membuat stok blanko %(regency)s negatif: stok %(stock)s pada "
                    "%(day)s, dikurangi %(quantity)s."
                ),
            )
        return _movement_write(
            stocks,
            regency=regency,
            date=date,
            kind=MovementKind.CORRECTION,
            quantity=quantity,
            reason=reason,
            user=user,
        )


def blanko_reorder_point_set(*, regency: Regency, reorder_point: int | None, user) -> BlankoStock:
    """The stock at which the regency asks the ministry (or the province) for more blanko;
    each change is kept (`ReorderPointChange`)."""
    area_require(user, "cards.change_blankostock", regency.code)
    if reorder_point is not None and reorder_point < 0:
        raise BlankoRefused(gettext("Batas minta tambahan tidak boleh negatif."))
    with transaction.atomic():
        stock = stocks_locked({regency.code})[regency.code]
        if stock.reorder_point == reorder_point:
            return stock
        now = timezone.now()
        ReorderPointChange.objects.create(
            regency=regency,
            old_value=stock.reorder_point,
            new_value=reorder_point,
            changed_by=user_or_none(user),
            changed_at=now,
        )
        stock.reorder_point = reorder_point
        stock.updated_at = now
        stock.save(update_fields=["reorder_point", "updated_at"])
        return stock
