"""Uploads keep the lines their file was read into, the file's SHA-256, and when their content
was cleared.

Uploads kept before this get their SHA-256 now; their lines are read on their first preview
(a committed one is never read again). Running it again changes nothing.
"""

import hashlib

from django.db import migrations, models


def fill_sha256(apps, schema_editor):
    CountImport = apps.get_model("recording", "CountImport")
    missing = CountImport.objects.filter(sha256="").only("pk", "content").order_by("pk")
    # A few files in memory at a time: each may be up to 20 MB.
    for upload in missing.iterator(chunk_size=20):
        CountImport.objects.filter(pk=upload.pk).update(
            sha256=hashlib.sha256(bytes(upload.content)).hexdigest()
        )


class Migration(migrations.Migration):
    dependencies = [("recording", "0007_open_repairs_for_devices_already_down")]

    operations = [
        migrations.AddField(
            model_name="countimport",
            name="sha256",
            field=models.CharField(blank=True, max_length=64, verbose_name="SHA-256 berkas"),
        ),
        migrations.AddField(
            model_name="countimport",
            name="parsed",
            field=models.JSONField(
                blank=True, editable=False, null=True, verbose_name="baris terbaca"
            ),
        ),
        migrations.AddField(
            model_name="countimport",
            name="content_cleared_at",
            field=models.DateTimeField(
                blank=True, null=True, verbose_name="isi berkas dihapus pada"
            ),
        ),
        migrations.RunPython(fill_sha256, migrations.RunPython.noop),
    ]
