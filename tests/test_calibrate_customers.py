"""``salesim calibrate --customers`` (issue 21, part 2): the post-sale side fitted to a
subscription export by simulated method of moments, with intervals; the scenario starts from
its customers; the fit page shows the time to churn, export against simulated.

Recovery: a company simulated with known post-sale inputs, its customers written as a
subscription export (accounts, subscriptions, churn events) and read back like any export, is
calibrated: each estimate lies within 3.29 standard errors of its truth (a 99.9% band, so a
correct interval misses it once in a thousand), and the fit settles.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from simulator.calibrate.calibration import Settings, calibrate_customers
from simulator.calibrate.simulate import simulated_customers
from simulator.cli.app import app
from simulator.crm.subscriptions import Customers, load_subscriptions
from simulator.parameters import Parameters
from simulator.scenario.resolve import load_scenario
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS

RAVENSTACK = Path(__file__).resolve().parent / "data" / "saas-ravenstack"


def logit(p: float) -> float:
    return math.log(p / (1 - p))


Z_999 = 3.29
runner = CliRunner()


@pytest.fixture(scope="module")
def raven(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, str]:
    folder = tmp_path_factory.mktemp("raven")
    out = folder / "raven.yaml"
    result = runner.invoke(
        app,
        ["calibrate", "--customers", str(RAVENSTACK), "--out", str(out), "-n", "6",
         "--workers", "2", "--json", "-"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout), result.output


def test_ravenstack_is_fitted_with_intervals_and_starts_from_its_customers(
    raven: tuple[Path, dict, str],
) -> None:
    out, data, _ = raven
    assert data["accounts"] == 500 and data["window"] == ["2024-07-01", "2024-12-31"]
    fitted = {f["path"]: f for f in data["fitted"]}
    assert set(fitted) == {
        "post_sale.churn_probability_at_full_health",
        "post_sale.expansion_share",
        "post_sale.expectation_gap_probability.hunter_farmer",
        "post_sale.neglect_decay_per_month",
    }
    for row in fitted.values():
        assert row["fitted"] and row["low"] < row["value"] < row["high"], row
    document = yaml.safe_load(out.read_text())
    assert document["start"]["customers"].endswith("saas-ravenstack")
    assert document["fit"]["settled"] is data["settled"]
    parameters = load_scenario(out).variants[0].parameters
    assert parameters.team.farmers >= math.ceil(404 / parameters.team.farmer_accounts_capacity)
    for path, row in fitted.items():
        node = parameters
        for name in path.split("."):
            node = getattr(node, name)
        assert node == pytest.approx(row["value"], rel=1e-5)


def test_the_fit_page_shows_how_long_customers_stay(raven: tuple[Path, dict, str]) -> None:
    _, data, _ = raven
    html = Path(data["report"]).read_text()
    for words in ("How long customers stay", "retention-chart", "logo churn a year",
                  "churns for support"):  # fmt: skip
        assert words in html
    playwright = pytest.importorskip("playwright.sync_api", reason="installed by the test extra")
    assert Path(CHROMIUM).exists(), ".ci/run installs Debian's chromium"
    errors: list[str] = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        view = browser.new_page(viewport={"width": 1280, "height": 900})
        view.on("pageerror", lambda e: errors.append(str(e)))
        view.goto(Path(data["report"]).resolve().as_uri())
        view.wait_for_function("document.querySelector('#retention-chart')._fullLayout")
        curves = view.eval_on_selector(
            "#retention-chart",
            "el => el.calcdata.map((cd, i) => ({name: el.data[i].name, points: cd.length}))",
        )
        browser.close()
    assert not errors
    export = next(c for c in curves if c["name"] == "your export")
    assert export["points"] > 100  # a Kaplan-Meier step for each day of the window


def test_the_market_is_counted_to_hold_the_customers(tmp_path: Path) -> None:
    """A base market too small for today's customers is widened by rule, so the fit runs and
    the scenario it writes loads."""
    out = tmp_path / "small.yaml"
    result = runner.invoke(
        app,
        ["calibrate", "--customers", str(RAVENSTACK), "--set", "market.accounts=100",
         "--out", str(out), "-n", "2", "--max-tries", "5", "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "market.accounts = 1,616 accounts" in result.output
    assert load_scenario(out).variants[0].parameters.market.accounts == 1616


def test_a_subscription_export_before_the_opportunity_exports_day_is_refused(
    tmp_path: Path,
) -> None:
    result = runner.invoke(
        app,
        ["calibrate", "--customers", str(RAVENSTACK), "--as-of", "2020-01-31",
         "--out", str(tmp_path / "x.yaml")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--customers" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "x.yaml").exists()


def write_subscription_export(customers: Customers, folder: Path) -> Path:
    """A simulated company's customers as a subscription export: accounts with their churn
    flag, a subscription per stretch of constant ARR, a churn event per churn with its reason."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "accounts.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["account_id", "signup_date", "churn_flag"])
        for i, name in enumerate(customers.account_id.tolist()):
            churned = not np.isnat(customers.churned_on[i])
            writer.writerow([name, str(customers.first_paid[i]), str(churned)])
    with (folder / "subscriptions.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["subscription_id", "account_id", "start_date", "end_date", "arr_amount"])
        for i, name in enumerate(customers.account_id.tolist()):
            mine = customers.change_account == i
            days, steps = customers.change_day[mine], customers.change_arr_usd[mine]
            arr = np.cumsum(steps)
            ends = [*days[1:].tolist(), None]
            for k, (day, level, end) in enumerate(zip(days.tolist(), arr, ends, strict=True)):
                if level > 0.005:
                    writer.writerow([f"S-{i}-{k}", name, str(day), "" if end is None else str(end),
                                     f"{level:.2f}"])  # fmt: skip
    with (folder / "churn_events.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["churn_event_id", "account_id", "churn_date", "reason_code"])
        for i, name in enumerate(customers.account_id.tolist()):
            if not np.isnat(customers.churned_on[i]):
                writer.writerow([f"C-{i}", name, str(customers.churned_on[i]),
                                 customers.churn_reason[i]])  # fmt: skip
    return folder


TRUTH = {
    "churn_probability_at_zero_health": 0.9,  # 3 x the base's 0.3 and 0.02: on the knob's line
    "churn_probability_at_full_health": 0.06,
    "expansion_share": 0.4,
    "expectation_gap_probability": {"hunter_only": 0.45, "hunter_farmer": 0.3},
    "neglect_decay_per_month": 0.3,
}


def test_known_post_sale_inputs_are_recovered(tmp_path: Path) -> None:
    base = load_scenario("scenarios/baseline.yaml").variants[0].parameters.model_dump()
    truth = json.loads(json.dumps(base, default=str))
    truth["post_sale"].update(TRUTH)
    truth["team"].update(hunters=20, farmers=4, hunter_capacity_opportunities=14)
    truth["market"]["accounts"] = 6000
    as_of = dt.date(2025, 12, 31)
    truth["start"] = {"date": "2023-01-01"}
    months = 36
    history = simulated_customers(Parameters.model_validate(truth), months, 777, 0, as_of)
    export = write_subscription_export(history, tmp_path / "company")
    observed = load_subscriptions(export).customers
    assert len(observed) == len(history)
    fit_base = json.loads(json.dumps(base, default=str))
    fit_base["team"].update(hunters=20, farmers=4, hunter_capacity_opportunities=14)
    fit_base["market"]["accounts"] = 6000
    settings = Settings(replications=8, workers=2, max_evaluations=60, seed=1)
    c = calibrate_customers(observed, export, {}, fit_base, settings)
    post = fit_base["post_sale"]
    truths = {  # each knob's coordinate at the truth (0 at the base's value)
        "churn": math.log(TRUTH["churn_probability_at_full_health"]
                          / post["churn_probability_at_full_health"]),
        "expansion": math.log(TRUTH["expansion_share"] / post["expansion_share"]),
        "gap": logit(TRUTH["expectation_gap_probability"]["hunter_farmer"])
        - logit(post["expectation_gap_probability"]["hunter_farmer"]),
        "neglect": math.log(TRUTH["neglect_decay_per_month"] / post["neglect_decay_per_month"]),
    }  # fmt: skip
    solution = c.solution
    for index, knob in enumerate(solution.knobs):
        se = math.sqrt(solution.covariance[index, index])
        miss = (solution.x[index] - truths[knob.name]) / se
        assert abs(miss) < Z_999, (knob.name, solution.x[index], truths[knob.name], se)
    assert c.settled, c.misses
