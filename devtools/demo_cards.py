"""The demo's card journey after recording: South Sumatra's print offices on 16 April 2012.

The news story gives one fact: OKU Selatan had printed 2,000 e-KTP and handed out none, the
hand-out waiting for the Bupati's schedule. Every other figure (print-ready records, the other
regencies' printing, blanko receipts) is an estimate made here from each regency's recording
figure, documented in `demo_data/SOURCE.md`. Everything is written through the cards services,
so the ledger and the reports obey the same rules as an office's.
"""

import datetime as dt

from cards.models import (
    BlankoMovement,
    BlankoStock,
    BlankoTransfer,
    CardReport,
    CardReportRevision,
    HandoutEvent,
    HandoutEventChange,
)
from cards.services.blanko import blanko_receipt_record
from cards.services.handouts import handout_event_schedule
from cards.services.reports import ReportRow, card_reports_save
from districts.models import Regency, SubDistrict
from recording.coverage import Dashboard

OKU_SELATAN = "16.09"
OKU_SELATAN_PRINTED = 2_000
OKU_SELATAN_PRINT_READY = 2_400
HANDOUT_NOTE = "menunggu jadwal bupati"
# Print-ready records per recorded resident, and the share of them printed (estimates: in April
# 2012 the national data centre had only begun to send records back).
PRINT_READY_PER_MILLE = 5
PRINTED_SHARE = (3, 5)
# Four weekly print runs up to the story's day; blanko received from the ministry on 1 March.
PRINT_DAYS = (dt.date(2012, 3, 26), dt.date(2012, 4, 2), dt.date(2012, 4, 9), dt.date(2012, 4, 16))
RECEIPT_DAY = dt.date(2012, 3, 1)
SPOILED_PER_HUNDRED = 1


def _split(total: int, parts: int) -> list[int]:
    """`total` in `parts` whole numbers, the rest on the last."""
    each = total // parts
    return [each] * (parts - 1) + [total - each * (parts - 1)]


def _card_data_delete(province_code: str) -> None:
    """The province's card data, so that loading again leaves the same data."""
    in_regencies = {"regency__province": province_code}
    in_kecamatan = {"sub_district__regency__province": province_code}
    HandoutEventChange.objects.filter(
        **{f"event__{k}": v for k, v in in_kecamatan.items()}
    ).delete()
    HandoutEvent.objects.filter(**in_kecamatan).delete()
    BlankoMovement.objects.filter(**in_regencies).delete()
    BlankoTransfer.objects.filter(from_regency__province=province_code).delete()
    reports = CardReport.objects.filter(**in_regencies) | CardReport.objects.filter(**in_kecamatan)
    CardReportRevision.objects.filter(report__in=reports).delete()
    reports.delete()
    BlankoStock.objects.filter(**in_regencies).delete()


def card_plan(*, recorded: int, code: str) -> dict[str, int]:
    """A regency's estimated print-ready, printed and spoiled totals, and blanko received."""
    if code == OKU_SELATAN:
        print_ready, printed = OKU_SELATAN_PRINT_READY, OKU_SELATAN_PRINTED
    else:
        print_ready = recorded * PRINT_READY_PER_MILLE // 1_000
        printed = print_ready * PRINTED_SHARE[0] // PRINTED_SHARE[1]
    spoiled = printed * SPOILED_PER_HUNDRED // 100
    # Enough blanko for what was printed and spoiled, and the print-ready backlog, in 500s.
    received = -(-(printed + spoiled + print_ready) // 500) * 500
    return {
        "print_ready": print_ready,
        "printed": printed,
        "spoiled": spoiled,
        "received": received,
    }


def card_journey_load(*, coverage: Dashboard) -> int:
    """The province's card reports, blanko receipts and OKU Selatan's waiting hand-out; returns
    the number of card reports written."""
    province_code = coverage.total.code
    _card_data_delete(province_code)
    regencies = Regency.objects.in_bulk([c.code for c in coverage.children], field_name="code")
    rows = []
    for child in coverage.children:
        regency = regencies[child.code]
        plan = card_plan(recorded=child.recorded, code=child.code)
        blanko_receipt_record(
            regency=regency,
            date=RECEIPT_DAY,
            quantity=plan["received"],
            reference=f"470/{child.code}/Ditjen Dukcapil (perkiraan demo)",
            user=None,
        )
        weekly = zip(
            PRINT_DAYS,
            *(_split(plan[k], len(PRINT_DAYS)) for k in ("print_ready", "printed", "spoiled")),
            strict=True,
        )
        for day, print_ready, printed, spoiled in weekly:
            figures = {
                "print_ready": print_ready,
                "duplicates": 0,
                "failed": 0,
                "printed": printed,
                "spoiled": spoiled,
                "suket_issued": 0,
            }
            rows.append(ReportRow(line=len(rows) + 1, area=regency, date=day, figures=figures))
    card_reports_save(rows=rows, user=None)
    handout_event_schedule(
        sub_district=SubDistrict.objects.filter(regency=OKU_SELATAN).order_by("code").first(),
        planned_on=None,
        planned_count=OKU_SELATAN_PRINTED,
        note=HANDOUT_NOTE,
        user=None,
    )
    return len(rows)
