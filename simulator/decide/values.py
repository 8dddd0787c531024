"""What the decision commands read from their command line: the values of ``--vary``
(``PATH=a:b[:step]`` or ``PATH=v1,v2,...``), a range (``PATH=low:high``), a target
(``METRIC>=VALUE``) and amounts written as people write them (``15M``, ``$250k``, ``80%``).

Each parser raises ``ValueError`` with a message in the words of the command line; the command
prints it and exits 2. Whether a path exists and what it allows is ``settings``' job.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from simulator.metrics.catalog import SUMMARY

MAX_SWEEP_VALUES = 60  # more values than this is a sensitivity study, not a sweep
CONTINUOUS_SWEEP_POINTS = 5  # values of a continuous input swept as a:b without a step
_SUFFIXES = {"k": 1e3, "m": 1e6, "b": 1e9}
_TARGET = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=)\s*(.+?)\s*$")


def parse_amount(text: str) -> float:
    """``15e6``, ``15M``, ``$250k``, ``1,200``, ``80%`` (0.8) as a number; ValueError if not."""
    cleaned = text.strip().replace(",", "").replace("_", "").lstrip("$")
    scale = 1.0
    if cleaned.endswith("%"):
        cleaned, scale = cleaned[:-1], 0.01
    elif cleaned[-1:].lower() in _SUFFIXES:
        cleaned, scale = cleaned[:-1], _SUFFIXES[cleaned[-1].lower()]
    try:
        value = float(cleaned) * scale
    except ValueError:
        raise ValueError(f"{text!r} is not a number (e.g. 12, 0.25, 15M, $250k, 80%)") from None
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not a finite number")
    return value


def split_assignment(text: str, option: str, example: str) -> tuple[str, str]:
    """``PATH=REST`` -> (PATH, REST), or a ValueError naming the option and an example."""
    path, sep, rest = text.partition("=")
    if not sep or not path.strip() or not rest.strip():
        raise ValueError(f"{option} {text!r}: expected {example}")
    return path.strip(), rest.strip()


def sweep_values(text: str, integer: bool, option: str = "--vary") -> list[float]:
    """The values ``a:b[:step]`` or ``v1,v2,...`` name, in the order given (a range ascending).

    A range without a step goes one by one for a whole-number input, and in
    ``CONTINUOUS_SWEEP_POINTS`` equal steps otherwise."""
    if ":" in text:
        parts = [parse_amount(p) for p in text.split(":")]
        if len(parts) not in (2, 3):
            raise ValueError(f"{option}: {text!r} is not a:b or a:b:step")
        low, high = parts[0], parts[1]
        if not low < high:
            raise ValueError(f"{option}: {text!r} must go from low to high")
        if len(parts) == 3:
            step = parts[2]
        else:
            step = 1.0 if integer else (high - low) / (CONTINUOUS_SWEEP_POINTS - 1)
        if step <= 0:
            raise ValueError(f"{option}: the step of {text!r} must be positive")
        count = math.floor((high - low) / step + 1e-9) + 1
        values = [low + i * step for i in range(min(count, MAX_SWEEP_VALUES + 1))]
    else:
        values = [parse_amount(v) for v in text.split(",") if v.strip()]
    if integer:
        fractional = [v for v in values if v != int(v)]
        if fractional:
            raise ValueError(
                f"{option}: {fractional[0]:g} is not a whole number, and the input takes whole "
                "numbers"
            )
        values = [float(int(v)) for v in values]
    else:
        values = [float(np.round(v, 12)) for v in values]
    if len(set(values)) < 2 or len(set(values)) != len(values):
        raise ValueError(f"{option}: {text!r} must give at least two different values, each once")
    if len(values) > MAX_SWEEP_VALUES:
        raise ValueError(
            f"{option}: {text!r} gives over {MAX_SWEEP_VALUES} values; use a larger step "
            "(or salesim sensitivity for a global study)"
        )
    return values


def range_values(low: float, high: float, integer: bool) -> list[float]:
    """``CONTINUOUS_SWEEP_POINTS`` values from ``low`` to ``high`` in equal steps (whole numbers
    rounded, each once): a sweep over an input's default range."""
    values = np.linspace(low, high, CONTINUOUS_SWEEP_POINTS)
    if integer:
        return [float(v) for v in dict.fromkeys(np.round(values).astype(int).tolist())]
    return [float(np.round(v, 12)) for v in values]


def parse_range(text: str, option: str = "--vary") -> tuple[str, float, float]:
    """``PATH=low:high`` -> (path, low, high)."""
    path, rest = split_assignment(text, option, "PATH=LOW:HIGH, e.g. team.hunters=4:12")
    parts = rest.split(":")
    if len(parts) != 2:
        raise ValueError(f"{option} {text!r}: expected PATH=LOW:HIGH, e.g. team.hunters=4:12")
    low, high = (parse_amount(p) for p in parts)
    if not low < high:
        raise ValueError(f"{option} {text!r}: the range must go from low to high")
    return path, low, high


@dataclass(frozen=True)
class Target:
    """A summary metric at least (or at most) a value, as ``METRIC>=VALUE`` says."""

    metric: str
    at_least: bool
    value: float

    def met(self, values: np.ndarray) -> np.ndarray:
        """Per replication: whether the target is met (an undefined value does not meet it)."""
        values = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            return values >= self.value if self.at_least else values <= self.value

    @property
    def text(self) -> str:
        return f"{self.metric} {'>=' if self.at_least else '<='} {self.value:,g}"


def parse_target(text: str) -> Target:
    """``arr_end>=15M`` -> Target; ValueError naming the allowed metrics for an unknown one."""
    match = _TARGET.match(text)
    if not match:
        raise ValueError(
            f"--target {text!r}: expected METRIC>=VALUE or METRIC<=VALUE, e.g. 'arr_end>=15M'"
        )
    metric, sign, amount = match.groups()
    if metric not in SUMMARY:
        raise ValueError(
            f"--target {text!r}: {metric!r} is not a summary metric; allowed: "
            f"{', '.join(SUMMARY)} (see `salesim metrics`)"
        )
    try:
        value = parse_amount(amount)
    except ValueError as error:
        raise ValueError(f"--target {text!r}: {error}") from None
    return Target(metric, sign == ">=", value)


def check_metrics(names: list[str], option: str) -> list[str]:
    """Summary metric names, or a ValueError listing the allowed ones."""
    unknown = [n for n in names if n not in SUMMARY]
    if unknown or not names:
        what = ", ".join(repr(n) for n in unknown) or "nothing"
        raise ValueError(
            f"{option}: {what} is not a summary metric; allowed: {', '.join(SUMMARY)} "
            "(see `salesim metrics`)"
        )
    return list(dict.fromkeys(names))
