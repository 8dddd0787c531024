"""Progress when stderr is not a terminal: a plain line at least every interval, with done/total,
elapsed time and an estimate of the time left. Time is a fake clock: nothing here depends on the
machine's speed."""

from __future__ import annotations

import time

import pytest
from typer.testing import CliRunner

import simulator.cli.app as cli
from simulator.runs.progress import DEFAULT_INTERVAL_SECONDS, LineProgress, clock_time


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def reporter(clock: FakeClock, **options) -> tuple[LineProgress, list[str]]:
    lines: list[str] = []
    return LineProgress("death-spiral", 600, lines.append, clock=clock, **options), lines


def test_the_default_interval_is_ten_seconds():
    assert DEFAULT_INTERVAL_SECONDS == 10.0
    assert cli.PROGRESS_SECONDS == DEFAULT_INTERVAL_SECONDS


def test_a_line_once_the_interval_has_passed_and_not_before(clock):
    progress, lines = reporter(clock, interval=10.0)
    clock.now += 9.9
    progress.advance(30)
    assert lines == []
    clock.now += 0.1
    progress.advance(30)
    assert lines == ["death-spiral: 60/600 replications, 0:10 elapsed, about 1:30 left"]
    clock.now += 5
    assert not progress.tick()
    clock.now += 5
    assert progress.tick()
    assert lines[-1] == "death-spiral: 60/600 replications, 0:20 elapsed, about 3:00 left"


def test_before_any_replication_finishes_the_time_left_comes_from_the_estimate(clock):
    progress, lines = reporter(clock, interval=10.0, prior_seconds=300.0)
    clock.now += 10
    progress.tick()
    assert lines == ["death-spiral: 0/600 replications, 0:10 elapsed, about 4:50 left"]


def test_without_an_estimate_no_time_left_is_made_up(clock):
    progress, lines = reporter(clock, interval=10.0)
    clock.now += 10
    progress.tick()
    assert lines == ["death-spiral: 0/600 replications, 0:10 elapsed"]


def test_a_resumed_run_measures_its_rate_on_this_session_only(clock):
    progress, lines = reporter(clock, interval=10.0, already=300)
    progress.advance(300)  # what run_study reports first: the stored replications
    clock.now += 60
    progress.advance(100)
    assert lines == ["death-spiral: 400/600 replications, 1:00 elapsed, about 2:00 left"]


def test_the_precision_so_far_is_shown(clock):
    progress, lines = reporter(clock, interval=10.0)
    progress.set_note("±3.1% after 40, target ±2%")
    clock.now += 10
    progress.tick()
    assert lines[-1].endswith("(±3.1% after 40, target ±2%)")


def test_the_closing_line(clock):
    progress, lines = reporter(clock)
    progress.advance(600)
    clock.now += 3725
    progress.finish()
    assert lines[-1] == "death-spiral: 600/600 replications in 1:02:05"


def test_clock_time():
    assert [clock_time(s) for s in (0, 42.4, 725, 3750)] == ["0:00", "0:42", "12:05", "1:02:30"]


def test_lines_keep_coming_while_no_replication_finishes():
    """A chunk of a large scenario can run for minutes: the timer writes lines meanwhile."""
    lines: list[str] = []
    with LineProgress("big", 10, lines.append, interval=0.01):
        deadline = time.monotonic() + 30
        while len(lines) < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
    assert len(lines) >= 3
    assert all(line.startswith("big: 0/10 replications, ") for line in lines)
    count = len(lines)
    time.sleep(0.05)
    assert len(lines) == count, "the timer stops with the run"


def test_a_run_without_a_terminal_prints_progress_lines(tmp_path, monkeypatch):
    monkeypatch.setattr(cli, "PROGRESS_SECONDS", 0.001)
    args = ["run", "baseline", "-n", "4", "--set", "market.accounts=200"]
    args += ["--set", "horizon_months=6", "--workers", "1", "--out", str(tmp_path)]
    result = CliRunner().invoke(cli.app, args)
    assert result.exit_code == 0, result.output
    progress = [line for line in result.stderr.splitlines() if " replications" in line]
    assert any("/4 replications, " in line and " elapsed" in line for line in progress)
    assert progress[-1].endswith(tuple(f"4/4 replications in 0:0{s}" for s in range(10)))
