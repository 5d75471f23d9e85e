from django.core.management.base import BaseCommand

from districts.services import regions_import


class Command(BaseCommand):
    help = (
        "Load the bundled Kemendagri region list (38 provinces, 514 regencies/cities, "
        "7,285 sub-districts). Safe to run again: existing codes are updated, never duplicated."
    )

    def handle(self, *args, **options):
        result = regions_import()
        self.stdout.write(self.style.SUCCESS(f"Wilayah dimuat. {result.summary()}"))
