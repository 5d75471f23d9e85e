from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from cards.services.rollups import card_rollup_differences, card_rollups_refresh
from common.formatting import fmt_int

LISTED = 100


class Command(BaseCommand):
    help = (
        "Recompute the card report totals per regency and day and per regency and month from "
        "the card reports and report every difference found. With --check, only report (exit 1 "
        "if any)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="report only, change nothing")

    def handle(self, *args, **options):
        differences = list(card_rollup_differences())
        for table, regency, day, stored, expected in differences[:LISTED]:
            self.stdout.write(
                gettext(
                    "%(table)s %(area)s %(date)s: tersimpan %(stored)s, seharusnya %(expected)s"
                )
                % {
                    "table": table,
                    "area": regency,
                    "date": day,
                    "stored": " ".join(fmt_int(value) for value in stored),
                    "expected": " ".join(fmt_int(value) for value in expected),
                }
            )
        count = {"count": fmt_int(len(differences))}
        if options["check"]:
            if differences:
                raise CommandError(
                    gettext("%(count)s selisih antara rekap kartu dan laporan kartu.") % count
                )
            done = gettext("Rekap kartu diperiksa: %(count)s selisih ditemukan.")
        else:
            card_rollups_refresh()
            done = gettext("Rekap kartu diperiksa: %(count)s selisih ditemukan dan diperbaiki.")
        self.stdout.write(self.style.SUCCESS(done % count))
