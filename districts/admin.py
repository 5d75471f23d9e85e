from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from django.contrib.contenttypes import views as contenttype_views
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext

from .choices import Role
from .models import AreaAssignment, Campaign, EligiblePopulation, Province, Regency, SubDistrict
from .selectors import UserScope, user_scope


def request_scope(request) -> UserScope:
    """The user's areas, read once per request (every admin page asks several times)."""
    if not hasattr(request, "_area_scope"):
        request._area_scope = user_scope(request.user)
    return request._area_scope


def _related_queryset(admin_site, request, model):
    """What the admin of `model` lists for this user (None for an unregistered model)."""
    model_admin = admin_site._registry.get(model)
    return model_admin.get_queryset(request) if model_admin is not None else None


class ScopedChoicesMixin:
    """Foreign-key choices limited to what the related model's admin lists to the same user."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and not request_scope(request).everywhere:
            related = _related_queryset(self.admin_site, request, db_field.remote_field.model)
            if related is not None:
                kwargs["queryset"] = related
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class AreaScopedMixin(ScopedChoicesMixin):
    """Staff who are not superusers work on the rows of their own areas only.

    Rows outside the areas are not listed, cannot be opened (404, like the app's pages, so an
    outsider cannot tell them from rows that do not exist) and cannot be chosen in a foreign key
    (see `ScopedChoicesMixin`). Superusers see everything. Subclasses name the code the area is
    read from (`scope_field`) or override `scope_q`.
    """

    scope_field = ""

    def scope_q(self, request, scope: UserScope) -> Q:
        return scope.filter_q(self.scope_field)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = request_scope(request)
        if scope.everywhere:
            return queryset
        return queryset.filter(self.scope_q(request, scope))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and not request_scope(request).everywhere:
            # Django redirects to the index with "does not exist"; outsiders get the app's 404.
            raise Http404(gettext("Data di luar area Anda."))
        return obj

    def _in_scope(self, request, obj) -> bool:
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._in_scope(request, obj)


class AreaScopedAdmin(AreaScopedMixin, admin.ModelAdmin):
    """A ModelAdmin whose rows and choices are limited to the user's areas."""


def view_on_site(request, content_type_id: int, object_id: str):
    """The admin's "view on site" redirect, for objects the user's admin lists only.

    Django's own redirects for any object of any model, which would tell a regional admin the
    page address (a device's serial) of objects in other areas.
    """
    content_type = ContentType.objects.filter(pk=content_type_id).first()
    model = content_type.model_class() if content_type else None
    listed = _related_queryset(admin.site, request, model) if model else None
    try:
        visible = listed is not None and listed.filter(pk=object_id).exists()
    except (ValueError, ValidationError):
        visible = False
    if not visible:
        raise Http404(gettext("Data di luar area Anda."))
    return contenttype_views.shortcut(request, content_type_id, object_id)


@admin.register(Province)
class ProvinceAdmin(AreaScopedAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name"]
    scope_field = "code"


@admin.register(Regency)
class RegencyAdmin(AreaScopedAdmin):
    list_display = ["code", "name", "kind", "province"]
    list_filter = ["kind", ("province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]
    scope_field = "code"


@admin.register(SubDistrict)
class SubDistrictAdmin(AreaScopedAdmin):
    list_display = ["code", "name", "regency"]
    list_filter = [("regency__province", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["code", "name", "regency__name"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]
    scope_field = "code"


@admin.register(EligiblePopulation)
class EligiblePopulationAdmin(AreaScopedAdmin):
    list_display = ["sub_district", "as_of", "eligible", "source"]
    list_filter = [("sub_district__regency__province", admin.RelatedOnlyFieldListFilter), "as_of"]
    search_fields = ["sub_district__code", "sub_district__name"]
    list_select_related = ["sub_district"]
    autocomplete_fields = ["sub_district"]
    date_hierarchy = "as_of"
    scope_field = "sub_district__code"


@admin.register(Campaign)
class CampaignAdmin(AreaScopedAdmin):
    list_display = ["name", "regency", "starts_on", "deadline"]
    list_filter = [("regency__province", admin.RelatedOnlyFieldListFilter), "deadline"]
    search_fields = ["name", "regency__code", "regency__name"]
    list_select_related = ["regency"]
    autocomplete_fields = ["regency"]
    scope_field = "regency__code"


def assignment_in_scope_q(scope: UserScope) -> Q:
    """Assignments whose area (a province, a regency or a sub-district) lies in the scope."""
    return (
        scope.filter_q("province__code")
        | scope.filter_q("regency__code")
        | scope.filter_q("sub_district__code")
    )


@admin.register(AreaAssignment)
class AreaAssignmentAdmin(AreaScopedAdmin):
    list_display = ["user", "role", "province", "regency", "sub_district"]
    list_filter = [
        "role",
        ("province", admin.RelatedOnlyFieldListFilter),
        ("regency__province", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["user__username", "regency__name", "sub_district__name", "province__name"]
    list_select_related = ["user", "province", "regency", "sub_district"]
    autocomplete_fields = ["user", "province", "regency", "sub_district"]

    def scope_q(self, request, scope):
        # Superusers' assignments (they only route alerts) stay theirs, as their users do.
        return assignment_in_scope_q(scope) & Q(user__is_superuser=False)


class AreaAssignmentInline(ScopedChoicesMixin, admin.TabularInline):
    model = AreaAssignment
    extra = 1
    autocomplete_fields = ["province", "regency", "sub_district"]

    def get_formset(self, request, obj=None, **kwargs):
        if not request_scope(request).everywhere:
            # A user without any area would drop out of every regional admin's sight.
            kwargs.update(min_num=1, validate_min=True)
        return super().get_formset(request, obj, **kwargs)


# Admins manage a user's role and areas on the user's own page.
User = get_user_model()
admin.site.unregister(User)

# What only a superuser may grant: being one, and permissions outside the role groups.
SUPERUSER_ONLY_FIELDS = {"is_superuser", "user_permissions"}


@admin.register(User)
class UserWithAreasAdmin(AreaScopedMixin, UserAdmin):
    """A regional admin manages the users whose every area lies in their own areas.

    Superusers are never listed to them (whoever could reset a superuser's password would be
    one), nor users who also work elsewhere; a new user gets an area of theirs on creation.
    """

    inlines = [*UserAdmin.inlines, AreaAssignmentInline]

    def scope_q(self, request, scope):
        inside = assignment_in_scope_q(scope)
        return (
            Q(is_superuser=False)
            & Q(pk__in=AreaAssignment.objects.filter(inside).values("user"))
            & ~Q(pk__in=AreaAssignment.objects.exclude(inside).values("user"))
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if request.user.is_superuser:
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f not in SUPERUSER_ONLY_FIELDS],
                },
            )
            for name, options in fieldsets
        ]

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups" and not request.user.is_superuser:
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values)
        return super().formfield_for_manytomany(db_field, request, **kwargs)
