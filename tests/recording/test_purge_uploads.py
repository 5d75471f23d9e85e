"""`manage.py purge_uploads`: uploads never saved go after a while; saved ones keep their row
(who, when, file name, SHA-256, row counts) for the audit, and lose their file after a while."""

import datetime as dt
import hashlib
import html
import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from recording.models import CountImport, DailyCount, DailyCountRevision, EntrySource
from recording.services.imports import count_import_create

pytestmark = pytest.mark.django_db

CSV = b"date,device,count\n2012-04-16,OKUT-01,5\n"


@pytest.fixture
def uploads(operator_oku_timur, make_device):
    """Four uploads around the limits (48 hours, 90 days), and a count revision made by the old
    saved one."""
    now = timezone.now()

    def upload(name: str, *, uploaded_hours_ago: float, committed_days_ago: float | None = None):
        count_import = count_import_create(
            file_name=name, content=CSV, lines=1, user=operator_oku_timur
        )
        changes = {"uploaded_at": now - dt.timedelta(hours=uploaded_hours_ago)}
        if committed_days_ago is not None:
            changes |= {
                "status": CountImport.Status.COMMITTED,
                "committed_at": now - dt.timedelta(days=committed_days_ago),
                "created": 1,
                "rows": 1,
            }
        CountImport.objects.filter(pk=count_import.pk).update(**changes)
        return count_import.pk

    pks = {
        "abandoned": upload("lupa.csv", uploaded_hours_ago=49),
        "pending": upload("baru.csv", uploaded_hours_ago=47),
        "old_saved": upload("maret.csv", uploaded_hours_ago=24 * 91, committed_days_ago=91),
        "recent_saved": upload("april.csv", uploaded_hours_ago=24 * 89, committed_days_ago=89),
    }
    count = DailyCount.objects.create(
        device=make_device("16.08.01", serial="OKUT-01"), date=dt.date(2012, 4, 16), count=5
    )
    DailyCountRevision.objects.create(
        daily_count=count,
        old_count=4,
        new_count=5,
        source=EntrySource.IMPORT,
        count_import_id=pks["old_saved"],
    )
    return pks


def _run(*args) -> list[str]:
    out = StringIO()
    call_command("purge_uploads", *args, stdout=out)
    return out.getvalue().splitlines()


def test_unsaved_uploads_go_and_saved_ones_keep_their_record_without_the_file(uploads):
    output = _run()

    assert output == [
        "Dihapus: 1 unggahan yang tidak disimpan dalam 48 jam.",
        "Dikosongkan: isi berkas 1 unggahan yang disimpan lebih dari 90 hari lalu; nama berkas, "
        "SHA-256, pengunggah dan jumlah barisnya tetap disimpan.",
    ]
    kept = {upload.pk: upload for upload in CountImport.objects.all()}
    assert set(kept) == {uploads["pending"], uploads["old_saved"], uploads["recent_saved"]}
    old = kept[uploads["old_saved"]]
    assert bytes(old.content) == b""
    assert old.content_cleared_at is not None
    assert (old.file_name, old.sha256, old.rows, old.created, old.uploaded_by.username) == (
        "maret.csv",
        hashlib.sha256(CSV).hexdigest(),
        1,
        1,
        "op_okutimur",
    )
    assert DailyCountRevision.objects.get().count_import_id == uploads["old_saved"]
    for pk in (uploads["pending"], uploads["recent_saved"]):
        assert bytes(kept[pk].content) == CSV
        assert kept[pk].content_cleared_at is None


def test_a_second_run_finds_nothing_more(uploads):
    _run()

    assert _run() == [
        "Dihapus: 0 unggahan yang tidak disimpan dalam 48 jam.",
        "Dikosongkan: isi berkas 0 unggahan yang disimpan lebih dari 90 hari lalu; nama berkas, "
        "SHA-256, pengunggah dan jumlah barisnya tetap disimpan.",
    ]


def test_dry_run_counts_and_changes_nothing(uploads):
    output = _run("--dry-run")

    assert output == [
        "Uji coba, tidak ada yang diubah.",
        "Akan dihapus: 1 unggahan yang tidak disimpan dalam 48 jam.",
        "Akan dikosongkan: isi berkas 1 unggahan yang disimpan lebih dari 90 hari lalu.",
    ]
    assert CountImport.objects.count() == 4
    assert not CountImport.objects.filter(content_cleared_at__isnull=False).exists()


def test_the_settings_set_how_long_uploads_are_kept(uploads, settings):
    settings.UPLOAD_UNCOMMITTED_HOURS = 12
    settings.UPLOAD_CONTENT_DAYS = 30

    output = _run()

    assert output[0] == "Dihapus: 2 unggahan yang tidak disimpan dalam 12 jam."
    assert output[1].startswith(
        "Dikosongkan: isi berkas 2 unggahan yang disimpan lebih dari 30 hari lalu;"
    )
    assert set(CountImport.objects.values_list("pk", flat=True)) == {
        uploads["old_saved"],
        uploads["recent_saved"],
    }


def test_the_page_of_a_saved_upload_whose_file_was_cleared_still_shows_its_summary(
    client, operator_oku_timur, uploads
):
    _run()
    client.force_login(operator_oku_timur)

    response = client.get(reverse("count_import", args=[uploads["old_saved"]]))

    assert response.status_code == 200
    page = html.unescape(response.content.decode())
    assert re.search(r'<span class="label">Baru</span><span class="value">1</span>', page)
    assert hashlib.sha256(CSV).hexdigest() in page
    assert re.search(
        r"Isi berkas dihapus pada \d{1,2} \w{3} \d{4} karena masa simpannya habis", page
    )


def test_the_upload_page_says_how_long_an_unsaved_upload_is_kept(
    client, operator_oku_timur, settings
):
    settings.UPLOAD_UNCOMMITTED_HOURS = 24
    client.force_login(operator_oku_timur)

    page = html.unescape(client.get(reverse("count_import_upload")).content.decode())

    assert "Unggahan yang tidak disimpan dihapus setelah 24 jam." in page
