"""Production hardening: deploy checks, HTTPS, static files, login throttling, session expiry,
password rules and the Content-Security-Policy, as a browser or an attacker would meet them."""

import datetime as dt
import json
import os
import secrets
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from ektp_tracker.client_ip import client_ip

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "rahasia-uji-123"  # what conftest's make_user gives every persona


def _run(code_or_args: list[str], **env_vars) -> subprocess.CompletedProcess:
    """Run Python in a clean environment holding only what a production host would set."""
    env = {"PATH": os.environ["PATH"], "DATABASE_URL": os.environ.get("DATABASE_URL", "")}
    env.update(env_vars)
    return subprocess.run(
        [sys.executable, *code_or_args], cwd=ROOT, env=env, capture_output=True, text=True
    )


def _production(**extra) -> dict:
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "ektp.dukcapil.example.go.id",
        "CSRF_TRUSTED_ORIGINS": "https://ektp.dukcapil.example.go.id",
        **extra,
    }


def _deploy_check(**env_vars) -> subprocess.CompletedProcess:
    return _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], **env_vars)


# --- check --deploy and the HTTPS settings -------------------------------------------------


def test_deploy_check_passes_with_only_the_four_required_variables():
    result = _deploy_check(**_production())
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNING" not in output


@pytest.mark.parametrize(
    ("knob", "warning"),
    [
        ({"SECURE_HSTS_SECONDS": "0"}, "security.W004"),
        ({"SECURE_SSL_REDIRECT": "false"}, "security.W008"),
    ],
)
def test_turning_https_protection_off_is_explicit_and_the_deploy_check_says_so(knob, warning):
    result = _deploy_check(**_production(**knob))
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def _settings_json(names: list[str], **env_vars) -> dict:
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {names!r}}}, default=str))"
    )
    result = _run(["-c", code], DJANGO_SETTINGS_MODULE="ektp_tracker.settings", **env_vars)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_development_needs_no_https_and_production_gets_it_all():
    names = [
        "SECURE_SSL_REDIRECT",
        "SECURE_HSTS_SECONDS",
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SECURE_PROXY_SSL_HEADER",
    ]
    assert _settings_json(names) == {
        "SECURE_SSL_REDIRECT": False,
        "SECURE_HSTS_SECONDS": 0,
        "SESSION_COOKIE_SECURE": False,
        "CSRF_COOKIE_SECURE": False,
        "SECURE_PROXY_SSL_HEADER": None,
    }
    assert _settings_json(names, **_production()) == {
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31_536_000,
        "SESSION_COOKIE_SECURE": True,
        "CSRF_COOKIE_SECURE": True,
        "SECURE_PROXY_SSL_HEADER": None,
    }


def test_a_tls_proxy_header_is_trusted_only_when_named():
    got = _settings_json(
        ["SECURE_PROXY_SSL_HEADER"], **_production(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")
    )
    assert got == {"SECURE_PROXY_SSL_HEADER": ["HTTP_X_FORWARDED_PROTO", "https"]}


@pytest.fixture
def https_on(settings, db):
    """The production HTTPS settings in this process (tests otherwise run as development)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31_536_000
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    return Client()


def test_plain_http_is_redirected_to_https_except_the_health_probe(https_on):
    response = https_on.get("/masuk/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/masuk/"
    # The load balancer probes /healthz over plain HTTP and must get its answer, not a redirect.
    probe = https_on.get("/healthz")
    assert (probe.status_code, probe.content) == (200, b"ok\n")


def test_https_pages_send_hsts_and_secure_cookies(https_on):
    response = https_on.get("/masuk/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert response.cookies["csrftoken"]["secure"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


# --- static files: WhiteNoise ---------------------------------------------------------------


def test_static_files_are_served_by_the_app_itself(client):
    """No web server in front is needed for CSS and JavaScript (WhiteNoise)."""
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert b"".join(response.streaming_content).strip()


_SERVE_COLLECTED = """
import json, django
from django.conf import settings
django.setup()
from django.core.management import call_command
from django.contrib.staticfiles.storage import staticfiles_storage
from django.test import Client
call_command("collectstatic", interactive=False, verbosity=0)
url = staticfiles_storage.url("css/app.css")
plain = Client().get(url, secure=True)
gzipped = Client().get(url, secure=True, HTTP_ACCEPT_ENCODING="gzip")
print(json.dumps({
    "url": url,
    "status": plain.status_code,
    "cache_control": plain.get("Cache-Control"),
    "gzip": gzipped.get("Content-Encoding"),
    "unhashed_status": Client().get("/static/css/app.css", secure=True).status_code,
}))
"""


def test_collectstatic_gives_hashed_compressed_long_cached_files(tmp_path):
    result = _run(
        ["-c", _SERVE_COLLECTED],
        DJANGO_SETTINGS_MODULE="ektp_tracker.settings",
        STATIC_ROOT=str(tmp_path),
        **_production(ALLOWED_HOSTS="testserver"),
    )
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served["url"].startswith("/static/css/app.") and served["url"] != "/static/css/app.css"
    assert served["status"] == 200
    # Hashed names never change content, so browsers may keep them for good.
    assert "immutable" in served["cache_control"]
    assert "max-age=315360000" in served["cache_control"]
    assert served["gzip"] == "gzip"
    # The original name is still served (short cache) for anything that links to it directly.
    assert served["unhashed_status"] == 200
    assert list(tmp_path.glob("css/app.*.css.gz"))


# --- login throttling: django-axes --------------------------------------------------------


def _try(client: Client, username: str, password: str, ip: str = "10.0.0.1", **extra):
    return client.post(
        "/masuk/", {"username": username, "password": password}, REMOTE_ADDR=ip, **extra
    )


def test_five_wrong_passwords_lock_that_user_on_that_computer(client, operator_oku_timur):
    for _ in range(4):
        assert _try(client, "op_okutimur", "salah").status_code == 200
    locked = _try(client, "op_okutimur", "salah")
    assert locked.status_code == 429
    page = locked.content.decode()
    assert "Terlalu banyak percobaan masuk" in page
    assert "Coba lagi setelah 15 menit" in page
    # Even the right password is refused now, and nobody is logged in.
    again = _try(client, "op_okutimur", PASSWORD)
    assert again.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_speaks_english_to_who_chose_it(client, operator_oku_timur):
    client.post("/i18n/setlang/", {"language": "en", "next": "/masuk/"})
    for _ in range(5):
        locked = _try(client, "op_okutimur", "salah")
    page = " ".join(locked.content.decode().split())
    assert "The password for op_okutimur was wrong 5 times from this computer" in page
    assert "Try again in 15 minutes." in page


def test_a_lockout_does_not_stop_colleagues_or_the_same_user_elsewhere(
    client, operator_oku_timur, operator_oku_selatan
):
    for _ in range(5):
        _try(client, "op_okutimur", "salah", ip="10.0.0.1")
    assert _try(Client(), "op_okuselatan", PASSWORD, ip="10.0.0.1").status_code == 302
    assert _try(Client(), "op_okutimur", PASSWORD, ip="10.0.0.2").status_code == 302
    assert _try(Client(), "op_okutimur", PASSWORD, ip="10.0.0.1").status_code == 429


def test_the_lock_lifts_after_the_cool_off(client, operator_oku_timur):
    for _ in range(5):
        _try(client, "op_okutimur", "salah")
    assert _try(client, "op_okutimur", PASSWORD).status_code == 429
    AccessAttempt.objects.update(attempt_time=F("attempt_time") - dt.timedelta(minutes=16))
    assert _try(client, "op_okutimur", PASSWORD).status_code == 302


def test_a_successful_login_forgets_earlier_typing_mistakes(client, operator_oku_timur):
    for _ in range(4):
        _try(client, "op_okutimur", "salah")
    assert _try(client, "op_okutimur", PASSWORD).status_code == 302
    client.post("/keluar/")
    for _ in range(4):
        assert _try(client, "op_okutimur", "salah").status_code == 200


def test_the_admin_login_is_throttled_too(client, admin_user):
    for _ in range(5):
        response = client.post(
            "/admin/login/", {"username": "admin_ektp", "password": "salah"}, REMOTE_ADDR="10.0.0.9"
        )
    assert response.status_code == 429


def test_behind_a_proxy_each_office_pc_is_counted_apart(settings, operator_oku_timur):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = "192.168.1.1"
    for _ in range(5):
        _try(Client(), "op_okutimur", "salah", ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    pc_a = _try(Client(), "op_okutimur", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.5")
    pc_b = _try(Client(), "op_okutimur", PASSWORD, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.6")
    assert (pc_a.status_code, pc_b.status_code) == (429, 302)


@pytest.mark.parametrize(
    ("count", "forwarded_for", "expected"),
    [
        (0, "203.0.113.5", "192.168.1.1"),  # no proxy configured: the header is ignored
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # a client-forged entry is skipped
        (2, "203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "192.168.1.1"),  # fewer entries than proxies: not trusted
        (1, "", "192.168.1.1"),
    ],
)
def test_client_ip_trusts_only_what_our_own_proxies_wrote(settings, count, forwarded_for, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get(
        "/", REMOTE_ADDR="192.168.1.1", HTTP_X_FORWARDED_FOR=forwarded_for
    )
    assert client_ip(request) == expected


# --- passwords ------------------------------------------------------------------------------


@pytest.mark.parametrize("weak", ["12345678", "password", "rahasia", "op_okutimur1"])
def test_weak_passwords_are_refused(weak, operator_oku_timur):
    with pytest.raises(ValidationError):
        validate_password(weak, user=operator_oku_timur)


def test_changing_to_a_weak_password_is_refused_with_the_reason(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:password_change"),
        {"old_password": PASSWORD, "new_password1": "12345678", "new_password2": "12345678"},
    )
    assert response.status_code == 200
    assert "seluruhnya terdiri dari angka" in response.content.decode()  # "entirely numeric"
    admin_user.refresh_from_db()
    assert admin_user.check_password(PASSWORD)


def test_an_admin_cannot_give_a_user_a_weak_password(client, admin_user, operator_oku_timur):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_password_change", args=[operator_oku_timur.pk])
    response = client.post(url, {"password1": "password", "password2": "password"})
    assert response.status_code == 200
    operator_oku_timur.refresh_from_db()
    assert operator_oku_timur.check_password(PASSWORD)


# --- sessions end after inactivity --------------------------------------------------------


@pytest.fixture
def clock(monkeypatch):
    """Move Django's clock (sessions read timezone.now()) forward by hand."""
    state = {"now": timezone.now()}
    monkeypatch.setattr(timezone, "now", lambda: state["now"])

    def advance(minutes: float):
        state["now"] += dt.timedelta(minutes=minutes)

    return advance


def test_a_session_ends_after_an_hour_without_a_request(client, operator_oku_timur, clock):
    _try(client, "op_okutimur", PASSWORD)
    for _ in range(3):  # 150 minutes of work, never idle for an hour
        clock(50)
        assert client.get("/wilayah/16.08/").status_code == 200
    clock(61)
    response = client.get("/wilayah/16.08/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_a_session_in_use_is_written_at_most_once_a_minute(client, operator_oku_timur, clock):
    client.force_login(operator_oku_timur)
    session = Session.objects.get()
    for _ in range(3):
        clock(0.25)
        client.get("/wilayah/16.08/")
    assert Session.objects.get().expire_date == session.expire_date
    clock(0.5)
    client.get("/wilayah/16.08/")
    renewed = Session.objects.get().expire_date
    assert renewed - session.expire_date == dt.timedelta(minutes=1.25)


def test_without_renewal_a_session_lasts_an_hour_from_login(
    settings, client, operator_oku_timur, clock
):
    settings.SESSION_RENEW_SECONDS = None
    _try(client, "op_okutimur", PASSWORD)
    clock(50)
    assert client.get("/wilayah/16.08/").status_code == 200
    clock(11)
    assert client.get("/wilayah/16.08/").status_code == 302


def test_the_health_probe_never_touches_a_session(client, operator_oku_timur, clock):
    client.force_login(operator_oku_timur)
    before = Session.objects.get().expire_date
    clock(5)
    assert client.get("/healthz").status_code == 200
    assert Session.objects.get().expire_date == before


def test_the_session_cookie_dies_with_the_browser(client, operator_oku_timur):
    response = _try(client, "op_okutimur", PASSWORD)
    cookie = response.cookies["sessionid"]
    assert not cookie["expires"] and not cookie["max-age"]
    assert cookie["httponly"]


# --- Content-Security-Policy ----------------------------------------------------------------

POLICY = {
    "default-src": {"'self'"},
    "script-src": {"'self'"},
    "style-src": {"'self'"},
    "img-src": {"'self'", "data:"},
    "font-src": {"'self'"},
    "connect-src": {"'self'"},
    "object-src": {"'none'"},
    "base-uri": {"'self'"},
    "form-action": {"'self'"},
    "frame-ancestors": {"'none'"},
}


def _policy(response) -> dict:
    header = response.get("Content-Security-Policy", "")
    return {
        name: set(sources)
        for name, *sources in (part.split() for part in header.split(";") if part.strip())
    }


class _InlineFinder(HTMLParser):
    """What the policy would block in a page: inline scripts, styles and event handlers."""

    def __init__(self):
        super().__init__()
        self.found = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self._in_script = "src" not in attrs
        if tag == "style":
            self.found.append("<style>")
        for name, value in attrs.items():
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}=...>")
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"<script>{data.strip()[:40]}")


def _inline_content(response) -> list[str]:
    finder = _InlineFinder()
    finder.feed(response.content.decode())
    return finder.found


def _page_urls(device) -> list[str]:
    return [
        "/",
        "/wilayah/",
        "/wilayah/16/",
        "/wilayah/16.08/",
        "/wilayah/16.08.01/",
        device.get_absolute_url(),
        reverse("device_report_fault", args=[device.serial]),
        reverse("entry"),
        reverse("count_import_upload"),
        reverse("repairs"),
        reverse("vendor_report"),
        reverse("data_sources"),
        "/tidak-ada/",
    ]


def _admin_urls(user, device) -> list[str]:
    urls = [
        reverse("admin:index"),
        reverse("admin:password_change"),
        reverse("admin:auth_user_change", args=[user.pk]),
        reverse("admin:recording_recordingdevice_change", args=[device.pk]),
    ]
    for model in admin.site._registry:
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls += [reverse(f"{prefix}_changelist"), reverse(f"{prefix}_add")]
    return urls


def test_the_login_page_sends_the_policy_and_needs_nothing_inline(client):
    response = client.get("/masuk/")
    assert _policy(response) == POLICY
    assert _inline_content(response) == []


def test_every_page_sends_the_policy_and_needs_nothing_inline(client, admin_user, make_device):
    device = make_device("16.08.01")
    client.force_login(admin_user)
    for url in _page_urls(device) + _admin_urls(admin_user, device):
        response = client.get(url)
        assert response.status_code in {200, 302, 403, 404}, url
        assert _policy(response) == POLICY, url
        if response["Content-Type"].startswith("text/html"):
            assert _inline_content(response) == [], url


def test_the_demo_dashboards_with_their_charts_need_nothing_inline(loaded, client, admin_user):
    client.force_login(admin_user)
    for url in ["/wilayah/", "/wilayah/16/", "/wilayah/16.08/", "/wilayah/16.08.12/"]:
        response = client.get(url, {"as_of": "2012-04-16"})
        assert "<svg" in response.content.decode(), url
        assert _policy(response) == POLICY, url
        assert _inline_content(response) == [], url


def test_the_lockout_page_sends_the_policy(client, operator_oku_timur):
    for _ in range(5):
        response = _try(client, "op_okutimur", "salah")
    assert response.status_code == 429
    assert _policy(response) == POLICY


def test_the_inline_finder_notices_what_the_policy_blocks():
    class Page:
        content = (
            b'<p style="color:red" onclick="x()">a</p><script>alert(1)</script>'
            b'<script src="/static/js/entry.js"></script><style>p{}</style>'
        )

    assert _inline_content(Page) == [
        "<p style=...>",
        "<p onclick=...>",
        "<script>alert(1)",
        "<style>",
    ]
