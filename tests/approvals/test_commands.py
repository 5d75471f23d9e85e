"""`approve_period` and `unlock_period`: the services' rules from the command line, a
non-zero exit (CommandError, exit status 1) on every refusal."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from approvals.models import PeriodApproval, PeriodApprovalStep
from tests.approvals.conftest import march_reports

pytestmark = pytest.mark.usefixtures("frozen_today")


def _run(name: str, *args) -> str:
    out = StringIO()
    call_command(name, *args, stdout=out)
    return out.getvalue()


def _refused(name: str, *args) -> str:
    with pytest.raises(CommandError) as refused:
        _run(name, *args)
    assert refused.value.returncode == 1
    return str(refused.value)


def test_approve_accept_and_unlock_from_the_command_line(admin_timur, admin_sumsel, station):
    march_reports(station)

    assert _run("approve_period", "16.08", "2012-03", "--user", "admin_timur") == (
        "Bulan Maret 2012 Kabupaten Ogan Komering Ulu Timur disetujui.\n"
    )
    # A province code accepts the regency months approved below it.
    assert _run("approve_period", "16", "2012-03", "--user", "admin_sumsel") == (
        "Bulan Maret 2012 Kabupaten Ogan Komering Ulu Timur diterima.\n"
    )
    assert _run(
        "unlock_period", "16.08", "2012-03", "--user", "admin_sumsel", "--reason", "Koreksi"
    ) == ("Kunci bulan Maret 2012 Kabupaten Ogan Komering Ulu Timur dibuka.\n")

    assert list(
        PeriodApprovalStep.objects.order_by("id").values_list("step", "user__username", "reason")
    ) == [
        ("approved", "admin_timur", ""),
        ("accepted", "admin_sumsel", ""),
        ("unlocked", "admin_sumsel", "Koreksi"),
    ]


def test_the_commands_exit_non_zero_when_refused(admin_timur, admin_selatan, station):
    march_reports(station, days=29)

    assert _refused("approve_period", "16.08", "2012-03", "--user", "admin_timur") == (
        "Laporan harian Kabupaten Ogan Komering Ulu Timur bulan Maret 2012 baru 93,5% lengkap "
        "(29 dari 31 laporan; 2 belum masuk). Tuliskan alasan untuk menyetujui data yang belum "
        "lengkap."
    )
    assert "admin_selatan tidak berhak" in _refused(
        "approve_period", "16.08", "2012-03", "--user", "admin_selatan", "--reason", "x"
    )
    assert _refused("approve_period", "16.08", "2012-04", "--user", "admin_timur", "--reason", "x")
    assert _refused("approve_period", "16.08", "2012-3x", "--user", "admin_timur") == (
        "Bulan 2012-3x tidak dikenal; tulis TTTT-BB, mis. 2012-04."
    )
    assert _refused("approve_period", "16.99", "2012-03", "--user", "admin_timur") == (
        "Wilayah 16.99 bukan kode provinsi atau kabupaten/kota yang dikenal."
    )
    assert _refused("approve_period", "16.08", "2012-03", "--user", "siapa") == (
        "Pengguna siapa tidak ada."
    )
    assert _refused("approve_period", "16", "2012-03", "--user", "admin_timur") == (
        "Tidak ada bulan Maret 2012 kabupaten/kota di Sumatera Selatan yang menunggu diterima."
    )
    assert not PeriodApproval.objects.exists()

    _run("approve_period", "16.08", "2012-03", "--user", "admin_timur", "--reason", "Alat rusak")
    # A regency admin may not accept at the province.
    assert "perlu admin provinsi" in _refused(
        "approve_period", "16", "2012-03", "--user", "admin_timur"
    )
    assert "admin_selatan tidak berhak" in _refused(
        "unlock_period", "16.08", "2012-03", "--user", "admin_selatan", "--reason", "x"
    )
    assert _refused(
        "unlock_period", "16.08", "2012-03", "--user", "admin_timur", "--reason", " "
    ) == ("Tuliskan alasan membuka kunci bulan Maret 2012 Kabupaten Ogan Komering Ulu Timur.")
    assert _refused("unlock_period", "16", "2012-03", "--user", "admin_timur", "--reason", "x") == (
        "Wilayah 16 bukan kode kabupaten/kota yang dikenal."
    )
    approval = PeriodApproval.objects.get()
    assert approval.accepted_at is None and approval.unlocked_at is None
