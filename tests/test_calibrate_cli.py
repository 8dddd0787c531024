"""``salesim calibrate`` from the command line: what it writes (a scenario that loads and runs,
its header, the fit report, the JSON), the statistics it matches, and its errors (exit 2)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from simulator.calibrate.moments import raw_statistics, trailing_window
from simulator.calibrate.simulate import day0_for, simulated_export
from simulator.cli.app import app
from simulator.cli.export import warmup_note
from simulator.crm.salesforce import write_salesforce
from simulator.crm.table import Deals
from simulator.parameters import Parameters
from simulator.parameters.knobs import BY_NAME, KNOBS
from simulator.scenario.resolve import load_scenario

AS_OF = dt.date(2025, 6, 30)
runner = CliRunner()


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small company's Salesforce export: 4 hunters, 12 months, quarter-end push on."""
    tree = load_scenario("scenarios/baseline.yaml").variants[0].parameters.model_dump()
    tree["team"].update(hunters=4, hunter_capacity_opportunities=40)
    tree["team"]["quarter_end"]["pull_in_probability"] = 0.5
    tree["start"]["date"] = day0_for(AS_OF, 12)
    deals = simulated_export(Parameters.model_validate(tree), 12, 5, 0, AS_OF)
    return write_salesforce(deals, tmp_path_factory.mktemp("export") / "opportunities.csv")


@pytest.fixture(scope="module")
def calibrated(export: Path) -> tuple[Path, dict]:
    out = export.parent / "my-company.yaml"
    result = runner.invoke(
        app,
        [
            "calibrate", str(export), "--out", str(out), "-n", "2", "--max-tries", "30",
            "--workers", "1", "--json", "-",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return out, json.loads(result.stdout)


def test_it_writes_a_scenario_that_loads_and_starts_from_the_export(
    calibrated: tuple[Path, dict], export: Path
) -> None:
    out, data = calibrated
    text = out.read_text()
    assert text.startswith("# Calibrated by `salesim calibrate` from opportunities.csv")
    for heading in ("# Fitted", "# Counted by rule:", "# Everything else is the base"):
        assert heading in text
    document = yaml.safe_load(text)
    assert document["start"] == {
        "from_crm": "opportunities.csv",
        "format": "salesforce",
        "as_of": AS_OF,
    }
    # the export's owners are the team: the fit's own count would be a headcount to reach
    assert "hunters" not in document.get("team", {})
    assert "left out of the scenario, which starts from the export's owners" in text
    scenario = load_scenario(out)
    parameters = scenario.variants[0].parameters
    for fitted in data["fitted"]:
        *parents, leaf = fitted["path"].split(".")
        node = parameters
        for name in parents:
            node = getattr(node, name)
        assert getattr(node, leaf) == pytest.approx(fitted["value"], rel=1e-5)
    assert Path(data["report"]).read_text().count("plotly") > 0


def test_the_scenario_reads_the_export_as_calibrate_did(export: Path) -> None:
    """A column named by --map is named again in the scenario's start, so the scenario reads
    the export the way the calibration did (it used to be dropped)."""
    renamed = export.parent / "renamed.csv"
    renamed.write_text(export.read_text().replace('"Opportunity Owner"', '"Sales Rep"', 1))
    out = export.parent / "renamed.yaml"
    result = runner.invoke(
        app,
        ["calibrate", str(renamed), "--map", "owner=Sales Rep", "--out", str(out), "-n", "2",
         "--max-tries", "5", "--workers", "1"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    start = yaml.safe_load(out.read_text())["start"]
    assert start["map"] == {"owner": "Sales Rep"} and start["format"] == "salesforce"
    assert load_scenario(out).variants[0].parameters.team.hunters == 4


def test_the_json_says_what_was_fitted_and_counted(calibrated: tuple[Path, dict]) -> None:
    _, data = calibrated
    paths = [f["path"] for f in data["fitted"]]
    assert "team.outbound_leads_per_hunter_month" in paths
    assert "team.quarter_end.pull_in_probability" in paths
    for fitted in data["fitted"]:
        if fitted["fitted"]:
            assert fitted["low"] <= fitted["value"] <= fitted["high"]
        else:  # the search stopped before it moved it: the base's value, no interval
            assert fitted["low"] is None and fitted["high"] is None
            assert fitted["method"].startswith("not fitted: the search stopped")
    assert any(fitted["fitted"] for fitted in data["fitted"])
    counted = {c["path"]: c["value"] for c in data["counted"]}
    assert counted["team.hunters"] == 4
    assert data["window"] == ["2025-01-01", "2025-06-30"]
    assert len(data["misses_in_standard_errors"]) == len(data["fitted"])


def test_the_scenario_records_the_fits_uncertainty_for_forecasts(
    calibrated: tuple[Path, dict],
) -> None:
    """What a forecast draws its inputs from: the knobs the search moved, at their fitted
    values, with a covariance whose diagonal gives the table's intervals."""
    out, data = calibrated
    record = load_scenario(out).fit.uncertainty
    assert record is not None
    by_path = {fitted["path"]: fitted for fitted in data["fitted"]}
    moved = {k.name for k in KNOBS if by_path.get(k.path, {}).get("fitted")}
    assert set(record.inputs) <= moved and record.inputs
    covariance = np.array(record.covariance)
    assert np.linalg.eigvalsh(covariance).min() >= -1e-9 * np.abs(covariance).max()
    for name, center, variance in zip(
        record.inputs, record.center, np.diag(covariance), strict=True
    ):
        fitted = by_path[BY_NAME[name].path]
        half = 1.959964 * np.sqrt(variance)  # the table's 95% interval, in the coordinate
        if name == "pull_in":  # the coordinate is the probability itself
            assert fitted["value"] == pytest.approx(center, rel=1e-5)
            assert fitted["low"] == pytest.approx(max(0.0, center - half), abs=1e-5)
            assert fitted["high"] == pytest.approx(min(1.0, center + half), abs=1e-5)
        elif name in ("leads", "deal_size", "cycle"):  # a log factor on the path's value
            assert np.log(fitted["high"] / fitted["low"]) == pytest.approx(2 * half, rel=1e-3)


def _deals(created: list[str], closed: list[str | None], outcome: list[str], acv: list[float]):
    n = len(created)
    text = np.array([f"d{i}" for i in range(n)], dtype=object)
    return Deals(
        deal_id=text, account=text, owner=np.array(["a"] * n, dtype=object),
        source=np.array([None] * n, dtype=object), stage=np.array(outcome, dtype=object),
        outcome=np.array(outcome, dtype=object),
        created=np.array(created, dtype="datetime64[D]"),
        closed=np.array([c or "NaT" for c in closed], dtype="datetime64[D]"),
        acv_usd=np.array(acv, float), as_of=np.datetime64("2025-06-30"),
    )  # fmt: skip


def test_the_statistics_count_the_window_as_a_crm_report_would() -> None:
    deals = _deals(
        created=["2024-12-20", "2025-01-05", "2025-02-01", "2025-03-01", "2025-04-01",
                 "2025-05-10", "2025-06-01"],
        closed=["2025-01-10", "2025-03-31", "2025-03-15", "2025-03-04", "2025-05-01", None,
                "2025-06-04"],
        outcome=["won", "won", "lost", "won", "won", "open", "lost"],
        acv=[1000.0, 2000.0, np.nan, 4000.0, 8000.0, np.nan, np.nan],
    )  # fmt: skip
    window = trailing_window(deals.as_of, 6)
    stats = raw_statistics(deals, window)
    assert stats["new_per_month"] == pytest.approx(6 / (181 / 30.4))  # Dec deal outside
    assert stats["crm_win_rate"] == pytest.approx(4 / 6)
    # won cycles 21, 85, 3 and 30 days: two within 3 weeks (21 counts), two beyond
    assert stats["won_quick_share"] == pytest.approx(2 / 4)
    assert stats["won_quick_cycle_days"] == pytest.approx(np.expm1(np.log1p([21, 3]).mean()))
    assert stats["won_slow_cycle_days"] == pytest.approx(np.expm1(np.log1p([85, 30]).mean()))
    # wins a month: Jan 1, Mar 2, May 1, others 0 -> quarter-end months (Mar, Jun) 1.0 a month,
    # the other four 0.5
    assert stats["quarter_end_ratio"] == pytest.approx(2.0)
    assert stats["won_acv_typical_usd"] == pytest.approx(np.sqrt(2000.0 * 4000.0))  # geomean
    assert stats["won_acv_mean_usd"] == pytest.approx(3750.0)
    assert stats["open_months"] == pytest.approx(1 / stats["new_per_month"])  # the May deal


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--out", "x.txt"], "the scenario is YAML"),
        (["--out", "x.yaml", "--as-of", "yesterday"], "not a date"),
        (["--out", "x.yaml", "--base", "no-such-scenario"], "no-such-scenario"),
        (["--out", "x.yaml", "--window-months", "1"], "window-months"),
    ],
)
def test_mistakes_exit_2_with_a_message(
    export: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    args = [a if not a.endswith((".yaml", ".txt")) else str(tmp_path / a) for a in args]
    result = runner.invoke(app, ["calibrate", str(export), *args])
    assert result.exit_code == 2
    assert message in result.output
    assert not (tmp_path / "x.yaml").exists()


def test_an_unreadable_export_exits_2(tmp_path: Path) -> None:
    broken = tmp_path / "broken.csv"
    broken.write_text("name,value\nx,1\n")
    result = runner.invoke(app, ["calibrate", str(broken), "--out", str(tmp_path / "x.yaml")])
    assert result.exit_code == 2
    assert "--map" in result.output


def test_a_warmup_the_exports_history_replaces_is_said_not_dropped():
    assert warmup_note(None, 14) is None  # not given: nothing to say
    assert warmup_note(6, 6) is None  # given and used
    said = warmup_note(12, 14)
    assert said is not None and "--warmup-months 12 is not used" in said and "14 months" in said
