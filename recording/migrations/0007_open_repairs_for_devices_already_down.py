"""Give every device that is down without an open repair one, so it can be shipped, returned,
fixed or replaced through the repair steps like any other.

Such devices were marked broken or sent to the vendor before repairs were recorded (0004). The
repair is dated from the device's own status timeline: reported on the first day of its
current down spell and, when it is at the vendor, shipped on the day it went there. Its
timeline rows of that spell are linked to it. Running it again opens nothing new.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef

DOWN = ("broken", "at_vendor")
SYMPTOM = "Tercatat rusak sebelum modul perbaikan; gejala belum diisi."


def _current_spell(changes):
    """The status changes of the device's current down spell (broken → at the vendor is one)."""
    spell = []
    for change in changes:
        spell = spell + [change] if change.status in DOWN else []
    return spell


def open_missing_repairs(apps, schema_editor):
    RecordingDevice = apps.get_model("recording", "RecordingDevice")
    Repair = apps.get_model("recording", "Repair")
    DeviceStatusChange = apps.get_model("recording", "DeviceStatusChange")
    stuck = RecordingDevice.objects.filter(status__in=DOWN).exclude(
        Exists(Repair.objects.filter(device=OuterRef("pk"), closed_on=None))
    )
    for device in stuck.order_by("pk"):
        changes = DeviceStatusChange.objects.filter(device=device).order_by("effective_on", "id")
        spell = _current_spell(changes)
        at_vendor = [c for c in spell if c.status == "at_vendor"]
        reported_on = spell[0].effective_on if spell else device.commissioned_on
        repair = Repair.objects.create(
            device=device,
            reported_on=reported_on,
            symptom=SYMPTOM,
            shipped_on=(
                at_vendor[0].effective_on
                if at_vendor
                else (reported_on if device.status == "at_vendor" else None)
            ),
        )
        DeviceStatusChange.objects.filter(pk__in=[c.pk for c in spell]).update(repair=repair)


class Migration(migrations.Migration):
    dependencies = [("recording", "0006_area_monthly_rollup")]

    operations = [migrations.RunPython(open_missing_repairs, migrations.RunPython.noop)]
