"""Honest fits (issue 21, part 4): a calibration that stopped before it moved an input says
"not fitted" instead of showing the default with an interval; one that still misses the export
records ``fit: settled: false`` with the misses, and every command that runs the scenario says
so first, on the console and on its page; a forecast far from the export's own history says so
beside the number."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from simulator.calibrate.simulate import day0_for, simulated_export
from simulator.cli.app import app
from simulator.crm.salesforce import write_salesforce
from simulator.parameters import Parameters
from simulator.scenario.resolve import load_scenario

AS_OF = dt.date(2025, 6, 30)
RAVENSTACK = Path(__file__).resolve().parent / "data" / "saas-ravenstack"
runner = CliRunner()


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small company's year of deals as a Salesforce report."""
    tree = load_scenario("scenarios/baseline.yaml").variants[0].parameters.model_dump()
    tree["team"].update(hunters=4, hunter_capacity_opportunities=40)
    tree["start"]["date"] = day0_for(AS_OF, 12)
    deals = simulated_export(Parameters.model_validate(tree), 12, 5, 0, AS_OF)
    return write_salesforce(deals, tmp_path_factory.mktemp("export") / "opportunities.csv")


@pytest.fixture(scope="module")
def short_fit(export: Path) -> tuple[Path, str]:
    """A calibration cut short: five tries take the first step, on the inputs whose statistic
    follows them in proportion (leads, cycle, deal size, the dark deals), and cannot measure
    how the other inputs move the statistics."""
    out = export.parent / "short.yaml"
    result = runner.invoke(
        app,
        ["calibrate", str(export), "--out", str(out), "-n", "2", "--max-tries", "5",
         "--workers", "1", "--set", "market.choice.our_constant=-3"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, result.output


def test_inputs_the_search_never_moved_are_not_fitted(short_fit: tuple[Path, str]) -> None:
    out, printed = short_fit
    assert "not fitted (the search stopped after" in printed
    text = out.read_text()
    assert "not fitted: the search stopped (--max-tries) after" in text
    inputs = [line for line in text.split("# Fitted")[1].split("# Counted")[0].splitlines()
              if line.startswith("#   ") and " = " in line]  # fmt: skip
    unmoved = (
        "process.lead_quality", "market.choice", "deal_size_log_sd", "pull_in",
        "member_pull_out",
    )  # fmt: skip
    for line in inputs:  # an interval exactly for the inputs the first step moved
        assert (" [" in line) != any(path in line for path in unmoved), line
    document = yaml.safe_load(text)
    # the base's own values, not the nudge the search started from (pull-in 0.1)
    assert document["market"]["choice"]["our_constant"] == -3
    assert "quarter_end" not in document.get("team", {})
    html = out.with_suffix(".html").read_text()
    assert "no interval: not fitted" in html


def test_an_unsettled_fit_is_recorded_and_shown_in_a_block(short_fit: tuple[Path, str]) -> None:
    out, printed = short_fit
    assert "The fit did not settle" in printed and "standard errors" in printed
    assert "too few deals won: bookings run low" in printed  # what it means for a forecast
    fit = yaml.safe_load(out.read_text())["fit"]
    assert fit["settled"] is False and fit["misses"]
    assert any(m["statistic"] == "CRM win rate, won / (won + lost)" for m in fit["misses"])
    assert "# fit: unsettled." in out.read_text()
    assert 'id="section-warning"' in out.with_suffix(".html").read_text()


def test_every_command_on_it_warns_first_and_on_its_page(
    short_fit: tuple[Path, str], tmp_path: Path
) -> None:
    out, _ = short_fit
    forecast = runner.invoke(
        app,
        ["forecast", str(out), "--months", "3", "-n", "20", "--workers", "1",
         "--out", str(tmp_path / "f.html"), "--json", str(tmp_path / "f.json")],
    )  # fmt: skip
    assert forecast.exit_code == 0, forecast.output
    assert forecast.output.startswith("Warning: Unsettled fit: this scenario was calibrated")
    assert 'id="section-warning"' in (tmp_path / "f.html").read_text()
    assert json.loads((tmp_path / "f.json").read_text())["warnings"]
    run = runner.invoke(
        app, ["run", str(out), "-n", "2", "--workers", "1", "--out", str(tmp_path / "runs")]
    )
    assert run.exit_code == 0, run.output
    assert run.output.startswith("Warning: Unsettled fit")
    report = next((tmp_path / "runs").glob("*/report.html")).read_text()
    assert 'id="section-warning"' in report
    sweep = runner.invoke(
        app,
        ["sweep", str(out), "--vary", "team.hunters=4,5", "-n", "2", "--workers", "1",
         "--out", str(tmp_path / "sweeps")],
    )  # fmt: skip
    assert sweep.exit_code == 0, sweep.output
    assert sweep.output.startswith("Warning: Unsettled fit")
    folder = next((tmp_path / "sweeps").iterdir())
    assert json.loads((folder / "decision.json").read_text())["warnings"]
    assert 'id="section-warning"' in (folder / "report.html").read_text()


def test_a_forecast_far_from_the_exports_history_says_so(export: Path, tmp_path: Path) -> None:
    """Deals twenty times the export's: the next quarter's P50 is far over what the company
    booked in its last quarter, and the forecast says so beside the number and on its page."""
    raw = {
        "name": "inflated",
        "description": "deal sizes far above the export's",
        "horizon_months": 12,
        "market": {"mid_market": {"deal_size_median_usd": 500_000}},
        "start": {"from_crm": str(export)},
    }
    path = tmp_path / "inflated.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = runner.invoke(
        app,
        ["forecast", str(path), "--months", "3", "-n", "20", "--workers", "1",
         "--out", str(tmp_path / "f.html"), "--json", str(tmp_path / "f.json")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    history = json.loads((tmp_path / "f.json").read_text())["history"]
    assert history["months"] == 3 and history["far"] and history["ratio"] > 2
    assert "over twice the company's own history" in result.output
    assert "over twice the company" in (tmp_path / "f.html").read_text()


def test_a_calibrated_scenario_as_the_base_keeps_its_start_and_its_misses(
    short_fit: tuple[Path, str], export: Path
) -> None:
    """Fitting customers over a calibrated, unsettled CRM-start scenario keeps its start from
    the export and its misses (they used to vanish); fitting an export again over one works."""
    base, _ = short_fit
    out = base.parent / "with-customers.yaml"
    result = runner.invoke(
        app,
        ["calibrate", "--customers", str(RAVENSTACK), "--base", str(base), "--out", str(out),
         "-n", "2", "--max-tries", "5", "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    document = yaml.safe_load(out.read_text())
    assert document["start"]["from_crm"] == "opportunities.csv"
    assert document["start"]["customers"].endswith("saas-ravenstack")
    assert "hunters" not in document.get("team", {})  # the export's owners are the team
    fit = document["fit"]
    assert fit["settled"] is False and "opportunities.csv" in fit["source"]
    assert any(m["statistic"] == "CRM win rate, won / (won + lost)" for m in fit["misses"])
    again = runner.invoke(
        app,
        ["calibrate", str(export), "--base", str(base), "--out", str(base.parent / "again.yaml"),
         "-n", "2", "--max-tries", "5", "--workers", "1"],
    )  # fmt: skip
    assert again.exit_code == 0, again.output
