from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from common.formatting import fmt_int
from districts.services import PopulationImportError, population_import


class Command(BaseCommand):
    help = (
        "Load eligible-population (wajib KTP) figures per sub-district from a UTF-8 CSV with "
        "columns code,eligible,as_of (and optionally source). All rows or none: every error is "
        "listed and nothing is written unless the whole file is valid."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="CSV file, e.g. wajib_ktp_2012.csv")
        parser.add_argument(
            "--source",
            default="",
            help="Source recorded for rows whose own source column is empty.",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Validate and count only; write nothing.",
        )

    def handle(self, *args, file: Path, source: str, dry_run: bool, **options):
        try:
            result = population_import(file=file, source=source, dry_run=dry_run)
        except OSError as exc:
            raise CommandError(
                gettext("Berkas %(file)s tidak dapat dibaca: %(reason)s.")
                % {"file": file, "reason": exc.strerror}
            ) from exc
        except PopulationImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                gettext("Impor dibatalkan, tidak ada data yang disimpan: %(count)s kesalahan.")
                % {"count": fmt_int(len(exc.errors))}
            ) from exc
        summary = {"summary": result.summary()}
        if dry_run:
            self.stdout.write(
                gettext("Uji coba, tidak ada yang disimpan. Akan: %(summary)s.") % summary
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(gettext("Jumlah wajib KTP dimuat: %(summary)s.") % summary)
            )
