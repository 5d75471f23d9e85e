from django.core.management.base import BaseCommand, CommandError

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
                f"{d.table} {d.area} {d.date}: tersimpan {d.stored[0]} ({d.stored[1]} laporan), "
                f"seharusnya {d.expected[0]} ({d.expected[1]} laporan)"
            )
        if len(differences) > 100:
            self.stdout.write(f"… dan {len(differences) - 100} selisih lainnya")
        if options["check"] and differences:
            raise CommandError(f"{len(differences)} selisih antara rekap dan jumlah harian.")
        verb = "ditemukan" if options["check"] else "ditemukan dan diperbaiki"
        self.stdout.write(
            self.style.SUCCESS(f"Rekap harian diperiksa: {len(differences)} selisih {verb}.")
        )
