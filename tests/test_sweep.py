"""`salesim sweep`: one input across values on common random numbers. The model's directions
hold along a sweep (more hunters, more meetings), every value sees the same market, the values
are read as written, and bad input exits 2 with the path and what is allowed."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.decide.engine import metric_values
from simulator.decide.job import Job
from simulator.decide.settings import decision_input, label, with_settings
from simulator.decide.studies import run_sweep
from simulator.decide.values import parse_amount, sweep_values
from tests.conftest import bundled

runner = CliRunner()
TINY = ["market.accounts=300", "horizon_months=6"]
TINY_SET = [item for pair in (("--set", s) for s in TINY) for item in pair]


@pytest.fixture(scope="module")
def tiny():
    return bundled("baseline", *TINY)


def test_more_hunters_more_meetings_along_a_sweep(tiny):
    """Each step up in hunters adds first-quarter meetings: every paired difference from the
    first value has its 95% interval above 0, and the means rise step by step."""
    variant = tiny.variants[0]
    values = [2.0, 4.0, 8.0]
    swept = decision_input(tiny, [variant], "team.hunters", values, "--vary")
    _, points = run_sweep(Job(tiny, seed=5, replications=12), variant, swept, values,
                          ["meetings_q1"])  # fmt: skip
    means = [p.mean for p in points]
    assert means == sorted(means) and len(set(means)) == 3, means
    for point in points[1:]:
        assert point.difference.low > 0, point


def test_every_value_sees_the_same_market(tiny):
    """Common random numbers: a swept input the market never sees (a hunter's cost) leaves every
    replication's bookings exactly as they were, and moves only the cost."""
    variant = tiny.variants[0]
    job = Job(tiny, seed=2, replications=4)
    engine = job.engine("sweep")
    path = "team.hunter_cost_usd_per_year"
    arms = [
        (label({path: v}), with_settings(variant.parameters, tiny.horizon_months, {path: v}))
        for v in (200_000.0, 400_000.0)
    ]
    summary = engine.run(arms)
    for metric in ("arr_end", "won", "meetings_q1"):
        low, high = (metric_values(summary, name, metric) for name, _ in arms)
        assert np.array_equal(low, high), metric
    cost = [metric_values(summary, name, "total_cost") for name, _ in arms]
    assert np.all(cost[1] > cost[0])


def test_values_are_read_as_written():
    assert sweep_values("4:12", integer=True) == [float(v) for v in range(4, 13)]
    assert sweep_values("4:12:4", integer=True) == [4.0, 8.0, 12.0]
    assert sweep_values("0:1", integer=False) == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert sweep_values("10k,20k,$40k", integer=False) == [1e4, 2e4, 4e4]
    assert parse_amount("15M") == 15e6 and parse_amount("80%") == 0.8
    with pytest.raises(ValueError, match="not a whole number"):
        sweep_values("1,2.5", integer=True)
    with pytest.raises(ValueError, match="at least two different values"):
        sweep_values("3,3", integer=True)
    with pytest.raises(ValueError, match="from low to high"):
        sweep_values("5:2", integer=True)


def test_sweep_command_writes_results_a_page_and_json(tmp_path):
    out = tmp_path / "results"
    args = ["sweep", "baseline", "--vary", "team.hunters=2,4", "--metrics", "meetings_q1,arr_end"]
    args += ["-n", "3", "--workers", "1", "--out", str(out), *TINY_SET]
    result = runner.invoke(app, [*args, "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["input"] == "team.hunters" and data["values"] == [2.0, 4.0]
    rows = {(r["metric"], r["value"]) for r in data["table"]}
    assert rows == {(m, v) for m in ("meetings_q1", "arr_end") for v in (2.0, 4.0)}
    (run_dir,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    for name in ("manifest.json", "summary.parquet", "monthly.parquet", "sweep.parquet",
                 "decision.json", "report.html"):  # fmt: skip
        assert (run_dir / name).is_file(), name
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert manifest["variants"] == ["team.hunters=2", "team.hunters=4"]
    assert manifest["scenario"]["variants"][0]["name"] == "baseline"
    assert pq.read_table(run_dir / "summary.parquet").num_rows == 6
    html = (run_dir / "report.html").read_text()
    assert 'id="sweep-meetings_q1"' in html and "<script src=" not in html
    shown = runner.invoke(app, args)
    assert shown.exit_code == 0 and "Prospect meetings in Q1" in shown.stdout


@pytest.mark.parametrize(
    "vary, words",
    [
        ("team.hunterz=2,4", ["team.hunterz", "unknown field 'hunterz'", "hunters"]),
        ("team.hunters=0:4", ["team.hunters", "0", "a whole number from 1 to 10,000"]),
        ("strategy.qualification_discipline=0.5,1.5", ["1.5", "a number from 0 to 1"]),
        ("strategy.pitch=1,2", ["strategy.pitch", "not a number"]),
        ("product.features[7].fit_gain=0.1,0.2", ["features[7]", "the list has 2 items"]),
    ],
)
def test_bad_input_exits_2_with_the_path_and_what_is_allowed(vary, words, tmp_path):
    result = runner.invoke(app, ["sweep", "baseline", "--vary", vary, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr, (word, result.stderr)
    assert not list(tmp_path.iterdir())  # nothing created


def test_an_unknown_metric_exits_2_listing_the_allowed():
    result = runner.invoke(app, ["sweep", "baseline", "--vary", "team.hunters=2,4",
                                 "--metrics", "bookingz"])  # fmt: skip
    assert result.exit_code == 2
    assert "'bookingz' is not a summary metric" in result.stderr and "arr_end" in result.stderr


def test_the_dask_backend_gives_the_same_sweep(tmp_path):
    """A replication is a pure function of (setting, seed, index): on a Dask cluster the sweep's
    table is the same, number for number."""
    pytest.importorskip("distributed")
    args = ["sweep", "baseline", "--vary", "team.hunters=2,3", "--metrics", "meetings_q1"]
    args += ["-n", "3", *TINY_SET, "--out", str(tmp_path), "--json", "-"]
    tables = []
    for backend in ("local", "dask"):
        result = runner.invoke(app, [*args, "--backend", backend, "--workers", "1"])
        assert result.exit_code == 0, result.output
        tables.append(json.loads(result.stdout)["table"])
    assert tables[0] == tables[1]
