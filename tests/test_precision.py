"""Precision-driven runs and the running statistics behind them.

A `--precision` run must stop at the first check where every paired difference is precise
enough, and not before: both are checked against the stored replications with the same
statistics the report uses. The running moments must match a two-pass computation whatever the
batch split.
"""

from __future__ import annotations

import json

import numpy as np
import pyarrow.compute as pc
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.runs.aggregate import compare
from simulator.runs.experiment import (
    MIN_PRECISION_REPLICATIONS,
    PRECISION_BLOCK,
    MemorySink,
    Plan,
    run_study,
)
from simulator.runs.moments import Moments
from simulator.runs.store import MANIFEST, read_summary
from tests.conftest import bundled, column

SEED = 3
TARGET = 0.08
METRIC = "bookings_24m"
OVERRIDES = ["--set", "market.accounts=500", "--set", "horizon_months=24"]
runner = CliRunner()


@pytest.fixture(scope="module")
def precise_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("precise")
    args = ["run", "death-spiral", "--precision", str(TARGET), "--seed", str(SEED)]
    args += ["--workers", "2", "--out", str(out), *OVERRIDES]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder, result.output


def relative_half_widths(summary, variants: list[str], replications: int) -> list[float]:
    """The report's paired differences (with the control variates) of the first
    ``replications``, as shares of the baseline mean."""
    first = summary.filter(pc.less(summary.column("replication"), replications))
    (comparison,) = compare(first, [METRIC], frozenset())
    scale = abs(comparison.estimates[variants[0]].mean)
    return [(d.high - d.low) / 2 / scale for d in comparison.differences.values()]


def test_stops_at_the_first_precise_check(precise_run):
    folder, output = precise_run
    manifest = json.loads((folder / MANIFEST).read_text())
    summary = read_summary(folder)
    n = manifest["replications"]
    variants = manifest["variants"]
    assert n % PRECISION_BLOCK == 0 and n >= MIN_PRECISION_REPLICATIONS
    assert summary.num_rows == n * len(variants)
    assert max(relative_half_widths(summary, variants, n)) < TARGET
    if n - PRECISION_BLOCK >= MIN_PRECISION_REPLICATIONS:
        earlier = relative_half_widths(summary, variants, n - PRECISION_BLOCK)
        assert max(earlier) >= TARGET, "it should have stopped one check earlier"
    stored = manifest["precision"]
    assert stored["reached"] is True and stored["target"] == TARGET
    assert list(stored["relative_half_width"].values()) == pytest.approx(
        relative_half_widths(summary, variants, n), rel=1e-9
    )
    assert "target ±8% reached" in output


def test_manifest_reports_the_variance_reduction_of_pairing_and_of_the_controls(precise_run):
    folder, _ = precise_run
    manifest = json.loads((folder / MANIFEST).read_text())
    summary = read_summary(folder)
    baseline = column(summary, manifest["variants"][0], METRIC)
    for name, factor in manifest["variance_reduction"]["by_variant"].items():
        values = column(summary, name, METRIC)
        expected = (values.var(ddof=1) + baseline.var(ddof=1)) / (values - baseline).var(ddof=1)
        assert factor == pytest.approx(expected, rel=1e-9)
        assert factor > 1, "common random numbers must beat independent sampling"
    (comparison,) = compare(summary, [METRIC], frozenset())
    for name, factor in manifest["variance_reduction"]["by_controls"].items():
        assert factor == pytest.approx(comparison.differences[name].variance_reduction, rel=1e-9)
        assert factor > 1, "the control variates must explain part of what pairing left"


def test_where_it_stops_does_not_depend_on_the_workers(precise_run):
    folder, _ = precise_run
    scenario = bundled("death-spiral", "market.accounts=500", "horizon_months=24")
    study = run_study(scenario, Plan.until_precise(TARGET, METRIC, 5000), SEED, MemorySink())
    assert study.replications == json.loads((folder / MANIFEST).read_text())["replications"]


def test_the_cap_is_reported_when_precision_is_not_reached(tmp_path):
    args = ["run", "death-spiral", "--precision", "0.0001", "--max-replications", "45"]
    args += ["--out", str(tmp_path), "--workers", "1", *OVERRIDES]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "NOT reached" in result.output
    (folder,) = tmp_path.iterdir()
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["replications"] == 45
    assert manifest["precision"]["reached"] is False


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--precision", "0.02", "-n", "10"], "not with --precision"),
        (["--precision", "1.5"], "allowed: 0 to 1"),
        (["--precision", "0.02", "--metric", "bookings"], "is not a summary metric"),
        (["--max-replications", "10"], "only with --precision"),
        (["--scheduler", "tcp://127.0.0.1:8786"], "only with --backend dask"),
        (["--backend", "spark"], "is not a backend"),
    ],
)
def test_bad_run_options_are_clear_errors(tmp_path, args, message):
    result = runner.invoke(app, ["run", "death-spiral", "--out", str(tmp_path), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())


@settings(max_examples=60, deadline=None, derandomize=True)
@given(
    rows=st.integers(2, 40),
    cuts=st.lists(st.integers(0, 40), max_size=5),
    nan_share=st.floats(0, 0.5),
    seed=st.integers(0, 2**32 - 1),
)
def test_running_moments_match_a_two_pass_computation(rows, cuts, nan_share, seed):
    generator = np.random.default_rng(seed)
    values = generator.normal(1e6, 3e5, size=(rows, 3))
    values[generator.random((rows, 3)) < nan_share] = np.nan
    moments = Moments(3)
    for batch in np.split(values, sorted({c for c in cuts if c < rows})):
        moments.add(batch)
    counts = np.isfinite(values).sum(axis=0)
    assert moments.n == pytest.approx(counts)
    for c in range(3):
        finite = values[np.isfinite(values[:, c]), c]
        if finite.size:
            assert moments.mean[c] == pytest.approx(finite.mean(), rel=1e-12)
        if finite.size > 1:
            assert moments.variance()[c] == pytest.approx(finite.var(ddof=1), rel=1e-9)
        else:
            assert np.isnan(moments.variance()[c])
