from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import (
    CountImport,
    DailyCount,
    DailyCountRevision,
    DeviceStatusChange,
    RecordingDevice,
    Repair,
    Vendor,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records: shown to admins, never edited by hand."""

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
class RecordingDeviceAdmin(admin.ModelAdmin):
    list_display = [
        "serial",
        "label",
        "sub_district",
        "status",
        "daily_capacity",
        "commissioned_on",
    ]
    list_filter = ["status", "sub_district__regency__province", "sub_district__regency"]
    search_fields = ["serial", "label", "sub_district__code", "sub_district__name"]
    list_select_related = ["sub_district"]
    autocomplete_fields = ["sub_district"]
    # The status (and which device a replacement stands in for) change only through the repair
    # steps on the device page, which date every change for the dashboards and the count rules.
    readonly_fields = ["status", "replaces"]
    inlines = [DeviceStatusChangeInline, RepairInline]


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
    list_filter = [
        "vendor",
        "outcome",
        RepairOpenFilter,
        "device__sub_district__regency__province",
    ]
    search_fields = [
        "device__serial",
        "device__sub_district__code",
        "device__sub_district__name",
        "vendor_reference",
    ]
    list_select_related = ["device", "vendor"]
    date_hierarchy = "reported_on"


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
    list_filter = [
        "needs_follow_up",
        "device__sub_district__regency__province",
        "device__status",
    ]
    search_fields = ["device__serial", "device__sub_district__code", "device__sub_district__name"]
    list_select_related = ["device", "entered_by"]
    date_hierarchy = "date"


@admin.register(DailyCountRevision)
class DailyCountRevisionAdmin(ReadOnlyAdmin):
    list_display = ["daily_count", "old_count", "new_count", "changed_by", "changed_at", "source"]
    list_filter = ["source"]
    search_fields = ["daily_count__device__serial"]
    list_select_related = ["daily_count__device", "changed_by"]


@admin.register(DeviceStatusChange)
class DeviceStatusChangeAdmin(ReadOnlyAdmin):
    list_display = ["device", "event", "status", "effective_on", "changed_by", "changed_at"]
    list_filter = ["event", "status", "device__sub_district__regency__province"]
    search_fields = ["device__serial", "device__sub_district__name"]
    list_select_related = ["device", "changed_by"]


@admin.register(CountImport)
class CountImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "uploaded_by", "uploaded_at", "status", "rows", "created"]
    list_filter = ["status"]
    search_fields = ["file_name", "uploaded_by__username"]
    exclude = ["content"]
