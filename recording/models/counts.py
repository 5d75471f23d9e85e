"""Daily counts (how many residents a device recorded on a day), their revisions, and the
uploads that bring them in."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.validators import validate_known_day, validate_no_control_characters
from recording.choices import IMPORT_STALE_MINUTES, ImportNotice, ImportStatus
from recording.models.devices import RecordingDevice
from recording.validators import NOTE_MAX_LENGTH


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


class TableUpload(models.Model):
    """An uploaded CSV/XLSX file of figures, previewed first and saved all-or-nothing by
    background tasks; a concrete upload adds who uploaded it (`uploaded_by`)."""

    Status = ImportStatus

    file_name = models.CharField(_("nama berkas"), max_length=255)
    content = models.BinaryField(_("isi berkas"))
    # What the file was read into when it was uploaded; previews and the commit work from it,
    # so the file is never read twice. Null once committed, or for an upload kept before it was.
    parsed = models.JSONField(_("baris terbaca"), null=True, blank=True, editable=False)
    # `purge_uploads` clears the content of an old committed upload; its digest stays.
    sha256 = models.CharField(_("SHA-256 berkas"), max_length=64, blank=True)
    content_cleared_at = models.DateTimeField(_("isi berkas dihapus pada"), null=True, blank=True)
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
        abstract = True
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

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


class CountImport(TableUpload):
    """An uploaded CSV/XLSX of daily counts: previewed first, committed all-or-nothing."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="count_imports",
        verbose_name=_("diunggah oleh"),
    )

    class Meta(TableUpload.Meta):
        verbose_name = _("unggahan jumlah harian")
        verbose_name_plural = _("unggahan jumlah harian")

    def get_absolute_url(self):
        return reverse("count_import", kwargs={"pk": self.pk})


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
