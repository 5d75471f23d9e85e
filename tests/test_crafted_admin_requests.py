"""No crafted query string or form value gives a 500 in the Django admin (see
`test_crafted_requests` for the app's pages, the paths, cookies and headers)."""

import pytest
from django.db import transaction
from django.urls import reverse

from tests.test_access_matrix import MATRIX, _build_world, _client
from tests.test_crafted_requests import (
    ADMIN_LIST_KEYS,
    ADMIN_OBJECT_QUERIES,
    ADMIN_OTHER_KEYS,
    ADMIN_PERSONAS,
    HOSTILE_QUERIES,
    HOSTILE_VALUES,
    _answer,
    _server_errors,
)

# A regional admin's lists add the area filter to the same queries: the admin's own parameters.
STAFF_QUERIES = tuple(
    query
    for query in HOSTILE_QUERIES
    if query.startswith(("q=", "o=", "p=", "id", "vendor=", "date__", "_to_field", "all="))
)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.mark.parametrize("key", ADMIN_LIST_KEYS)
def test_no_hostile_query_string_gives_a_500_on_an_admin_list(world, db, key):
    case = MATRIX[key]
    errors = _server_errors(world, ["admin"], case.url(world), HOSTILE_QUERIES)
    errors += _server_errors(world, ["staff"], case.url(world), STAFF_QUERIES)
    assert errors == []


@pytest.mark.parametrize("key", ADMIN_OTHER_KEYS)
def test_no_hostile_query_string_gives_a_500_on_an_admin_page(world, db, key):
    case = MATRIX[key]
    url = case.url(world) if callable(case.url) else case.url
    assert _server_errors(world, ADMIN_PERSONAS, url, ADMIN_OBJECT_QUERIES) == []


def test_hostile_admin_form_values_give_no_500(world, db):
    """The admin's change form of a device and of a daily count, each field made hostile."""
    errors = []
    client = _client(world, "admin")
    for model_key in (
        "admin:recording_recordingdevice_change",
        "admin:recording_dailycount_change",
    ):
        case = MATRIX[model_key]
        url = case.url(world)
        data = case.data(world)
        for field, original in data.items():
            if not isinstance(original, str) or field.startswith(("csrf", "_", "initial-")):
                continue
            for value in HOSTILE_VALUES:
                response = _answer(client, "post", url, {**data, field: value})
                if response.status_code >= 500:
                    errors.append(f"POST {url} {field}={value[:20]!r}")
    assert errors == []


def test_hostile_admin_bulk_actions_and_choices_give_no_500(world, db):
    """Ticked rows and many-to-many choices go into `pk__in` queries: numbers past 64 bits."""
    client = _client(world, "admin")
    huge = "99999999999999999999"
    answers = [
        _answer(
            client,
            "post",
            reverse(f"admin:{name}_changelist"),
            {"action": "delete_selected", "_selected_action": ["1", huge], "post": "yes"},
        )
        for name in ("recording_recordingdevice", "auth_group", "auth_user", "axes_accessattempt")
    ]
    user_form = MATRIX["admin:auth_user_change"]
    answers.append(
        _answer(
            client,
            "post",
            user_form.url(world),
            {**user_form.data(world), "groups": [huge], "user_permissions": [huge]},
        )
    )
    assert [answer.status_code for answer in answers if answer.status_code >= 500] == []
