"""How an entry is judged: a published level by its interval overlapping the published range, a
stylised fact by every named paired comparison's interval lying on the stated side of 0.

Three outcomes: ``True`` (holds), ``False`` (does not hold), ``None`` (not applicable: the
scenario does not have what the entry needs, or too few replications to draw an interval).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

HOLDS, FAILS, NOT_APPLICABLE = "holds", "does not hold", "not applicable"

LEVEL_RULE = (
    "A published level holds when the simulated 95% interval overlaps the published range; "
    "a published floor such as '> 60×' holds only when the whole interval clears it, and is "
    "not judged while the interval straddles it (too few events to tell)."
)
FACT_RULE = (
    "A stylised fact holds when every named comparison's paired 95% interval (both arms run "
    "with the same seeds and replications) lies wholly on the stated side of 0."
)


def status(holds: bool | None) -> str:
    return {True: HOLDS, False: FAILS, None: NOT_APPLICABLE}[holds]


def level_holds(
    low: float, high: float, target_low: float, target_high: float, floor: bool = False
) -> bool | None:
    """Whether the interval [low, high] overlaps the target range [target_low, target_high]
    (either bound of the target may be infinite); None when the interval is undefined. A
    ``floor`` (a claim '> target_low') needs the whole interval above it: an interval that
    straddles it is None, since the events behind it cannot tell."""
    if math.isnan(low) or math.isnan(high):
        return None
    if floor:
        if low > target_low:
            return True
        return False if high < target_low else None
    return bool(high >= target_low and low <= target_high)


def comparison_holds(low: float, high: float, side: str) -> bool | None:
    """Whether the interval of a paired difference lies wholly on ``side`` of 0 ('>' above,
    '<' below, '=0' exactly at 0); None when the interval is undefined."""
    if side not in (">", "<", "=0"):
        raise ValueError(f"side must be '>', '<' or '=0', not {side!r}")
    if math.isnan(low) or math.isnan(high):
        return None
    if side == "=0":
        return bool(low == 0 and high == 0)
    return bool(low > 0) if side == ">" else bool(high < 0)


def fact_holds(comparisons: Iterable[bool | None]) -> bool | None:
    """A fact: False if any comparison fails, True if every one holds, else None (some could
    not be judged and none failed)."""
    judged = list(comparisons)
    if any(c is False for c in judged):
        return False
    if judged and all(c is True for c in judged):
        return True
    return None
