"""Recording devices (alat perekaman e-KTP) and the daily counts they record."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from districts.models import SubDistrict

from .choices import DeviceStatus


class RecordingDeviceQuerySet(models.QuerySet):
    def in_area(self, code: str):
        """Devices inside a region code: a province `16`, a regency `16.08` or `16.08.12`."""
        if not code:
            return self
        return self.filter(Q(sub_district=code) | Q(sub_district__code__startswith=f"{code}."))

    def down(self):
        return self.filter(status__in=DeviceStatus.down())


class RecordingDevice(models.Model):
    """One recording station (PC, scanners, camera) serving a sub-district."""

    serial = models.CharField(_("nomor seri"), max_length=50, unique=True)
    sub_district = models.ForeignKey(
        SubDistrict,
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("kecamatan"),
    )
    label = models.CharField(_("label"), max_length=100, blank=True)
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=DeviceStatus.choices,
        default=DeviceStatus.OPERATIONAL,
        db_index=True,
    )
    daily_capacity = models.PositiveIntegerField(
        _("kapasitas harian"), default=100, help_text=_("Orang per hari.")
    )
    commissioned_on = models.DateField(_("mulai beroperasi"))

    objects = RecordingDeviceQuerySet.as_manager()

    class Meta:
        ordering = ["sub_district", "serial"]
        verbose_name = _("alat perekaman")
        verbose_name_plural = _("alat perekaman")
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_capacity__gt=0), name="device_capacity_positive"
            ),
        ]

    def __str__(self):
        return f"{self.serial} ({self.label})" if self.label else self.serial

    def get_absolute_url(self):
        return reverse("device", kwargs={"serial": self.serial})


class DailyCount(models.Model):
    """How many residents one device recorded on one day."""

    device = models.ForeignKey(
        RecordingDevice,
        on_delete=models.PROTECT,
        related_name="daily_counts",
        verbose_name=_("alat"),
    )
    date = models.DateField(_("tanggal"))
    count = models.IntegerField(_("jumlah terekam"))
    note = models.CharField(_("catatan"), max_length=200, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diisi oleh"),
    )
    entered_at = models.DateTimeField(_("diisi pada"), auto_now=True)

    class Meta:
        ordering = ["device", "date"]
        verbose_name = _("jumlah harian")
        verbose_name_plural = _("jumlah harian")
        constraints = [
            models.UniqueConstraint(
                fields=["device", "date"], name="daily_count_one_per_device_day"
            ),
            models.CheckConstraint(
                condition=Q(count__gte=0),
                name="daily_count_not_negative",
                violation_error_message=_("Jumlah terekam tidak boleh negatif."),
            ),
        ]
        indexes = [models.Index(fields=["date"], name="daily_count_date_idx")]

    def __str__(self):
        return f"{self.device_id} {self.date:%Y-%m-%d}: {self.count}"
