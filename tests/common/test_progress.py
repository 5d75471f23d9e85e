"""The progress reporter of long commands: a line redrawn on a terminal, a few lines in a log."""

import io

import pytest

from common.progress import Progress, format_duration, progress_iter
from tests.conftest import Terminal


class Clock:
    """A clock the test moves by hand."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


def test_a_terminal_gets_one_line_redrawn_with_count_percent_rate_and_time_left(clock):
    stream = Terminal()
    progress = Progress(stream, clock=clock)

    progress("Membaca berkas", 0, 20_000)
    clock.now = 2.0
    progress("Membaca berkas", 5_000, 20_000)
    clock.now = 8.0
    progress("Membaca berkas", 20_000, 20_000)
    progress.finish()

    assert stream.getvalue() == (
        "\rMembaca berkas: 0/20.000 (0%), 0:00"
        "\rMembaca berkas: 5.000/20.000 (25%), 2.500/detik, sisa 0:06"
        "\rMembaca berkas: 20.000/20.000 (100%), 2.500/detik, sisa 0:00"
        "\rMembaca berkas: 20.000/20.000 (100%), 2.500/detik, selesai dalam 0:08\n"
    )


def test_the_next_step_ends_the_line_and_a_shorter_line_covers_the_longer_one(clock):
    stream = Terminal()
    progress = Progress(stream, clock=clock)

    progress("Menyimpan", 0, 100)
    clock.now = 75.0
    progress("Menyimpan", 99, 100)
    progress("Menghitung rekap", 0, None)
    clock.now = 3675.0
    progress.finish()

    assert stream.getvalue() == (
        "\rMenyimpan: 0/100 (0%), 0:00"
        "\rMenyimpan: 99/100 (99%), 1/detik, sisa 0:01"
        "\rMenyimpan: 99/100 (99%), 1/detik, selesai dalam 1:15\n"
        "\rMenghitung rekap…"
        "\rMenghitung rekap: selesai dalam 1:00:00\n"
    )


def test_a_terminal_is_redrawn_at_most_five_times_a_second(clock):
    stream = Terminal()
    progress = Progress(stream, clock=clock)

    # A report every 1/8 s for two seconds: only those 0.2 s after the last redraw show.
    for tick in range(17):
        clock.now = tick / 8
        progress("Memeriksa aturan", tick, 16)

    redrawn = [line.split(" ")[2] for line in stream.getvalue().split("\r")[1:]]
    assert redrawn == ["0/16", "2/16", "4/16", "6/16", "8/16", "10/16", "12/16", "14/16", "16/16"]


def test_a_log_gets_nothing_from_a_short_step(clock):
    stream = io.StringIO()
    progress = Progress(stream, clock=clock)

    for done in range(0, 101, 10):
        clock.now = done / 100
        progress("Membaca berkas", done, 100)
    progress.finish()

    assert stream.getvalue() == ""


def test_a_log_gets_a_line_every_ten_percent_of_a_long_step_and_one_at_its_end(clock):
    stream = io.StringIO()
    progress = Progress(stream, clock=clock)

    # One percent a second: quiet for 2 s, then every 10 %.
    for done in range(101):
        clock.now = float(done)
        progress("Menyimpan", done, 100)
    progress.finish()

    assert stream.getvalue().splitlines() == [
        "Menyimpan: 2/100 (2%), 1/detik, sisa 1:38",
        "Menyimpan: 12/100 (12%), 1/detik, sisa 1:28",
        "Menyimpan: 22/100 (22%), 1/detik, sisa 1:18",
        "Menyimpan: 32/100 (32%), 1/detik, sisa 1:08",
        "Menyimpan: 42/100 (42%), 1/detik, sisa 0:58",
        "Menyimpan: 52/100 (52%), 1/detik, sisa 0:48",
        "Menyimpan: 62/100 (62%), 1/detik, sisa 0:38",
        "Menyimpan: 72/100 (72%), 1/detik, sisa 0:28",
        "Menyimpan: 82/100 (82%), 1/detik, sisa 0:18",
        "Menyimpan: 92/100 (92%), 1/detik, sisa 0:08",
        "Menyimpan: 100/100 (100%), 1/detik, selesai dalam 1:40",
    ]


def test_a_log_hears_of_a_step_without_total_every_thirty_seconds(clock):
    stream = io.StringIO()
    progress = Progress(stream, clock=clock)

    for second in range(0, 100, 5):
        clock.now = float(second)
        progress("Menghapus data bench", second * 10, None)
    clock.now = 100.0
    progress.finish()

    assert stream.getvalue().splitlines() == [
        "Menghapus data bench: 50, 10/detik, 0:05",
        "Menghapus data bench: 350, 10/detik, 0:35",
        "Menghapus data bench: 650, 10/detik, 1:05",
        "Menghapus data bench: 950, 10/detik, 1:35",
        "Menghapus data bench: 950, 10/detik, selesai dalam 1:40",
    ]


@pytest.mark.parametrize("stream", [Terminal(), io.StringIO()], ids=["terminal", "log"])
def test_verbosity_0_writes_nothing(clock, stream):
    progress = Progress(stream, verbosity=0, clock=clock)

    for done in range(101):
        clock.now = float(done)
        progress("Menyimpan", done, 100)
    progress.finish()

    assert stream.getvalue() == ""


def test_a_step_cut_short_by_an_error_says_it_stopped(clock):
    stream = Terminal()

    with pytest.raises(ValueError), Progress(stream, clock=clock) as progress:
        progress("Memeriksa aturan", 0, 10)
        clock.now = 3.0
        raise ValueError

    assert stream.getvalue() == (
        "\rMemeriksa aturan: 0/10 (0%), 0:00\rMemeriksa aturan: 0/10 (0%), berhenti setelah 0:03\n"
    )


def test_the_same_step_run_again_starts_a_new_line(clock):
    stream = Terminal()
    progress = Progress(stream, clock=clock)

    progress("Memeriksa aturan", 3, 3)
    progress("Memeriksa aturan", 0, 3)
    progress.finish()

    assert stream.getvalue().count("\n") == 2


def test_progress_iter_reports_at_the_start_every_n_items_and_at_the_end():
    heard = []

    items = list(progress_iter(range(5), lambda *report: heard.append(report), "Baris", every=2))

    assert items == [0, 1, 2, 3, 4]
    assert heard == [("Baris", 0, None), ("Baris", 2, None), ("Baris", 4, None), ("Baris", 5, 5)]
    assert list(progress_iter("abc", None, "Baris")) == ["a", "b", "c"]


def test_durations_read_as_a_clock():
    assert [format_duration(s) for s in (0, 7.4, 750, 3723)] == ["0:00", "0:07", "12:30", "1:02:03"]
