"""Open repairs list, batch shipping and the vendor report (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def open_repairs(request):
    return HttpResponse(status=501)


@login_required
def ship_batch(request):
    return HttpResponse(status=501)


@login_required
def vendor_report(request):
    return HttpResponse(status=501)
