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
