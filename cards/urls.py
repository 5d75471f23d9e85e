from django.urls import path

from cards.views import entry, handouts, imports, ledger

urlpatterns = [
    path("kartu/entri/", entry.card_entry, name="card_entry"),
    path("kartu/unggah/", imports.upload, name="card_report_upload_form"),
    path("kartu/templat/", entry.card_template, name="card_report_template"),
    path("kartu/unggah/<int:pk>/", imports.preview, name="card_report_upload"),
    path("kartu/unggah/<int:pk>/status/", imports.status, name="card_report_upload_status"),
    path("kartu/blanko/", ledger.blanko_ledger, name="blanko_ledger"),
    path("kartu/pembagian/", handouts.handout_events, name="handout_events"),
    path("kartu/pembagian/<int:pk>/", handouts.handout_event_step, name="handout_event_step"),
]
