"""Upload of card report files, their preview, and saving them (all rows or none), as the
count uploads (`recording/views/imports.py`, whose progress report this reuses): these views
store the file, start a background task (`cards/tasks.py`), and show what the upload's row
says."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cards.models import CardReportUpload
from cards.services.imports import (
    COLUMNS,
    CardUploadForm,
    CardUploadPreview,
    card_upload_commit_queue,
    card_upload_create,
    card_upload_get,
    card_upload_recheck,
)
from cards.services.reports import WRITE_PERMISSION
from cards.tasks import card_upload_check_task, card_upload_commit_task
from common.formatting import fmt_changes
from recording.choices import ImportStatus
from recording.services.imports import MAX_FILE_BYTES, CountImportCommitForm, uncommitted_hours
from recording.views.imports import import_progress


def _digest_key(pk: int) -> str:
    return f"card_upload_digest_{pk}"


def _committing_key(pk: int) -> str:
    return f"card_upload_committing_{pk}"


def _upload_for_user(request, pk: int, *, with_preview: bool = True) -> CardReportUpload:
    try:
        return card_upload_get(pk=pk, user=request.user, with_preview=with_preview)
    except CardReportUpload.DoesNotExist:
        raise Http404(_("Unggahan tidak ditemukan.")) from None


@login_required
@permission_required(WRITE_PERMISSION, raise_exception=True)
def upload(request):
    form = CardUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        card_upload = card_upload_create(
            file_name=form.cleaned_data["file"].name,
            content=form.content,
            lines=form.lines,
            user=request.user,
        )
        card_upload_check_task(card_upload.pk)
        return redirect(card_upload)
    recent = CardReportUpload.objects.filter(uploaded_by=request.user).defer(
        "content", "parsed", "preview"
    )[:10]
    context = {
        "form": form,
        "columns": COLUMNS,
        "recent": recent,
        "max_mb": MAX_FILE_BYTES // 1024 // 1024,
        "keep_hours": uncommitted_hours(),
    }
    return render(request, "cards/import_upload.html", context, status=400 if form.errors else 200)


def _render_preview(request, card_upload, *, form=None, notice="", status=200):
    preview = None
    if card_upload.status == ImportStatus.PREVIEWED:
        preview = CardUploadPreview.of(card_upload)
        key = _digest_key(card_upload.pk)
        if preview and preview.can_commit and request.session.get(key) != preview.digest:
            # What the operator saw; saving refuses if these reports change in the meantime.
            request.session[key] = preview.digest
    if card_upload.status == ImportStatus.COMMITTED and request.session.pop(
        _committing_key(card_upload.pk), None
    ):
        messages.success(
            request,
            _("%(file)s disimpan: %(summary)s.")
            % {
                "file": card_upload.file_name,
                "summary": fmt_changes(
                    card_upload.created, card_upload.updated, card_upload.unchanged
                ),
            },
        )
    context = {
        "upload": card_upload,
        "notice": notice or card_upload.get_notice_display(),
        "preview": preview,
        "progress": import_progress(card_upload),
        "form": form or CountImportCommitForm(),
    }
    return render(request, "cards/import_preview.html", context, status=status)


def _check_again(card_upload: CardReportUpload) -> None:
    if card_upload_recheck(upload=card_upload):
        card_upload_check_task(card_upload.pk)


@login_required
@permission_required(WRITE_PERMISSION, raise_exception=True)
def preview(request, pk: int):
    """GET: the upload's progress, or what saving it would do. POST: save it (in the
    background) if nothing changed meanwhile; with `action=recheck`, check it again."""
    card_upload = _upload_for_user(request, pk)
    if request.method != "POST":
        return _render_preview(request, card_upload)
    if request.POST.get("action") == "recheck":
        _check_again(card_upload)
        return redirect(card_upload)
    if card_upload.status == ImportStatus.COMMITTED:
        messages.info(
            request, _("Unggahan ini sudah disimpan sebelumnya; tidak ada yang disimpan lagi.")
        )
        return redirect(card_upload)
    if card_upload.status != ImportStatus.PREVIEWED:
        messages.info(request, _("Unggahan ini sedang dikerjakan; tunggu sampai selesai."))
        return redirect(card_upload)
    form = CountImportCommitForm(request.POST)
    form.is_valid()  # one optional checkbox: always valid
    shown = CardUploadPreview.of(card_upload)
    digest = request.session.get(_digest_key(pk))
    if digest is None or shown is None or not shown.can_commit:
        notice = _("Tidak ada yang disimpan: periksa pratinjau di bawah dulu, lalu simpan.")
        return _render_preview(request, card_upload, notice=notice, status=409)
    confirm = form.cleaned_data["confirm"]
    if shown.warning_count and not confirm:
        form.add_error(
            "confirm", _("Centang konfirmasi bahwa peringatan sudah diperiksa, lalu simpan.")
        )
        return _render_preview(request, card_upload, form=form, status=400)
    if card_upload_commit_queue(upload=card_upload):
        request.session[_committing_key(pk)] = True
        request.session.pop(_digest_key(pk), None)
        card_upload_commit_task(pk, request.user.pk, confirm, digest)
    return redirect(card_upload)


@login_required
@permission_required(WRITE_PERMISSION, raise_exception=True)
@require_GET
def status(request, pk: int):
    """How far the upload's background work is, for the page's progress bar (small JSON)."""
    card_upload = _upload_for_user(request, pk, with_preview=False)
    return JsonResponse(import_progress(card_upload))
