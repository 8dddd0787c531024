"""Deal sizes from the export itself: its won deals' ACVs, kept as quantiles in the scenario
(``market.deal_sizes``) and resampled by the model in place of a lognormal, so a staircase of
list prices stays one in the deals offered. (A won deal signs for less than its full size when
the business case is incomplete or a discount is given, so the won ACVs blur the steps a
little; the deal-size knob fits their level.) A calibration without enough sized wins keeps
the lognormal."""

from __future__ import annotations

import copy
from enum import StrEnum
from typing import Any

import numpy as np

from simulator.crm.table import Deals
from simulator.parameters import SEGMENTS

Tree = dict[str, Any]


class DealSizeSource(StrEnum):
    """Where a calibrated scenario's deal sizes come from."""

    export = "export"  # the export's won ACVs, when it has amounts
    lognormal = "lognormal"  # each segment's lognormal, median and spread fitted


SIZE_QUANTILES = 100
"""Quantiles of the export's won ACVs a calibrated scenario keeps (``market.deal_sizes``)."""
MIN_SIZED_WINS = 30
"""Won deals with an amount an export needs for its own deal sizes (fewer: the lognormal)."""


def deal_sizes_of(observed: Deals) -> dict[str, object] | None:
    """The export's won deals' ACVs as ``market.deal_sizes``: their quantiles at
    ``(k + 1/2) / SIZE_QUANTILES``, each a value the export holds (a staircase of list prices
    stays one); None with fewer than ``MIN_SIZED_WINS`` won deals with an amount."""
    acv = observed.acv_usd[observed.won]
    acv = acv[np.isfinite(acv) & (acv > 0)]
    if acv.size < MIN_SIZED_WINS:
        return None
    levels = (np.arange(SIZE_QUANTILES) + 0.5) / SIZE_QUANTILES
    quantiles = np.quantile(acv, levels, method="inverted_cdf")
    return {
        "source": f"the {acv.size:,} won deals with an amount in the export as of {observed.as_of}",
        "quantiles_usd": [float(v) for v in quantiles.tolist()],
    }


def with_export_sizes(base: Tree, sizes: dict[str, object]) -> Tree:
    """``base`` drawing every deal from the export's sizes: an export does not say which
    segment a deal is in, so every segment takes the export's median (the deal-size knob then
    scales them alike) and the deals offered show the export's staircase, not a blend of it at
    three levels."""
    tree = copy.deepcopy(base)
    tree["market"]["deal_sizes"] = sizes
    median = float(np.median(np.asarray(sizes["quantiles_usd"], float)))
    for segment in SEGMENTS:
        tree["market"][segment]["deal_size_median_usd"] = median
    return tree
