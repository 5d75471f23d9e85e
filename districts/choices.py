from django.db import models
from django.utils.translation import gettext_lazy as _


class RegencyKind(models.TextChoices):
    KABUPATEN = "kabupaten", _("Kabupaten")
    KOTA = "kota", _("Kota")


class Role(models.TextChoices):
    """What a user may do in their assigned area; each role is also a Django group."""

    OPERATOR = "operator", _("Operator")
    VIEWER = "viewer", _("Pemantau")
    ADMIN = "admin", _("Admin")
