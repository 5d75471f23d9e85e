from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, gettext_lazy

from common.commands import import_arguments, import_file_bytes, import_user
from common.formatting import fmt_changes, fmt_int
from common.parsing import FileRefused
from common.progress import Progress
from recording.services.counts import CountsRejected
from recording.services.imports import count_file_import


class Command(BaseCommand):
    help = (
        "Load daily counts from a CSV (UTF-8, `,` or `;`) or XLSX file with columns "
        "date,device,count (and optionally note). All rows or none: every error is listed and "
        "nothing is written unless the whole file is valid; warnings need --confirm. "
        "Progress goes to stderr (none with --verbosity 0)."
    )

    def add_arguments(self, parser):
        import_arguments(
            parser,
            example="jumlah_april.csv",
            confirm_help="Save rows that have warnings (over capacity, device down, over "
            "eligible).",
        )

    def handle(
        self, *args, file: Path, user: str | None, confirm: bool, dry_run: bool, verbosity, **opts
    ):
        acting = (
            import_user(
                user,
                "recording.add_dailycount",
                gettext_lazy("Pengguna %(user)s tidak berhak mengisi jumlah harian."),
            )
            if user
            else None
        )
        content = import_file_bytes(file)
        try:
            with Progress.for_command(self, verbosity) as progress:
                check = count_file_import(
                    content=content,
                    file_name=file.name,
                    user=acting,
                    confirm=confirm,
                    dry_run=dry_run,
                    progress=progress,
                )
        except FileRefused as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(gettext("Impor dibatalkan, tidak ada data yang disimpan.")) from exc
        except CountsRejected as exc:
            self._refused(exc)
        summary = {"summary": fmt_changes(check.created, check.updated, check.unchanged)}
        for warning in check.warnings:
            self.stdout.write(_warning(warning))
        if dry_run:
            self.stdout.write(
                gettext("Uji coba, tidak ada yang disimpan. Akan: %(summary)s.") % summary
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(gettext("Jumlah harian dimuat: %(summary)s.") % summary)
            )

    def _refused(self, exc: CountsRejected):
        check = exc.check
        if check.errors:
            for error in check.errors:
                self.stderr.write(str(error))
            raise CommandError(
                gettext("Impor dibatalkan, tidak ada data yang disimpan: %(count)s kesalahan.")
                % {"count": fmt_int(len(check.errors))}
            )
        if exc.needs_confirmation:
            for warning in check.warnings:
                self.stderr.write(_warning(warning))
            raise CommandError(
                gettext(
                    "Tidak ada yang disimpan: %(count)s peringatan. Periksa angkanya, lalu "
                    "jalankan lagi dengan --confirm."
                )
                % {"count": fmt_int(len(check.warnings))}
            )
        # A row changed or was created by someone else while this file was being saved.
        raise CommandError(
            gettext(
                "Tidak ada yang disimpan: data berubah selama impor (%(count)s baris). Jalankan "
                "lagi."
            )
            % {"count": fmt_int(len(check.conflicts))}
        )


def _warning(warning) -> str:
    return gettext("Peringatan: %(warning)s") % {"warning": warning}
