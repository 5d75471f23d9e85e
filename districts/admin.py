from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import AreaAssignment, Campaign, EligiblePopulation, Province, Regency, SubDistrict


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]


@admin.register(Regency)
class RegencyAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", "province"]
    search_fields = ["code", "name"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]


@admin.register(SubDistrict)
class SubDistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "regency"]
    list_filter = ["regency__province"]
    search_fields = ["code", "name", "regency__name"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]


@admin.register(EligiblePopulation)
class EligiblePopulationAdmin(admin.ModelAdmin):
    list_display = ["sub_district", "as_of", "eligible", "source"]
    list_filter = ["sub_district__regency__province", "as_of"]
    search_fields = ["sub_district__code", "sub_district__name"]
    list_select_related = ["sub_district"]
    autocomplete_fields = ["sub_district"]
    date_hierarchy = "as_of"


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["name", "regency", "starts_on", "deadline"]
    list_filter = ["regency__province", "deadline"]
    search_fields = ["name", "regency__code", "regency__name"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]


@admin.register(AreaAssignment)
class AreaAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "role", "province", "regency", "sub_district"]
    list_filter = ["role", "province", "regency__province"]
    search_fields = ["user__username", "regency__name", "sub_district__name", "province__name"]
    list_select_related = ["user", "province", "regency", "sub_district"]
    autocomplete_fields = ["user", "province", "regency", "sub_district"]


class AreaAssignmentInline(admin.TabularInline):
    model = AreaAssignment
    extra = 1
    autocomplete_fields = ["province", "regency", "sub_district"]


# Admins manage a user's role and areas on the user's own page.
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithAreasAdmin(UserAdmin):
    inlines = [*UserAdmin.inlines, AreaAssignmentInline]
