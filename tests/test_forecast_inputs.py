"""A forecast's band carries what the fit leaves unknown: each input setting is drawn from the
fit's sampling distribution, and the band's spread splits into the inputs' share and chance's."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.forecast.inputs import Design, input_variants, sources
from simulator.parameters.tree import FitUncertainty
from simulator.scenario.resolve import load_scenario

runner = CliRunner()


def test_the_split_is_a_one_way_analysis_of_variance() -> None:
    """Two settings of three futures: means 2 and 5 (grand 3.5); the mean square between is
    3 x (1.5² + 1.5²) / 1 = 13.5, within (1 + 0 + 1 + 1 + 0 + 1) / 4 = 1, so the inputs'
    component is (13.5 - 1) / 3 and chance's is 1."""
    values = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    split = sources(values, Design(2, 6))
    inputs = (13.5 - 1.0) / 3
    assert split.inputs == pytest.approx(inputs / (inputs + 1.0))
    assert split.chance == pytest.approx(1.0 / (inputs + 1.0))
    assert sources(values, Design(1, 6)) is None  # nothing to split


def test_the_split_recovers_known_components() -> None:
    """Settings with variance 1 and chance with variance 3: the inputs make a quarter. With
    2,000 settings of 5 futures, the inputs' component has a standard error of about
    sqrt(2 / 1999) x (1 + 3 / 5) = 0.051 and the share about 0.013; 4 of them is the
    tolerance."""
    rng = np.random.default_rng(7)
    k, m = 2000, 5
    values = (rng.normal(0, 1, (k, 1)) + rng.normal(0, math.sqrt(3), (k, m))).ravel()
    assert sources(values, Design(k, k * m)).inputs == pytest.approx(0.25, abs=4 * 0.013)


UNCERTAIN = FitUncertainty(
    inputs=["leads", "pull_in"],
    center=[0.2, 0.3],
    covariance=[[0.04, 0.01], [0.01, 0.0225]],
)


def _variant():
    """The baseline as a fit to UNCERTAIN would leave it: the pull-in at the fitted 0.3."""
    return load_scenario(
        "scenarios/baseline.yaml", ["team.quarter_end.pull_in_probability=0.3"]
    ).variants[0]


def test_input_settings_are_drawn_from_the_fits_distribution() -> None:
    """The leads' log factor and the pull-in's move over 400 settings have the record's
    covariance (a sample variance of n normals has a standard error of sigma² sqrt(2 / (n-1)):
    4 of them is the tolerance), and a setting is the same however many are drawn."""
    variant = _variant()
    settings = input_variants(variant, UNCERTAIN, 400, seed=3)
    team = variant.parameters.team
    moves = np.array(
        [
            [
                math.log(s.parameters.team.outbound_leads_per_hunter_month
                         / team.outbound_leads_per_hunter_month),
                s.parameters.team.quarter_end.pull_in_probability
                - team.quarter_end.pull_in_probability,
            ]
            for s in settings
        ]
    )  # fmt: skip
    pulled = moves[:, 1]
    inside = (pulled > -0.3 + 1e-9) & (pulled < 0.7 - 1e-9)  # not clipped at 0 or 1
    assert inside.mean() > 0.95
    covariance = np.cov(moves[inside], rowvar=False)
    expected = np.array(UNCERTAIN.covariance)
    tolerance = 4 * np.sqrt(2 / (inside.sum() - 1)) * np.sqrt(np.outer(*[np.diag(expected)] * 2))
    assert np.all(np.abs(covariance - expected) <= tolerance)
    again = input_variants(variant, UNCERTAIN, 3, seed=3)
    assert [s.parameters for s in again] == [s.parameters for s in settings[:3]]
    assert input_variants(variant, UNCERTAIN, 3, seed=4)[0].parameters != again[0].parameters


def _scenario(tmp_path: Path, variance: float) -> Path:
    document = {
        "name": "uncertain",
        "description": "a small team with a fit record",
        "team": {"hunters": 4},
        "fit": {
            "settled": True,
            "source": "a test",
            "tries": 1,
            "uncertainty": {"inputs": ["leads"], "center": [0.0], "covariance": [[variance]]},
        },
    }
    path = tmp_path / f"uncertain-{variance}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def _forecast(path: Path, *extra: str) -> dict:
    result = runner.invoke(
        app,
        ["forecast", str(path), "-n", "160", "--months", "3", "--workers", "1", "--seed", "5",
         "--out", str(path.with_suffix(".html")), "--json", "-", *extra],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_no_uncertainty_is_the_fixed_forecast_and_more_widens_the_band(tmp_path: Path) -> None:
    """A fit that pins the leads exactly forecasts what holding them does, future for future;
    the less it pins them, the larger the inputs' share of the spread (the settings' draws are
    the same normals, scaled: a dose-response), and the wider the band."""
    fixed = _forecast(_scenario(tmp_path, 0.0), "--inputs", "fixed")
    assert fixed["inputs"] == "fixed" and fixed["band_sources"] is None
    exact = _forecast(_scenario(tmp_path, 0.0))
    assert exact["inputs"] == "drawn"
    assert exact["band_sources"]["input_settings"] == 25
    per_setting = exact["band_sources"]["futures_per_setting"]
    assert sum(per_setting) == 160 and set(per_setting) == {6, 7}  # -n as given
    assert exact["total"] == fixed["total"]
    shares, widths = [], []
    for variance in (0.0, 0.25, 1.0):
        drawn = _forecast(_scenario(tmp_path, variance))
        shares.append(drawn["band_sources"]["total"]["inputs"])
        widths.append(drawn["total"]["p90"] - drawn["total"]["p10"])
    assert shares[0] < shares[1] < shares[2]
    # a band partly made by the inputs is within its quantiles' own noise; one mostly made is wider
    assert widths[0] < widths[2]


def test_mistakes_about_the_inputs_exit_2(tmp_path: Path) -> None:
    uncalibrated = runner.invoke(
        app, ["forecast", "scenarios/baseline.yaml", "--inputs", "drawn", "-n", "4"]
    )
    assert uncalibrated.exit_code == 2
    assert "not calibrated; nothing to draw the inputs from" in uncalibrated.output
    path = _scenario(tmp_path, 0.04)
    path.write_text(path.read_text().replace("- leads", "- headcount"))
    unknown = runner.invoke(app, ["forecast", str(path), "-n", "4"])
    assert unknown.exit_code == 2
    assert "fit.uncertainty.inputs[0]: 'headcount' is not an input" in unknown.output
    path.write_text(path.read_text().replace("- headcount", "- leads\n    - cycle"))
    shape = runner.invoke(app, ["forecast", str(path), "-n", "4"])
    assert shape.exit_code == 2 and "fit.uncertainty.center: 1 values for 2 inputs" in shape.output


def test_an_input_the_export_does_not_pin_down_is_not_drawn() -> None:
    """A knob whose 95% interval reaches past a bound (lead quality fitted at 99.99%, its
    interval over every value) has no sampling distribution to draw from; one well inside its
    bounds has."""
    from simulator.calibrate.fit import Solution
    from simulator.parameters.knobs import BY_NAME

    knobs = (BY_NAME["leads"], BY_NAME["quality"], BY_NAME["pull_in"])
    solution = Solution(
        knobs=knobs,
        x=np.array([0.5, 7.9, 0.5]),
        covariance=np.diag([0.01, 9.0, 0.04]),  # sd 0.1, 3, 0.2
        simulated=[], simulated_raw={}, misses=np.zeros(3), evaluations=1, converged=True,
        start=np.zeros(3), searched=1,
    )  # fmt: skip
    assert [solution.pinned(i) for i in range(3)] == [True, False, True]
