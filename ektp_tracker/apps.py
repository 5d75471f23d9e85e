from django.apps import AppConfig


class EktpTrackerConfig(AppConfig):
    """The project package as an app, for the login signal the session timeout needs."""

    name = "ektp_tracker"
    verbose_name = "e-KTP Tracker"

    def ready(self):
        from . import sessions  # noqa: F401  (connects the user_logged_in receiver)
