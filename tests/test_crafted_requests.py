"""No crafted address, query string, form value, cookie or header gives a 500, on any URL.

Every URL of the URL conf (the access matrix's cases, with real objects in them) is requested
with a list of hostile query strings by the users who may open it; every form is posted with
hostile values in each field; a list of hostile paths is walked. Each answer must be below 500:
a page, a refusal naming the problem (400), a 404. Requests run in a savepoint each, rolled back.
"""

import pytest
from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.test_access_matrix import MATRIX, _build_world, _client

# Query strings as a browser would send them (already percent-encoded).
HOSTILE_QUERIES = (
    # Days outside the calendar the product knows, or not days at all.
    "as_of=0001-01-01",
    "as_of=9999-12-31",
    "as_of=2012-02-30",
    "as_of=%EF%BC%92%EF%BC%90%EF%BC%91%EF%BC%92-04-16",  # full-width digits
    "as_of=" + "9" * 3000,
    "as_of=2012-04-16&as_of=0001-01-01",
    "date=0001-01-01",
    "date=9999-12-31",
    "date=-2012-04-16",
    # Control characters anywhere.
    "as_of=%00",
    "as_of=2012-04-16%00",
    "area=%00",
    "province=%00",
    "regency=%00",
    "vendor=%00",
    "q=%00",
    "%00=1",
    "next=%1B",
    # Paging and sorting.
    "per_page=-1",
    "per_page=0",
    "per_page=99999999999999999999",
    "page=-1",
    "page=0",
    "page=99999999999999999999",
    "page=abc",
    "sort=-tidak_ada",
    "sort=%3Cscript%3E",
    # Filters with values no form offers.
    "area=99.99",
    "area=16.08.99.99",
    "area=" + "1" * 300,
    "province=99",
    "regency=16.08%27",
    "vendor=-1",
    "vendor=abc",
    "vendor=99999999999999999999",
    "status=hilang",
    "overdue=mungkin",
    # Downloads.
    "_export=pdf",
    "_export=csv&as_of=0001-01-01",
    "_export=xlsx&as_of=9999-12-31",
    "_export=csv&per_page=-1",
    # The Django admin's own parameters.
    "q=%27%22%3C",
    "o=999",
    "o=-1.x",
    "p=-1",
    "p=99999999999999999999",
    "all=1",
    "e=1",
    "date__gte=0001-01-01",
    "date__year=0",
    "reported_on__gte=bukan",
    "commissioned_on__lt=9999-12-31",
    "count__gt=99999999999999999999",
    "id=99999999999999999999",
    "id__in=1,99999999999999999999",
    "id__in=-99999999999999999999",
    "device=99999999999999999999",
    "permissions=99999999999999999999",
    "groups__id__exact=99999999999999999999",
    "_to_field=password",
    "_popup=1",
    "_changelist_filters=o%3D999",
    "next=//evil.example/",
)
# The operator's scope takes other paths through the same code: the parameters it reads.
OPERATOR_QUERIES = tuple(
    query
    for query in HOSTILE_QUERIES
    if query.startswith(("as_of=0", "as_of=9", "date=", "area=", "per_page=", "page=-", "_export="))
    or query.startswith(("province=", "regency=", "vendor=", "sort="))
)
# The admin's pages other than its lists read only a few parameters.
ADMIN_OBJECT_QUERIES = (
    "as_of=%00",
    "_to_field=password",
    "_popup=1",
    "_changelist_filters=o%3D999%26p%3D-1",
    "next=//evil.example/",
)
# Who asks: the superuser sees every page; the operator and the regional admin see theirs.
APP_PERSONAS = ("admin", "op")
ADMIN_PERSONAS = ("admin", "staff")

HOSTILE_VALUES = (
    "\x00",
    "abc\x00",
    "\x0b",
    "\x1b[31m",
    "0001-01-01",
    "9999-12-31",
    "-1",
    "99999999999999999999",
    "x" * 5000,
    "",
)

HOSTILE_PATHS = (
    "/alat/%00/",
    "/alat/%2E%2E/",
    "/alat/A%2FB/",
    "/alat/SN-2012%2F0091/rusak/",
    "/alat/%20MTX-TIMUR-OK/",
    "/alat/" + "A" * 3000 + "/",
    "/wilayah/16.08%00/",
    "/wilayah/%D9%A1%D9%A6/",  # Arabic-Indic digits: \\d matches them
    "/wilayah/99/",
    "/wilayah/16.99.99/",
    "/impor/0/",
    "/impor/99999999999999999999/",
    "/admin/recording/recordingdevice/%00/change/",
    "/admin/recording/recordingdevice/99999999999999999999/change/",
    "/admin/recording/recordingdevice/abc/change/",
    "/admin/recording/dailycount/-1/delete/",
    "/admin/auth/user/99999999999999999999/password/",
    "/admin/r/1/%00/",
    "/admin/r/99999999/1/",
    "/admin/r/1/99999999999999999999/",
    "/%00",
    "/%C0%AF",
    "/perbaikan/%00/",
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


def _answer(client: Client, method: str, url: str, data=None, **extra):
    with transaction.atomic():
        client.raise_request_exception = False
        response = getattr(client, method)(url, data or {}, **extra)
        transaction.set_rollback(True)
    return response


def _server_errors(w, personas, url, queries) -> list[str]:
    errors = []
    separator = "&" if "?" in url else "?"
    for persona in personas:
        client = _client(w, persona)
        for query in queries:
            response = _answer(client, "get", f"{url}{separator}{query}")
            if response.status_code >= 500:
                errors.append(f"GET {url}{separator}{query[:80]} as {persona}")
    return errors


APP_KEYS = sorted(key for key in MATRIX if not key.startswith("admin"))
ADMIN_LIST_KEYS = sorted(key for key in MATRIX if key.endswith("_changelist"))
ADMIN_OTHER_KEYS = sorted(
    key for key in MATRIX if key.startswith("admin") and not key.endswith("_changelist")
)


@pytest.mark.parametrize("key", APP_KEYS)
def test_no_hostile_query_string_gives_a_500_on_an_app_page(world, db, key):
    case = MATRIX[key]
    url = case.url(world) if callable(case.url) else case.url
    errors = _server_errors(world, ["admin"], url, HOSTILE_QUERIES)
    errors += _server_errors(world, ["op"], url, OPERATOR_QUERIES)
    assert errors == []


POSTED_KEYS = sorted(
    key
    for key, case in MATRIX.items()
    if case.data is not None and not key.startswith(("admin", "count_import_upload"))
)


@pytest.mark.parametrize("key", POSTED_KEYS)
def test_no_hostile_form_value_gives_a_500(world, db, settings, key):
    """Each field of each form, one at a time, replaced by each hostile value."""
    settings.SESSION_RENEW_SECONDS = None
    case = MATRIX[key]
    url = case.url(world) if callable(case.url) else case.url
    data = case.data(world) if callable(case.data) else case.data
    errors = []
    for persona in APP_PERSONAS:
        client = _client(world, persona)
        for field in data:
            for value in HOSTILE_VALUES:
                posted = {**data, field: [value] if isinstance(data[field], list) else value}
                response = _answer(client, "post", url, posted)
                if response.status_code >= 500:
                    errors.append(f"POST {url} {field}={value[:20]!r} as {persona}")
    assert errors == []


def test_no_hostile_path_gives_a_500(world, db):
    errors = []
    for persona in ("anon", "admin", "op"):
        client = _client(world, persona)
        for path in HOSTILE_PATHS:
            response = _answer(client, "get", path)
            if response.status_code >= 500:
                errors.append(f"GET {path[:80]} as {persona}: {response.status_code}")
    assert errors == []


@pytest.mark.parametrize("value", ['"\\000\\000\\000\\000\\000\\000\\000\\000"', '"\\033abcdefgh"'])
def test_a_session_cookie_with_a_control_character_is_ignored(db, value):
    """`\\000` in a quoted cookie is a NUL once parsed; the session query would crash on it."""
    client = Client(raise_request_exception=False)
    client.cookies[settings.SESSION_COOKIE_NAME] = "x"
    response = client.get("/wilayah/", HTTP_COOKIE=f"{settings.SESSION_COOKIE_NAME}={value}")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_a_header_with_a_control_character_is_refused_with_a_page_naming_it(db):
    client = Client(raise_request_exception=False)
    response = client.post(
        "/masuk/",
        {"username": "penyusup", "password": "salah"},
        HTTP_USER_AGENT="Mozilla/5.0\x00",
    )
    assert response.status_code == 400
    assert "Kepala permintaan User-Agent berisi karakter kontrol U+0000" in (
        response.content.decode()
    )


def test_a_query_with_a_nul_is_refused_with_a_page_naming_the_parameter(world, db):
    response = _answer(_client(world, "admin"), "get", "/perbaikan/?province=%00")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Parameter “province” di alamat berisi karakter kontrol U+0000 (NUL)." in page
    assert "Permintaan tidak dapat diproses" in page


def test_a_day_outside_the_known_years_is_a_400_naming_the_range(world, db):
    latest = timezone.localdate().year + 1
    response = _answer(_client(world, "admin"), "get", "/wilayah/16.08/?as_of=0001-01-01")
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        f"Tanggal 0001-01-01 di luar rentang yang dikenal aplikasi "
        f"(1 Jan 2010 sampai 31 Des {latest})."
    ) in page
    export = _answer(_client(world, "admin"), "get", "/wilayah/16.08/?as_of=0001-01-01&_export=csv")
    assert export.status_code == 400


def test_a_posted_nul_is_refused_before_any_lookup(world, db):
    """`device=` of the batch shipping went straight into a query: a NUL crashed PostgreSQL."""
    response = _answer(
        _client(world, "admin"),
        "post",
        reverse("repairs_ship_batch"),
        {"device": ["MTX\x00"], "vendor": world.vendor.pk, "shipped_on": "2012-04-12"},
    )
    assert response.status_code == 400
    assert "Isian “device” berisi karakter NUL (U+0000)." in response.content.decode()
