"""What a replication starts from, as data: the open pipeline and its owners (``StartState``)
and the customers carried over (``CustomersAtStart``), read from a CRM export by
``start_state.py`` and ``start_customers.py`` (the adapters) and handed to ``model.build``. The
model imports this module, never the CRM readers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

UNKNOWN_STAGE = -1
"""Stage of an open deal whose stage on ``as_of`` the export does not say: placed by its age."""


@dataclass(frozen=True)
class StartState:
    """The open pipeline, its owners and their recent bookings, as of the day before day 0.

    Arrays are read-only; deal ``i`` is the ``i``-th lead of every replication."""

    owners: tuple[str, ...]
    deal_id: tuple[str, ...]
    deal_owner: np.ndarray  # index into owners
    deal_stage: np.ndarray  # index into STAGES, or UNKNOWN_STAGE
    deal_age_days: np.ndarray  # created to as_of
    deal_acv_usd: np.ndarray  # NaN where the export has none
    booking_owner: np.ndarray
    booking_day: np.ndarray  # negative: days before day 0
    booking_acv_usd: np.ndarray
    owner_last_active_day: np.ndarray
    """Each owner's latest deal creation (negative: days before day 0)."""
    history_start_day: float
    """Day (negative) of the export's first date: bookings before it are unknown, so a quota
    window reaching back further is taken pro rata."""
    closed_won: np.ndarray
    """The export's closed deals, in order of their close: whether each was won, its close day
    (negative: days before day 0) and ACV (NaN where unknown). Their accounts are off the
    market on day 0 (a customer, or cooling off after the loss), as they are in the export."""
    closed_day: np.ndarray
    closed_acv_usd: np.ndarray
    unowned: int = 0

    def __len__(self) -> int:
        return len(self.deal_id)

    def leaving_order(self) -> list[int]:
        """Owners from the least recently active (latest deal created longest ago) to the
        most; ties by name. Who leaves first when the scenario asks for fewer hunters."""
        last = self.owner_last_active_day.tolist()
        return sorted(range(len(self.owners)), key=lambda i: (last[i], self.owners[i]))


@dataclass(frozen=True)
class CustomersAtStart:
    """Customers on the day before day 0: a name, ARR (USD a year) and signature day
    (negative: days before day 0) each; arrays are read-only."""

    names: tuple[str, ...]
    arr_usd: np.ndarray
    signed_day: np.ndarray  # its latest contract's signature
    term_months: np.ndarray  # that contract's term (renewals every term from its signature)
    source: str
    expired: int = 0  # won deals whose contract ended before as_of
    no_amount: int = 0  # won deals still running with no amount (or ARR) to carry

    def __len__(self) -> int:
        return len(self.names)

    def note(self) -> str:
        """One line for the user: how many, how much, from what."""
        line = (
            f"{len(self):,} customers carried over from {self.source}, "
            f"${float(self.arr_usd.sum()):,.0f} of ARR"
        )
        if self.expired:
            line += (
                f"; {self.expired:,} won deals whose contract ended before then are not (the "
                "export does not say whether they renewed)"
            )
        if self.no_amount:
            line += f"; {self.no_amount:,} won deals with no amount are not"
        return line


@dataclass(frozen=True)
class StartingPoint:
    """Everything a replication starts from besides its parameters (both None: an empty
    pipeline and no customers)."""

    state: StartState | None = None
    customers: CustomersAtStart | None = None


EMPTY = StartingPoint()
