"""Recording devices (alat perekaman e-KTP) and the daily counts they record."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.days import format_day
from common.validators import validate_known_day, validate_no_control_characters
from districts.codes import area_q
from districts.models import SubDistrict
from recording.choices import (
    IMPORT_STALE_MINUTES,
    DeviceStatus,
    ImportNotice,
    ImportStatus,
    RepairEvent,
)
from recording.validators import SERIAL_HELP, SERIAL_REGEX, validate_serial

# A note on a count or a status change, wherever it is typed or uploaded.
NOTE_MAX_LENGTH = 200


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


class DailyCount(models.Model):
    """How many residents one device recorded on one day."""

    device = models.ForeignKey(
        RecordingDevice,
        on_delete=models.PROTECT,
        related_name="daily_counts",
        verbose_name=_("alat"),
    )
    date = models.DateField(_("tanggal"), validators=[validate_known_day])
    count = models.IntegerField(_("jumlah terekam"))
    note = models.CharField(
        _("catatan"),
        max_length=NOTE_MAX_LENGTH,
        blank=True,
        validators=[validate_no_control_characters],
    )
    needs_follow_up = models.BooleanField(_("perlu ditindaklanjuti"), default=False)
    follow_up_reasons = models.CharField(_("alasan tindak lanjut"), max_length=300, blank=True)
    # Bumped on every change, so a form opened before someone else's save cannot overwrite it.
    version = models.PositiveIntegerField(_("versi"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dibuat oleh"),
    )
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("terakhir diisi oleh"),
    )
    entered_at = models.DateTimeField(_("terakhir diisi pada"), default=timezone.now)

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
        indexes = [
            models.Index(fields=["date"], name="daily_count_date_idx"),
            models.Index(
                fields=["needs_follow_up"],
                name="daily_count_follow_up_idx",
                condition=Q(needs_follow_up=True),
            ),
        ]

    def __str__(self):
        return f"{self.device_id} {self.date:%Y-%m-%d}: {self.count}"


class EntrySource(models.TextChoices):
    FORM = "form", _("Formulir entri")
    IMPORT = "import", _("Unggah berkas")
    ADMIN = "admin", _("Admin")


class CountImport(models.Model):
    """An uploaded CSV/XLSX of daily counts: previewed first, committed all-or-nothing."""

    Status = ImportStatus

    file_name = models.CharField(_("nama berkas"), max_length=255)
    content = models.BinaryField(_("isi berkas"))
    # What the file was read into when it was uploaded; previews and the commit work from it,
    # so the file is never read twice. Null once committed, or for an upload kept before it was.
    parsed = models.JSONField(_("baris terbaca"), null=True, blank=True, editable=False)
    # `purge_uploads` clears the content of an old committed upload; its digest stays.
    sha256 = models.CharField(_("SHA-256 berkas"), max_length=64, blank=True)
    content_cleared_at = models.DateTimeField(_("isi berkas dihapus pada"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="count_imports",
        verbose_name=_("diunggah oleh"),
    )
    uploaded_at = models.DateTimeField(_("diunggah pada"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    # How far the running background step got (`status`), written at most twice a second;
    # `progress_at` is when it last moved, so a step whose worker died is seen as stopped.
    progress_done = models.PositiveIntegerField(_("langkah selesai"), default=0, editable=False)
    progress_total = models.PositiveIntegerField(_("langkah seluruhnya"), default=0, editable=False)
    progress_at = models.DateTimeField(
        _("terakhir bergerak"), null=True, blank=True, editable=False
    )
    # What the check found (summary, first errors and warnings, sample rows, digest): the page
    # shows it without reading or checking the rows again. Null until checked.
    preview = models.JSONField(_("hasil pemeriksaan"), null=True, blank=True, editable=False)
    notice = models.CharField(
        _("pemberitahuan"), max_length=20, choices=ImportNotice.choices, blank=True, editable=False
    )
    rows = models.PositiveIntegerField(_("baris"), default=0)
    created = models.PositiveIntegerField(_("baru"), default=0)
    updated = models.PositiveIntegerField(_("diperbarui"), default=0)
    unchanged = models.PositiveIntegerField(_("tetap"), default=0)
    committed_at = models.DateTimeField(_("disimpan pada"), null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("unggahan jumlah harian")
        verbose_name_plural = _("unggahan jumlah harian")

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    def get_absolute_url(self):
        return reverse("count_import", kwargs={"pk": self.pk})

    @property
    def is_stalled(self) -> bool:
        """A background step had it but has not moved for `IMPORT_STALE_MINUTES`: its worker
        stopped (or none runs), and it may be checked again."""
        moved = self.progress_at or self.uploaded_at
        return self.status in ImportStatus.running() and moved < timezone.now() - dt.timedelta(
            minutes=IMPORT_STALE_MINUTES
        )

    @property
    def is_running(self) -> bool:
        return self.status in ImportStatus.running() and not self.is_stalled


class DailyCountRevision(models.Model):
    """One change of an existing daily count: the old and the new value, who and when."""

    daily_count = models.ForeignKey(
        DailyCount, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("jumlah")
    )
    old_count = models.IntegerField(_("nilai lama"))
    new_count = models.IntegerField(_("nilai baru"))
    old_note = models.CharField(_("catatan lama"), max_length=NOTE_MAX_LENGTH, blank=True)
    new_note = models.CharField(_("catatan baru"), max_length=NOTE_MAX_LENGTH, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diubah oleh"),
    )
    changed_at = models.DateTimeField(_("diubah pada"), default=timezone.now)
    source = models.CharField(_("lewat"), max_length=10, choices=EntrySource.choices)
    count_import = models.ForeignKey(
        CountImport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("unggahan"),
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("riwayat perubahan jumlah")
        verbose_name_plural = _("riwayat perubahan jumlah")

    def __str__(self):
        return f"{self.daily_count}: {self.old_count} → {self.new_count}"


class RegencyDailyTotal(models.Model):
    """Sum of one regency's daily counts on one day (a rollup kept exact with every write).

    The dashboards of the nation and of a province read these instead of millions of counts.
    """

    regency = models.ForeignKey(
        "districts.Regency", on_delete=models.CASCADE, related_name="+", db_constraint=True
    )
    date = models.DateField()
    recorded = models.BigIntegerField(default=0)
    reports = models.IntegerField(default=0, help_text="Number of daily counts that day.")

    class Meta:
        ordering = ["regency", "date"]
        constraints = [
            models.UniqueConstraint(fields=["regency", "date"], name="regency_total_one_per_day")
        ]

    def __str__(self):
        return f"{self.regency_id} {self.date:%Y-%m-%d}: {self.recorded}"


class ProvinceDailyTotal(models.Model):
    """Sum of one province's daily counts on one day (a rollup kept exact with every write)."""

    province = models.ForeignKey("districts.Province", on_delete=models.CASCADE, related_name="+")
    date = models.DateField()
    recorded = models.BigIntegerField(default=0)
    reports = models.IntegerField(default=0, help_text="Number of daily counts that day.")

    class Meta:
        ordering = ["province", "date"]
        constraints = [
            models.UniqueConstraint(fields=["province", "date"], name="province_total_one_per_day")
        ]

    def __str__(self):
        return f"{self.province_id} {self.date:%Y-%m-%d}: {self.recorded}"


class DeviceMonthlyTotal(models.Model):
    """Sum of one device's daily counts in one calendar month (a rollup kept exact).

    A regency or kecamatan dashboard adds whole months from here and only reads the raw counts
    of the month it is looking at, so its cost does not grow with the years of data.
    """

    device = models.ForeignKey(RecordingDevice, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month.")
    recorded = models.BigIntegerField(default=0)
    reports = models.IntegerField(default=0)

    class Meta:
        ordering = ["device", "month"]
        constraints = [
            models.UniqueConstraint(fields=["device", "month"], name="device_total_one_per_month")
        ]

    def __str__(self):
        return f"{self.device_id} {self.month:%Y-%m}: {self.recorded}"


class AreaMonthlyTotal(models.Model):
    """Sum of a province's (`16`) or a regency's (`16.08`) counts in one month (a rollup).

    National and province dashboards add whole months from here and read the daily totals only
    for the month they look at.
    """

    area = models.CharField(max_length=5)
    month = models.DateField(help_text="First day of the month.")
    recorded = models.BigIntegerField(default=0)
    reports = models.IntegerField(default=0)

    class Meta:
        ordering = ["area", "month"]
        constraints = [
            models.UniqueConstraint(fields=["area", "month"], name="area_total_one_per_month")
        ]

    def __str__(self):
        return f"{self.area} {self.month:%Y-%m}: {self.recorded}"
