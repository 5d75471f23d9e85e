from django.db import models
from django.utils.translation import gettext_lazy as _


class ApprovalStep(models.TextChoices):
    """What happened to a month's approval; each step is one audit row."""

    APPROVED = "approved", _("disetujui kabupaten/kota")
    ACCEPTED = "accepted", _("diterima provinsi")
    UNLOCKED = "unlocked", _("kunci dibuka")


class ApprovalLevel(models.IntegerChoices):
    """The level a user acted at, as a region level (a smaller number is a higher level)."""

    NATIONAL = 0, _("nasional")
    PROVINCE = 1, _("provinsi")
    REGENCY = 2, _("kabupaten/kota")
