from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from common.formatting import fmt_int
from recording.services.imports import all_uploads_purge


class Command(BaseCommand):
    help = (
        "Delete uploads (of counts and of card reports) never saved after "
        "UPLOAD_UNCOMMITTED_HOURS (default 48), and clear the file content of saved ones after "
        "UPLOAD_CONTENT_DAYS (default 90). A saved upload keeps its row for the audit: who and "
        "when, file name, SHA-256 and row counts. Meant for a daily cron job."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would go; change nothing."
        )

    def handle(self, *args, dry_run: bool, **options):
        purged = all_uploads_purge(dry_run=dry_run)
        figures = {
            "deleted": fmt_int(purged.deleted),
            "cleared": fmt_int(purged.cleared),
            "hours": fmt_int(purged.uncommitted_hours),
            "days": fmt_int(purged.content_days),
        }
        if dry_run:
            self.stdout.write(gettext("Uji coba, tidak ada yang diubah."))
            self.stdout.write(
                gettext(
                    "Akan dihapus: %(deleted)s unggahan yang tidak disimpan dalam %(hours)s jam."
                )
                % figures
            )
            self.stdout.write(
                gettext(
                    "Akan dikosongkan: isi berkas %(cleared)s unggahan yang disimpan lebih dari "
                    "%(days)s hari lalu."
                )
                % figures
            )
            return
        self.stdout.write(
            gettext("Dihapus: %(deleted)s unggahan yang tidak disimpan dalam %(hours)s jam.")
            % figures
        )
        self.stdout.write(
            gettext(
                "Dikosongkan: isi berkas %(cleared)s unggahan yang disimpan lebih dari %(days)s "
                "hari lalu; nama berkas, SHA-256, pengunggah dan jumlah barisnya tetap disimpan."
            )
            % figures
        )
