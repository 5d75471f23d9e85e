"""What every response carries: no copies of private pages, compression with BREACH padding,
an Indonesian error page; and production database defaults (persistent connections, SQLite
saves that wait for each other)."""

import gzip
import json
import re
import textwrap

import brotli
import pytest
from django.test import Client
from django.urls import path

from tests.test_production import _run, _settings_json

PAGE = "/wilayah/16.08/?as_of=2012-04-16"


def test_pages_and_downloads_of_a_logged_in_user_are_never_stored(client, viewer_sumsel):
    client.force_login(viewer_sumsel)
    for url in (PAGE, f"{PAGE}&_export=csv", f"{PAGE}&_export=xlsx", "/kata-sandi/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response["Cache-Control"] == "private, no-store", url


def test_the_health_probe_keeps_its_own_cache_header(client, db):
    response = client.get("/healthz")
    # never_cache's own header, untouched.
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"


def test_a_page_goes_out_brotli_with_random_padding(client, viewer_sumsel):
    client.force_login(viewer_sumsel)
    plain = client.get(PAGE).content
    paddings = set()
    for _ in range(8):
        response = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip, deflate, br")
        assert response["Content-Encoding"] == "br"
        assert "Accept-Encoding" in response["Vary"]
        assert int(response["Content-Length"]) == len(response.content) < len(plain) / 3
        page = brotli.decompress(response.content)
        # The whole page (CSRF tokens differ per response), then the padding comment.
        assert abs(len(page) - len(plain)) < 200
        assert page.startswith(b"<!DOCTYPE html>")
        padding = re.fullmatch(
            rb"</html>\n<!-- ([A-Za-z0-9_-]+) -->", page[page.rindex(b"</html>") :]
        )
        assert padding
        paddings.add(len(padding[1]))
    # BREACH: the padding's length, hence the compressed length, varies between responses.
    assert len(paddings) > 1


def test_text_downloads_go_out_gzipped_and_xlsx_as_it_is(client, viewer_sumsel):
    client.force_login(viewer_sumsel)
    csv_response = client.get(f"{PAGE}&_export=csv", HTTP_ACCEPT_ENCODING="gzip, br")
    assert csv_response["Content-Encoding"] == "gzip"
    assert gzip.decompress(csv_response.content).startswith(b"code,name,eligible")
    xlsx = client.get(f"{PAGE}&_export=xlsx", HTTP_ACCEPT_ENCODING="gzip, br")
    assert not xlsx.has_header("Content-Encoding")
    assert xlsx.content.startswith(b"PK")


def test_a_browser_without_brotli_gets_gzip(client, viewer_sumsel):
    client.force_login(viewer_sumsel)
    response = client.get(PAGE, HTTP_ACCEPT_ENCODING="gzip")
    assert response["Content-Encoding"] == "gzip"
    page = gzip.decompress(response.content)
    assert page.startswith(b"<!DOCTYPE html>") and page.rstrip().endswith(b"</html>")


def _broken_view(request):
    raise RuntimeError("a bug")


urlpatterns = [path("rusak/", _broken_view)]


@pytest.mark.urls("tests.test_responses")
def test_a_server_error_shows_the_indonesian_page(settings, db):
    settings.DEBUG = False
    client = Client(raise_request_exception=False)
    response = client.get("/rusak/")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Terjadi kesalahan di server" in page
    assert "tidak tersimpan sebagian" in page
    assert "Server Error (500)" not in page


def test_production_keeps_database_connections_and_checks_them():
    database = _settings_json(["DATABASES"], DATABASE_URL="postgres://u@db:5432/ektp")
    assert database["DATABASES"]["default"]["CONN_MAX_AGE"] == 60
    assert database["DATABASES"]["default"]["CONN_HEALTH_CHECKS"] is True


SAVES_AT_ONCE = textwrap.dedent(
    """
    import json, threading, time, django
    django.setup()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE tally (id integer primary key, n integer)")
        cursor.execute("INSERT INTO tally VALUES (1, 0)")
    results = {}

    def save(name, pause):
        # Like a count save: read the current figure, then write the new one.
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute("SELECT n FROM tally WHERE id = 1")
                time.sleep(pause)
                cursor.execute("UPDATE tally SET n = n + 1 WHERE id = 1")
            results[name] = "saved"
        except Exception as exc:
            results[name] = str(exc)
        finally:
            connection.close()

    first = threading.Thread(target=save, args=("first", 0.6))
    second = threading.Thread(target=save, args=("second", 0))
    first.start(); time.sleep(0.2); second.start(); first.join(); second.join()
    with connection.cursor() as cursor:
        cursor.execute("SELECT n FROM tally")
        results["n"] = cursor.fetchone()[0]
    print(json.dumps(results))
    """
)


def test_on_sqlite_two_saves_at_once_both_succeed(tmp_path):
    """Two operators saving at once: the second waits for the first, no "database is locked"."""
    result = _run(
        ["-c", SAVES_AT_ONCE],
        DJANGO_SETTINGS_MODULE="ektp_tracker.settings",
        DATABASE_URL=f"sqlite:///{tmp_path / 'saves.sqlite3'}",
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == {
        "first": "saved",
        "second": "saved",
        "n": 2,
    }
