from django.urls import path

from cards.views import entry, handouts, ledger

urlpatterns = [
    path("kartu/entri/", entry.card_entry, name="card_entry"),
    path("kartu/blanko/", ledger.blanko_ledger, name="blanko_ledger"),
    path("kartu/pembagian/", handouts.handout_events, name="handout_events"),
    path("kartu/pembagian/<int:pk>/", handouts.handout_event_step, name="handout_event_step"),
]
