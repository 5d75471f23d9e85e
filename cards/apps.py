from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CardsConfig(AppConfig):
    name = "cards"
    verbose_name = _("Kartu e-KTP")

    def ready(self):
        from cards.services import rollups  # noqa: F401  (connects the rollup signal handlers)
