"""`send_alerts`: the daily email to each regency's admins about devices down, late and silent."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from cards.choices import HandoutStatus
from cards.models import HandoutEvent
from cards.services.blanko import blanko_receipt_record, blanko_reorder_point_set
from cards.services.reports import ReportRow, card_reports_save
from districts.choices import Role
from districts.models import Regency, SubDistrict
from recording.models import DailyCount, Vendor
from recording.services.alerts import regency_digests
from recording.services.repairs import repair_report_fault, repair_ship

D = dt.date
OKU_TIMUR_ADMIN = "admin.okutimur@dukcapil-okutimur.example"


def _send(*args) -> str:
    out = io.StringIO()
    call_command("send_alerts", *args, stdout=out)
    return out.getvalue()


def _body_line(message, serial: str) -> str:
    return next(line for line in message.body.splitlines() if line.startswith(f"- {serial}"))


def test_on_the_demo_day_oku_timurs_admin_gets_one_email_about_the_two_stations(loaded, mailoutbox):
    output = _send("--as-of", "2012-04-16")
    assert len(mailoutbox) == 1
    [message] = mailoutbox
    assert message.to == [OKU_TIMUR_ADMIN]
    assert message.subject == (
        "[e-KTP] Ringkasan harian — Kabupaten Ogan Komering Ulu Timur, 16 Apr 2012"
    )
    assert "ALAT TIDAK BEROPERASI LEBIH DARI 3 HARI (2)" in message.body
    buay_madang_timur = _body_line(message, "SMS-1608-12-1")
    assert "Kecamatan Buay Madang Timur" in buay_madang_timur
    assert "sejak 2 Apr 2012, 14 hari tidak beroperasi" in buay_madang_timur
    assert "vendor Konsorsium PNRI" in buay_madang_timur
    buay_pemuka = _body_line(message, "SMS-1608-20-1")
    assert "Kecamatan Buay Pemuka Bangsa Raja" in buay_pemuka
    assert "sejak 5 Apr 2012, 11 hari tidak beroperasi" in buay_pemuka
    # Shipped 4 and 7 April with 14 agreed days: not late yet; every other station reported.
    assert "PERBAIKAN MELEWATI" not in message.body
    assert "BELUM MELAPOR" not in message.body
    assert "1 email ringkasan terkirim per 16 Apr 2012." in output


def test_a_repair_past_the_vendors_days_is_listed_as_late(loaded, mailoutbox):
    _send("--as-of", "2012-04-20")
    [message] = mailoutbox
    assert "PERBAIKAN MELEWATI WAKTU YANG DISEPAKATI VENDOR (1)" in message.body
    late = message.body.split("PERBAIKAN MELEWATI")[1].split("\n\n")[0]
    # Buay Madang Timur went on 4 April, due back 18 April; Buay Pemuka Bangsa Raja not yet due.
    assert (
        "- SMS-1608-12-1, Kecamatan Buay Madang Timur: dikirim ke Konsorsium PNRI 4 Apr 2012, "
        "seharusnya kembali 18 Apr 2012; terlambat 2 hari (tiket PNRI-20120404-160812)."
    ) in late
    assert "SMS-1608-20-1" not in late


def test_without_a_day_the_digest_is_as_of_today(loaded, mailoutbox, frozen_today):
    output = _send()  # today is 20 April 2012: Buay Madang Timur's repair is 2 days late
    [message] = mailoutbox
    assert message.subject.endswith("Kabupaten Ogan Komering Ulu Timur, 20 Apr 2012")
    assert "seharusnya kembali 18 Apr 2012; terlambat 2 hari" in message.body
    assert "1 email ringkasan terkirim per 20 Apr 2012." in output


@pytest.mark.parametrize(
    "args", [["--as-of", "2012-04-03"], ["--as-of", "2012-04-16", "--down-days", "14"]]
)
def test_nothing_is_sent_when_there_is_nothing_to_say(loaded, mailoutbox, args):
    # 3 April: Buay Madang Timur down one day, everything else reported. 16 April with a
    # 14-day threshold: the two stations are down 14 and 11 days, not longer.
    output = _send(*args)
    assert mailoutbox == []
    assert "0 email ringkasan terkirim" in output


@pytest.fixture
def vendor(db):
    return Vendor.objects.create(name="Konsorsium Uji", agreed_repair_days=14)


def _reported(device, *days):
    DailyCount.objects.bulk_create(DailyCount(device=device, date=d, count=10) for d in days)


def test_silent_stations_and_late_repairs_go_to_the_admins_of_the_regency_and_province(
    make_user, make_device, vendor, mailoutbox
):
    # Aceh, away from the demo's South Sumatra (which another test of this module loads).
    make_user("adm_prov", Role.ADMIN, "11", email="prov@aceh.example")
    make_user("adm_acsel", Role.ADMIN, "11.01", email="acsel@acehselatan.example")
    make_user("adm_nomail", Role.ADMIN, "11.01")
    make_user("adm_other", Role.ADMIN, "11.02", email="agara@acehtenggara.example")
    make_user("op_mail", Role.OPERATOR, "11.01", email="operator@acehselatan.example")
    make_user("root", email="root@pusat.example", is_superuser=True, is_staff=True)

    quiet = make_device("11.01.01", serial="DIAM-1", label="Kec. Bakongan #1")
    _reported(quiet, D(2012, 4, 9), D(2012, 4, 10))
    make_device("11.01.02", serial="BARU-1", commissioned_on=D(2012, 4, 10))
    busy = make_device("11.01.03", serial="RAJIN-1")
    _reported(busy, D(2012, 4, 15))  # yesterday: fine with two silent days
    away = make_device("11.01.04", serial="RUSAK-1")
    _reported(away, D(2012, 3, 17))
    repair_report_fault(device=away, reported_on=D(2012, 3, 18), symptom="Mati", user=None)
    repair_ship(device=away, shipped_on=D(2012, 3, 20), vendor=vendor, user=None)
    _reported(make_device("11.02.01", serial="TENGGARA-1"), D(2012, 4, 16))

    output = _send("--as-of", "2012-04-16", "--silent-days", "2")
    aceh = [m for m in mailoutbox if "Aceh" in m.subject]
    assert [m.subject for m in aceh] == [
        "[e-KTP] Ringkasan harian — Kabupaten Aceh Selatan, 16 Apr 2012"
    ]  # nothing to say about Aceh Tenggara, whose station reported today
    [message] = aceh
    assert sorted(message.to) == ["acsel@acehselatan.example", "prov@aceh.example"]
    body = message.body
    assert "STASIUN BELUM MELAPOR 2 HARI ATAU LEBIH (2)" in body
    assert _body_line(message, "DIAM-1") == (
        "- DIAM-1 (Kec. Bakongan #1), Kecamatan Bakongan: laporan terakhir 10 Apr 2012 "
        "(6 hari lalu)."
    )
    assert "belum pernah melapor (7 hari sejak mulai beroperasi)" in _body_line(message, "BARU-1")
    assert "RAJIN-1" not in body
    # The station at the vendor is down (29 days) and late (27 days there, 14 agreed), and is
    # not also called silent.
    assert "sejak 18 Mar 2012, 29 hari tidak beroperasi" in _body_line(message, "RUSAK-1")
    assert "seharusnya kembali 3 Apr 2012; terlambat 13 hari" in body
    assert body.count("- RUSAK-1") == 2
    assert f"{len(mailoutbox)} email ringkasan terkirim" in output


def test_the_digest_costs_the_same_queries_for_one_regency_or_a_whole_province(
    loaded, make_user, django_assert_max_num_queries
):
    # Six for the devices, two for the blanko (movements grouped by regency, reorder points),
    # four for the cards waiting (regencies and kecamatan: counts, oldest batch), one for the
    # hand-out events, eleven for the data-quality checks (spikes 2, zeros 1, coverage 5,
    # lowered figures 1, missing eligible figures 2).
    with django_assert_max_num_queries(24):
        assert len(regency_digests(as_of=D(2012, 4, 20))) == 1
    make_user("adm_prov", Role.ADMIN, "16", email="prov@sumsel.example")
    with django_assert_max_num_queries(24):
        # Every Sumatera Selatan regency is silent on 20 April (the demo ends on the 16th).
        assert len(regency_digests(as_of=D(2012, 4, 20))) == 17


def test_the_digest_names_a_regency_under_its_blanko_reorder_point(make_user, mailoutbox):
    # Aceh Selatan prints 50 a day for the four weeks to 16 April: 2,000 received, 1,400
    # used, 600 left, which is 12 days at that rate, under its reorder point of 1,000.
    admin = make_user("adm_acsel", Role.ADMIN, "11.01", email="acsel@acehselatan.example")
    make_user("adm_agara", Role.ADMIN, "11.02", email="agara@acehtenggara.example")
    acsel = Regency.objects.get(code="11.01")
    blanko_receipt_record(
        regency=acsel, date=D(2012, 3, 1), quantity=2_000, reference="470/12", user=admin
    )
    blanko_reorder_point_set(regency=acsel, reorder_point=1_000, user=admin)
    card_reports_save(
        rows=[
            ReportRow(
                line=n,
                area=acsel,
                date=D(2012, 3, 19) + dt.timedelta(days=n),
                figures={"printed": 50},
            )
            for n in range(28)
        ],
        user=admin,
    )

    _send("--as-of", "2012-04-16")

    [message] = [m for m in mailoutbox if "Aceh" in m.subject]
    assert message.subject == "[e-KTP] Ringkasan harian — Kabupaten Aceh Selatan, 16 Apr 2012"
    assert message.to == ["acsel@acehselatan.example"]
    assert "BLANKO KTP-EL HAMPIR HABIS" in message.body
    assert (
        "- Stok 600 lembar, di bawah batas minta tambahan (1.000), cukup untuk 12 hari pada "
        "laju cetak empat minggu terakhir."
    ) in message.body.splitlines()


def _aceh_selatan_admin(make_user):
    make_user("adm_agara", Role.ADMIN, "11.02", email="agara@acehtenggara.example")
    return make_user("adm_acsel", Role.ADMIN, "11.01", email="acsel@acehselatan.example")


def _aceh_message(mailoutbox):
    [message] = [m for m in mailoutbox if "Aceh Selatan" in m.subject]
    assert message.subject == "[e-KTP] Ringkasan harian — Kabupaten Aceh Selatan, 16 Apr 2012"
    assert message.to == ["acsel@acehselatan.example"]
    return message


def _section(body: str, heading: str) -> list[str]:
    return body.split(heading)[1].split("\n\n")[0].strip().splitlines()


def test_the_digest_names_cards_waiting_more_than_30_days(make_user, mailoutbox):
    admin = _aceh_selatan_admin(make_user)
    blanko_receipt_record(
        regency=Regency.objects.get(code="11.01"),
        date=D(2012, 1, 2),
        quantity=1_000,
        reference="470/12",
        user=admin,
    )
    areas = {code: SubDistrict.objects.get(code=code) for code in ("11.01.01", "11.01.02")}
    areas["11.01"] = Regency.objects.get(code="11.01")
    figures = [
        # Printed 600 on 1 February and 200 on 10 April; 100 handed out: the run of 1 February
        # still waits, 600 - 100 = 500 of it more than 30 days (75 days on 16 April).
        ("11.01", D(2012, 2, 1), {"printed": 600}),
        ("11.01", D(2012, 4, 10), {"printed": 200}),
        # Bakongan received 400 on 10 February and handed out 100: 300 wait, 66 days.
        ("11.01.01", D(2012, 2, 10), {"received": 400}),
        ("11.01.01", D(2012, 3, 1), {"handed_out": 100}),
        # Kluet Utara received its cards 11 days ago: not long.
        ("11.01.02", D(2012, 4, 5), {"received": 100}),
    ]
    card_reports_save(
        rows=[
            ReportRow(line=n, area=areas[code], date=day, figures=values)
            for n, (code, day, values) in enumerate(figures, start=1)
        ],
        user=admin,
    )

    _send("--as-of", "2012-04-16")

    message = _aceh_message(mailoutbox)
    assert _section(message.body, "KARTU MENUNGGU DISERAHKAN LEBIH DARI 30 HARI") == [
        "- Dicetak belum diserahkan: 500 kartu, terlama sejak 1 Feb 2012 (75 hari).",
        "- Kecamatan Bakongan: 300 kartu diterima belum diserahkan, terlama sejak 10 Feb 2012 "
        "(66 hari).",
    ]


def test_the_digest_names_handouts_postponed_overdue_or_long_without_a_day(make_user, mailoutbox):
    _aceh_selatan_admin(make_user)

    def event(code, *, planned_on=None, status=HandoutStatus.PLANNED, count=100, **fields):
        return HandoutEvent.objects.create(
            sub_district_id=code,
            planned_on=planned_on,
            planned_count=count,
            status=status,
            **fields,
        )

    recorded = dt.datetime(2012, 3, 2, 9, tzinfo=dt.UTC)  # 45 days before 16 April
    event("11.01.03", count=2_000, note="menunggu jadwal bupati", created_at=recorded)
    event("11.01.02", status=HandoutStatus.POSTPONED, postponed_reason="Camat dinas luar")
    event("11.01.01", planned_on=D(2012, 4, 10))
    # Not worth a word: without a day for 15 days only, to come, held, another regency's.
    event("11.01.04", created_at=dt.datetime(2012, 4, 1, 9, tzinfo=dt.UTC))
    event("11.01.01", planned_on=D(2012, 4, 20))
    event("11.01.01", planned_on=D(2012, 4, 2), status=HandoutStatus.HELD, held_on=D(2012, 4, 2))
    event("11.02.01", planned_on=D(2012, 4, 1))

    _send("--as-of", "2012-04-16")

    message = _aceh_message(mailoutbox)
    assert _section(message.body, "JADWAL PEMBAGIAN KARTU PERLU DITINDAKLANJUTI (3)") == [
        "- Kecamatan Bakongan, 100 kartu: direncanakan 10 Apr 2012, belum terlaksana "
        "(6 hari lewat).",
        "- Kecamatan Kluet Utara, 100 kartu: ditunda: Camat dinas luar.",
        "- Kecamatan Kluet Selatan, 2.000 kartu: belum dijadwalkan, dicatat 45 hari lalu "
        "(menunggu jadwal bupati).",
    ]
    # Aceh Tenggara's admin hears of its overdue hand-out, not of Aceh Selatan's.
    [other] = [m for m in mailoutbox if "Aceh Tenggara" in m.subject]
    assert "direncanakan 1 Apr 2012, belum terlaksana (15 hari lewat)" in other.body
    assert "Bakongan" not in other.body


def test_waiting_days_choose_which_print_runs_waited_too_long(loaded, mailoutbox):
    """OKU Timur's demo prints 270 cards a week from 26 March and hands out none yet: on 16
    April the first run has waited 21 days, the second 14."""
    output = _send("--as-of", "2012-04-16", "--waiting-days", "10")
    assert "540 kartu menunggu lama" in output
    body = mailoutbox[-1].body
    assert "KARTU MENUNGGU DISERAHKAN LEBIH DARI 10 HARI" in body
    assert "Dicetak belum diserahkan: 540 kartu, terlama sejak 26 Mar 2012 (21 hari)." in body

    _send("--as-of", "2012-04-16", "--waiting-days", "20")
    assert "Dicetak belum diserahkan: 270 kartu, terlama sejak 26 Mar 2012" in mailoutbox[-1].body

    _send("--as-of", "2012-04-16")  # 30 days by default: nothing waited that long
    assert "KARTU MENUNGGU" not in mailoutbox[-1].body
