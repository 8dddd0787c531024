"""Progress of a study: a live bar on a terminal, else plain lines (CI, ``| tee``, cron).

A live progress bar needs a terminal; written to a log it is either nothing or a flood of
control codes. So a run writes one line at least every ``interval`` seconds instead:
``death-spiral: 120/600 replications, 0:42 elapsed, about 2:48 left``. A timer thread writes
it, because a chunk of a large scenario can take minutes, and a line that waits for a chunk to
finish would leave the log silent all that time.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

DEFAULT_INTERVAL_SECONDS = 10.0


class LineProgress:
    """Counts finished replications and writes a progress line every ``interval`` seconds.

    ``prior_seconds`` is the whole run's estimate made before it started: it gives the time
    left until replications finishing in this session give a measured rate. ``already`` are
    replications finished by an earlier session (a resumed run), which the rate leaves out.
    ``clock`` and ``write`` can be replaced (tests)."""

    def __init__(
        self,
        label: str,
        total: int,
        write: Callable[[str], None],
        *,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        prior_seconds: float | None = None,
        already: int = 0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.label, self.total, self.write = label, total, write
        self.interval, self.prior_seconds, self.already = interval, prior_seconds, already
        self.clock = clock
        self.done = 0
        self.note = ""  # e.g. the precision so far
        self.started = clock()
        self.last_line = self.started
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # --- what the run reports -----------------------------------------------------------------

    def advance(self, replications: int) -> None:
        with self._lock:
            self.done += replications
        self.tick()

    def set_note(self, note: str) -> None:
        with self._lock:
            self.note = note

    # --- lines ----------------------------------------------------------------------------------

    def tick(self) -> bool:
        """Write a line if ``interval`` has passed since the last one; whether one was written."""
        if self.clock() - self.last_line < self.interval:
            return False
        self.emit()
        return True

    def emit(self) -> None:
        with self._lock:
            now = self.clock()
            self.last_line = now
            line = self.line(now)
        self.write(line)

    def line(self, now: float) -> str:
        elapsed = now - self.started
        text = f"{self.label}: {self.done:,}/{self.total:,} replications"
        text += f", {clock_time(elapsed)} elapsed"
        left = self.seconds_left(elapsed)
        if left is not None:
            text += f", about {clock_time(left)} left"
        return text + (f" ({self.note})" if self.note else "")

    def seconds_left(self, elapsed: float) -> float | None:
        """From this session's rate once replications have finished in it, else from the estimate
        made before the start; None when neither exists."""
        measured = self.done - self.already
        remaining = max(0, self.total - self.done)
        if measured > 0 and elapsed > 0:
            return remaining * elapsed / measured
        if self.prior_seconds is not None:
            return max(0.0, self.prior_seconds - elapsed)
        return None

    def finish(self) -> None:
        """The closing line: how many were done, in how long."""
        elapsed = self.clock() - self.started
        self.write(
            f"{self.label}: {self.done:,}/{self.total:,} replications in {clock_time(elapsed)}"
        )

    # --- the timer ------------------------------------------------------------------------------

    def __enter__(self) -> LineProgress:
        self._thread = threading.Thread(target=self._run, name="salesim-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def _run(self) -> None:
        """Wake when the next line is due (lines written by ``advance`` move that on)."""
        while True:
            with self._lock:
                due = self.last_line + self.interval - self.clock()
            if due > 0:
                if self._stop.wait(due):
                    return
                continue
            self.emit()


def clock_time(seconds: float) -> str:
    """``0:42``, ``12:05``, ``1:02:30``: elapsed and remaining times, as a clock shows them."""
    whole = max(0, round(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class StudyProgress:
    """What a study reports as it runs (replications done, the precision at each check), shown
    as a bar when ``console`` is a terminal, else as a ``LineProgress`` through ``write``."""

    def __init__(
        self,
        label: str,
        total: int,
        precision: float | None,
        console: Console,
        write: Callable[[str], None],
        *,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        prior_seconds: float | None = None,
        already: int = 0,
    ) -> None:
        self.target = 100 * (precision or 0.0)
        self.bar: Progress | None = None
        self.lines: LineProgress | None = None
        if console.is_terminal:
            self.label = f"{escape(label)}: replications"
            columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn())
            self.bar = Progress(*columns, TimeRemainingColumn(), console=console, transient=True)
            self.task = self.bar.add_task(self.label, total=total)
        else:
            self.lines = LineProgress(
                label, total, write, interval=interval, prior_seconds=prior_seconds,
                already=already,
            )  # fmt: skip

    def advance(self, done: int) -> None:
        if self.bar is not None:
            self.bar.advance(self.task, done)
        elif self.lines is not None:
            self.lines.advance(done)

    def checked(self, replications: int, worst: float) -> None:
        """A precision check: the worst relative half-width after ``replications``."""
        precision = f"±{100 * worst:.1f}% after {replications}, target ±{self.target:g}%"
        if self.bar is not None:
            self.bar.update(self.task, description=f"{self.label} ({precision})")
        elif self.lines is not None:
            self.lines.set_note(precision)

    def stop(self) -> None:
        """Take the bar off the terminal (on Ctrl-C, before saying how to resume)."""
        if self.bar is not None:
            self.bar.stop()

    def finish(self) -> None:
        """After the study: the closing line, when progress is written as lines."""
        if self.lines is not None:
            self.lines.finish()

    def __enter__(self) -> StudyProgress:
        display: Any = self.bar if self.bar is not None else self.lines
        display.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        display: Any = self.bar if self.bar is not None else self.lines
        display.__exit__(*exc)
