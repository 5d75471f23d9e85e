"""Sessions that end after SESSION_COOKIE_AGE seconds without a request, written once a minute.

Django renews a session's expiry only when the session is saved. SESSION_SAVE_EVERY_REQUEST
would save it on every request: an UPDATE per page view. Here a session is marked changed at
most once a minute, on requests that read it anyway (any page that knows who is logged in), so
the idle timeout is exact to the minute at one small write per user per minute.

SESSION_RENEW_SECONDS sets that minute; None turns renewal off, so a session then lasts
SESSION_COOKIE_AGE from login however busy its user is (tests that count every row written set
it so).
"""

from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

RENEWED_AT = "_renewed_at"


def _now() -> int:
    return int(timezone.now().timestamp())


@receiver(user_logged_in, dispatch_uid="ektp_tracker.sessions.renewed_at_login")
def renewed_at_login(sender, request, user, **kwargs):
    """Logging in saves the session with a fresh expiry; remember when."""
    if request is not None and hasattr(request, "session"):
        request.session[RENEWED_AT] = _now()


class SessionRenewalMiddleware:
    """Push a live session's expiry forward once a minute while its user keeps working.

    Placed right after SessionMiddleware, so that middleware saves the session on the way out.
    A session nobody read in this request (the health probe, static files) is left alone, and
    an empty or expired one is never created or revived.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        every = settings.SESSION_RENEW_SECONDS
        session = getattr(request, "session", None)
        if every is None or session is None or not session.accessed or session.is_empty():
            return response
        now = _now()
        if now - session.get(RENEWED_AT, 0) >= every:
            session[RENEWED_AT] = now
        return response
