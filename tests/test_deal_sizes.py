"""Deal sizes from an export (``market.deal_sizes``): an account's full deal size is one of the
export's quantiles, scaled so that their median is its segment's median; the lognormal stays
for a scenario without them."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from simulator.model.entities import ENTERPRISE, MID_MARKET, Accounts
from simulator.parameters import Parameters
from tests.conftest import bundled

STAIRCASE = [100.0] * 30 + [500.0] * 40 + [1100.0] * 20 + [5000.0] * 10


def _accounts(sizes: list[float] | None, seed: int = 3) -> tuple[Accounts, Parameters]:
    tree = bundled("baseline").variants[0].parameters.model_dump()
    tree["market"]["accounts"] = 4000
    if sizes is not None:
        tree["market"]["deal_sizes"] = {"source": "a test", "quantiles_usd": sizes}
    parameters = Parameters.model_validate(tree)
    accounts = Accounts.draw(parameters.market, parameters.product, np.random.default_rng(seed))
    return accounts, parameters


def test_sizes_are_the_exports_steps_at_each_segments_level() -> None:
    accounts, parameters = _accounts(STAIRCASE)
    sizes = np.array(accounts.deal_size_usd)
    segment = np.array(accounts.segment)
    steps = np.array(sorted(set(STAIRCASE))) / 500.0  # the staircase over its median
    for index, name in ((ENTERPRISE, "enterprise"), (MID_MARKET, "mid_market")):
        median = getattr(parameters.market, name).deal_size_median_usd
        relative = sizes[segment == index] / median
        assert np.isclose(relative[:, None], steps[None, :]).any(axis=1).all()  # steps only
        shares = [np.isclose(relative, step).mean() for step in steps]
        # each step's share of the accounts is its share of the quantiles, within 4 binomial
        # standard errors
        n = relative.size
        for share, expected in zip(shares, (0.3, 0.4, 0.2, 0.1), strict=True):
            assert share == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / n))


def test_without_them_the_sizes_are_lognormal_as_before() -> None:
    accounts, _ = _accounts(None)
    assert len(set(accounts.deal_size_usd)) == len(accounts.deal_size_usd)  # continuous


def test_quantiles_out_of_order_are_refused() -> None:
    with pytest.raises(ValidationError, match="ascending"):
        _accounts(list(reversed(STAIRCASE)))


def test_an_export_gives_its_own_sizes_only_with_enough_sized_wins() -> None:
    """Its quantiles are values it holds, in order; under ``MIN_SIZED_WINS`` won deals with an
    amount it gives none (the calibration then says so and fits the lognormal); every segment
    takes the export's median, as an export does not say a deal's segment."""
    from simulator.calibrate.deal_sizes import MIN_SIZED_WINS, deal_sizes_of, with_export_sizes
    from tests.test_calibrate_page import synthetic

    deals = synthetic(5, deals=400, win=0.6)
    won = deals.won & np.isfinite(deals.acv_usd)
    assert won.sum() >= MIN_SIZED_WINS
    sizes = deal_sizes_of(deals)
    assert sizes is not None
    values = sizes["quantiles_usd"]
    assert values == sorted(values) and set(values) <= set(deals.acv_usd[won].tolist())
    few = deals.take(np.flatnonzero(won)[: MIN_SIZED_WINS - 1])
    assert deal_sizes_of(few) is None
    tree = with_export_sizes(bundled("baseline").variants[0].parameters.model_dump(), sizes)
    medians = {tree["market"][s]["deal_size_median_usd"] for s in ("enterprise", "mid_market")}
    assert medians == {float(np.median(values))}
    Parameters.model_validate(tree)


def test_open_deals_keep_the_segments_shares_when_the_sizes_say_nothing_of_them() -> None:
    """With every segment at the export's median (a calibration's deal sizes), an open deal's
    amount cannot choose its segment: deals land across the market in its segments' shares,
    not all in the first segment a tie picks."""
    from simulator.model.processes.resume import pick_accounts

    accounts, parameters = _accounts(STAIRCASE)
    tree = parameters.model_dump()
    for segment in ("enterprise", "mid_market", "smb"):
        tree["market"][segment]["deal_size_median_usd"] = 1100.0
    market = Parameters.model_validate(tree).market
    values = np.full(1000, 1100.0)
    chosen = pick_accounts(values, accounts, market, np.random.default_rng(9))
    segment = np.asarray(accounts.segment)
    share = np.mean(segment[chosen] == ENTERPRISE)
    expected = np.mean(segment == ENTERPRISE)
    # 1,000 draws without replacement from 4,000 accounts: within 4 binomial standard errors
    assert abs(share - expected) < 4 * np.sqrt(expected * (1 - expected) / values.size)
    assert len(set(chosen)) == values.size
