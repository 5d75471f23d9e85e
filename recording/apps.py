from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordingConfig(AppConfig):
    name = "recording"
    verbose_name = _("Perekaman")

    def ready(self):
        from recording.services import rollups  # noqa: F401  (connects the rollup signal handlers)
