"""`/healthz` for the load balancer: is the database reachable? Says nothing else."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """200 `ok` when `SELECT 1` answers, 503 when the database does not.

    No login and no session: the probe must not create sessions or depend on the auth tables.
    """
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:  # OperationalError and InterfaceError are DatabaseErrors too
        return HttpResponse("database unavailable\n", status=503, content_type="text/plain")
    return HttpResponse("ok\n", content_type="text/plain")
