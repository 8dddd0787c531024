"""`salesim sensitivity`: Morris recovers known elementary effects and their order on toy
functions, Sobol recovers the Ishigami function's published indices within its own Monte Carlo
error, a scenario's `ranges:` is validated like any parameter, and the command ranks the drivers
of a paired difference with the share of settings where the verdict keeps its sign."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.decide.sensitivity import Factor, design_size, sensitivity, sign_share
from simulator.parameters import Parameters
from simulator.parameters.ranges import DEFAULT_RANGES, range_problem
from tests.conftest import SCENARIOS

runner = CliRunner()

# A linear toy: the elementary effect of x_i over its whole range is c_i x (high - low). The
# order by coefficient (x0 first) differs from the order by effect (x1 first), so ranking by
# coefficients, or by unscaled derivatives, would fail.
COEFFICIENTS = np.array([10.0, 1.0, 3.0, 0.0])
TOY = [Factor("x0", 0.0, 0.1), Factor("x1", 0.0, 20.0), Factor("x2", 0.0, 2.0),
       Factor("x3", 0.0, 1.0)]  # fmt: skip
EFFECTS = {"x0": 1.0, "x1": 20.0, "x2": 6.0, "x3": 0.0}


def test_morris_recovers_known_elementary_effects_and_their_order():
    result = sensitivity(lambda x: x @ COEFFICIENTS, TOY, "morris", samples=10, seed=4)
    assert [d.path for d in result.drivers] == ["x1", "x2", "x0", "x3"]
    for driver in result.drivers:
        assert driver.importance == pytest.approx(EFFECTS[driver.path], abs=1e-9)
        assert driver.signed == pytest.approx(EFFECTS[driver.path], abs=1e-9)  # all raise it
        assert driver.spread == pytest.approx(0.0, abs=1e-9)  # linear: no interaction
    assert len(result.settings) == design_size("morris", len(TOY), 10)


def test_morris_order_survives_noise_within_its_monte_carlo_error():
    """With noise of sd 0.1 on every evaluation, an effect's estimate errs by about
    0.1 x sqrt(2) / delta / sqrt(trajectories) (delta = 2/3 of the range for 4 levels): the
    closest gap in the toy (1 against 0) is many times that."""
    rng = np.random.default_rng(11)
    trajectories = 20
    noisy = sensitivity(
        lambda x: x @ COEFFICIENTS + rng.normal(0.0, 0.1, len(x)), TOY, "morris",
        samples=trajectories, seed=4,
    )  # fmt: skip
    assert [d.path for d in noisy.drivers] == ["x1", "x2", "x0", "x3"]
    error = 0.1 * math.sqrt(2) / (2 / 3) / math.sqrt(trajectories)
    for driver in noisy.drivers:
        assert abs(driver.importance - EFFECTS[driver.path]) < 4 * error, driver


def test_sobol_recovers_the_ishigami_indices_within_their_intervals():
    """Ishigami (a=7, b=0.1) on [-pi, pi]^3: S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244
    (Saltelli et al. 2008); each estimate within its own 95% bootstrap interval."""
    factors = [Factor(f"x{i}", -math.pi, math.pi) for i in range(3)]

    def ishigami(x: np.ndarray) -> np.ndarray:
        return np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])

    result = sensitivity(ishigami, factors, "sobol", samples=1024, seed=3)
    known = {"x0": (0.314, 0.558), "x1": (0.442, 0.442), "x2": (0.0, 0.244)}
    assert [d.path for d in result.drivers] == ["x0", "x1", "x2"]
    for d in result.drivers:
        first, total = known[d.path]
        assert abs(d.importance - total) <= d.importance_conf, d
        assert abs(d.signed - first) <= d.spread, d


def test_sign_share_counts_the_settings_that_keep_the_verdict():
    assert sign_share(np.array([1.0, 2.0, -1.0, 3.0]), 0.5) == 0.75
    assert sign_share(np.array([1.0, np.nan]), -2.0) == 0.0
    assert math.isnan(sign_share(np.array([1.0]), math.nan))


def test_the_default_ranges_are_allowed_values():
    tree = Parameters().model_dump()
    for path, (low, high) in DEFAULT_RANGES.items():
        assert range_problem(Parameters, tree, path, low, high) is None, path


def test_a_ranges_section_is_validated_like_a_parameter(tmp_path):
    path = tmp_path / "ranged.yaml"
    path.write_text(
        "name: Ranged\ndescription: ranges\nranges:\n  team.hunters: [0, 12]\n"
        "  team.hunterz: [1, 2]\n  strategy.qualification_discipline: [0.9, 0.4]\n"
    )
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    for words in ("team.hunters: 0 outside", "a whole number from 1 to 10,000",
                  "unknown field 'hunterz'", "must go from low to high"):  # fmt: skip
        assert words in result.stderr, words


@pytest.fixture(scope="module")
def death_spiral_sensitivity(tmp_path_factory):
    out = tmp_path_factory.mktemp("sensitivity")
    args = ["sensitivity", "death-spiral", "--compare", "vaporware", "--metric", "bookings_12m"]
    args += ["--vary", "product.features[0].slip.probability=0.2:0.9"]
    args += ["--vary", "team.hunters=3:8", "--samples", "3", "-n", "3", "--workers", "1"]
    args += ["--set", "market.accounts=300", "--set", "horizon_months=12", "--out", str(out)]
    result = runner.invoke(app, [*args, "--json", "-"])
    assert result.exit_code == 0, result.output
    (run_dir,) = [p for p in out.iterdir() if not p.name.startswith(".")]
    return json.loads(result.stdout), run_dir


def test_sensitivity_ranks_the_drivers_of_a_paired_difference(death_spiral_sensitivity):
    data, run_dir = death_spiral_sensitivity
    assert data["compare"] == "vaporware" and data["method"] == "morris"
    paths = {d["path"] for d in data["drivers"]}
    assert paths == {"product.features[0].slip.probability", "team.hunters"}
    assert [d["rank"] for d in data["drivers"]] == [1, 2]
    assert 0.0 <= data["robustness"]["share_same_sign"] <= 1.0
    assert data["settings"] == design_size("morris", 2, 3)
    for name in ("sensitivity.parquet", "settings.parquet", "report.html", "manifest.json"):
        assert (run_dir / name).is_file(), name
    html = (run_dir / "report.html").read_text()
    assert 'id="tornado"' in html and 'id="robustness"' in html


def test_a_scenario_ranges_section_is_used(tmp_path):
    text = (SCENARIOS / "baseline.yaml").read_text()
    text += "ranges:\n  team.hunters: [3, 6]\n  team.sales_engineers: [1, 3]\n"
    path = tmp_path / "ranged.yaml"
    path.write_text(text)
    args = ["sensitivity", str(path), "--metric", "meetings_q1", "--samples", "2", "-n", "2"]
    args += ["--set", "market.accounts=300", "--set", "horizon_months=3", "--workers", "1"]
    result = runner.invoke(app, [*args, "--out", str(tmp_path / "r"), "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["ranges_from"] == "the scenario's ranges:"
    assert data["drivers"][0]["path"] == "team.hunters"  # hunters make meetings


@pytest.mark.parametrize(
    "extra, words",
    [
        (["--vary", "team.hunters=0:5", "--vary", "team.ramp_months=1:2"],
         ["team.hunters", "a whole number from 1 to 10,000"]),
        (["--vary", "team.nope=1:5", "--vary", "team.ramp_months=1:2"],
         ["team.nope", "unknown field 'nope'"]),
        (["--compare", "nothing"], ["--compare 'nothing'", "vaporware"]),
        (["--metric", "bookingz"], ["'bookingz' is not a summary metric", "arr_end"]),
        (["--method", "fast"], ["--method 'fast'", "morris, sobol"]),
    ],
)  # fmt: skip
def test_bad_input_exits_2(extra, words, tmp_path):
    result = runner.invoke(app, ["sensitivity", "death-spiral", *extra, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    for word in words:
        assert word in result.stderr, (word, result.stderr)
