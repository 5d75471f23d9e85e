import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from common.formatting import fmt_int
from common.progress import Progress
from devtools.benchmark import (
    SERIAL_PREFIX,
    bench_cards_period,
    bench_cards_remove,
    bench_cards_write,
    bench_clear,
    bench_counts_period,
    bench_generate,
    bench_pages,
)
from districts.models import SubDistrict
from recording.models import RecordingDevice


class Command(BaseCommand):
    help = (
        "Generate a national data set (7,285 kecamatan, ~14,600 devices, 730 days: ~10.7 million "
        "daily counts) in the configured database and print the median and p95 server time and "
        "the weight of the national, largest-province, regency and kecamatan dashboards, today, "
        "at the end of last month (a whole month of daily rows to read) and for a past as_of. "
        "The last year also gets card reports of every regency and kecamatan and a blanko "
        "ledger (~2.8 million rows); --cards-compare times every page with and without them in "
        "one run. Bench rows are marked (serials NAT-…, card rows written by the bench user) "
        "and removed by --clear. Progress goes to stderr (none with --verbosity 0)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=730, help="days of counts (default 730)")
        parser.add_argument("--runs", type=int, default=15, help="timed requests per page")
        parser.add_argument(
            "--past-days", type=int, default=365, help="how far back the past as_of is"
        )
        parser.add_argument(
            "--reuse", action="store_true", help="time the data already generated, if any"
        )
        parser.add_argument("--clear", action="store_true", help="remove the bench data and stop")
        parser.add_argument(
            "--cards-compare",
            action="store_true",
            help="time every page with the card data, then without it (removed, timed, written "
            "again), and print the ratio",
        )

    def handle(self, *args, **options):
        progress = Progress.for_command(self, options["verbosity"])
        if options["clear"]:
            with progress:
                deleted = bench_clear(progress=progress)
            self.stdout.write(
                gettext("Dihapus: %(count)s baris alat dan turunannya.")
                % {"count": fmt_int(deleted)}
            )
            return
        if options["days"] < 8:
            raise CommandError(gettext("--days harus paling sedikit 8."))
        if not SubDistrict.objects.exists():
            raise CommandError(
                gettext(
                    "Daftar wilayah masih kosong: jalankan `manage.py import_regions` dulu, "
                    "lalu bench lagi."
                )
            )
        self.stdout.write(f"Basis data: {connection.vendor}")
        existing = RecordingDevice.objects.filter(serial__startswith=SERIAL_PREFIX).exists()
        if existing and options["reuse"]:
            self._cards_if_missing(progress)
        else:
            if existing:
                self.stdout.write(gettext("Menghapus data bench lama…"))
                with progress:
                    bench_clear(progress=progress)
            self.stdout.write(gettext("Membuat data nasional…"))
            with progress:
                data = bench_generate(days=options["days"], progress=progress)
            summary = gettext(
                "%(devices)s alat, %(counts)s jumlah harian (%(first)s s.d. %(last)s), "
                "%(cards)s laporan kartu, dalam %(seconds)s detik"
            ) % {
                "devices": fmt_int(data.devices),
                "counts": fmt_int(data.daily_counts),
                "cards": fmt_int(data.card_reports),
                "first": data.first_day,
                "last": data.last_day,
                "seconds": fmt_int(data.seconds),
            }
            self.stdout.write(f"  {summary}")
        today = timezone.localdate()
        last_month_end = today.replace(day=1) - dt.timedelta(days=1)
        past = today - dt.timedelta(days=options["past_days"])
        as_of_days = [None, last_month_end, past]
        results = self._timed(progress, as_of_days, options["runs"])
        if not options["cards_compare"]:
            self._write_timings(results)
            return
        last, days = bench_cards_period()
        with progress:
            bench_cards_remove(progress=progress)
        without_cards = self._timed(progress, as_of_days, options["runs"])
        with progress:
            bench_cards_write(last=last, days=days, progress=progress)
            progress("ANALYZE", 0, None)
            self._analyze()
        self._write_comparison(results, without_cards)

    def _cards_if_missing(self, progress) -> None:
        """A data set generated before the bench wrote card reports gets them now, for the
        last year of its counts."""
        if bench_cards_period() is not None:
            return
        last, days = bench_counts_period()
        with progress:
            bench_cards_write(last=last, days=days, progress=progress)

    def _timed(self, progress, as_of_days, runs: int):
        with progress:
            progress("ANALYZE", 0, None)
            self._analyze()
        with progress:
            return bench_pages(as_of_days=as_of_days, runs=runs, progress=progress)

    def _write_timings(self, results) -> None:
        self.stdout.write(
            f"\n{'halaman':<42} {'median ms':>10} {'p95 ms':>8} {'KB':>7} {'KB gzip':>8} "
            f"{'kueri':>6}"
        )
        for r in results:
            self.stdout.write(
                f"{r.label:<42} {r.median_ms:>10.1f} {r.p95_ms:>8.1f} "
                f"{r.bytes / 1024:>7.1f} {r.gzip_bytes / 1024:>8.1f} {r.queries:>6}"
            )

    def _write_comparison(self, with_cards, without_cards) -> None:
        """Median with the card data, without it, their ratio, and each side's query count."""
        self.stdout.write(
            f"\n{'halaman':<42} {'kartu ms':>9} {'tanpa ms':>9} {'rasio':>6} "
            f"{'kueri':>6} {'tanpa':>6}"
        )
        for cards, bare in zip(with_cards, without_cards, strict=True):
            self.stdout.write(
                f"{cards.label:<42} {cards.median_ms:>9.1f} {bare.median_ms:>9.1f} "
                f"{cards.median_ms / bare.median_ms:>6.2f} {cards.queries:>6} {bare.queries:>6}"
            )

    def _analyze(self):
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                # Card rows removed for --cards-compare stay in the tables and their indexes,
                # dead, until vacuumed: every card query would step over them. Both sides of
                # the comparison are timed on vacuumed card tables.
                cursor.execute(
                    "VACUUM ANALYZE cards_cardreport, cards_blankomovement, cards_blankostock"
                )
            cursor.execute("ANALYZE")
