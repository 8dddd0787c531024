"""``salesim bench``: how fast the model is, how it scales, and how long until a decision.

Every figure is measured here and now; none is a test (a timing assertion would fail on a busy
machine). The steps:

- engine efficiency: the model's simpy events per second against a bare simpy loop of timeouts
  with the same number of events and processes, on the baseline scaled 1x, 2x, 4x and 8x
  (accounts with the team and marketing that work them): if it holds as the world grows, no
  step of the model grows with the world faster than the engine's own;
- seconds per replication of each bundled scenario (median over replications and variants);
- scaling: CPU seconds per replication at 1x, 2x, 4x accounts (with the team and marketing
  that work them, and alone) and at 1x, 2x horizon, with the fitted exponent of seconds
  against the factor (and against the events processed);
- parallel efficiency: one worker's time over twice two workers' time on the same replications;
- peak resident memory (the run's whole process tree) of ``salesim run`` at 1,000 and 10,000
  replications of the baseline;
- accounts at the same lead flow (1x, 4x, 16x) and the enterprise scenario
  (``bench_size.py``);
- time to decision: wall seconds from launching ``salesim run death-spiral --precision 0.02``
  to the precision reached;
- variance reduction per headline metric, and a TCP dask cluster (``bench_variance.py``);
- calibration: wall seconds of ``salesim calibrate`` on the crm-maven export, two workers,
  and of the forecast of the company it calibrated (``bench_calibration.py``).
"""

from __future__ import annotations

import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np
import psutil
import simpy

from simulator.parameters import Parameters
from simulator.runs.bench_calibration import calibration_met, calibration_time
from simulator.runs.bench_events import BENCH_SEED, bare_event_rate, model_event_rate
from simulator.runs.bench_size import accounts_at_the_same_lead_flow, enterprise
from simulator.runs.bench_variance import cluster_run, variance_reduction
from simulator.runs.experiment import run_experiment, run_replication
from simulator.runs.store import read_manifest
from simulator.scenario.resolve import Scenario, load_scenario

PARALLEL_WORKERS = 2
MEMORY_REPLICATIONS = (1_000, 10_000)
DECISION_PRECISION = 0.02
RSS_SAMPLE_SECONDS = 0.1
EFFICIENCY_SCALES = (1, 2, 4, 8)
ENTERPRISE = "enterprise"  # the bundled 500-hunter scenario: timed on its own

Say = Callable[[str], None]


def engine_efficiency(baseline: Path, rounds: int) -> dict[str, Any]:
    """Model events per second over bare-loop events per second at each scale of the world.

    Each round times every scale in turn, the bare loop just before the model, about the same
    number of events at every scale (fewer replications of the larger worlds); each rate is its
    fastest round in CPU seconds, the figure least disturbed by other work on the machine. The
    1x figures are also reported on their own (the headline ``engine_efficiency``)."""
    scenario = load_scenario(baseline)
    parameters = scenario.variants[0].parameters
    worlds = {k: load_scenario(baseline, scaled_world(parameters, k)) for k in EFFICIENCY_SCALES}
    shapes = {k: model_event_rate(world, 1)[1:] for k, world in worlds.items()}
    top = max(EFFICIENCY_SCALES)
    model_rates = dict.fromkeys(worlds, 0.0)
    bare_rates = dict.fromkeys(worlds, 0.0)
    for _ in range(rounds):
        for k, world in worlds.items():
            repeats = top // k
            bare_rates[k] = max(bare_rates[k], bare_event_rate(*shapes[k], repeats=repeats))
            model, _, _ = model_event_rate(world, repeats)
            model_rates[k] = max(model_rates[k], model)
    efficiency = {k: model_rates[k] / bare_rates[k] for k in worlds}
    first = EFFICIENCY_SCALES[0]
    return {
        "engine_efficiency": efficiency[first],
        "engine_efficiency_scaled": {str(k): e for k, e in efficiency.items()},
        f"engine_efficiency_{top}x_over_{first}x": efficiency[top] / efficiency[first],
        "model_events_per_second": model_rates[first],
        "bare_loop_events_per_second": bare_rates[first],
        "events_per_replication": shapes[first][0],
        "processes_per_replication": shapes[first][1],
        "scaled_worlds": {
            str(k): {
                "events_per_replication": shapes[k][0],
                "processes_per_replication": shapes[k][1],
                "model_events_per_second": model_rates[k],
                "bare_loop_events_per_second": bare_rates[k],
            }
            for k in worlds
        },
    }


def seconds_per_replication(scenario: Scenario, replications: int) -> float:
    """Median seconds of one replication (simulation and metrics) over every variant."""
    times = []
    for variant in scenario.variants:
        for i in range(replications):
            started = time.perf_counter()
            run_replication(variant.parameters, scenario.horizon_months, BENCH_SEED, i)
            times.append(time.perf_counter() - started)
    return statistics.median(times)


def exponent(factors: Iterable[float], values: Iterable[float]) -> float:
    """Slope of log(value) against log(factor): 1.0 means linear."""
    return float(np.polyfit(np.log(list(factors)), np.log(list(values)), 1)[0])


def scaled_world(parameters: Parameters, factor: int) -> list[str]:
    """``--set`` overrides for a go-to-market ``factor`` times larger: accounts with the hunters,
    sales engineers, farmers and marketing spend (ours and the competitors') that work them.
    Scaling accounts alone leaves a fixed team to work them, so the work, and the time, would
    barely grow: the model is capacity-bound, not slower."""
    team, brand = parameters.team, parameters.marketing.brand
    sizes = {
        "market.accounts": parameters.market.accounts,
        "team.hunters": team.hunters,
        "team.sales_engineers": team.sales_engineers,
        "team.farmers": team.farmers,
        "marketing.direct.spend_usd_per_month": parameters.marketing.direct.spend_usd_per_month,
        "marketing.brand.spend_usd_per_month": brand.spend_usd_per_month,
        "marketing.brand.competitor_spend_usd_per_month": brand.competitor_spend_usd_per_month,
    }
    return [f"{path}={value * factor}" for path, value in sizes.items()]


def scaling(baseline: Path, replications: int) -> dict[str, Any]:
    """Seconds per replication as the world grows (accounts with their team, accounts alone)
    and as the horizon grows, with fitted exponents against the factor and against events.

    The points are timed in turn, one replication each per round, so a machine that speeds up
    or slows down during the step shifts every point alike instead of bending the fit; each
    point is its fastest round in CPU seconds, the figure least disturbed by other work."""
    scenario = load_scenario(baseline)
    parameters, horizon = scenario.variants[0].parameters, scenario.horizon_months
    accounts = parameters.market.accounts
    axes = {
        "accounts": [(k, scaled_world(parameters, k)) for k in (1, 2, 4)],
        "accounts_only": [(k, [f"market.accounts={accounts * k}"]) for k in (1, 2, 4)],
        "horizon": [(k, [f"horizon_months={horizon * k}"]) for k in (1, 2)],
    }
    worlds = {
        (axis, factor): load_scenario(baseline, overrides)
        for axis, settings in axes.items()
        for factor, overrides in settings
    }
    times: dict[tuple[str, int], list[float]] = {key: [] for key in worlds}
    for i in range(replications):
        for key, world in worlds.items():
            started = time.process_time()
            run_replication(world.variants[0].parameters, world.horizon_months, BENCH_SEED, i)
            times[key].append(time.process_time() - started)
    points: dict[str, list[dict[str, float]]] = {axis: [] for axis in axes}
    for (axis, factor), world in worlds.items():
        _, events, _ = model_event_rate(world, replications=3)
        seconds = min(times[axis, factor])
        points[axis].append({"factor": factor, "seconds": seconds, "events": events})
    result: dict[str, Any] = {"scaling_points": points}
    for axis, rows in points.items():
        seconds = [r["seconds"] for r in rows]
        result[f"scaling_exponent_{axis}"] = exponent([r["factor"] for r in rows], seconds)
        result[f"scaling_exponent_{axis}_per_event"] = exponent(
            [r["events"] for r in rows], seconds
        )
    return result


def parallel_efficiency(scenario: Scenario, replications: int) -> dict[str, float]:
    walls = {}
    for workers in (1, PARALLEL_WORKERS):
        started = time.perf_counter()
        run_experiment(scenario, replications, BENCH_SEED, workers=workers)
        walls[workers] = time.perf_counter() - started
    return {
        "parallel_efficiency": walls[1] / (PARALLEL_WORKERS * walls[PARALLEL_WORKERS]),
        "parallel_wall_seconds": {str(w): s for w, s in walls.items()},
    }


def _salesim(
    args: list[str], out: Path, watch_memory: bool
) -> tuple[float, dict[str, float], Path]:
    """Run ``salesim run`` as a user would: when it started (epoch seconds), the peak memory of
    its process tree if watched (resident set, and proportional set, which counts pages shared
    by forked workers once) in MiB, and the run folder. Watching costs CPU, so a timed run is
    not watched."""
    command = [sys.executable, "-m", "simulator", "run", *args, "--out", str(out)]
    command += ["--workers", str(PARALLEL_WORKERS), "--seed", str(BENCH_SEED)]
    started = time.time()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = psutil.Process(process.pid)
    peak = np.zeros(2)
    while process.poll() is None:
        if watch_memory:
            peak = np.maximum(peak, _tree_memory(watched))
        time.sleep(RSS_SAMPLE_SECONDS)
    if process.returncode != 0:
        stderr = process.stderr.read().decode() if process.stderr else ""
        raise RuntimeError(f"{' '.join(command)} failed:\n{stderr}")
    (folder,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    rss, pss = peak / 2**20
    return started, {"rss": float(rss), "pss": float(pss)}, folder


def _tree_memory(process: psutil.Process) -> np.ndarray:
    """Summed (RSS, PSS) in bytes of a process and its descendants."""
    total = np.zeros(2)
    for member in [process, *process.children(recursive=True)]:
        try:
            info = member.memory_full_info()
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        total += (info.rss, getattr(info, "pss", info.rss))
    return total


def memory(replications: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as out:
        _, peak, _ = _salesim(["baseline", "-n", str(replications)], Path(out), True)
    return peak


def time_to_decision() -> dict[str, Any]:
    """From launching ``salesim run death-spiral --precision 0.02`` to the precision reached
    (the study's end), and to the command's exit (report written)."""
    with tempfile.TemporaryDirectory() as out:
        args = ["death-spiral", "--precision", str(DECISION_PRECISION)]
        started, _, folder = _salesim(args, Path(out), False)
        exited = time.time()
        manifest = read_manifest(folder)
    timings, precision, pairing = manifest.timings, manifest.precision, manifest.variance_reduction
    if timings is None or precision is None or pairing is None:
        raise RuntimeError(f"{folder}: the manifest lacks the timings or precision of the run")
    decided = datetime.fromisoformat(timings.study_finished_utc).timestamp()
    return {
        "time_to_decision_s": decided - started,
        "decision": {
            "command_seconds": exited - started,
            "replications": manifest.replications,
            "reached": precision.reached,
            "relative_half_width": precision.relative_half_width,
            "variance_reduction": pairing.by_variant,
            "study_seconds": timings.wall_seconds,
        },
    }


def run_bench(scenarios: list[Path], quick: bool, say: Say) -> dict[str, Any]:
    """Every step in turn; ``quick`` skips only the 10,000-replication memory step."""
    baseline_path = next(p for p in scenarios if p.stem == "baseline")
    baseline = load_scenario(baseline_path)
    repeats = 3 if quick else 7
    figures: dict[str, Any] = {
        "quick": quick,
        "machine": {
            "cpus": psutil.cpu_count(),
            "python": platform.python_version(),
            "simpy": simpy.__version__,
            "platform": platform.platform(),
        },
    }
    say("engine efficiency at 1x, 2x, 4x, 8x of the baseline (model against a bare simpy loop)")
    figures.update(engine_efficiency(baseline_path, rounds=repeats))
    say("seconds per replication of each bundled scenario (enterprise: its own step)")
    figures["seconds_per_replication"] = {
        p.stem: seconds_per_replication(load_scenario(p), repeats)
        for p in scenarios
        if p.stem != ENTERPRISE
    }
    say("scaling with accounts and horizon")
    figures.update(scaling(baseline_path, 2 * repeats))
    say("accounts at the same lead flow: 1x, 4x, 16x")
    figures.update(accounts_at_the_same_lead_flow(baseline_path, 2 * repeats))
    enterprise_path = next((p for p in scenarios if p.stem == ENTERPRISE), None)
    if enterprise_path is not None:
        say("the enterprise scenario: seconds, memory and events of one replication")
        figures.update(enterprise(enterprise_path, 1 if quick else 3))
    say("parallel efficiency, 1 against 2 workers")
    figures.update(parallel_efficiency(baseline, 40 if quick else 120))
    for replications in MEMORY_REPLICATIONS:
        if quick and replications > MEMORY_REPLICATIONS[0]:
            figures["peak_rss_mb_10k"] = figures["peak_pss_mb_10k"] = None
            continue
        say(f"peak memory of salesim run baseline -n {replications:,}")
        peak = memory(replications)
        figures[f"peak_rss_mb_{replications // 1000}k"] = peak["rss"]
        figures[f"peak_pss_mb_{replications // 1000}k"] = peak["pss"]
    say(f"time to decision: death-spiral to ±{DECISION_PRECISION:.0%}")
    figures.update(time_to_decision())
    spiral = next(p for p in scenarios if p.stem == "death-spiral")
    say("variance reduction on the death spiral's headline metrics: pairing, controls")
    figures.update(variance_reduction(spiral, 100 if quick else 400))
    say("a dask scheduler and two dask workers over TCP, against local workers")
    figures.update(cluster_run(baseline_path, 40 if quick else 120))
    say("calibration: salesim calibrate on crm-maven, then its forecast, 2 workers")
    figures.update(calibration_time())
    return figures


TARGETS: dict[str, tuple[str, Callable[[dict[str, Any]], bool | None]]] = {
    "engine_efficiency": (">= 0.30", lambda f: f["engine_efficiency"] >= 0.30),
    "engine_efficiency_8x_over_1x": (
        "1.0 ± 0.10",
        lambda f: abs(f["engine_efficiency_8x_over_1x"] - 1) <= 0.10,
    ),
    "scaling_exponent_accounts": (
        "1.0 ± 0.15",
        lambda f: abs(f["scaling_exponent_accounts"] - 1) <= 0.15,
    ),
    "scaling_exponent_horizon": (
        "1.0 ± 0.15",
        lambda f: abs(f["scaling_exponent_horizon"] - 1) <= 0.15,
    ),
    "parallel_efficiency": (">= 0.80", lambda f: f["parallel_efficiency"] >= 0.8),
    "peak_rss_mb_10k": (
        "< 1.5 x the 1k figure and < 1024",
        lambda f: (
            None
            if f["peak_rss_mb_10k"] is None
            else f["peak_rss_mb_10k"] < min(1.5 * f["peak_rss_mb_1k"], 1024)
        ),
    ),
    "time_to_decision_s": ("<= 10", lambda f: f["time_to_decision_s"] <= 10),
    "accounts_16x_cost_ratio": ("<= 1.5", lambda f: f["accounts_16x_cost_ratio"] <= 1.5),
    "enterprise": (
        "<= 3 s a replication",
        lambda f: f["enterprise"]["seconds_per_replication"] <= 3,
    ),
    "cluster": ("identical to local", lambda f: f["cluster"]["identical_to_local"]),
    "calibration_seconds": ("< 180, settled", calibration_met),
    "maven_forecast_seconds": (
        "<= 30",
        lambda f: (
            None if f["maven_forecast_seconds"] is None else f["maven_forecast_seconds"] <= 30
        ),
    ),
}


def verdicts(figures: dict[str, Any]) -> dict[str, bool | None]:
    """Each target measured, met or not (a run of one step judges that step alone)."""
    return {key: check(figures) for key, (_, check) in TARGETS.items() if key in figures}
