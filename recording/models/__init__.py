"""The recording app's models, by sub-domain: devices and their repairs (`devices`), daily counts
and their uploads (`counts`), and the rollups the dashboards read (`rollups`). Import them from
here: `from recording.models import DailyCount`."""

from recording.models.counts import (
    CountImport,
    DailyCount,
    DailyCountRevision,
    EntrySource,
    TableUpload,
)
from recording.models.devices import (
    DeviceStatusChange,
    DeviceStatusChangeQuerySet,
    RecordingDevice,
    RecordingDeviceQuerySet,
    Repair,
    Vendor,
)
from recording.models.rollups import (
    AreaMonthlyTotal,
    DeviceMonthlyTotal,
    ProvinceDailyTotal,
    RegencyDailyTotal,
    RollupTotal,
)

__all__ = [
    "AreaMonthlyTotal",
    "CountImport",
    "DailyCount",
    "DailyCountRevision",
    "DeviceMonthlyTotal",
    "DeviceStatusChange",
    "DeviceStatusChangeQuerySet",
    "EntrySource",
    "ProvinceDailyTotal",
    "RecordingDevice",
    "RecordingDeviceQuerySet",
    "RegencyDailyTotal",
    "Repair",
    "RollupTotal",
    "TableUpload",
    "Vendor",
]
