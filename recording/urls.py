from django.urls import path, re_path

from . import entry_views, import_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("wilayah/", views.region, name="national"),
    re_path(r"^wilayah/(?P<code>\d{2}(?:\.\d{2}){0,2})/$", views.region, name="region"),
    path("alat/<str:serial>/", views.device, name="device"),
    path("entri/", entry_views.entry, name="entry"),
    path("impor/", import_views.upload, name="count_import_upload"),
    path("impor/<int:pk>/", import_views.preview, name="count_import"),
    path("tentang-data/", views.data_sources, name="data_sources"),
]
