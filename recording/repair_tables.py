"""The open-repairs table and its downloads: CSV for machines, XLSX for people.

Rows come from `repair_selectors.open_repairs`, which already carries the device, kecamatan,
kabupaten and vendor (select_related) and the annotations `down_for` and `overdue`, so no cell
queries anything. The CSV has stable English keys and plain values (2012-04-16, true/false);
the XLSX speaks Indonesian with the page's column labels and typed cells.
"""

import csv
import datetime as dt
import io

import django_tables2 as tables
from django.db.models import F
from django.http import HttpResponse
from django.utils import formats
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import OrderBy
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from .choices import DeviceStatus
from .models import Repair

EMPTY = "—"
PER_PAGE = 50
# The batch-shipping form sits under the table; row checkboxes join it with form="...".
SHIP_FORM_ID = "repairs-ship"


def fmt_day(value: dt.date | None) -> str:
    return EMPTY if value is None else formats.date_format(value, "j M Y")


def fmt_int(value) -> str:
    return EMPTY if value is None else formats.number_format(value, force_grouping=True)


class SortColumn(tables.Column):
    """A column sorted by the database, empty values last both ways, the serial breaking ties.

    PostgreSQL puts NULLs first when sorting down and SQLite first when sorting up; a list of
    repairs should show the rows that have the value first either way, in a stable order. The
    accessor is required: the column sorts by it without knowing its own name.
    """

    def __init__(self, *, accessor: str, **kwargs):
        super().__init__(accessor=accessor, **kwargs)

    def order(self, queryset, is_descending):
        order = []
        for key in self.order_by or (OrderBy(str(self.accessor)),):
            expression = F(key.bare.for_queryset())
            descending = key.is_descending != is_descending
            order.append(
                expression.desc(nulls_last=True) if descending else expression.asc(nulls_last=True)
            )
        return queryset.order_by(*order, "device__serial"), True


def _num(**extra) -> dict:
    return {"th": {"class": "num"}, "td": {"class": "num"}, **extra}


def _row_class(record, **kwargs) -> str:
    return "overdue" if record.overdue else ""


class OpenRepairTable(tables.Table):
    """Open repairs: where the device is, since when it is down, where it is now."""

    select = tables.Column(
        verbose_name=_("Pilih"), accessor="device__serial", orderable=False, empty_values=()
    )
    serial = SortColumn(verbose_name=_("Nomor seri"), accessor="device__serial")
    label = SortColumn(verbose_name=_("Label"), accessor="device__label")
    sub_district = SortColumn(verbose_name=_("Kecamatan"), accessor="device__sub_district__name")
    regency = SortColumn(
        verbose_name=_("Kabupaten/kota"), accessor="device__sub_district__regency__name"
    )
    status = SortColumn(verbose_name=_("Status"), accessor="device__status")
    reported_on = SortColumn(verbose_name=_("Tanggal rusak"), accessor="reported_on")
    symptom = SortColumn(verbose_name=_("Gejala"), accessor="symptom")
    days_down = SortColumn(verbose_name=_("Lama rusak (hari)"), accessor="down_for", attrs=_num())
    shipped_on = SortColumn(verbose_name=_("Tanggal kirim"), accessor="shipped_on")
    vendor = SortColumn(verbose_name=_("Vendor"), accessor="vendor__name")
    vendor_reference = SortColumn(verbose_name=_("Nomor tiket vendor"), accessor="vendor_reference")
    agreed_repair_days = SortColumn(
        verbose_name=_("Waktu disepakati (hari)"),
        accessor="vendor__agreed_repair_days",
        attrs=_num(),
    )
    overdue = SortColumn(verbose_name=_("Terlambat"), accessor="overdue")

    class Meta:
        attrs = {"class": "data repairs-table"}
        order_by = "-days_down"
        empty_text = _("Tidak ada perbaikan terbuka yang cocok dengan saringan ini.")
        row_attrs = {"class": _row_class}

    def __init__(self, data, *, today: dt.date, can_ship: bool, **kwargs):
        self.today = today
        super().__init__(data, exclude=() if can_ship else ("select",), **kwargs)

    def render_select(self, record):
        device = record.device
        if device.status != DeviceStatus.BROKEN:
            return ""
        return format_html(
            '<input type="checkbox" name="device" value="{}" form="{}" aria-label="{}">',
            device.serial,
            SHIP_FORM_ID,
            gettext("Pilih %(serial)s untuk dikirim") % {"serial": device.serial},
        )

    def render_serial(self, record, value):
        return format_html('<a href="{}">{}</a>', record.device.get_absolute_url(), value)

    def render_status(self, record):
        device = record.device
        return format_html(
            '<span class="status status-{}">{}</span>', device.status, device.get_status_display()
        )

    def render_reported_on(self, value):
        return fmt_day(value)

    def render_days_down(self, value):
        return fmt_int(value.days)

    def render_shipped_on(self, value):
        return fmt_day(value)

    def render_agreed_repair_days(self, value):
        return fmt_int(value)

    def render_overdue(self, record, value):
        if not value:
            return ""
        return format_html(
            '<span class="overdue-badge" title="{}">{}</span>',
            gettext("%(days)s hari di vendor, disepakati %(agreed)s hari")
            % {
                "days": fmt_int((self.today - record.shipped_on).days),
                "agreed": fmt_int(record.vendor.agreed_repair_days),
            },
            gettext("TERLAMBAT"),
        )


# Downloads ----------------------------------------------------------------------------------

KEYS = (
    "serial",
    "label",
    "sub_district_code",
    "sub_district",
    "regency",
    "status",
    "reported_on",
    "symptom",
    "days_down",
    "shipped_on",
    "vendor",
    "vendor_reference",
    "agreed_repair_days",
    "overdue",
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "dd-mm-yyyy"


def export_row(repair: Repair) -> dict:
    device, vendor = repair.device, repair.vendor
    return {
        "serial": device.serial,
        "label": device.label,
        "sub_district_code": device.sub_district_id,
        "sub_district": device.sub_district.name,
        "regency": device.sub_district.regency.name,
        "status": device.status,
        "reported_on": repair.reported_on,
        "symptom": repair.symptom,
        "days_down": repair.down_for.days,
        "shipped_on": repair.shipped_on,
        "vendor": vendor.name if vendor else "",
        "vendor_reference": repair.vendor_reference,
        "agreed_repair_days": vendor.agreed_repair_days if vendor else None,
        "overdue": repair.overdue,
    }


def xlsx_labels() -> dict[str, str]:
    """The page's column headings for each download key."""
    columns = OpenRepairTable.base_columns
    labels = {key: str(columns[key].verbose_name) for key in KEYS if key in columns}
    labels["sub_district_code"] = gettext("Kode kecamatan")
    return labels


def _filename(today: dt.date, extension: str) -> str:
    return f"perbaikan-terbuka-{today.isoformat()}.{extension}"


def _attachment(response: HttpResponse, name: str) -> HttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _plain(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def csv_response(repairs, *, today: dt.date) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    writer = csv.writer(response, lineterminator="\n")
    writer.writerow(KEYS)
    for repair in repairs:
        row = export_row(repair)
        writer.writerow([_plain(row[key]) for key in KEYS])
    return _attachment(response, _filename(today, "csv"))


def _xlsx_value(key: str, value):
    if key == "status":
        return str(DeviceStatus(value).label)
    if key == "overdue":
        return gettext("ya") if value else gettext("tidak")
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def xlsx_response(repairs, *, today: dt.date) -> HttpResponse:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = gettext("Perbaikan terbuka")
    sheet["A1"] = gettext("Perbaikan alat perekaman yang masih terbuka, keadaan per %(day)s") % {
        "day": formats.date_format(today, "j F Y")
    }
    sheet["A1"].font = Font(bold=True, size=13)
    labels = xlsx_labels()
    for column, key in enumerate(KEYS, start=1):
        sheet.cell(row=2, column=column, value=labels[key]).font = Font(bold=True)

    row_number = 2
    for row_number, repair in enumerate(repairs, start=3):
        row = export_row(repair)
        for column, key in enumerate(KEYS, start=1):
            value = _xlsx_value(key, row[key])
            cell = sheet.cell(row=row_number, column=column, value=value)
            if isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # typed text, never a formula
            elif isinstance(value, dt.date):
                cell.number_format = DATE_FORMAT

    sheet.freeze_panes = "A3"
    if row_number > 2:
        sheet.auto_filter.ref = f"A2:{get_column_letter(len(KEYS))}{row_number}"
    for column, key in enumerate(KEYS, start=1):
        width = 32 if key == "symptom" else max(12, len(labels[key]) + 2)
        sheet.column_dimensions[get_column_letter(column)].width = width

    buffer = io.BytesIO()
    workbook.save(buffer)
    return _attachment(
        HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE), _filename(today, "xlsx")
    )
