"""The dashboard charts: inline SVG built from a Dashboard, without the database."""

import datetime as dt
import re

from cards.selectors import CardDayPoint
from recording.charts import card_journey_chart, children_chart, cumulative_chart, daily_chart
from recording.coverage import Coverage, Dashboard, DayPoint

D = dt.date
AS_OF, DEADLINE = D(2012, 4, 16), D(2012, 4, 30)


def _series(first: dt.date, days: int, per_day: int = 100, skip=()) -> list[DayPoint]:
    points, cumulative = [], 0
    for n in range(days):
        if n in skip:
            continue  # selectors leave out days without counts
        cumulative += per_day
        points.append(
            DayPoint(date=first + dt.timedelta(days=n), recorded=per_day, cumulative=cumulative)
        )
    return points


def _dashboard(*, days=30, per_day=100, eligible=10_000, deadline=DEADLINE, children=(), skip=()):
    first = D(2012, 4, 16) - dt.timedelta(days=days - 1)
    series = _series(first, days, per_day, skip)
    total = Coverage(
        code="16.08",
        name="OKU Timur",
        as_of=D(2012, 4, 16),
        eligible=eligible,
        recorded=series[-1].cumulative if series else 0,
        recorded_last_7_days=per_day * 7,
        deadline=deadline,
        devices=3,
        working_capacity=1_000,
    )
    return Dashboard(total=total, children=list(children), series=series)


def _area(code: str, name: str, eligible: int, recorded: int) -> Coverage:
    return Coverage(
        code=code,
        name=name,
        as_of=D(2012, 4, 16),
        url=f"/wilayah/{code}/",
        eligible=eligible,
        recorded=recorded,
    )


def _points(svg: str) -> list[tuple[float, float]]:
    raw = re.search(r'<polyline class="cumulative" points="([^"]+)"', svg).group(1)
    return [tuple(float(v) for v in pair.split(",")) for pair in raw.split()]


def _bars(svg: str) -> list[str]:
    return re.findall(r'<rect class="bar[^"]*"[^>]*>', svg)


def test_cumulative_line_has_a_point_per_day_and_ends_at_the_total():
    svg = cumulative_chart(_dashboard(days=30))
    points = _points(svg)
    assert len(points) == 30
    assert points == sorted(points)  # left to right, rising
    assert "Terekam 3.000 dari 10.000 wajib KTP (30,0%) per 16 Apr 2012." in svg


def test_days_without_counts_are_flat_not_skipped():
    svg = cumulative_chart(_dashboard(days=10, skip={4, 5}))
    points = _points(svg)
    assert len(points) == 10
    assert points[3][1] == points[4][1] == points[5][1]  # nothing recorded: the line stays level


def test_cumulative_chart_shows_eligible_line_and_deadline():
    svg = cumulative_chart(_dashboard())
    assert '<line class="eligible"' in svg and "Wajib KTP 10.000" in svg
    assert '<line class="deadline"' in svg and "Batas waktu 30 Apr 2012" in svg
    assert 'role="img"' in svg and "<title" in svg and 'viewBox="0 0 ' in svg
    assert 'width="100%"' in svg


def test_axis_runs_to_a_later_deadline_with_the_required_pace_dashed():
    svg = cumulative_chart(_dashboard(days=30, deadline=D(2012, 6, 30)))
    deadline_x = float(re.search(r'<line class="deadline" x1="([\d.]+)"', svg).group(1))
    last_point_x = _points(svg)[-1][0]
    assert deadline_x > last_point_x  # the axis extends past today to the deadline
    pace = re.search(
        r'<line class="pace" x1="([\d.]+)" y1="([\d.]+)" x2="([\d.]+)" y2="([\d.]+)"', svg
    )
    assert re.search(r'<line class="pace"[^>]*stroke-dasharray', svg)  # dashed
    x1, y1, x2, y2 = (float(v) for v in pace.groups())
    eligible_y = float(re.search(r'<line class="eligible" x1="[\d.]+" y1="([\d.]+)"', svg).group(1))
    assert (x1, y1) == _points(svg)[-1]  # from today's total...
    assert (x2, y2) == (deadline_x, eligible_y)  # ...to everyone recorded on the deadline


def test_no_pace_line_once_the_deadline_has_passed():
    svg = cumulative_chart(_dashboard(deadline=D(2012, 4, 10)))
    assert 'class="pace"' not in svg
    assert '<line class="deadline"' in svg  # still marked, inside the axis


def test_daily_bars_one_per_day_up_to_120_days():
    assert len(_bars(daily_chart(_dashboard(days=120)))) == 120
    # A day without counts is an empty bar, not a missing one.
    assert len(_bars(daily_chart(_dashboard(days=60, skip={10, 11})))) == 60


def test_longer_series_are_summed_per_week():
    dashboard = _dashboard(days=121, per_day=10)
    svg = daily_chart(dashboard)
    mondays = {p.date - dt.timedelta(days=p.date.weekday()) for p in dashboard.series}
    assert len(_bars(svg)) == len(mondays) == 19
    assert "Terekam per minggu" in svg
    # A full week in the middle holds 7 days of 10.
    assert re.search(r"<title>\d+ \w+–\d+ \w+ \d{4}: 70</title>", svg)


def test_required_daily_rate_is_drawn_on_the_daily_chart():
    svg = daily_chart(_dashboard(days=30))  # 7,000 left over 14 days
    assert '<line class="required"' in svg and "Dibutuhkan 500" in svg


def test_children_sorted_lowest_first_and_coloured_by_band():
    children = [
        _area("16.08.01", "Hijau", 1_000, 960),
        _area("16.08.02", "Merah", 1_000, 400),
        _area("16.08.03", "Kuning", 1_000, 650),
        _area("16.08.04", "Hijau muda", 1_000, 814),
    ]
    svg = children_chart(_dashboard(children=children), child_label="kecamatan")
    names = re.findall(r'class="name" text-anchor="end">([^<]+)<', svg)
    assert names == ["Merah", "Kuning", "Hijau muda", "Hijau"]
    bands = re.findall(r'<rect class="bar (band-\w+)"', svg)
    assert bands == ["band-low", "band-mid", "band-high", "band-done"]
    assert "81,4%" in svg and "Cakupan per kecamatan" in svg
    assert 'href="/wilayah/16.08.02/?as_of=2012-04-16"' in svg


def test_children_chart_keeps_the_50_lowest_and_says_so():
    children = [_area(f"16.{n:02d}", f"Wilayah {n:02d}", 1_000, 300 + n * 10) for n in range(60)]
    html = children_chart(_dashboard(children=children))
    assert len(_bars(html)) == 50
    assert "Wilayah 00" in html and "Wilayah 49" in html and "Wilayah 50" not in html
    assert "Hanya 50 wilayah dengan cakupan terendah dari 60." in html


def test_children_without_eligible_figures_are_left_out_with_a_note():
    children = [_area("16.08.01", "Ada", 1_000, 500), _area("16.08.02", "Kosong", 0, 0)]
    html = children_chart(_dashboard(children=children))
    assert len(_bars(html)) == 1 and "Kosong" not in html
    assert "1 wilayah tanpa data wajib KTP tidak ditampilkan." in html


def test_names_are_escaped():
    children = [_area("16.08.01", 'Tanjung <Raja> & "Sungai"', 1_000, 500)]
    html = children_chart(_dashboard(children=children))
    assert "Tanjung &lt;Raja&gt; &amp; &quot;Sungai&quot;" in html
    assert "<Raja>" not in html


def test_two_years_of_days_stay_small():
    dashboard = _dashboard(days=730, eligible=5_000_000, per_day=5_000)
    cumulative, daily = cumulative_chart(dashboard), daily_chart(dashboard)
    assert len(_points(cumulative)) <= 730
    weeks = {p.date - dt.timedelta(days=p.date.weekday()) for p in dashboard.series}
    assert len(_bars(daily)) == len(weeks) == 106  # two partial weeks at the ends
    assert len(cumulative.encode()) + len(daily.encode()) < 40_000
    assert re.search(r'points="\d+(\.\d)?,\d+(\.\d)? ', cumulative)  # one decimal at most
    assert ">2 jt<" in cumulative and ">4 jt<" in cumulative  # axis in juta


def test_no_series_says_so_instead_of_an_empty_chart():
    dashboard = _dashboard()
    dashboard.series = []
    assert "Belum ada data perekaman" in cumulative_chart(dashboard)
    assert "<svg" not in daily_chart(dashboard)


def _card_points(*rows) -> list[CardDayPoint]:
    """(day, print-ready, printed, received, handed out), cumulative, on the days they changed."""
    return [CardDayPoint(*row) for row in rows]


# 30 days to 16 April of 100 recorded; print-ready from 1 April, the rest from 10 April.
CARD_POINTS = _card_points(
    (D(2012, 4, 1), 500, 0, 0, 0),
    (D(2012, 4, 10), 1_500, 800, 500, 100),
    (D(2012, 4, 16), 2_400, 2_000, 800, 150),
)


def _line(svg: str, css: str) -> list[tuple[float, float]]:
    raw = re.search(rf'<polyline class="{css}" points="([^"]+)"', svg).group(1)
    return [tuple(float(v) for v in pair.split(",")) for pair in raw.split()]


def test_card_journey_lines_are_cumulative_per_day_and_level_between_reports():
    # Recorded reaches 3.000 here too: it must not set the scale (see the second test).
    svg = card_journey_chart(_dashboard(days=30), CARD_POINTS, kecamatan=False)
    lines = {
        css: _line(svg, css) for css in ("card-print-ready", "card-printed", "card-handed-out")
    }

    assert {css: len(points) for css, points in lines.items()} == dict.fromkeys(lines, 30)
    # The axis is scaled to the highest card line, print-ready's 2.400, rounded up to a whole
    # step of 1.000: 3.000. Recorded is not drawn (at 360.381 against 1.080 printed, as in OKU
    # Timur, it would flatten the cards). y = 22 + 208 × (1 - figure / 3.000).
    printed_y = [y for _, y in lines["card-printed"]]
    assert printed_y[:23] == [230] * 23  # 18 March to 9 April: nothing printed yet
    assert printed_y[23:29] == [174.5] * 6  # 10 to 15 April: 800 (22 + 152,5)
    assert printed_y[29] == 91.3  # 16 April: 2.000 (22 + 69,3)
    assert lines["card-print-ready"][-1][1] == 63.6  # 2.400 (22 + 41,6)
    assert '<polyline class="card-recorded"' not in svg
    assert '<polyline class="card-received"' not in svg


def test_the_card_scale_ignores_the_recorded_total():
    dashboard = _dashboard(days=30, eligible=500_000, per_day=10_000)  # 300.000 recorded
    svg = card_journey_chart(dashboard, CARD_POINTS, kecamatan=False)

    assert "Terekam 300.000; Siap cetak 2.400" in svg
    assert _line(svg, "card-printed")[-1][1] == 91.3  # 2.000 of 3.000, as above


def test_card_journey_text_alternative_and_table():
    svg = card_journey_chart(_dashboard(days=30), CARD_POINTS, kecamatan=False)

    assert "Perjalanan kartu dari waktu ke waktu" in svg
    assert (
        '<desc id="grafik-perjalanan-kartu-d">Kumulatif per 16 Apr 2012: Terekam 3.000; '
        "Siap cetak 2.400; Dicetak 2.000; Diserahkan 150.</desc>"
    ) in svg
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th>((?:<td>[^<]*</td>)+)</tr>', svg)
    table = {day: re.findall(r"<td>([^<]*)</td>", cells) for day, cells in rows}
    # The axis' dates: 18 and 25 March, 1, 9 and 16 April (recorded 100 a day from 18 March).
    assert table == {
        "18 Mar 2012": ["100", "0", "0", "0"],
        "25 Mar 2012": ["800", "0", "0", "0"],
        "1 Apr 2012": ["1.500", "500", "0", "0"],
        "9 Apr 2012": ["2.300", "500", "0", "0"],
        "16 Apr 2012": ["3.000", "2.400", "2.000", "150"],
    }
    assert "<summary>Angka grafik dalam tabel</summary>" in svg


def test_a_kecamatans_card_journey_shows_received_instead_of_print_figures():
    svg = card_journey_chart(_dashboard(days=30), CARD_POINTS, kecamatan=True)

    assert "Terekam 3.000; Diterima kecamatan 800; Diserahkan 150." in svg
    assert '<polyline class="card-received"' in svg
    assert "card-print-ready" not in svg and "card-printed" not in svg


def test_two_years_of_card_journey_are_thinned_keeping_the_last_day():
    dashboard = _dashboard(days=730, eligible=5_000_000, per_day=5_000)
    points = _card_points((D(2010, 5, 1), 1_000, 500, 400, 300), (AS_OF, 3_000, 2_000, 0, 1_000))
    svg = card_journey_chart(dashboard, points, kecamatan=False)

    for css in ("card-print-ready", "card-printed", "card-handed-out"):
        line = _line(svg, css)
        assert len(line) <= 366 and line[-1][0] == 386  # the right edge: 400 - 14
    assert len(svg.encode()) < 40_000


def test_card_journey_without_recordings_says_the_total_and_when_empty():
    dashboard = _dashboard(days=30)
    dashboard.series = []
    dashboard.total.recorded = 1_200  # all before the two years
    svg = card_journey_chart(dashboard, CARD_POINTS, kecamatan=False)

    assert "Kumulatif per 16 Apr 2012: Terekam 1.200; Siap cetak 2.400;" in svg
    # The two years to the page's day, from the left edge to the right (400 - 14).
    printed = _line(svg, "card-printed")
    assert (printed[0][0], printed[-1][0]) == (68, 386)
    assert len(printed) == 366
    empty = card_journey_chart(dashboard, [], kecamatan=False)
    assert "<svg" not in empty and "Belum ada data sampai tanggal ini." in empty
