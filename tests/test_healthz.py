"""`/healthz`: what the load balancer sees when the database is up and when it is down."""

from unittest import mock

import pytest
from django.contrib.sessions.models import Session
from django.db import OperationalError, connection
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_lives_at_the_exact_path_without_a_slash():
    assert reverse("healthz") == "/healthz"


def test_database_reachable_answers_200_ok_without_login(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert "max-age=0" in response["Cache-Control"]


def test_head_is_answered_like_get(client):
    response = client.head("/healthz")
    assert response.status_code == 200


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_only_get_and_head_are_allowed(client, method):
    response = getattr(client, method)("/healthz")
    assert response.status_code == 405
    assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}


def test_probe_creates_no_session_and_sets_no_cookie(client):
    sessions = Session.objects.count()
    response = client.get("/healthz")
    assert Session.objects.count() == sessions
    assert not response.cookies


def test_probe_shows_nothing_more_to_a_logged_in_superuser(client, admin_user):
    client.force_login(admin_user)
    assert client.get("/healthz").content == b"ok\n"


class _BrokenCursor:
    def __enter__(self):
        raise OperationalError("could not connect to server: Connection refused")

    def __exit__(self, *exc):
        return False


def test_database_down_answers_503_without_the_error_text(client):
    with mock.patch.object(connection, "cursor", return_value=_BrokenCursor()):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "Connection refused" not in body
    assert "ok" not in body.split()
    assert "no-cache" in response["Cache-Control"]


def test_database_error_while_running_the_query_also_answers_503(client):
    cursor = mock.MagicMock()
    cursor.__enter__.return_value.execute.side_effect = OperationalError("terminating connection")
    with mock.patch.object(connection, "cursor", return_value=cursor):
        response = client.get("/healthz")
    assert response.status_code == 503
