"""A start from today's pipeline continues the company its export came from (issue 22): the
accounts of the export's won deals and of its losses still cooling off are off the market on
day 0, as they were in the company's own history. Awareness is held fixed (every account knows
us, none forgets), so the market is the state that sets the restart's new leads.

Measured here (12 seeds): the company went on to open 152 new opportunities in 3 months; a
restart from its whole export opens 164 (+7%), a restart from its open deals alone 174 (+14%).
What is left is what no export shows: leads that went cold before a first meeting, or nobody
answered, cool their accounts off too.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from simulator.calibrate.simulate import simulated_export
from simulator.crm.salesforce import write_salesforce
from simulator.model.events import Kind, Source
from simulator.parameters import Parameters
from simulator.runs.experiment import replication_log
from simulator.units import DAYS_PER_MONTH

HISTORY_MONTHS = 12
AHEAD_MONTHS = 3
REPLICATIONS = 12
SEED = 21
AS_OF = dt.date(2023, 12, 31)
WORLD = {
    "team": {"hunters": 8},
    "market": {"accounts": 2500, "aware_share": 1.0},
    "marketing": {"awareness": {"forgetting": 0.0}},
}


def _opened(log: np.ndarray, start: float) -> int:
    opened = log[(log["kind"] == Kind.OPENED) & (log["code"] != Source.OPEN_AT_START)]
    ahead = opened["day"] - start
    return int(np.count_nonzero((ahead > 0) & (ahead <= AHEAD_MONTHS * DAYS_PER_MONTH)))


def _restart(export: Path, i: int) -> int:
    today = Parameters.model_validate(
        {**WORLD, "start": {"from_crm": str(export), "as_of": AS_OF.isoformat()}}
    )
    return _opened(replication_log(today, AHEAD_MONTHS, SEED + 1, i), 0.0)


@pytest.fixture(scope="module")
def counts(tmp_path_factory: pytest.TempPathFactory) -> dict[str, np.ndarray]:
    """New opportunities in the 3 months after the export's day: the company's own history
    going on, a restart from its export, and a restart from its open deals alone (paired with
    the restart: the same seeds), whose market no deal has touched."""
    folder = tmp_path_factory.mktemp("restart")
    history = Parameters.model_validate({**WORLD, "start": {"date": "2023-01-01"}})
    found: dict[str, list[int]] = {"continued": [], "restarted": [], "untouched": [], "used": []}
    for i in range(REPLICATIONS):
        log = replication_log(history, HISTORY_MONTHS + AHEAD_MONTHS, SEED, i)
        found["continued"].append(_opened(log, HISTORY_MONTHS * DAYS_PER_MONTH))
        deals = simulated_export(history, HISTORY_MONTHS, SEED, i, AS_OF)
        found["used"].append(int(np.count_nonzero(deals.won | deals.lost)))
        write_salesforce(deals, folder / f"export-{i}.csv")
        write_salesforce(deals.take(np.flatnonzero(deals.open)), folder / f"open-{i}.csv")
        found["restarted"].append(_restart(folder / f"export-{i}.csv", i))
        found["untouched"].append(_restart(folder / f"open-{i}.csv", i))
    return {name: np.array(values, float) for name, values in found.items()}


def _interval(diff: np.ndarray) -> tuple[float, float]:
    half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / math.sqrt(diff.size)
    return diff.mean() - half, diff.mean() + half


def test_the_history_used_up_a_fifth_of_the_market(counts: dict[str, np.ndarray]) -> None:
    assert counts["used"].mean() > 0.18 * WORLD["market"]["accounts"]


def test_the_exports_closed_deals_hold_back_new_leads(counts: dict[str, np.ndarray]) -> None:
    low, _ = _interval(counts["untouched"] - counts["restarted"])  # paired on the seeds
    assert low > 0


def test_a_restart_comes_closer_to_the_companys_own_rate(counts: dict[str, np.ndarray]) -> None:
    """Closer to the company's own next months than an untouched market: the gap the closed
    deals close is more than the spread of the comparison (the continuation is one history per
    seed, the restarts another, so the gaps are paired on the restarts' seeds)."""
    continued = counts["continued"].mean()
    gap = np.abs(counts["untouched"] - continued) - np.abs(counts["restarted"] - continued)
    low, _ = _interval(gap)
    assert low > 0
