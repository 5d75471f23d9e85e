"""The e-KTP after recording, in aggregate figures only (never a resident's name or NIK): daily
card reports of the regency print offices and the kecamatan, the blanko (card blank) ledger of
each regency, and the kecamatan's hand-out events."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cards.choices import (
    REGENCY_COLUMNS,
    SUB_DISTRICT_COLUMNS,
    HandoutStatus,
    HandoutStep,
    MovementKind,
)
from common.validators import validate_known_day, validate_no_control_characters
from districts.models import Regency, SubDistrict
from recording.models import EntrySource, TableUpload

REFERENCE_MAX_LENGTH = 100
REASON_MAX_LENGTH = 500


def _figure(label: str) -> models.IntegerField:
    # Null means "not reported", which a dashboard must tell apart from a reported zero.
    return models.IntegerField(label, null=True, blank=True)


def _user_field(label: str) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=label,
    )


def _text(label: str, max_length: int) -> models.CharField:
    """Optional text typed by a person (a reference, a reason, a place)."""
    return models.CharField(
        label, max_length=max_length, blank=True, validators=[validate_no_control_characters]
    )


def _all_null(columns) -> Q:
    return Q(**{f"{column}__isnull": True for column in columns})


class CardReport(models.Model):
    """One area's card figures for one day: a regency print office's (on `regency`) or a
    kecamatan's (on `sub_district`), never both.

    One model for both levels, so that an upload's line, its revisions and the dashboards read
    one table; the database refuses a figure on the wrong level, a negative figure and a second
    report for the same area and day.
    """

    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="card_reports",
        verbose_name=_("kabupaten/kota"),
    )
    sub_district = models.ForeignKey(
        SubDistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="card_reports",
        verbose_name=_("kecamatan"),
    )
    date = models.DateField(_("tanggal"), validators=[validate_known_day])
    print_ready = _figure(_("siap cetak (PRR)"))
    duplicates = _figure(_("rekam ganda"))
    failed = _figure(_("gagal rekam"))
    printed = _figure(_("dicetak"))
    spoiled = _figure(_("blanko rusak"))
    suket_issued = _figure(_("suket diterbitkan"))
    received = _figure(_("diterima kecamatan"))
    handed_out = _figure(_("dibagikan"))
    # Bumped on every change, so a form opened before someone else's save cannot overwrite it.
    version = models.PositiveIntegerField(_("versi"), default=1)
    created_by = _user_field(_("dibuat oleh"))
    created_at = models.DateTimeField(_("dibuat pada"), default=timezone.now)
    entered_by = _user_field(_("terakhir diisi oleh"))
    entered_at = models.DateTimeField(_("terakhir diisi pada"), default=timezone.now)

    class Meta:
        ordering = ["date", "regency", "sub_district"]
        verbose_name = _("laporan kartu harian")
        verbose_name_plural = _("laporan kartu harian")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(regency__isnull=False, sub_district__isnull=True)
                    | Q(regency__isnull=True, sub_district__isnull=False)
                ),
                name="card_report_exactly_one_area",
                violation_error_message=_("Laporan kartu milik tepat satu wilayah."),
            ),
            models.CheckConstraint(
                condition=(
                    Q(regency__isnull=True, sub_district__isnull=False)
                    | _all_null(SUB_DISTRICT_COLUMNS)
                )
                & (
                    Q(regency__isnull=False, sub_district__isnull=True) | _all_null(REGENCY_COLUMNS)
                ),
                name="card_report_columns_fit_level",
                violation_error_message=_(
                    "Kabupaten/kota mengisi angka percetakan; kecamatan mengisi kartu diterima "
                    "dan dibagikan."
                ),
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{column}__gte": 0}) | Q(**{f"{column}__isnull": True}),
                    name=f"card_report_{column}_not_negative",
                    violation_error_message=_("Angka laporan kartu tidak boleh negatif."),
                )
                for column in REGENCY_COLUMNS + SUB_DISTRICT_COLUMNS
            ),
            models.UniqueConstraint(
                fields=["regency", "date"],
                condition=Q(regency__isnull=False),
                name="card_report_one_per_regency_day",
            ),
            models.UniqueConstraint(
                fields=["sub_district", "date"],
                condition=Q(sub_district__isnull=False),
                name="card_report_one_per_sub_district_day",
            ),
        ]
        indexes = [models.Index(fields=["date"], name="card_report_date_idx")]

    def __str__(self):
        return f"{self.area_code} {self.date:%Y-%m-%d}"

    @property
    def area_code(self) -> str:
        return self.regency_id or self.sub_district_id

    def figures(self) -> dict[str, int | None]:
        """The figures its level reports, by column (None: not reported)."""
        columns = REGENCY_COLUMNS if self.regency_id else SUB_DISTRICT_COLUMNS
        return {column: getattr(self, column) for column in columns}


class CardReportRevision(models.Model):
    """One write of a card report: its figures before (none for a new report) and after, who
    and when, and through which way in (form, upload, admin)."""

    report = models.ForeignKey(
        CardReport, on_delete=models.PROTECT, related_name="revisions", verbose_name=_("laporan")
    )
    old_values = models.JSONField(_("nilai lama"), null=True, blank=True)
    new_values = models.JSONField(_("nilai baru"))
    changed_by = _user_field(_("diubah oleh"))
    changed_at = models.DateTimeField(_("diubah pada"), default=timezone.now)
    source = models.CharField(_("lewat"), max_length=10, choices=EntrySource.choices)
    # The upload whose save wrote it (none for the form, the admin or the command).
    upload = models.ForeignKey(
        "CardReportUpload",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="revisions",
        verbose_name=_("unggahan"),
    )

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("riwayat laporan kartu")
        verbose_name_plural = _("riwayat laporan kartu")

    def __str__(self):
        return f"{self.report}: {self.old_values} → {self.new_values}"


class BlankoStock(models.Model):
    """A regency's blanko stock now, and the level at which it asks for more.

    Every movement of the regency's ledger locks this row (`select_for_update`) before checking
    and changes `stock` in the same transaction: two print reports or a report and a transfer
    saved at the same moment are checked one after the other, never both against the same
    stock. The stock could be summed from the movements each time, but a sum cannot be locked;
    the check constraint is the database's last word that the stock never goes below zero.
    """

    regency = models.OneToOneField(
        Regency,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="blanko_stock",
        verbose_name=_("kabupaten/kota"),
    )
    stock = models.IntegerField(_("stok blanko"), default=0)
    reorder_point = models.IntegerField(
        _("batas minta tambahan"),
        null=True,
        blank=True,
        help_text=_("Minta blanko tambahan bila stok turun sampai angka ini."),
    )
    updated_at = models.DateTimeField(_("diperbarui pada"), default=timezone.now)

    class Meta:
        ordering = ["regency"]
        verbose_name = _("stok blanko")
        verbose_name_plural = _("stok blanko")
        constraints = [
            models.CheckConstraint(
                condition=Q(stock__gte=0),
                name="blanko_stock_not_negative",
                violation_error_message=_("Stok blanko tidak boleh negatif."),
            ),
            models.CheckConstraint(
                condition=Q(reorder_point__gte=0) | Q(reorder_point__isnull=True),
                name="blanko_reorder_point_not_negative",
                violation_error_message=_("Batas minta tambahan tidak boleh negatif."),
            ),
        ]

    def __str__(self):
        return f"{self.regency_id}: {self.stock}"


class BlankoTransfer(models.Model):
    """Blanko lent by one regency to another: both sides of the ledger point to it."""

    from_regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="blanko_transfers_out",
        verbose_name=_("dari kabupaten/kota"),
    )
    to_regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="blanko_transfers_in",
        verbose_name=_("ke kabupaten/kota"),
    )
    date = models.DateField(_("tanggal"), validators=[validate_known_day])
    quantity = models.IntegerField(_("jumlah"))
    reference = _text(_("nomor surat"), REFERENCE_MAX_LENGTH)
    created_by = _user_field(_("dicatat oleh"))
    created_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)

    class Meta:
        ordering = ["-date", "-id"]
        verbose_name = _("pemindahan blanko")
        verbose_name_plural = _("pemindahan blanko")
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_regency=models.F("to_regency")),
                name="blanko_transfer_between_two_regencies",
                violation_error_message=_("Blanko dipindahkan ke kabupaten/kota lain."),
            ),
            models.CheckConstraint(
                condition=Q(quantity__gt=0),
                name="blanko_transfer_positive",
                violation_error_message=_("Jumlah blanko yang dipindahkan harus lebih dari 0."),
            ),
        ]

    def __str__(self):
        return f"{self.from_regency_id} → {self.to_regency_id}: {self.quantity}"


def _kind_fits(
    kind: str, quantity: Q, *, report=False, transfer=False, reference=False, reason=False
):
    """What a movement of `kind` must carry: the quantity's sign, and which link or text."""
    q = Q(kind=kind) & quantity
    q &= Q(report__isnull=not report) & Q(transfer__isnull=not transfer)
    if reference:
        q &= ~Q(reference="")
    if reason:
        q &= ~Q(reason="")
    return q


class BlankoMovement(models.Model):
    """One change of a regency's blanko stock, signed: + in, − out.

    Receipts (with the ministry's reference), transfers (two movements linked by their
    `BlankoTransfer`) and stock-take corrections (with a written reason) are never changed once
    written. A day's use is the regency's card report of that day (printed + spoiled): one
    movement per report, kept equal to it when the report is edited; the report's revisions say
    who changed it.
    """

    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="blanko_movements",
        verbose_name=_("kabupaten/kota"),
    )
    date = models.DateField(_("tanggal"), validators=[validate_known_day])
    kind = models.CharField(_("jenis"), max_length=12, choices=MovementKind.choices)
    quantity = models.IntegerField(_("jumlah"), help_text=_("Positif masuk, negatif keluar."))
    reference = _text(_("nomor surat"), REFERENCE_MAX_LENGTH)
    reason = _text(_("alasan"), REASON_MAX_LENGTH)
    report = models.OneToOneField(
        CardReport,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="blanko_use",
        verbose_name=_("laporan kartu"),
    )
    transfer = models.ForeignKey(
        BlankoTransfer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
        verbose_name=_("pemindahan"),
    )
    created_by = _user_field(_("dicatat oleh"))
    created_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)

    class Meta:
        ordering = ["regency", "date", "id"]
        verbose_name = _("mutasi blanko")
        verbose_name_plural = _("mutasi blanko")
        constraints = [
            models.CheckConstraint(
                condition=(
                    _kind_fits(MovementKind.RECEIPT, Q(quantity__gt=0), reference=True)
                    | _kind_fits(MovementKind.USE, Q(quantity__lte=0), report=True)
                    | _kind_fits(MovementKind.TRANSFER_OUT, Q(quantity__lt=0), transfer=True)
                    | _kind_fits(MovementKind.TRANSFER_IN, Q(quantity__gt=0), transfer=True)
                    | _kind_fits(MovementKind.CORRECTION, ~Q(quantity=0), reason=True)
                ),
                name="blanko_movement_fits_kind",
                violation_error_message=_(
                    "Mutasi blanko tidak sesuai jenisnya (tanda jumlah, nomor surat, alasan)."
                ),
            ),
            models.UniqueConstraint(
                fields=["transfer", "kind"],
                condition=Q(transfer__isnull=False),
                name="blanko_transfer_one_movement_per_side",
            ),
        ]
        indexes = [models.Index(fields=["date"], name="blanko_movement_date_idx")]

    def __str__(self):
        return f"{self.regency_id} {self.date:%Y-%m-%d} {self.kind}: {self.quantity}"


class HandoutEvent(models.Model):
    """A planned hand-out of printed cards at a kecamatan: when (unknown while it waits for the
    Bupati's schedule), where, how many cards, and whether it was held or postponed."""

    sub_district = models.ForeignKey(
        SubDistrict,
        on_delete=models.PROTECT,
        related_name="handout_events",
        verbose_name=_("kecamatan"),
    )
    planned_on = models.DateField(
        _("tanggal rencana"),
        null=True,
        blank=True,
        validators=[validate_known_day],
        help_text=_("Kosongkan bila jadwal belum ada (mis. menunggu jadwal bupati)."),
    )
    place = _text(_("tempat"), 200)
    planned_count = models.IntegerField(_("jumlah kartu direncanakan"))
    note = _text(_("keterangan"), 200)
    status = models.CharField(
        _("status"), max_length=10, choices=HandoutStatus.choices, default=HandoutStatus.PLANNED
    )
    held_on = models.DateField(
        _("tanggal terlaksana"), null=True, blank=True, validators=[validate_known_day]
    )
    postponed_reason = _text(_("alasan ditunda"), REASON_MAX_LENGTH)
    created_by = _user_field(_("dicatat oleh"))
    created_at = models.DateTimeField(_("dicatat pada"), default=timezone.now)
    updated_by = _user_field(_("terakhir diubah oleh"))
    updated_at = models.DateTimeField(_("terakhir diubah pada"), default=timezone.now)

    class Meta:
        ordering = ["sub_district", "planned_on", "id"]
        verbose_name = _("jadwal pembagian kartu")
        verbose_name_plural = _("jadwal pembagian kartu")
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_count__gte=0),
                name="handout_planned_count_not_negative",
                violation_error_message=_("Jumlah kartu direncanakan tidak boleh negatif."),
            ),
            models.CheckConstraint(
                condition=~Q(status=HandoutStatus.POSTPONED) | ~Q(postponed_reason=""),
                name="handout_postponed_has_reason",
                violation_error_message=_("Pembagian yang ditunda perlu alasannya."),
            ),
            models.CheckConstraint(
                condition=~Q(status=HandoutStatus.HELD) | Q(held_on__isnull=False),
                name="handout_held_has_day",
                violation_error_message=_("Pembagian yang terlaksana perlu tanggalnya."),
            ),
        ]

    def __str__(self):
        return f"{self.sub_district_id} {self.planned_on or '—'}: {self.planned_count}"


class HandoutEventChange(models.Model):
    """One step of a hand-out event (scheduled, held, postponed): who, when, and what it said."""

    event = models.ForeignKey(
        HandoutEvent, on_delete=models.PROTECT, related_name="changes", verbose_name=_("jadwal")
    )
    step = models.CharField(_("langkah"), max_length=10, choices=HandoutStep.choices)
    status = models.CharField(_("status"), max_length=10, choices=HandoutStatus.choices)
    planned_on = models.DateField(_("tanggal rencana"), null=True, blank=True)
    note = models.CharField(_("keterangan"), max_length=REASON_MAX_LENGTH, blank=True)
    changed_by = _user_field(_("diubah oleh"))
    changed_at = models.DateTimeField(_("diubah pada"), default=timezone.now)

    class Meta:
        ordering = ["event", "changed_at", "id"]
        verbose_name = _("riwayat jadwal pembagian")
        verbose_name_plural = _("riwayat jadwal pembagian")

    def __str__(self):
        return f"{self.event_id} {self.step} → {self.status}"


class ReorderPointChange(models.Model):
    """One change of a regency's reorder point: the level decides when the regency asks for
    more blanko, so who moved it, when and from what is kept like every ledger movement."""

    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="reorder_point_changes",
        verbose_name=_("kabupaten/kota"),
    )
    old_value = models.IntegerField(_("batas lama"), null=True, blank=True)
    new_value = models.IntegerField(_("batas baru"), null=True, blank=True)
    changed_by = _user_field(_("diubah oleh"))
    changed_at = models.DateTimeField(_("diubah pada"), default=timezone.now)

    class Meta:
        ordering = ["regency", "-changed_at", "-id"]
        verbose_name = _("riwayat batas minta tambahan")
        verbose_name_plural = _("riwayat batas minta tambahan")

    def __str__(self):
        return f"{self.regency_id}: {self.old_value} → {self.new_value}"


class CardReportUpload(TableUpload):
    """An uploaded CSV/XLSX of daily card reports: previewed first, saved all-or-nothing."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="card_report_uploads",
        verbose_name=_("diunggah oleh"),
    )

    class Meta(TableUpload.Meta):
        verbose_name = _("unggahan laporan kartu")
        verbose_name_plural = _("unggahan laporan kartu")

    def get_absolute_url(self):
        return reverse("card_report_upload", kwargs={"pk": self.pk})


class CardRollupTotal(models.Model):
    """The figures every card rollup holds: a regency print office's own figures, its
    kecamatan's received and handed out added up, and the number of reports added up (a row
    whose reports all went reads 0 everywhere)."""

    print_ready = models.BigIntegerField(default=0)
    duplicates = models.BigIntegerField(default=0)
    failed = models.BigIntegerField(default=0)
    printed = models.BigIntegerField(default=0)
    spoiled = models.BigIntegerField(default=0)
    suket_issued = models.BigIntegerField(default=0)
    received = models.BigIntegerField(default=0)
    handed_out = models.BigIntegerField(default=0)
    reports = models.IntegerField(default=0, help_text="Number of card reports added up.")

    class Meta:
        abstract = True


class RegencyCardDailyTotal(CardRollupTotal):
    """Sum of one regency's card reports (its print office's and its kecamatan's) on one day.

    Kept exact in the transaction of every write (cards/services/rollups.py), so the national
    and province dashboards add a few rows instead of millions of reports.
    """

    regency = models.ForeignKey(Regency, on_delete=models.CASCADE, related_name="+")
    date = models.DateField()

    class Meta:
        ordering = ["regency", "date"]
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "date"], name="regency_card_total_one_per_day"
            )
        ]

    def __str__(self):
        return f"{self.regency_id} {self.date:%Y-%m-%d}: {self.reports}"


class RegencyCardMonthlyTotal(CardRollupTotal):
    """Sum of one regency's card reports in one calendar month: dashboards add whole months
    from here and read the daily totals only for the month of the day they show."""

    regency = models.ForeignKey(Regency, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(help_text="First day of the month.")

    class Meta:
        ordering = ["regency", "month"]
        constraints = [
            models.UniqueConstraint(
                fields=["regency", "month"], name="regency_card_total_one_per_month"
            )
        ]

    def __str__(self):
        return f"{self.regency_id} {self.month:%Y-%m}: {self.reports}"
