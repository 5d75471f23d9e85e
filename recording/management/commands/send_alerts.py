import argparse
import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.translation import gettext

from common.days import format_day
from common.formatting import fmt_int
from recording.services import alerts


def _day(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            gettext(
                "Tanggal “%(value)s” tidak dikenal; gunakan bentuk TTTT-BB-HH, mis. 2012-04-16."
            )
            % {"value": value}
        ) from None


def _days(value: str) -> int:
    if not value.isdigit():
        raise argparse.ArgumentTypeError(
            gettext("Jumlah hari “%(value)s” harus bilangan bulat 0 atau lebih.") % {"value": value}
        )
    return int(value)


class Command(BaseCommand):
    help = (
        "Email each regency's admins (assigned to the regency or its province, with an email "
        "address) a digest in Bahasa Indonesia: devices down longer than --down-days, repairs "
        "past the vendor's agreed time, working stations silent for --silent-days, blanko under "
        "the reorder point or lasting fewer than --blanko-days, printed cards waiting more than "
        "--waiting-days, and hand-out events postponed, overdue or still without a day. "
        "Regencies with nothing to report get nothing. Meant for a daily cron job."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--down-days",
            type=_days,
            default=alerts.DOWN_DAYS,
            help=f"List devices down longer than this many days (default {alerts.DOWN_DAYS}).",
        )
        parser.add_argument(
            "--silent-days",
            type=_days,
            default=alerts.SILENT_DAYS,
            help="List working stations without a report on this many days up to --as-of "
            f"(default {alerts.SILENT_DAYS}).",
        )
        parser.add_argument(
            "--blanko-days",
            type=_days,
            default=alerts.BLANKO_DAYS,
            help="Warn when the blanko lasts fewer days than this at the last four weeks' rate "
            f"(default {alerts.BLANKO_DAYS}).",
        )
        parser.add_argument(
            "--waiting-days",
            type=_days,
            default=alerts.CARD_WAITING_DAYS,
            help="List printed cards waiting longer than this many days, and hand-out events "
            f"without a day for as long (default {alerts.CARD_WAITING_DAYS}).",
        )
        parser.add_argument(
            "--as-of",
            type=_day,
            default=None,
            help="The day the digest is about, YYYY-MM-DD (default today, Asia/Jakarta).",
        )
        parser.add_argument(
            "--base-url",
            default="",
            help="The app's address, e.g. https://ektp.example.go.id, to link each regency's page.",
        )

    def handle(
        self, *args, down_days, silent_days, blanko_days, waiting_days, as_of, base_url, **options
    ):
        as_of = as_of or timezone.localdate()
        sent = alerts.alerts_send(
            as_of=as_of,
            down_days=down_days,
            silent_days=silent_days,
            blanko_days=blanko_days,
            waiting_days=waiting_days,
            base_url=base_url,
        )
        for digest in sent:
            line = gettext(
                "%(down)s alat rusak, %(overdue)s perbaikan terlambat, %(silent)s stasiun diam, "
                "blanko %(blanko)s, %(waiting)s kartu menunggu lama, %(handouts)s jadwal "
                "pembagian perlu perhatian"
            ) % {
                "down": fmt_int(len(digest.down)),
                "overdue": fmt_int(len(digest.overdue)),
                "silent": fmt_int(len(digest.silent)),
                "blanko": gettext("menipis") if digest.blanko else gettext("cukup"),
                # The print office's line holds its kecamatan's cards too: the largest is all.
                "waiting": fmt_int(max((w.waiting_long for w in digest.cards_waiting), default=0)),
                "handouts": fmt_int(len(digest.handouts)),
            }
            self.stdout.write(
                f"  {digest.code} {digest.name}: {line} → {', '.join(digest.recipients)}"
            )
        self.stdout.write(
            self.style.SUCCESS(
                gettext("%(count)s email ringkasan terkirim per %(date)s.")
                % {"count": fmt_int(len(sent)), "date": format_day(as_of)}
            )
        )
