"""Approving a regency's month, accepting it at the province and unlocking it: who may, when,
and the audit rows each step leaves."""

import datetime as dt

import pytest

from approvals.models import PeriodApproval, PeriodApprovalStep
from approvals.selectors import period_locks
from approvals.services import ApprovalRefused, period_accept, period_approve, period_unlock
from tests.approvals.conftest import MARCH, march_reports

pytestmark = pytest.mark.usefixtures("frozen_today")


def _refusal(call, **kwargs) -> str:
    with pytest.raises(ApprovalRefused) as refused:
        call(**kwargs)
    return " ".join(refused.value.messages)


def _steps() -> list[tuple]:
    return list(
        PeriodApprovalStep.objects.order_by("id").values_list("step", "user__username", "reason")
    )


def test_an_admin_of_the_regency_approves_a_complete_month(timur, admin_timur, station):
    march_reports(station)

    period_approve(regency=timur, month=dt.date(2012, 3, 17), user=admin_timur)

    approval = PeriodApproval.objects.get()
    assert (approval.regency_id, approval.month, approval.approved_by) == (
        "16.08",
        MARCH,
        admin_timur,
    )
    assert (approval.reports_expected, approval.reports_received, approval.reason) == (31, 31, "")
    assert approval.approved_at is not None and approval.accepted_at is None
    assert _steps() == [("approved", "admin_timur", "")]


def test_an_admin_of_the_province_may_approve_a_regency_month(timur, admin_sumsel, station):
    march_reports(station)
    period_approve(regency=timur, month=MARCH, user=admin_sumsel)
    assert PeriodApproval.objects.get().approved_by == admin_sumsel


def test_approval_is_refused_for_an_outsider_an_operator_and_a_viewer(
    timur, admin_selatan, operator_oku_timur, viewer_sumsel, station
):
    march_reports(station)
    for user in (admin_selatan, operator_oku_timur, viewer_sumsel):
        message = _refusal(period_approve, regency=timur, month=MARCH, user=user)
        assert message == (
            f"{user.username} tidak berhak memproses bulan Maret 2012 Kabupaten Ogan Komering "
            "Ulu Timur: perlu admin kabupaten/kota atau tingkat di atasnya untuk wilayah ini."
        )
    assert not PeriodApproval.objects.exists() and not PeriodApprovalStep.objects.exists()


def test_a_month_that_has_not_ended_is_refused(timur, admin_timur, station):
    message = _refusal(period_approve, regency=timur, month=dt.date(2012, 4, 1), user=admin_timur)
    assert message == (
        "Bulan April 2012 belum berakhir (hari ini 20 Apr 2012); persetujuan baru bisa sesudah "
        "30 Apr 2012."
    )
    assert not PeriodApproval.objects.exists()


def test_an_incomplete_month_needs_a_written_reason(timur, admin_timur, station):
    march_reports(station, days=30)  # 31 March is missing

    message = _refusal(period_approve, regency=timur, month=MARCH, user=admin_timur, reason="  ")

    assert message == (
        "Laporan harian Kabupaten Ogan Komering Ulu Timur bulan Maret 2012 baru 96,8% lengkap "
        "(30 dari 31 laporan; 1 belum masuk). Tuliskan alasan untuk menyetujui data yang belum "
        "lengkap."
    )
    assert not PeriodApproval.objects.exists()

    period_approve(regency=timur, month=MARCH, user=admin_timur, reason="Listrik padam 31 Maret")

    approval = PeriodApproval.objects.get()
    assert (approval.reports_expected, approval.reports_received) == (31, 30)
    assert approval.reason == "Listrik padam 31 Maret"
    assert _steps() == [("approved", "admin_timur", "Listrik padam 31 Maret")]


def test_an_approved_month_is_not_approved_twice(timur, admin_timur, admin_sumsel, station):
    march_reports(station)
    period_approve(regency=timur, month=MARCH, user=admin_timur)

    message = _refusal(period_approve, regency=timur, month=MARCH, user=admin_sumsel)

    # The approval's time is the real clock's (only "today" is frozen).
    assert message.startswith(
        "Bulan Maret 2012 Kabupaten Ogan Komering Ulu Timur sudah disetujui oleh Rina Sari "
        "(admin_timur) pada "
    )
    assert PeriodApproval.objects.count() == 1


def test_only_an_admin_of_the_province_accepts(timur, admin_timur, admin_sumsel, station):
    march_reports(station)
    period_approve(regency=timur, month=MARCH, user=admin_timur)

    message = _refusal(period_accept, regency=timur, month=MARCH, user=admin_timur)
    assert message == (
        "Rina Sari (admin_timur) tidak berhak memproses bulan Maret 2012 Kabupaten Ogan Komering "
        "Ulu Timur: perlu admin provinsi atau tingkat di atasnya untuk wilayah ini."
    )
    assert PeriodApproval.objects.get().accepted_at is None

    period_accept(regency=timur, month=MARCH, user=admin_sumsel)

    approval = PeriodApproval.objects.get()
    assert approval.accepted_by == admin_sumsel and approval.accepted_at is not None
    assert _steps() == [("approved", "admin_timur", ""), ("accepted", "admin_sumsel", "")]


def test_a_month_not_approved_cannot_be_accepted(timur, admin_sumsel):
    message = _refusal(period_accept, regency=timur, month=MARCH, user=admin_sumsel)
    assert (
        message
        == "Bulan Maret 2012 Kabupaten Ogan Komering Ulu Timur belum disetujui kabupaten/kota."
    )


def test_unlocking_needs_a_reason_and_the_approving_level(
    timur, admin_timur, admin_sumsel, operator_oku_timur, station
):
    march_reports(station)
    period_approve(regency=timur, month=MARCH, user=admin_timur)
    period_accept(regency=timur, month=MARCH, user=admin_sumsel)

    # Accepted by the province: the regency's own admin may no longer open it, nor an operator.
    for user in (admin_timur, operator_oku_timur):
        message = _refusal(period_unlock, regency=timur, month=MARCH, user=user, reason="Salah")
        assert "perlu admin provinsi atau tingkat di atasnya" in message
    message = _refusal(period_unlock, regency=timur, month=MARCH, user=admin_sumsel, reason=" ")
    assert (
        message
        == "Tuliskan alasan membuka kunci bulan Maret 2012 Kabupaten Ogan Komering Ulu Timur."
    )
    assert PeriodApproval.objects.get().unlocked_at is None

    period_unlock(regency=timur, month=MARCH, user=admin_sumsel, reason="Koreksi alat OKUT-01")

    approval = PeriodApproval.objects.get()
    assert approval.unlocked_by == admin_sumsel
    assert approval.unlock_reason == "Koreksi alat OKUT-01"
    assert _steps() == [
        ("approved", "admin_timur", ""),
        ("accepted", "admin_sumsel", ""),
        ("unlocked", "admin_sumsel", "Koreksi alat OKUT-01"),
    ]
    # Open again, the month may be approved anew; the old approval stays as history.
    period_approve(regency=timur, month=MARCH, user=admin_timur)
    assert PeriodApproval.objects.filter(unlocked_at__isnull=True).count() == 1
    assert PeriodApproval.objects.count() == 2


def test_the_regency_admin_unlocks_its_own_approval_before_the_province_accepts(
    timur, admin_timur, admin_selatan, station
):
    march_reports(station)
    period_approve(regency=timur, month=MARCH, user=admin_timur)
    message = _refusal(period_unlock, regency=timur, month=MARCH, user=admin_selatan, reason="x")
    assert "perlu admin kabupaten/kota atau tingkat di atasnya" in message

    period_unlock(regency=timur, month=MARCH, user=admin_timur, reason="Salah ketik")

    assert PeriodApproval.objects.get().unlocked_by == admin_timur


def test_the_locks_of_many_days_come_from_one_query(
    timur, admin_timur, station, django_assert_num_queries
):
    march_reports(station)
    period_approve(regency=timur, month=MARCH, user=admin_timur)
    days = [
        ("16.08", dt.date(2012, 3, 31)),
        ("16.08", dt.date(2012, 3, 1)),
        ("16.08", dt.date(2012, 4, 1)),
        ("16.09", dt.date(2012, 3, 5)),
    ]

    with django_assert_num_queries(1):
        locks = period_locks(days)

    assert set(locks) == {("16.08", MARCH)}
    assert locks[("16.08", MARCH)].message.startswith(
        "Bulan Maret 2012 Kabupaten Ogan Komering Ulu Timur sudah disetujui oleh Rina Sari "
        "(admin_timur) pada "
    )
    assert locks[("16.08", MARCH)].message.endswith("; minta pembukaan kunci.")
