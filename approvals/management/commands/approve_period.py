from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext

from approvals.commands import period_area, period_arguments, period_month, period_user
from approvals.models import PeriodApproval
from approvals.selectors import format_month
from approvals.services import ApprovalRefused, period_accept, period_approve
from districts.models import Province


class Command(BaseCommand):
    help = (
        "Approve a regency's month of recording figures (AREA a regency code such as 16.08), "
        "or, for a province code such as 16, accept every regency month approved below it and "
        "not yet accepted (all or none). The same rules as the pages: an admin of the area, a "
        "month that has ended, complete reports or a --reason. Exits non-zero when refused."
    )

    def add_arguments(self, parser):
        period_arguments(parser, area_help="A regency code (approve) or a province code (accept).")
        parser.add_argument(
            "--reason", default="", help="Why the month is approved with reports missing."
        )

    def handle(self, *args, area: str, month: str, user: str, reason: str, **options):
        region = period_area(area, levels=(1, 2))
        day, acting = period_month(month), period_user(user)
        try:
            if isinstance(region, Province):
                self._accept_all(region, day, acting)
            else:
                approval = period_approve(regency=region, month=day, user=acting, reason=reason)
                self.stdout.write(
                    gettext("Bulan %(month)s %(regency)s disetujui.")
                    % {"month": format_month(approval.month), "regency": region.name}
                )
        except ApprovalRefused as exc:
            raise CommandError(" ".join(exc.messages)) from exc

    @transaction.atomic
    def _accept_all(self, province, day, acting):
        waiting = list(
            PeriodApproval.objects.select_related("regency")
            .filter(
                regency__province=province,
                month=day.replace(day=1),
                unlocked_at__isnull=True,
                accepted_at__isnull=True,
            )
            .order_by("regency")
        )
        if not waiting:
            raise CommandError(
                gettext(
                    "Tidak ada bulan %(month)s kabupaten/kota di %(province)s yang menunggu "
                    "diterima."
                )
                % {"month": format_month(day), "province": province.name}
            )
        for approval in waiting:
            period_accept(regency=approval.regency, month=day, user=acting)
            self.stdout.write(
                gettext("Bulan %(month)s %(regency)s diterima.")
                % {"month": format_month(day), "regency": approval.regency.name}
            )
