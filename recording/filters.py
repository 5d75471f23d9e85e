"""Filters of the open-repairs list (django-filter)."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from districts.models import Province, Regency
from districts.selectors import UserScope
from recording.choices import DeviceStatus
from recording.models import Repair, Vendor
from recording.selectors.repairs import scope_provinces, scope_regencies

ALL = _("Semua")


class OpenRepairFilterSet(django_filters.FilterSet):
    """Province, regency, vendor, status and "overdue only" over `open_repairs(...)`.

    Province and regency offer only what the user's scope reaches; the regencies narrow to the
    chosen province. A code outside those choices makes the form invalid, and the view then
    shows nothing (like django-filter's strict FilterView).
    """

    province = django_filters.ModelChoiceFilter(
        label=_("Provinsi"),
        field_name="device__sub_district__regency__province",
        queryset=Province.objects.none(),
        empty_label=ALL,
    )
    regency = django_filters.ModelChoiceFilter(
        label=_("Kabupaten/kota"),
        field_name="device__sub_district__regency",
        queryset=Regency.objects.none(),
        empty_label=ALL,
    )
    vendor = django_filters.ModelChoiceFilter(
        label=_("Vendor"), queryset=Vendor.objects.all(), empty_label=ALL
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"),
        field_name="device__status",
        choices=[(s, DeviceStatus(s).label) for s in DeviceStatus.down()],
        empty_label=ALL,
    )
    overdue = django_filters.BooleanFilter(
        label=_("Hanya yang terlambat"), method="filter_overdue", widget=forms.CheckboxInput
    )

    class Meta:
        model = Repair
        fields = ["province", "regency", "vendor", "status", "overdue"]

    def __init__(self, data=None, queryset=None, *, scope: UserScope, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["province"].queryset = scope_provinces(scope)
        # The raw value is enough to narrow the list; a wrong one just leaves no regency.
        province = (data or {}).get("province") or None
        self.filters["regency"].queryset = scope_regencies(scope, province=province)

    def filter_overdue(self, queryset, name, value):
        # An unticked box means "all", not "only those on time".
        return queryset.filter(overdue=True) if value else queryset

    @property
    def qs(self):
        if self.is_bound and not self.is_valid():
            return self.queryset.none()
        return super().qs
