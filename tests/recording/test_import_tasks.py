"""An upload's reading, checking and saving as background tasks: their steps and progress,
what a crash leaves, and the status address the page follows (`test_import_queue.py`: through a
real Redis queue)."""

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from recording.models import CountImport, DailyCount, DailyCountRevision
from recording.services import imports
from recording.services.counts import CountRow, daily_counts_save
from recording.services.imports import (
    count_import_check,
    count_import_commit_queue,
    count_import_create,
)
from recording.tasks import count_import_commit_task
from tests.recording.test_import_counts import GOOD, _counts, _page, _stat, _upload

pytestmark = pytest.mark.django_db

D = dt.date


@pytest.fixture
def timur(make_device):
    return make_device("16.08.01", serial="OKUT-01", daily_capacity=100)


def _status_url(count_import) -> str:
    return reverse("count_import_status", args=[count_import.pk])


# --- The check: its steps and its progress --------------------------------------------------------


def test_the_check_reads_then_checks_with_progress_and_keeps_what_it_found(
    make_device, operator_oku_timur, monkeypatch
):
    devices = [make_device("16.08.01", serial=f"OKUT-{n:02d}") for n in range(25)]
    days = [D(2012, 1, 1) + dt.timedelta(days=n) for n in range(100)]
    text = "date,device,count\n" + "".join(
        f"{day:%Y-%m-%d},{d.serial},20\n" for d in devices for day in days
    )
    count_import = count_import_create(
        file_name="besar.csv", content=text.encode(), lines=2500, user=operator_oku_timur
    )
    seen = []
    resolve = imports.count_lines_resolve

    def resolve_and_look(**kwargs):
        row = CountImport.objects.values("status", "rows", "progress_total").get()
        seen.append(row)
        return resolve(**kwargs)

    monkeypatch.setattr(imports, "count_lines_resolve", resolve_and_look)

    with CaptureQueriesContext(connection) as queries:
        assert count_import_check(pk=count_import.pk, seconds=0)

    # While checking: two passes (devices, then the rules) over the 2.500 rows.
    assert seen == [{"status": "checking", "rows": 2500, "progress_total": 5000}]
    kept = CountImport.objects.get()
    assert (kept.status, kept.progress_done, kept.progress_total) == ("previewed", 5000, 5000)
    assert kept.preview["created"] == 2500
    assert kept.preview["changing"] == 2500
    assert len(kept.preview["sample"]) == 50
    assert kept.preview["sample"][0] == [2, "OKUT-00", "2012-01-01", 20, None, "", "create"]
    assert kept.preview["errors"] == []
    assert len(kept.preview["digest"]) == 64
    # Progress every 1.000 rows of each of the three loops (and at each step's start and end),
    # never one UPDATE per row: reading, matching the serials, then the rules (after 2.500).
    progress_done = [
        int(q["sql"].split('"progress_done" = ')[1].split(",")[0].split(" ")[0])
        for q in queries.captured_queries
        if q["sql"].startswith("UPDATE") and '"progress_done" = ' in q["sql"]
    ]
    assert progress_done == [
        *(0, 0, 0, 1000, 2000, 2500),  # "reading", the read's label and start, every 1.000
        *(0, 0, 0, 1000, 2000, 2500),  # "checking", the serials' label and start, every 1.000
        *(2500, 3500, 4500, 5000),  # the rules, counted on from the serials' 2.500
        5000,  # "previewed"
    ]
    # The page shows what was kept: nothing is read or checked again.
    assert not DailyCount.objects.exists()


def test_a_check_runs_once_even_if_started_twice(timur, operator_oku_timur):
    count_import = count_import_create(
        file_name="a.csv", content=GOOD.encode(), lines=3, user=operator_oku_timur
    )

    assert count_import_check(pk=count_import.pk) is True
    assert count_import_check(pk=count_import.pk) is False
    assert CountImport.objects.get().preview["created"] == 3


# --- Crashes and stopped workers ------------------------------------------------------------------


def test_a_crashing_check_marks_the_upload_failed_and_it_can_be_checked_again(
    client, timur, operator_oku_timur, monkeypatch
):
    def crash(**kwargs):
        raise RuntimeError("disk full")

    client.force_login(operator_oku_timur)
    with monkeypatch.context() as patched:
        patched.setattr(imports, "count_lines_resolve", crash)
        url = _upload(client, GOOD)["Location"]
    count_import = CountImport.objects.get()
    assert (count_import.status, count_import.notice) == ("failed", "check_crashed")

    page = _page(client.get(url))
    assert "Pemeriksaan berkas berhenti karena gangguan di server" in page
    assert "Periksa ulang</button>" in page
    assert "disk full" not in page
    assert json.loads(client.get(_status_url(count_import)).content)["running"] is False

    again = client.post(url, {"action": "recheck"}, follow=True)

    assert _stat(again, "Akan dibuat") == "3"
    assert "gangguan di server" not in _page(again)
    assert "Simpan</button>" in _page(again)


def test_a_crashing_save_writes_nothing_and_marks_the_upload_failed(
    client, timur, operator_oku_timur, monkeypatch
):
    client.force_login(operator_oku_timur)
    url = _upload(client, GOOD)["Location"]
    client.get(url)
    write = imports.daily_counts_save.__globals__["_write"]

    def write_then_crash(*args, **kwargs):
        write(*args, **kwargs)
        raise RuntimeError("connection lost")

    monkeypatch.setitem(imports.daily_counts_save.__globals__, "_write", write_then_crash)
    page = _page(client.post(url, follow=True))

    assert not DailyCount.objects.exists()  # all rows or none
    assert not DailyCountRevision.objects.exists()
    assert CountImport.objects.get().status == "failed"
    assert "Penyimpanan berhenti karena gangguan di server; tidak ada yang disimpan" in page
    assert "disimpan: " not in page


def test_an_upload_whose_worker_stopped_shows_as_stopped_and_can_be_checked_again(
    client, timur, operator_oku_timur
):
    count_import = count_import_create(
        file_name="a.csv", content=GOOD.encode(), lines=3, user=operator_oku_timur
    )
    CountImport.objects.update(
        status="reading", progress_at=timezone.now() - dt.timedelta(minutes=16)
    )
    client.force_login(operator_oku_timur)

    state = json.loads(client.get(_status_url(count_import)).content)
    page = _page(client.get(count_import.get_absolute_url()))

    assert (state["running"], state["stalled"], state["reload"]) == (False, True, True)
    assert "tidak bergerak lebih dari 15 menit" in page
    assert "<progress" not in page
    again = client.post(count_import.get_absolute_url(), {"action": "recheck"}, follow=True)
    assert _stat(again, "Akan dibuat") == "3"


def test_a_running_upload_is_not_checked_again_before_it_stops(client, timur, operator_oku_timur):
    count_import = count_import_create(
        file_name="a.csv", content=GOOD.encode(), lines=3, user=operator_oku_timur
    )
    CountImport.objects.update(status="reading")
    client.force_login(operator_oku_timur)

    client.post(count_import.get_absolute_url(), {"action": "recheck"})

    assert CountImport.objects.get().status == "reading"


# --- The status address the page follows ----------------------------------------------------------


def test_the_status_address_says_where_the_work_is(client, timur, operator_oku_timur):
    count_import = count_import_create(
        file_name="a.csv", content=GOOD.encode(), lines=3, user=operator_oku_timur
    )
    client.force_login(operator_oku_timur)

    waiting = json.loads(client.get(_status_url(count_import)).content)
    CountImport.objects.update(status="reading", progress_done=50, progress_total=200)
    reading = json.loads(client.get(_status_url(count_import)).content)
    CountImport.objects.update(status="queued")
    count_import_check(pk=count_import.pk)
    done = json.loads(client.get(_status_url(count_import)).content)

    assert waiting == {
        "status": "queued",
        "label": "Menunggu giliran",
        "done": 0,
        "total": 0,
        "percent": None,
        "running": True,
        "stalled": False,
        "message": "Menunggu giliran",
        "reload": False,
    }
    assert (reading["percent"], reading["message"], reading["reload"]) == (
        25,
        "Membaca berkas: 25%",
        False,
    )
    assert (done["status"], done["running"], done["reload"]) == ("previewed", False, True)


def test_a_running_upload_shows_a_progress_bar_the_page_follows(client, timur, operator_oku_timur):
    count_import = count_import_create(
        file_name="a.csv", content=GOOD.encode(), lines=3, user=operator_oku_timur
    )
    CountImport.objects.update(status="checking", progress_done=3, progress_total=6)
    client.force_login(operator_oku_timur)

    page = _page(client.get(count_import.get_absolute_url()))

    assert f'data-status-url="{_status_url(count_import)}"' in page
    assert '<progress id="import-progress" max="100" value="50">' in page
    assert '<label for="import-progress">Kemajuan pekerjaan</label>' in page
    assert '<p aria-live="polite" data-progress-text>Memeriksa baris: 50%</p>' in page
    assert "js/import_progress.js" in page
    # Without JavaScript: the page reloads itself, and says how to.
    assert '<noscript><meta http-equiv="refresh" content="3"></noscript>' in page
    assert "Muat ulang</a>" in page
    assert "Simpan</button>" not in page


def test_the_status_address_is_the_uploaders_only(
    client, timur, operator_oku_timur, operator_oku_selatan, viewer_sumsel, admin_user
):
    count_import = count_import_create(
        file_name="a.csv", content=GOOD.encode(), lines=3, user=operator_oku_timur
    )
    url = _status_url(count_import)

    anonymous = client.get(url)
    assert anonymous.status_code == 302
    assert anonymous["Location"].startswith(reverse("login"))
    client.force_login(operator_oku_selatan)
    assert client.get(url).status_code == 404
    client.force_login(viewer_sumsel)
    assert client.get(url).status_code == 403
    client.force_login(admin_user)
    assert client.get(url).status_code == 200
    client.force_login(operator_oku_timur)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 405


def test_status_and_preview_pages_take_a_fixed_number_of_queries(
    client, make_device, operator_oku_timur, django_assert_max_num_queries, settings
):
    settings.SESSION_RENEW_SECONDS = None  # the once-a-minute session write, counted elsewhere
    devices = [make_device(f"16.08.{n % 20 + 1:02d}", serial=f"OKUT-{n:03d}") for n in range(40)]
    days = [D(2012, 4, 1) + dt.timedelta(days=n) for n in range(20)]
    lines = "".join(f"{day:%Y-%m-%d},{d.serial},20\n" for d in devices for day in days)
    client.force_login(operator_oku_timur)
    url = _upload(client, "date,device,count\n" + lines)["Location"]
    status_url = _status_url(CountImport.objects.get())
    client.get(url)

    # Session, user, its two permission look-ups, upload: the 800 rows are neither read nor
    # checked again (and the session already holds what the page shows).
    with django_assert_max_num_queries(5):
        state = client.get(status_url)
    with django_assert_max_num_queries(5):
        preview = client.get(url)

    assert json.loads(state.content)["status"] == "previewed"
    assert _stat(preview, "Akan dibuat") == "800"


# --- Saving: once, and only what was previewed ----------------------------------------------------


def test_a_double_click_on_save_saves_once(client, timur, operator_oku_timur):
    client.force_login(operator_oku_timur)
    url = _upload(client, GOOD)["Location"]
    client.get(url)
    count_import = CountImport.objects.get()
    digest = client.session[f"count_import_fingerprint_{count_import.pk}"]

    # Two clicks: only the first claims the upload for saving.
    assert count_import_commit_queue(count_import=count_import) is True
    assert count_import_commit_queue(count_import=count_import) is False
    busy = client.post(url, follow=True)
    assert "sedang dikerjakan" in _page(busy)
    # The same task delivered twice: the second finds it saved and writes nothing.
    count_import_commit_task.call_local(count_import.pk, operator_oku_timur.pk, False, digest)
    DailyCount.objects.filter(date=D(2012, 4, 15)).update(count=1)
    count_import_commit_task.call_local(count_import.pk, operator_oku_timur.pk, False, digest)

    assert DailyCount.objects.count() == 3
    assert _counts()[("OKUT-01", "2012-04-15")] == 1
    kept = CountImport.objects.get()
    assert (kept.status, kept.created) == ("committed", 3)


def test_the_save_task_refuses_rows_changed_since_the_preview(
    client, timur, operator_oku_timur, admin_user
):
    client.force_login(operator_oku_timur)
    url = _upload(client, GOOD)["Location"]
    client.get(url)
    count_import = CountImport.objects.get()
    digest = client.session[f"count_import_fingerprint_{count_import.pk}"]
    assert count_import_commit_queue(count_import=count_import)
    daily_counts_save(
        rows=[CountRow(line=1, device=timur, date=D(2012, 4, 15), count=60)], user=admin_user
    )

    count_import_commit_task.call_local(count_import.pk, operator_oku_timur.pk, False, digest)

    kept = CountImport.objects.get()
    assert (kept.status, kept.notice) == ("previewed", "changed")
    assert (kept.preview["created"], kept.preview["updated"]) == (2, 1)
    assert kept.preview["digest"] != digest
    assert _counts() == {("OKUT-01", "2012-04-15"): 60}
    page = _page(client.get(url))
    assert "Data berubah sejak pratinjau" in page
    assert "Simpan</button>" in page


def test_saving_shows_the_summary_once_to_whoever_saved(client, timur, operator_oku_timur):
    client.force_login(operator_oku_timur)
    url = _upload(client, GOOD)["Location"]
    client.get(url)

    saved = client.post(url, follow=True)
    later = client.get(url)

    assert "jumlah.csv disimpan: 3 baru, 0 diperbarui, 0 tetap." in _page(saved)
    assert "disimpan: 3 baru" not in _page(later)
    assert _stat(later, "Baru") == "3"
