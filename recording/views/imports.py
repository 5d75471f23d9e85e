"""Upload of count files, their preview, and saving them (all rows or none); and the count
file to fill in, listing the operator's own working devices for a day (operators copied the
help's example and met "nomor seri tidak dikenal": a file started from the template is right
by construction).

Reading, checking and saving run as background tasks (`tasks.py`); these views store the file,
start a task, and show what the upload's row says: progress while a task runs, the stored
preview once checked, the summary once saved.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_safe

from common.days import default_day
from common.downloads import fill_in_download, refused_download
from common.formatting import fmt_int
from districts.selectors import user_scope
from recording.choices import IMPORT_STALE_MINUTES
from recording.forms import CountTemplateForm
from recording.models import CountImport
from recording.selectors.counts import count_help_example, count_template_rows
from recording.services.imports import (
    MAX_FILE_BYTES,
    CountImportCommitForm,
    CountImportPreview,
    CountUploadForm,
    count_import_commit_queue,
    count_import_create,
    count_import_get,
    count_import_recheck,
    uncommitted_hours,
)
from recording.tasks import count_import_check_task, count_import_commit_task


def _fingerprint_key(pk: int) -> str:
    return f"count_import_fingerprint_{pk}"


def _committing_key(pk: int) -> str:
    return f"count_import_committing_{pk}"


def _count_import_for_user(request, pk: int, *, with_preview: bool = True) -> CountImport:
    try:
        return count_import_get(pk=pk, user=request.user, with_lines=with_preview)
    except CountImport.DoesNotExist:
        raise Http404(gettext("Unggahan tidak ditemukan.")) from None


def import_progress(count_import: CountImport) -> dict:
    """Where the upload's background work is, for the page and its status address."""
    running = count_import.is_running
    done, total = count_import.progress_done, count_import.progress_total
    percent = min(100, done * 100 // total) if running and total else None
    if count_import.is_stalled:
        message = _(
            "Pekerjaan ini tidak bergerak lebih dari %(minutes)s menit: proses latarnya "
            "berhenti. Tidak ada yang disimpan. Tekan Periksa ulang."
        ) % {"minutes": IMPORT_STALE_MINUTES}
    elif count_import.status == CountImport.Status.COMMITTING:
        # One transaction, all rows or none: its progress cannot be seen from outside it.
        message = _("Menyimpan semua baris sekaligus…")
    elif percent is not None:
        message = _("%(step)s: %(percent)s%%") % {
            "step": count_import.get_status_display(),
            "percent": percent,
        }
    else:
        message = count_import.get_status_display()
    return {
        "status": count_import.status,
        "label": str(count_import.get_status_display()),
        "done": done,
        "total": total,
        "percent": percent,
        "running": running,
        "stalled": count_import.is_stalled,
        "message": message,
        # The page shows a running task; once it is not running, the page shows its outcome.
        "reload": not running,
    }


@login_required
@permission_required("recording.add_dailycount", raise_exception=True)
def upload(request):
    form = CountUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        count_import = count_import_create(
            file_name=form.cleaned_data["file"].name,
            content=form.content,
            lines=form.lines,
            user=request.user,
        )
        count_import_check_task(count_import.pk)
        return redirect(count_import)
    recent = CountImport.objects.filter(uploaded_by=request.user).defer(
        "content", "parsed", "preview"
    )[:10]
    day = default_day()
    context = {
        "form": form,
        "template_form": CountTemplateForm(initial={"date": day, "format": "xlsx"}),
        "example": count_help_example(user=request.user, day=day),
        "recent": recent,
        "max_mb": MAX_FILE_BYTES // 1024 // 1024,
        "keep_hours": uncommitted_hours(),
    }
    return render(
        request, "recording/import_upload.html", context, status=400 if form.errors else 200
    )


def _render_preview(request, count_import, *, form=None, notice="", status=200):
    preview = None
    if count_import.status == CountImport.Status.PREVIEWED:
        preview = CountImportPreview.of(count_import)
        key = _fingerprint_key(count_import.pk)
        if preview and preview.can_commit and request.session.get(key) != preview.digest:
            # What the operator saw; saving refuses if these rows change in the meantime.
            request.session[key] = preview.digest
    if count_import.status == CountImport.Status.COMMITTED and request.session.pop(
        _committing_key(count_import.pk), None
    ):
        messages.success(
            request,
            _("%(file)s disimpan: %(created)s baru, %(updated)s diperbarui, %(unchanged)s tetap.")
            % {
                "file": count_import.file_name,
                "created": fmt_int(count_import.created),
                "updated": fmt_int(count_import.updated),
                "unchanged": fmt_int(count_import.unchanged),
            },
        )
    context = {
        "count_import": count_import,
        "notice": notice or count_import.get_notice_display(),
        "preview": preview,
        "progress": import_progress(count_import),
        "form": form or CountImportCommitForm(),
    }
    return render(request, "recording/import_preview.html", context, status=status)


def _check_again(count_import: CountImport) -> None:
    if count_import_recheck(count_import=count_import):
        count_import_check_task(count_import.pk)


@login_required
@permission_required("recording.add_dailycount", raise_exception=True)
def preview(request, pk: int):
    """GET: the upload's progress, or what saving it would do. POST: save it (in the
    background), if nothing changed meanwhile; with `action=recheck`, check it again."""
    count_import = _count_import_for_user(request, pk)
    if request.method != "POST":
        if count_import.status == CountImport.Status.PREVIEWED and count_import.preview is None:
            # Previewed before previews were kept with the upload: check it once more.
            _check_again(count_import)
            count_import = _count_import_for_user(request, pk)
        return _render_preview(request, count_import)

    if request.POST.get("action") == "recheck":
        _check_again(count_import)
        return redirect(count_import)
    if count_import.status == CountImport.Status.COMMITTED:
        messages.info(
            request, _("Unggahan ini sudah disimpan sebelumnya; tidak ada yang disimpan lagi.")
        )
        return redirect(count_import)
    if count_import.status != CountImport.Status.PREVIEWED:
        messages.info(request, _("Unggahan ini sedang dikerjakan; tunggu sampai selesai."))
        return redirect(count_import)
    form = CountImportCommitForm(request.POST)
    form.is_valid()  # one optional checkbox: always valid
    preview = CountImportPreview.of(count_import)
    digest = request.session.get(_fingerprint_key(pk))
    if digest is None or preview is None or not preview.can_commit:
        # No preview in this session (another browser, an expired session, or a file with
        # errors, which has no button): show it before anything is saved.
        notice = _("Tidak ada yang disimpan: periksa pratinjau di bawah dulu, lalu simpan.")
        return _render_preview(request, count_import, notice=notice, status=409)
    confirm = form.cleaned_data["confirm"]
    if preview.warning_count and not confirm:
        form.add_error(
            "confirm", _("Centang konfirmasi bahwa peringatan sudah diperiksa, lalu simpan.")
        )
        return _render_preview(request, count_import, form=form, status=400)
    if count_import_commit_queue(count_import=count_import):
        request.session[_committing_key(pk)] = True
        request.session.pop(_fingerprint_key(pk), None)
        count_import_commit_task(pk, request.user.pk, confirm, digest)
    return redirect(count_import)


@login_required
@permission_required("recording.add_dailycount", raise_exception=True)
@require_GET
def status(request, pk: int):
    """How far the upload's background work is, for the page's progress bar (small JSON)."""
    count_import = _count_import_for_user(request, pk, with_preview=False)
    return JsonResponse(import_progress(count_import))


# The count file to fill in: the operator's own working devices for a day (template columns:
# what the import reads, then two it ignores that say which device is which).
TEMPLATE_COLUMNS = ("date", "device", "count", "note", "kecamatan", "label")


@login_required
@permission_required("recording.add_dailycount", raise_exception=True)
@require_safe
def count_template(request) -> HttpResponse:
    form = CountTemplateForm(request.GET)
    if not form.is_valid():
        return refused_download(e for errors in form.errors.values() for e in errors)
    day, area = form.cleaned_data["date"], form.cleaned_data["area"]
    scope = user_scope(request.user)
    if area and not scope.covers(area):
        return refused_download(gettext("Wilayah %(code)s di luar area Anda.") % {"code": area})
    rows = count_template_rows(user=request.user, day=day, area=area)
    return fill_in_download(
        file_format=form.cleaned_data["format"],
        filename=f"jumlah-harian-{area or 'wilayah-saya'}-{day.isoformat()}",
        sheet_title=gettext("Jumlah harian"),
        columns=TEMPLATE_COLUMNS,
        rows=rows,
        wide={"kecamatan", "label"},
    )
