import datetime as dt
import re

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.days import default_day
from common.parsing import CellError, parse_whole_number
from common.validators import known_day_error, validate_no_control_characters
from recording.models import (
    DeviceStatusChange,
    RecordingDevice,
    Repair,
    Vendor,
)
from recording.services.counts import CountRow
from recording.validators import NOTE_MAX_LENGTH, SERIAL_HELP, validate_serial


class DayField(forms.DateField):
    """A `YYYY-MM-DD` day from a query string; the error names what was typed."""

    widget = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    input_formats = ["%Y-%m-%d"]
    default_error_messages = {
        "invalid": _(
            "Tanggal “%(value)s” tidak dikenal; gunakan bentuk TTTT-BB-HH, mis. 2012-04-16."
        ),
    }

    def to_python(self, value):
        try:
            day = super().to_python(value)
        except ValidationError:
            # DateField raises its message without the value; name it, the operator typed it.
            raise ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None
        # Checked here, before any clean_ method: a page must never compute with year 1.
        if day is not None and (error := known_day_error(day)):
            raise ValidationError(error, code="unknown_day")
        return day


class TextField(forms.CharField):
    """Typed text, refused with a message when it carries a control character."""

    default_validators = [validate_no_control_characters]


class AsOfForm(forms.Form):
    """The `?as_of=YYYY-MM-DD` of a dashboard; `default_day()` (today) when absent."""

    as_of = DayField(label=_("Per tanggal"), required=False)

    def clean_as_of(self) -> dt.date:
        return self.cleaned_data["as_of"] or default_day()


class EntryDayForm(forms.Form):
    """The `?date=YYYY-MM-DD&area=CODE` of the entry page; `default_day()` (today) when absent."""

    date = DayField(label=_("Tanggal"), required=False)
    # Any text: an unknown or outside code is a 404 in the view, like the region pages.
    area = forms.CharField(label=_("Wilayah"), required=False)

    def clean_date(self) -> dt.date:
        return self.cleaned_data["date"] or default_day()


# Field names of the entry form: `count-<device pk>`, `note-<pk>`, `version-<pk>` (the version the
# operator saw, 0 for no value), `conflict-<pk>` (the stored version a conflict was shown for)
# and `resolve-<pk>` (the operator's answer to it).
ENTRY_FIELD_RE = re.compile(r"(count|note|version|conflict|resolve)-(.*)")
DEVICE_PK_RE = re.compile(r"[0-9]{1,18}")


def entry_posted_device_pks(data) -> set[int] | None:
    """The device pks an entry POST names; None when a field names something that is no pk."""
    pks = set()
    for key in data:
        if match := ENTRY_FIELD_RE.fullmatch(key):
            if not DEVICE_PK_RE.fullmatch(match[2]):
                return None
            pks.add(int(match[2]))
    return pks


class Resolve(models.TextChoices):
    MINE = "mine", _("Simpan nilai saya")
    THEIRS = "theirs", _("Pakai nilai yang tersimpan")


class CountField(forms.Field):
    """A count as operators type it (`120`, `1.234`); empty means no entry for the device."""

    def __init__(self, *, device, **kwargs):
        self.device = device
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        text = str(value or "").strip()
        if not text:
            return None
        try:
            return parse_whole_number(text)
        except CellError as error:
            raise ValidationError(f"{self.device.serial}: {error}", code="invalid") from None


class DailyEntryForm(forms.Form):
    """One day's counts for a list of devices, each row named by the device pk.

    Validates what a single field can tell (a number, a note's length, a conflict answered); the
    count rules themselves are the service's, shared with the upload.
    """

    confirm = forms.BooleanField(
        label=_("Saya sudah memeriksa peringatan di atas dan tetap ingin menyimpan"),
        required=False,
    )
    # Which warnings the box was ticked for (`CountCheck.warnings_digest`), sent with the page.
    confirmed_warnings = forms.CharField(required=False, max_length=64)

    def __init__(self, *args, devices, date: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.devices = list(devices)
        self.date = date
        for device in self.devices:
            pk, serial = device.pk, device.serial.replace("%", "%%")
            self.fields[f"count-{pk}"] = CountField(device=device)
            self.fields[f"note-{pk}"] = TextField(
                required=False,
                max_length=NOTE_MAX_LENGTH,
                error_messages={
                    "max_length": f"{serial}: "
                    + gettext(
                        "catatan paling banyak %(limit_value)d karakter (sekarang %(show_value)d)."
                    )
                },
            )
            version_messages = {
                key: f"{serial}: " + gettext("versi data tidak dikenal; muat ulang halaman ini.")
                for key in ("invalid", "min_value")
            }
            self.fields[f"version-{pk}"] = forms.IntegerField(
                required=False, min_value=0, error_messages=version_messages
            )
            self.fields[f"conflict-{pk}"] = forms.IntegerField(
                required=False, min_value=0, error_messages=version_messages
            )
            self.fields[f"resolve-{pk}"] = forms.ChoiceField(
                required=False,
                choices=Resolve.choices,
                error_messages={
                    "invalid_choice": f"{serial}: " + gettext("pilihan tidak dikenal.")
                },
            )

    def clean(self):
        cleaned = super().clean()
        for device in self.devices:
            pk = device.pk
            answered = cleaned.get(f"resolve-{pk}")
            if (
                cleaned.get(f"conflict-{pk}") is not None
                and cleaned.get(f"count-{pk}") is not None
                and not answered
                and f"resolve-{pk}" not in self.errors
            ):
                self.add_error(
                    f"resolve-{pk}",
                    ValidationError(
                        _(
                            "%(serial)s: nilainya diubah orang lain; pilih “simpan nilai saya” "
                            "atau “pakai nilai yang tersimpan”."
                        ),
                        params={"serial": device.serial},
                        code="required",
                    ),
                )
        return cleaned

    def device_errors(self, device) -> list[str]:
        pk = device.pk
        return [
            str(message)
            for name in (
                f"{field}-{pk}" for field in ("count", "note", "version", "conflict", "resolve")
            )
            for message in self.errors.get(name, [])
        ]

    def count_rows(self) -> list[CountRow]:
        """The rows to hand to the service: every valid, non-empty count the operator kept.

        `line` is the device's position in `devices` (1-based), to put problems back on rows.
        """
        rows = []
        for line, device in enumerate(self.devices, start=1):
            pk = device.pk
            if self.device_errors(device):
                continue
            count = self.cleaned_data.get(f"count-{pk}")
            if count is None or self.cleaned_data.get(f"resolve-{pk}") == Resolve.THEIRS:
                continue
            rows.append(
                CountRow(
                    line=line,
                    device=device,
                    date=self.date,
                    count=count,
                    note=self.cleaned_data.get(f"note-{pk}", ""),
                    seen_version=self.cleaned_data.get(f"version-{pk}") or 0,
                )
            )
        return rows


# Repair steps on the device page. The forms parse what was typed; the lifecycle rules (which
# step from which status, no future day, not before the last event) are the services'.
def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


def _note_field():
    return TextField(
        label=_("Catatan"),
        required=False,
        max_length=_max_length(DeviceStatusChange, "note"),
    )


class RepairReportForm(forms.Form):
    """Laporkan kerusakan: the day it broke (default today) and what is wrong."""

    reported_on = DayField(label=_("Tanggal rusak"))
    symptom = TextField(
        label=_("Gejala"),
        max_length=_max_length(Repair, "symptom"),
        widget=forms.TextInput(attrs={"placeholder": _("mis. kamera tidak terdeteksi")}),
    )


class RepairShipForm(forms.Form):
    """Kirim ke vendor: which vendor, its ticket number, and the day it went."""

    vendor = forms.ModelChoiceField(
        label=_("Vendor"),
        queryset=Vendor.objects.order_by("name"),
        empty_label=_("Pilih vendor"),
        error_messages={
            "required": _("Pilih vendor tujuan pengiriman."),
            "invalid_choice": _("Vendor yang dipilih tidak terdaftar."),
        },
    )
    vendor_reference = TextField(
        label=_("Nomor tiket vendor"),
        required=False,
        max_length=_max_length(Repair, "vendor_reference"),
        error_messages={
            "max_length": _("Nomor tiket vendor paling panjang %(limit_value)d karakter.")
        },
    )
    shipped_on = DayField(
        label=_("Tanggal kirim"), error_messages={"required": _("Isi tanggal kirim.")}
    )
    note = _note_field()


class RepairsShipForm(RepairShipForm):
    """The same step for the devices ticked on the repairs list (`device=<serial>`), which
    share one vendor, one ticket or waybill and one day; no note."""

    note = None


class RepairReturnForm(forms.Form):
    """Kembali dari vendor: the day it was back and recording."""

    returned_on = DayField(label=_("Tanggal kembali"))
    note = _note_field()


class RepairFixForm(forms.Form):
    """Diperbaiki di tempat: the day it worked again."""

    fixed_on = DayField(label=_("Tanggal diperbaiki"))
    note = _note_field()


class RepairReplaceForm(forms.Form):
    """Ganti dengan alat baru: the new device's serial and the day it took over."""

    new_serial = forms.CharField(
        label=_("Nomor seri alat baru"),
        max_length=_max_length(RecordingDevice, "serial"),
        validators=[validate_serial],
        help_text=SERIAL_HELP,
    )
    replaced_on = DayField(label=_("Tanggal diganti"))
    note = _note_field()


class CountTemplateForm(forms.Form):
    date = DayField(label=_("Tanggal"), required=False)
    area = forms.CharField(required=False, max_length=8)
    format = forms.ChoiceField(choices=[("csv", "CSV"), ("xlsx", "Excel (XLSX)")])

    def clean_date(self) -> dt.date:
        return self.cleaned_data["date"] or default_day()
