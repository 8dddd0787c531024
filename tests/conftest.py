"""Shared helpers: small scenarios built in code, and replications run in-process."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from scipy.stats import t

from simulator.runs.aggregate import variant_values
from simulator.scenario.resolve import Scenario, apply_overrides, load_scenario, resolve

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
TEST_SCENARIOS = Path(__file__).resolve().parent / "scenarios"


def scenario_from(raw: dict[str, Any], *overrides: str) -> Scenario:
    """A scenario from plain data plus ``--set`` style overrides."""
    raw = {"name": "test", "description": "built by a test", **raw}
    set_paths = apply_overrides(raw, list(overrides), "test")
    return resolve(raw, "test", set_paths)


def paired_interval(more: np.ndarray, less: np.ndarray) -> tuple[float, float]:
    """The 95% t-interval of the mean per-replication difference ``more - less`` (replications
    paired by common random numbers)."""
    difference = more - less
    half = t.ppf(0.975, difference.size - 1) * difference.std(ddof=1) / math.sqrt(difference.size)
    return float(difference.mean() - half), float(difference.mean() + half)


def bundled(name: str, *overrides: str) -> Scenario:
    return load_scenario(SCENARIOS / f"{name}.yaml", list(overrides))


def column(summary: Any, variant: str, metric: str) -> np.ndarray:
    """One metric's values for one variant, ordered by replication."""
    return variant_values(summary, variant, metric)


@pytest.fixture
def tmp_results(tmp_path: Path) -> Path:
    return tmp_path / "results"


# The browser tests drive Debian's Chromium (.ci/run installs it; Playwright never downloads one).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
