from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

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
        parser.add_argument("file", type=Path, help="CSV or XLSX file, e.g. jumlah_april.csv")
        parser.add_argument(
            "--user",
            help="Username: only devices in this user's area are accepted, and the counts are "
            "recorded as entered by them. Without it: every device, no user recorded.",
        )
        parser.add_argument(
            "--confirm",
            action="store_true",
            help="Save rows that have warnings (over capacity, device down, over eligible).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and count only; write nothing."
        )

    def handle(
        self, *args, file: Path, user: str | None, confirm: bool, dry_run: bool, verbosity, **opts
    ):
        acting = self._user(user) if user else None
        try:
            content = file.read_bytes()
        except OSError as exc:
            raise CommandError(
                gettext("Berkas %(file)s tidak dapat dibaca: %(reason)s.")
                % {"file": file, "reason": exc.strerror}
            ) from exc
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

    def _user(self, username: str):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(gettext("Pengguna %(user)s tidak ada.") % {"user": username})
        if not user.has_perm("recording.add_dailycount"):
            raise CommandError(
                gettext("Pengguna %(user)s tidak berhak mengisi jumlah harian.")
                % {"user": username}
            )
        return user

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
