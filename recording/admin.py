from django.contrib import admin

from .models import DailyCount, RecordingDevice


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


@admin.register(DailyCount)
class DailyCountAdmin(admin.ModelAdmin):
    list_display = ["device", "date", "count", "note", "entered_by", "entered_at"]
    list_filter = ["device__sub_district__regency__province", "device__status"]
    search_fields = ["device__serial", "device__sub_district__code", "device__sub_district__name"]
    list_select_related = ["device", "entered_by"]
    autocomplete_fields = ["device"]
    date_hierarchy = "date"
    readonly_fields = ["entered_by", "entered_at"]

    def save_model(self, request, obj, form, change):
        obj.entered_by = request.user
        super().save_model(request, obj, form, change)
