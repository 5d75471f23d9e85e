from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _ensure_role_groups(sender, **kwargs):
    from .roles import role_groups_ensure

    role_groups_ensure()


class DistrictsConfig(AppConfig):
    name = "districts"
    verbose_name = _("Wilayah")

    def ready(self):
        # After every app has migrated, so all permissions exist.
        post_migrate.connect(_ensure_role_groups, dispatch_uid="districts_role_groups")
