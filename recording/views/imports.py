"""Upload of count files, their preview, and saving them (all rows or none); and the count
file to fill in, listing the operator's own working devices for a day (operators copied the
help's example and met "nomor seri tidak dikenal": a file started from the template is right
by construction)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from common.days import default_day
from common.downloads import csv_download, xlsx_table_download
from common.formatting import fmt_int
from districts.selectors import user_scope
from recording.forms import CountTemplateForm
from recording.models import CountImport
from recording.selectors.counts import count_help_example, count_template_rows
from recording.services.counts import CountsRejected
from recording.services.imports import (
    MAX_FILE_BYTES,
    CountImportCommitForm,
    CountUploadForm,
    ImportAlreadyCommitted,
    PreviewedFingerprint,
    count_import_commit,
    count_import_create,
    count_import_get,
    count_import_preview,
    uncommitted_hours,
)

# A file with thousands of errors is fixed from the first ones; the page stays light.
MAX_PROBLEMS_SHOWN = 500
SAMPLE_ROWS = 50


def _fingerprint_key(pk: int) -> str:
    return f"count_import_fingerprint_{pk}"


def _count_import_for_user(request, pk: int) -> CountImport:
    try:
        # Saving reads the lines again under a lock; only a preview needs them now.
        return count_import_get(pk=pk, user=request.user, with_lines=request.method != "POST")
    except CountImport.DoesNotExist:
        raise Http404("Unggahan tidak ditemukan.") from None


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
            count_lines=form.count_lines,
        )
        return redirect(count_import)
    recent = CountImport.objects.filter(uploaded_by=request.user).defer("content", "parsed")[:10]
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
    context = {"count_import": count_import, "notice": notice}
    if count_import.status == CountImport.Status.PREVIEWED:
        preview = count_import_preview(count_import=count_import, user=request.user)
        check = preview.check
        if preview.can_commit:
            # What the operator saw; saving refuses if these rows change in the meantime.
            request.session[_fingerprint_key(count_import.pk)] = preview.digest
        changing = [r for r in check.rows if r.action in ("create", "update")] if check else []
        context |= {
            "preview": preview,
            "check": check,
            "errors": check.errors[:MAX_PROBLEMS_SHOWN] if check else [],
            "warnings": check.warnings[:MAX_PROBLEMS_SHOWN] if check else [],
            "sample": changing[:SAMPLE_ROWS],
            "changing": len(changing),
            "form": form or CountImportCommitForm(),
        }
    return render(request, "recording/import_preview.html", context, status=status)


@login_required
@permission_required("recording.add_dailycount", raise_exception=True)
def preview(request, pk: int):
    """GET: what saving the upload would do. POST: save it, if nothing changed meanwhile."""
    count_import = _count_import_for_user(request, pk)
    if request.method != "POST":
        return _render_preview(request, count_import)

    already_saved = _("Unggahan ini sudah disimpan sebelumnya; tidak ada yang disimpan lagi.")
    if count_import.status == CountImport.Status.COMMITTED:
        messages.info(request, already_saved)
        return redirect(count_import)
    form = CountImportCommitForm(request.POST)
    form.is_valid()  # one optional checkbox: always valid
    changed = _(
        "Data berubah sejak pratinjau: ada jumlah untuk alat dan tanggal di berkas ini yang "
        "diisi atau diubah orang lain. Tidak ada yang disimpan. Periksa pratinjau terbaru di "
        "bawah, lalu simpan lagi."
    )
    digest = request.session.get(_fingerprint_key(pk))
    if digest is None:
        # No preview in this session (another browser, an expired session, or a file with
        # errors, which has no button): show it before anything is saved.
        notice = _("Tidak ada yang disimpan: periksa pratinjau di bawah dulu, lalu simpan.")
        return _render_preview(request, count_import, notice=notice, status=409)
    try:
        check = count_import_commit(
            count_import=count_import,
            user=request.user,
            confirm=form.cleaned_data["confirm"],
            expected_fingerprint=PreviewedFingerprint(digest),
        )
    except ImportAlreadyCommitted:
        messages.info(request, already_saved)
        return redirect(count_import)
    except CountImport.DoesNotExist:
        # Purged (never saved, too old) between the look-up above and the lock.
        raise Http404("Unggahan tidak ditemukan.") from None
    except CountsRejected as rejected:
        if rejected.needs_confirmation:
            form.add_error(
                "confirm", _("Centang konfirmasi bahwa peringatan sudah diperiksa, lalu simpan.")
            )
            return _render_preview(request, count_import, form=form, status=400)
        if rejected.check.errors and not rejected.check.conflicts:
            notice = _("Tidak ada yang disimpan: berkas ini sekarang berisi kesalahan.")
        else:
            notice = changed
        return _render_preview(request, count_import, notice=notice, status=409)
    request.session.pop(_fingerprint_key(pk), None)
    messages.success(
        request,
        _("%(file)s disimpan: %(created)s baru, %(updated)s diperbarui, %(unchanged)s tetap.")
        % {
            "file": count_import.file_name,
            "created": fmt_int(check.created),
            "updated": fmt_int(check.updated),
            "unchanged": fmt_int(check.unchanged),
        },
    )
    return redirect(count_import)


# The count file to fill in: the operator's own working devices for a day (template columns:
# what the import reads, then two it ignores that say which device is which).
TEMPLATE_COLUMNS = ("date", "device", "count", "note", "kecamatan", "label")


@login_required
@permission_required("recording.add_dailycount", raise_exception=True)
@require_safe
def count_template(request) -> HttpResponse:
    form = CountTemplateForm(request.GET)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        return HttpResponseBadRequest(" ".join(problems), content_type="text/plain; charset=utf-8")
    day, area = form.cleaned_data["date"], form.cleaned_data["area"]
    scope = user_scope(request.user)
    if area and not scope.covers(area):
        return HttpResponseBadRequest(
            gettext("Wilayah %(code)s di luar area Anda.") % {"code": area},
            content_type="text/plain; charset=utf-8",
        )
    rows = count_template_rows(user=request.user, day=day, area=area)
    filename = f"jumlah-harian-{area or 'wilayah-saya'}-{day.isoformat()}"
    if form.cleaned_data["format"] == "csv":
        return csv_download(filename=f"{filename}.csv", header=TEMPLATE_COLUMNS, rows=rows)
    return xlsx_table_download(
        filename=f"{filename}.xlsx",
        sheet_title=gettext("Jumlah harian"),
        title=None,  # the import reads the first row as the column names
        labels={key: key for key in TEMPLATE_COLUMNS},
        rows=rows,
        wide={"kecamatan", "label"},
    )
