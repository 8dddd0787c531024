"""What the fit leaves unknown, in the forecast: the inputs of a calibrated scenario drawn from
its fit's sampling distribution (``fit.uncertainty``), so the band carries input uncertainty as
well as chance.

A forecast of ``R`` futures draws ``K`` input settings (``INPUT_DRAWS``, fewer for a small
``R``) and runs each on about ``R / K`` chance draws of its own (setting ``k`` runs replications
``floor(k R / K)`` up to ``floor((k + 1) R / K)``): every future is an independent draw of
both, so the band's quantiles are those of ``R`` independent futures, and its variance splits
into what the inputs make and what chance makes (``sources``, a one-way random-effects
analysis of variance).

Input setting ``k`` is a pure function of (scenario, root seed, k): its draw comes from
``SeedSequence(root, spawn_key=(INPUT_DRAWS_KEY, k))``, apart from every replication's stream.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, replace

import numpy as np

from simulator.parameters import Parameters
from simulator.parameters.knobs import BY_NAME, moved
from simulator.parameters.tree import FitUncertainty
from simulator.scenario.resolve import Variant

INPUT_DRAWS = 25
"""Input settings a forecast draws (the band's quantiles want chance draws too: 500 futures
are 25 settings x 20 chance draws)."""
MIN_CHANCE_DRAWS = 2
"""Chance draws each input setting runs at least: the split of the band needs two."""
INPUT_DRAWS_KEY = 2**40 + 22
"""First spawn key of the input draws' seeds: no replication number reaches it."""


@dataclass(frozen=True)
class Design:
    """How a forecast's ``replications`` futures are made: ``inputs`` settings, each on its
    own consecutive share of the replications."""

    inputs: int
    replications: int

    @classmethod
    def of(cls, replications: int, drawn: bool) -> Design:
        if not drawn:
            return cls(1, replications)
        return cls(max(1, min(INPUT_DRAWS, replications // MIN_CHANCE_DRAWS)), replications)

    def bounds(self) -> list[tuple[int, int]]:
        """Each setting's replications, ``[start, stop)``."""
        cuts = [k * self.replications // self.inputs for k in range(self.inputs + 1)]
        return list(itertools.pairwise(cuts))

    @property
    def chance(self) -> int:
        """The fewest futures a setting runs."""
        return self.replications // self.inputs


def input_variants(
    variant: Variant, uncertainty: FitUncertainty, draws: int, seed: int
) -> tuple[Variant, ...]:
    """``draws`` copies of ``variant``, each with its fitted inputs moved by a draw from the
    fit's sampling distribution (a normal with its covariance; a covariance that rounding
    left slightly indefinite is taken at its nearest positive semi-definite matrix). The
    scenario's load has checked that every input it names is a calibration's."""
    knobs = tuple(BY_NAME[name] for name in uncertainty.inputs)
    center = np.array(uncertainty.center)
    values, vectors = np.linalg.eigh(np.array(uncertainty.covariance))
    root = vectors * np.sqrt(np.clip(values, 0.0, None))
    tree = variant.parameters.model_dump()
    made = []
    for k in range(draws):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(INPUT_DRAWS_KEY, k)))
        delta = root @ rng.standard_normal(len(knobs))
        parameters = Parameters.model_validate(moved(tree, knobs, center, delta))
        name = f"{variant.name} (inputs {k + 1})"
        made.append(replace(variant, name=name, parameters=parameters))
    return tuple(made)


@dataclass(frozen=True)
class Sources:
    """How much of the spread of a quantity (its variance over the futures) each source
    makes, as shares that add to 1: the inputs (how far apart the settings' mean outcomes
    are) and chance (how far one future falls from its setting's mean)."""

    inputs: float
    chance: float

    def to_json(self) -> dict[str, float]:
        return {"inputs": self.inputs, "chance": self.chance}


def sources(values: np.ndarray, design: Design) -> Sources | None:
    """The one-way random-effects analysis of variance of ``values`` (one per future, in
    replication order): the settings' variance component from the mean squares, with the
    unbalanced design's effective group size (a negative estimate taken as 0), against the
    variance within a setting; None with one setting or one draw each (nothing to split), or
    a quantity that does not vary."""
    if design.inputs < 2 or design.chance < 2:
        return None
    values = np.asarray(values, float)
    groups = [values[start:stop] for start, stop in design.bounds()]
    sizes = np.array([len(g) for g in groups], float)
    means = np.array([g.mean() for g in groups])
    n, k = sizes.sum(), len(groups)
    between = np.sum(sizes * (means - values.mean()) ** 2) / (k - 1)
    within = sum(float(np.sum((g - g.mean()) ** 2)) for g in groups) / (n - k)
    effective = (n - np.sum(sizes**2) / n) / (k - 1)
    inputs = max(0.0, (between - within) / effective)
    total = inputs + within
    if total <= 0:
        return None
    return Sources(inputs / total, within / total)
