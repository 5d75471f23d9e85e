"""Seed a database for the load test and write the plan the locust users read.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ektp_load python loadtest/seed.py PLAN.json

Loads the regions and the South Sumatra demo, then adds the load test's own people:
`load.op01`…`load.op50`, operators each assigned to one kecamatan of Sumatera Selatan with two
devices of their own (`LOAD-<code>-1`, `-2`) next to the demo's, and `load.pantau01`…`20`,
provincial viewers of Sumatera Selatan. Every load login gets `LOADTEST_PASSWORD`.

Safe to run again: users, assignments and devices are upserted, and every count the load
operators entered before is deleted (with the rollups refreshed), so a run starts from nothing.
"""

import datetime as dt
import json
import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ektp_tracker.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Q  # noqa: E402
from django.utils import timezone  # noqa: E402

from devtools import demo  # noqa: E402
from districts.choices import Role  # noqa: E402
from districts.models import AreaAssignment, Province, Regency, SubDistrict  # noqa: E402
from districts.roles import role_groups_ensure  # noqa: E402
from recording.choices import DeviceStatus  # noqa: E402
from recording.models import DailyCount, RecordingDevice  # noqa: E402
from recording.selectors.dashboards import area_dashboard  # noqa: E402
from recording.services.rollups import daily_counts_delete  # noqa: E402

PROVINCE = demo.SUMSEL
OPERATOR_PREFIX = "load.op"
VIEWER_PREFIX = "load.pantau"
SERIAL_PREFIX = "LOAD-"
DEVICES_PER_OPERATOR = 2
# The demo's capacity: the load users type counts below it, so no save needs a confirmation.
DEVICE_CAPACITY = demo.DEVICE_CAPACITY
COMMISSIONED_ON = demo.CAMPAIGN_STARTS_ON
# Dashboards the officials reload: their province, the story's regency and kecamatan (today and
# on the story's day); the locustfile adds the regencies and kecamatan the operators work in.
DASHBOARDS = [
    ("province", f"/wilayah/{PROVINCE}/"),
    ("regency", f"/wilayah/{demo.OKU_TIMUR}/"),
    ("kecamatan", f"/wilayah/{demo.BUAY_MADANG_TIMUR}/"),
    ("province", f"/wilayah/{PROVINCE}/?as_of={demo.DEMO_TODAY:%Y-%m-%d}"),
    ("regency", f"/wilayah/{demo.OKU_TIMUR}/?as_of={demo.DEMO_TODAY:%Y-%m-%d}"),
]


def _headroom(today: dt.date) -> dict[str, int]:
    """Eligible minus recorded per kecamatan of the province where every device works, as the
    regency dashboards show it: the operators' counts must stay below the eligible population
    (crossing it asks for a confirmation, which a save in this test must not need)."""
    headroom = {}
    for regency in Regency.objects.filter(province=PROVINCE):
        dashboard = area_dashboard(region=regency, code=regency.code, as_of=today)
        for kecamatan in dashboard.children:
            if kecamatan.eligible and not kecamatan.devices_down:
                headroom[kecamatan.code] = kecamatan.remaining
    return headroom


def _user(username: str, *, first_name: str, role: str, password: str, groups, area: dict):
    """Create or reset a load login with exactly one area assignment."""
    user, _ = get_user_model().objects.update_or_create(
        username=username,
        defaults={
            "first_name": first_name,
            "password": password,
            "is_active": True,
            "is_staff": False,
            "is_superuser": False,
        },
    )
    user.groups.set([groups[role]])
    AreaAssignment.objects.filter(user=user).delete()
    assignment = AreaAssignment(user=user, role=role, **area)
    assignment.full_clean()
    assignment.save()
    return user


def _devices(sub_district: SubDistrict) -> list[RecordingDevice]:
    devices = []
    for number in range(1, DEVICES_PER_OPERATOR + 1):
        device, _ = RecordingDevice.objects.update_or_create(
            serial=f"{SERIAL_PREFIX}{sub_district.code.replace('.', '')}-{number}",
            defaults={
                "sub_district": sub_district,
                "label": f"Uji beban Kec. {sub_district.name} #{number}",
                "status": DeviceStatus.OPERATIONAL,
                "daily_capacity": DEVICE_CAPACITY,
                "commissioned_on": COMMISSIONED_ON,
            },
        )
        device.full_clean()
        devices.append(device)
    return devices


@transaction.atomic
def load_users_seed(*, operators: int, officials: int, password: str) -> dict:
    """The load test's users and devices; returns the plan (see the module docstring)."""
    groups = role_groups_ensure()
    User = get_user_model()
    load_users = User.objects.filter(
        Q(username__startswith=OPERATOR_PREFIX) | Q(username__startswith=VIEWER_PREFIX)
    )
    # Counts of earlier runs go first, so every save of this run creates new rows.
    daily_counts_delete(
        DailyCount.objects.filter(
            Q(created_by__in=load_users) | Q(device__serial__startswith=SERIAL_PREFIX)
        )
    )

    today = timezone.localdate()
    headroom = _headroom(today)
    codes = sorted(headroom, key=lambda code: (-headroom[code], code))[:operators]
    if len(codes) < operators:
        raise SystemExit(f"Only {len(codes)} kecamatan available for {operators} operators.")
    names = dict(SubDistrict.objects.filter(code__in=codes).values_list("code", "name"))
    encoded = make_password(password)  # slow on purpose; all load logins share it
    plan = {"operators": [], "officials": [], "dashboards": DASHBOARDS}
    for number, code in enumerate(sorted(codes), start=1):
        sub_district = SubDistrict.objects.get(code=code)
        username = f"{OPERATOR_PREFIX}{number:02d}"
        _user(
            username,
            first_name=f"Operator uji beban Kec. {names[code]}",
            role=Role.OPERATOR,
            password=encoded,
            groups=groups,
            area={"sub_district": sub_district},
        )
        devices = _devices(sub_district)
        in_area = RecordingDevice.objects.filter(
            sub_district=sub_district, status=DeviceStatus.OPERATIONAL
        ).count()
        plan["operators"].append(
            {
                "username": username,
                "area": code,
                "devices": in_area,
                "own_devices": [d.serial for d in devices],
                "headroom": headroom[code],
            }
        )
    province = Province.objects.get(code=PROVINCE)
    for number in range(1, officials + 1):
        username = f"{VIEWER_PREFIX}{number:02d}"
        _user(
            username,
            first_name=f"Pemantau uji beban {province.name}",
            role=Role.VIEWER,
            password=encoded,
            groups=groups,
            area={"province": province},
        )
        plan["officials"].append({"username": username, "area": PROVINCE})
    # Leftover load users of a larger earlier run must not log in or be counted.
    wanted = [u["username"] for u in plan["operators"] + plan["officials"]]
    load_users.exclude(username__in=wanted).update(is_active=False)
    plan["capacity"] = DEVICE_CAPACITY
    plan["min_headroom"] = min(headroom[code] for code in codes)
    return plan


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    plan_path = Path(sys.argv[1])
    password = os.environ.get("LOADTEST_PASSWORD") or "uji-beban-ektp-2012"
    operators = int(os.environ.get("LOADTEST_OPERATORS", "50"))
    officials = int(os.environ.get("LOADTEST_OFFICIALS", "20"))
    call_command("import_regions")
    call_command("load_demo", password=password)
    plan = load_users_seed(operators=operators, officials=officials, password=password)
    plan["password"] = password
    plan_path.write_text(json.dumps(plan, indent=1), encoding="utf-8")
    devices = sum(op["devices"] for op in plan["operators"])
    print(
        f"Load users: {len(plan['operators'])} operators ({devices} devices, the smallest "
        f"headroom to the eligible population {plan['min_headroom']}), "
        f"{len(plan['officials'])} viewers of province {PROVINCE}. Plan: {plan_path}"
    )


if __name__ == "__main__":
    main()
