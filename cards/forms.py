"""Forms of the card pages: the ledger's movements and the hand-out events. The daily entry grid
reads its own fields (one per area and column), in `cards/views/entry.py`."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cards.models import REASON_MAX_LENGTH, REFERENCE_MAX_LENGTH
from recording.forms import DayField, TextField

# Within an integer column on every database, far above any office's figures.
QUANTITY_MAX = 10_000_000


# A figure as typed: digits, or digits grouped by dots as Indonesians write them (2.000).
NUMBER_RE = re.compile(r"-?(?:\d+|\d{1,3}(?:\.\d{3})+)")


def figure_parse(typed: str) -> int | None:
    """The whole number an operator typed ("2.000" is two thousand), or None if it is not one."""
    typed = typed.strip()
    if not NUMBER_RE.fullmatch(typed):
        return None
    return int(typed.replace(".", ""))


class FigureField(forms.IntegerField):
    """A whole number; "1.200" is one thousand two hundred, never 1.2 (Django's IntegerField
    reads "1.000" as 1)."""

    def to_python(self, value):
        if value in self.empty_values or (isinstance(value, str) and not value.strip()):
            return None
        number = figure_parse(str(value))
        if number is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number


def _quantity(label, **kwargs) -> FigureField:
    return FigureField(
        label=label,
        max_value=QUANTITY_MAX,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        **kwargs,
    )


class BlankoReceiptForm(forms.Form):
    date = DayField(label=_("Tanggal diterima"))
    quantity = _quantity(_("Jumlah blanko"), min_value=1)
    reference = TextField(label=_("Nomor surat"), max_length=REFERENCE_MAX_LENGTH)


class BlankoTransferForm(forms.Form):
    to_regency = forms.ChoiceField(label=_("Ke kabupaten/kota"))
    date = DayField(label=_("Tanggal"))
    quantity = _quantity(_("Jumlah blanko"), min_value=1)
    reference = TextField(label=_("Nomor surat"), max_length=REFERENCE_MAX_LENGTH, required=False)

    def __init__(self, *args, regencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_regency"].choices = [("", "—")] + [
            (regency.code, f"{regency.code} {regency.name}") for regency in regencies
        ]


class BlankoCorrectionForm(forms.Form):
    date = DayField(label=_("Tanggal stok opname"))
    quantity = _quantity(
        _("Selisih"),
        min_value=-QUANTITY_MAX,
        help_text=_("Positif bila blanko lebih, negatif bila kurang."),
    )
    reason = TextField(label=_("Alasan"), max_length=REASON_MAX_LENGTH)


class BlankoReorderForm(forms.Form):
    reorder_point = _quantity(
        _("Batas minta tambahan"),
        min_value=0,
        required=False,
        help_text=_("Kosongkan bila tidak ada batas."),
    )


class HandoutScheduleForm(forms.Form):
    sub_district = forms.ChoiceField(label=_("Kecamatan"))
    planned_on = DayField(
        label=_("Tanggal rencana"),
        required=False,
        help_text=_("Kosongkan bila jadwal belum ada (mis. menunggu jadwal bupati)."),
    )
    place = TextField(label=_("Tempat"), max_length=200, required=False)
    planned_count = _quantity(_("Jumlah kartu direncanakan"), min_value=0)
    note = TextField(label=_("Keterangan"), max_length=200, required=False)

    def __init__(self, *args, sub_districts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sub_district"].choices = [
            (sub_district.code, f"{sub_district.code} {sub_district.name}")
            for sub_district in sub_districts
        ]


class HandoutHoldForm(forms.Form):
    held_on = DayField(label=_("Tanggal terlaksana"))


class HandoutPostponeForm(forms.Form):
    reason = TextField(label=_("Alasan ditunda"), max_length=REASON_MAX_LENGTH)
