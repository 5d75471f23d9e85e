from django.urls import path, re_path, register_converter

from recording.validators import SerialConverter
from recording.views import (
    dashboards,
    entry,
    imports,
    repair_list,
    repairs,
)

register_converter(SerialConverter, "serial")

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("wilayah/", dashboards.region, name="national"),
    re_path(r"^wilayah/(?P<code>\d{2}(?:\.\d{2}){0,2})/$", dashboards.region, name="region"),
    path("alat/<serial:serial>/", dashboards.device, name="device"),
    path("alat/<serial:serial>/rusak/", repairs.report_fault, name="device_report_fault"),
    path("alat/<serial:serial>/kirim/", repairs.ship, name="device_ship"),
    path("alat/<serial:serial>/kembali/", repairs.return_from_vendor, name="device_return"),
    path("alat/<serial:serial>/perbaiki/", repairs.fix_on_site, name="device_fix"),
    path("alat/<serial:serial>/ganti/", repairs.replace, name="device_replace"),
    path("perbaikan/", repair_list.open_repairs, name="repairs"),
    path("perbaikan/kirim/", repair_list.ship_batch, name="repairs_ship_batch"),
    path("vendor/", repair_list.vendor_report, name="vendor_report"),
    path("entri/", entry.entry, name="entry"),
    path("impor/", imports.upload, name="count_import_upload"),
    path("impor/<int:pk>/", imports.preview, name="count_import"),
    path("impor/<int:pk>/status/", imports.status, name="count_import_status"),
    path("impor/templat/", imports.count_template, name="count_template"),
    path("tentang-data/", dashboards.data_sources, name="data_sources"),
]
