"""Progress of long management commands, on stderr, for the person at the terminal.

A service that takes long accepts an optional `progress` callback (`ProgressCallback`) and calls
it with a step's label, how much is done and the total (None when unknown); it never prints.
A command passes a `Progress`, which draws one updating line on a terminal and writes a few
plain lines to a log, and nothing at `--verbosity 0`. stdout stays for the results.

No Django here but the numbers, grouped in the active language (`common.i18n`): `Progress`
writes to any text stream; `Progress.for_command` adapts a command's `self.stderr`.
"""

import time
from collections.abc import Callable, Iterable, Iterator
from typing import TextIO, TypeVar

from common.i18n import format_number

# progress(label, done, total): `label` names the step for people (it changes when the next
# step starts), `done` counts what is finished, `total` is None when it is not known.
ProgressCallback = Callable[[str, int, int | None], None]

T = TypeVar("T")

TTY_INTERVAL = 0.2  # at most five redraws a second
LOG_QUIET_SECONDS = 2.0  # a step shorter than this leaves no line in a log
LOG_STEP_PERCENT = 10
LOG_INTERVAL = 30.0


def progress_iter(
    items: Iterable[T],
    progress: ProgressCallback | None,
    label: str,
    *,
    total: int | None = None,
    every: int = 1000,
) -> Iterator[T]:
    """Yield `items`, reporting every `every` items (and at the start and end) to `progress`.

    Without a callback the items are returned as they are: no cost for callers that do not
    listen. Reporting in batches keeps the cost of a 100.000-row loop unmeasurable.
    """
    if progress is None:
        yield from items
        return
    done = 0
    progress(label, 0, total)
    for item in items:
        yield item
        done += 1
        if done % every == 0:
            progress(label, done, total)
    progress(label, done, total if total is not None else done)


def format_duration(seconds: float) -> str:
    """0:07, 12:30, 1:02:03."""
    seconds = max(0, round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{seconds:02d}"
    return f"{minutes}:{seconds:02d}"


class _CommandStream:
    """A command's `OutputWrapper` without its colour (stderr is styled as an error) and
    without the line end it adds to every write."""

    def __init__(self, wrapper):
        self._wrapper = wrapper

    def write(self, text: str) -> None:
        self._wrapper.write(text, style_func=_unstyled, ending="")

    def flush(self) -> None:
        self._wrapper.flush()

    def isatty(self) -> bool:
        return self._wrapper.isatty()


def _unstyled(text: str) -> str:
    return text


class Progress:
    """Reports the steps of a long job on `stream` (stderr), as a `ProgressCallback`.

    On a terminal: one line per step, redrawn in place (`\\r`) at most every `tty_interval`
    seconds, with count, percent, rate and time left; it stays on screen with the step's
    duration once the next step starts or `finish()` is called. Elsewhere (cron, CI, a pipe):
    a step shorter than `log_quiet_seconds` writes nothing; a longer one writes a line each
    `log_step_percent` (or every `log_interval` seconds when its total is unknown, or slow)
    and one when it ends. With `verbosity` 0: nothing.

    Use it as a context manager, or call `finish()` before writing anything else to the
    terminal, so that an open line is ended first.
    """

    def __init__(
        self,
        stream: TextIO,
        *,
        verbosity: int = 1,
        clock: Callable[[], float] | None = None,
        tty: bool | None = None,
        tty_interval: float = TTY_INTERVAL,
        log_quiet_seconds: float = LOG_QUIET_SECONDS,
        log_step_percent: int = LOG_STEP_PERCENT,
        log_interval: float = LOG_INTERVAL,
    ):
        self.stream = stream
        self.enabled = verbosity > 0
        self.clock = clock or time.monotonic
        if tty is None:
            isatty = getattr(stream, "isatty", None)
            tty = bool(isatty and isatty())
        self.tty = tty
        self.tty_interval = tty_interval
        self.log_quiet_seconds = log_quiet_seconds
        self.log_step_percent = log_step_percent
        self.log_interval = log_interval
        self.label: str | None = None
        self.done = 0

    @classmethod
    def for_command(cls, command, verbosity: int = 1, **kwargs) -> "Progress":
        """The progress of a Django management command, on its stderr."""
        return cls(_CommandStream(command.stderr), verbosity=verbosity, **kwargs)

    def __enter__(self) -> "Progress":
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        self.finish(stopped=exc_type is not None)

    def __call__(self, label: str, done: int, total: int | None = None) -> None:
        if not self.enabled:
            return
        now = self.clock()
        if label != self.label or done < self.done:
            # A new step, or the same one run again (e.g. a check, then the check of a save).
            self.finish()
            self.label, self.started, self.last_shown = label, now, None
            self.shown_line = ""
            self.logged_percent = -self.log_step_percent
        self.done, self.total = done, total
        if self.tty:
            if self.last_shown is None or now - self.last_shown >= self.tty_interval:
                self._draw(self._line(now), now)
        elif self._log_due(now):
            self._write(self._line(now) + "\n", now)
            if total:
                self.logged_percent = 100 * done // total

    def finish(self, *, stopped: bool = False) -> None:
        """End the current step: its last line stays, with how long it took (`stopped`: the
        step did not complete, e.g. an error was raised)."""
        if not self.enabled or self.label is None:
            return
        now = self.clock()
        line = self._line(now, ending="berhenti setelah" if stopped else "selesai dalam")
        if self.tty:
            self._draw(line, now)
            self._write("\n", now)
        elif self.last_shown is not None or now - self.started >= self.log_quiet_seconds:
            self._write(line + "\n", now)
        self.label = None

    def _log_due(self, now: float) -> bool:
        elapsed = now - self.started
        if elapsed < self.log_quiet_seconds or (self.total and self.done >= self.total):
            # Short steps stay out of the log; a complete one is written by `finish`.
            return False
        if self.last_shown is None or now - self.last_shown >= self.log_interval:
            return True
        if not self.total:
            return False
        return 100 * self.done // self.total >= self.logged_percent + self.log_step_percent

    def _line(self, now: float, *, ending: str = "") -> str:
        elapsed = now - self.started
        done, total = self.done, self.total
        parts = []
        if total:
            parts.append(f"{format_number(done)}/{format_number(total)} ({100 * done // total}%)")
        elif done:
            parts.append(format_number(done))
        elif not ending:
            return f"{self.label}…"  # a single query or call: nothing to count until it ends
        if done and elapsed > 0:
            parts.append(f"{format_number(round(done / elapsed))}/detik")
        if ending:
            parts.append(f"{ending} {format_duration(elapsed)}")
        elif total and done and elapsed > 0:
            parts.append(f"sisa {format_duration((total - done) * elapsed / done)}")
        else:
            parts.append(format_duration(elapsed))
        return f"{self.label}: " + ", ".join(parts)

    def _draw(self, line: str, now: float) -> None:
        # Spaces over what is left of a longer previous line; no terminal codes needed.
        padding = " " * max(0, len(self.shown_line) - len(line))
        self._write(f"\r{line}{padding}", now)
        self.shown_line = line

    def _write(self, text: str, now: float) -> None:
        self.stream.write(text)
        self.stream.flush()
        self.last_shown = now
