"""A regency's blanko ledger (admins): stock, reorder point, recent movements, and the forms for
a receipt, a transfer, a stock-take correction and the reorder point, each through its service."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from cards.forms import (
    BlankoCorrectionForm,
    BlankoReceiptForm,
    BlankoReorderForm,
    BlankoTransferForm,
)
from cards.models import BlankoMovement, BlankoStock, ReorderPointChange
from cards.selectors import card_figures
from cards.services.blanko import (
    LEDGER_PERMISSION,
    blanko_correction_record,
    blanko_receipt_record,
    blanko_reorder_point_set,
    blanko_transfer_record,
)
from cards.views.access import REGENCY, area_for_page, area_picker
from common.formatting import fmt_int
from districts.models import Regency
from districts.selectors import user_scope

RECENT_MOVEMENTS = 30
ACTIONS = ("receipt", "transfer", "correction", "reorder")


def _forms(data, action: str, *, regency, scope) -> dict:
    """Every form of the page; only the posted one is bound."""
    others = Regency.objects.filter(scope.filter_q("code")).exclude(code=regency.code)

    def bound(name):
        return data if name == action else None

    return {
        "receipt": BlankoReceiptForm(bound("receipt"), prefix="receipt"),
        "transfer": BlankoTransferForm(
            bound("transfer"), prefix="transfer", regencies=others.order_by("code")
        ),
        "correction": BlankoCorrectionForm(bound("correction"), prefix="correction"),
        "reorder": BlankoReorderForm(bound("reorder"), prefix="reorder"),
    }


def _record(action: str, form, *, regency, user) -> str:
    """Call the action's service; the success message."""
    data = form.cleaned_data
    if action == "receipt":
        blanko_receipt_record(regency=regency, user=user, **data)
        return _("Penerimaan %(quantity)s blanko dicatat.") % {
            "quantity": fmt_int(data["quantity"])
        }
    if action == "transfer":
        to_regency = Regency.objects.get(code=data.pop("to_regency"))
        blanko_transfer_record(from_regency=regency, to_regency=to_regency, user=user, **data)
        return _("%(quantity)s blanko dipindahkan ke %(regency)s.") % {
            "quantity": fmt_int(data["quantity"]),
            "regency": to_regency.name,
        }
    if action == "correction":
        blanko_correction_record(regency=regency, user=user, **data)
        return _("Koreksi stok %(quantity)s dicatat.") % {"quantity": fmt_int(data["quantity"])}
    blanko_reorder_point_set(regency=regency, reorder_point=data["reorder_point"], user=user)
    return _("Batas minta tambahan disimpan.")


@login_required
@permission_required(LEDGER_PERMISSION, raise_exception=True)
def blanko_ledger(request):
    scope = user_scope(request.user)
    code = request.GET.get("area", "")
    regency = area_for_page(request.user, code, scope=scope, levels=(REGENCY,))
    if regency is None:
        return area_picker(request, scope=scope, title=_("Buku blanko"), url_name="blanko_ledger")
    url = f"{reverse('blanko_ledger')}?area={regency.code}"
    action = request.POST.get("action", "") if request.method == "POST" else ""
    forms = _forms(request.POST, action, regency=regency, scope=scope)
    status = 200
    if request.method == "POST":
        form = forms.get(action)
        if form is not None and form.is_valid():
            try:
                message = _record(action, form, regency=regency, user=request.user)
            except ValidationError as refused:
                form.add_error(None, refused)
            else:
                messages.success(request, message)
                return redirect(url)
        status = 400 if form is None else 200
    stock = BlankoStock.objects.filter(regency=regency).first()
    figures = card_figures(area=regency.code, as_of=timezone.localdate())
    movements = (
        BlankoMovement.objects.filter(regency=regency)
        .select_related("created_by", "transfer__from_regency", "transfer__to_regency")
        .order_by("-date", "-id")[:RECENT_MOVEMENTS]
    )
    context = {
        "regency": regency,
        "stock": stock,
        "figures": figures,
        "below_reorder": bool(
            stock and stock.reorder_point is not None and stock.stock <= stock.reorder_point
        ),
        "movements": movements,
        "reorder_change": ReorderPointChange.objects.filter(regency=regency)
        .select_related("changed_by")
        .first(),
        "forms": forms,
        "url": url,
    }
    return render(request, "cards/ledger.html", context, status=status)
