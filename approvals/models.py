from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from districts.models import Regency

from .choices import ApprovalLevel, ApprovalStep


class PeriodApproval(models.Model):
    """One regency's month of recording figures as approved (and perhaps accepted, or unlocked
    again); at most one live (not unlocked) approval per regency and month."""

    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="period_approvals",
        verbose_name=_("kabupaten/kota"),
    )
    month = models.DateField(_("bulan"), help_text=_("Tanggal 1 bulan itu."))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="period_approvals",
        verbose_name=_("disetujui oleh"),
    )
    approved_at = models.DateTimeField(_("disetujui pada"))
    approved_level = models.PositiveSmallIntegerField(
        _("tingkat penyetuju"), choices=ApprovalLevel.choices
    )
    reports_expected = models.PositiveIntegerField(_("laporan seharusnya"))
    reports_received = models.PositiveIntegerField(_("laporan masuk"))
    reason = models.TextField(_("alasan belum lengkap"), blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="period_acceptances",
        verbose_name=_("diterima oleh"),
    )
    accepted_at = models.DateTimeField(_("diterima pada"), null=True, blank=True)
    unlocked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="period_unlocks",
        verbose_name=_("dibuka oleh"),
    )
    unlocked_at = models.DateTimeField(_("dibuka pada"), null=True, blank=True)
    unlock_reason = models.TextField(_("alasan pembukaan"), blank=True)

    class Meta:
        ordering = ["-month", "regency", "-approved_at"]
        verbose_name = _("persetujuan bulan")
        verbose_name_plural = _("persetujuan bulan")
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "month"],
                condition=Q(unlocked_at__isnull=True),
                name="one_live_approval_per_regency_month",
                violation_error_message=_("Bulan ini sudah disetujui untuk kabupaten/kota ini."),
            ),
            models.CheckConstraint(
                condition=Q(accepted_by__isnull=True, accepted_at__isnull=True)
                | Q(accepted_by__isnull=False, accepted_at__isnull=False),
                name="approval_accepted_by_and_at_together",
            ),
            models.CheckConstraint(
                condition=Q(unlocked_by__isnull=True, unlocked_at__isnull=True, unlock_reason="")
                | (Q(unlocked_by__isnull=False, unlocked_at__isnull=False) & ~Q(unlock_reason="")),
                name="approval_unlock_has_who_when_and_reason",
            ),
            models.CheckConstraint(
                condition=Q(reports_received__lte=models.F("reports_expected")),
                name="approval_received_within_expected",
            ),
        ]

    def __str__(self):
        return f"{self.regency} {self.month:%Y-%m}"

    @property
    def is_live(self) -> bool:
        return self.unlocked_at is None


class PeriodApprovalStep(models.Model):
    """One step of a month's approval (approved, accepted, unlocked): who, when and why."""

    approval = models.ForeignKey(
        PeriodApproval,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("persetujuan"),
    )
    step = models.CharField(_("langkah"), max_length=10, choices=ApprovalStep.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="period_approval_steps",
        verbose_name=_("oleh"),
    )
    at = models.DateTimeField(_("pada"))
    reason = models.TextField(_("alasan"), blank=True)

    class Meta:
        ordering = ["approval", "at", "id"]
        verbose_name = _("langkah persetujuan")
        verbose_name_plural = _("langkah persetujuan")

    def __str__(self):
        return f"{self.approval} — {self.get_step_display()}"
