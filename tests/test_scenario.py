"""Scenario files: loading, variants, overrides and the JSON schema."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from simulator.cli import app
from simulator.parameters import Parameters
from simulator.scenario import ScenarioError, deep_merge, parse_path
from tests.conftest import SCENARIOS, bundled, scenario_from

runner = CliRunner()


@pytest.mark.parametrize("path", sorted(SCENARIOS.glob("*.yaml")), ids=lambda p: p.stem)
def test_every_bundled_scenario_is_valid(path):
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


def test_variant_overrides_only_what_it_names():
    scenario = bundled("qualification")
    base = Parameters()
    loose = next(v for v in scenario.variants if v.name == "loose qualification")
    assert loose.parameters.strategy.qualification_discipline == 0.25
    assert loose.parameters.market == base.market
    assert loose.parameters.team.hunters == base.team.hunters


def test_partial_nested_override_keeps_segment_defaults():
    scenario = scenario_from({"market": {"enterprise": {"sponsor_present_probability": 0.5}}})
    enterprise = scenario.variants[0].parameters.market.enterprise
    assert enterprise.sponsor_present_probability == 0.5
    assert enterprise.deal_size_median_usd == Parameters().market.enterprise.deal_size_median_usd


def test_no_variants_means_one_baseline():
    scenario = scenario_from({})
    assert [v.name for v in scenario.variants] == ["baseline"]


def test_set_overrides_base_and_variants_that_set_the_same_path():
    scenario = bundled("qualification", "market.accounts=500", "team.hunters=4")
    assert all(v.parameters.market.accounts == 500 for v in scenario.variants)
    # the short-staffed variant sets team.hunters itself; --set still wins
    assert all(v.parameters.team.hunters == 4 for v in scenario.variants)


def test_set_reaches_into_a_variant_by_index():
    scenario = bundled("qualification", "variants[1].strategy.qualification_discipline=0.1")
    assert scenario.variants[1].parameters.strategy.qualification_discipline == 0.1
    assert scenario.variants[0].parameters.strategy.qualification_discipline == 0.85


def test_set_is_validated_like_the_file():
    with pytest.raises(ScenarioError) as caught:
        bundled("baseline", "market.accounts=-5")
    (problem,) = caught.value.problems
    assert problem.path == "market.accounts"
    assert "-5" in problem.message and "greater than or equal to 1" in problem.message
    assert "--set" in problem.message


def test_parse_path():
    assert parse_path("variants[1].team.hunters") == ["variants", 1, "team", "hunters"]
    for bad in ("", "[1].x", "a..b", "a.", "a b"):
        with pytest.raises(ValueError):
            parse_path(bad)


def test_deep_merge_replaces_lists_and_merges_mappings():
    merged = deep_merge({"a": {"b": 1, "c": [1, 2]}}, {"a": {"c": [3]}})
    assert merged == {"a": {"b": 1, "c": [3]}}


def test_schema_is_json_with_every_section():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.output)
    for section in ("market", "team", "product", "competitors", "marketing", "process"):
        assert section in schema["properties"]
    assert schema["required"] == ["name", "description"]


def test_scenarios_lists_bundled_with_descriptions():
    result = runner.invoke(app, ["scenarios"])
    assert result.exit_code == 0
    assert "qualification" in result.output and "baseline" in result.output
    assert "Qualification discipline and lead-response capacity" in result.output
