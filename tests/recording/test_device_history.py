"""The device page shows every change of a count: old and new value, who, when and how."""

import datetime as dt
import html
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from recording.models import CountImport, DailyCount, DailyCountRevision, EntrySource

DAY = dt.date(2012, 4, 16)


def _text(response_or_html) -> str:
    """What a reader sees: no tags, entities decoded, whitespace squeezed."""
    page = getattr(response_or_html, "content", response_or_html)
    page = page.decode() if isinstance(page, bytes) else page
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", page))).strip()


def _history(response) -> str:
    page = response.content.decode()
    return _text(re.search(r'<table class="data history">.*?</table>', page, re.S).group(0))


def _entry(client, device, count, note=""):
    """Type a count into the entry form as it stands now and save it."""
    url = f"{reverse('entry')}?area=16.08&date={DAY.isoformat()}"
    stored = DailyCount.objects.filter(device=device, date=DAY).first()
    response = client.post(
        url,
        {
            f"count-{device.pk}": str(count),
            f"note-{device.pk}": note,
            f"version-{device.pk}": str(stored.version if stored else 0),
        },
    )
    assert response.status_code == 302, _text(response)


def test_an_edit_through_the_form_is_on_the_device_page(
    client, operator_oku_timur, admin_user, make_device
):
    device = make_device("16.08.01", serial="SMS-1608-01-1")
    client.force_login(operator_oku_timur)
    _entry(client, device, 80)
    _entry(client, device, 95, note="listrik padam")
    client.force_login(admin_user)
    _entry(client, device, 97, note="listrik padam")

    client.force_login(operator_oku_timur)
    response = client.get(device.get_absolute_url() + "?as_of=2012-04-16")
    assert response.status_code == 200
    history = _history(response)
    # Newest first: the admin's correction, then the operator's.
    assert re.search(
        r"Sen, 16 Apr 2012 95 → 97 listrik padam admin_ektp .* Formulir entri", history
    )
    assert re.search(r"Sen, 16 Apr 2012 80 → 95 – → listrik padam op_okutimur", history)
    assert history.index("→ 97") < history.index("→ 95")
    # The recent counts say who entered the value, and who first did.
    assert "admin_ektp" in _text(response) and "pertama oleh op_okutimur" in _text(response)


def test_a_change_from_an_upload_links_to_the_upload(client, operator_oku_timur, make_device):
    device = make_device("16.08.01")
    count = DailyCount.objects.create(device=device, date=DAY, count=10)
    upload = CountImport.objects.create(
        file_name="april.csv", content=b"", uploaded_by=operator_oku_timur
    )
    DailyCountRevision.objects.create(
        daily_count=count,
        old_count=10,
        new_count=12,
        changed_by=operator_oku_timur,
        source=EntrySource.IMPORT,
        count_import=upload,
    )
    client.force_login(operator_oku_timur)
    response = client.get(device.get_absolute_url())
    assert "10 → 12" in _history(response) and "Unggah berkas" in _history(response)
    assert reverse("count_import", kwargs={"pk": upload.pk}) in response.content.decode()


def test_a_device_without_changes_says_so(client, operator_oku_timur, make_device):
    device = make_device("16.08.01")
    DailyCount.objects.create(device=device, date=DAY, count=10)
    client.force_login(operator_oku_timur)
    response = client.get(device.get_absolute_url())
    assert "Belum ada jumlah yang diubah" in _history(response)


def _revisions(device, how_many: int):
    count = DailyCount.objects.create(device=device, date=DAY, count=0)
    start = timezone.now() - dt.timedelta(days=1)
    DailyCountRevision.objects.bulk_create(
        DailyCountRevision(
            daily_count=count,
            old_count=n,
            new_count=n + 1,
            changed_at=start + dt.timedelta(minutes=n),
            source=EntrySource.FORM,
        )
        for n in range(how_many)
    )


def test_history_shows_the_last_50_changes_newest_first(client, operator_oku_timur, make_device):
    device = make_device("16.08.01")
    _revisions(device, 55)
    client.force_login(operator_oku_timur)
    history = _history(client.get(device.get_absolute_url()))
    shown = [int(n) for n in re.findall(r"(\d+) → \d+", history)]
    assert shown == list(range(54, 4, -1))


@pytest.mark.parametrize("changes", [3, 60])
def test_history_costs_the_same_queries_however_long_it_is(
    client, operator_oku_timur, make_device, django_assert_max_num_queries, changes
):
    device = make_device("16.08.01")
    _revisions(device, changes)
    client.force_login(operator_oku_timur)
    with django_assert_max_num_queries(10):
        response = client.get(device.get_absolute_url())
    assert response.status_code == 200


def test_an_outsider_does_not_see_the_history(client, operator_oku_selatan, make_device):
    device = make_device("16.08.01")
    _revisions(device, 2)
    client.force_login(operator_oku_selatan)
    assert client.get(device.get_absolute_url()).status_code == 404


def test_an_impossible_day_is_refused_naming_it(client, operator_oku_timur, make_device):
    device = make_device("16.08.01")
    client.force_login(operator_oku_timur)
    response = client.get(device.get_absolute_url() + "?as_of=2012-04-31")
    assert response.status_code == 400
    assert "Tanggal “2012-04-31” tidak dikenal" in _text(response)
