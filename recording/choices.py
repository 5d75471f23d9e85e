from django.db import models
from django.utils.translation import gettext_lazy as _


class DeviceStatus(models.TextChoices):
    OPERATIONAL = "operational", _("Beroperasi")
    BROKEN = "broken", _("Rusak")
    AT_VENDOR = "at_vendor", _("Di vendor")
    RETIRED = "retired", _("Dipensiunkan")

    @classmethod
    def down(cls) -> list[str]:
        """Statuses in which a station cannot record."""
        return [cls.BROKEN, cls.AT_VENDOR]

    @classmethod
    def expected_to_report(cls, status: str) -> bool:
        """The one rule for "belum lapor", on every page and in the alerts: only a working
        station is expected to report the day's count; a broken one, one at the vendor or a
        retired one is not (and is never counted as silent)."""
        return status == cls.OPERATIONAL


class RepairEvent(models.TextChoices):
    """What can happen to a device; each moves it from one status to another."""

    FAULT_REPORTED = "fault_reported", _("Kerusakan dilaporkan")
    SHIPPED = "shipped", _("Dikirim ke vendor")
    RETURNED = "returned", _("Kembali dari vendor, beroperasi")
    FIXED_ON_SITE = "fixed_on_site", _("Diperbaiki di tempat")
    REPLACED = "replaced", _("Diganti alat baru")


# The only ways a device's status may change: event -> (allowed from, to).
TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    RepairEvent.FAULT_REPORTED: ((DeviceStatus.OPERATIONAL,), DeviceStatus.BROKEN),
    RepairEvent.FIXED_ON_SITE: ((DeviceStatus.BROKEN,), DeviceStatus.OPERATIONAL),
    RepairEvent.SHIPPED: ((DeviceStatus.BROKEN,), DeviceStatus.AT_VENDOR),
    RepairEvent.RETURNED: ((DeviceStatus.AT_VENDOR,), DeviceStatus.OPERATIONAL),
    RepairEvent.REPLACED: ((DeviceStatus.BROKEN, DeviceStatus.AT_VENDOR), DeviceStatus.RETIRED),
}


class ImportStatus(models.TextChoices):
    """Where an upload of daily counts is: its background work (reading the file, checking it,
    saving it) and its outcome."""

    QUEUED = "queued", _("Menunggu giliran")
    READING = "reading", _("Membaca berkas")
    CHECKING = "checking", _("Memeriksa baris")
    PREVIEWED = "previewed", _("Pratinjau")
    COMMITTING = "committing", _("Menyimpan")
    COMMITTED = "committed", _("Disimpan")
    FAILED = "failed", _("Gagal")

    @classmethod
    def running(cls) -> list[str]:
        """Statuses in which a background task has the upload: the page follows its progress."""
        return [cls.QUEUED, cls.READING, cls.CHECKING, cls.COMMITTING]


# The only ways an upload's status may change: step -> (allowed from, to). A running status
# that has not moved for IMPORT_STALE_MINUTES counts as failed (its worker stopped), so a check
# may start again from it.
IMPORT_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    "read": ((ImportStatus.QUEUED,), ImportStatus.READING),
    "check": ((ImportStatus.READING,), ImportStatus.CHECKING),
    "preview": (
        (ImportStatus.READING, ImportStatus.CHECKING, ImportStatus.COMMITTING),
        ImportStatus.PREVIEWED,
    ),
    "commit": ((ImportStatus.PREVIEWED,), ImportStatus.COMMITTING),
    "save": ((ImportStatus.COMMITTING,), ImportStatus.COMMITTED),
    "fail": (tuple(ImportStatus.running()), ImportStatus.FAILED),
    "recheck": ((ImportStatus.PREVIEWED, ImportStatus.FAILED), ImportStatus.QUEUED),
}
IMPORT_STALE_MINUTES = 15


class ImportNotice(models.TextChoices):
    """What the operator must be told about an upload's last background step."""

    CHANGED = (
        "changed",
        _(
            "Data berubah sejak pratinjau: ada jumlah untuk alat dan tanggal di berkas ini yang "
            "diisi atau diubah orang lain. Tidak ada yang disimpan. Periksa pratinjau terbaru di "
            "bawah, lalu simpan lagi."
        ),
    )
    NOW_ERRORS = "now_errors", _("Tidak ada yang disimpan: berkas ini sekarang berisi kesalahan.")
    CONFIRM = (
        "confirm",
        _(
            "Tidak ada yang disimpan: peringatannya berubah sejak pratinjau. Periksa peringatan di "
            "bawah, centang konfirmasi, lalu simpan lagi."
        ),
    )
    CHECK_CRASHED = (
        "check_crashed",
        _(
            "Pemeriksaan berkas berhenti karena gangguan di server; tidak ada yang disimpan. Tekan "
            "Periksa ulang. Bila terulang, hubungi admin."
        ),
    )
    SAVE_CRASHED = (
        "save_crashed",
        _(
            "Penyimpanan berhenti karena gangguan di server; tidak ada yang disimpan (semua "
            "baris atau tidak sama sekali). Tekan Periksa ulang, lalu simpan lagi. Bila "
            "terulang, hubungi admin."
        ),
    )
