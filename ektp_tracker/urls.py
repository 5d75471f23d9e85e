from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from districts.admin import view_on_site
from districts.views import PasswordChangeView

from .health import healthz

urlpatterns = [
    # No trailing slash: load balancers probe the exact path (and it must not redirect).
    path("healthz", healthz, name="healthz"),
    path("masuk/", auth_views.LoginView.as_view(), name="login"),
    path("keluar/", auth_views.LogoutView.as_view(), name="logout"),
    # Every user changes their own password here (an operator has no admin access).
    path("kata-sandi/", PasswordChangeView.as_view(), name="password_change"),
    path(
        "kata-sandi/selesai/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # Before the admin's own route of the same path, which redirects for objects of any area.
    path(
        "admin/r/<int:content_type_id>/<path:object_id>/",
        admin.site.admin_view(view_on_site),
        name="admin_view_on_site",
    ),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("cards.urls")),
    path("", include("recording.urls")),
]
