import datetime as dt
import random
import tempfile
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext

from common.progress import Progress
from districts.models import SubDistrict
from recording.models import DailyCount, DailyCountRevision, RecordingDevice
from recording.services.imports import count_file_check, count_file_read, count_file_save
from recording.services.rollups import daily_counts_delete

PREFIX = "BENCH-"


class Command(BaseCommand):
    help = (
        "Time a bulk import end to end (read + check + save, as import_counts does) on this "
        "database: once creating every row, once updating every row. Writes to the database: "
        f"use a scratch one. Devices named {PREFIX}… are created if missing and deleted with "
        "their counts afterwards, unless --keep. Progress goes to stderr (none with "
        "--verbosity 0)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--devices", type=int, default=1_000)
        parser.add_argument(
            "--keep", action="store_true", help="Keep the bench devices and their counts."
        )

    def handle(self, *args, rows: int, devices: int, keep: bool, verbosity, **options):
        self.progress = Progress.for_command(self, verbosity)
        if rows < 1 or devices < 1:
            raise CommandError(gettext("--rows dan --devices harus lebih dari 0."))
        bench_devices = self._devices(devices)
        self._delete_counts()
        days = -(-rows // len(bench_devices))
        last_day = timezone.localdate() - dt.timedelta(days=1)
        first_day = last_day - dt.timedelta(days=days - 1)
        self.stdout.write(
            f"{connection.vendor}: {rows} baris = {len(bench_devices)} alat × {days} hari "
            f"({first_day:%Y-%m-%d} s.d. {last_day:%Y-%m-%d})"
        )
        rng = random.Random(2012)
        counts = [rng.randint(0, 80) for _ in range(rows)]
        try:
            with tempfile.TemporaryDirectory() as folder:
                for label, bump, expect in (("buat", 0, "created"), ("perbarui", 1, "updated")):
                    path = Path(folder) / f"bench_{label}.csv"
                    self._write_csv(path, bench_devices, first_day, days, counts, bump)
                    check = self._run(label, path, rows)
                    if getattr(check, expect) != rows:
                        raise CommandError(
                            gettext("Diharapkan %(rows)s baris %(kind)s, ternyata %(found)s.")
                            % {"rows": rows, "kind": expect, "found": getattr(check, expect)}
                        )
        finally:
            if not keep:
                self._delete_counts()
                RecordingDevice.objects.filter(serial__startswith=PREFIX).delete()
                self.stdout.write(
                    gettext("Alat %(prefix)s… dan jumlah hariannya dihapus.") % {"prefix": PREFIX}
                )

    def _devices(self, wanted: int) -> list[RecordingDevice]:
        """`wanted` bench devices spread over existing sub-districts, created once."""
        existing = RecordingDevice.objects.filter(serial__startswith=PREFIX).count()
        if existing < wanted:
            codes = list(SubDistrict.objects.order_by("code").values_list("code", flat=True))
            if not codes:
                raise CommandError(gettext("Belum ada kecamatan; jalankan import_regions dulu."))
            RecordingDevice.objects.bulk_create(
                [
                    RecordingDevice(
                        serial=f"{PREFIX}{n:05d}",
                        sub_district_id=codes[n * 7 % len(codes)],
                        label="bench",
                        daily_capacity=1_000,
                        commissioned_on=dt.date(2000, 1, 1),
                    )
                    for n in range(wanted)
                ],
                ignore_conflicts=True,
                batch_size=1_000,
            )
        return list(
            RecordingDevice.objects.filter(serial__startswith=PREFIX).order_by("serial")[:wanted]
        )

    def _delete_counts(self):
        daily_counts_delete(DailyCount.objects.filter(device__serial__startswith=PREFIX))
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # What autovacuum does in time; a run should not pay for the last run's dead rows.
            with connection.cursor() as cursor:
                for model in (DailyCount, DailyCountRevision):
                    cursor.execute(
                        f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}"
                    )

    def _write_csv(self, path, devices, first_day, days, counts, bump):
        lines = ["date,device,count"]
        for index, count in enumerate(counts):
            device, day = devices[index // days], first_day + dt.timedelta(days=index % days)
            lines.append(f"{day:%d/%m/%Y},{device.serial},{count + bump}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _run(self, label: str, path: Path, rows: int):
        timings = {}
        # The progress reports cost a callback per thousand rows: nothing the timings show.
        with self.progress as progress:
            start = time.perf_counter()
            content = path.read_bytes()
            count_file = count_file_read(content=content, file_name=path.name, progress=progress)
            timings["baca"] = time.perf_counter() - start
            mark = time.perf_counter()
            preview = count_file_check(count_file=count_file, progress=progress)
            timings["periksa (pratinjau)"] = time.perf_counter() - mark
            mark = time.perf_counter()
            # What import_counts does after reading: the locked re-check and the writes.
            check = count_file_save(
                count_file=count_file, user=None, confirm=True, progress=progress
            )
            timings["simpan"] = time.perf_counter() - mark
        timings["import_counts (baca + simpan)"] = timings["baca"] + timings["simpan"]
        timings["unggah (baca + periksa + simpan)"] = sum(list(timings.values())[:3])
        self.stdout.write(
            f"\n{label}: {check.created} baru, {check.updated} diperbarui, "
            f"{len(preview.warnings)} peringatan"
        )
        for phase, seconds in timings.items():
            self.stdout.write(f"  {phase:<34}{seconds:6.2f} s {rows / seconds:>10,.0f} baris/s")
        return check
