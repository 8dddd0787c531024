"""A deal in courtship: what ``Courtship`` carries from one stage to the next."""

from __future__ import annotations

import math
from dataclasses import dataclass

from simulator.model.entities import CHAMPION, Opportunity


@dataclass(slots=True)
class Deal:
    """One opportunity's courtship as its stages find it: planned lengths, then what each
    stage learns for the next (when the buyer goes dark, the committee, the demos)."""

    opp: Opportunity
    days: list[float]  # attraction, qualification, evaluation, proposal
    means: list[float]
    cv: float
    pace: float  # under 1: squeezed by the buyer's critical date
    dark_at: float = math.inf
    committee: int = 1
    met: int = CHAMPION
    sponsor: bool = False
    economic_buyer: bool = False
    replaces: bool = False
    full_acv: float = 0.0
    demos: int = 0
    premature: bool = False
