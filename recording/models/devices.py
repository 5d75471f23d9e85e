"""Recording devices, their status timeline, and their repairs at the vendor."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.days import format_day
from common.validators import validate_known_day, validate_no_control_characters
from districts.codes import area_q
from districts.models import SubDistrict
from recording.choices import DeviceStatus, RepairEvent
from recording.validators import NOTE_MAX_LENGTH, SERIAL_HELP, SERIAL_REGEX, validate_serial


class RecordingDeviceQuerySet(models.QuerySet):
    def in_area(self, code: str):
        """Devices inside a region code: a province `16`, a regency `16.08` or `16.08.12`."""
        return self.filter(area_q(code, "sub_district__code"))

    def down(self):
        return self.filter(status__in=DeviceStatus.down())


class RecordingDevice(models.Model):
    """One recording station (PC, scanners, camera) serving a sub-district."""

    serial = models.CharField(
        _("nomor seri"),
        max_length=50,
        unique=True,
        validators=[validate_serial],
        help_text=SERIAL_HELP,
    )
    sub_district = models.ForeignKey(
        SubDistrict,
        on_delete=models.PROTECT,
        related_name="devices",
        verbose_name=_("kecamatan"),
    )
    label = models.CharField(
        _("label"), max_length=100, blank=True, validators=[validate_no_control_characters]
    )
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
    commissioned_on = models.DateField(_("mulai beroperasi"), validators=[validate_known_day])
    replaces = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="replaced_by",
        verbose_name=_("menggantikan alat"),
        help_text=_("Alat lama di stasiun yang sama, bila alat ini penggantinya."),
    )

    objects = RecordingDeviceQuerySet.as_manager()

    class Meta:
        ordering = ["sub_district", "serial"]
        verbose_name = _("alat perekaman")
        verbose_name_plural = _("alat perekaman")
        constraints = [
            models.CheckConstraint(
                condition=Q(daily_capacity__gt=0), name="device_capacity_positive"
            ),
            models.CheckConstraint(
                condition=Q(serial__regex=SERIAL_REGEX),
                name="device_serial_allowed_characters",
                violation_error_message=validate_serial.message,
            ),
        ]

    def __str__(self):
        return f"{self.serial} ({self.label})" if self.label else self.serial

    def get_absolute_url(self):
        return reverse("device", kwargs={"serial": self.serial})


class Vendor(models.Model):
    """A company that repairs or replaces recording devices (e.g. the national consortium)."""

    name = models.CharField(
        _("nama"), max_length=120, unique=True, validators=[validate_no_control_characters]
    )
    contact = models.CharField(
        _("kontak"), max_length=200, blank=True, validators=[validate_no_control_characters]
    )
    agreed_repair_days = models.PositiveIntegerField(
        _("waktu perbaikan yang disepakati (hari)"), default=14
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("vendor")
        verbose_name_plural = _("vendor")

    def __str__(self):
        return self.name


class Repair(models.Model):
    """One fault of one device, from its report until the device is back or replaced."""

    device = models.ForeignKey(
        RecordingDevice, on_delete=models.PROTECT, related_name="repairs", verbose_name=_("alat")
    )
    reported_on = models.DateField(_("tanggal rusak"), validators=[validate_known_day])
    symptom = models.CharField(
        _("gejala"), max_length=300, validators=[validate_no_control_characters]
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dilaporkan oleh"),
    )
    shipped_on = models.DateField(
        _("dikirim ke vendor"), null=True, blank=True, validators=[validate_known_day]
    )
    vendor = models.ForeignKey(
        Vendor,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="repairs",
        verbose_name=_("vendor"),
    )
    vendor_reference = models.CharField(
        _("nomor tiket vendor"),
        max_length=100,
        blank=True,
        validators=[validate_no_control_characters],
    )
    closed_on = models.DateField(
        _("selesai"), null=True, blank=True, validators=[validate_known_day]
    )
    outcome = models.CharField(_("hasil"), max_length=20, choices=RepairEvent.choices, blank=True)
    replacement = models.OneToOneField(
        RecordingDevice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("alat pengganti"),
    )

    class Meta:
        ordering = ["-reported_on", "-id"]
        verbose_name = _("perbaikan")
        verbose_name_plural = _("perbaikan")
        constraints = [
            models.CheckConstraint(
                condition=Q(shipped_on__isnull=True) | Q(shipped_on__gte=F("reported_on")),
                name="repair_shipped_after_report",
            ),
            models.CheckConstraint(
                condition=Q(closed_on__isnull=True) | Q(closed_on__gte=F("reported_on")),
                name="repair_closed_after_report",
            ),
            # A device has at most one open repair.
            models.UniqueConstraint(
                fields=["device"], condition=Q(closed_on__isnull=True), name="repair_one_open"
            ),
        ]

    def __str__(self):
        return f"{self.device} rusak {format_day(self.reported_on)}"

    @property
    def is_open(self) -> bool:
        return self.closed_on is None


class DeviceStatusChangeQuerySet(models.QuerySet):
    def in_force_on(self, day):
        """Per device, the change whose status held on `day` (the latest on or before it)."""
        latest = (
            self.model.objects.filter(device=models.OuterRef("device"), effective_on__lte=day)
            .order_by("-effective_on", "-id")
            .values("id")[:1]
        )
        return self.filter(id=models.Subquery(latest))


class DeviceStatusChange(models.Model):
    """A device's status from a given day on; the timeline tells whether it could record on a day.

    A device with no change before a day was operational on that day.
    """

    device = models.ForeignKey(
        RecordingDevice,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("alat"),
    )
    status = models.CharField(_("status"), max_length=12, choices=DeviceStatus.choices)
    effective_on = models.DateField(_("berlaku sejak"), validators=[validate_known_day])
    note = models.CharField(
        _("catatan"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        validators=[validate_no_control_characters],
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diubah oleh"),
    )
    changed_at = models.DateTimeField(_("diubah pada"), auto_now_add=True)
    event = models.CharField(_("kejadian"), max_length=20, choices=RepairEvent.choices, blank=True)
    repair = models.ForeignKey(
        Repair,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_changes",
        verbose_name=_("perbaikan"),
    )

    objects = DeviceStatusChangeQuerySet.as_manager()

    class Meta:
        ordering = ["device", "effective_on", "id"]
        verbose_name = _("perubahan status alat")
        verbose_name_plural = _("perubahan status alat")
        indexes = [models.Index(fields=["device", "effective_on"], name="status_change_device_day")]

    def __str__(self):
        return f"{self.device_id} {self.get_status_display()} sejak {self.effective_on:%Y-%m-%d}"
