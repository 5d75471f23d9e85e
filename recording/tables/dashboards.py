"""The children table of a dashboard: child areas, or the devices of a kecamatan.

Rows are the `Coverage` / `DeviceCoverage` objects the selector already computed, so the table
sorts a Python list. Cells are formatted here, Indonesian style (360.381; 81,4%), and the same
helpers format the charts.
"""

import datetime as dt
import functools
import operator
from html import escape

import django_tables2 as tables
from django.core.paginator import Paginator
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_tables2.data import TableListData
from django_tables2.utils import OrderBy

from common.formatting import EMPTY, Formatter
from recording.choices import DeviceStatus
from recording.coverage import Coverage, Progress


def html_of(template: str, *args) -> str:
    """`format_html` for the hot paths of a table: the same escaping (arguments not already
    safe are escaped), without the lazy-string checks Django makes for every argument, which
    cost more than the formatting on a page of a few hundred cells."""
    return mark_safe(  # every argument is escaped or already safe
        template.format(*(a if isinstance(a, SafeData) else escape(str(a)) for a in args))
    )


PER_PAGE = 50


def progress_badge(coverage) -> str:
    """The status badge of an area: done, on track (green), at risk (amber), late (red)."""
    if coverage.done:
        return _badge("done", gettext("Selesai 100%"))
    progress = coverage.progress
    if progress is None:
        return EMPTY
    return _badge(progress.value, Progress(progress).label)


def _badge(css: str, label) -> str:
    return html_of('<span class="badge progress-{}">{}</span>', css, label)


def down_devices_html(devices, *, as_of: dt.date) -> str:
    """The `<li>` lines of the down-station alert: serial, kecamatan, status, since when, days
    down and the estimated people not recorded. Built here in one pass: in the template the
    thirty lines of a national page took longer than its queries."""
    fmt = Formatter.active()
    day = as_of.isoformat()
    texts = {
        "kec": gettext("Kec."),
        "since": gettext("sejak %(day)s"),
        "days": gettext("%(n)s hari"),
        "lost": gettext("perkiraan ± %(n)s orang belum terekam"),
    }
    lines = []
    for d in devices:
        lost = (
            html_of(" · {}", texts["lost"] % {"n": fmt.int(d.recordings_lost)})
            if d.recordings_lost
            else ""
        )
        lines.append(
            html_of(
                '<li><a href="{}?as_of={}">{}</a>{} · {} <a href="{}?as_of={}">{}</a> · '
                '<span class="status status-{}">{}</span> {} · '
                '<strong class="days-down">{}</strong>{}</li>',
                d.url,
                day,
                d.serial,
                f" {d.label}" if d.label else "",
                texts["kec"],
                d.sub_district_url,
                day,
                d.sub_district_name,
                d.status,
                d.status_label,
                texts["since"] % {"day": fmt.day(d.since)},
                texts["days"] % {"n": fmt.int(d.days_down)},
                lost,
            )
        )
    return mark_safe("".join(lines))  # every line went through html_of


# Sort ranks for columns whose natural order is not their value's.
PROGRESS_RANK = {Progress.ON_TRACK: 1, Progress.AT_RISK: 2, Progress.LATE: 3}
DEVICE_STATUS_RANK = {
    DeviceStatus.OPERATIONAL: 0,
    DeviceStatus.BROKEN: 1,
    DeviceStatus.AT_VENDOR: 2,
    DeviceStatus.RETIRED: 3,
}


class FixedPageSize:
    """A table of PER_PAGE rows a page, whatever `?per_page=` says.

    django-tables2 takes `?per_page=` from the address: a negative one crashed the page, a huge
    one would render every row. Nobody needs another size: the downloads hold every row.
    """

    def paginate(self, paginator_class=Paginator, per_page=None, page=1, *args, **kwargs):
        return super().paginate(paginator_class, PER_PAGE, page, *args, **kwargs)


class NoneSafeListData(TableListData):
    """Sorts a list of rows by the table's `sort_keys`, with empty values last either way.

    django-tables2 compares raw attribute values, which mixes None with numbers and dates in
    an order that depends on the row order; here a missing figure always sinks to the bottom.
    """

    def order_by(self, aliases):
        # Stable sorts from the least significant key up give a multi-column order.
        for alias in reversed(aliases):
            order = OrderBy(alias)
            key = self.table.sort_key(order.bare)
            descending = order.is_descending
            self.data.sort(
                key=lambda row, key=key, descending=descending: _none_last(key(row), descending),
                reverse=descending,
            )


def _none_last(value, descending: bool):
    missing = value is None
    # reverse=True flips the flag too, so the flag must be inverted to keep None at the end.
    return (not missing if descending else missing, 0 if missing else value)


def _num(**extra):
    return {"th": {"class": "num"}, "td": {"class": "num"}, **extra}


CELL_TEXTS = {
    "not_finishing": _("tidak selesai"),
    "done": _("Selesai"),
    "days_after_deadline": _("+%(days)s hari"),
    "longest_down": _("terlama %(days)s hari"),
    "down_since": _("sejak %(day)s (%(days)s hari)"),
    "not_reported": _("belum lapor"),
}


class DashboardTable(FixedPageSize, tables.Table):
    """Common ground of the two children tables: list data, sort keys, links carry `as_of`."""

    # Column name -> function(row) giving the value to sort by; default: the column's value.
    sort_keys: dict = {}

    class Meta:
        attrs = {"class": "data dashboard-table"}
        orderable = True
        empty_text = _("Belum ada data.")
        template_name = "recording/_table.html"

    def __init__(self, data, *, as_of: dt.date, **kwargs):
        self.as_of = as_of
        self.fmt = Formatter.active()
        # Cells repeat the same few words: each is translated once per table.
        self.text = {key: str(message) for key, message in CELL_TEXTS.items()}
        self._badges: dict = {}
        super().__init__(NoneSafeListData(list(data)), **kwargs)

    def sort_key(self, name: str):
        if name in self.sort_keys:
            return self.sort_keys[name]
        accessor = self.columns[name].accessor
        return lambda row: accessor.resolve(row, quiet=True)

    def body_html(self) -> str:
        """The `<tr>` rows of the current page, rendered without django-tables2's per-cell
        machinery (signature introspection and attribute recomputation for every cell cost more
        than the page's queries). Cells go through the same `render_*` methods, empty values
        show the column default, and every row's class comes from `Meta.row_attrs`."""
        cells = []
        for bound in self.columns:
            render = getattr(self, f"render_{bound.name}", None)
            td = bound.attrs["td"].as_html()
            accessor = bound.accessor
            # The column's own attribute is read directly; any other accessor as it says.
            value_of = (
                operator.attrgetter(bound.name)
                if accessor == bound.name
                else functools.partial(accessor.resolve, quiet=True)
            )
            cells.append(
                (
                    value_of,
                    render,
                    bound.column.empty_values,
                    conditional_escape(bound.default),
                    html_of("<td {}>", td) if td else mark_safe("<td>"),
                )
            )
        row_class = self._meta.row_attrs.get("class")
        rows = self.page.object_list if self.page else self.rows
        html = []
        for row in rows:
            record = row.record
            css = row_class(record=record) if row_class else ""
            html.append(html_of('<tr class="{}">', css) if css else "<tr>")
            for value_of, render, empty_values, default, open_td in cells:
                value = value_of(record)
                if value in empty_values:
                    content = default
                else:
                    content = value if render is None else render(record=record, value=value)
                    if not isinstance(content, SafeData):
                        content = escape(str(content))
                html.append(f"{open_td}{content}</td>")
            html.append("</tr>")
        return mark_safe("".join(html))  # every piece above is escaped

    def link(self, url: str, text) -> str:
        if not url:
            return text
        return html_of('<a href="{}?as_of={}">{}</a>', url, self.as_of.isoformat(), text)


def _days_after_deadline(c: Coverage) -> int:
    """How many days after its deadline an area finishes at its current pace (0: in time)."""
    projected = c.projected_completion
    if c.done or projected is None or c.deadline is None or projected <= c.deadline:
        return 0
    return (projected - c.deadline).days


def _area_row_class(record, **kwargs) -> str:
    if record.no_working_device:
        return "down-all"
    return "down" if record.devices_down else ""


def _required_rate_key(c: Coverage):
    if not c.eligible:
        return None
    # A passed deadline with people left needs an unbounded rate: the most urgent of all.
    return 10**12 if c.required_daily_rate is None else c.required_daily_rate


def _completeness_key(row):
    # Rows that owed no report (no station in service) sort after every figure.
    percent = row.reporting_completeness_percent
    return (percent is None, percent or 0)


class AreaCoverageTable(DashboardTable):
    """Child areas (provinces, regencies or kecamatan) with their coverage figures."""

    code = tables.Column(verbose_name=_("Kode"), attrs={"td": {"class": "code"}})
    name = tables.Column(verbose_name=_("Nama"))
    eligible = tables.Column(verbose_name=_("Wajib KTP"), attrs=_num())
    recorded = tables.Column(verbose_name=_("Terekam"), attrs=_num())
    coverage_percent = tables.Column(verbose_name=_("Cakupan"), attrs=_num())
    remaining = tables.Column(verbose_name=_("Sisa"), attrs=_num())
    recorded_last_7_days = tables.Column(verbose_name=_("Terekam 7 hari"), attrs=_num())
    daily_average = tables.Column(verbose_name=_("Rata-rata/hari"), attrs=_num())
    required_daily_rate = tables.Column(verbose_name=_("Laju dibutuhkan/hari"), attrs=_num())
    projected_completion = tables.Column(verbose_name=_("Perkiraan selesai"), empty_values=())
    progress = tables.Column(verbose_name=_("Status"), empty_values=())
    devices = tables.Column(verbose_name=_("Alat"), attrs=_num())
    devices_down = tables.Column(verbose_name=_("Rusak/di vendor"), attrs=_num())
    not_reported = tables.Column(verbose_name=_("Belum lapor"), attrs=_num())
    reporting_completeness_percent = tables.Column(verbose_name=_("Lapor 7 hari"), attrs=_num())
    last_report = tables.Column(verbose_name=_("Laporan terakhir"))

    sort_keys = {
        "reporting_completeness_percent": _completeness_key,
        # No figure yet is not "done": areas without eligible figures sort last.
        "projected_completion": lambda c: c.projected_completion if c.eligible else None,
        "required_daily_rate": _required_rate_key,
        "progress": lambda c: 0 if c.done else PROGRESS_RANK.get(c.progress),
        "devices_down": lambda c: (c.devices_down, c.longest_down_days),
    }

    class Meta(DashboardTable.Meta):
        row_attrs = {"class": _area_row_class}

    def render_name(self, record, value):
        return self.link(record.url, value)

    def render_eligible(self, record, value):
        return self.fmt.int(value)

    def render_recorded(self, record, value):
        return self.fmt.int(value)

    def render_coverage_percent(self, record, value):
        return self.fmt.percent(value)

    def render_remaining(self, record, value):
        return self.fmt.int(value)

    def render_recorded_last_7_days(self, record, value):
        return self.fmt.int(value)

    def render_daily_average(self, record, value):
        return self.fmt.decimal(value)

    def render_required_daily_rate(self, record, value):
        return self.fmt.int(value) if record.eligible else EMPTY

    def render_projected_completion(self, record, value):
        if not record.eligible:
            return EMPTY
        if record.done:
            return self.text["done"]
        if value is None:
            return html_of('<span class="late">{}</span>', self.text["not_finishing"])
        text = self.fmt.day(value)
        if record.deadline and value > record.deadline:
            return html_of('<span class="late">{}</span>', text)
        return text

    def render_progress(self, record, value):
        # Only a handful of distinct badges: each is built once per table.
        key = "done" if record.done else record.progress
        if key not in self._badges:
            self._badges[key] = progress_badge(record)
        late = _days_after_deadline(record)
        if not late:
            return self._badges[key]
        # The status and the projection read together: "Berisiko +21 hari".
        return html_of(
            '{}<span class="days"> {}</span>',
            self._badges[key],
            self.text["days_after_deadline"] % {"days": self.fmt.int(late)},
        )

    def render_devices(self, record, value):
        return self.fmt.int(value)

    def render_devices_down(self, record, value):
        if not value:
            return "0"
        return html_of(
            '<strong>{}</strong><span class="days"> ({})</span>',  # spaceless table: space inside
            self.fmt.int(value),
            self.text["longest_down"] % {"days": self.fmt.int(record.longest_down_days)},
        )

    def render_not_reported(self, record, value):
        return self.fmt.int(value)

    def render_reporting_completeness_percent(self, record, value):
        return self.fmt.percent(value)

    def render_last_report(self, record, value):
        return self.fmt.day(value)


def _device_is_down(record) -> bool:
    return record.status in DeviceStatus.down()


def _device_row_class(record, **kwargs) -> str:
    return "down" if _device_is_down(record) else ""


class DeviceCoverageTable(DashboardTable):
    """The devices of one kecamatan."""

    serial = tables.Column(verbose_name=_("Nomor seri"))
    label = tables.Column(verbose_name=_("Label"))
    status = tables.Column(verbose_name=_("Status"))
    daily_capacity = tables.Column(verbose_name=_("Kapasitas/hari"), attrs=_num())
    recorded = tables.Column(verbose_name=_("Terekam"), attrs=_num())
    recorded_last_7_days = tables.Column(verbose_name=_("Terekam 7 hari"), attrs=_num())
    daily_average = tables.Column(verbose_name=_("Rata-rata/hari"), attrs=_num())
    last_report = tables.Column(verbose_name=_("Laporan terakhir"))
    reported_today = tables.Column(verbose_name=_("Jumlah hari ini"), attrs=_num())
    reporting_completeness_percent = tables.Column(verbose_name=_("Lapor 7 hari"), attrs=_num())
    follow_up = tables.Column(verbose_name=_("Tindak lanjut"), attrs=_num())

    sort_keys = {
        "reporting_completeness_percent": _completeness_key,
        "status": lambda d: (DEVICE_STATUS_RANK.get(d.status, 9), d.days_down),
        "reported_today": lambda d: d.recorded_on_day,
    }

    class Meta(DashboardTable.Meta):
        row_attrs = {"class": _device_row_class}
        empty_text = _("Belum ada alat perekaman terdaftar di kecamatan ini.")

    def __init__(self, data, *, as_of: dt.date, today: dt.date | None = None, **kwargs):
        super().__init__(data, as_of=as_of, **kwargs)
        if today is not None and as_of != today:
            # The column says which day it is about when that day is not today.
            self.columns["reported_today"].column.verbose_name = gettext("Jumlah %(day)s") % {
                "day": self.fmt.day(as_of, "j M")
            }

    def render_serial(self, record, value):
        return self.link(record.url, value)

    def render_status(self, record, value):
        badge = html_of('<span class="status status-{}">{}</span>', value, record.status_label)
        if not _device_is_down(record) or record.down_since is None:
            return badge
        return html_of(
            '{}<span class="days"> {}</span>',
            badge,
            self.text["down_since"]
            % {"day": self.fmt.day(record.down_since), "days": self.fmt.int(record.days_down)},
        )

    def render_daily_capacity(self, record, value):
        return self.fmt.int(value)

    def render_recorded(self, record, value):
        return self.fmt.int(value)

    def render_recorded_last_7_days(self, record, value):
        return self.fmt.int(value)

    def render_daily_average(self, record, value):
        return self.fmt.decimal(value)

    def render_last_report(self, record, value):
        return self.fmt.day(value)

    def render_reported_today(self, record, value):
        """The day's count; a working station without one is marked as not reported."""
        if value:
            return self.fmt.int(record.recorded_on_day)
        if not DeviceStatus.expected_to_report(record.status):
            return EMPTY
        return html_of('<span class="late">{}</span>', self.text["not_reported"])

    def render_follow_up(self, record, value):
        return html_of("<strong>{}</strong>", self.fmt.int(value)) if value else "0"

    def render_reporting_completeness_percent(self, record, value):
        return self.fmt.percent(value)
