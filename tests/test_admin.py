import datetime as dt

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from districts.choices import Role
from recording.models import (
    AreaMonthlyTotal,
    DailyCount,
    DeviceMonthlyTotal,
    ProvinceDailyTotal,
    RecordingDevice,
    RegencyDailyTotal,
)
from recording.services.repairs import repair_report_fault
from recording.services.rollups import rollup_differences
from tests.conftest import OKU_SELATAN, OKU_TIMUR

User = get_user_model()

MODELS = [model for model in admin.site._registry if model._meta.app_label != "auth"]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m._meta.label)
def test_every_admin_list_opens_and_searches(client, admin_user, model):
    client.force_login(admin_user)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200
    assert client.get(url, {"q": "16.08"}).status_code == 200


def test_user_page_shows_area_assignments(client, admin_user, operator_oku_timur):
    client.force_login(admin_user)
    page = client.get(reverse("admin:auth_user_change", args=[operator_oku_timur.pk]))
    assert "16.08" in page.content.decode()


def test_daily_counts_cannot_be_edited_by_hand_in_admin(client, admin_user, make_device):
    count = DailyCount.objects.create(device=make_device(), date=dt.date(2012, 4, 16), count=5)
    client.force_login(admin_user)
    url = reverse("admin:recording_dailycount_change", args=[count.pk])
    client.post(url, {"count": 500})
    count.refresh_from_db()
    assert count.count == 5


def test_status_cannot_be_changed_by_hand_in_admin(client, admin_user, make_device):
    device = make_device()
    client.force_login(admin_user)
    url = reverse("admin:recording_recordingdevice_change", args=[device.pk])
    response = client.post(
        url,
        {
            "serial": device.serial,
            "sub_district": device.sub_district_id,
            "label": "",
            "status": "broken",
            "daily_capacity": 100,
            "commissioned_on": "2011-09-01",
            "status_changes-TOTAL_FORMS": 0,
            "status_changes-INITIAL_FORMS": 0,
            "repairs-TOTAL_FORMS": 0,
            "repairs-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    device.refresh_from_db()
    assert device.status == "operational"
    assert not device.status_changes.exists()


# A regional admin (staff, admin group, not a superuser) works on their own area only.


@pytest.fixture
def admin_oku_timur(make_user):
    return make_user("admin_okutimur", Role.ADMIN, OKU_TIMUR, is_staff=True)


def _device_form(device, **changes):
    data = {
        "serial": device.serial,
        "sub_district": device.sub_district_id,
        "label": device.label,
        "daily_capacity": device.daily_capacity,
        "commissioned_on": f"{device.commissioned_on:%Y-%m-%d}",
        "status_changes-TOTAL_FORMS": 0,
        "status_changes-INITIAL_FORMS": 0,
        "repairs-TOTAL_FORMS": 0,
        "repairs-INITIAL_FORMS": 0,
    }
    return data | changes


def test_regional_admin_lists_only_devices_of_their_regency(client, admin_oku_timur, make_device):
    mine, theirs = make_device("16.08.01"), make_device("16.09.01")
    client.force_login(admin_oku_timur)
    page = client.get(reverse("admin:recording_recordingdevice_changelist")).content.decode()
    assert mine.serial in page
    assert theirs.serial not in page
    search = client.get(reverse("admin:recording_recordingdevice_changelist"), {"q": theirs.serial})
    assert search.context["cl"].result_count == 0


def test_regional_admin_gets_404_on_another_regencys_device(client, admin_oku_timur, make_device):
    theirs = make_device("16.09.01", label="Kantor OKU Selatan")
    client.force_login(admin_oku_timur)
    for name in ("change", "delete", "history"):
        url = reverse(f"admin:recording_recordingdevice_{name}", args=[theirs.pk])
        assert client.get(url).status_code == 404, name
    url = reverse("admin:recording_recordingdevice_change", args=[theirs.pk])
    response = client.post(url, _device_form(theirs, label="diubah dari OKU Timur"))
    assert response.status_code == 404
    delete = client.post(
        reverse("admin:recording_recordingdevice_delete", args=[theirs.pk]), {"post": "yes"}
    )
    assert delete.status_code == 404
    theirs.refresh_from_db()
    assert theirs.label == "Kantor OKU Selatan"


def test_bulk_delete_cannot_reach_another_regencys_device(client, admin_oku_timur, make_device):
    theirs = make_device("16.09.01")
    client.force_login(admin_oku_timur)
    client.post(
        reverse("admin:recording_recordingdevice_changelist"),
        {"action": "delete_selected", "_selected_action": [theirs.pk], "post": "yes"},
    )
    assert RecordingDevice.objects.filter(pk=theirs.pk).exists()


def test_regional_admin_edits_own_device_but_cannot_move_it_out(
    client, admin_oku_timur, make_device
):
    mine = make_device("16.08.01")
    client.force_login(admin_oku_timur)
    url = reverse("admin:recording_recordingdevice_change", args=[mine.pk])
    moved = client.post(url, _device_form(mine, sub_district="16.09.01"))
    assert moved.status_code == 200
    assert "sub_district" in moved.context["adminform"].form.errors
    renamed = client.post(url, _device_form(mine, label="Kantor Camat"))
    assert renamed.status_code == 302
    mine.refresh_from_db()
    assert (mine.sub_district_id, mine.label) == ("16.08.01", "Kantor Camat")


def test_new_device_only_in_the_admins_area(client, admin_oku_timur, make_device):
    client.force_login(admin_oku_timur)
    url = reverse("admin:recording_recordingdevice_add")
    template = make_device("16.08.01")
    refused = client.post(url, _device_form(template, serial="BARU-1", sub_district="11.01.01"))
    assert refused.status_code == 200
    assert not RecordingDevice.objects.filter(serial="BARU-1").exists()
    created = client.post(url, _device_form(template, serial="BARU-2", sub_district="16.08.02"))
    assert created.status_code == 302
    assert RecordingDevice.objects.get(serial="BARU-2").sub_district_id == "16.08.02"


def test_autocomplete_offers_only_kecamatan_of_the_area(client, admin_oku_timur):
    client.force_login(admin_oku_timur)
    response = client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "recording",
            "model_name": "recordingdevice",
            "field_name": "sub_district",
            "term": "16.0",
        },
    )
    codes = [row["id"] for row in response.json()["results"]]
    assert codes
    assert all(code.startswith("16.08.") for code in codes), codes


def test_counts_repairs_and_history_are_scoped(client, admin_oku_timur, make_device):
    mine, theirs = make_device("16.08.01"), make_device("16.09.01")
    for device in (mine, theirs):
        DailyCount.objects.create(device=device, date=dt.date(2012, 4, 16), count=7)
        repair_report_fault(device=device, reported_on=dt.date(2012, 4, 16), symptom="X", user=None)
    client.force_login(admin_oku_timur)
    for model in ("dailycount", "repair"):
        page = client.get(reverse(f"admin:recording_{model}_changelist")).content.decode()
        assert mine.serial in page, model
        assert theirs.serial not in page, model
    other_count = DailyCount.objects.get(device=theirs)
    url = reverse("admin:recording_dailycount_change", args=[other_count.pk])
    assert client.get(url).status_code == 404


def test_superuser_still_sees_every_area(client, admin_user, make_device):
    mine, theirs = make_device("16.08.01"), make_device("11.01.01")
    client.force_login(admin_user)
    page = client.get(reverse("admin:recording_recordingdevice_changelist")).content.decode()
    assert mine.serial in page
    assert theirs.serial in page


def test_out_of_area_object_is_refused_even_if_a_view_forgot_the_queryset(
    rf, admin_oku_timur, make_device
):
    """Defence in depth: the permission checks look at the object's area themselves."""
    theirs, mine = make_device("16.09.01"), make_device("16.08.01")
    request = rf.get("/admin/")
    request.user = admin_oku_timur
    model_admin = admin.site._registry[RecordingDevice]
    assert model_admin.has_change_permission(request, mine)
    assert not model_admin.has_view_permission(request, theirs)
    assert not model_admin.has_change_permission(request, theirs)
    assert not model_admin.has_delete_permission(request, theirs)


def test_moving_a_device_in_admin_keeps_rollups_exact(client, admin_user, make_device):
    device = make_device("16.08.01")
    DailyCount.objects.create(device=device, date=dt.date(2012, 4, 16), count=40)
    client.force_login(admin_user)
    url = reverse("admin:recording_recordingdevice_change", args=[device.pk])
    response = client.post(url, _device_form(device, sub_district="11.01.01"))
    assert response.status_code == 302
    assert rollup_differences() == []
    aceh = ProvinceDailyTotal.objects.get(province_id="11", date=dt.date(2012, 4, 16))
    assert aceh.recorded == 40
    assert not RegencyDailyTotal.objects.filter(regency_id="16.08", recorded__gt=0).exists()


@pytest.mark.parametrize(
    "model", [RegencyDailyTotal, ProvinceDailyTotal, DeviceMonthlyTotal, AreaMonthlyTotal]
)
def test_rollups_are_listed_but_never_edited(client, admin_user, make_device, model):
    DailyCount.objects.create(device=make_device(), date=dt.date(2012, 4, 16), count=3)
    row = model.objects.first()
    client.force_login(admin_user)
    name = f"admin:recording_{model._meta.model_name}"
    assert client.get(reverse(f"{name}_changelist")).status_code == 200
    assert client.get(reverse(f"{name}_change", args=[row.pk])).status_code == 200
    assert client.get(reverse(f"{name}_add")).status_code == 403
    assert client.post(reverse(f"{name}_change", args=[row.pk]), {"recorded": 1}).status_code == 403
    assert client.post(reverse(f"{name}_delete", args=[row.pk]), {"post": "yes"}).status_code == 403
    row.refresh_from_db()
    assert row.recorded == 3


# Users: a regional admin manages the users of their area, and cannot make anyone a superuser.


def test_regional_admin_sees_users_of_their_area_only(
    client, admin_oku_timur, admin_user, operator_oku_timur, operator_oku_selatan, make_user
):
    both = make_user("op_dua", Role.OPERATOR, OKU_TIMUR, OKU_SELATAN)
    client.force_login(admin_oku_timur)
    page = client.get(reverse("admin:auth_user_changelist")).content.decode()
    assert operator_oku_timur.username in page
    for hidden in (operator_oku_selatan, admin_user, both):
        assert f">{hidden.username}<" not in page, hidden.username
        url = reverse("admin:auth_user_change", args=[hidden.pk])
        assert client.get(url).status_code == 404, hidden.username
    password_url = reverse("admin:auth_user_password_change", args=[admin_user.pk])
    assert (
        client.post(password_url, {"password1": "x" * 20, "password2": "x" * 20}).status_code == 404
    )
    admin_user.refresh_from_db()
    assert admin_user.check_password("rahasia-uji-123")


def _user_form(user, **changes):
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "groups": [g.pk for g in user.groups.all()],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2012-04-01",
        "date_joined_1": "08:00:00",
        "area_assignments-TOTAL_FORMS": 0,
        "area_assignments-INITIAL_FORMS": 0,
    }
    return data | changes


def test_regional_admin_cannot_grant_superuser_or_extra_permissions(
    client, admin_oku_timur, operator_oku_timur
):
    client.force_login(admin_oku_timur)
    url = reverse("admin:auth_user_change", args=[operator_oku_timur.pk])
    form = client.get(url).context["adminform"].form
    assert "is_superuser" not in form.fields
    assert "user_permissions" not in form.fields
    assert set(form.fields["groups"].queryset.values_list("name", flat=True)) == set(Role.values)
    assignment = operator_oku_timur.area_assignments.get()
    response = client.post(
        url,
        _user_form(
            operator_oku_timur,
            is_superuser="on",
            user_permissions=[Permission.objects.get(codename="delete_repair").pk],
            **{
                "area_assignments-TOTAL_FORMS": 1,
                "area_assignments-INITIAL_FORMS": 1,
                "area_assignments-0-id": assignment.pk,
                "area_assignments-0-user": operator_oku_timur.pk,
                "area_assignments-0-role": assignment.role,
                "area_assignments-0-regency": assignment.regency_id,
            },
        ),
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    operator_oku_timur.refresh_from_db()
    assert not operator_oku_timur.is_superuser
    assert not operator_oku_timur.user_permissions.exists()
    assert not operator_oku_timur.has_perm("recording.delete_repair")


def test_new_user_needs_an_area_of_the_admin(client, admin_oku_timur):
    client.force_login(admin_oku_timur)
    url = reverse("admin:auth_user_add")
    base = {
        "username": "op_baru",
        "usable_password": "true",
        "password1": "Perekaman-2012-aman",
        "password2": "Perekaman-2012-aman",
        "area_assignments-TOTAL_FORMS": 1,
        "area_assignments-INITIAL_FORMS": 0,
        "area_assignments-0-role": Role.OPERATOR,
    }
    without_area = client.post(url, base)
    assert without_area.status_code == 200
    outside = client.post(url, base | {"area_assignments-0-regency": OKU_SELATAN})
    assert outside.status_code == 200
    assert not User.objects.filter(username="op_baru").exists()
    inside = client.post(url, base | {"area_assignments-0-sub_district": "16.08.01"})
    assert inside.status_code == 302
    created = User.objects.get(username="op_baru")
    assert [a.area_code for a in created.area_assignments.all()] == ["16.08.01"]
    assert client.get(reverse("admin:auth_user_change", args=[created.pk])).status_code == 200


def test_regional_admin_does_not_manage_a_superusers_assignment(
    client, admin_oku_timur, make_user, operator_oku_timur
):
    boss = make_user("kepala", Role.ADMIN, OKU_TIMUR, is_staff=True, is_superuser=True)
    client.force_login(admin_oku_timur)
    response = client.get(reverse("admin:districts_areaassignment_changelist"))
    listed = {a.user for a in response.context["cl"].result_list}
    assert operator_oku_timur in listed
    assert boss not in listed
    url = reverse("admin:districts_areaassignment_delete", args=[boss.area_assignments.get().pk])
    assert client.post(url, {"post": "yes"}).status_code == 404
    assert boss.area_assignments.exists()
