from django.urls import path, re_path, register_converter

from recording.validators import SerialConverter
from recording.views import (
    dashboards,
    entry,
    imports,
    quality,
    repair_list,
    repairs,
)

register_converter(SerialConverter, "serial")

urlpatterns = [
    path("", dashboards.home, name="home"),
    path("wilayah/", dashboards.region, name="national"),
    re_path(r"^wilayah/(?P<code>\d{2}(?:\.\d{2}){0,2})/$", dashboards.region, name="region"),
    path("alat/<serial:serial>/", dashboards.device, name="device"),
    *(
        path(
            f"alat/<serial:serial>/{step.path}/",
            repairs.step_form,
            {"url_name": step.url_name},
            name=step.url_name,
        )
        for step in repairs.STEPS
    ),
    path("perbaikan/", repair_list.open_repairs, name="repairs"),
    path("perbaikan/kirim/", repair_list.ship_batch, name="repairs_ship_batch"),
    path("vendor/", repair_list.vendor_report, name="vendor_report"),
    path("entri/", entry.entry, name="entry"),
    path("impor/", imports.upload, name="count_import_upload"),
    path("impor/<int:pk>/", imports.preview, name="count_import"),
    path("impor/<int:pk>/status/", imports.status, name="count_import_status"),
    path("impor/templat/", imports.count_template, name="count_template"),
    path("mutu-data/", quality.quality, name="quality"),
    path("tentang-data/", dashboards.data_sources, name="data_sources"),
]
