from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceStatus(models.TextChoices):
    OPERATIONAL = "operational", _("Beroperasi")
    BROKEN = "broken", _("Rusak")
    AT_VENDOR = "at_vendor", _("Di vendor")
    RETIRED = "retired", _("Dipensiunkan")

    @classmethod
    def down(cls) -> list[str]:
        """Statuses in which a station cannot record."""
        return [cls.BROKEN, cls.AT_VENDOR]

    @classmethod
    def expected_to_report(cls, status: str) -> bool:
        """The one rule for "belum lapor", on every page and in the alerts: only a working
        station is expected to report the day's count; a broken one, one at the vendor or a
        retired one is not (and is never counted as silent)."""
        return status == cls.OPERATIONAL


class RepairEvent(models.TextChoices):
    """What can happen to a device; each moves it from one status to another."""

    FAULT_REPORTED = "fault_reported", _("Kerusakan dilaporkan")
    SHIPPED = "shipped", _("Dikirim ke vendor")
    RETURNED = "returned", _("Kembali dari vendor, beroperasi")
    FIXED_ON_SITE = "fixed_on_site", _("Diperbaiki di tempat")
    REPLACED = "replaced", _("Diganti alat baru")


# The only ways a device's status may change: event -> (allowed from, to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    RepairEvent.FAULT_REPORTED: ((DeviceStatus.OPERATIONAL,), DeviceStatus.BROKEN),
    RepairEvent.FIXED_ON_SITE: ((DeviceStatus.BROKEN,), DeviceStatus.OPERATIONAL),
    RepairEvent.SHIPPED: ((DeviceStatus.BROKEN,), DeviceStatus.AT_VENDOR),
    RepairEvent.RETURNED: ((DeviceStatus.AT_VENDOR,), DeviceStatus.OPERATIONAL),
    RepairEvent.REPLACED: ((DeviceStatus.BROKEN, DeviceStatus.AT_VENDOR), DeviceStatus.RETIRED),
}
