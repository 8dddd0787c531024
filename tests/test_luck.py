"""Each opportunity's own random numbers (``model.luck``) and who knows us (``AwarenessPool``).

An opportunity's numbers are a pure function of (seed, account, n), whatever order opportunities
open in; a name added to ``U`` or ``Z``, or a competitor added to the scenario, leaves every
number already there as it was; and the numbers are what they claim (uniform, normal,
independent). Accounts nobody asked about are kept as counts: an account asked about knows us
with the chance the chain gives it, and keeps its state.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import simpy
from scipy import stats

from simulator.model import luck
from simulator.model.events import EventLog
from simulator.model.luck import NORMALS, UNIFORMS, OpportunityLuck, U, Z, names
from simulator.model.processes.awareness import Awareness
from simulator.model.processes.signals import Changing
from simulator.model.streams import Streams, replication_seed
from simulator.parameters import Awareness as AwarenessSection
from simulator.parameters import Competitor, Competitors
from simulator.runs.experiment import run_replication
from tests.conftest import bundled

SEED = 31
COMPETITORS = 5


def luck_of(replication: int = 0, competitors: int = COMPETITORS) -> OpportunityLuck:
    return OpportunityLuck(
        Streams(replication_seed(SEED, replication))["opportunities"], competitors
    )


def test_names_are_their_columns_in_order() -> None:
    for slots, count in ((U, UNIFORMS), (Z, NORMALS)):
        assert [getattr(slots, name) for name in names(slots)] == list(range(count))


def test_an_opportunitys_numbers_do_not_depend_on_the_order_asked() -> None:
    keys = [(account, nth) for account in range(0, 400, 7) for nth in range(3)]
    forward, backward = luck_of(), luck_of()
    first = {key: forward.take(*key) for key in keys}
    second = {key: backward.take(*key) for key in reversed(keys)}
    assert first == second
    assert luck_of(1).take(7, 0) != first[7, 0]  # another replication, other numbers
    assert first[7, 0] != first[7, 1]  # another opportunity of the account, too


def test_a_name_or_a_competitor_added_keeps_every_number_already_there(monkeypatch) -> None:
    keys = [(account, nth) for account in (0, 5, 33, 1000, 123_457) for nth in (0, 2)]
    before = {key: luck_of().take(*key) for key in keys}
    more_competitors = {key: luck_of(competitors=COMPETITORS + 4).take(*key) for key in keys}
    monkeypatch.setattr(luck, "UNIFORMS", UNIFORMS + 1)
    monkeypatch.setattr(luck, "NORMALS", NORMALS + 1)
    more_names = {key: luck_of().take(*key) for key in keys}
    for key, (u, z) in before.items():
        named, rivals = u[:UNIFORMS], u[UNIFORMS:]
        u2, z2 = more_names[key]
        assert u2[:UNIFORMS] == named and u2[UNIFORMS + 1 :] == rivals and z2[:NORMALS] == z
        u3, z3 = more_competitors[key]
        assert u3[: UNIFORMS + COMPETITORS] == u and z3 == z


def test_the_numbers_are_uniform_normal_and_independent() -> None:
    """Kolmogorov-Smirnov on every column and a correlation check between columns and between
    neighbouring accounts, at the 0.1% level each (Bonferroni over the columns: a fixed seed
    passes or fails the same way every run; a layout bug fails by orders of magnitude)."""
    draws = luck_of()
    taken = [draws.take(account, nth) for account in range(4000) for nth in range(2)]
    u = np.array([t[0] for t in taken])
    z = np.array([t[1] for t in taken])
    alpha = 0.001 / (u.shape[1] + z.shape[1])
    for column in u.T:
        assert stats.kstest(column, "uniform").pvalue > alpha
    for column in z.T:
        assert stats.kstest(column, "norm").pvalue > alpha
    together = np.column_stack([u, stats.norm.cdf(z)])
    correlations = np.corrcoef(together.T)[np.triu_indices(together.shape[1], 1)]
    bound = stats.norm.ppf(1 - alpha / len(correlations) / 2) / math.sqrt(len(together))
    assert np.abs(correlations).max() < bound
    neighbours = np.corrcoef(u[:-2:2, U.INTEREST], u[2::2, U.INTEREST])[0, 1]  # accounts a, a+1
    assert abs(neighbours) < stats.norm.ppf(1 - 0.0005) / math.sqrt(len(u) // 2)


def test_a_scenario_may_name_more_competitors_than_the_old_slot_table_held() -> None:
    """Seventeen rivals and entrants was the most the fixed table of uniforms held."""
    rival = Competitors().rivals[0]
    many = [rival.model_copy(update={"name": f"Rival {i}"}) for i in range(24)]
    scenario = bundled("baseline", "horizon_months=12")
    parameters = scenario.variants[0].parameters
    parameters = parameters.model_copy(
        update={"competitors": parameters.competitors.model_copy(update={"rivals": many})}
    )
    assert isinstance(many[0], Competitor)
    summary = run_replication(parameters, 12, SEED, 0).summary
    assert summary["lost_competitor"] > 0 and summary["won"] > 0


class _Brand:
    share_of_voice = 0.4


class _Customers:
    active = references = detractors = 0


class _On:
    word_of_mouth = True


def _awareness(accounts: int, replication: int) -> tuple[simpy.Environment, Awareness]:
    env = simpy.Environment()
    section = AwarenessSection(innovation=0.3, imitation=0.5, forgetting=0.4)
    rng = Streams(replication_seed(SEED, replication))["awareness"]
    aware_at_start = int(rng.binomial(accounts, 0.2))
    awareness = Awareness(
        env, section, accounts, aware_at_start, _Brand(), _Customers(), Changing(), EventLog(),
        rng, _On(),
    )  # fmt: skip
    return env, awareness


def _asked(accounts: int, replication: int, asked: list[int], days: tuple[float, ...]):
    """Whether each asked account knows us at each day, and the share that knows us then."""
    env, awareness = _awareness(accounts, replication)
    answers, shares = [], []
    for day in days:
        env.run(until=day)
        answers.append([awareness.knows_us(a) for a in asked])
        assert [awareness.knows_us(a) for a in asked] == answers[-1]  # asked again: the same
        shares.append(awareness._pool.count(True) / accounts)
    return np.array(answers), np.array(shares)


def test_an_account_asked_about_knows_us_with_the_chains_chance_and_keeps_its_state() -> None:
    """Asked at day 100 and day 400, the asked accounts know us as often as the chain's own
    share says: per replication, the asked accounts' share less the market's has mean 0
    (Student t, 99.9% two-sided, over 120 replications). And an account that knew us at day
    100 still does at 400 more often than one that did not (its state persists)."""
    accounts, asked, replications = 600, list(range(0, 600, 3)), 120
    runs = [_asked(accounts, r, asked, (100.0, 400.0)) for r in range(replications)]
    knew = np.array([answers for answers, _ in runs])  # replication, day, account
    shares = np.array([share for _, share in runs])  # replication, day
    for day in range(2):
        gaps = knew[:, day].mean(axis=1) - shares[:, day]
        allowed = stats.t.ppf(0.9995, replications - 1) * gaps.std(ddof=1) / math.sqrt(replications)
        assert abs(gaps.mean()) < allowed
    early, late = knew[:, 0].ravel(), knew[:, 1].ravel()
    assert late[early].mean() > late[~early].mean() + 0.1


@pytest.mark.parametrize("accounts", [50, 5000])
def test_named_and_unnamed_accounts_always_add_up_to_the_market(accounts: int) -> None:
    """However many are asked about, each account is counted once, in the state it is in."""
    env, awareness = _awareness(accounts, 0)
    pool = awareness._pool
    for day in (50.0, 200.0, 600.0):
        env.run(until=day)
        for account in range(0, accounts, 7):
            awareness.knows_us(account)
        assert pool.count(True) + pool.count(False) == accounts
        assert min(pool.unnamed) >= 0
        for state, group in enumerate(pool.named):
            assert all(pool.knows[a] == bool(state) and group[pool.position[a]] == a for a in group)
        assert len(pool.knows) == sum(map(len, pool.named))
