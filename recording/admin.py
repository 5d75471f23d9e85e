from django.contrib import admin
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from districts.admin import AreaScopedAdmin
from recording.models import (
    AreaMonthlyTotal,
    CountImport,
    DailyCount,
    DailyCountRevision,
    DeviceMonthlyTotal,
    DeviceStatusChange,
    ProvinceDailyTotal,
    RecordingDevice,
    RegencyDailyTotal,
    Repair,
    Vendor,
)
from recording.services.devices import device_save

# Region filters list only the regions the user's rows are in.
RELATED_ONLY = admin.RelatedOnlyFieldListFilter
PROVINCE_FILTER = ("device__sub_district__regency__province", RELATED_ONLY)


class ReadOnlyAdmin(AreaScopedAdmin):
    """Audit records and derived rows: shown to admins of the area, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class DeviceStatusChangeInline(ReadOnlyInline):
    model = DeviceStatusChange
    fields = ["effective_on", "event", "status", "note", "changed_by", "changed_at"]
    readonly_fields = fields
    ordering = ["effective_on", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("changed_by")


class RepairInline(ReadOnlyInline):
    model = Repair
    fk_name = "device"
    fields = [
        "reported_on",
        "symptom",
        "reported_by",
        "shipped_on",
        "vendor",
        "vendor_reference",
        "closed_on",
        "outcome",
        "replacement",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reported_by", "vendor", "replacement")


@admin.register(RecordingDevice)
class RecordingDeviceAdmin(AreaScopedAdmin):
    list_display = [
        "serial",
        "label",
        "sub_district",
        "status",
        "daily_capacity",
        "commissioned_on",
    ]
    list_filter = [
        "status",
        ("sub_district__regency__province", RELATED_ONLY),
        ("sub_district__regency", RELATED_ONLY),
    ]
    search_fields = ["serial", "label", "sub_district__code", "sub_district__name"]
    list_select_related = ["sub_district"]
    autocomplete_fields = ["sub_district"]
    # The status (and which device a replacement stands in for) change only through the repair
    # steps on the device page, which date every change for the dashboards and the count rules.
    readonly_fields = ["status", "replaces"]
    inlines = [DeviceStatusChangeInline, RepairInline]
    scope_field = "sub_district__code"

    def save_model(self, request, obj, form, change):
        moved_from = form.initial.get("sub_district") if change else None
        device_save(device=obj, moved_from=moved_from)


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "contact", "agreed_repair_days"]
    search_fields = ["name"]


class RepairOpenFilter(admin.SimpleListFilter):
    title = _("terbuka/selesai")
    parameter_name = "open"

    def lookups(self, request, model_admin):
        return [("yes", _("Terbuka")), ("no", _("Selesai"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(closed_on__isnull=True)
        if self.value() == "no":
            return queryset.filter(closed_on__isnull=False)
        return queryset


@admin.register(Repair)
class RepairAdmin(ReadOnlyAdmin):
    """Repairs are written by the repair steps on the device page; here they are only listed."""

    list_display = [
        "device",
        "reported_on",
        "symptom",
        "vendor",
        "shipped_on",
        "vendor_reference",
        "closed_on",
        "outcome",
    ]
    list_filter = ["vendor", "outcome", RepairOpenFilter, PROVINCE_FILTER]
    search_fields = [
        "device__serial",
        "device__sub_district__code",
        "device__sub_district__name",
        "vendor_reference",
    ]
    list_select_related = ["device", "vendor"]
    date_hierarchy = "reported_on"
    scope_field = "device__sub_district__code"


@admin.register(DailyCount)
class DailyCountAdmin(ReadOnlyAdmin):
    """Counts change only through the entry form or an upload, which keep every old value."""

    list_display = [
        "device",
        "date",
        "count",
        "note",
        "needs_follow_up",
        "entered_by",
        "entered_at",
    ]
    list_filter = ["needs_follow_up", PROVINCE_FILTER, "device__status"]
    search_fields = ["device__serial", "device__sub_district__code", "device__sub_district__name"]
    list_select_related = ["device", "entered_by"]
    date_hierarchy = "date"
    scope_field = "device__sub_district__code"


@admin.register(DailyCountRevision)
class DailyCountRevisionAdmin(ReadOnlyAdmin):
    list_display = ["daily_count", "old_count", "new_count", "changed_by", "changed_at", "source"]
    list_filter = ["source"]
    search_fields = ["daily_count__device__serial"]
    list_select_related = ["daily_count__device", "changed_by"]
    scope_field = "daily_count__device__sub_district__code"


@admin.register(DeviceStatusChange)
class DeviceStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["device", "event", "status", "effective_on", "changed_by", "changed_at"]
    list_filter = ["event", "status", PROVINCE_FILTER]
    search_fields = ["device__serial", "device__sub_district__name"]
    list_select_related = ["device", "changed_by"]
    scope_field = "device__sub_district__code"


@admin.register(CountImport)
class CountImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "uploaded_by", "uploaded_at", "status", "rows", "created"]
    list_filter = ["status"]
    search_fields = ["file_name", "uploaded_by__username"]
    exclude = ["content"]

    def get_queryset(self, request):
        # A row's file (up to 20 MB) and stored lines are never shown here; never read them.
        return super().get_queryset(request).defer("content", "parsed")

    def scope_q(self, request, scope):
        # Uploads belong to whoever made them, as on the app's preview page.
        return Q(uploaded_by=request.user)


# Rollups are derived from the counts (`manage.py rollup_rebuild` recomputes them): listed to
# check a figure, never edited.


@admin.register(RegencyDailyTotal)
class RegencyDailyTotalAdmin(ReadOnlyAdmin):
    list_display = ["regency", "date", "recorded", "reports"]
    search_fields = ["regency__code", "regency__name"]
    list_select_related = ["regency"]
    date_hierarchy = "date"
    scope_field = "regency__code"


@admin.register(ProvinceDailyTotal)
class ProvinceDailyTotalAdmin(ReadOnlyAdmin):
    list_display = ["province", "date", "recorded", "reports"]
    search_fields = ["province__code", "province__name"]
    list_select_related = ["province"]
    date_hierarchy = "date"
    scope_field = "province__code"


@admin.register(DeviceMonthlyTotal)
class DeviceMonthlyTotalAdmin(ReadOnlyAdmin):
    list_display = ["device", "month", "recorded", "reports"]
    search_fields = ["device__serial", "device__sub_district__code"]
    list_select_related = ["device"]
    scope_field = "device__sub_district__code"


@admin.register(AreaMonthlyTotal)
class AreaMonthlyTotalAdmin(ReadOnlyAdmin):
    list_display = ["area", "month", "recorded", "reports"]
    search_fields = ["area"]
    scope_field = "area"
