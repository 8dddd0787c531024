"""The metric registry: every metric the model produces is declared once, with a human label, a
unit, a better direction and a description; and values read the same everywhere."""

from __future__ import annotations

import re

import pytest

from simulator.metrics import measure as metrics
from simulator.metrics.catalog import (
    BETTER,
    CHARTS,
    HEADLINE,
    KEY_METRICS,
    LOWER_IS_BETTER,
    MONTHLY,
    SECTIONS,
    SUMMARY,
    UNITS,
    charted,
    registry_json,
    summary_metric,
)
from simulator.metrics.formats import difference_text, number, value_text
from simulator.runs.experiment import run_replication
from simulator.units import DAYS_PER_MONTH
from tests.conftest import bundled


@pytest.fixture(scope="module")
def produced():
    """One real replication of every bundled scenario's variants is too slow; one of the death
    spiral's vaporware variant (which exercises every part of the model) at a small market."""
    scenario = bundled("death-spiral", "market.accounts=300", "horizon_months=24")
    variant = scenario.variants[1]
    return run_replication(variant.parameters, scenario.horizon_months, 1, 0)


def test_every_metric_the_model_produces_is_registered(produced):
    assert set(produced.summary) == set(SUMMARY)
    assert set(produced.monthly) == set(MONTHLY)
    assert tuple(SUMMARY) == metrics.SUMMARY_COLUMNS
    assert tuple(MONTHLY) == metrics.MONTHLY_COLUMNS


@pytest.mark.parametrize("metric", [*SUMMARY.values(), *MONTHLY.values()], ids=lambda m: m.name)
def test_every_entry_is_complete(metric):
    assert metric.unit in UNITS and metric.better in BETTER and metric.section in SECTIONS
    assert metric.kind in ("summary", "monthly")
    assert metric.label and not re.search(r"[a-z]_[a-z]", metric.label), metric.label
    assert metric.label[0].isupper() and len(metric.label) <= 30, metric.label
    assert metric.description.endswith(".")
    assert (metric.unit == "count") == bool(metric.noun)
    assert set(metric.charts) <= set(CHARTS)
    for chart in metric.charts:  # a summary chart shows summary metrics, a monthly monthly ones
        assert CHARTS[chart].startswith(metric.kind), (metric.name, chart)


def test_the_old_lists_are_derived_from_the_registry():
    lower = {m.name for m in (*SUMMARY.values(), *MONTHLY.values()) if m.better == "lower"}
    assert lower == LOWER_IS_BETTER
    assert {"cac", "hunter_attrition", "lost_competitor", "churned_arr"} <= lower
    assert KEY_METRICS[: len(HEADLINE)] == HEADLINE
    assert set(KEY_METRICS) <= set(SUMMARY)
    assert HEADLINE == ("bookings_24m", "arr_end", "win_rate", "hunter_attrition", "nrr", "cac")
    assert {f"bookings_{n}m" for n in metrics.BOOKINGS_HORIZONS_MONTHS} <= set(SUMMARY)
    assert metrics.FIRST_QUARTER_DAYS == 3 * DAYS_PER_MONTH


def test_the_report_charts_come_from_the_registry():
    """Each chart names its metrics in the registry, not in a list of its own."""
    funnel = charted("funnel")
    assert [m.name for m in funnel] == [
        "leads_total",
        "qualified",
        "evaluations",
        "proposals",
        "won",
    ]
    assert all(m.step for m in funnel)
    fates = charted("fate")  # every way an opportunity ends, and the leads never called
    assert {m.name for m in fates} == {
        "won", "open_at_horizon", "lost_competitor", "lost_household_brand", "lost_no_decision",
        "stalled", "no_consensus", "disqualified", "leads_unanswered",
    }  # fmt: skip
    assert all(m.step and m.colour.startswith("#") for m in fates)
    assert len({m.colour for m in fates}) == len(fates)
    flows = charted("waterfall")
    assert [(m.step, m.lower_is_better) for m in flows] == [
        ("new customers", False), ("expansion", False), ("churn", True), ("scale-back", True)
    ]  # fmt: skip
    assert {m.name for m in charted("distribution")} == {"bookings_24m", "arr_end"}
    assert {m.name for m in charted("fan") + charted("fan_to_date")} == {
        "arr", "bookings", "open_pipeline_acv", "open_opportunities", "hunters_on_plan"
    }  # fmt: skip
    with pytest.raises(ValueError, match="not a chart"):
        charted("pie")


def test_the_registry_as_json_lists_every_metric():
    listed = registry_json()
    assert [m["name"] for m in listed["summary"]] == list(SUMMARY)
    assert [m["name"] for m in listed["monthly"]] == list(MONTHLY)
    entry = next(m for m in listed["summary"] if m["name"] == "cac")
    assert entry["better"] == "lower" and entry["headline"] and entry["section"] == "economics"
    assert {"label", "unit", "noun", "description", "kind", "key"} <= set(entry)


def test_values_and_differences_read_in_their_unit():
    assert number(1.2e6, "usd", signed=True) == "+$1.2M"
    assert number(-3.44e6, "usd", signed=True) == "−$3.44M"
    assert number(41_100, "usd") == "$41.1k"
    assert value_text(SUMMARY["win_rate"], 0.4932) == "49.3%"
    assert value_text(SUMMARY["nrr"], 1.072) == "107.2%"
    assert value_text(SUMMARY["hunter_attrition"], 1.75, with_unit=True) == "1.8 hunters"
    assert difference_text(SUMMARY["bookings_24m"], 1.2e6, 0.8e6, 1.6e6) == (
        "+$1.2M [+$800k, +$1.6M]"
    )
    assert difference_text(SUMMARY["win_rate"], 0.031, 0.012, 0.05) == "+3.1 pts [+1.2, +5]"
    assert difference_text(SUMMARY["hunter_attrition"], -0.7, -1.1, -0.3) == (
        "−0.7 hunters [−1.1, −0.3]"
    )
    assert difference_text(SUMMARY["cycle_days_won_median"], 12, 5, 19) == "+12 days [+5, +19]"
    # a bound that is small but not zero keeps its sign and a digit
    assert difference_text(SUMMARY["hunter_attrition"], -0.4, -0.9, 0.02) == (
        "−0.4 hunters [−0.9, +0.02]"
    )
    assert number(float("nan"), "usd") == "n/a"


def test_an_unknown_column_still_gets_a_readable_entry():
    metric = summary_metric("some_new_metric")
    assert metric.label == "Some new metric" and metric.better == "neither"
