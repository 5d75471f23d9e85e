"""Cards waiting and hand-out events on the dashboards, on hand-made reports and events (the
demo's are in test_card_journey_pages.py): every figure worked out by hand."""

import datetime as dt

import pytest

from cards.choices import HandoutStatus
from cards.models import HandoutEvent
from cards.services.blanko import blanko_receipt_record
from cards.services.reports import card_reports_save
from districts.models import Regency, SubDistrict
from tests.cards.conftest import row

pytestmark = pytest.mark.django_db

D = dt.date
AS_OF = "as_of=2012-04-16"  # 30 days before: 17 March


@pytest.fixture
def reports(db):
    blanko_receipt_record(
        regency=Regency.objects.get(code="16.08"),
        date=D(2012, 1, 2),
        quantity=1_000,
        reference="470/1",
        user=None,
    )
    card_reports_save(
        rows=[
            row("16.08", D(2012, 1, 20), printed=700),
            # 16.08.01: 300 received on 20 February, 100 handed out: 200 wait since then.
            row("16.08.01", D(2012, 2, 20), received=300),
            row("16.08.01", D(2012, 3, 1), handed_out=100),
            # 16.08.03: 150 received on 1 February, none handed out: the oldest.
            row("16.08.03", D(2012, 2, 1), received=150),
            # 16.08.02: everything handed out; 16.08.04: received 10 days ago, not long.
            row("16.08.02", D(2012, 2, 1), received=50),
            row("16.08.02", D(2012, 2, 2), handed_out=50),
            row("16.08.04", D(2012, 4, 6), received=200),
        ],
        user=None,
    )


def _section(client, url: str) -> str:
    html = client.get(url).content.decode()
    return " ".join(html[html.index('<section class="card-waiting"') :].split())


def test_regency_page_lists_its_kecamatan_with_cards_waiting_oldest_first(
    client, viewer_sumsel, reports
):
    client.force_login(viewer_sumsel)
    section = _section(client, f"/wilayah/16.08/?{AS_OF}")

    # The print office printed 700 on 20 January; its kecamatan handed out 150: 550 wait,
    # all of them more than 30 days.
    assert (
        '<span class="label">Menunggu lebih dari 30 hari</span><span class="value">550</span> '
        '<span class="note">terlama sejak 20 Jan 2012 (87 hari)</span>'
    ) in section
    listed = section[section.index('<ol class="waiting-children">') : section.index("</ol>")]
    items = [item.split("</li>")[0] for item in listed.split("<li>")[1:]]
    assert len(items) == 2  # not 16.08.02 (all handed out) nor 16.08.04 (10 days)
    assert 'href="/wilayah/16.08.03/?as_of=2012-04-16"' in items[0]
    assert "150 kartu lebih dari 30 hari, terlama sejak 1 Feb 2012 (75 hari)" in items[0]
    assert 'href="/wilayah/16.08.01/?as_of=2012-04-16"' in items[1]
    assert "200 kartu lebih dari 30 hari, terlama sejak 20 Feb 2012 (56 hari)" in items[1]


def test_kecamatan_page_shows_its_received_cards_waiting(client, viewer_sumsel, reports):
    client.force_login(viewer_sumsel)
    section = _section(client, f"/wilayah/16.08.01/?{AS_OF}")
    assert (
        '<div class="warn"><span class="label">Menunggu lebih dari 30 hari</span>'
        '<span class="value">200</span>'
    ) in section
    assert "terlama sejak 20 Feb 2012 (56 hari)" in section
    # On 1 March, 30 days back is 31 January: nothing received by then.
    earlier = _section(client, "/wilayah/16.08.01/?as_of=2012-03-01")
    assert '<span class="value">0</span>' in earlier
    assert "terlama sejak 20 Feb 2012 (10 hari)" in earlier


def _event(code, *, planned_on=None, status=HandoutStatus.PLANNED, **fields):
    return HandoutEvent.objects.create(
        sub_district_id=code, planned_on=planned_on, planned_count=100, status=status, **fields
    )


def test_regency_page_shows_its_kecamatans_handout_events(client, viewer_sumsel, db):
    overdue = _event("16.08.01", planned_on=D(2012, 4, 10), place="Aula Kecamatan")
    postponed = _event(
        "16.08.02",
        planned_on=D(2012, 4, 12),
        status=HandoutStatus.POSTPONED,
        postponed_reason="Camat dinas luar",
    )
    undated = _event("16.08.03", note="menunggu jadwal bupati")
    upcoming = _event("16.08.01", planned_on=D(2012, 4, 20))
    held = _event(
        "16.08.02", planned_on=D(2012, 4, 2), status=HandoutStatus.HELD, held_on=D(2012, 4, 3)
    )
    _event("16.08.02", planned_on=D(2012, 2, 1), status=HandoutStatus.HELD, held_on=D(2012, 2, 1))
    _event("16.09.01", planned_on=D(2012, 4, 10))  # another regency's
    client.force_login(viewer_sumsel)
    section = _section(client, f"/wilayah/16.08/?{AS_OF}")

    assert (
        "Terlambat 1 · ditunda 1 · belum dijadwalkan 1 · akan datang 1 · "
        "terlaksana 30 hari terakhir 1"
    ) in section
    rows = [r.split("</tr>")[0] for r in section.split('<tr class="handout-')[1:]]
    groups = [r.split('"')[0] for r in rows]
    assert groups == ["overdue", "postponed", "undated", "upcoming", "held"]
    name = SubDistrict.objects.get(code="16.08.01").name
    assert f'<a href="/kartu/pembagian/?area=16.08.01#jadwal-{overdue.pk}">{name}</a>' in rows[0]
    assert "terlambat, belum terlaksana" in rows[0] and "<td>10 Apr 2012</td>" in rows[0]
    assert "Aula Kecamatan" in rows[0]
    assert f"#jadwal-{postponed.pk}" in rows[1] and "ditunda</span>: Camat dinas luar" in rows[1]
    assert f"#jadwal-{undated.pk}" in rows[2] and "belum dijadwalkan" in rows[2]
    assert "menunggu jadwal bupati" in rows[2] and "<td>—</td>" in rows[2]
    assert f"#jadwal-{upcoming.pk}" in rows[3] and "<td>20 Apr 2012</td>" in rows[3]
    assert f"#jadwal-{held.pk}" in rows[4] and "<td>3 Apr 2012</td>" in rows[4]


def test_national_page_lists_20_events_and_counts_the_rest(client, admin_user, db):
    HandoutEvent.objects.bulk_create(
        HandoutEvent(sub_district_id="16.08.01", planned_on=None, planned_count=n)
        for n in range(25)
    )
    client.force_login(admin_user)
    section = _section(client, f"/wilayah/?{AS_OF}")

    assert section.count('<tr class="handout-undated">') == 20
    assert "… dan 5 jadwal lainnya." in section
    assert "belum dijadwalkan 25" in section
    # The hand-out page takes a regency or a kecamatan, not the nation.
    assert '<a href="/kartu/pembagian/?area=">' not in section
