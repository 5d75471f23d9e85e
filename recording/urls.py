from django.urls import path, re_path, register_converter

from . import (
    count_templates,
    entry_views,
    import_views,
    repair_list_views,
    repair_views,
    views,
)
from .validators import SerialConverter

register_converter(SerialConverter, "serial")

urlpatterns = [
    path("", views.home, name="home"),
    path("wilayah/", views.region, name="national"),
    re_path(r"^wilayah/(?P<code>\d{2}(?:\.\d{2}){0,2})/$", views.region, name="region"),
    path("alat/<serial:serial>/", views.device, name="device"),
    path("alat/<serial:serial>/rusak/", repair_views.report_fault, name="device_report_fault"),
    path("alat/<serial:serial>/kirim/", repair_views.ship, name="device_ship"),
    path("alat/<serial:serial>/kembali/", repair_views.return_from_vendor, name="device_return"),
    path("alat/<serial:serial>/perbaiki/", repair_views.fix_on_site, name="device_fix"),
    path("alat/<serial:serial>/ganti/", repair_views.replace, name="device_replace"),
    path("perbaikan/", repair_list_views.open_repairs, name="repairs"),
    path("perbaikan/kirim/", repair_list_views.ship_batch, name="repairs_ship_batch"),
    path("vendor/", repair_list_views.vendor_report, name="vendor_report"),
    path("entri/", entry_views.entry, name="entry"),
    path("impor/", import_views.upload, name="count_import_upload"),
    path("impor/<int:pk>/", import_views.preview, name="count_import"),
    path("impor/<int:pk>/status/", import_views.status, name="count_import_status"),
    path("impor/templat/", count_templates.count_template, name="count_template"),
    path("tentang-data/", views.data_sources, name="data_sources"),
]
