"""The daily entry form (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def entry(request):
    return HttpResponse(status=501)
