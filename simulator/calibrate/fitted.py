"""What a calibration found: each fitted input with its interval, and where it came from."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Fitted:
    """One scenario input set by the calibration.

    ``path`` is the scenario field it sets (``team.hunters``); ``value`` what it was set to, with
    a 95% interval ``[low, high]`` (equal to ``value`` for an input counted, not estimated), in
    ``unit``; ``target`` names the export statistic that identifies it, with its own unit
    (``new opportunities a month (opportunities a month)``), ``observed`` that statistic in the
    export and ``simulated`` its mean over the simulated replications at the fitted values.
    ``fitted`` is False for an input the search never moved before it stopped: ``value`` is
    then the base scenario's, with no interval (NaN ends), and ``method`` says why."""

    path: str
    label: str
    value: float
    low: float
    high: float
    unit: str
    target: str
    observed: float
    simulated: float
    method: str
    fitted: bool = True

    def to_json(self) -> dict[str, object]:
        return asdict(self)
