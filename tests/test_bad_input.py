"""Broken scenario files: exit code 2, an error naming file and field, nothing written."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from simulator.cli import app
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
}


def test_every_bad_file_has_a_case():
    assert sorted(p.name for p in BAD.glob("*.yaml")) == sorted([*CASES, "many-problems.yaml"])


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


def test_missing_file_and_bad_set(tmp_results):
    result = runner.invoke(app, ["validate", "no/such/file.yaml"])
    assert result.exit_code == 2 and "file not found" in result.stderr
    result = runner.invoke(app, ["validate", "baseline", "--set", "market.accounts"])
    assert result.exit_code == 2 and "expected PATH=VALUE" in result.stderr
    result = runner.invoke(app, ["validate", "baseline", "--set", "market.acounts=5"])
    assert result.exit_code == 2 and "market.acounts: unknown field" in result.stderr


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
