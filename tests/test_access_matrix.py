"""Access control as a matrix: every URL of the URL conf, tried by every persona, GET and POST.

Each cell says the status the persona must get, and whether the request may write. A refused
cell must leave every table as it was (the row count of every model, and the content of every
table the app writes). Every cell runs in its own savepoint, rolled back afterwards, so an allowed
write in one cell does not change what the next one sees.

The matrix's keys are the URL conf's pattern names (or routes, for unnamed patterns): a URL added
to the conf without a row here fails `test_every_url_of_the_urlconf_is_in_the_matrix`.

Personas: `anon` (not logged in), `op_other` (operator of OKU Selatan, another regency),
`viewer_other` (viewer of Aceh, another province), `op` (operator of OKU Timur, whose objects
the URLs name), `op_kec` (operator of one kecamatan of OKU Timur, 16.08.01 Martapura, where
only the working device stands), `op_two` (operator of two regencies, OKU Timur and OKU
Selatan), `admin` (superuser), and the Django-admin users `staff` (a regional admin of OKU
Timur) and `staff_other` (a regional admin of OKU Selatan).

Every cell is written out by hand: one status, and whether the request writes.
"""

import datetime as dt
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.forms import BooleanField, MultiWidget
from django.test import Client
from django.urls import URLPattern, URLResolver, clear_url_caches, get_resolver, path, reverse

from approvals.models import PeriodApproval, PeriodApprovalStep
from approvals.services import period_approve
from cards.models import (
    BlankoMovement,
    BlankoStock,
    BlankoTransfer,
    CardReport,
    CardReportRevision,
    HandoutEvent,
    HandoutEventChange,
    ReorderPointChange,
)
from cards.services.blanko import (
    blanko_receipt_record,
    blanko_reorder_point_set,
    blanko_transfer_record,
)
from cards.services.handouts import handout_event_schedule
from cards.services.imports import card_upload_check, card_upload_create
from cards.services.reports import ReportRow, card_reports_save
from districts.choices import Role
from districts.models import (
    AreaAssignment,
    Campaign,
    EligiblePopulation,
    Province,
    Regency,
    SubDistrict,
)
from recording.models import (
    AreaMonthlyTotal,
    CountImport,
    DailyCount,
    DailyCountRevision,
    DeviceMonthlyTotal,
    DeviceStatusChange,
    EntrySource,
    ProvinceDailyTotal,
    RecordingDevice,
    RegencyDailyTotal,
    Repair,
    Vendor,
)
from recording.services.imports import count_import_check, count_import_create
from recording.services.repairs import repair_report_fault, repair_ship

User = get_user_model()

NOT_STAFF = ("anon", "op_other", "viewer_other", "op", "op_kec", "op_two")
STAFF = ("admin", "staff", "staff_other")
PERSONAS = NOT_STAFF + STAFF
DAY = dt.date(2012, 4, 16)
SERIALS = {"ok": "MTX-TIMUR-OK", "broken": "MTX-TIMUR-RUSAK", "vendor": "MTX-TIMUR-VENDOR"}
# OKU Timur's devices stand in kecamatan 16.08.01, .02 and .03 (in that order). No page shown
# to a persona may name one outside their areas: outsiders see none, `op_kec` only Martapura's.
MAY_NOT_SEE = {
    "op_other": set(SERIALS.values()),
    "viewer_other": set(SERIALS.values()),
    "staff_other": set(SERIALS.values()),
    "op_kec": {SERIALS["broken"], SERIALS["vendor"]},
}
CSV = f"date,device,count\n{DAY:%Y-%m-%d},{SERIALS['ok']},45\n".encode()


# What a cell expects.


@dataclass(frozen=True)
class Expect:
    """One status, where a redirect must lead, and whether the request writes."""

    status: int
    to: str = ""  # a redirect's target path (a URL name or a path)
    writes: bool = False


OK, NOT_FOUND, FORBIDDEN, NOT_ALLOWED = Expect(200), Expect(404), Expect(403), Expect(405)
LOGIN = Expect(302, "login")
ADMIN_LOGIN = Expect(302, "admin:login")
SAVED = Expect(302, writes=True)


def row(*expects: Expect) -> dict[str, Expect]:
    """One expectation per persona, in the order of PERSONAS."""
    return dict(zip(PERSONAS, expects, strict=True))


def same(expect: Expect) -> dict[str, Expect]:
    return dict.fromkeys(PERSONAS, expect)


@dataclass
class Case:
    """One URL of the conf with real objects in it, and the expected status of every cell."""

    url: object  # str, or a callable of the world
    get: dict[str, Expect]
    post: dict[str, Expect]
    data: object = None  # the POST body, or a callable of the world
    prime_get: bool = False  # GET first in the same session (a preview before its commit)


# The only write of showing an upload's preview: what was shown is kept in the session.
PREVIEW = Expect(200, writes=True)


def _entry_data(w):
    pk = w.devices["ok"].pk
    return {f"count-{pk}": "45", f"note-{pk}": "", f"version-{pk}": "0", "confirm": "on"}


def _upload_data(w):
    return {"file": SimpleUploadedFile("hitungan.csv", CSV, content_type="text/csv")}


CARD_CSV = (
    b"date,area,print_ready,duplicates,failed,printed,spoiled,suket_issued,received,handed_out\n"
    + f"{DAY:%Y-%m-%d},16.08,,,,25,,,,\n".encode()
)


def _card_upload_data(w):
    return {"file": SimpleUploadedFile("kartu.csv", CARD_CSV, content_type="text/csv")}


def _home(code):
    return Expect(302, f"/wilayah/{code}/" if code else "/wilayah/")


# Columns: anon, op_other, viewer_other, op, op_kec, op_two, admin, staff, staff_other.
HOME = row(
    LOGIN,
    _home("16.09"),
    _home("11"),
    _home("16.08"),
    _home("16.08.01"),
    _home("16.08"),  # of its two regencies, the first by code
    _home(""),
    _home("16.08"),
    _home("16.09"),
)
NATIONAL = row(LOGIN, *[NOT_FOUND] * 5, OK, NOT_FOUND, NOT_FOUND)
# /wilayah/16.08/: the kecamatan operator may open Martapura, not the regency around it.
TIMUR_REGENCY = row(LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND)
# Martapura's working device: the kecamatan operator's too.
MARTAPURA_DEVICE = row(LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK, OK, NOT_FOUND)
# Reading lists scoped to the user's areas: open to every logged-in user.
SCOPED_LIST = row(LOGIN, *[OK] * 8)
# Pages that only show things answer POST with 405 once logged in (anonymous: the login page).
READ_ONLY_POST = row(LOGIN, *[NOT_ALLOWED] * 8)
LOGGED_OUT = row(Expect(302, "login"), *[Expect(302, "login", writes=True)] * 8)


def _step(name, device, data, expects):
    return Case(
        lambda w, n=name, d=device: reverse(n, args=[w.devices[d].serial]),
        get=expects[0],
        post=expects[1],
        data=data,
    )


# A step on OKU Timur's broken or shipped device, both outside Martapura: GET, then POST.
OPERATOR_STEP = (
    row(LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND),
    row(LOGIN, NOT_FOUND, NOT_FOUND, SAVED, NOT_FOUND, SAVED, SAVED, SAVED, NOT_FOUND),
)
ADMIN_STEP = (
    row(LOGIN, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, OK, OK, NOT_FOUND),
    row(LOGIN, NOT_FOUND, NOT_FOUND, FORBIDDEN, NOT_FOUND, FORBIDDEN, SAVED, SAVED, NOT_FOUND),
)


# Operators report a fault, a return and a fix on site, for devices of their areas; only
# admins ship and replace.
APP_CASES: dict[str, Case] = {
    "healthz": Case("/healthz", get=same(OK), post=same(NOT_ALLOWED)),
    "login": Case(
        "/masuk/",
        get=same(OK),
        # A wrong login shows the form again; nothing is written (no password was tried).
        post=same(OK),
        data={"username": "penyusup", "password": ""},
    ),
    "logout": Case("/keluar/", get=same(NOT_ALLOWED), post=LOGGED_OUT),
    "password_change": Case(
        "/kata-sandi/",
        get=row(LOGIN, *[OK] * 8),
        # A wrong old password shows the form again and changes no password; it counts as a
        # failed login (one django-axes attempt row), like a wrong password on the login page.
        post=row(LOGIN, *[Expect(200, writes=True)] * 8),
        data={
            "old_password": "bukan-kata-sandinya",
            "new_password1": "Rekam-Ektp-2012!",
            "new_password2": "Rekam-Ektp-2012!",
        },
    ),
    "password_change_done": Case(
        "/kata-sandi/selesai/", get=row(LOGIN, *[OK] * 8), post=READ_ONLY_POST
    ),
    "set_language": Case(
        "/i18n/setlang/",
        get=same(Expect(302, "/")),
        post=same(Expect(302, "/")),
        data={"language": "en", "next": "/"},
    ),
    "home": Case("/", get=HOME, post=READ_ONLY_POST),
    "national": Case("/wilayah/", get=NATIONAL, post=READ_ONLY_POST),
    "region": Case("/wilayah/16.08/", get=TIMUR_REGENCY, post=READ_ONLY_POST),
    "device": Case(
        lambda w: reverse("device", args=[w.devices["ok"].serial]),
        get=MARTAPURA_DEVICE,
        post=READ_ONLY_POST,
    ),
    "device_report_fault": _step(
        "device_report_fault",
        "ok",
        {"reported_on": "2012-04-16", "symptom": "Kamera tidak terdeteksi"},
        (
            row(LOGIN, NOT_FOUND, NOT_FOUND, OK, OK, OK, OK, OK, NOT_FOUND),
            row(LOGIN, NOT_FOUND, NOT_FOUND, SAVED, SAVED, SAVED, SAVED, SAVED, NOT_FOUND),
        ),
    ),
    "device_ship": _step(
        "device_ship",
        "broken",
        lambda w: {"vendor": w.vendor.pk, "shipped_on": "2012-04-12", "vendor_reference": "T-1"},
        ADMIN_STEP,
    ),
    "device_return": _step(
        "device_return",
        "vendor",
        {"returned_on": "2012-04-14"},
        OPERATOR_STEP,
    ),
    "device_fix": _step(
        "device_fix",
        "broken",
        {"fixed_on": "2012-04-12"},
        OPERATOR_STEP,
    ),
    "device_replace": _step(
        "device_replace",
        "broken",
        {"new_serial": "MTX-TIMUR-BARU", "replaced_on": "2012-04-12"},
        ADMIN_STEP,
    ),
    "repairs": Case("/perbaikan/", get=SCOPED_LIST, post=READ_ONLY_POST),
    "repairs_ship_batch": Case(
        "/perbaikan/kirim/",
        get=row(LOGIN, *[FORBIDDEN] * 5, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
        post=row(
            LOGIN,
            *[FORBIDDEN] * 5,
            Expect(302, "/perbaikan/", writes=True),
            Expect(302, "/perbaikan/", writes=True),
            NOT_FOUND,
        ),
        data=lambda w: {
            "device": [w.devices["broken"].serial],
            "vendor": w.vendor.pk,
            "shipped_on": "2012-04-12",
        },
    ),
    "vendor_report": Case("/vendor/", get=SCOPED_LIST, post=READ_ONLY_POST),
    "entry": Case(
        f"/entri/?area=16.08&date={DAY:%Y-%m-%d}",
        get=row(LOGIN, NOT_FOUND, FORBIDDEN, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND),
        post=row(LOGIN, NOT_FOUND, FORBIDDEN, SAVED, NOT_FOUND, SAVED, SAVED, SAVED, NOT_FOUND),
        data=_entry_data,
    ),
    "count_import_upload": Case(
        "/impor/",
        get=row(LOGIN, OK, FORBIDDEN, OK, OK, OK, OK, OK, OK),
        # Any operator may store a file; its preview then refuses the other area's devices
        # (see count_import), so the outsider's upload writes only their own CountImport.
        post=row(LOGIN, SAVED, FORBIDDEN, SAVED, SAVED, SAVED, SAVED, SAVED, SAVED),
        data=_upload_data,
    ),
    "count_template": Case(
        "/impor/templat/?format=csv&date=2012-04-16",
        # Everyone who may enter counts gets a file of their own area's devices (an outsider's
        # lists none of OKU Timur's: the matrix checks every page shown to them).
        get=row(LOGIN, OK, FORBIDDEN, OK, OK, OK, OK, OK, OK),
        post=row(LOGIN, NOT_ALLOWED, FORBIDDEN, *[NOT_ALLOWED] * 6),
    ),
    "count_import": Case(
        lambda w: reverse("count_import", args=[w.count_import.pk]),
        # An upload is its uploader's (and a superuser's) only.
        get=row(LOGIN, NOT_FOUND, FORBIDDEN, PREVIEW, *[NOT_FOUND] * 2, PREVIEW, *[NOT_FOUND] * 2),
        post=row(LOGIN, NOT_FOUND, FORBIDDEN, SAVED, *[NOT_FOUND] * 2, SAVED, *[NOT_FOUND] * 2),
        data={"confirm": "on"},
        prime_get=True,
    ),
    # What the upload's page polls while its file is checked or saved: the same scope.
    "count_import_status": Case(
        lambda w: reverse("count_import_status", args=[w.count_import.pk]),
        get=row(LOGIN, NOT_FOUND, FORBIDDEN, OK, *[NOT_FOUND] * 2, OK, *[NOT_FOUND] * 2),
        post=row(LOGIN, NOT_ALLOWED, FORBIDDEN, *[NOT_ALLOWED] * 6),
    ),
    # The data-quality page of OKU Timur: who may open the regency's dashboard.
    "quality": Case("/mutu-data/?area=16.08", get=TIMUR_REGENCY, post=READ_ONLY_POST),
    "data_sources": Case("/tentang-data/", get=same(OK), post=same(NOT_ALLOWED)),
    # The card pages. Report grid: operators and admins of the area (a viewer has no write
    # permission: 403); the kecamatan operator may not open the regency around it.
    "card_entry": Case(
        f"/kartu/entri/?area=16.08&date={DAY:%Y-%m-%d}",
        get=row(LOGIN, NOT_FOUND, FORBIDDEN, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND),
        post=row(LOGIN, NOT_FOUND, FORBIDDEN, SAVED, NOT_FOUND, SAVED, SAVED, SAVED, NOT_FOUND),
        # The world's report of the day (printed 20, version 1), printed raised to 25.
        data={"printed-16.08": "25", "version-16.08": "1"},
    ),
    # The card report file to fill in for OKU Timur's grid: those who may open the grid.
    "card_report_template": Case(
        f"/kartu/templat/?area=16.08&date={DAY:%Y-%m-%d}&format=csv",
        get=row(LOGIN, NOT_FOUND, FORBIDDEN, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND),
        post=row(LOGIN, NOT_ALLOWED, FORBIDDEN, *[NOT_ALLOWED] * 6),
    ),
    # Card report uploads: whoever may write card reports stores a file of their own; its
    # preview refuses the areas outside theirs (tests/cards/test_card_upload.py).
    "card_report_upload_form": Case(
        "/kartu/unggah/",
        get=row(LOGIN, OK, FORBIDDEN, OK, OK, OK, OK, OK, OK),
        post=row(LOGIN, SAVED, FORBIDDEN, SAVED, SAVED, SAVED, SAVED, SAVED, SAVED),
        data=_card_upload_data,
    ),
    # OKU Timur's operator's upload (printed 20 raised to 25, a warning confirmed): theirs and
    # a superuser's only.
    "card_report_upload": Case(
        lambda w: reverse("card_report_upload", args=[w.card_upload.pk]),
        get=row(LOGIN, NOT_FOUND, FORBIDDEN, PREVIEW, *[NOT_FOUND] * 2, PREVIEW, *[NOT_FOUND] * 2),
        post=row(LOGIN, NOT_FOUND, FORBIDDEN, SAVED, *[NOT_FOUND] * 2, SAVED, *[NOT_FOUND] * 2),
        data={"confirm": "on"},
        prime_get=True,
    ),
    "card_report_upload_status": Case(
        lambda w: reverse("card_report_upload_status", args=[w.card_upload.pk]),
        get=row(LOGIN, NOT_FOUND, FORBIDDEN, OK, *[NOT_FOUND] * 2, OK, *[NOT_FOUND] * 2),
        post=row(LOGIN, NOT_ALLOWED, FORBIDDEN, *[NOT_ALLOWED] * 6),
    ),
    # The blanko ledger: admins of the regency only.
    "blanko_ledger": Case(
        "/kartu/blanko/?area=16.08",
        get=row(LOGIN, *[FORBIDDEN] * 5, OK, OK, NOT_FOUND),
        post=row(LOGIN, *[FORBIDDEN] * 5, SAVED, SAVED, NOT_FOUND),
        data={
            "action": "receipt",
            "receipt-date": "2012-04-16",
            "receipt-quantity": "50",
            "receipt-reference": "470/2/Dukcapil",
        },
    ),
    # Hand-out events: every role reads its areas' (the Aceh viewer: not OKU Timur's);
    # operators and admins schedule.
    "handout_events": Case(
        "/kartu/pembagian/?area=16.08",
        get=row(LOGIN, NOT_FOUND, NOT_FOUND, OK, NOT_FOUND, OK, OK, OK, NOT_FOUND),
        post=row(LOGIN, NOT_FOUND, NOT_FOUND, SAVED, NOT_FOUND, SAVED, SAVED, SAVED, NOT_FOUND),
        data={"sub_district": "16.08.01", "planned_count": "15", "place": "Aula kecamatan"},
    ),
    # A step of Martapura's planned hand-out: the kecamatan operator's too.
    "handout_event_step": Case(
        lambda w: reverse("handout_event_step", args=[w.handout.pk]),
        get=row(LOGIN, *[NOT_ALLOWED] * 8),
        post=row(LOGIN, NOT_FOUND, FORBIDDEN, SAVED, SAVED, SAVED, SAVED, SAVED, NOT_FOUND),
        data={"action": "postponed", "reason": "Menunggu jadwal bupati"},
    ),
}


# The Django admin: its own pages, then five pages per registered model. Only staff get past
# the admin's login page.


def _staff(admin_, staff, staff_other) -> dict[str, Expect]:
    return row(*[ADMIN_LOGIN] * len(NOT_STAFF), admin_, staff, staff_other)


STAFF_ONLY = _staff(OK, OK, OK)


def _autocomplete(w):
    query = "app_label=recording&model_name=recordingdevice&field_name=sub_district&term=16.0"
    return f"{reverse('admin:autocomplete')}?{query}"


DEVICE_PAGE = Expect(302, f"/alat/{SERIALS['ok']}/")


def _view_on_site_case(name):
    def url(w):
        content_type = ContentType.objects.get_for_model(RecordingDevice)
        return reverse(name, args=[content_type.pk, w.devices["ok"].pk])

    expects = _staff(DEVICE_PAGE, DEVICE_PAGE, NOT_FOUND)
    return Case(url, get=expects, post=expects)


TO_ADMIN_INDEX = Expect(302, "admin:index")
ADMIN_SITE_CASES: dict[str, Case] = {
    "admin:index": Case("/admin/", get=STAFF_ONLY, post=STAFF_ONLY),
    "admin:login": Case(
        "/admin/login/",
        # Logged-in staff are sent on to the index; anyone else sees the form.
        get=row(*[OK] * 6, TO_ADMIN_INDEX, TO_ADMIN_INDEX, TO_ADMIN_INDEX),
        post=same(OK),
        data={"username": "penyusup", "password": ""},
    ),
    "admin:logout": Case(
        "/admin/logout/",
        get=row(*[TO_ADMIN_INDEX] * 6, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
        post=row(*[TO_ADMIN_INDEX] * 6, *[Expect(302, "login", writes=True)] * 3),
    ),
    "admin:password_change": Case(
        "/admin/password_change/", get=STAFF_ONLY, post=STAFF_ONLY, data={}
    ),
    "admin:password_change_done": Case(
        "/admin/password_change/done/",
        get=STAFF_ONLY,
        post=_staff(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
    ),
    "admin:autocomplete": Case(
        _autocomplete, get=STAFF_ONLY, post=_staff(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
    ),
    "admin:jsi18n": Case(
        "/admin/jsi18n/", get=STAFF_ONLY, post=_staff(NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED)
    ),
    # "View on site" of an object outside the admin's area would name its page (a serial):
    # ektp_tracker/urls.py routes the admin's path to a view that checks the area first.
    "admin:view_on_site": _view_on_site_case("admin:view_on_site"),
    "admin_view_on_site": _view_on_site_case("admin_view_on_site"),
    "admin:app_list": Case("/admin/recording/", get=STAFF_ONLY, post=STAFF_ONLY),
    # The admin's catch-all: unknown admin pages.
    "admin/(?P<url>.*)$": Case(
        "/admin/tidak-ada/",
        get=_staff(NOT_FOUND, NOT_FOUND, NOT_FOUND),
        post=_staff(NOT_FOUND, NOT_FOUND, NOT_FOUND),
    ),
}


# Five pages per registered model, for one real object each (a user's also has its password
# page), tried by the three staff personas: `admin` (superuser), `staff` (regional admin of
# OKU Timur) and `staff_other` (regional admin of OKU Selatan). Each cell is "status" or
# "status" + "w" when it writes, GET then POST, in that persona order.
#
# The objects (see `_admin_object`): Province 16 and Regency 16.08 and SubDistrict 16.08.01
# (a regional admin may view its own regency and kecamatan, change none, and sees no province
# page but the list); one eligible figure, campaign, assignment and user of OKU Timur; a device
# of Martapura; the national vendor; a repair, count, revision, status change and rollups of
# OKU Timur; an upload of `op` (its uploader's only); the throttling rows of django-axes.
# Repairs, counts, revisions, status changes, uploads and rollups are written by the app's
# services only: the admin shows them and never adds, changes or deletes them. POST on a list
# is the bulk delete of that object: a 200 is the page that refuses (protected rows), a 302
# without a write is a selection the admin's list does not hold (outside the area).
ADMIN_CELLS: dict[str, dict[str, tuple[str, str]]] = {
    # Approvals and their steps are written by the approval services (the level checked, every
    # step kept): the admin lists OKU Timur's March 2012 to its admins and never edits it.
    "approvals_periodapproval": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "approvals_periodapprovalstep": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    # The card journey is written by its services (stock checked, every change kept): the admin
    # shows it to the admins of its area and never adds, changes or deletes it. The transfer
    # went from OKU Timur to OKU Selatan, so both regional admins see it.
    "cards_blankomovement": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "cards_blankostock": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "cards_blankotransfer": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 200", "403 403 403"),
        "delete": ("403 403 403", "403 403 403"),
        "history": ("200 200 200", "200 200 200"),
    },
    "cards_cardreport": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "cards_cardreportrevision": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "cards_handoutevent": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "cards_handouteventchange": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "cards_reorderpointchange": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "auth_group": {
        "changelist": ("200 403 403", "302w 403 403"),
        "add": ("200 403 403", "200 403 403"),
        "change": ("200 403 403", "302w 403 403"),
        "delete": ("200 403 403", "302w 403 403"),
        "history": ("200 403 403", "200 403 403"),
    },
    "auth_user": {
        # The operator has entered counts (kept, PROTECT): deleting them is refused.
        "changelist": ("200 200 200", "200 200 302"),
        "add": ("200 200 200", "200 200 200"),
        "change": ("200 200 404", "302w 302w 404"),
        "delete": ("200 200 404", "200 200 404"),
        "history": ("200 200 404", "200 200 404"),
        "password_change": ("200 200 404", "200 200 404"),
    },
    "axes_accessattempt": {
        "changelist": ("200 403 403", "302w 403 403"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 403 403", "302w 403 403"),
        "delete": ("200 403 403", "302w 403 403"),
        "history": ("200 403 403", "200 403 403"),
    },
    "axes_accessfailurelog": {
        "changelist": ("200 403 403", "302w 403 403"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 403 403", "302w 403 403"),
        "delete": ("200 403 403", "302w 403 403"),
        "history": ("200 403 403", "200 403 403"),
    },
    "axes_accesslog": {
        "changelist": ("200 403 403", "302w 403 403"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 403 403", "302w 403 403"),
        "delete": ("200 403 403", "302w 403 403"),
        "history": ("200 403 403", "200 403 403"),
    },
    "districts_areaassignment": {
        "changelist": ("200 200 200", "302w 302w 302"),
        "add": ("200 200 200", "200 200 200"),
        "change": ("200 200 404", "302w 302w 404"),
        "delete": ("200 200 404", "302w 302w 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "districts_campaign": {
        "changelist": ("200 200 200", "302w 302w 302"),
        "add": ("200 200 200", "200 200 200"),
        "change": ("200 200 404", "302w 302w 404"),
        "delete": ("200 200 404", "302w 302w 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "districts_eligiblepopulation": {
        "changelist": ("200 200 200", "302w 302w 302"),
        "add": ("200 200 200", "200 200 200"),
        "change": ("200 200 404", "302w 302w 404"),
        "delete": ("200 200 404", "302w 302w 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "districts_province": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("200 403 403", "200 403 403"),
        "change": ("200 404 404", "302w 404 404"),
        "delete": ("200 404 404", "200 404 404"),
        "history": ("200 404 404", "200 404 404"),
    },
    "districts_regency": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("200 403 403", "200 403 403"),
        "change": ("200 200 404", "302w 403 404"),
        "delete": ("200 403 404", "200 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "districts_subdistrict": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("200 403 403", "200 403 403"),
        "change": ("200 200 404", "302w 403 404"),
        "delete": ("200 403 404", "200 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "recording_areamonthlytotal": {
        "changelist": ("200 403 403", "200 403 403"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 403 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 403 404", "200 403 404"),
    },
    "recording_countimport": {
        "changelist": ("200 403 403", "200 403 403"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 404 404", "403 404 404"),
        "delete": ("403 404 404", "403 404 404"),
        "history": ("200 404 404", "200 404 404"),
    },
    "recording_dailycount": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "recording_dailycountrevision": {
        "changelist": ("200 403 403", "200 403 403"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 403 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 403 404", "200 403 404"),
    },
    "recording_devicemonthlytotal": {
        "changelist": ("200 403 403", "200 403 403"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 403 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 403 404", "200 403 404"),
    },
    "recording_devicestatuschange": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "recording_provincedailytotal": {
        "changelist": ("200 403 403", "200 403 403"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 404 404", "403 404 404"),
        "delete": ("403 404 404", "403 404 404"),
        "history": ("200 404 404", "200 404 404"),
    },
    "recording_recordingdevice": {
        "changelist": ("200 200 200", "200 200 302"),
        "add": ("200 200 200", "200 200 200"),
        "change": ("200 200 404", "302w 302w 404"),
        "delete": ("200 200 404", "200 200 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "recording_regencydailytotal": {
        "changelist": ("200 403 403", "200 403 403"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 403 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 403 404", "200 403 404"),
    },
    "recording_repair": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("403 403 403", "403 403 403"),
        "change": ("200 200 404", "403 403 404"),
        "delete": ("403 403 404", "403 403 404"),
        "history": ("200 200 404", "200 200 404"),
    },
    "recording_vendor": {
        "changelist": ("200 200 200", "200 200 200"),
        "add": ("200 200 200", "200 200 200"),
        "change": ("200 200 200", "302w 302w 302w"),
        "delete": ("200 403 403", "200 403 403"),
        "history": ("200 200 200", "200 200 200"),
    },
}


def _admin_object(w, model):
    """The real object of `model` whose admin pages the matrix opens."""
    known = {
        Province: lambda: Province.objects.get(code="16"),
        Regency: lambda: Regency.objects.get(code="16.08"),
        SubDistrict: lambda: SubDistrict.objects.get(code="16.08.01"),
        EligiblePopulation: lambda: w.population,
        Campaign: lambda: w.campaign,
        AreaAssignment: lambda: w.users["op"].area_assignments.get(),
        User: lambda: w.users["op"],
        Group: lambda: Group.objects.get(name=Role.OPERATOR),
        RecordingDevice: lambda: w.devices["ok"],
        Vendor: lambda: w.vendor,
        Repair: lambda: Repair.objects.get(device=w.devices["broken"]),
        DailyCount: lambda: w.count,
        DailyCountRevision: lambda: w.revision,
        DeviceStatusChange: lambda: DeviceStatusChange.objects.filter(
            device=w.devices["broken"]
        ).first(),
        CountImport: lambda: w.count_import,
        RegencyDailyTotal: lambda: RegencyDailyTotal.objects.get(regency="16.08"),
        ProvinceDailyTotal: lambda: ProvinceDailyTotal.objects.get(province="16"),
        DeviceMonthlyTotal: lambda: DeviceMonthlyTotal.objects.get(device=w.devices["ok"]),
        AreaMonthlyTotal: lambda: AreaMonthlyTotal.objects.get(area="16.08"),
        CardReport: lambda: w.card_report,
        CardReportRevision: lambda: w.card_report.revisions.get(),
        BlankoStock: lambda: BlankoStock.objects.get(regency="16.08"),
        BlankoMovement: lambda: w.receipt,
        BlankoTransfer: lambda: w.transfer,
        HandoutEvent: lambda: w.handout,
        HandoutEventChange: lambda: w.handout.changes.get(),
        ReorderPointChange: lambda: ReorderPointChange.objects.get(regency="16.08"),
        PeriodApproval: lambda: w.approval,
        PeriodApprovalStep: lambda: w.approval.steps.get(),
    }
    if model in known:
        return known[model]()
    obj = model._default_manager.first()
    assert obj is not None, f"the matrix's world needs a {model._meta.label} object"
    return obj


def _admin_url(w, model, page):
    obj = _admin_object(w, model)
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    if page in ("changelist", "add"):
        return reverse(f"{info}_{page}")
    if page == "password":
        return reverse(f"{info}_password_change", args=[obj.pk])
    if page == "redirect":
        return f"{reverse(f'{info}_change', args=[obj.pk]).removesuffix('change/')}"
    return reverse(f"{info}_{page}", args=[obj.pk])


def _admin_post_data(w, model, page):
    obj = _admin_object(w, model)
    if page == "changelist":
        return {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"}
    if page == "delete":
        return {"post": "yes"}
    if page == "change":
        return w.change_forms[model]
    return {}


def _cells(text: str) -> list[Expect]:
    """ "200 302w 404": one status per staff persona, "w" where the request writes."""
    return [Expect(int(cell.rstrip("w")), writes=cell.endswith("w")) for cell in text.split()]


def _model_cases() -> dict[str, Case]:
    """Five pages per registered model (and the user's password page, and the admin's unnamed
    redirect from `<pk>/` to `<pk>/change/`), keyed like the URL conf."""
    cases = {}
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        pages = ["changelist", "add", "change", "delete", "history"]
        if model is User:
            pages.append("password")
        for page in pages:
            name = f"{info}_password_change" if page == "password" else f"{info}_{page}"
            get, post = ADMIN_CELLS[info][name.removeprefix(f"{info}_")]
            cases[f"admin:{name}"] = Case(
                lambda w, m=model, p=page: _admin_url(w, m, p),
                get=_staff(*_cells(get)),
                post=_staff(*_cells(post)),
                data=lambda w, m=model, p=page: _admin_post_data(w, m, p),
            )
        redirect = Case(
            lambda w, m=model: _admin_url(w, m, "redirect"),
            get=_staff(Expect(302), Expect(302), Expect(302)),
            post=_staff(Expect(302), Expect(302), Expect(302)),
        )
        cases[f"admin/{model._meta.app_label}/{model._meta.model_name}/<path:object_id>/"] = (
            redirect
        )
    return cases


MATRIX: dict[str, Case] = {**APP_CASES, **ADMIN_SITE_CASES, **_model_cases()}


# The URL conf, walked.


def urlconf_keys(patterns=None, prefix: str = "", namespace: str = "") -> set[str]:
    """Every pattern of the URL conf: `namespace:name`, or the full route when it has no name."""
    keys = set()
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = ":".join(filter(None, [namespace, pattern.namespace]))
            keys |= urlconf_keys(pattern.url_patterns, route, inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
            keys.add(name or route)
    return keys


def matrix_gaps() -> tuple[set[str], set[str]]:
    """(URLs of the conf the matrix does not try, matrix rows for URLs no longer in the conf)."""
    keys = urlconf_keys()
    return keys - MATRIX.keys(), MATRIX.keys() - keys


def test_every_url_of_the_urlconf_is_in_the_matrix():
    missing, stale = matrix_gaps()
    assert not missing, f"add these URLs to the access matrix: {sorted(missing)}"
    assert not stale, f"these matrix rows name no URL of the conf: {sorted(stale)}"


def test_a_url_added_without_a_matrix_row_fails_the_check(monkeypatch):
    import ektp_tracker.urls

    extra = [
        path("rahasia/", lambda request: None, name="rahasia"),
        path("tanpa-nama/", lambda r: None),
    ]
    monkeypatch.setattr(ektp_tracker.urls, "urlpatterns", ektp_tracker.urls.urlpatterns + extra)
    clear_url_caches()
    try:
        missing, stale = matrix_gaps()
    finally:
        monkeypatch.undo()
        clear_url_caches()
    assert missing == {"rahasia", "tanpa-nama/"}
    assert not stale


def test_every_registered_model_has_its_admin_pages_in_the_matrix():
    for model in admin.site._registry:
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        for page in ("changelist", "add", "change", "delete", "history"):
            assert f"{info}_{page}" in MATRIX
    assert {k for k in MATRIX if k.endswith("_changelist")} == {
        f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist" for m in admin.site._registry
    }


# The world the URLs name: built once per module, rolled back after the module's last test.


def _user(username, role=None, *areas, **extra):
    user = User.objects.create(username=username, **extra)
    if role:
        user.groups.add(Group.objects.get(name=role))
    for area in areas:
        field, model = {1: ("province", Province), 2: ("regency", Regency)}.get(
            len(area.split(".")), ("sub_district", SubDistrict)
        )
        AreaAssignment.objects.create(user=user, role=role, **{field: model.objects.get(code=area)})
    return user


def _bound_values(form, data: dict):
    """What a browser would send back for `form` as shown (its initial values)."""
    for name, form_field in form.fields.items():
        if form_field.disabled:
            continue
        bound = form[name]
        value = bound.value()
        if isinstance(form_field.widget, MultiWidget):
            parts = value if isinstance(value, list) else form_field.widget.decompress(value)
            for index, part in enumerate(parts):
                data[f"{bound.html_name}_{index}"] = "" if part is None else str(part)
        elif isinstance(form_field, BooleanField):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        else:
            data[bound.html_name] = "" if value is None else str(value)


def _change_form_data(client, url) -> dict:
    """The admin change form of `url` submitted unchanged (its inlines' existing rows too)."""
    response = client.get(url)
    assert response.status_code == 200, url
    data = {}
    _bound_values(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _bound_values(formset.management_form, data)
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(formset.initial_form_count())
        for form in formset.initial_forms:
            _bound_values(form, data)
    return data


def _build_world():
    w = SimpleNamespace()
    w.users = {
        "op": _user("mtx_op", Role.OPERATOR, "16.08"),
        "op_other": _user("mtx_op_selatan", Role.OPERATOR, "16.09"),
        "viewer_other": _user("mtx_viewer_aceh", Role.VIEWER, "11"),
        "op_kec": _user("mtx_op_martapura", Role.OPERATOR, "16.08.01"),
        "op_two": _user("mtx_op_dua", Role.OPERATOR, "16.08", "16.09"),
        "admin": _user("mtx_admin", is_staff=True, is_superuser=True),
        "staff": _user("mtx_admin_timur", Role.ADMIN, "16.08", is_staff=True),
        "staff_other": _user("mtx_admin_selatan", Role.ADMIN, "16.09", is_staff=True),
    }
    op = w.users["op"]
    w.vendor = Vendor.objects.create(name="Konsorsium Uji", agreed_repair_days=3)
    start = dt.date(2011, 9, 1)
    w.devices = {
        key: RecordingDevice.objects.create(
            serial=serial, sub_district_id=f"16.08.0{n}", commissioned_on=start
        )
        for n, (key, serial) in enumerate(SERIALS.items(), start=1)
    }
    selatan = RecordingDevice.objects.create(
        serial="MTX-SELATAN", sub_district_id="16.09.01", commissioned_on=start
    )
    for device in (w.devices["broken"], w.devices["vendor"], selatan):
        repair_report_fault(device=device, reported_on=dt.date(2012, 4, 5), symptom="Mati", user=op)
    repair_ship(
        device=w.devices["vendor"], shipped_on=dt.date(2012, 4, 8), vendor=w.vendor, user=None
    )
    repair_ship(device=selatan, shipped_on=dt.date(2012, 4, 6), vendor=w.vendor, user=None)
    w.count = DailyCount.objects.create(
        device=w.devices["ok"], date=DAY - dt.timedelta(days=1), count=30, entered_by=op
    )
    w.revision = DailyCountRevision.objects.create(
        daily_count=w.count, old_count=25, new_count=30, changed_by=op, source=EntrySource.FORM
    )
    w.count_import = count_import_create(file_name="hitungan.csv", content=CSV, lines=1, user=op)
    count_import_check(pk=w.count_import.pk)  # as its task does after an upload
    w.campaign = Campaign.objects.create(
        regency_id="16.08",
        name="Uji",
        starts_on=dt.date(2011, 10, 1),
        deadline=dt.date(2012, 4, 30),
    )
    w.population = EligiblePopulation.objects.create(
        sub_district_id="16.08.01", as_of=dt.date(2011, 10, 1), eligible=10_000
    )
    timur, selatan_regency = Regency.objects.get(code="16.08"), Regency.objects.get(code="16.09")
    w.receipt = blanko_receipt_record(
        regency=timur, date=DAY - dt.timedelta(days=3), quantity=100, reference="470/1", user=None
    )
    w.transfer = blanko_transfer_record(
        from_regency=timur, to_regency=selatan_regency, date=DAY, quantity=10, user=None
    )
    blanko_reorder_point_set(regency=timur, reorder_point=50, user=None)
    card_reports_save(
        rows=[ReportRow(line=1, area=timur, date=DAY, figures={"printed": 20})], user=op
    )
    w.card_report = CardReport.objects.get(regency=timur)
    w.card_upload = card_upload_create(file_name="kartu.csv", content=CARD_CSV, lines=1, user=op)
    card_upload_check(pk=w.card_upload.pk)  # as its task does after an upload
    w.handout = handout_event_schedule(
        sub_district=SubDistrict.objects.get(code="16.08.01"),
        planned_on=None,
        planned_count=20,
        note="menunggu jadwal bupati",
        user=op,
    )
    # A month without counts, so no count or repair the matrix tries falls inside the lock.
    w.approval = period_approve(
        regency=timur,
        month=dt.date(2012, 3, 1),
        user=w.users["staff"],
        reason="Alat belum melapor",
    )
    # A refused login, so the login-throttling tables (if installed) have a row to open.
    Client().post("/masuk/", {"username": "penyusup", "password": "salah-sekali-2012"})
    if apps.is_installed("axes"):  # the failure log is kept only when settings ask for it
        failure_log = apps.get_model("axes", "AccessFailureLog")
        if not failure_log.objects.exists():
            failure_log.objects.create(
                user_agent="pytest", username="penyusup", http_accept="*/*", path_info="/masuk/"
            )
    w.sessions = {}
    for persona, user in w.users.items():
        client = Client()
        client.force_login(user)
        w.sessions[persona] = client.cookies[settings.SESSION_COOKIE_NAME].value
    superuser = _client(w, "admin")
    w.change_forms = {
        model: _change_form_data(superuser, _admin_url(w, model, "change"))
        for model in admin.site._registry
    }
    w.baseline = _row_counts()
    return w


def _client(w, persona) -> Client:
    client = Client()
    if persona != "anon":
        client.cookies[settings.SESSION_COOKIE_NAME] = w.sessions[persona]
    return client


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


# "Nothing was written": the row count of every model's table, and the number of rows the
# database says were inserted, updated or deleted (which catches an update that keeps the count).


def _count_query() -> tuple[str, list[str]]:
    tables = sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.managed and not model._meta.proxy
        }
    )
    quote = connection.ops.quote_name
    return "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(t)})" for t in tables), tables


def _rows_written() -> int:
    """Rows written on this connection so far (SQLite), or in this transaction (PostgreSQL)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT COALESCE(SUM(n_tup_ins + n_tup_upd + n_tup_del), 0) "
                "FROM pg_stat_xact_all_tables"
            )
        else:
            cursor.execute("SELECT total_changes()")
        return cursor.fetchone()[0]


def _row_counts() -> dict[str, int]:
    sql, tables = _count_query()
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


def _changed(before: dict[str, int], written_before: int) -> list[str]:
    after = _row_counts()
    changed = [f"{t}: {before[t]} -> {after[t]} rows" for t in before if before[t] != after[t]]
    if written := _rows_written() - written_before:
        changed.append(f"{written} rows inserted/updated/deleted")
    return changed


# The cells.


def _redirect_path(to: str) -> str:
    return to if to.startswith("/") else reverse(to)


def _check(response, expect: Expect, changed: list[str], persona: str) -> str:
    problems = []
    if response.status_code != expect.status:
        problems.append(f"status {response.status_code}, expected {expect.status}")
    elif expect.to:
        location = urlsplit(response["Location"]).path
        if location != _redirect_path(expect.to):
            problems.append(f"redirect to {location}, expected {_redirect_path(expect.to)}")
    if not expect.writes and changed:
        problems.append(f"wrote {changed}")
    if expect.writes and not changed:
        problems.append("wrote nothing, expected a write")
    if persona in MAY_NOT_SEE and response.status_code == 200:
        body = response.content.decode(errors="replace")
        leaked = sorted(serial for serial in MAY_NOT_SEE[persona] if serial in body)
        if leaked:
            problems.append(f"shows OKU Timur's {leaked}")
    return "; ".join(problems)


def _run_cell(w, case: Case, url: str, persona: str, method: str):
    with transaction.atomic():
        client = _client(w, persona)
        written_before = _rows_written()
        if method == "get":
            response = client.get(url)
        else:
            if case.prime_get:
                client.get(url)
            data = case.data(w) if callable(case.data) else case.data
            response = client.post(url, data or {})
        changed = _changed(w.baseline, written_before)
        transaction.set_rollback(True)
    return response, changed


@pytest.mark.parametrize("key", sorted(MATRIX))
def test_access_matrix(world, db, settings, key):
    # Sessions in use are renewed once a minute in production (inactivity expiry); here a
    # session is written only when a view changes it, so any other write shows in the counter.
    settings.SESSION_RENEW_SECONDS = None
    settings.SESSION_SAVE_EVERY_REQUEST = False
    case = MATRIX[key]
    url = case.url(world) if callable(case.url) else case.url
    failures = []
    for method, expects in (("get", case.get), ("post", case.post)):
        for persona in PERSONAS:
            response, changed = _run_cell(world, case, url, persona, method)
            if problem := _check(response, expects[persona], changed, persona):
                failures.append(f"{method.upper()} {url} as {persona}: {problem}")
    assert not failures, "\n".join(failures)


def test_the_write_check_sees_an_update_that_keeps_every_count(world, db):
    """A refused cell passes only if nothing changed: an UPDATE must show, not just INSERTs."""
    counts, written = _row_counts(), _rows_written()
    assert _changed(counts, written) == []
    RecordingDevice.objects.filter(pk=world.devices["ok"].pk).update(label="diubah")
    assert _changed(counts, written) == ["1 rows inserted/updated/deleted"]
