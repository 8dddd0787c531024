"""The benchmark's measuring tools (not its timings: speed is reported, never asserted)."""

from __future__ import annotations

import simpy
from typer.testing import CliRunner

from simulator import bench
from simulator.cli import app
from tests.conftest import bundled


def test_the_bare_loop_runs_the_events_and_processes_it_is_given(monkeypatch):
    seen = {}
    run = simpy.Environment.run

    def counting_run(env, *args, **kwargs):
        result = run(env, *args, **kwargs)
        seen["events"] = bench._events_counter(env)
        return result

    monkeypatch.setattr(simpy.Environment, "run", counting_run)
    assert bench.bare_event_rate(events=5_003, processes=100) > 0
    assert seen["events"] == 5_003


def test_the_model_rate_counts_its_events_and_processes():
    rate, events, processes = bench.model_event_rate(
        bundled("baseline", "market.accounts=300", "horizon_months=6"), replications=2
    )
    assert rate > 0
    assert events > processes > 1


def test_exponent_of_a_power_law():
    assert abs(bench.exponent([1, 2, 4], [3.0, 6.0, 12.0]) - 1.0) < 1e-12
    assert abs(bench.exponent([1, 2], [1.0, 4.0]) - 2.0) < 1e-12


def test_targets_are_judged_and_a_skipped_step_is_not():
    figures = {
        "engine_efficiency": 0.3,
        "scaling_exponent_accounts": 1.1,
        "scaling_exponent_horizon": 0.7,
        "parallel_efficiency": 0.9,
        "peak_rss_mb_1k": 200.0,
        "peak_rss_mb_10k": None,
        "time_to_decision_s": 45.0,
    }
    assert bench.verdicts(figures) == {
        "engine_efficiency": True,
        "scaling_exponent_accounts": True,
        "scaling_exponent_horizon": False,
        "parallel_efficiency": True,
        "peak_rss_mb_10k": None,
        "time_to_decision_s": True,
    }


def test_bench_is_a_command():
    result = CliRunner().invoke(app, ["bench", "--help"])
    assert result.exit_code == 0
    assert "--quick" in result.output and "--json" in result.output
