from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from common.formatting import fmt_int
from recording.services.rollups import rollup_differences, rollup_rebuild


class Command(BaseCommand):
    help = (
        "Recompute the daily totals per regency and per province from the daily counts and "
        "report every difference found. With --check, only report (exit 1 if any)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report only, change nothing")

    def handle(self, *args, **options):
        differences = rollup_differences() if options["check"] else rollup_rebuild()
        for d in differences[:100]:
            self.stdout.write(
                gettext(
                    "%(table)s %(area)s %(date)s: tersimpan %(stored)s (%(stored_reports)s "
                    "laporan), seharusnya %(expected)s (%(expected_reports)s laporan)"
                )
                % {
                    "table": d.table,
                    "area": d.area,
                    "date": d.date,
                    "stored": fmt_int(d.stored[0]),
                    "stored_reports": fmt_int(d.stored[1]),
                    "expected": fmt_int(d.expected[0]),
                    "expected_reports": fmt_int(d.expected[1]),
                }
            )
        count = {"count": fmt_int(len(differences))}
        if len(differences) > 100:
            self.stdout.write(
                gettext("… dan %(count)s selisih lainnya")
                % {"count": fmt_int(len(differences) - 100)}
            )
        if options["check"] and differences:
            raise CommandError(gettext("%(count)s selisih antara rekap dan jumlah harian.") % count)
        if options["check"]:
            done = gettext("Rekap harian diperiksa: %(count)s selisih ditemukan.")
        else:
            done = gettext("Rekap harian diperiksa: %(count)s selisih ditemukan dan diperbaiki.")
        self.stdout.write(self.style.SUCCESS(done % count))
