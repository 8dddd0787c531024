"""Before a run starts: its time and memory are estimated; what cannot fit is refused (exit 2,
nothing created), what will take long is warned about, a bad --out is a message, and a leftover
unfinished run of the same scenario is pointed out with the command that continues it."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
from typer.testing import CliRunner

import simulator.cli.app as cli
from simulator.runs.cost_model import MEMORY, Workload
from simulator.runs.estimate import estimate_run, guard_run, size
from simulator.runs.experiment import Plan
from simulator.runs.store import RunFolder
from tests.conftest import bundled

runner = CliRunner()
TINY = ["--set", "market.accounts=200", "--set", "horizon_months=6"]
HUGE_MARKET = ["--set", "market.accounts=1000000"]  # the largest market a scenario may have
GB = 1e9


def run(*args: str):
    return runner.invoke(cli.app, ["run", *args])


@pytest.fixture
def memory(monkeypatch):
    """Set the memory the machine has available now."""

    def set_available(n_bytes: float) -> None:
        monkeypatch.setattr(cli, "available_memory", lambda: n_bytes)

    set_available(64 * GB)
    return set_available


def stop(*args, **kwargs):
    """In place of ``run_study``: stop at once, as on Ctrl-C, leaving the unfinished folder."""
    raise KeyboardInterrupt


@pytest.fixture
def interrupted(monkeypatch):
    monkeypatch.setattr(cli, "run_study", stop)


# --- the estimate --------------------------------------------------------------------------------


def test_the_model_matches_the_measured_baseline():
    """Measured: 0.048-0.056 s per bare baseline replication; a worker's peak 158 MB."""
    (variant,) = bundled("baseline").variants
    load = Workload.of(variant.parameters, 36)
    assert 0.03 < load.seconds() < 0.08
    assert 150e6 < load.peak_bytes() < 170e6


def test_memory_grows_with_the_market_and_time_with_everything():
    small, large = bundled("baseline"), bundled("baseline", "market.accounts=1000000")
    assert estimate_run(large, 200, 2).bytes_per_worker > 1.3 * GB
    assert estimate_run(small, 200, 2).bytes_per_worker < 0.2 * GB
    longer = bundled("baseline", "horizon_months=72")
    staffed = bundled("baseline", "team.hunters=60")
    base = estimate_run(small, 200, 2).seconds
    assert all(estimate_run(s, 200, 2).seconds > base for s in (large, longer, staffed))
    assert estimate_run(small, 400, 2).seconds > base > estimate_run(small, 200, 4).seconds


def test_the_estimate_names_what_drives_it():
    estimate = estimate_run(bundled("baseline", "market.accounts=1000000"), 200, 2)
    assert str(estimate.memory_driver) == "market.accounts = 1,000,000 (default 2,000)"
    assert str(estimate.time_driver) == "market.accounts = 1,000,000 (default 2,000)"
    plain = estimate_run(bundled("baseline"), 200, 2)
    assert plain.time_driver is None and plain.memory_driver is None
    assert plain.describe().startswith("about ")
    assert " on 2 workers (200 replications at ~" in plain.describe()


def test_sizes_read_as_people_say_them():
    assert [size(b) for b in (153e6, 1.6e9, 26e9, 1.3e17)] == [
        "153 MB",
        "1.6 GB",
        "26 GB",
        "130,000 TB",
    ]


def test_a_precision_run_is_warned_about_only_for_what_it_surely_runs():
    scenario = bundled("death-spiral", "market.accounts=100000")
    sure = guard_run(scenario, 15000, 2, workers_given=True, available_bytes=None)
    assert sure.warning is not None
    early = guard_run(
        scenario, 15000, 2, workers_given=True, available_bytes=None, least_replications=120
    )
    assert early.warning is None
    assert early.notes[0].startswith("Estimate: up to about ")


# --- refusals, warnings and notes at the command line ---------------------------------------


def test_a_market_too_large_for_memory_is_refused_and_nothing_is_created(tmp_results, memory):
    memory(1 * GB)
    result = run("baseline", "-n", "2", *HUGE_MARKET, "--out", str(tmp_results))
    assert result.exit_code == 2, result.output
    assert "This run cannot fit in memory: one worker needs ~1.6 GB" in result.stderr
    assert "market.accounts = 1,000,000 (default 2,000)" in result.stderr
    assert "1 GB of memory is available now" in result.stderr
    assert "Lower market.accounts to about 440,000 or less." in result.stderr
    assert "Traceback" not in result.output
    assert not tmp_results.exists()


def test_too_many_workers_for_memory_are_refused_with_the_count_that_fits(tmp_results, memory):
    memory(5 * GB)
    result = run("baseline", "-n", "2", *HUGE_MARKET, "--workers", "4", "--out", str(tmp_results))
    assert result.exit_code == 2, result.output
    assert "--workers 4 need ~6.4 GB (~1.6 GB each)" in result.stderr
    assert "Run with --workers 2 or fewer." in result.stderr
    assert not tmp_results.exists()


def test_without_workers_given_a_run_uses_as_many_as_fit(tmp_results, memory, monkeypatch):
    monkeypatch.setattr(cli, "default_workers", lambda: 4)
    memory(MEMORY.worker_base * 1.5 / 0.8)  # room for one idle worker and a half
    result = run("baseline", "-n", "2", *TINY, "--out", str(tmp_results))
    assert result.exit_code == 0, result.output
    assert "Using 1 of 4 workers, so that memory fits" in result.stderr
    assert "on 1 worker (2 replications" in result.stderr


def test_a_normal_run_shows_its_estimate_and_no_warning(tmp_results, memory):
    result = run("baseline", "-n", "2", *TINY, "--workers", "1", "--out", str(tmp_results))
    assert result.exit_code == 0, result.output
    assert "Estimate: about " in result.stderr
    assert "on 1 worker (2 replications at ~" in result.stderr
    assert "Warning" not in result.stderr


def test_a_long_run_is_warned_about_before_it_starts(tmp_results, memory, interrupted):
    result = run("baseline", "-n", "100000", "--workers", "2", "--out", str(tmp_results))
    assert result.exit_code == 130
    warning = next(line for line in result.stderr.splitlines() if line.startswith("Warning:"))
    assert warning.startswith("Warning: this run will take about ")
    assert "replications per variant (-n) = 100,000 (default 200) sets it" in warning
    assert result.stderr.index("Warning:") < result.stderr.index("Run folder:")


# --- --out ---------------------------------------------------------------------------------------


def test_out_pointing_at_a_file_is_a_message_not_a_traceback(tmp_path):
    existing = tmp_path / "results.txt"
    existing.write_text("not a folder")
    for out, words in (
        (existing, f"--out {existing}: not a folder;"),
        (existing / "runs", f"--out {existing / 'runs'}: not a folder ({existing} is a file)"),
    ):
        result = run("baseline", "-n", "2", *TINY, "--out", str(out))
        assert result.exit_code == 2, result.output
        assert words in result.stderr
        assert "Traceback" not in result.output
    assert existing.read_text() == "not a folder"


def test_an_out_folder_that_cannot_be_created_is_a_message(tmp_results, monkeypatch):
    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(RunFolder, "create", refuse)
    result = run("baseline", "-n", "2", *TINY, "--out", str(tmp_results))
    assert result.exit_code == 2
    assert f"--out {tmp_results}: cannot create the run folder there (Permission denied)" in (
        result.stderr
    )


# --- leftovers ---------------------------------------------------------------------------------


def unfinished(out: Path) -> list[Path]:
    return sorted(out.glob(".*.partial"))


def test_a_leftover_unfinished_run_is_pointed_out_with_its_resume_command(tmp_results, monkeypatch):
    args = ["baseline", "-n", "2", *TINY, "--workers", "1", "--out", str(tmp_results)]
    with monkeypatch.context() as patch:
        patch.setattr(cli, "run_study", stop)
        assert run(*args).exit_code == 130
    (leftover,) = unfinished(tmp_results)
    final = leftover.with_name(leftover.name[1 : -len(".partial")])

    fresh = run(*args)
    assert fresh.exit_code == 0, fresh.output
    warning = next(line for line in fresh.stderr.splitlines() if line.startswith("Warning:"))
    assert f"{final} holds an unfinished run of" in warning
    assert "this run starts afresh" in warning
    command = warning.split("To continue that one instead: ")[1]
    words = shlex.split(command)
    assert words[:2] == ["salesim", "run"] and words[-2:] == ["--resume", str(final)]
    assert "market.accounts=200" in words and "horizon_months=6" in words

    resumed = runner.invoke(cli.app, words[1:])  # the exact command works
    assert resumed.exit_code == 0, resumed.output
    assert not unfinished(tmp_results)
    assert final.is_dir()


def test_unfinished_runs_of_other_scenarios_are_not_mentioned(tmp_results, monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(cli, "run_study", stop)
        other = ["qualification", "-n", "2", *TINY, "--workers", "1", "--out", str(tmp_results)]
        assert run(*other).exit_code == 130
    result = run("baseline", "-n", "2", *TINY, "--workers", "1", "--out", str(tmp_results))
    assert result.exit_code == 0, result.output
    assert "holds an unfinished run" not in result.stderr


def test_chunks_of_a_slow_scenario_stay_short():
    """Progress moves, and Ctrl-C stops, a chunk at a time: a chunk of ~13 s replications
    holds two of them, not twelve."""
    assert Plan.fixed(200, 2).block == 12
    assert Plan.fixed(200, 2, seconds_per_replication=0.05).block == 12
    assert Plan.fixed(200, 2, seconds_per_replication=13.0).block == 2
    assert Plan.fixed(200, 2, seconds_per_replication=600.0).block == 1
