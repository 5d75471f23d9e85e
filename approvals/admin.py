"""Approvals in the admin: listed for the admins of the regency or its province, never edited
here (the services check the level and keep every step)."""

from django.contrib import admin

from recording.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import PeriodApproval, PeriodApprovalStep


class PeriodApprovalStepInline(ReadOnlyInline):
    model = PeriodApprovalStep
    fields = ["step", "user", "at", "reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user")


@admin.register(PeriodApproval)
class PeriodApprovalAdmin(ReadOnlyAdmin):
    list_display = [
        "month",
        "regency",
        "approved_by",
        "approved_at",
        "reports_received",
        "reports_expected",
        "accepted_by",
        "accepted_at",
        "unlocked_by",
        "unlocked_at",
    ]
    search_fields = ["regency__code", "regency__name"]
    list_select_related = ["regency", "approved_by", "accepted_by", "unlocked_by"]
    date_hierarchy = "month"
    scope_field = "regency__code"
    inlines = [PeriodApprovalStepInline]


@admin.register(PeriodApprovalStep)
class PeriodApprovalStepAdmin(ReadOnlyAdmin):
    list_display = ["approval", "step", "user", "at", "reason"]
    list_filter = ["step"]
    search_fields = ["approval__regency__code", "approval__regency__name"]
    list_select_related = ["approval__regency", "user"]
    scope_field = "approval__regency__code"
