"""`salesim check`: every published level and stylised fact is reported for a scenario, with
its target, source, value and interval; the judging rules on constructed values; the arms of a
fact are really paired (same seeds, same replications); bad input exits 2."""

from __future__ import annotations

import json
import math

import numpy as np
import pyarrow as pa
import pytest
from typer.testing import CliRunner

from simulator.check.facts import BASELINE, FACTS, Comparison, Fact, diff
from simulator.check.judge import comparison_holds, fact_holds, level_holds
from simulator.check.levels import LEVELS, Context, purchase_share, response_ratio
from simulator.check.runner import (
    ArmPlan,
    evaluate_comparison,
    evaluate_fact,
    evaluate_level,
    plan_arms,
    run_arms,
)
from simulator.cli.app import app
from tests.conftest import bundled

runner = CliRunner()
SMALL = ["--set", "market.accounts=400", "-n", "6", "--workers", "1", "--seed", "3"]


@pytest.fixture(scope="module")
def checked() -> dict:
    result = runner.invoke(app, ["check", "baseline", *SMALL, "--json", "-"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_every_level_and_fact_is_reported_with_its_fields(checked: dict) -> None:
    entries = checked["entries"]
    keys = [e["key"] for e in entries]
    assert keys == [level.key for level in LEVELS] + [fact.key for fact in FACTS]
    for entry in entries:
        for field in ("name", "target", "source", "value", "low", "high", "holds", "status"):
            assert field in entry, (entry["key"], field)
        assert entry["status"] in ("holds", "does not hold", "not applicable")
        assert entry["holds"] in (True, False, None)
        assert entry["source"], entry["key"]
        if entry["holds"] is None:
            assert entry["reason"], entry["key"]  # not applicable says why
    facts = [e for e in entries if e["kind"] == "fact"]
    assert all(isinstance(f["comparisons"], list) for f in facts)
    assert checked["replications"] == 6 and checked["seed"] == 3
    assert checked["arms"][0] == BASELINE


def test_the_table_shows_every_entry_grouped() -> None:
    result = runner.invoke(app, ["check", "baseline", *SMALL[:-2], "--seed", "3"])
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.index("Published levels") < text.index("Stylised facts")
    squashed = " ".join(text.split())
    for entry in (*LEVELS, *FACTS):
        first_word = entry.name.split()[0]
        assert first_word in squashed
    assert "overlaps the published range" in squashed


@pytest.mark.parametrize(
    "interval, target, expected",
    [
        ((0.40, 0.44), (0.45, 0.50), False),  # wholly below
        ((0.40, 0.46), (0.45, 0.50), True),  # overlaps the lower bound
        ((0.46, 0.48), (0.45, 0.50), True),  # inside
        ((0.51, 0.60), (0.45, 0.50), False),  # wholly above
        ((30.0, 61.0), (60.0, math.inf), True),  # a range open above (90–180+ days) reached
        ((30.0, 59.0), (60.0, math.inf), False),
        ((math.nan, math.nan), (0.0, 1.0), None),  # no interval
    ],
)
def test_a_level_holds_when_its_interval_overlaps_the_range(interval, target, expected) -> None:
    assert level_holds(*interval, *target) is expected


@pytest.mark.parametrize(
    "interval, expected",
    [((61.0, math.inf), True), ((30.0, 59.0), False), ((30.0, 61.0), None), ((7, math.inf), None)],
)
def test_a_published_floor_holds_only_when_the_whole_interval_clears_it(interval, expected) -> None:
    assert level_holds(*interval, 60.0, math.inf, floor=True) is expected


def test_no_late_lead_qualifying_is_not_judged_as_an_infinite_ratio() -> None:
    """0 of 63 late leads qualified: the ratio is infinite, but 63 leads support only about
    7×, so '> 60×' is not judged (the bootstrap alone gave [inf, inf] and 'holds')."""
    late = next(level for level in LEVELS if level.key == "response_first_hour_vs_after_day")
    context = Context(bundled("baseline").variants[0].parameters, 36)
    rows = [
        {"qualified_first_hour": 40 + r % 3, "answered_first_hour": 100,
         "qualified_after_day": 0, "answered_after_day": 9}
        for r in range(7)
    ]  # fmt: skip
    entry = evaluate_level(late, rows, context)
    assert entry.value == math.inf and entry.high == math.inf
    assert 4 < entry.low < 12  # 0.37 of fast leads at least, over at most 1 − 0.0125^(1/63)
    assert entry.holds is None and "straddles 60" in entry.reason
    many = [{**row, "answered_after_day": 1000} for row in rows]
    assert evaluate_level(late, many, context).holds is True


def test_the_handoff_fact_judges_the_scenario_s_own_variants() -> None:
    """On `handoff` the baseline (hunter_only) has no farmers; the fact's farmer arms are the
    scenario's variants, which employ them, not the baseline with its handoff renamed."""
    scenario = bundled("handoff")
    plan = plan_arms(scenario.variants[0], 36, variants=scenario.variants)
    for variant in scenario.variants:
        assert plan.arms[plan.of_fact["handoff"][variant.name]] == variant.parameters
    baseline = bundled("baseline")
    plan = plan_arms(baseline.variants[0], 36, variants=baseline.variants)
    farmers = {arm: plan.arms[name].team.farmers for arm, name in plan.of_fact["handoff"].items()}
    assert farmers == {"hunter_only": 0, "hunter_farmer": 3, "transition_vision": 3}


def test_a_level_from_constructed_rows() -> None:
    win_rate = next(level for level in LEVELS if level.key == "win_rate")
    context = Context(bundled("baseline").variants[0].parameters, 36)
    others = {"lost_competitor": 30, "lost_household_brand": 0, "lost_no_decision": 20}
    near = [{"won": v, "stalled": 50 - v, **others} for v in (44, 46, 45, 47)]
    far = [{"won": v, "stalled": 50 - v, **others} for v in (20, 21, 19, 20)]
    assert evaluate_level(win_rate, near, context).holds is True
    assert evaluate_level(win_rate, far, context).holds is False
    missing = evaluate_level(win_rate, [{"won": 1.0}], context)
    assert missing.holds is None and "lost_competitor" in missing.reason


def test_lead_response_ratio_pools_counts() -> None:
    rows = [
        {"qualified_first_hour": 7, "answered_first_hour": 10,
         "qualified_second_hour": 1, "answered_second_hour": 10}
    ] * 5  # fmt: skip
    value, low, high, note = response_ratio("first_hour", "second_hour")(rows)
    # identical replications: the bootstrap is a point, the exact bounds of 35/50 and 5/50 are not
    assert value == pytest.approx(7.0) and low < 4 and 20 < high < math.inf
    assert "35 of 50" in note


def test_purchase_likelihood_pools_decided_deals_by_committee_size() -> None:
    rows = [{"purchased_one": bought, "decided_one": 10} for bought in (8, 9, 7, 8)]
    value, low, high, note = purchase_share("one")(rows)
    assert value == pytest.approx(0.8) and low <= 0.8 <= high and high - low > 0
    assert "32 of 40 buying efforts bought" in note
    few = purchase_share("one")([{"purchased_one": 2, "decided_one": 3}] * 2)
    assert math.isnan(few[0]) and few[3].startswith("too few deals to judge")


def test_a_response_ratio_on_a_handful_of_leads_is_not_judged() -> None:
    rows = [
        {"qualified_first_hour": 50, "answered_first_hour": 100,
         "qualified_after_day": 0, "answered_after_day": 1}
    ] * 2  # fmt: skip
    value, low, high, note = response_ratio("first_hour", "after_day")(rows)
    assert math.isnan(value) and math.isnan(low) and math.isnan(high)
    assert note.startswith("too few leads to judge") and "0 of 2 after day" in note


@pytest.mark.parametrize(
    "interval, side, expected",
    [
        ((0.1, 0.5), ">", True),
        ((-0.1, 0.5), ">", False),
        ((-0.5, -0.1), "<", True),
        ((-0.5, 0.1), "<", False),
        ((0.0, 0.0), "=0", True),
        ((0.0, 0.2), "=0", False),
        ((math.nan, math.nan), ">", None),
    ],
)
def test_a_comparison_holds_on_its_side_of_zero(interval, side, expected) -> None:
    assert comparison_holds(*interval, side) is expected


def test_a_fact_holds_only_when_every_comparison_does() -> None:
    assert fact_holds([True, True]) is True
    assert fact_holds([True, False, None]) is False
    assert fact_holds([True, None]) is None


def _summary(arms: dict[str, list[float]]) -> pa.Table:
    variant, replication, values = [], [], []
    for arm, column in arms.items():
        variant += [arm] * len(column)
        replication += list(range(len(column)))
        values += column
    return pa.table({"variant": variant, "replication": replication, "bookings_24m": values})


def test_a_fact_judged_on_constructed_paired_differences() -> None:
    # arm b is always a little below arm a, replication by replication, though the two spread
    # widely: only pairing shows it
    a = [100.0, 300.0, 500.0, 700.0, 900.0]
    summary = _summary({"a": a, "b": [v - 5 for v in a]})
    monthly = pa.table({"variant": [], "replication": [], "month": []})
    fact = Fact("f", "b below a", "test", {"a": (), "b": ()},
                (diff("b", "a", "bookings_24m", "<"),))  # fmt: skip
    plan = ArmPlan({}, {"f": {"a": "a", "b": "b"}}, {})
    judged = evaluate_fact(fact, plan, summary, monthly)
    assert judged.holds is True
    (comparison,) = judged.comparisons
    assert comparison.value == comparison.low == comparison.high == pytest.approx(-5.0)
    wrong_way = Comparison(((1, "b"), (-1, "a")), "bookings_24m", ">")
    assert evaluate_comparison(wrong_way, {"a": "a", "b": "b"}, summary, monthly).holds is False
    skipped = evaluate_fact(fact, ArmPlan({}, {}, {"f": "no roadmap"}), summary, monthly)
    assert skipped.holds is None and skipped.reason == "no roadmap"


def test_arms_are_paired_an_identical_arm_differs_by_exactly_zero() -> None:
    base = bundled("baseline", "market.accounts=300", "horizon_months=24").variants[0]
    arms = {BASELINE: base.parameters, "copy": base.parameters}
    summary, monthly = run_arms("paired", 24, arms, 4, 11)
    comparison = diff("copy", BASELINE, "bookings_24m", ">")
    judged = evaluate_comparison(comparison, {"copy": "copy", BASELINE: BASELINE}, summary, monthly)
    assert judged.value == judged.low == judged.high == 0.0
    values = summary.column("bookings_24m").to_numpy()
    assert np.ptp(values[:4]) > 0  # replications differ from each other, not from their twin


def test_identical_arms_are_run_once_and_fact_arms_are_overrides() -> None:
    scenario = bundled("baseline", "market.accounts=300")
    plan = plan_arms(scenario.variants[0], scenario.horizon_months)
    assert next(iter(plan.arms)) == BASELINE
    assert len({p.model_dump_json() for p in plan.arms.values()}) == len(plan.arms)
    spiral = plan.of_fact["death_spiral"]
    assert plan.arms[spiral["vaporware"]].strategy.pitch == "vaporware"
    assert plan.arms[spiral["available_only"]].strategy.pitch == "available_only"
    assert plan.arms[plan.of_fact["no_farmers"]["no_farmers"]].team.farmers == 0


def test_a_fact_the_scenario_cannot_have_is_not_applicable() -> None:
    scenario = bundled("baseline", "marketing.brand.spend_usd_per_month=0", "product.features=[]")
    plan = plan_arms(scenario.variants[0], scenario.horizon_months)
    assert "brand" in plan.not_applicable["no_brand"]
    assert "feature" in plan.not_applicable["death_spiral"]


@pytest.mark.parametrize(
    "arguments",
    [
        ["check", "no-such-scenario"],
        ["check", "baseline", "--set", "team.hunters=-1"],
        ["check", "baseline", "-n", "1"],
        ["check", "baseline", "--set", "market.nonsense=3"],
    ],
)
def test_bad_input_exits_2(arguments: list[str]) -> None:
    result = runner.invoke(app, arguments)
    assert result.exit_code == 2, result.output
