"""Shared fixtures: the region tree loaded once per test session, and the personas."""

import datetime as dt
import io
import itertools
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from common import progress
from districts.choices import Role
from districts.models import AreaAssignment, Province, Regency, SubDistrict
from districts.services import regions_import
from recording.models import RecordingDevice

OKU_TIMUR = "16.08"
OKU_SELATAN = "16.09"
MARTAPURA = "16.08.01"  # a kecamatan of OKU Timur
SUMSEL = "16"
ACEH = "11"

DEMO_PASSWORD = "demo-uji-2012"
# "Today" for tests that must not depend on the calendar: four days after the demo's story day.
FROZEN_TODAY = dt.date(2012, 4, 20)

_serials = itertools.count(1)


def pytest_configure(config):
    """Passwords hashed with a fast hasher in tests: the production hasher (PBKDF2, a million
    rounds) spends about a third of a second on every user created and every login tried."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Every test starts from the full official region list (tests roll back their changes)."""
    with django_db_blocker.unblock():
        regions_import()


TRANSACTIONAL = {"transactional_db", "live_server"}


@pytest.fixture(autouse=True)
def _regions_back_after_a_flush(request, django_db_blocker):
    """A transactional test (threads, the browser's live server) empties the database when it
    ends. Tests run spread over workers in no fixed order, so the region list every other test
    relies on is put back at once, and checked again before the next transactional test: for a
    live-server test pytest-django's own autouse helper sets up `transactional_db` before this
    fixture, so its flush comes after the teardown below."""
    transactional = bool(TRANSACTIONAL & set(request.fixturenames))
    if transactional:
        with django_db_blocker.unblock():
            if not Province.objects.exists():
                regions_import()
    yield
    if transactional:
        with django_db_blocker.unblock():
            regions_import()


def _area_kwargs(code: str) -> dict:
    level = code.count(".")
    model, field = [(Province, "province"), (Regency, "regency"), (SubDistrict, "sub_district")][
        level
    ]
    return {field: model.objects.get(code=code)}


@pytest.fixture
def make_user(db):
    def make(username: str, role: str | None = None, *areas: str, **extra):
        user = get_user_model().objects.create_user(
            username=username, password="rahasia-uji-123", **extra
        )
        if role:
            user.groups.add(Group.objects.get(name=role))
            for code in areas:
                AreaAssignment.objects.create(user=user, role=role, **_area_kwargs(code))
        return user

    return make


@pytest.fixture
def operator_oku_timur(make_user):
    return make_user("op_okutimur", Role.OPERATOR, OKU_TIMUR)


@pytest.fixture
def operator_oku_selatan(make_user):
    return make_user("op_okuselatan", Role.OPERATOR, OKU_SELATAN)


@pytest.fixture
def operator_martapura(make_user):
    """An operator of one kecamatan of OKU Timur, not of the regency around it."""
    return make_user("op_martapura", Role.OPERATOR, MARTAPURA)


@pytest.fixture
def operator_two_regencies(make_user):
    """An operator assigned to two areas, OKU Timur and OKU Selatan."""
    return make_user("op_dua", Role.OPERATOR, OKU_TIMUR, OKU_SELATAN)


@pytest.fixture
def viewer_sumsel(make_user):
    return make_user("viewer_sumsel", Role.VIEWER, SUMSEL)


@pytest.fixture
def viewer_aceh(make_user):
    return make_user("viewer_aceh", Role.VIEWER, ACEH)


@pytest.fixture
def admin_user(make_user):
    return make_user("admin_ektp", Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def frozen_today(monkeypatch):
    """Today is FROZEN_TODAY wherever the app asks (`timezone.localdate()`: the repair rules,
    the default day of pages and commands), so the test reads the same any day it runs."""
    real = timezone.localdate

    def localdate(value=None, timezone=None):
        return FROZEN_TODAY if value is None else real(value, timezone)

    monkeypatch.setattr("django.utils.timezone.localdate", localdate)
    return FROZEN_TODAY


@pytest.fixture
def make_device(db):
    def make(sub_district: str = "16.08.01", **fields):
        fields.setdefault("serial", f"TEST-{next(_serials):05d}")
        fields.setdefault("commissioned_on", dt.date(2011, 9, 1))
        return RecordingDevice.objects.create(sub_district_id=sub_district, **fields)

    return make


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker):
    """Load the demo once per test module; each test runs in a savepoint inside, and the whole
    load is rolled back after the module's last test, so other modules never see it."""
    with django_db_blocker.unblock(), transaction.atomic():
        out = io.StringIO()
        call_command("load_demo", password=DEMO_PASSWORD, stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def loaded(demo_output, db):
    """The demo data (South Sumatra, April 2012) with the command's printed output."""
    return demo_output


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture
def terminal(monkeypatch):
    """A stderr that says it is a terminal, with the progress clock stopped: the progress a
    command draws there is exact text (every step takes 0:00, no rate, no time left)."""
    monkeypatch.setattr(progress, "time", SimpleNamespace(monotonic=lambda: 0.0))
    return Terminal()
