"""Downloads of a dashboard's children rows: CSV for machines, XLSX for people.

The CSV has stable English keys and plain values (81.4, 2012-04-16, no thousands separators) so
scripts can rely on it; the XLSX speaks Indonesian with the page's column labels, typed cells, a
title row and a total row.
"""

import datetime as dt

from django.http import HttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from common.downloads import csv_download, xlsx_table_download
from common.formatting import fmt_day
from recording.choices import DeviceStatus
from recording.coverage import Coverage, Dashboard, DeviceCoverage, coverage_percent
from recording.tables.dashboards import AreaCoverageTable, DeviceCoverageTable

FORMATS = ("csv", "xlsx")

CARD_KEYS = (
    "print_ready_backlog",
    "printed",
    "handed_out",
    "awaiting_handout",
    "card_coverage_percent",
    "suket_issued",
    "blanko_stock",
    "blanko_days_left",
    "suket_outstanding",
    "blanko_needed",
)

KEYS = (
    "code",
    "name",
    "eligible",
    "recorded",
    "coverage_percent",
    "remaining",
    "recorded_last_7_days",
    "required_daily_rate",
    "projected_completion",
    "devices",
    "devices_down",
    "last_report",
    # The card journey after recording (cards app), appended so older consumers keep working.
    *CARD_KEYS,
    # Reports received ÷ owed over the 7 days up to the day, appended likewise.
    "reporting_completeness_percent",
)

CARD_LABELS = {
    "print_ready_backlog": _("Siap cetak belum dicetak"),
    "printed": _("Dicetak"),
    "handed_out": _("Diserahkan"),
    "awaiting_handout": _("Belum diserahkan"),
    "card_coverage_percent": _("Cakupan kartu diserahkan"),
    "suket_issued": _("Suket diterbitkan"),
    "blanko_stock": _("Stok blanko"),
    "blanko_days_left": _("Sisa hari blanko"),
    "suket_outstanding": _("Suket beredar (perkiraan)"),
    "blanko_needed": _("Blanko dibutuhkan untuk tunggakan"),
}

PERCENT_FORMAT = "0.0%"
PERCENT_KEYS = ("coverage_percent", "card_coverage_percent", "reporting_completeness_percent")


def area_row(c: Coverage) -> dict:
    return {
        "code": c.code,
        "name": c.name,
        "eligible": c.eligible,
        "recorded": c.recorded,
        "coverage_percent": c.coverage_percent,
        "remaining": c.remaining,
        "recorded_last_7_days": c.recorded_last_7_days,
        "required_daily_rate": c.required_daily_rate if c.eligible else None,
        "projected_completion": c.projected_completion if c.eligible else None,
        "devices": c.devices,
        "devices_down": c.devices_down,
        "last_report": c.last_report,
        "reporting_completeness_percent": c.reporting_completeness_percent,
    }


def device_row(d: DeviceCoverage) -> dict:
    """A device has no population of its own: eligible, coverage and pace stay empty."""
    return {
        "code": d.serial,
        "name": d.label,
        "eligible": None,
        "recorded": d.recorded,
        "coverage_percent": None,
        "remaining": None,
        "recorded_last_7_days": d.recorded_last_7_days,
        "required_daily_rate": None,
        "projected_completion": None,
        # Like an area's count: devices in service; a retired device counts for nothing.
        "devices": 0 if d.status == DeviceStatus.RETIRED else 1,
        "devices_down": 1 if d.status in DeviceStatus.down() else 0,
        "last_report": d.last_report,
        "reporting_completeness_percent": d.reporting_completeness_percent,
    }


def card_values(figures, eligible: int) -> dict:
    """The card journey's keys of a row from its `CardFigures` (None: a device, which has
    none); empty where the level has no such figure or it cannot be computed."""
    if figures is None:
        return dict.fromkeys(CARD_KEYS)
    return {
        "print_ready_backlog": figures.print_ready_backlog,
        "printed": figures.printed,
        "handed_out": figures.handed_out,
        "awaiting_handout": figures.awaiting_handout,
        "card_coverage_percent": coverage_percent(figures.handed_out, eligible),
        "suket_issued": figures.suket_issued,
        "blanko_stock": figures.blanko_stock,
        "blanko_days_left": figures.blanko_days_left,
        "suket_outstanding": figures.suket_outstanding,
        "blanko_needed": figures.blanko_needed,
    }


def export_rows(dashboard: Dashboard, cards: dict | None = None) -> list[dict]:
    """One row per child; `cards`: the children's card figures by code."""
    cards = cards or {}
    return [
        {**device_row(c), **card_values(None, 0)}
        if isinstance(c, DeviceCoverage)
        else {**area_row(c), **card_values(cards.get(c.code), c.eligible)}
        for c in dashboard.children
    ]


def _devices_level(dashboard: Dashboard) -> bool:
    return any(isinstance(c, DeviceCoverage) for c in dashboard.children)


def labels(*, devices: bool) -> dict[str, str]:
    """The page's column headings for each export key."""
    columns = AreaCoverageTable.base_columns
    result = {
        key: str(CARD_LABELS[key] if key in CARD_KEYS else columns[key].verbose_name)
        for key in KEYS
    }
    if devices:
        result["code"] = str(DeviceCoverageTable.base_columns["serial"].verbose_name)
        result["name"] = str(DeviceCoverageTable.base_columns["label"].verbose_name)
    return result


def filename(dashboard: Dashboard, as_of: dt.date, extension: str) -> str:
    return f"cakupan-{dashboard.total.code or 'indonesia'}-{as_of.isoformat()}.{extension}"


def csv_response(
    dashboard: Dashboard, *, as_of: dt.date, cards: dict | None = None
) -> HttpResponse:
    return csv_download(
        filename=filename(dashboard, as_of, "csv"),
        header=KEYS,
        rows=([row[key] for key in KEYS] for row in export_rows(dashboard, cards)),
    )


def _xlsx_values(row: dict) -> list:
    # Excel shows 0.814 as 81,4% in an Indonesian locale.
    return [
        row[key] / 100 if key in PERCENT_KEYS and row[key] is not None else row.get(key)
        for key in KEYS
    ]


def xlsx_response(
    dashboard: Dashboard, *, as_of: dt.date, cards: dict | None = None, card_total=None
) -> HttpResponse:
    total = dashboard.total
    area = f"{total.name} ({total.code})" if total.code else total.name
    return xlsx_table_download(
        filename=filename(dashboard, as_of, "xlsx"),
        sheet_title=gettext("Cakupan"),
        title=gettext("Cakupan perekaman e-KTP: %(area)s, keadaan per %(day)s")
        % {"area": area, "day": fmt_day(as_of, "j M Y")},
        labels=labels(devices=_devices_level(dashboard)),
        rows=map(_xlsx_values, export_rows(dashboard, cards)),
        total=_xlsx_values(
            {
                **area_row(total),
                **card_values(card_total, total.eligible),
                "name": gettext("Jumlah"),
            }
        ),
        number_formats=dict.fromkeys(PERCENT_KEYS, PERCENT_FORMAT),
        wide={"name"},
    )


def export_response(
    dashboard: Dashboard,
    *,
    export_format: str,
    as_of: dt.date,
    cards: dict | None = None,
    card_total=None,
) -> HttpResponse:
    """`cards`: the children's `CardFigures` by code; `card_total`: the area's."""
    if export_format == "csv":
        return csv_response(dashboard, as_of=as_of, cards=cards)
    if export_format == "xlsx":
        return xlsx_response(dashboard, as_of=as_of, cards=cards, card_total=card_total)
    raise ValueError(export_format)
