import datetime as dt

import pytest
from django.contrib import admin
from django.urls import reverse

from recording.models import DailyCount

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
