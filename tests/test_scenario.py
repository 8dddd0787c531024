"""Scenario files: loading, variants, overrides and the JSON schema."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.parameters import Parameters
from simulator.scenario.resolve import ScenarioError, bundled_names, deep_merge, parse_path
from tests.conftest import SCENARIOS, TEST_SCENARIOS, bundled, scenario_from

runner = CliRunner()


@pytest.mark.parametrize(
    "path",
    sorted([*SCENARIOS.glob("*.yaml"), *SCENARIOS.glob("checks/*.yaml")])
    + sorted(TEST_SCENARIOS.glob("*.yaml")),
    ids=lambda p: p.stem,
)
def test_every_bundled_scenario_is_valid(path):
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output
    assert "valid" in result.output


@pytest.mark.parametrize("name", [n for group in bundled_names(SCENARIOS) for n in group])
def test_every_listed_name_runs_by_that_name(name):
    assert name in runner.invoke(app, ["scenarios"]).output
    result = runner.invoke(app, ["validate", name])
    assert result.exit_code == 0, result.output


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


def test_set_over_a_variants_own_value_wins_and_says_so():
    scenario = bundled("qualification", "team.hunters=4", "market.accounts=500")
    assert scenario.overrides == ("team.hunters=4", "market.accounts=500")
    assert scenario.overridden == (
        "--set team.hunters=4 replaced team.hunters that variant 'short-staffed' sets itself "
        "(was 3)",
    )
    result = runner.invoke(app, ["validate", "qualification", "--set", "team.hunters=4"])
    assert result.exit_code == 0
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert warnings == [f"Warning: {scenario.overridden[0]}"]


def test_set_that_no_variant_sets_itself_warns_of_nothing():
    assert bundled("qualification", "market.accounts=500").overridden == ()
    result = runner.invoke(app, ["validate", "qualification", "--set", "market.accounts=500"])
    assert result.exit_code == 0 and "Warning" not in result.stderr


def test_set_reaches_into_a_default_list_item():
    default = Parameters().competitors.rivals[0]
    scenario = bundled("baseline", "competitors.rivals[0].brand=0.9")
    rival = scenario.variants[0].parameters.competitors.rivals[0]
    assert rival.brand == 0.9
    assert rival.model_copy(update={"brand": default.brand}) == default
    features = bundled("baseline", "product.features[1].slip.probability=0.1")
    (first, second) = features.variants[0].parameters.product.features
    assert second.slip.probability == 0.1 and first == Parameters().product.features[0]


def test_set_into_a_list_a_variant_inherits_copies_the_bases_list():
    rival = {"name": "R", "brand": 0.1, "fit": {"enterprise": 0.5, "mid_market": 0.5}}
    rival["presence_probability"] = {"enterprise": 0.5, "mid_market": 0.5}
    raw = {"competitors": {"rivals": [rival]}, "variants": [{"name": "a"}, {"name": "b"}]}
    scenario = scenario_from(raw, "variants[1].competitors.rivals[0].brand=0.7")
    a, b = (v.parameters.competitors.rivals for v in scenario.variants)
    assert [r.brand for r in a] == [0.1] and [r.brand for r in b] == [0.7]
    assert b[0].name == "R" and b[0].fit == a[0].fit


def test_set_past_the_end_of_a_list_names_its_length():
    with pytest.raises(ScenarioError) as caught:
        bundled("baseline", "competitors.rivals[3].brand=0.9")
    assert "competitors.rivals[3] does not exist in the scenario (the list has 1 item)" in str(
        caught.value
    )


def test_whole_floats_are_counts_and_ints_are_numbers():
    scenario = scenario_from({"team": {"hunters": 2.0}, "market": {"enterprise_share": 1}})
    parameters = scenario.variants[0].parameters
    assert parameters.team.hunters == 2 and isinstance(parameters.team.hunters, int)
    assert parameters.market.enterprise_share == 1.0


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


def test_scenarios_lists_the_engine_checks_apart():
    output = runner.invoke(app, ["scenarios"]).output
    heading = output.index("Engine checks")
    assert output.index("checks/bass-limit ") > heading > output.index("qualification ")
    assert "must match the Bass closed form" in output


def _integer_fields(schema: dict) -> list[tuple[str, dict]]:
    found = []
    for model, definition in [("ScenarioFile", schema), *schema["$defs"].items()]:
        for field, spec in definition.get("properties", {}).items():
            if spec.get("type") == "integer":
                found.append((f"{model}.{field}", spec))
    return found


def test_every_count_has_a_documented_upper_bound():
    schema = json.loads(runner.invoke(app, ["schema"]).output)
    counts = _integer_fields(schema)
    assert len(counts) >= 10
    for name, spec in counts:
        assert "maximum" in spec, name
        assert f"at most {spec['maximum']:,}" in spec["description"], name
    accounts = schema["$defs"]["Market"]["properties"]["accounts"]
    assert accounts["maximum"] == 1_000_000


def test_counts_beyond_their_bound_are_refused():
    result = runner.invoke(
        app, ["validate", "baseline", "--set", "market.accounts=100000000000000"]
    )
    assert result.exit_code == 2
    assert "market.accounts: given 100000000000000; allowed: less than or equal to 1000000" in (
        result.stderr
    )
