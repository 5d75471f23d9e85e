"""The region tree (Kemendagri codes), eligible populations, campaigns and area assignments."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from common.days import format_day
from common.validators import validate_known_day, validate_no_control_characters

from .choices import RegencyKind, Role

PROVINCE_CODE_RE = r"^\d{2}$"
REGENCY_CODE_RE = r"^\d{2}\.\d{2}$"
SUB_DISTRICT_CODE_RE = r"^\d{2}\.\d{2}\.\d{2}$"


def parent_code(code: str) -> str:
    """`16.08.12` -> `16.08`; `16.08` -> `16`."""
    return code.rsplit(".", 1)[0]


def _code_field(pattern: str, example: str, max_length: int):
    return models.CharField(
        _("kode"),
        max_length=max_length,
        primary_key=True,
        validators=[
            RegexValidator(
                pattern, _("Kode wilayah harus berbentuk %(example)s.") % {"example": example}
            )
        ],
        help_text=_("Kode wilayah Kemendagri, mis. %(example)s.") % {"example": example},
    )


def _code_under_parent(name: str, parent_field: str) -> models.CheckConstraint:
    # The parent's code is the FK column itself (codes are primary keys), so the database can
    # check that `16.08.12` sits under `16.08` without a join.
    return models.CheckConstraint(
        condition=Q(code__startswith=Concat(F(f"{parent_field}_id"), Value("."))),
        name=name,
        violation_error_message=_("Kode wilayah tidak berada di bawah kode induknya."),
    )


class RegionQuerySet(models.QuerySet):
    def search(self, text: str):
        return self.filter(Q(code__startswith=text) | Q(name__icontains=text))


class Region(models.Model):
    """Common shape of the three levels: an official code and a name."""

    name = models.CharField(_("nama"), max_length=120, validators=[validate_no_control_characters])

    objects = RegionQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"

    def get_absolute_url(self):
        return reverse("region", kwargs={"code": self.code})

    def _check_parent(self, parent_attr: str):
        parent_id = getattr(self, f"{parent_attr}_id")
        if self.code and parent_id and parent_code(self.code) != parent_id:
            raise ValidationError(
                {
                    "code": _("Kode %(code)s tidak berada di bawah induknya %(parent)s.")
                    % {"code": self.code, "parent": parent_id}
                }
            )


class Province(Region):
    """A province (provinsi), e.g. 16 Sumatera Selatan."""

    code = _code_field(PROVINCE_CODE_RE, "16", 2)

    class Meta(Region.Meta):
        verbose_name = _("provinsi")
        verbose_name_plural = _("provinsi")


class Regency(Region):
    """A regency (kabupaten) or city (kota), e.g. 16.08 Kabupaten Ogan Komering Ulu Timur."""

    code = _code_field(REGENCY_CODE_RE, "16.08", 5)
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, related_name="regencies", verbose_name=_("provinsi")
    )
    kind = models.CharField(
        _("jenis"), max_length=10, choices=RegencyKind.choices, default=RegencyKind.KABUPATEN
    )

    class Meta(Region.Meta):
        verbose_name = _("kabupaten/kota")
        verbose_name_plural = _("kabupaten/kota")
        constraints = [_code_under_parent("regency_code_under_province", "province")]

    def clean(self):
        self._check_parent("province")

    @staticmethod
    def kind_from_name(name: str) -> str:
        return RegencyKind.KOTA if re.match(r"^Kota\b", name) else RegencyKind.KABUPATEN


class SubDistrict(Region):
    """A sub-district (kecamatan), e.g. 16.08.12 Buay Madang Timur."""

    code = _code_field(SUB_DISTRICT_CODE_RE, "16.08.12", 8)
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="sub_districts",
        verbose_name=_("kabupaten/kota"),
    )

    class Meta(Region.Meta):
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")
        constraints = [_code_under_parent("subdistrict_code_under_regency", "regency")]

    def clean(self):
        self._check_parent("regency")


class EligiblePopulationQuerySet(models.QuerySet):
    def current(self, as_of):
        """Figures in force on `as_of`: the latest per sub-district dated on or before it."""
        # "No newer figure on or before the day" plans as an anti-join, not a subquery per row.
        newer = self.model.objects.filter(
            sub_district=models.OuterRef("sub_district"),
            as_of__gt=models.OuterRef("as_of"),
            as_of__lte=as_of,
        )
        return self.filter(as_of__lte=as_of).exclude(models.Exists(newer))


class EligiblePopulation(models.Model):
    """How many residents of a sub-district must hold an e-KTP (wajib KTP), as of a date."""

    sub_district = models.ForeignKey(
        SubDistrict,
        on_delete=models.PROTECT,
        related_name="eligible_populations",
        verbose_name=_("kecamatan"),
    )
    as_of = models.DateField(_("per tanggal"), validators=[validate_known_day])
    eligible = models.PositiveIntegerField(_("wajib KTP"))
    source = models.CharField(
        _("sumber"), max_length=200, blank=True, validators=[validate_no_control_characters]
    )

    objects = EligiblePopulationQuerySet.as_manager()

    class Meta:
        ordering = ["sub_district", "-as_of"]
        verbose_name = _("jumlah wajib KTP")
        verbose_name_plural = _("jumlah wajib KTP")
        constraints = [
            models.UniqueConstraint(
                fields=["sub_district", "as_of"], name="eligible_population_one_per_day"
            ),
            models.CheckConstraint(
                condition=Q(eligible__gte=0), name="eligible_population_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.sub_district_id}: {self.eligible} per {self.as_of:%Y-%m-%d}"


class Campaign(models.Model):
    """A regency's recording target: record every eligible resident between two dates."""

    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        related_name="campaigns",
        verbose_name=_("kabupaten/kota"),
    )
    name = models.CharField(_("nama"), max_length=120, validators=[validate_no_control_characters])
    starts_on = models.DateField(_("mulai"), validators=[validate_known_day])
    deadline = models.DateField(_("batas waktu"), validators=[validate_known_day])

    class Meta:
        ordering = ["regency", "-starts_on"]
        verbose_name = _("target perekaman")
        verbose_name_plural = _("target perekaman")
        constraints = [
            models.UniqueConstraint(fields=["regency", "starts_on"], name="campaign_one_start"),
            models.CheckConstraint(
                condition=Q(deadline__gt=F("starts_on")),
                name="campaign_deadline_after_start",
                violation_error_message=_("Batas waktu harus sesudah tanggal mulai."),
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.regency.name}, s.d. {format_day(self.deadline)})"


class AreaAssignment(models.Model):
    """One area (a province, a regency or a sub-district) a user works in, with their role."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="area_assignments",
        verbose_name=_("pengguna"),
    )
    role = models.CharField(_("peran"), max_length=10, choices=Role.choices)
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("provinsi"),
    )
    regency = models.ForeignKey(
        Regency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("kabupaten/kota"),
    )
    sub_district = models.ForeignKey(
        SubDistrict,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        verbose_name=_("kecamatan"),
    )

    class Meta:
        ordering = ["user", "province", "regency", "sub_district"]
        verbose_name = _("penugasan wilayah")
        verbose_name_plural = _("penugasan wilayah")
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(province__isnull=False, regency__isnull=True, sub_district__isnull=True)
                    | Q(province__isnull=True, regency__isnull=False, sub_district__isnull=True)
                    | Q(province__isnull=True, regency__isnull=True, sub_district__isnull=False)
                ),
                name="assignment_exactly_one_area",
                violation_error_message=_(
                    "Pilih tepat satu wilayah: provinsi, kabupaten/kota, atau kecamatan."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} {self.area}"

    @property
    def area(self):
        return self.sub_district or self.regency or self.province

    @property
    def area_code(self) -> str:
        return self.sub_district_id or self.regency_id or self.province_id
