from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from common.progress import Progress
from districts.services import regions_import


class Command(BaseCommand):
    help = (
        "Load the bundled Kemendagri region list (38 provinces, 514 regencies/cities, "
        "7,285 sub-districts). Safe to run again: existing codes are updated, never duplicated. "
        "Progress goes to stderr (none with --verbosity 0)."
    )

    def handle(self, *args, **options):
        with Progress.for_command(self, options["verbosity"]) as progress:
            result = regions_import(progress=progress)
        self.stdout.write(
            self.style.SUCCESS(
                gettext("Wilayah dimuat. %(summary)s") % {"summary": result.summary()}
            )
        )
