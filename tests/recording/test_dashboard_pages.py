"""The region dashboards as a user sees them: cards, alerts, the children table and charts.

Most tests read the demo (OKU Timur, 16 Apr 2012) through the real view; the national-size
page and the odd cases use a Dashboard built here in place of the selector.
"""

import datetime as dt
import gzip
import re
from html.parser import HTMLParser

import pytest
from django.template.loader import get_template

from districts.models import Province
from recording.coverage import Coverage, Dashboard, DayPoint, DownDevice

AS_OF = "as_of=2012-04-16"
STORY_DAY = dt.date(2012, 4, 16)


def _codes(html: str) -> list[str]:
    """The child codes in table order."""
    return re.findall(r'<td class="code">([\d.]+)</td>', html)


def _rows(html: str) -> list[str]:
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


@pytest.fixture
def oku_timur_page(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    response = client.get(f"/wilayah/16.08/?{AS_OF}")
    assert response.status_code == 200
    return response.content.decode()


def test_cards_show_the_figures_in_indonesian_format(oku_timur_page):
    html = oku_timur_page
    assert "Keadaan per 16 Apr 2012" in html
    for figure in ("442.800", "360.381", "81,4%", "82.419", "5.888"):
        assert figure in html, figure
    assert "30 Apr 2012" in html and "sisa 14 hari" in html
    assert '<span class="badge progress-late">Terlambat</span>' in html
    assert '<meter min="0" max="442800"' in html and 'value="360381"' in html
    # 29 devices in service, 2 of them at the vendor.
    assert "27 beroperasi · 2 rusak/di vendor" in html


def test_down_stations_are_listed_with_their_days_down(oku_timur_page):
    alert = oku_timur_page.split('class="alert-box down"', 1)[1].split("</section>", 1)[0]
    assert "2 alat rusak atau di vendor" in alert
    items = re.findall(r"<li>.*?</li>", alert, re.S)
    # Longest down first.
    assert "SMS-1608-12-1" in items[0] and "14 hari" in items[0] and "sejak 2 Apr 2012" in items[0]
    assert "SMS-1608-20-1" in items[1] and "11 hari" in items[1]
    assert 'href="/alat/SMS-1608-12-1/?as_of=2012-04-16"' in items[0]
    assert "Di vendor" in items[0] and "Buay Madang Timur" in items[0]
    assert re.search(r"perkiraan ± [\d.]+ orang belum terekam", items[0])


def test_kecamatan_without_a_working_device_is_flagged_loudly(oku_timur_page):
    html = oku_timur_page
    critical = html.split('class="alert-box critical"', 1)[1].split("</section>", 1)[0]
    # The regency has working stations: the headline names the kecamatan that have none.
    assert "2 kecamatan tanpa alat yang berfungsi" in critical
    assert "Tidak ada alat yang berfungsi" not in critical
    assert "Buay Madang Timur" in critical and "Buay Pemuka Bangsa Raja" in critical
    row = next(r for r in _rows(html) if "16.08.12" in r)
    assert re.match(r'<tr class="down-all\b', row)
    healthy = next(r for r in _rows(html) if "16.08.01" in r)
    assert "down" not in healthy.split(">", 1)[0]


def test_children_table_links_and_formats_each_row(oku_timur_page):
    row = next(r for r in _rows(oku_timur_page) if "16.08.12" in r)
    assert '<a href="/wilayah/16.08.12/?as_of=2012-04-16">Buay Madang Timur</a>' in row
    assert "42.577" in row and "20.879" in row and "49,0%" in row
    assert "tidak selesai" in row  # nothing recorded in the last 7 days
    assert "1 (terlama 14 hari)" in re.sub(r"<[^>]+>", "", row)
    assert '<td class="num">' in row


def test_sorting_by_coverage_reorders_the_rows(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)

    def percents(order: str) -> list[float]:
        table = client.get(f"/wilayah/16.08/?{AS_OF}&sort={order}").context["table"]
        return [float(row.record.coverage_percent) for row in table.page.object_list]

    ascending, descending = percents("coverage_percent"), percents("-coverage_percent")
    assert len(ascending) == 20
    assert ascending == sorted(ascending) and ascending[0] == 49.0  # Buay Madang Timur
    assert descending == sorted(ascending, reverse=True)
    # The sort links keep the day.
    html = client.get(f"/wilayah/16.08/?{AS_OF}").content.decode()
    assert "?as_of=2012-04-16&amp;sort=coverage_percent" in html


def test_every_column_sorts_both_ways(client, viewer_sumsel, loaded):
    client.force_login(viewer_sumsel)
    html = client.get(f"/wilayah/16.08/?{AS_OF}").content.decode()
    columns = set(re.findall(r"sort=(-?\w+)", html))
    assert {"coverage_percent", "projected_completion", "progress", "last_report"} <= columns
    for column in columns:
        for order in (column.lstrip("-"), "-" + column.lstrip("-")):
            response = client.get(f"/wilayah/16.08/?{AS_OF}&sort={order}")
            assert response.status_code == 200, order
            assert len(response.context["table"].page.object_list) == 20, order


def test_kecamatan_page_lists_its_devices(client, operator_oku_timur, loaded):
    client.force_login(operator_oku_timur)
    html = client.get(f"/wilayah/16.08.12/?{AS_OF}").content.decode()
    (row,) = _rows(html)
    assert '<a href="/alat/SMS-1608-12-1/?as_of=2012-04-16">SMS-1608-12-1</a>' in row
    text = re.sub(r"<[^>]+>", "", row)  # what the reader sees
    assert "Di vendor sejak 2 Apr 2012 (14 hari)" in text
    assert "20.879" in row
    assert re.match(r'<tr class="down\b', row)
    assert "Semua alat di Buay Madang Timur (1) rusak atau di vendor" in html


def test_page_has_svg_charts_and_no_inline_script_or_style(oku_timur_page):
    html = oku_timur_page
    for chart in ("grafik-kumulatif", "grafik-harian", "grafik-wilayah"):
        assert f'id="{chart}"' in html, chart
    assert html.count("<svg") == 4  # and the card journey over time
    # One script, the app's own file (the policy forbids inline ones): it bounds a table's box
    # only when the table is wider than it.
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/tables.js" defer>']
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_export_links_carry_the_day(oku_timur_page):
    assert 'href="?as_of=2012-04-16&amp;_export=csv"' in oku_timur_page
    assert 'href="?as_of=2012-04-16&amp;_export=xlsx"' in oku_timur_page


# --- Built dashboards: national size, many children, missing figures ---------------------------


def _series(days: int, as_of: dt.date = STORY_DAY) -> list[DayPoint]:
    points, cumulative = [], 0
    for n in range(days):
        recorded = 40_000 + (n * 7919) % 25_000
        cumulative += recorded
        points.append(DayPoint(as_of - dt.timedelta(days=days - 1 - n), recorded, cumulative))
    return points


def _national(children: list[Coverage], *, days: int = 730, down: int = 0) -> Dashboard:
    series = _series(days)
    total = Coverage(
        code="",
        name="Indonesia",
        as_of=STORY_DAY,
        url="/wilayah/",
        eligible=sum(c.eligible for c in children),
        recorded=sum(c.recorded for c in children),
        recorded_last_7_days=sum(c.recorded_last_7_days for c in children),
        deadline=dt.date(2012, 12, 31),
        devices=sum(c.devices for c in children),
        devices_down=sum(c.devices_down for c in children),
        working_capacity=500_000,
    )
    down_devices = [
        DownDevice(
            serial=f"ALAT-{n:04d}",
            label=f"Alat {n}",
            sub_district_code="16.08.12",
            sub_district_name="Buay Madang Timur",
            status="broken",
            status_label="Rusak",
            since=STORY_DAY - dt.timedelta(days=60 - n),
            days_down=60 - n,
            url=f"/alat/ALAT-{n:04d}/",
        )
        for n in range(down)
    ]
    return Dashboard(total=total, children=children, series=series, down_devices=down_devices)


def _provinces() -> list[Coverage]:
    children = []
    for n, (code, name) in enumerate(Province.objects.order_by("code").values_list("code", "name")):
        eligible = 1_000_000 + n * 137_111
        children.append(
            Coverage(
                code=code,
                name=name,
                as_of=STORY_DAY,
                url=f"/wilayah/{code}/",
                eligible=eligible,
                recorded=eligible * (40 + n) // 100,
                recorded_last_7_days=20_000 + n * 1_000,
                deadline=dt.date(2012, 12, 31),
                devices=300 + n,
                devices_down=n % 4,
                working_capacity=60_000,
                longest_down_days=n % 4 * 5,
                last_report=STORY_DAY,
                not_reported=n % 3,
            )
        )
    return children


@pytest.fixture
def fake_dashboard(monkeypatch):
    """Serve the given Dashboard in place of the selector's."""

    def use(dashboard: Dashboard):
        monkeypatch.setattr("recording.views.dashboards.area_dashboard", lambda **kwargs: dashboard)
        return dashboard

    return use


def test_national_page_stays_light(client, admin_user, fake_dashboard):
    dashboard = fake_dashboard(_national(_provinces(), days=730, down=40))
    assert len(dashboard.children) == 38
    client.force_login(admin_user)
    response = client.get(f"/wilayah/?{AS_OF}")
    html = response.content.decode()
    assert len(_codes(html)) == 38
    assert html.count("<svg") == 4  # and the card journey over time
    # 30 down devices by name, the other 10 counted.
    assert "40 alat rusak atau di vendor" in html and "dan 10 alat lainnya" in html
    compressed = len(gzip.compress(response.content))
    print(f"national page: {len(response.content)} bytes, {compressed} gzipped")
    assert compressed < 60_000


def test_children_table_pages_at_50_rows(client, admin_user, fake_dashboard):
    children = [
        Coverage(
            code=f"16.08.{n:02d}", name=f"Kecamatan {n:02d}", url="/wilayah/16.08/", eligible=100
        )
        for n in range(1, 61)
    ]
    fake_dashboard(_national(children, days=10))
    client.force_login(admin_user)
    first = client.get(f"/wilayah/?{AS_OF}").content.decode()
    assert len(_codes(first)) == 50
    assert "Berikutnya" in first and "page=2" in first
    second = client.get(f"/wilayah/?{AS_OF}&page=2").content.decode()
    assert _codes(second) == [f"16.08.{n}" for n in range(51, 61)]


@pytest.mark.parametrize(
    "column",
    ["coverage_percent", "required_daily_rate", "projected_completion", "progress", "last_report"],
)
def test_missing_figures_sort_last_without_crashing(client, admin_user, fake_dashboard, column):
    with_figures = [
        Coverage(
            code=f"16.0{n}",
            name=f"Ada {n}",
            as_of=STORY_DAY,
            eligible=1_000,
            recorded=100 * n,
            recorded_last_7_days=70 * n,
            deadline=dt.date(2012, 6, 30),
            last_report=STORY_DAY - dt.timedelta(days=n),
        )
        for n in (1, 2, 3)
    ]
    without = Coverage(code="16.09", name="Tanpa data", as_of=STORY_DAY)  # no eligible, no report
    fake_dashboard(_national([without, *with_figures], days=10))
    client.force_login(admin_user)
    for order in (column, f"-{column}"):
        response = client.get(f"/wilayah/?{AS_OF}&sort={order}")
        assert response.status_code == 200
        codes = _codes(response.content.decode())
        assert codes[-1] == "16.09", order


@pytest.mark.parametrize(
    "query", ["per_page=-1", "per_page=0", "page=abc", "page=999", "sort=nonsense", "sort=-"]
)
def test_odd_table_parameters_still_show_the_page(client, admin_user, fake_dashboard, query):
    children = [Coverage(code=f"16.{n:02d}", name=f"Wilayah {n}", eligible=10) for n in range(60)]
    fake_dashboard(_national(children, days=10))
    client.force_login(admin_user)
    response = client.get(f"/wilayah/?{AS_OF}&{query}")
    assert response.status_code == 200
    assert len(_codes(response.content.decode())) in (50, 10)


class _Rows(HTMLParser):
    """The rows of a `<tbody>`: each row's class, and each cell's attributes and content as a
    list of tags (attributes sorted) and texts (whitespace squeezed)."""

    def __init__(self, html: str):
        super().__init__()
        self.rows, self.cell = [], None
        self.feed(html.split("<tbody", 1)[1].split("</tbody>", 1)[0].split(">", 1)[1])

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append((dict(attrs).get("class", ""), []))
        elif tag == "td":
            self.cell = []
            self.rows[-1][1].append((sorted(attrs), self.cell))
        else:
            self.cell.append((tag, sorted(attrs)))

    def handle_endtag(self, tag):
        if tag not in ("tr", "td"):
            self.cell.append(f"/{tag}")

    def handle_data(self, data):
        if self.cell is not None and (text := " ".join(data.split())):
            self.cell.append(text)


@pytest.mark.parametrize(
    "url", ["/wilayah/16.08/", "/wilayah/16.08/?sort=-devices_down", "/wilayah/16.08.12/"]
)
def test_the_fast_table_body_renders_what_django_tables2_would(client, viewer_sumsel, loaded, url):
    client.force_login(viewer_sumsel)
    response = client.get(url, {"as_of": "2012-04-16"})
    table = response.context["table"]
    fast = _Rows(response.content.decode()).rows
    own = _Rows(
        get_template("django_tables2/table.html").render(
            {"table": table}, request=response.wsgi_request
        )
    ).rows
    # django-tables2 also marks rows "even" and "odd"; no style or script reads those.
    own = [
        (" ".join(c for c in css.split() if c not in ("even", "odd")), cells) for css, cells in own
    ]
    assert len(fast) == len(table.page.object_list) > 0
    assert fast == own
