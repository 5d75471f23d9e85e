"""The client's IP address as django-axes should see it, behind zero or more reverse proxies."""

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or with TRUSTED_PROXY_COUNT = n > 0 the n-th address from the right of
    X-Forwarded-For: each trusted proxy appends the address it received the request from, so
    that entry was written by our outermost proxy. Entries further left are whatever the client
    sent and are never trusted. A request with fewer entries did not come through the proxies
    (or they are misconfigured); REMOTE_ADDR is used then.
    """
    remote_addr = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote_addr
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        return remote_addr
    return forwarded[-count]
