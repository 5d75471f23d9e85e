"""The shared count rules, straight through the service (the form and the upload use it too)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from districts.models import Campaign, EligiblePopulation
from recording.models import DailyCount, DailyCountRevision
from recording.services.counts import (
    CountRow,
    CountsRejected,
    daily_counts_check,
    daily_counts_save,
)
from recording.services.repairs import repair_fix_on_site, repair_replace, repair_report_fault

DAY = dt.date(2012, 4, 16)
TODAY = dt.date(2012, 4, 20)


def _row(device, count, *, date=DAY, line=1, seen_version=None, note=""):
    return CountRow(
        line=line, device=device, date=date, count=count, note=note, seen_version=seen_version
    )


def _save(rows, user=None, **kwargs):
    return daily_counts_save(rows=rows, user=user, today=TODAY, **kwargs)


def test_new_count_is_created_with_who_entered_it(make_device, operator_oku_timur):
    device = make_device()
    check = _save([_row(device, 80)], user=operator_oku_timur)
    assert (check.created, check.updated) == (1, 0)
    saved = DailyCount.objects.get(device=device, date=DAY)
    assert (saved.count, saved.version, saved.entered_by, saved.created_by) == (
        80,
        1,
        operator_oku_timur,
        operator_oku_timur,
    )
    assert not saved.needs_follow_up


def test_changing_a_count_keeps_the_old_value(make_device, operator_oku_timur, admin_user):
    device = make_device()
    _save([_row(device, 80)], user=operator_oku_timur)
    check = _save([_row(device, 95, note="listrik padam")], user=admin_user)
    assert (check.created, check.updated) == (0, 1)
    saved = DailyCount.objects.get(device=device, date=DAY)
    assert (saved.count, saved.version, saved.entered_by) == (95, 2, admin_user)
    revision = DailyCountRevision.objects.get(daily_count=saved)
    assert (revision.old_count, revision.new_count, revision.new_note) == (80, 95, "listrik padam")
    assert revision.changed_by == admin_user


def test_saving_the_same_value_changes_nothing(make_device):
    device = make_device()
    _save([_row(device, 80)])
    check = _save([_row(device, 80)])
    assert check.unchanged == 1
    assert DailyCount.objects.get(device=device).version == 1
    assert not DailyCountRevision.objects.exists()


@pytest.mark.parametrize(
    ("kwargs", "column", "words"),
    [
        ({"count": 301}, "count", ["301", "300", "3× kapasitas"]),
        ({"date": dt.date(2012, 4, 21)}, "date", ["21 Apr 2012", "belum terjadi"]),
        ({"date": dt.date(2011, 8, 31)}, "date", ["beroperasi sejak 1 Sep 2011"]),
    ],
)
def test_hard_rules_refuse_the_whole_batch(make_device, kwargs, column, words):
    good, bad = make_device(), make_device(serial="SALAH-1")
    rows = [_row(good, 50, line=1), _row(bad, kwargs.pop("count", 50), line=2, **kwargs)]
    with pytest.raises(CountsRejected) as refused:
        _save(rows)
    [problem] = refused.value.check.errors
    assert (problem.line, problem.column) == (2, column)
    assert "SALAH-1" in problem.message
    for word in words:
        assert word in problem.message
    assert not DailyCount.objects.exists()


def test_count_before_the_campaign_start_is_refused(make_device):
    Campaign.objects.create(
        regency_id="16.08", name="e-KTP", starts_on=dt.date(2011, 10, 1), deadline=TODAY
    )
    device = make_device()
    with pytest.raises(CountsRejected) as refused:
        _save([_row(device, 10, date=dt.date(2011, 9, 15))])
    assert "baru dimulai 1 Okt 2011" in str(refused.value)


def test_duplicate_device_day_in_one_batch_names_both_lines(make_device):
    device = make_device()
    with pytest.raises(CountsRejected) as refused:
        _save([_row(device, 10, line=4), _row(device, 12, line=9)])
    [problem] = refused.value.check.errors
    assert problem.line == 9 and "baris 4" in problem.message


def test_over_capacity_needs_confirmation_and_is_marked(make_device):
    device = make_device(daily_capacity=100)
    with pytest.raises(CountsRejected) as refused:
        _save([_row(device, 150)])
    assert refused.value.needs_confirmation
    assert "kapasitas" in refused.value.check.warnings[0].message
    assert not DailyCount.objects.exists()
    _save([_row(device, 150)], confirm=True)
    saved = DailyCount.objects.get()
    assert saved.needs_follow_up and "kapasitas" in saved.follow_up_reasons


def test_a_confirmation_covers_only_the_warnings_it_was_given_for(make_device):
    first, second = make_device(daily_capacity=100), make_device(daily_capacity=100)
    with pytest.raises(CountsRejected) as refused:
        _save([_row(first, 150, line=1), _row(second, 20, line=2)])
    shown = refused.value.check.warnings_digest
    # The second count was raised after the box was ticked: a new warning, not confirmed.
    with pytest.raises(CountsRejected) as refused:
        _save(
            [_row(first, 150, line=1), _row(second, 180, line=2)],
            confirm=True,
            confirmed_warnings=shown,
        )
    assert refused.value.needs_confirmation
    assert [w.line for w in refused.value.check.warnings] == [1, 2]
    assert refused.value.check.warnings_digest != shown
    assert not DailyCount.objects.exists()

    _save(
        [_row(first, 150, line=1), _row(second, 20, line=2)], confirm=True, confirmed_warnings=shown
    )
    assert DailyCount.objects.count() == 2


def test_count_on_a_day_the_device_was_down_needs_confirmation(make_device):
    device = make_device()
    repair_report_fault(device=device, reported_on=dt.date(2012, 4, 2), symptom="mati", user=None)
    repair_fix_on_site(device=device, fixed_on=dt.date(2012, 4, 10), user=None)
    check = daily_counts_check(
        rows=[
            _row(device, 20, date=dt.date(2012, 4, 1), line=1),
            _row(device, 20, date=dt.date(2012, 4, 5), line=2),
            _row(device, 0, date=dt.date(2012, 4, 6), line=3),
            _row(device, 20, date=dt.date(2012, 4, 10), line=4),
        ],
        today=TODAY,
    )
    assert [w.line for w in check.warnings] == [2]
    assert "rusak" in check.warnings[0].message


def test_total_above_eligible_population_needs_confirmation(make_device):
    EligiblePopulation.objects.create(
        sub_district_id="16.08.01", as_of=dt.date(2011, 9, 1), eligible=150
    )
    device = make_device("16.08.01")
    _save([_row(device, 100, date=dt.date(2012, 4, 15))])
    check = daily_counts_check(rows=[_row(device, 60)], today=TODAY)
    assert len(check.warnings) == 1
    assert "160" in check.warnings[0].message and "150" in check.warnings[0].message


def test_a_stale_form_never_overwrites_a_newer_value(make_device, operator_oku_timur, admin_user):
    device = make_device()
    _save([_row(device, 80)], user=operator_oku_timur)  # version 1, seen by both
    _save([_row(device, 90, seen_version=1)], user=admin_user)  # version 2
    with pytest.raises(CountsRejected) as refused:
        _save([_row(device, 85, seen_version=1)], user=operator_oku_timur)
    [conflict] = refused.value.check.conflicts
    assert (conflict.count, conflict.existing.count, conflict.existing.entered_by) == (
        85,
        90,
        admin_user.username,
    )
    assert DailyCount.objects.get().count == 90


def test_a_form_opened_before_the_first_value_is_a_conflict_too(make_device):
    device = make_device()
    _save([_row(device, 80, seen_version=0)])
    with pytest.raises(CountsRejected) as refused:
        _save([_row(device, 70, seen_version=0)])
    assert refused.value.check.conflicts
    assert DailyCount.objects.get().count == 80


def test_query_count_does_not_grow_with_the_batch(make_device, django_assert_max_num_queries):
    devices = [make_device(f"16.08.{n % 20 + 1:02d}") for n in range(60)]
    for device in devices[:30]:
        _save([_row(device, 10)])
    rows = [_row(device, 20, line=n) for n, device in enumerate(devices)]
    with django_assert_max_num_queries(20):
        check = _save(rows)
    assert (check.created, check.updated) == (30, 30)


def _race(device, values, *, seen_version) -> int:
    """Two users save at the same instant, each from a form that showed `seen_version`.

    Exactly one must win and the other must get a conflict; returns the winning value.
    """
    barrier = threading.Barrier(len(values))
    outcomes = {}

    def save(value):
        try:
            barrier.wait()
            _save([_row(device, value, seen_version=seen_version)])
            outcomes[value] = "saved"
        except CountsRejected as refused:
            outcomes[value] = "conflict" if refused.check.conflicts else "refused"
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(v,)) for v in values]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes.values()) == ["conflict", "saved"]
    return next(v for v, outcome in outcomes.items() if outcome == "saved")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks and real threads")
def test_two_concurrent_edits_never_lose_one_silently(transactional_db, make_device):
    device = make_device()
    _save([_row(device, 80)])  # version 1; both operators opened the form now
    winner = _race(device, (91, 92), seen_version=1)
    saved = DailyCount.objects.get(device=device)
    assert (saved.count, saved.version) == (winner, 2)
    assert DailyCountRevision.objects.filter(daily_count=saved).count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs real concurrent inserts")
def test_two_concurrent_first_entries_never_lose_one_silently(transactional_db, make_device):
    device = make_device()
    winner = _race(device, (61, 62), seen_version=0)
    assert DailyCount.objects.get(device=device).count == winner


def test_negative_count_and_overlong_note_are_errors_not_crashes(make_device):
    device, other = make_device(serial="NEG-1"), make_device(serial="NOTE-1")
    with pytest.raises(CountsRejected) as refused:
        _save([_row(device, -5, line=1), _row(other, 5, line=2, note="x" * 201)])
    messages = [(p.line, p.column) for p in refused.value.check.errors]
    assert messages == [(1, "count"), (2, "note")]
    assert "NEG-1" in str(refused.value) and "200" in str(refused.value)
    assert not DailyCount.objects.exists()


def test_count_on_a_retired_device_is_refused(make_device):
    device = make_device(serial="OLD-1")
    # Retired the only way the app retires a device: replaced after a fault.
    repair_report_fault(device=device, reported_on=dt.date(2012, 4, 10), symptom="mati", user=None)
    repair_replace(device=device, replaced_on=dt.date(2012, 4, 10), new_serial="NEW-1", user=None)
    _save([_row(device, 10, date=dt.date(2012, 4, 9))])
    with pytest.raises(CountsRejected) as refused:
        _save([_row(device, 10, date=dt.date(2012, 4, 10))])
    assert "OLD-1 sudah dipensiunkan" in str(refused.value)
