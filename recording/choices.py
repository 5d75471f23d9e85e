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
