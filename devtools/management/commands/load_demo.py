import os
import time

from django.core.management.base import BaseCommand
from django.utils.formats import number_format
from django.utils.translation import gettext

from common.days import format_day
from common.progress import Progress
from devtools import demo

DEFAULT_ADDRESS = "127.0.0.1:8000"


def _number(value, decimals=None) -> str:
    """360.381 and 81,4, as the pages show them."""
    return number_format(value, decimals, force_grouping=True)


class Command(BaseCommand):
    help = (
        "Load the demo: South Sumatra on 16 April 2012, two weeks before the e-KTP recording "
        "deadline (OKU Timur at 81.4% with two devices at the vendor, OKU Selatan at 100%). "
        "Loads the region list first, so it works on a freshly migrated database, and creates "
        "four demo logins (an operator, a provincial viewer, a national admin and OKU Timur's "
        "admin). Safe to run again: the demo data is replaced, never duplicated. Progress goes "
        "to stderr (none with --verbosity 0)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=os.environ.get("DEMO_PASSWORD") or None,
            help="Password for all four demo logins (default: $DEMO_PASSWORD, else a fresh "
            "random one on every run).",
        )
        parser.add_argument(
            "--address",
            default=DEFAULT_ADDRESS,
            help="HOST:PORT the server will listen on, for the address printed with the logins "
            f"(default: {DEFAULT_ADDRESS}; `bootstrap.py demo ADDRESS` passes its own).",
        )

    def handle(self, *args, password, address, verbosity, **options):
        started = time.monotonic()
        with Progress.for_command(self, verbosity) as progress:
            result = demo.demo_load(password=password, progress=progress)
        elapsed = time.monotonic() - started

        self.stdout.write(
            self.style.SUCCESS(
                gettext(
                    "Demo dimuat dalam %(seconds)s detik: %(devices)s alat, %(counts)s jumlah "
                    "harian, %(eligible)s angka wajib KTP, %(campaigns)s target perekaman."
                )
                % {
                    # As before, with a point: the tests strip the time by that pattern.
                    "seconds": f"{elapsed:.1f}",
                    "devices": _number(result.devices),
                    "counts": _number(result.daily_counts),
                    "eligible": _number(result.eligible_rows),
                    "campaigns": _number(result.campaigns),
                }
            )
        )
        today = {"date": format_day(demo.DEMO_TODAY)}
        self.stdout.write("\n" + gettext("Alat di vendor per %(date)s:") % today)
        for repair in result.repairs:
            self.stdout.write(
                f"  {repair.device.serial}  {repair.device.sub_district.name}: rusak sejak "
                f"{format_day(repair.reported_on)}, dikirim ke {repair.vendor.name} "
                f"{format_day(repair.shipped_on)} ({repair.vendor_reference})"
            )
        self.stdout.write("\n" + gettext("Cakupan per %(date)s:") % today)
        for row in result.coverage.children:
            self.stdout.write(
                f"  {row.code}  {row.name:<40} {_number(row.recorded):>9} / "
                f"{_number(row.eligible):>9}  {_number(row.coverage_percent, 1):>5}%"
            )

        logins = [("Pengguna", "Peran", "Wilayah", "Kata sandi")] + [
            (login.username, login.role, login.area, login.password) for login in result.logins
        ]
        widths = [max(len(row[i]) for row in logins) for i in range(4)]
        # runserver takes "PORT", "HOST:PORT" or "HOST" alone.
        if address.isdigit():
            host = f"127.0.0.1:{address}"
        else:
            host = address if ":" in address else f"{address}:8000"
        self.stdout.write(
            "\n" + gettext("Masuk di %(address)s dengan:") % {"address": f"http://{host}/"}
        )
        for row in logins:
            cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
            self.stdout.write(("  " + "  ".join(cells)).rstrip())
