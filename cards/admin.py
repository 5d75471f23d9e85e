"""The card journey in the admin: listed for admins of the area, never edited here. Reports,
the ledger and hand-out events change only through the services, which check the stock and
keep every change (revisions, movements, steps)."""

from django.contrib import admin

from cards.models import (
    BlankoMovement,
    BlankoStock,
    BlankoTransfer,
    CardReport,
    CardReportRevision,
    HandoutEvent,
    HandoutEventChange,
    ReorderPointChange,
)
from recording.admin import ReadOnlyAdmin, ReadOnlyInline


class RegencyOrKecamatanAdmin(ReadOnlyAdmin):
    """A row on a regency or a kecamatan (`prefix` leads to the report)."""

    prefix = ""

    def scope_q(self, request, scope):
        return scope.filter_q(f"{self.prefix}regency__code") | scope.filter_q(
            f"{self.prefix}sub_district__code"
        )


@admin.register(CardReport)
class CardReportAdmin(RegencyOrKecamatanAdmin):
    list_display = [
        "date",
        "regency",
        "sub_district",
        "print_ready",
        "printed",
        "spoiled",
        "received",
        "handed_out",
        "entered_by",
        "entered_at",
    ]
    search_fields = ["regency__code", "regency__name", "sub_district__code", "sub_district__name"]
    list_select_related = ["regency", "sub_district", "entered_by"]
    date_hierarchy = "date"


@admin.register(CardReportRevision)
class CardReportRevisionAdmin(RegencyOrKecamatanAdmin):
    list_display = ["report", "old_values", "new_values", "changed_by", "changed_at", "source"]
    list_filter = ["source"]
    search_fields = ["report__regency__code", "report__sub_district__code"]
    list_select_related = ["report", "changed_by"]
    prefix = "report__"


@admin.register(BlankoStock)
class BlankoStockAdmin(ReadOnlyAdmin):
    list_display = ["regency", "stock", "reorder_point", "updated_at"]
    search_fields = ["regency__code", "regency__name"]
    list_select_related = ["regency"]
    scope_field = "regency__code"


@admin.register(ReorderPointChange)
class ReorderPointChangeAdmin(ReadOnlyAdmin):
    list_display = ["regency", "old_value", "new_value", "changed_by", "changed_at"]
    search_fields = ["regency__code", "regency__name"]
    list_select_related = ["regency", "changed_by"]
    scope_field = "regency__code"


@admin.register(BlankoMovement)
class BlankoMovementAdmin(ReadOnlyAdmin):
    list_display = ["date", "regency", "kind", "quantity", "reference", "reason", "created_by"]
    list_filter = ["kind"]
    search_fields = ["regency__code", "regency__name", "reference"]
    list_select_related = ["regency", "created_by"]
    date_hierarchy = "date"
    scope_field = "regency__code"


@admin.register(BlankoTransfer)
class BlankoTransferAdmin(ReadOnlyAdmin):
    list_display = ["date", "from_regency", "to_regency", "quantity", "reference", "created_by"]
    search_fields = ["from_regency__code", "to_regency__code", "reference"]
    list_select_related = ["from_regency", "to_regency", "created_by"]
    date_hierarchy = "date"

    def scope_q(self, request, scope):
        # Either side's admins see the transfer: it moved their stock.
        return scope.filter_q("from_regency__code") | scope.filter_q("to_regency__code")


class HandoutEventChangeInline(ReadOnlyInline):
    model = HandoutEventChange
    fields = ["step", "status", "planned_on", "note", "changed_by", "changed_at"]
    readonly_fields = fields


@admin.register(HandoutEvent)
class HandoutEventAdmin(ReadOnlyAdmin):
    list_display = ["sub_district", "planned_on", "place", "planned_count", "status", "note"]
    list_filter = ["status"]
    search_fields = ["sub_district__code", "sub_district__name", "place"]
    list_select_related = ["sub_district"]
    inlines = [HandoutEventChangeInline]
    scope_field = "sub_district__code"


@admin.register(HandoutEventChange)
class HandoutEventChangeAdmin(ReadOnlyAdmin):
    list_display = ["event", "step", "status", "planned_on", "changed_by", "changed_at"]
    list_filter = ["step"]
    search_fields = ["event__sub_district__code", "event__sub_district__name"]
    list_select_related = ["event", "changed_by"]
    scope_field = "event__sub_district__code"
