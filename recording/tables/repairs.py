"""The open-repairs table and its downloads: CSV for machines, XLSX for people.

Rows come from `repair_selectors.open_repairs`, which already carries the device, kecamatan,
kabupaten and vendor (select_related) and the annotations `down_for` and `overdue`, so no cell
queries anything. The CSV has stable English keys and plain values (2012-04-16, true/false);
the XLSX speaks Indonesian with the page's column labels and typed cells.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.db.models import F
from django.http import HttpResponse
from django.utils import formats
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.utils import OrderBy

from common.downloads import csv_download, xlsx_table_download
from common.formatting import fmt_day, fmt_int
from recording.choices import DeviceStatus, RepairEvent
from recording.models import Repair
from recording.services.repairs import repair_refusal
from recording.tables.dashboards import FixedPageSize

# The batch-shipping form sits under the table; row checkboxes join it with form="...".
SHIP_FORM_ID = "repairs-ship"


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


class OpenRepairTable(FixedPageSize, tables.Table):
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
        # Each row is an open repair; shipping asks the repair service's own rule.
        if repair_refusal(device, RepairEvent.SHIPPED, has_open_repair=True):
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
    return {key: labels[key] for key in KEYS}  # in the download's column order


def _xlsx_value(key: str, value):
    if key == "status":
        return str(DeviceStatus(value).label)
    if key == "overdue":
        return gettext("ya") if value else gettext("tidak")
    return value


# --- The vendor report's downloads ------------------------------------------------------------

VENDOR_KEYS = (
    "vendor",
    "contact",
    "agreed_repair_days",
    "repairs",
    "open",
    "closed",
    "median_turnaround_days",
    "worst_turnaround_days",
    "overdue",
)


def vendor_row(figures) -> dict:
    """One `VendorFigures` as download values (turnarounds in days, empty without any)."""
    return {
        "vendor": figures.vendor.name,
        "contact": figures.vendor.contact,
        "agreed_repair_days": figures.vendor.agreed_repair_days,
        "repairs": figures.total,
        "open": figures.open,
        "closed": figures.closed,
        "median_turnaround_days": figures.median_turnaround,
        "worst_turnaround_days": figures.worst_turnaround,
        "overdue": figures.overdue,
    }


def vendor_labels() -> dict[str, str]:
    """The vendor report's column headings (the page's words) for each download key."""
    return {
        "vendor": gettext("Vendor"),
        "contact": gettext("Kontak"),
        "agreed_repair_days": gettext("Waktu disepakati (hari)"),
        "repairs": gettext("Perbaikan"),
        "open": gettext("Masih terbuka"),
        "closed": gettext("Selesai"),
        "median_turnaround_days": gettext("Median waktu perbaikan (hari)"),
        "worst_turnaround_days": gettext("Terlama (hari)"),
        "overdue": gettext("Terlambat"),
    }


# --- Both reports' downloads ------------------------------------------------------------------


@dataclass(frozen=True)
class ReportDownload:
    """A report's CSV (keys as the header, raw values) and XLSX (the page's headings, readable
    values) downloads of the same rows, named after the report and the day."""

    stem: str
    keys: tuple[str, ...]
    row: Callable[[Any], dict]
    labels: Callable[[], dict[str, str]]
    sheet_title: Promise
    title: Promise  # with %(day)s
    wide: frozenset[str]
    xlsx_value: Callable[[str, Any], Any] | None = None  # readable value of a raw one

    def _filename(self, today: dt.date, extension: str) -> str:
        return f"{self.stem}-{today.isoformat()}.{extension}"

    def csv_response(self, items, *, today: dt.date) -> HttpResponse:
        return csv_download(
            filename=self._filename(today, "csv"),
            header=self.keys,
            rows=([row[key] for key in self.keys] for row in map(self.row, items)),
        )

    def xlsx_response(self, items, *, today: dt.date) -> HttpResponse:
        convert = self.xlsx_value or (lambda key, value: value)
        return xlsx_table_download(
            filename=self._filename(today, "xlsx"),
            sheet_title=str(self.sheet_title),
            title=str(self.title) % {"day": formats.date_format(today, "j M Y")},
            labels=self.labels(),
            rows=([convert(key, row[key]) for key in self.keys] for row in map(self.row, items)),
            wide=self.wide,
        )


OPEN_REPAIRS_DOWNLOAD = ReportDownload(
    stem="perbaikan-terbuka",
    keys=KEYS,
    row=export_row,
    labels=xlsx_labels,
    sheet_title=_("Perbaikan terbuka"),
    title=_("Perbaikan alat perekaman yang masih terbuka, keadaan per %(day)s"),
    wide=frozenset({"symptom"}),
    xlsx_value=_xlsx_value,
)
VENDOR_REPORT_DOWNLOAD = ReportDownload(
    stem="laporan-vendor",
    keys=VENDOR_KEYS,
    row=vendor_row,
    labels=vendor_labels,
    sheet_title=_("Laporan vendor"),
    title=_("Laporan vendor, keadaan per %(day)s"),
    wide=frozenset({"vendor", "contact"}),
)
