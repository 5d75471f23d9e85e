from django.db import models
from django.utils.translation import gettext_lazy as _

# The figures of a day's card report, by the level that reports them: the regency's print
# office (records back from the national data centre, cards printed, blanko spoiled, suket
# letters issued) and the kecamatan (cards received from the regency, cards handed out).
REGENCY_COLUMNS = ("print_ready", "duplicates", "failed", "printed", "spoiled", "suket_issued")
SUB_DISTRICT_COLUMNS = ("received", "handed_out")
FIGURE_COLUMNS = REGENCY_COLUMNS + SUB_DISTRICT_COLUMNS


class MovementKind(models.TextChoices):
    """Why a regency's blanko stock moved; the sign of the quantity follows from the kind."""

    RECEIPT = "receipt", _("Penerimaan dari Kemendagri")
    USE = "use", _("Pemakaian (dicetak + rusak)")
    TRANSFER_OUT = "transfer_out", _("Dipinjamkan ke kabupaten/kota lain")
    TRANSFER_IN = "transfer_in", _("Diterima dari kabupaten/kota lain")
    CORRECTION = "correction", _("Koreksi stok opname")


class HandoutStatus(models.TextChoices):
    PLANNED = "planned", _("Direncanakan")
    HELD = "held", _("Terlaksana")
    POSTPONED = "postponed", _("Ditunda")


class HandoutStep(models.TextChoices):
    """What can happen to a planned hand-out; each moves it from one status to another."""

    SCHEDULED = "scheduled", _("Dijadwalkan")
    HELD = "held", _("Dilaksanakan")
    POSTPONED = "postponed", _("Ditunda")


# The only ways a hand-out event's status may change: step -> (allowed from, to). A postponed
# hand-out is scheduled again (with its new day, or still without one) before it is held.
HANDOUT_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    HandoutStep.SCHEDULED: (
        (HandoutStatus.PLANNED, HandoutStatus.POSTPONED),
        HandoutStatus.PLANNED,
    ),
    HandoutStep.HELD: ((HandoutStatus.PLANNED,), HandoutStatus.HELD),
    HandoutStep.POSTPONED: ((HandoutStatus.PLANNED,), HandoutStatus.POSTPONED),
}
