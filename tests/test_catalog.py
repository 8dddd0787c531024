"""The metric registry: every metric the model produces is declared once, with a human label, a
unit, a better direction and a description; and values read the same everywhere."""

from __future__ import annotations

import re

import pytest

from simulator import metrics
from simulator.catalog import (
    BETTER,
    HEADLINE,
    MONTHLY,
    SECTIONS,
    SUMMARY,
    UNITS,
    difference_text,
    number,
    summary_metric,
    value_text,
)
from simulator.experiment import run_replication
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


def test_the_old_lists_are_derived_from_the_registry():
    lower = {m.name for m in (*SUMMARY.values(), *MONTHLY.values()) if m.better == "lower"}
    assert lower == metrics.LOWER_IS_BETTER
    assert {"cac", "hunter_attrition", "lost_competitor", "churned_arr"} <= lower
    assert metrics.KEY_METRICS[: len(HEADLINE)] == HEADLINE
    assert set(metrics.KEY_METRICS) <= set(SUMMARY)
    assert HEADLINE == ("bookings_24m", "arr_end", "win_rate", "hunter_attrition", "nrr", "cac")


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
