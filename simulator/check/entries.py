"""What a check reports: one ``Entry`` per level, fact or comparison, and the whole
``CheckReport``, each as JSON for ``salesim check --json``."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

from simulator.check.judge import status


@dataclass
class Entry:
    """One line of the check: a level, a fact, or one of a fact's comparisons."""

    kind: str  # "level", "fact" or "comparison"
    key: str
    name: str
    target: str
    source: str
    unit: str = ""
    value: float | None = None
    low: float | None = None
    high: float | None = None
    holds: bool | None = None
    reason: str = ""
    how: str = ""
    comparisons: list[Entry] = field(default_factory=list)

    @property
    def status(self) -> str:
        return status(self.holds)

    def to_json(self) -> dict[str, Any]:
        entry = asdict(self)
        entry["status"] = self.status
        for name in ("value", "low", "high"):
            number = entry[name]
            entry[name] = None if number is None or math.isnan(number) else number
            if entry[name] in (math.inf, -math.inf):
                entry[name] = "inf" if number > 0 else "-inf"
        entry["comparisons"] = [c.to_json() for c in self.comparisons]
        if self.kind != "fact":
            del entry["comparisons"]
        return entry


@dataclass
class CheckReport:
    scenario: str
    baseline: str
    replications: int
    seed: int
    overrides: tuple[str, ...]
    arms: list[str]
    levels: list[Entry]
    facts: list[Entry]

    def to_json(self) -> dict[str, Any]:
        return {
            "scenario": self.scenario,
            "baseline": self.baseline,
            "replications": self.replications,
            "seed": self.seed,
            "overrides": list(self.overrides),
            "arms": self.arms,
            "entries": [e.to_json() for e in (*self.levels, *self.facts)],
        }
