"""``salesim backtest``: a company simulated for 18 months and written as a Salesforce export is
backtested as of three months before its end. What the command reports as realised and as the
naive forecast is recounted here straight from the CSV (not through the importer); the
coverage, errors and totals from its own table; dates it cannot backtest exit 2 and write
nothing. The month rules of the comparison (calendar months, a month the export stops inside
left out) are checked on hand-made deals."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.backtest.baselines import (
    SURVIVAL,
    WEIGHTED,
    baselines,
    incidence,
    survival_forecast,
    weighted_pipeline,
)
from simulator.backtest.compare import P50, compare
from simulator.backtest.realised import naive
from simulator.calibrate.simulate import day0_for, simulated_export
from simulator.cli.app import app
from simulator.crm.salesforce import write_salesforce
from simulator.crm.table import Deals
from simulator.forecast import Context, Draws, build_forecast
from simulator.parameters import Parameters
from simulator.scenario.resolve import load_scenario
from tests.conftest import SCENARIOS

END = dt.date(2025, 6, 30)
AS_OF = "2025-03-31"
HISTORY_MONTHS = 18
TRUTH_SEED = 781  # its export shows a deal on END; a quiet last day would end the export early
TINY = ["-n", "2", "--max-tries", "20", "--forecast-replications", "20", "--workers", "1"]
MONTHS = ["2025-04", "2025-05", "2025-06"]
TRAILING = ["2025-01", "2025-02", "2025-03"]
runner = CliRunner()


def _company_export(path: Path) -> Path:
    """A small company (three hunters, no turnover) simulated for 18 months to ``END``."""
    tree = load_scenario(SCENARIOS / "baseline.yaml").variants[0].parameters.model_dump()
    team = tree["team"]
    team.update(hunters=3, hunter_capacity_opportunities=150, sales_engineers=20)
    team["turnover"] = {"base_exits_per_year": 0.0, "shortfall_exits_per_year": 0.0}
    tree["market"]["accounts"] = 6000
    tree["start"]["date"] = day0_for(END, HISTORY_MONTHS)
    parameters = Parameters.model_validate(tree)
    deals = simulated_export(parameters, HISTORY_MONTHS, TRUTH_SEED, 0, END)
    return write_salesforce(deals, path)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as file:
        return list(csv.DictReader(file))


def _day(us: str) -> dt.date:
    month, day, year = (int(part) for part in us.split("/"))
    return dt.date(year, month, day)


def _won_by_month(path: Path, created_by: dt.date = dt.date.max) -> dict[str, float]:
    """Won ACV by month of close, counted from the CSV's own columns (of the deals created by
    ``created_by``)."""
    won: dict[str, float] = defaultdict(float)
    for row in _rows(path):
        if row["Won"] == "1" and _day(row["Created Date"]) <= created_by:
            won[f"{_day(row['Close Date']):%Y-%m}"] += float(row["Amount"] or 0)
    return won


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    folder = tmp_path_factory.mktemp("backtest")
    export = _company_export(folder / "opportunities.csv")
    # the export's last date, as the loader reads it: any deal's creation, a closed deal's close
    last = max(max(_day(r["Created Date"]), _day(r["Close Date"]) if r["Closed"] == "1"
                   else dt.date.min) for r in _rows(export))  # fmt: skip
    assert last == END  # June is complete: the comparison below covers all three months
    out = folder / "out"
    result = runner.invoke(
        app, ["backtest", str(export), "--as-of", AS_OF, *TINY, "--out", str(out), "--json", "-"]
    )
    assert result.exit_code == 0, result.output
    return export, out, json.loads(result.stdout)


def test_the_json_has_the_months_the_errors_the_coverage_and_the_total(run):
    _, out, data = run
    assert data["as_of"] == AS_OF and data["export_last_date"] == str(END)
    assert [m["month"] for m in data["months"]] == MONTHS and data["not_compared"] == []
    for row in [*data["months"], data["total"]]:
        assert row["p10"] <= row["p50"] <= row["p90"]
        assert {"realised_usd", "inside_p10_p90", "naive_usd"} <= set(row)
        assert {"realised_open_pipeline_usd", "mean_open_pipeline", "mean_new_pipeline"} <= set(row)
    assert set(data["mean_absolute_error"]) == {"p50_usd", "naive_usd", "closer"}
    assert data["coverage"]["months"] == 3 and data["forecast"]["replications"] == 20
    assert data["calibration"]["export_as_of"] == AS_OF
    names = {"scenario": "opportunities.yaml", "fit_report": "fit.html"}
    names.update(forecast_page="forecast.html", backtest_page="backtest.html")
    assert data["files"] == {label: str(out / name) for label, name in names.items()}
    for path in data["files"].values():
        assert Path(path).stat().st_size > 0


def test_the_fit_saw_only_the_deals_created_by_the_as_of_date(run):
    export, out, data = run
    created = [_day(r["Created Date"]) for r in _rows(export)]
    assert data["calibration"]["deals"] == sum(d <= dt.date(2025, 3, 31) for d in created)
    assert sum(d > dt.date(2025, 3, 31) for d in created) > 0  # there were later ones to hide
    scenario = (out / "opportunities.yaml").read_text()
    assert f"as_of: {AS_OF}" in scenario and "from_crm: ../opportunities.csv" in scenario


def test_realised_is_every_deal_won_in_the_month_counted_from_the_csv(run):
    export, _, data = run
    won = _won_by_month(export)
    early = _won_by_month(export, dt.date(2025, 3, 31))
    for row in data["months"]:
        assert row["realised_usd"] == pytest.approx(won[row["month"]], abs=0.01)
        assert row["realised_open_pipeline_usd"] == pytest.approx(early[row["month"]], abs=0.01)
        assert 0 < early[row["month"]] <= won[row["month"]]
    assert sum(early[m] for m in MONTHS) < sum(won[m] for m in MONTHS)  # new deals won too
    assert data["total"]["realised_usd"] == pytest.approx(sum(won[m] for m in MONTHS), abs=0.01)


def test_the_naive_forecast_is_the_mean_of_the_three_months_up_to_the_as_of_date(run):
    export, _, data = run
    won = _won_by_month(export)
    mean = sum(won[m] for m in TRAILING) / 3
    assert [m["month"] for m in data["naive"]["months"]] == TRAILING
    assert data["naive"]["monthly_usd"] == pytest.approx(mean, abs=0.01)
    assert all(row["naive_usd"] == pytest.approx(mean, abs=0.01) for row in data["months"])
    assert data["total"]["naive_usd"] == pytest.approx(3 * mean, abs=0.01)


def test_coverage_errors_and_verdicts_agree_with_the_table(run):
    _, _, data = run
    rows = data["months"]
    for row in rows:
        assert row["inside_p10_p90"] == (row["p10"] <= row["realised_usd"] <= row["p90"])
        assert row["p50_error_usd"] == pytest.approx(abs(row["p50"] - row["realised_usd"]))
        assert row["naive_error_usd"] == pytest.approx(abs(row["naive_usd"] - row["realised_usd"]))
        closer = "P50" if row["p50_error_usd"] < row["naive_error_usd"] else "naive"
        assert row["closer"] == closer
    assert data["coverage"]["inside_p10_p90"] == sum(r["inside_p10_p90"] for r in rows)
    assert data["p50_closer_months"] == sum(r["closer"] == "P50" for r in rows)
    mae = data["mean_absolute_error"]
    assert mae["p50_usd"] == pytest.approx(np.mean([r["p50_error_usd"] for r in rows]))
    assert mae["naive_usd"] == pytest.approx(np.mean([r["naive_error_usd"] for r in rows]))
    assert mae["closer"] == ("P50" if mae["p50_usd"] < mae["naive_usd"] else "naive")
    total = data["total"]
    assert total["inside_p10_p90"] == (total["p10"] <= total["realised_usd"] <= total["p90"])


def test_the_page_draws_the_fan_the_realised_months_and_the_naive_line(run):
    _, out, _ = run
    page = (out / "backtest.html").read_text()
    assert "what the team booked" in page and "naive: mean of the last 3 months" in page
    assert 'href="fit.html"' in page and 'href="forecast.html"' in page
    assert "<script src=" not in page  # plotly.js embedded: opens offline


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--as-of", "2025-07-31"], "nothing after it to compare with"),
        (["--as-of", "2023-12-31"], "before the export's first date"),
        (["--as-of", "2024-02-29"], "the naive forecast is the mean of the 3 calendar months"),
        (["--as-of", "2025-03-15"], "give the last day of a month, e.g. 2025-02-28 or 2025-03-31"),
        (["--as-of", "2025-03-31", "--months", "0"], "--months 0: a backtest compares 1 to"),
        (["--as-of", "2025-3-32"], "not a date"),
    ],
)
def test_dates_it_cannot_backtest_exit_2_and_write_nothing(run, tmp_path, args, message):
    export, _, _ = run
    out = tmp_path / "out"
    result = runner.invoke(app, ["backtest", str(export), *args, *TINY, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not out.exists()


def test_an_export_that_stops_inside_the_next_month_exits_2(run, tmp_path):
    export, _, _ = run
    rows = [r for r in _rows(export) if _day(r["Created Date"]) <= dt.date(2025, 4, 20)]
    for row in rows:
        if row["Closed"] == "1" and _day(row["Close Date"]) > dt.date(2025, 4, 20):
            row.update({"Closed": "0", "Won": "0", "Stage": "Prospecting"})
    short = tmp_path / "short.csv"
    with short.open("w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    result = runner.invoke(app, ["backtest", str(short), "--as-of", AS_OF, *TINY])
    assert result.exit_code == 2, result.output
    assert "no month after it is complete" in result.output and "give 2025-02-28" in result.output


def _deals(rows: list[tuple[str, str | None, str, float]], as_of: str) -> Deals:
    """Hand-made deals: (created, closed, outcome, ACV)."""
    text = lambda values: np.array(values, dtype=object)  # noqa: E731
    n = len(rows)
    return Deals(
        deal_id=text([f"D{i}" for i in range(n)]),
        account=text([None] * n),
        owner=text(["Rep"] * n),
        source=text([None] * n),
        stage=text([r[2] for r in rows]),
        outcome=text([r[2] for r in rows]),
        created=np.array([r[0] for r in rows], dtype="datetime64[D]"),
        closed=np.array([r[1] or "NaT" for r in rows], dtype="datetime64[D]"),
        acv_usd=np.array([r[3] for r in rows]),
        as_of=np.datetime64(as_of, "D"),
    )


def test_months_are_calendar_months_and_one_the_export_stops_inside_is_left_out():
    deals = _deals(
        [
            ("2025-01-05", "2025-01-31", "won", 100.0),
            ("2025-02-01", "2025-03-01", "won", 200.0),
            ("2025-03-02", "2025-03-31", "won", 300.0),
            ("2025-03-10", "2025-04-01", "won", 1_000.0),  # open on the as-of date
            ("2025-03-10", "2025-04-30", "lost", 5_000.0),
            ("2025-04-02", "2025-04-30", "won", 2_000.0),  # created after it
            ("2025-04-03", "2025-05-01", "won", 4_000.0),
            ("2025-05-01", "2025-06-14", "won", 8_000.0),  # in the month the export stops in
            ("2025-05-02", None, "open", 9_000.0),
        ],
        "2025-06-14",
    )
    bookings = np.array([[1_000.0, 3_000.0, 9_000.0], [5_000.0, 7_000.0, 1_000.0]])
    draws = Draws(bookings, np.zeros_like(bookings))
    forecast = build_forecast(draws, MONTHS, None, Context("t", "t", "t", 0))
    seen = deals.as_seen_on(np.datetime64(AS_OF))
    trailing = naive(seen, seen.as_of)
    guesses = baselines(seen, trailing.monthly_usd, 3)
    result = compare(forecast, deals, trailing, seen.as_of, guesses)
    assert [m.name for m in result.months] == ["2025-04", "2025-05"]
    assert [m.realised.acv_usd for m in result.months] == [3_000.0, 4_000.0]
    assert [m.realised.open_pipeline_usd for m in result.months] == [1_000.0, 0.0]
    assert result.not_compared == ("2025-06",)
    assert result.naive.monthly_usd == pytest.approx(200.0)
    assert result.total.p50 == pytest.approx(8_000.0)  # bookings to the end of May, P50
    assert result.realised_total == 7_000.0 and result.naive_total == pytest.approx(400.0)


def test_the_crm_weighted_pipeline_by_hand():
    """Two open deals worth $1,000 (its amount) and the mean won ACV ($3,000), at the win rate of
    deals closed by then (2 won of 4: 50%), placed by the won deals' cycles beyond each one's
    age: the 20-day-old one as the 40- and 70-day wins (20 and 50 days left: April and May),
    the 80-day-old one as none (overdue: a CRM expects it in April)."""
    deals = _deals(
        [
            ("2025-01-01", "2025-02-10", "won", 2_000.0),  # 40 days
            ("2025-01-01", "2025-03-12", "won", 4_000.0),  # 70 days
            ("2025-01-01", "2025-01-03", "lost", np.nan),
            ("2025-01-01", "2025-01-05", "lost", np.nan),
            ("2025-03-11", None, "open", 1_000.0),  # 20 days old on 2025-03-31
            ("2025-01-10", None, "open", np.nan),  # 80 days old
        ],
        AS_OF,
    )
    april, may, june = weighted_pipeline(deals, 3)
    assert april == pytest.approx(0.5 * (1_000 / 2 + 3_000))
    assert may == pytest.approx(0.5 * 1_000 / 2) and june == 0.0


def test_the_stage_age_survival_forecast_by_hand():
    """Aalen-Johansen on 5 deals (a loss at 5 days, wins at 10 and 40, open ones censored at
    20 and 111): still open 4/5 after 5 days, 3/5 after 10; won by 10 days 4/5 x 1/4, by 40
    that plus 3/5 x 1/2 (2 at risk then). The 20-day-old deal ($800) wins in April (20 to 50
    days) with (0.5 - 0.2) / 0.6; the 111-day-old one never. New deals: one in the trailing
    three months (90 days), so 1/90 a day, worth the mean won $2,000, each won by the month's
    end as often as a deal is within that many days of its creation."""
    deals = _deals(
        [
            ("2024-10-01", "2024-10-06", "lost", np.nan),
            ("2024-10-01", "2024-10-11", "won", 1_000.0),
            ("2024-10-01", "2024-11-10", "won", 3_000.0),
            ("2024-12-10", None, "open", 500.0),
            ("2025-03-11", None, "open", 800.0),
        ],
        AS_OF,
    )
    curve = incidence(deals)
    assert curve.won_by(np.array([4.0, 10.0, 40.0])).tolist() == pytest.approx([0.0, 0.2, 0.5])
    assert curve.open_at(np.array([20.0, 111.0])).tolist() == pytest.approx([0.6, 0.3])
    april, may = survival_forecast(deals, 2)
    new_a_day = 2_000 / 90
    # April (days 1-30): a deal created on day d is won by day 30 with CIF(30 - d): 0.2 for
    # the 20 days it is 10 or more days old
    assert april == pytest.approx(800 * 0.3 / 0.6 + new_a_day * 20 * 0.2)
    # May (days 31-61), by hand: created in April, 0.3 for 20 days, 0.5 for one, 0.2 for 9;
    # created in May, 0.2 for the 21 days at least 10 days before its end
    assert may == pytest.approx(new_a_day * (20 * 0.3 + 0.5 + 9 * 0.2 + 21 * 0.2))


def test_the_errors_of_the_p50_and_every_baseline():
    deals = _deals(
        [
            ("2025-01-05", "2025-01-31", "won", 100.0),
            ("2025-02-01", "2025-03-01", "won", 200.0),
            ("2025-03-02", "2025-03-31", "won", 300.0),
            ("2025-03-10", "2025-04-01", "won", 1_000.0),
            ("2025-04-02", "2025-04-30", "won", 2_000.0),
            ("2025-05-01", "2025-05-31", "won", 4_000.0),
        ],
        "2025-05-31",
    )
    bookings = np.array([[1_000.0, 3_000.0], [5_000.0, 7_000.0]])
    forecast = build_forecast(
        Draws(bookings, np.zeros_like(bookings)), ["2025-04", "2025-05"], None,
        Context("t", "t", "t", 0),
    )  # fmt: skip
    seen = deals.as_seen_on(np.datetime64(AS_OF))
    guesses = {"naive": [200.0, 200.0], WEIGHTED: [0.0, 0.0], SURVIVAL: [3_000.0, 4_000.0]}
    errors = compare(forecast, deals, naive(seen, seen.as_of), seen.as_of, guesses).errors()
    # realised 3,000 and 4,000; P50 3,000 and 5,000
    assert errors[P50]["mae_usd"] == pytest.approx(500.0)
    assert errors[P50]["bias_usd"] == pytest.approx(500.0)
    # the total is the P50 of each future's total, 4,000 and 12,000: 8,000
    assert errors[P50]["total_error_share"] == pytest.approx((8_000 - 7_000) / 7_000)
    assert errors[SURVIVAL] == pytest.approx(
        {"mae_usd": 0.0, "bias_usd": 0.0, "total_error_share": 0.0}
    )
    assert errors["naive"]["bias_usd"] == pytest.approx(200.0 - 3_500.0)


def test_several_origins_make_a_rolling_backtest(run, tmp_path):
    """Two as-of dates: a backtest each in a folder of its own, pooled on one page: coverage,
    every forecast's error (model and baselines, pooled over the months), the verdicts."""
    export, _, _ = run
    out = tmp_path / "rolling"
    result = runner.invoke(
        app,
        ["backtest", str(export), "--as-of", "2025-03-31,2025-02-28", "--months", "2", *TINY,
         "--out", str(out), "--json", "-"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [o["as_of"] for o in data["origins"]] == ["2025-02-28", "2025-03-31"]
    pooled = data["pooled"]
    assert pooled["months"] == 4 and 0 <= pooled["coverage_share"] <= 1
    for name in (P50, "naive", WEIGHTED, SURVIVAL):
        assert {"mae_usd", "bias_usd", "mean_absolute_total_error_share"} <= set(pooled[name])
    months = [m for origin in data["origins"] for m in origin["months"]]
    errors = [abs(m["p50"] - m["realised_usd"]) for m in months]
    assert pooled[P50]["mae_usd"] == pytest.approx(np.mean(errors))
    assert len(data["verdicts"]) == 3
    for day in ("2025-02-28", "2025-03-31"):
        assert (out / day / "backtest.html").is_file() and (out / day / "fit.html").is_file()
    page = (out / "rolling.html").read_text()
    assert "rolling-chart" in page and "stage-age survival" in page
    bad = runner.invoke(app, ["backtest", str(export), "--as-of", "2025-03-31,2025-03-15"])
    assert bad.exit_code == 2 and "give the last day of a month" in bad.output
