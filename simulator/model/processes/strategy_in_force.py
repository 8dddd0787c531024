"""The strategy the team sells by now: the scenario's, until its switch month (a leader who
stops pitching the roadmap part-way through), then the switch's. Read by the pitch and by
qualification at the moment they act, so a run with a switch is the same run, step for step,
until the switch, and goes on from the same state and the same random numbers after it."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import simpy

from simulator.model.events import EventLog, Kind
from simulator.parameters.strategy import PitchStrategy, Strategy, StrategySwitch
from simulator.units import DAYS_PER_MONTH


class StrategyInForce:
    def __init__(self, env: simpy.Environment, strategy: Strategy, log: EventLog) -> None:
        self.env, self.log = env, log
        self.pitch: PitchStrategy = strategy.pitch
        self.qualification_discipline: float = strategy.qualification_discipline
        if strategy.switch.month is not None:
            env.process(self._switch(strategy.switch))

    def _switch(self, switch: StrategySwitch) -> Generator[Any, Any, None]:
        assert switch.month is not None
        yield self.env.timeout(switch.month * DAYS_PER_MONTH)
        if switch.pitch is not None:
            self.pitch = switch.pitch
        if switch.qualification_discipline is not None:
            self.qualification_discipline = switch.qualification_discipline
        self.log.record(self.env.now, Kind.STRATEGY_SWITCHED, switch.month)
