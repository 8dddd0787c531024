"""The benchmark's measuring tools (not its timings: speed is reported, never asserted)."""

from __future__ import annotations

from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.runs import bench, bench_events
from tests.conftest import SCENARIOS, bundled


def test_the_bare_loop_runs_the_events_and_processes_it_is_given(monkeypatch):
    seen = []
    run = bench_events.CountingEnvironment.run

    def counting_run(env, *args, **kwargs):
        result = run(env, *args, **kwargs)
        seen.append((env.processes_started, env.events_scheduled()))
        return result

    monkeypatch.setattr(bench_events.CountingEnvironment, "run", counting_run)
    assert bench_events.bare_event_rate(events=5_003, processes=100, repeats=2) > 0
    assert seen == [(100, 5_003), (100, 5_003)]


def test_the_counting_environment_counts_processes_and_events():
    env = bench_events.CountingEnvironment()

    def two_timeouts():
        yield env.timeout(1)
        yield env.timeout(1)

    env.process(two_timeouts())
    env.process(two_timeouts())
    env.run()
    assert env.processes_started == 2
    assert env.events_scheduled() == 2 * 4  # start, two timeouts and the end of each


def test_the_model_rate_counts_its_events_and_processes():
    rate, events, processes = bench_events.model_event_rate(
        bundled("baseline", "market.accounts=300", "horizon_months=6"), replications=2
    )
    assert rate > 0
    assert events > processes > 1


def test_engine_efficiency_is_reported_at_every_scale(monkeypatch):
    monkeypatch.setattr(bench, "EFFICIENCY_SCALES", (1, 2))
    figures = bench.engine_efficiency(SCENARIOS / "baseline.yaml", rounds=1)
    assert set(figures["engine_efficiency_scaled"]) == {"1", "2"}
    assert figures["engine_efficiency"] == figures["engine_efficiency_scaled"]["1"] > 0
    assert figures["engine_efficiency_2x_over_1x"] > 0
    assert (
        figures["scaled_worlds"]["2"]["events_per_replication"] > figures["events_per_replication"]
    )


def test_exponent_of_a_power_law():
    assert abs(bench.exponent([1, 2, 4], [3.0, 6.0, 12.0]) - 1.0) < 1e-12
    assert abs(bench.exponent([1, 2], [1.0, 4.0]) - 2.0) < 1e-12


def test_targets_are_judged_and_a_skipped_step_is_not():
    figures = {
        "engine_efficiency": 0.3,
        "engine_efficiency_8x_over_1x": 0.85,
        "scaling_exponent_accounts": 1.1,
        "scaling_exponent_horizon": 0.7,
        "parallel_efficiency": 0.9,
        "peak_rss_mb_1k": 200.0,
        "peak_rss_mb_10k": None,
        "time_to_decision_s": 9.5,
    }
    assert bench.verdicts(figures) == {
        "engine_efficiency": True,
        "engine_efficiency_8x_over_1x": False,
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
