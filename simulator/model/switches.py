"""The mechanisms' switches as a replication reads them (``parameters.mechanisms``), noting
which it read: a run that never read a switch would have run step for step the same with that
switch flipped, so `salesim explain` reuses it instead of running it again."""

from __future__ import annotations

from typing import Any

from simulator.parameters import Mechanisms


class Switches:
    """Read a switch as an attribute (``switches.pitch_habit``); ``read`` holds those read."""

    __slots__ = ("_values", "read")

    def __init__(self, mechanisms: Mechanisms) -> None:
        self._values: dict[str, bool] = mechanisms.model_dump()
        self.read: set[str] = set()

    def __getattr__(self, name: str) -> Any:
        try:
            value = self._values[name]
        except KeyError:
            raise AttributeError(name) from None
        self.read.add(name)
        return value
