"""``salesim forecast``: the forecast's shape, its statistics, the split between deals open at
the start and new pipeline, its page, and that its bookings are the run's own."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.forecast import Context, Draws, build_forecast, simulate_draws
from simulator.forecast.calendar import day0, month_names
from simulator.forecast.draws import OPEN_AT_START, open_pipeline_bookings
from simulator.forecast.statistics import quantile_interval
from simulator.metrics.deals import SCHEMA
from simulator.runs.experiment import run_experiment
from simulator.units import DAYS_PER_MONTH
from tests.conftest import ROOT, bundled, column, scenario_from

runner = CliRunner()
FAST = ["-n", "40", "--workers", "1", "--seed", "3"]


def forecast_json(tmp_path: Path, *args: str) -> dict:
    result = runner.invoke(
        app,
        ["forecast", "baseline", *FAST, "--json", "-", "--out", str(tmp_path / "f.html"), *args],
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def answer(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return forecast_json(tmp_path_factory.mktemp("forecast"), "--months", "5", "--target", "900k")


def test_the_json_is_a_list_of_named_months_with_the_quantiles_and_the_chance(answer):
    assert answer["replications"] == 40 and answer["seed"] == 3
    assert answer["variant"] == "baseline" and answer["day0"] == "2024-01-01"
    assert [m["month"] for m in answer["months"]] == [f"2024-0{i}" for i in range(1, 6)]
    for month in answer["months"]:
        assert {"p10", "p50", "p90", "p50_interval", "probability_of_target"} <= set(month)
        assert {"mean_open_pipeline", "mean_new_pipeline", "cumulative_p50"} <= set(month)
    assert {"p10", "p50", "p90", "p50_interval", "mean"} <= set(answer["total"])
    assert answer["target"] == 900_000
    low, high = answer["probability_interval"]
    assert low <= answer["probability_of_target"] <= high
    assert answer["months"][-1]["probability_of_target"] == answer["probability_of_target"]


def test_p10_p50_p90_are_in_order_and_the_p50_inside_its_interval(answer):
    for row in [*answer["months"], answer["total"]]:
        assert row["p10"] <= row["p50"] <= row["p90"]
        low, high = row["p50_interval"]
        assert low <= row["p50"] <= high
    for month in answer["months"]:
        assert month["cumulative_p10"] <= month["cumulative_p50"] <= month["cumulative_p90"]
    to_date = [m["cumulative_p50"] for m in answer["months"]]
    assert to_date == sorted(to_date)
    assert to_date[-1] == answer["total"]["p50"]


def test_a_scenario_without_open_deals_at_the_start_is_all_new_pipeline(answer):
    for row in [*answer["months"], answer["total"]]:
        assert row["mean_open_pipeline"] == 0
        assert row["mean_new_pipeline"] == row["mean"]
    assert answer["total"]["mean"] > 0


def test_the_chance_of_a_target_is_one_at_zero_and_falls_as_the_target_rises():
    scenario = bundled("baseline")
    draws = simulate_draws(scenario.variants[0], 4, 40, seed=5)
    context = Context("baseline", "test", "baseline", 5)
    names = month_names(None, 4)
    totals = draws.bookings.sum(axis=1)
    targets = [0.0, *np.linspace(0, 1.2 * totals.max(), 25)[1:]]
    chances = [build_forecast(draws, names, t, context).reached.probability for t in targets]
    assert chances[0] == 1.0 and chances[-1] == 0.0
    assert all(a >= b for a, b in itertools.pairwise(chances))
    assert len(set(chances)) > 5, "the targets should cross the spread of the totals"


def test_target_zero_is_reached_in_every_replication(tmp_path):
    answer = forecast_json(tmp_path, "--months", "2", "--target", "0")
    assert answer["probability_of_target"] == 1.0


def test_the_same_seed_gives_the_same_forecast_whatever_the_workers(tmp_path):
    args = ["--months", "3", "--target", "$250k"]
    first = forecast_json(tmp_path, *args)
    again = forecast_json(tmp_path, *args, "--workers", "2")
    assert first == again
    other = forecast_json(tmp_path, *args, "--seed", "4")
    assert other["total"] != first["total"]


def test_the_page_is_written_offline_with_its_charts(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["forecast", "baseline", *FAST, "--months", "3", "--target", "1M"])
    assert result.exit_code == 0, result.output
    assert "Probability of booking $1M or more in 3 months" in result.stdout
    pages = list((tmp_path / "results").glob("forecast-baseline-baseline-*.html"))
    assert len(pages) == 1 and f"Forecast page: {pages[0].relative_to(tmp_path)}" in result.stdout
    html = pages[0].read_text(encoding="utf-8")
    assert "Plotly.newPlot" in html and "plotly.js" in html.lower()
    assert "<script src=" not in html and "<link " not in html  # plotly.js is embedded
    for chart in ("forecast-monthly", "forecast-split", "forecast-cumulative", "forecast-total"):
        assert f'id="{chart}"' in html
    assert "chance of reaching $1M by 2024-03" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--months", "0"], "--months 0: forecast 1 to 240 months"),
        (["--months", "241"], "--months 241"),
        (["--target", "-5"], "cannot be negative"),
        (["--target", "lots"], "is not a number"),
        (["--target", "50%"], "not a share"),
        (["--variant", "nope"], "no such variant"),
        (["-n", "1"], "at least 2"),
    ],
)
def test_bad_input_exits_2_with_a_message_and_writes_nothing(tmp_path, args, message):
    page = tmp_path / "f.html"
    result = runner.invoke(app, ["forecast", "baseline", *FAST, "--out", str(page), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output
    assert not page.exists()


def test_an_unwritable_json_file_exits_2_and_leaves_no_page(tmp_path):
    page, blocked = tmp_path / "f.html", tmp_path / "file"
    blocked.write_text("not a folder")
    args = ["forecast", "baseline", *FAST, "--months", "1", "--out", str(page)]
    result = runner.invoke(app, [*args, "--json", str(blocked / "f.json")])
    said = "".join(result.stderr.replace("│", "").split())  # the box may fold a long path
    assert result.exit_code == 2 and f"{blocked}isafile,notafolder" in said
    assert not page.exists()


def deals(rows: list[tuple[int, str, str | None, float | None, float | None]]) -> pa.Table:
    """A deals table of (replication, source, outcome, closed_day, acv_usd) rows."""
    n = len(rows)
    columns = {field.name: pa.nulls(n, field.type) for field in SCHEMA}
    columns.update(
        variant=pa.array(["v"] * n),
        replication=pa.array([r[0] for r in rows], pa.int32()),
        deal_id=pa.array(range(n), pa.int64()),
        account=pa.array(range(n), pa.int64()),
        segment=pa.array(["enterprise"] * n),
        source=pa.array([r[1] for r in rows]),
        created_day=pa.array([0.0] * n),
        outcome=pa.array([r[2] for r in rows], pa.string()),
        closed_day=pa.array([r[3] for r in rows], pa.float64()),
        acv_usd=pa.array([r[4] for r in rows], pa.float64()),
    )
    return pa.table(columns, schema=SCHEMA)


def test_open_pipeline_bookings_are_the_won_deals_open_at_the_start_by_month_signed():
    table = deals(
        [
            (7, OPEN_AT_START, "won", 10.0, 1_000.0),  # replication 7, month 1
            (7, OPEN_AT_START, "won", DAYS_PER_MONTH + 1, 2_000.0),  # month 2
            (7, OPEN_AT_START, "lost_competitor", 5.0, 9_999.0),  # lost: no booking
            (7, OPEN_AT_START, None, None, 9_999.0),  # still open
            (7, "inbound", "won", 10.0, 9_999.0),  # new pipeline
            (8, OPEN_AT_START, "won", 5 * DAYS_PER_MONTH, 500.0),  # past the last: counted there
        ]
    )
    values = open_pipeline_bookings(table, [7, 8], 3)
    assert values.tolist() == [[1_000.0, 2_000.0, 0.0], [0.0, 0.0, 500.0]]
    assert open_pipeline_bookings(deals([(7, "inbound", "won", 1.0, 5.0)]), [7], 2).sum() == 0


def test_months_are_named_after_the_calendar_month_of_their_middle():
    assert month_names(dt.date(2017, 10, 1), 12) == [
        *(f"2017-{m}" for m in ("10", "11", "12")),
        *(f"2018-{m:02d}" for m in range(1, 10)),
    ]
    long = month_names(dt.date(2020, 1, 1), 240)
    assert len(set(long)) == 240 and long[-1] == "2039-12"
    assert month_names(None, 3) == [1, 2, 3]


def test_the_order_statistic_interval_covers_the_median_at_least_95_percent_of_the_time():
    rng = np.random.default_rng(11)
    trials, n = 400, 50
    covered = sum(
        low <= 0.0 <= high
        for low, high in (quantile_interval(rng.standard_normal(n), 50) for _ in range(trials))
    )
    # a 95% interval: the share covered is at least 0.95 less three standard errors of a share
    assert covered / trials >= 0.95 - 3 * math.sqrt(0.95 * 0.05 / trials)


def test_the_forecast_total_is_the_runs_bookings_over_the_same_months():
    """Twelve months forecast on their own book what the run's first twelve months book
    (``bookings_12m``), replication by replication: a shorter horizon changes nothing before
    it, and the months add up to the summary metric."""
    scenario = bundled("baseline")
    draws = simulate_draws(scenario.variants[0], 12, 30, seed=9)
    run = run_experiment(scenario, 30, 9)
    booked = column(run.summary, "baseline", "bookings_12m")
    np.testing.assert_allclose(draws.bookings.sum(axis=1), booked, rtol=1e-9)
    forecast = build_forecast(draws, month_names(None, 12), None, Context("b", "t", "b", 9))
    assert forecast.total.p50 == pytest.approx(float(np.median(booked)), rel=1e-9)


def test_the_mean_splits_into_the_open_pipeline_and_the_rest():
    draws = Draws(np.array([[3.0, 5.0], [1.0, 1.0]]), np.array([[1.0, 2.0], [0.0, 1.0]]))
    forecast = build_forecast(draws, ["2017-10", "2017-11"], None, Context("s", "t", "v", 1))
    first, second = forecast.months
    assert (first.split.mean, first.split.open_pipeline, first.split.new_pipeline) == (2, 0.5, 1.5)
    assert (second.split.open_pipeline, second.split.new_pipeline) == (1.5, 1.5)
    assert forecast.total_split.open_pipeline == 2.0 and forecast.open_share == 0.4
    assert forecast.to_json()["total"]["mean_new_pipeline"] == 3.0


def test_a_scenario_started_from_a_crm_export_books_its_open_deals_as_open_pipeline():
    """Starting from the crm-maven export as of 2017-09-30, the months are October and November
    2017, the won open deals are open pipeline, and in every replication and month they are part
    of (never more than) the month's bookings: the deals table and the monthly table agree."""
    export = ROOT / "tests" / "data" / "crm-maven" / "sales_pipeline.csv"
    scenario = scenario_from(
        {
            "horizon_months": 12,
            "market": {"accounts": 5000},
            "start": {"from_crm": str(export), "as_of": "2017-09-30"},
        }
    )
    variant = scenario.variants[0]
    assert month_names(day0(variant.parameters), 2) == ["2017-10", "2017-11"]
    draws = simulate_draws(variant, 2, 6, seed=2)
    assert draws.open_pipeline.sum() > 0
    assert np.all(draws.open_pipeline <= draws.bookings * (1 + 1e-9) + 1e-6)
    forecast = build_forecast(draws, ["2017-10", "2017-11"], None, Context("m", "t", "v", 2))
    assert forecast.total_split.open_pipeline > 0
