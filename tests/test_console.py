"""What `salesim run` prints: the verdict first, in money and units, then one row per chosen
metric, readable in 120 columns; `--metrics` chooses the rows; P(better) is defined and agrees
with the interval beside it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.metrics.catalog import HEADLINE, LOWER_IS_BETTER, MONTHLY, SUMMARY
from simulator.metrics.measure import SUMMARY_COLUMNS
from simulator.report.console import parse_metrics, run_output, run_subtitle
from simulator.runs.aggregate import compare
from simulator.runs.store import read_summary

runner = CliRunner()
SMALL = ["--set", "market.accounts=500", "--set", "horizon_months=24"]


@pytest.fixture(scope="module")
def ran(tmp_path_factory) -> tuple[str, Path]:
    out = tmp_path_factory.mktemp("console") / "results"
    options = ["-n", "8", "--seed", "2", "--workers", "1", "--out", str(out)]
    result = runner.invoke(
        app, ["run", "death-spiral", *options, *SMALL, "--metrics", "win_rate,leads_total"]
    )
    assert result.exit_code == 0, result.output
    (run_dir,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    return result.stdout, run_dir


def render(run_dir: Path, shown: list[str], width: int = 120) -> str:
    comparisons = compare(read_summary(run_dir), list(SUMMARY_COLUMNS), LOWER_IS_BETTER)
    subtitle = run_subtitle(8, 2, ["market.accounts=500", "horizon_months=24"])
    console = Console(width=width, record=True, file=open("/dev/null", "w"))  # noqa: SIM115
    console.print(run_output(comparisons, "Death spiral", subtitle, shown))
    return console.export_text()


def test_the_verdict_comes_first_in_money_and_units(ran):
    output, _ = ran
    verdict = output.index("Verdict for Death spiral: vaporware, beta_partner against")
    assert verdict < output.index("Metric (↓ lower is better)")
    head = output[verdict : output.index("Metric (↓ lower is better)")]
    assert "8 replications per variant, seed 2" in head
    assert "--set market.accounts=500, horizon_months=24" in head
    for label in (SUMMARY[name].label for name in HEADLINE):  # the registry's headline metrics
        assert label in head, label
    assert "$" in head and " pts " in head and " hunters " in head
    assert any(word in head for word in ("better", "worse", "no clear difference"))
    assert "bookings_24m" not in head and "hunter_attrition" not in head
    assert "95% interval" in head


def test_metrics_chooses_the_table_rows(ran):
    output, _ = ran
    table = output[output.index("Metric (↓ lower is better)") :]
    assert "Win rate" in table and "Leads" in table
    assert "Bookings at 24 months" not in table  # in the verdict, not chosen for the table
    assert "P(better): the probability that the variant's true mean is better" in table
    # the --set overrides are in the table's title too
    assert "with --set market.accounts=500" in output[output.index("Death spiral: 8 rep") :]


def test_default_rows_are_the_headline_and_all_fits_120_columns(ran):
    _, run_dir = ran
    default = render(run_dir, parse_metrics(None))
    table = default[default.index("Metric (↓") :]
    rows = [line for line in table.splitlines() if line.startswith(" ") and "$" in line]
    assert rows and len(default.splitlines()) < 60
    assert "Leads " not in table
    everything = render(run_dir, parse_metrics("all"))
    lines = everything.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= 120
    assert "…" not in everything
    table = everything[everything.index("Metric (↓") :]
    for metric in SUMMARY.values():  # one line per metric, label whole
        label = metric.label + (" ↓" if metric.lower_is_better else "")
        assert sum(line.startswith(f" {label}  ") for line in table.splitlines()) == 1, label


def test_unknown_metrics_are_refused_before_running(tmp_path):
    result = runner.invoke(
        app, ["run", "death-spiral", "--metrics", "win_rate,bogus", "--out", str(tmp_path)]
    )
    assert result.exit_code == 2
    assert "'bogus'" in result.stderr and "allowed: all" in result.stderr
    assert "bookings_24m" in result.stderr
    assert not any(tmp_path.iterdir())
    assert parse_metrics("all") == list(SUMMARY)
    assert parse_metrics(None) == list(HEADLINE)
    assert parse_metrics(" cac , win_rate,cac") == ["cac", "win_rate"]


def test_p_better_agrees_with_every_interval_of_a_run(ran):
    _, run_dir = ran
    for comparison in compare(read_summary(run_dir), list(SUMMARY_COLUMNS), LOWER_IS_BETTER):
        for d in comparison.differences.values():
            if comparison.lower_is_better:
                better, worse = d.high < 0, d.low > 0
            else:
                better, worse = d.low > 0, d.high < 0
            assert not better or d.p_better > 0.975, (comparison.metric, d)
            assert not worse or d.p_better < 0.025, (comparison.metric, d)


def test_metrics_command_lists_the_registry():
    result = runner.invoke(app, ["metrics"], terminal_width=200)
    assert result.exit_code == 0, result.output
    for metric in (*SUMMARY.values(), *MONTHLY.values()):
        assert metric.name in result.stdout and metric.label in result.stdout
    assert result.stdout.index("Summary metrics") < result.stdout.index("Monthly metrics")


def test_metrics_command_lists_the_registry_as_json(tmp_path):
    written = runner.invoke(app, ["metrics", "--json", str(tmp_path / "metrics.json")])
    assert written.exit_code == 0 and "Summary metrics" in written.stdout
    assert json.loads((tmp_path / "metrics.json").read_text())["summary"]
    result = runner.invoke(app, ["metrics", "--json", "-"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)
    assert [m["name"] for m in listed["summary"]] == list(SUMMARY)
    assert [m["name"] for m in listed["monthly"]] == list(MONTHLY)
    win_rate = next(m for m in listed["summary"] if m["name"] == "win_rate")
    assert win_rate["label"] == "Win rate of forecast deals" and win_rate["unit"] == "share"
    assert win_rate["better"] == "higher" and win_rate["headline"] is True


def test_a_single_variant_run_shows_each_mean_with_its_interval(tmp_path):
    args = ["run", "baseline", "-n", "4", "--set", "market.accounts=200", "--set"]
    args += ["horizon_months=12", "--workers", "1", "--metrics", "won,bookings_12m"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "95% interval of the mean" in result.stdout and "Deals won" in result.stdout
    assert "Verdict" not in result.stdout and "Δ" not in result.stdout
