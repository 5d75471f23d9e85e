"""An upload through a real Redis queue, out of immediate mode: the upload and the save only
enqueue their tasks, which run when taken from the queue as `manage.py run_huey` takes them.

Transactional (the task sees only what was committed, as a consumer would), so not marked
`django_db` at module level: `transactional_db` is then set up after the conftest's autouse
fixture and emptied before it puts the region tree back."""

import datetime as dt

import pytest
from huey.contrib.djhuey import HUEY
from huey.storage import RedisStorage

from recording.models import CountImport, DailyCount
from tests.recording.test_import_counts import GOOD, GOOD_COUNTS, _counts, _page, _stat, _upload


@pytest.fixture
def redis_queue(monkeypatch):
    """The app's huey, put on Redis (a database of its own, emptied before and after) and out
    of immediate mode: tasks wait in the queue until taken."""
    storage = RedisStorage("ektp_tracker_test", url="redis://127.0.0.1:6379/15")
    storage.flush_all()
    monkeypatch.setattr(HUEY, "storage", storage)
    monkeypatch.setattr(HUEY, "_immediate", False)
    yield HUEY
    storage.flush_all()


def _run_next(huey) -> None:
    task = huey.dequeue()
    assert task is not None, "nothing was queued"
    huey.execute(task)


def test_through_redis_the_upload_and_the_save_wait_for_the_consumer(
    transactional_db, client, make_device, operator_oku_timur, redis_queue
):
    make_device("16.08.01", serial="OKUT-01", daily_capacity=100)
    client.force_login(operator_oku_timur)

    url = _upload(client, GOOD)["Location"]

    count_import = CountImport.objects.get()
    assert count_import.status == "queued"
    assert redis_queue.pending_count() == 1
    waiting = _page(client.get(url))
    assert "<progress" in waiting
    assert "Menunggu giliran" in waiting

    _run_next(redis_queue)

    preview = client.get(url)
    assert _stat(preview, "Akan dibuat") == "3"
    client.post(url)
    assert CountImport.objects.get().status == "committing"
    assert not DailyCount.objects.exists()
    assert "Menyimpan semua baris sekaligus" in _page(client.get(url))

    _run_next(redis_queue)

    assert redis_queue.pending_count() == 0
    assert _counts() == GOOD_COUNTS
    saved = _page(client.get(url))
    assert "jumlah.csv disimpan: 3 baru, 0 diperbarui, 0 tetap." in saved
    assert DailyCount.objects.get(date=dt.date(2012, 4, 15)).entered_by == operator_oku_timur
