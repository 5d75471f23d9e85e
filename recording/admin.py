from django.contrib import admin
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import (
    CountImport,
    DailyCount,
    DailyCountRevision,
    DeviceStatusChange,
    RecordingDevice,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Audit records: shown to admins, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class DeviceStatusChangeInline(admin.TabularInline):
    model = DeviceStatusChange
    extra = 0
    fields = ["effective_on", "status", "note", "changed_by", "changed_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


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
    inlines = [DeviceStatusChangeInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if change and "status" in form.changed_data:
            # Keep the dated timeline in step, so the day's status is known to the rules.
            DeviceStatusChange.objects.create(
                device=obj,
                status=obj.status,
                effective_on=timezone.localdate(),
                note=_("Diubah lewat halaman admin."),
                changed_by=request.user,
            )


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
    list_display = ["device", "status", "effective_on", "changed_by", "changed_at"]
    list_filter = ["status", "device__sub_district__regency__province"]
    search_fields = ["device__serial", "device__sub_district__name"]
    list_select_related = ["device", "changed_by"]


@admin.register(CountImport)
class CountImportAdmin(ReadOnlyAdmin):
    list_display = ["file_name", "uploaded_by", "uploaded_at", "status", "rows", "created"]
    list_filter = ["status"]
    search_fields = ["file_name", "uploaded_by__username"]
    exclude = ["content"]
