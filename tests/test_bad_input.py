"""Broken scenario files: exit code 2, an error naming file and field, nothing written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from tests.conftest import TEST_SCENARIOS

runner = CliRunner()
BAD = TEST_SCENARIOS / "bad"

# file -> (field path, words the message must contain)
CASES = {
    "yaml-syntax.yaml": ("", "not valid YAML: line"),
    "unknown-field.yaml": ("market.acounts", "unknown field 'acounts'; allowed: one of accounts"),
    "variant-bad-value.yaml": (
        "variants[1].strategy.qualification_discipline",
        "given 'high'; allowed: a number",
    ),
    "out-of-range.yaml": ("market.enterprise_share", "given 1.5; allowed: less than or equal to 1"),
    "missing-name.yaml": ("name", "required field is missing"),
    "duplicate-variants.yaml": ("variants", "variant names must be unique; repeated: same"),
    "not-a-mapping.yaml": ("", "given list; allowed: a mapping"),
    "no-engineers.yaml": ("team", "needs at least one sales engineer"),
    "rival-incomplete.yaml": ("competitors.rivals[0].brand", "required field is missing"),
    "wrong-type-section.yaml": ("team", "given 5; allowed: a mapping of fields"),
    "duplicate-key.yaml": ("team", "key 'team' appears twice (lines 3 and 9)"),
    "duplicate-nested-key.yaml": ("team.hunters", "key 'hunters' appears twice (lines 4 and 6)"),
    "boolean-count.yaml": ("team.hunters", "given True; allowed: a whole number"),
    "fraction-count.yaml": ("team.hunters", "given 0.5; allowed: a whole number"),
    "boolean-number.yaml": ("market.enterprise_share", "given True; allowed: a number"),
    "too-many-accounts.yaml": (
        "market.accounts",
        "given 100000000000000; allowed: less than or equal to 1000000",
    ),
}


def test_every_bad_file_has_a_case():
    others = ["many-problems.yaml", "twins-and-more.yaml"]
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted([*CASES, *others])


@pytest.mark.parametrize("name", sorted(CASES))
def test_validate_names_the_field(name):
    path, words = CASES[name]
    result = runner.invoke(app, ["validate", str(BAD / name)])
    assert result.exit_code == 2
    assert str(BAD / name) in result.stderr
    expected_line = f"  - {path}: " if path else "  - "
    assert expected_line in result.stderr
    assert words in result.stderr
    assert "Traceback" not in result.output


@pytest.mark.parametrize("name", sorted(CASES))
def test_run_writes_nothing(name, tmp_results):
    result = runner.invoke(app, ["run", str(BAD / name), "-n", "2", "--out", str(tmp_results)])
    assert result.exit_code == 2
    assert not tmp_results.exists()


def test_all_problems_reported_at_once():
    result = runner.invoke(app, ["validate", str(BAD / "many-problems.yaml")])
    assert result.exit_code == 2
    assert "4 problems" in result.stderr
    for path in (
        "horizon_months",
        "market.accounts",
        "variants[0].team.hunters",
        "variants[1].process.lead_patience_days",
    ):
        assert f"  - {path}: given" in result.stderr


def test_repeated_variant_names_reported_beside_other_problems():
    # pydantic skips the list's own check when one of its items fails
    result = runner.invoke(app, ["validate", str(BAD / "twins-and-more.yaml")])
    assert result.exit_code == 2
    assert "2 problems" in result.stderr
    assert "  - variants[2].team.hunters: given -1" in result.stderr
    assert "  - variants: variant names must be unique; repeated: same" in result.stderr


def test_duplicate_keys_all_reported_at_any_depth(tmp_path):
    path = tmp_path / "twice.yaml"
    path.write_text(
        "name: x\ndescription: d\nvariants:\n  - name: a\n    team: {farmers: 1, farmers: 2}\n"
        "    strategy:\n      pitch: vaporware\n      pitch: beta_partner\n"
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "2 problems" in result.stderr
    assert "variants[0].team.farmers: key 'farmers' appears twice (line 5, column" in result.stderr
    assert "variants[0].strategy.pitch: key 'pitch' appears twice (lines 7 and 8)" in (
        result.stderr
    )


def test_yaml_anchors_and_merge_keys_still_load(tmp_path):
    path = tmp_path / "anchors.yaml"
    path.write_text(
        "name: x\ndescription: d\nteam: &team {hunters: 4, farmers: 2}\nvariants:\n"
        "  - name: a\n  - name: b\n    team:\n      <<: *team\n      hunters: 5\n"
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize(
    ("override", "words"),
    [
        ("team.hunters=true", "given True; allowed: a whole number"),
        ("team.farmers=0.5", "given 0.5; allowed: a whole number"),
        ("team.sales_engineers='3'", "given '3'; allowed: a whole number"),
        ("horizon_months=false", "given False; allowed: a whole number"),
        ("market.enterprise_share=true", "given True; allowed: a number"),
        ("competitors.household_name.brand=false", "given False; allowed: a number"),
        ("post_sale.comp_plan_rewards_references=1", "given 1; allowed: true or false"),
    ],
)
def test_booleans_text_and_fractions_are_not_numbers_or_counts(override, words):
    result = runner.invoke(app, ["validate", "baseline", "--set", override])
    assert result.exit_code == 2, result.output
    assert f"{override.split('=')[0]}: {words}" in result.stderr


def test_missing_file_and_bad_set(tmp_results):
    result = runner.invoke(app, ["validate", "no/such/file.yaml"])
    assert result.exit_code == 2 and "file not found" in result.stderr
    assert "Bundled scenarios: advertising, baseline" in result.stderr
    result = runner.invoke(app, ["validate", "baseline", "--set", "market.accounts"])
    assert result.exit_code == 2 and "expected PATH=VALUE" in result.stderr
    result = runner.invoke(app, ["validate", "baseline", "--set", "market.acounts=5"])
    assert result.exit_code == 2 and "market.acounts: unknown field" in result.stderr


@pytest.mark.parametrize(
    ("asked", "meant"),
    [
        ("death_spiral", "death-spiral"),
        ("Death Spiral", "death-spiral"),
        ("qualificaton", "qualification"),
        ("bass-limit", "checks/bass-limit"),
        ("scenarios/handoff_.yaml", "handoff"),
    ],
)
def test_a_name_not_found_suggests_the_bundled_ones(asked, meant, tmp_results):
    for command in (["validate", asked], ["run", asked, "-n", "2", "--out", str(tmp_results)]):
        result = runner.invoke(app, command)
        assert result.exit_code == 2
        assert f"file not found; did you mean: {meant}" in result.stderr
        assert "engine checks: checks/bass-limit" in result.stderr
        assert "Traceback" not in result.output
    assert not tmp_results.exists()


def test_problems_inside_a_variants_list_items_are_reported(tmp_path):
    path = tmp_path / "budget.yaml"
    path.write_text(
        "name: x\ndescription: d\nvariants:\n  - name: a\n  - name: b\n    marketing:\n"
        "      budget_changes:\n        - {brand_usd_per_month: 0}\n"
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "variants[1].marketing.budget_changes[0].month: required field is missing" in (
        result.stderr
    )


def test_set_with_variants_not_a_list_is_a_clean_error(tmp_path):
    path = tmp_path / "variants.yaml"
    path.write_text("name: x\ndescription: d\nvariants: 3\n")
    result = runner.invoke(app, ["validate", str(path), "--set", "team.hunters=2"])
    assert result.exit_code == 2 and "variants: given 3; allowed: a list" in result.stderr


@pytest.mark.parametrize(
    "override",
    [
        "competitors.entrants.rate_per_year.enterprise=.inf",
        "market.choice.do_nothing_utility=.nan",
        "competitors.entrants.rate_per_year.mid_market=-5",
        "market.enterprise.perceived_risk_log_sd=40",
        "post_sale.ltv_churn_floor=0",
    ],
)
def test_numbers_out_of_their_domain_are_rejected(override):
    result = runner.invoke(app, ["validate", "baseline", "--set", override])
    assert result.exit_code == 2, result.output
    assert override.split("=")[0] in result.stderr


def test_names_with_markup_run_and_print(tmp_path):
    path = tmp_path / "markup.yaml"
    path.write_text('name: "Q3 [/draft]"\ndescription: d\nvariants:\n  - name: "[/red] base"\n')
    result = runner.invoke(
        app,
        ["run", str(path), "-n", "2", "--out", str(tmp_path / "out"), "--set", "horizon_months=6"],
    )
    assert result.exit_code == 0, result.output
    assert "[/red] base" in result.output
