"""Dashboard charts as inline SVG, drawn on the server: no script, no CDN, a few KB each.

Each function takes a `Dashboard` and returns a `<figure>` (SafeString). Every piece of text
that comes from data goes through `escape`; colours come from classes in app.css. Point counts
are bounded and coordinates rounded so a two-year series stays small.
"""

import datetime as dt
import math
from collections.abc import Iterable
from decimal import Decimal

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

from common.formatting import Formatter, fmt_day, fmt_decimal, fmt_int, fmt_percent
from recording.coverage import BAND_DONE, BAND_HIGH, BAND_MID, Coverage, Dashboard, DayPoint
from recording.selectors.dashboards import SERIES_DAYS

WIDTH = 400  # user units; the SVG scales to its box, and text stays legible on a phone
MAX_LINE_POINTS = 366  # about one per user unit of the plot; longer series are thinned
MAX_DAILY_BARS = 120  # beyond this, days are summed into weeks
MAX_AREA_BARS = 50  # the lowest-coverage children shown

# Coverage bands: (lower bound in %, css class).
BANDS = [
    (BAND_DONE, "band-done"),
    (BAND_HIGH, "band-high"),
    (BAND_MID, "band-mid"),
    (0, "band-low"),
]


def band(percent) -> str:
    for lower, css in BANDS:
        if percent >= lower:
            return css
    return "band-low"


def _r(value: float) -> str:
    """A coordinate rounded to one decimal, without a trailing ".0"."""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _nice_step(span: float, ticks: int = 4) -> float:
    """A round tick step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` ticks."""
    raw = max(span / ticks, 1)
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power


def _tick_label(value: float) -> str:
    """Axis numbers: "360.000" below a million, "1,5 jt" (juta) above."""
    if abs(value) >= 1_000_000:
        millions = Decimal(str(value)) / 1_000_000
        places = 0 if millions == millions.to_integral_value() else 1
        return f"{fmt_decimal(millions, places)} {gettext('jt')}"
    return fmt_int(int(value))


def _svg(
    *, ident: str, height: int, title: str, desc: str, body: Iterable[str], links: bool = False
) -> str:
    """A picture with its text alternative (title and description). One with `links` is a group
    instead: an image's content is hidden from screen readers, and its links would be too."""
    if links:
        role = f'role="group" aria-labelledby="{ident}-t" aria-describedby="{ident}-d"'
    else:
        role = f'role="img" aria-labelledby="{ident}-t {ident}-d"'
    return (
        f'<svg class="chart-svg" viewBox="0 0 {WIDTH} {height}" width="100%" {role} '
        f'xmlns="http://www.w3.org/2000/svg">'
        f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(desc)}</desc>'
        + "".join(body)
        + "</svg>"
    )


def _figure(svg: str, caption: str = "", ident: str = "", extra: str = "") -> SafeString:
    """Wrap a built SVG; `svg`, `caption` and `extra` (HTML after the caption) must already be
    escaped (escape, format_html)."""
    caption_html = f"<figcaption>{caption}</figcaption>" if caption else ""
    return mark_safe(f'<figure class="chart" id="{ident}">{svg}{caption_html}{extra}</figure>')


def _empty(ident: str, title: str, message: str = "") -> SafeString:
    return format_html(
        '<figure class="chart" id="{}"><figcaption><strong>{}</strong> {}</figcaption></figure>',
        ident,
        title,
        message or gettext("Belum ada data perekaman sampai tanggal ini."),
    )


def _text(x: float, y: float, text: str, css: str = "", anchor: str = "") -> str:
    attrs = f' class="{css}"' if css else ""
    if anchor:
        attrs += f' text-anchor="{anchor}"'
    return f'<text x="{_r(x)}" y="{_r(y)}"{attrs}>{escape(text)}</text>'


def _line(x1, y1, x2, y2, css: str, dashed: bool = False) -> str:
    dash = ' stroke-dasharray="6 4"' if dashed else ""
    return f'<line class="{css}" x1="{_r(x1)}" y1="{_r(y1)}" x2="{_r(x2)}" y2="{_r(y2)}"{dash}/>'


class _Frame:
    """The plot area inside the SVG and the value-to-pixel mapping on the y axis."""

    left, right, top, bottom = 68, 14, 22, 40

    def __init__(self, height: int, y_max: float):
        self.height = height
        self.plot_w = WIDTH - self.left - self.right
        self.plot_h = height - self.top - self.bottom
        self.step = _nice_step(y_max)
        self.y_max = max(self.step * math.ceil(y_max / self.step), self.step)

    def y(self, value: float) -> float:
        return self.top + self.plot_h * (1 - value / self.y_max)

    @property
    def base(self) -> float:
        return self.top + self.plot_h

    def y_axis(self, title: str) -> list[str]:
        parts = []
        ticks = int(round(self.y_max / self.step))
        for i in range(ticks + 1):
            value = self.step * i
            y = self.y(value)
            parts.append(_line(self.left, y, WIDTH - self.right, y, "grid"))
            parts.append(_text(self.left - 4, y + 4, _tick_label(value), "tick", "end"))
        middle = _r(-self.top - self.plot_h / 2)
        parts.append(
            f'<text class="axis-title" transform="rotate(-90)" x="{middle}" y="11"'
            f' text-anchor="middle">{escape(title)}</text>'
        )
        parts.append(_line(self.left, self.base, WIDTH - self.right, self.base, "axis"))
        return parts

    def x_title(self, title: str) -> str:
        return _text(self.left + self.plot_w / 2, self.height - 4, title, "axis-title", "middle")


class _TimeFrame(_Frame):
    """A frame whose x axis runs from `start` to `end`, one day at a time."""

    def __init__(self, height: int, y_max: float, start: dt.date, end: dt.date):
        super().__init__(height, y_max)
        self.start = start
        self.span = max((end - start).days, 1)
        self.end = end

    def x(self, day: dt.date) -> float:
        return self.left + self.plot_w * (day - self.start).days / self.span

    def axes(self, y_title: str) -> list[str]:
        """The y axis with its grid, and the dates along the x axis."""
        body = self.y_axis(y_title)
        for day, label in _date_ticks(self.start, self.end):
            body.append(_text(self.x(day), self.base + 14, label, "tick", "middle"))
        body.append(self.x_title(gettext("Tanggal")))
        return body

    def polyline(self, css: str, points: Iterable[tuple[dt.date, int]]) -> str:
        coordinates = " ".join(f"{_r(self.x(day))},{_r(self.y(value))}" for day, value in points)
        return f'<polyline class="{css}" points="{coordinates}"/>'


def _date_ticks(start: dt.date, end: dt.date) -> list[tuple[dt.date, str]]:
    """A handful of labelled days: month starts on long spans, evenly spaced days otherwise."""
    span = (end - start).days
    if span > 90:
        months = []
        day = dt.date(start.year, start.month, 1)
        while day <= end:
            if day >= start:
                months.append(day)
            day = dt.date(day.year + day.month // 12, day.month % 12 + 1, 1)
        step = max(1, math.ceil(len(months) / 5))
        return [(d, fmt_day(d, "M Y")) for d in months[::step]]
    count = min(4, max(span, 1))
    days = sorted({start + dt.timedelta(days=round(span * i / count)) for i in range(count + 1)})
    return [(d, fmt_day(d, "j M")) for d in days]


def _series_end(dashboard: Dashboard) -> dt.date:
    """Where the charts end: the series' end (the page's day, or an old area's last report)."""
    end = dashboard.series_end or dashboard.total.as_of or dt.date.min
    return max(end, dashboard.series[-1].date) if dashboard.series else end


def _dense_series(dashboard: Dashboard, end: dt.date) -> list[DayPoint]:
    """`_dense` of the dashboard's series, built once for the charts that share it."""
    cache = dashboard.__dict__.setdefault("_dense_by_end", {})
    if end not in cache:
        cache[end] = _dense(dashboard.series, end)
    return cache[end]


def _dense(series: list[DayPoint], end: dt.date) -> list[DayPoint]:
    """One point per day from the first count to `end`: days without counts recorded 0."""
    if not series:
        return []
    by_day = {p.date: p for p in series}
    points, cumulative, day = [], series[0].cumulative - series[0].recorded, series[0].date
    while day <= end:
        recorded = by_day[day].recorded if day in by_day else 0
        cumulative += recorded
        points.append(DayPoint(date=day, recorded=recorded, cumulative=cumulative))
        day += dt.timedelta(days=1)
    return points


def _thin(points: list[DayPoint], limit: int) -> list[DayPoint]:
    """At most `limit` points, always keeping the first and the last."""
    if len(points) <= limit:
        return points
    step = math.ceil((len(points) - 1) / (limit - 1))
    thinned = points[::step]
    if thinned[-1] is not points[-1]:
        thinned.append(points[-1])
    return thinned


def cumulative_chart(dashboard: Dashboard) -> SafeString:
    """Recorded so far per day, the eligible population, the deadline and the pace needed."""
    total = dashboard.total
    title = gettext("Perekaman kumulatif")
    ident = "grafik-kumulatif"
    if not dashboard.series:
        return _empty(ident, title)
    as_of = _series_end(dashboard)
    still_open = bool(total.as_of and total.deadline and total.deadline > total.as_of)
    series = _dense_series(dashboard, as_of)
    start = series[0].date
    end = as_of
    deadline = total.deadline
    if deadline and deadline > end:
        end = deadline
    recorded_now = series[-1].cumulative

    frame = _TimeFrame(270, max(total.eligible, recorded_now, 1), start, end)
    x = frame.x
    body = frame.axes(gettext("Terekam (kumulatif)"))

    if total.eligible:
        y = frame.y(total.eligible)
        body.append(_line(frame.left, y, WIDTH - frame.right, y, "eligible", dashed=True))
        body.append(
            # Below the line: above it sits the top tick label when the figure is a round number.
            _text(
                frame.left + 4,
                y + 14,
                gettext("Wajib KTP %(n)s") % {"n": fmt_int(total.eligible)},
                "label eligible-label",
            )
        )
    if deadline and start <= deadline <= end:
        dx = x(deadline)
        body.append(_line(dx, frame.top, dx, frame.base, "deadline"))
        near_right = dx > WIDTH - 140
        body.append(
            _text(
                dx - 4 if near_right else dx + 4,
                frame.top - 6,
                gettext("Batas waktu %(day)s") % {"day": fmt_day(deadline)},
                "label deadline-label",
                "end" if near_right else "",
            )
        )
    if still_open and deadline > as_of and total.eligible > recorded_now:
        body.append(
            _line(
                x(as_of),
                frame.y(recorded_now),
                x(deadline),
                frame.y(total.eligible),
                "pace",
                dashed=True,
            )
        )

    thinned = _thin(series, MAX_LINE_POINTS)
    body.append(frame.polyline("cumulative", ((p.date, p.cumulative) for p in thinned)))
    body.append(f'<circle class="now" cx="{_r(x(as_of))}" cy="{_r(frame.y(recorded_now))}" r="3"/>')

    desc = gettext(
        "Terekam %(recorded)s dari %(eligible)s wajib KTP (%(percent)s) per %(day)s."
    ) % {
        "recorded": fmt_int(recorded_now),
        "eligible": fmt_int(total.eligible),
        "percent": fmt_percent(total.coverage_percent),
        "day": fmt_day(as_of, "j M Y"),
    }
    keys = [
        ("key-cumulative", gettext("Terekam kumulatif")),
        ("key-eligible", gettext("Wajib KTP")),
        ("key-deadline", gettext("Batas waktu")),
    ]
    if still_open and deadline > as_of and total.eligible > recorded_now:
        keys.append(("key-pace", gettext("Laju yang dibutuhkan")))
    svg = _svg(ident=ident, height=frame.height, title=title, desc=desc, body=body)
    return _figure(svg, _keyed_caption(title, keys), ident)


def _keyed_caption(title: str, keys: list[tuple[str, str]]) -> SafeString:
    """The chart's title and a key per line: (css class, label)."""
    return format_html("<strong>{}</strong> ", title) + "".join(
        format_html('<span class="key {}">{}</span>', css, text) for css, text in keys
    )


def _buckets(dashboard: Dashboard) -> tuple[list[tuple[dt.date, dt.date, int]], bool]:
    """(first day, last day, recorded) per day, or per Monday-to-Sunday week if too many days."""
    if not dashboard.series:
        return [], False
    series = _dense_series(dashboard, _series_end(dashboard))
    if len(series) <= MAX_DAILY_BARS:
        return [(p.date, p.date, p.recorded) for p in series], False
    weeks: dict[dt.date, list] = {}
    for p in series:
        monday = p.date - dt.timedelta(days=p.date.weekday())
        week = weeks.setdefault(monday, [p.date, p.date, 0])
        week[1] = p.date
        week[2] += p.recorded
    return [tuple(w) for w in weeks.values()], True


def daily_chart(dashboard: Dashboard) -> SafeString:
    """Recorded per day (or per week on long series), against the rate the deadline needs."""
    ident = "grafik-harian"
    buckets, weekly = _buckets(dashboard)
    title = gettext("Terekam per minggu") if weekly else gettext("Terekam per hari")
    if not buckets:
        return _empty(ident, title)
    rate = dashboard.total.required_daily_rate or 0
    reference = rate * 7 if weekly else rate
    frame = _Frame(240, max(max(b[2] for b in buckets), reference, 1))
    slot = frame.plot_w / len(buckets)
    gap = slot * 0.2 if slot > 3 else 0

    body = frame.y_axis(gettext("Orang per minggu") if weekly else gettext("Orang per hari"))
    fmt = Formatter.active()  # one language lookup for the hundred-odd bar tooltips
    for i, (first, last, recorded) in enumerate(buckets):
        top = frame.y(recorded)
        if weekly:
            tip = f"{fmt.day(first, 'j M')}–{fmt.day(last)}: {fmt.int(recorded)}"
        else:
            tip = f"{fmt.day(first)}: {fmt.int(recorded)}"
        body.append(
            f'<rect class="bar" x="{_r(frame.left + i * slot + gap / 2)}" y="{_r(top)}" '
            f'width="{_r(slot - gap)}" height="{_r(frame.base - top)}">'
            f"<title>{escape(tip)}</title></rect>"
        )
    # First day at the left edge, a middle bar, and the last day at the right edge.
    last = len(buckets) - 1
    ticks = [(frame.left, fmt_day(buckets[0][0], "j M"), "start")]
    if last >= 2:
        middle = buckets[last // 2][0]
        ticks.append((frame.left + (last // 2 + 0.5) * slot, fmt_day(middle, "j M"), "middle"))
    if last >= 1:
        ticks.append((WIDTH - frame.right, fmt_day(buckets[-1][1], "j M Y"), "end"))
    for x, label, anchor in ticks:
        body.append(_text(x, frame.base + 14, label, "tick", anchor))
    body.append(frame.x_title(gettext("Minggu (Senin–Minggu)") if weekly else gettext("Tanggal")))
    if reference:
        y = frame.y(reference)
        body.append(_line(frame.left, y, WIDTH - frame.right, y, "required", dashed=True))
        body.append(
            _text(
                WIDTH - frame.right - 2,
                y - 4,
                gettext("Dibutuhkan %(n)s") % {"n": fmt_int(reference)},
                "label required-label",
                "end",
            )
        )
    recent = dashboard.total.recorded_last_7_days
    desc = gettext("%(n)s batang. Terekam 7 hari terakhir: %(recent)s.") % {
        "n": fmt_int(len(buckets)),
        "recent": fmt_int(recent),
    }
    caption = format_html("<strong>{}</strong>", title)
    if weekly:
        caption += format_html(
            " {}", gettext("Lebih dari %(n)s hari: dijumlah per minggu.") % {"n": MAX_DAILY_BARS}
        )
    if reference:
        caption += format_html(
            ' <span class="key key-required">{}</span>', gettext("Laju yang dibutuhkan")
        )
    svg = _svg(ident=ident, height=frame.height, title=title, desc=desc, body=body)
    return _figure(svg, caption, ident)


def _short(name: str, limit: int = 30) -> str:
    """A label that fits beside the bars; the full name is in the bar's tooltip."""
    name = name.replace("Kabupaten ", "Kab. ", 1)
    return name if len(name) <= limit else name[: limit - 1] + "…"


def children_chart(dashboard: Dashboard, *, child_label: str = "") -> SafeString:
    """Coverage of each child area as a bar coloured by band, the lowest first (at most 50)."""
    ident = "grafik-wilayah"
    title = gettext("Cakupan per wilayah")
    if child_label:
        title = gettext("Cakupan per %(level)s") % {"level": child_label}
    rows = [
        c for c in dashboard.children if isinstance(c, Coverage) and c.coverage_percent is not None
    ]
    if not rows:
        return _empty(ident, title)
    rows.sort(key=lambda c: (c.coverage_percent, c.name))
    shown = rows[:MAX_AREA_BARS]
    as_of = dashboard.total.as_of

    name_w, pct_w, top, row_h = 180, 46, 20, 18
    bar_w = WIDTH - name_w - pct_w
    scale_max = max(Decimal(100), max(c.coverage_percent for c in shown))
    height = top + row_h * len(shown) + 8

    def x(percent) -> float:
        return name_w + bar_w * float(percent) / float(scale_max)

    # Grid lines at the band limits; 95 stays unlabelled, too close to 100 to read. Only the
    # bars are read out (each says its own figures), not the scale.
    body = ['<g aria-hidden="true">']
    for mark in (0, BAND_MID, BAND_HIGH, BAND_DONE, 100):
        body.append(_line(x(mark), top - 4, x(mark), height - 6, "grid"))
        if mark != BAND_DONE:
            body.append(_text(x(mark), top - 8, f"{mark}%", "tick", "middle"))
    body.append("</g>")
    fmt = Formatter.active()
    tip_text = gettext("%(name)s: %(percent)s (%(recorded)s dari %(eligible)s)")
    for i, c in enumerate(shown):
        y = top + i * row_h
        percent = c.coverage_percent
        tip = tip_text % {
            "name": c.name,
            "percent": fmt.percent(percent),
            "recorded": fmt.int(c.recorded),
            "eligible": fmt.int(c.eligible),
        }
        # A row is one link (name, bar and figure) named by its tooltip, reachable by Tab and
        # by a screen reader's list of links; without a page to open, it is a labelled image.
        if c.url and as_of:
            open_tag = format_html(
                '<a href="{}?as_of={}" aria-label="{}">', c.url, as_of.isoformat(), tip
            )
            close_tag = "</a>"
        else:
            open_tag, close_tag = format_html('<g role="img" aria-label="{}">', tip), "</g>"
        body.append(
            f"{open_tag}<title>{escape(tip)}</title>"
            f"{_text(name_w - 6, y + 13, _short(c.name), 'name', 'end')}"
            f'<rect class="bar {band(percent)}" x="{name_w}" y="{_r(y + 3)}" '
            f'width="{_r(x(percent) - name_w)}" height="{row_h - 5}"/>'
            f"{_text(x(percent) + 4, y + 13, fmt.percent(percent), 'pct')}{close_tag}"
        )
    desc = gettext("%(n)s wilayah, diurutkan dari cakupan terendah.") % {"n": len(shown)}
    svg = _svg(ident=ident, height=height, title=title, desc=desc, body=body, links=True)

    caption = format_html("<strong>{}</strong> ", title) + "".join(
        format_html('<span class="key {}">{}</span>', css, text)
        for css, text in [
            # Whole percentages, written the same in every language.
            ("band-low", f"< {BAND_MID}%"),
            ("band-mid", f"{BAND_MID}–{BAND_HIGH}%"),
            ("band-high", f"{BAND_HIGH}–{BAND_DONE}%"),
            ("band-done", f"≥ {BAND_DONE}%"),
        ]
    )
    notes = []
    if len(rows) > MAX_AREA_BARS:
        notes.append(
            gettext("Hanya %(shown)s wilayah dengan cakupan terendah dari %(total)s.")
            % {"shown": MAX_AREA_BARS, "total": fmt_int(len(rows))}
        )
    missing = len(dashboard.children) - len(rows)
    if missing:
        notes.append(
            gettext("%(n)s wilayah tanpa data wajib KTP tidak ditampilkan.") % {"n": missing}
        )
    for note in notes:
        caption += format_html(' <span class="note">{}</span>', note)
    return _figure(svg, caption, ident)


def card_chart_period(dashboard: Dashboard) -> tuple[dt.date, dt.date]:
    """The days the card journey chart spans: those of the recording chart up to the series'
    end (not on to the deadline); without recordings, the two years up to that end."""
    end = _series_end(dashboard)
    if dashboard.series:
        return dashboard.series[0].date, end
    return end - dt.timedelta(days=SERIES_DAYS - 1), end


def _carried(points: list, field: str, start: dt.date, end: dt.date) -> list[int]:
    """A cumulative figure of `points` at the end of each day from `start` to `end`: the last
    point's on or before the day (level on days without reports), 0 before any."""
    by_day = {p.date: getattr(p, field) for p in points}
    values, current, day = [], 0, start
    while day <= end:
        current = by_day.get(day, current)
        values.append(current)
        day += dt.timedelta(days=1)
    return values


def card_journey_chart(dashboard: Dashboard, card_points: list, *, kecamatan: bool) -> SafeString:
    """Print-ready, printed and handed out so far per day over `card_chart_period` (a
    kecamatan, which prints nothing: received and handed out), recorded beside them in the text
    alternative. `card_points`:
    the area's cumulative card figures (`cards.selectors.card_series`) on the days they
    changed. A table of the figures on the axis' dates is the text alternative."""
    title = gettext("Perjalanan kartu dari waktu ke waktu")
    ident = "grafik-perjalanan-kartu"
    if not dashboard.series and not card_points:
        return _empty(ident, title, gettext("Belum ada data sampai tanggal ini."))
    start, end = card_chart_period(dashboard)
    recorded = (
        [p.cumulative for p in _dense_series(dashboard, end)]
        if dashboard.series
        else [dashboard.total.recorded] * ((end - start).days + 1)
    )
    steps = [("card-received", gettext("Diterima kecamatan"), "received")] if kecamatan else []
    if not kecamatan:
        steps += [
            ("card-print-ready", gettext("Siap cetak"), "print_ready"),
            ("card-printed", gettext("Dicetak"), "printed"),
        ]
    steps.append(("card-handed-out", gettext("Diserahkan"), "handed_out"))
    card_lines = [
        (css, label, _carried(card_points, field, start, end)) for css, label, field in steps
    ]
    # Recorded is in the text and the table, not on the plot: on the plot's scale it dwarfs the
    # cards (OKU Timur in April 2012: 360.381 recorded, 1.080 printed), which would lie flat on
    # the axis; the recording chart above draws it.
    lines = [("card-recorded", gettext("Terekam"), recorded), *card_lines]
    days = [start + dt.timedelta(days=n) for n in range(len(recorded))]

    frame = _TimeFrame(270, max(max(values[-1] for _, _, values in card_lines), 1), start, end)
    body = frame.axes(gettext("Kartu (kumulatif)"))
    shown = _thin(list(range(len(days))), MAX_LINE_POINTS)
    for css, _, values in card_lines:
        body.append(frame.polyline(css, ((days[i], values[i]) for i in shown)))

    fmt = Formatter.active()
    desc = gettext("Kumulatif per %(day)s: %(figures)s.") % {
        "day": fmt.day(end, "j M Y"),
        "figures": "; ".join(f"{label} {fmt.int(values[-1])}" for _, label, values in lines),
    }
    svg = _svg(ident=ident, height=frame.height, title=title, desc=desc, body=body)
    caption = _keyed_caption(title, [(css, label) for css, label, _ in card_lines])
    table_days = sorted({day for day, _ in _date_ticks(start, end) if day <= end} | {end})
    return _figure(svg, caption, ident, _figures_table(lines, table_days, start, fmt))


def _figures_table(lines, days: list[dt.date], start: dt.date, fmt: Formatter) -> SafeString:
    """The lines' figures on a few days, as a table folded under the chart."""
    head = format_html('<th scope="col">{}</th>', gettext("Tanggal")) + "".join(
        format_html('<th scope="col">{}</th>', label) for _, label, _ in lines
    )
    rows = "".join(
        format_html('<tr><th scope="row">{}</th>', fmt.day(day, "j M Y"))
        + "".join(
            format_html("<td>{}</td>", fmt.int(values[(day - start).days])) for *_, values in lines
        )
        + "</tr>"
        for day in days
    )
    return format_html(
        '<details class="chart-table"><summary>{}</summary><div class="table-scroll">'
        '<table class="data"><thead><tr>{}</tr></thead><tbody>{}</tbody></table></div></details>',
        gettext("Angka grafik dalam tabel"),
        mark_safe(head),
        mark_safe(rows),
    )
