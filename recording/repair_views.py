"""Device repair actions (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def report_fault(request, serial):
    return HttpResponse(status=501)


@login_required
def ship(request, serial):
    return HttpResponse(status=501)


@login_required
def return_from_vendor(request, serial):
    return HttpResponse(status=501)


@login_required
def fix_on_site(request, serial):
    return HttpResponse(status=501)


@login_required
def replace(request, serial):
    return HttpResponse(status=501)
