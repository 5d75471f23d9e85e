"""Upload, preview and commit of count files (being written)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse


@login_required
def upload(request):
    return HttpResponse(status=501)


@login_required
def preview(request, pk: int):
    return HttpResponse(status=501)
