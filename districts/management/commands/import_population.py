from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

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
            raise CommandError(f"Berkas {file} tidak dapat dibaca: {exc.strerror}.") from exc
        except PopulationImportError as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Impor dibatalkan, tidak ada data yang disimpan: {len(exc.errors)} kesalahan."
            ) from exc
        if dry_run:
            self.stdout.write(f"Uji coba, tidak ada yang disimpan. Akan: {result.summary()}.")
        else:
            self.stdout.write(self.style.SUCCESS(f"Jumlah wajib KTP dimuat: {result.summary()}."))
