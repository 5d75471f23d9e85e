from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from approvals.commands import period_area, period_arguments, period_month, period_user
from approvals.selectors import format_month
from approvals.services import ApprovalRefused, period_unlock


class Command(BaseCommand):
    help = (
        "Open an approved month of a regency (AREA a regency code such as 16.08) again for "
        "changes. The same rules as the pages: the level that approved it (the province once "
        "accepted) or above, and a --reason. Exits non-zero when refused."
    )

    def add_arguments(self, parser):
        period_arguments(parser, area_help="A regency code, e.g. 16.08.")
        parser.add_argument("--reason", required=True, help="Why the month is opened again.")

    def handle(self, *args, area: str, month: str, user: str, reason: str, **options):
        regency = period_area(area, levels=(2,))
        day, acting = period_month(month), period_user(user)
        try:
            period_unlock(regency=regency, month=day, user=acting, reason=reason)
        except ApprovalRefused as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(
            gettext("Kunci bulan %(month)s %(regency)s dibuka.")
            % {"month": format_month(day), "regency": regency.name}
        )
