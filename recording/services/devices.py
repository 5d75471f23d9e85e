"""Writes of the device register (what the admin edits); status changes are the repair steps'."""

from django.db import transaction

from districts.codes import regency_code
from recording.models import RecordingDevice
from recording.services.rollups import rollup_refresh


@transaction.atomic
def device_save(*, device: RecordingDevice, moved_from: str | None = None) -> RecordingDevice:
    """Save a device's register entry. A device moved from the kecamatan `moved_from` to another
    takes its counts along: the rollups of both regencies (and their provinces) are recomputed
    in the same transaction as the move."""
    device.save()
    if moved_from and moved_from != device.sub_district_id and device.daily_counts.exists():
        for code in sorted({moved_from, device.sub_district_id}):
            rollup_refresh(regency_code(code))
    return device
