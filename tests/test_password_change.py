"""Every user changes their own password in the app (operators have no admin access)."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db

OLD = "rahasia-uji-123"  # make_user's password
NEW = "Rekam-Ektp-2012!"


def _change(client, old=OLD, new1=NEW, new2=NEW):
    return client.post(
        "/kata-sandi/",
        {"old_password": old, "new_password1": new1, "new_password2": new2},
    )


def test_an_operator_changes_their_password_and_stays_logged_in(client, operator_oku_timur):
    client.force_login(operator_oku_timur)
    page = client.get("/kata-sandi/")
    assert page.status_code == 200
    assert "Ganti kata sandi" in page.content.decode()

    response = _change(client)

    assert response.status_code == 302
    assert response["Location"] == "/kata-sandi/selesai/"
    operator = get_user_model().objects.get(pk=operator_oku_timur.pk)
    assert operator.check_password(NEW)
    assert not operator.check_password(OLD)
    # The session survives the change (its hash is updated), so the next page still opens.
    assert client.get("/kata-sandi/selesai/").status_code == 200


@pytest.mark.parametrize(
    ("old", "new1", "new2", "message"),
    [
        # The old password is checked, then Django's validators apply.
        ("salah-ketik", NEW, NEW, "Sandi lama Anda yang dimasukkan salah"),
        (OLD, "12345678", "12345678", "seluruhnya terdiri dari angka"),
        (OLD, "op_okutimur1", "op_okutimur1", "terlalu mirip dengan nama pengguna"),
        (OLD, NEW, NEW + "x", "tidak cocok"),
    ],
)
def test_a_refused_change_names_the_problem_and_keeps_the_old_password(
    client, operator_oku_timur, old, new1, new2, message
):
    client.force_login(operator_oku_timur)

    response = _change(client, old, new1, new2)

    assert response.status_code == 200
    html = response.content.decode()
    assert "Kata sandi belum diganti" in html
    assert message in html
    assert get_user_model().objects.get(pk=operator_oku_timur.pk).check_password(OLD)


def test_the_page_is_for_logged_in_users_only(client):
    response = client.get("/kata-sandi/")
    assert response.status_code == 302
    assert response["Location"].startswith("/masuk/")


def test_the_username_in_the_top_bar_leads_to_the_password_page(client, viewer_sumsel):
    client.force_login(viewer_sumsel)
    html = client.get("/tentang-data/").content.decode()
    assert 'href="/kata-sandi/"' in html


def test_guessing_the_old_password_locks_out_like_the_login(client, operator_oku_timur):
    """Five wrong old passwords: the same lockout as five wrong logins, and the session ends."""
    client.force_login(operator_oku_timur)
    for _ in range(4):
        response = _change(client, old="tebakan")
        assert response.status_code == 200
        assert "Sandi lama Anda yang dimasukkan salah" in response.content.decode()

    locked = _change(client, old="tebakan")

    assert locked.status_code == 429
    assert "Terlalu banyak percobaan masuk" in locked.content.decode()
    assert "_auth_user_id" not in client.session
    # Logged back in (say, a session opened earlier): even the right old password is refused.
    client.force_login(operator_oku_timur)
    assert _change(client).status_code == 429
    assert get_user_model().objects.get(pk=operator_oku_timur.pk).check_password(OLD)
    # And the login page refuses the account from this address as well.
    login = client.post("/masuk/", {"username": "op_okutimur", "password": OLD})
    assert login.status_code == 429


def test_wrong_old_passwords_add_up_with_wrong_logins(client, operator_oku_timur):
    for _ in range(3):
        assert (
            client.post("/masuk/", {"username": "op_okutimur", "password": "x"}).status_code == 200
        )
    client.force_login(operator_oku_timur)
    assert _change(client, old="tebakan").status_code == 200
    assert _change(client, old="tebakan").status_code == 429
