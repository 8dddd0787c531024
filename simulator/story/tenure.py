"""One hunter in one replication's log: who they are, when they joined and left, and what
prospects had been promised when. What every part of the story is told from."""

from __future__ import annotations

import numpy as np

from simulator.model.events import Kind
from simulator.parameters import Parameters
from simulator.story.wording import hunter_name
from simulator.units import DAYS_PER_MONTH


class Tenure:
    def __init__(
        self, log: np.ndarray, hunter: int, parameters: Parameters, horizon_days: float
    ) -> None:
        self.log, self.hunter, self.parameters = log, hunter, parameters
        self.horizon_days = horizon_days
        self.name = hunter_name(hunter)
        self.features = parameters.product.features
        kind, actor = log["kind"], log["actor"]
        hired = np.flatnonzero((kind == Kind.HUNTER_HIRED) & (actor == hunter))
        self.hired_seq = int(hired[0])
        self.hired_day = float(log["day"][self.hired_seq])
        left = np.flatnonzero((kind == Kind.HUNTER_LEFT) & (actor == hunter))
        self.left_seq = int(left[0]) if left.size else len(log)
        self.left_day = float(log["day"][left[0]]) if left.size else None
        # The open deals orphaned at the exit itself, logged with it. A lead the hunter took
        # before leaving but calls on only later is orphaned (and logged) the day it opens.
        at_exit = (kind == Kind.ORPHANED) & (actor == hunter) & (log["day"] == self.left_day)
        self.orphaned_at_exit: np.ndarray = log["subject"][at_exit]  # the deals' ids

    def ours(self, seq: int) -> int | None:
        """The hunter, for an event while they are on the team; None once they have left."""
        return self.hunter if seq < self.left_seq else None

    def promised_day(self, feature: int, seq: int) -> float:
        """The date prospects were told for ``feature`` just before log position ``seq``."""
        log = self.log[:seq]
        told = log[
            np.isin(log["kind"], [Kind.FEATURE_ANNOUNCED, Kind.PROMISE_MOVED])
            & (log["subject"] == feature)
        ]
        if told.size:
            return float(told["value"][-1])
        return self.features[feature].promised_release_month * DAYS_PER_MONTH
