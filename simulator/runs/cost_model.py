"""The cost model: a replication's size (its workload) and the fitted coefficients that turn
it into CPU seconds and the peak memory of a worker.

Kept apart from the run estimate so that refitting the model touches nothing else. Running a
replication to find its cost is no good: a replication of a too-large market is exactly what
must not run. So the cost is predicted from the scenario's size by linear models fitted (least
squares on relative error) on measured replications (2-core AMD EPYC, Python 3.11). Time: 37
configurations (markets of 500 to 300,000 accounts, 2 to 60 hunters, 12 to 240 months, more
in-market accounts and direct marketing, every variant of the bundled scenarios), each
predicted within a factor of 1.6.
Memory: 9 configurations (2,000 to 1,000,000 accounts, up to 144 months), each within 10%:

    CPU seconds of a replication = fixed + per_arrival * arrivals
                                   + per_account_month * accounts * months
                                   + per_hunter_month * hunters * months
    peak bytes of a worker       = worker_base + per_account * accounts + per_arrival * arrivals

``arrivals`` are the prospects the market sends over the horizon (in-market accounts, direct
marketing responses, hunters' outbound prospects): they make most events and the event log.
Account-months are the awareness flips; hunter-months the team's own events and the customers
it wins. Each variant is predicted on its own parameters.
"""

from __future__ import annotations

from dataclasses import dataclass

from simulator.parameters import Parameters

MONTHS_PER_QUARTER = 3.0


@dataclass(frozen=True)
class TimeCoefficients:
    """CPU seconds of one bare replication (simulation and metrics), per unit of workload."""

    fixed: float
    per_arrival: float
    per_account_month: float
    per_hunter_month: float


@dataclass(frozen=True)
class MemoryCoefficients:
    """Peak resident bytes of a worker running one replication, per unit of workload."""

    worker_base: float  # a worker with Python, numpy, simpy, pyarrow and salesim loaded
    per_account: float  # an account's columns and pre-drawn random numbers
    per_arrival: float  # a prospect's events in the log and its objects


# Least-squares fits (relative error) on measured replications; see the module docstring.
COST = TimeCoefficients(
    fixed=0.0084, per_arrival=8.4e-6, per_account_month=8.9e-8, per_hunter_month=4.5e-5
)
# worker_base: 151 MB (144 MiB) resident after the imports, plus 3.5 MB the fit puts at no accounts.
MEMORY = MemoryCoefficients(worker_base=155e6, per_account=1315.0, per_arrival=217.0)

# The settings the cost model reads, by the path a user writes them with.
COST_SETTINGS: tuple[str, ...] = (
    "market.accounts",
    "market.in_market_share_per_quarter",
    "marketing.direct.spend_usd_per_month",
    "team.hunters",
    "team.outbound_leads_per_hunter_month",
    "horizon_months",
)


@dataclass(frozen=True)
class Workload:
    """The size of one variant's replication, in the measures the cost model reads."""

    accounts: float
    arrivals: float
    months: float
    hunters: float

    @classmethod
    def of(cls, parameters: Parameters, horizon_months: int) -> Workload:
        market, team, direct = parameters.market, parameters.team, parameters.marketing.direct
        spends = [direct.spend_usd_per_month] + [
            change.direct_usd_per_month
            for change in parameters.marketing.budget_changes
            if change.direct_usd_per_month is not None
        ]
        per_month = (
            market.accounts * market.in_market_share_per_quarter / MONTHS_PER_QUARTER
            + max(spends) / direct.cost_per_contact_usd * direct.response_rate
            + team.hunters * team.outbound_leads_per_hunter_month
        )
        return cls(float(market.accounts), per_month * horizon_months, horizon_months, team.hunters)

    def seconds(self, cost: TimeCoefficients = COST) -> float:
        """CPU seconds of one bare replication."""
        return (
            cost.fixed
            + cost.per_arrival * self.arrivals
            + cost.per_account_month * self.accounts * self.months
            + cost.per_hunter_month * self.hunters * self.months
        )

    def peak_bytes(self, memory: MemoryCoefficients = MEMORY) -> float:
        """Peak resident bytes of a worker running one replication."""
        return (
            memory.worker_base
            + memory.per_account * self.accounts
            + memory.per_arrival * self.arrivals
        )
