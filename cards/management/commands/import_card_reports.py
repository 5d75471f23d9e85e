from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, gettext_lazy

from cards.services.imports import card_file_import
from cards.services.reports import WRITE_PERMISSION, CardReportsRejected
from common.commands import import_arguments, import_file_bytes, import_user
from common.formatting import fmt_changes, fmt_int
from common.parsing import FileRefused


class Command(BaseCommand):
    help = (
        "Load daily card reports from a CSV (UTF-8, `,` or `;`) or XLSX file with exactly the "
        "columns date,area,print_ready,duplicates,failed,printed,spoiled,suket_issued,received,"
        "handed_out (area: a regency code such as 16.09 for the print office's figures, a "
        "kecamatan code such as 16.09.01 for received and handed_out; a blank cell is not "
        "reported). All rows or none: every error is listed with its line and column and "
        "nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser):
        import_arguments(
            parser,
            example="kartu_april.csv",
            confirm_help="Accepted for the same command line as import_counts; card reports "
            "have no warnings to confirm (every rule is an error), so it changes nothing.",
        )

    def handle(self, *args, file: Path, user: str | None, dry_run: bool, **options):
        acting = (
            import_user(
                user,
                WRITE_PERMISSION,
                gettext_lazy("Pengguna %(user)s tidak berhak mengisi laporan kartu."),
            )
            if user
            else None
        )
        content = import_file_bytes(file)
        try:
            check = card_file_import(
                content=content, file_name=file.name, user=acting, dry_run=dry_run
            )
        except FileRefused as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(gettext("Impor dibatalkan, tidak ada data yang disimpan.")) from exc
        except CardReportsRejected as exc:
            for error in exc.check.errors:
                self.stderr.write(str(error))
            raise CommandError(
                gettext("Impor dibatalkan, tidak ada data yang disimpan: %(count)s kesalahan.")
                % {"count": fmt_int(len(exc.check.errors))}
            ) from exc
        summary = {"summary": fmt_changes(check.created, check.updated, check.unchanged)}
        if dry_run:
            self.stdout.write(
                gettext("Uji coba, tidak ada yang disimpan. Akan: %(summary)s.") % summary
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(gettext("Laporan kartu dimuat: %(summary)s.") % summary)
            )
