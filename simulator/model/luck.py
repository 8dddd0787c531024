"""Each opportunity's own random numbers: one per decision it meets, by name.

An account's n-th opportunity gets the same numbers in every variant, so a strategy change alters
outcomes only through its mechanism, not through reshuffled luck (common random numbers). Its
numbers are a pure function of (replication seed, account, n): they live at a fixed place in one
long PCG64 stream, reached by jumping ahead (``advance``, a few operations whatever the distance)
rather than by drawing for every account of the market up front. So a replication's cost follows
the opportunities it opens, not the accounts that never engage.

The place: accounts come in blocks of ``ACCOUNTS_PER_BLOCK``; a block's n-th opportunities share
a region of the stream, drawn the first time one of them opens. Within it every named uniform
(``U``) is a column of its own, drawn in the order the names were added, the competitors'
presence draws are a stretch of their own (as many as the scenario has rivals and entrants), and
the normals (``Z``) another. A new mechanism adds a name at the end of ``U`` or ``Z``: the numbers
of every name already there stay as they were, and there is no last slot to run out of.
"""

from __future__ import annotations

import numpy as np

from simulator.model.streams import Jumps

ACCOUNTS_PER_BLOCK = 32
"""Accounts whose opportunities are drawn together. Small, so a market of many accounts, of
which a few engage, draws little it never uses; large enough that a block's fixed cost (a jump
and three draws, about 10 µs) is shared. A layout constant: changing it changes every number."""
REGION = 2**40
"""Raw 64-bit draws set aside for one block's n-th opportunities (they use a few thousand)."""
COMPETITORS_AT, NORMALS_AT = 2**36, 2**38
"""Where, within a region, the competitors' presence draws and the normals begin."""
OPPORTUNITIES_PER_ACCOUNT = 2**20
"""Regions set aside for one block's opportunities: an account has far fewer."""
LUCK_KEY = (2, 0)
"""Key of the stream's generator among the opportunities input's keyed children."""


class U:
    """An opportunity's named uniforms: each the index of its column. Add a name at the end.

    Plain integers, not an ``IntEnum``: they index on the hot path, where (before Python 3.12)
    looking up an enum member costs four times a plain class attribute."""

    INTEREST = 0
    SPONSOR = 1
    ECONOMIC_BUYER = 2
    MEMBERS = 3
    POOR_FIT_SCREEN = 4
    PREMATURE = 5
    STALL_EVALUATION = 6
    STALL_PROPOSAL = 7
    CHOICE = 8
    HOUSEHOLD_PRESENT = 9
    PITCH = 10
    REVIVAL = 11
    PULL_IN = 12  # the quarter-end push (quota_period.py)


class Z:
    """An opportunity's named standard normals: one per stage duration, and more. Add a name at
    the end."""

    ATTRACTION = 0
    QUALIFICATION = 1
    EVALUATION = 2
    PROPOSAL = 3
    DARK = 4  # when the buyer goes dark (going_dark.py)
    HAS_DATE = 5  # whether the buyer has a critical date of its own (critical_date.py)
    DATE_DAYS = 6  # how far ahead it lies


def names(slots: type) -> tuple[str, ...]:
    """The names of ``U`` or ``Z``, in column order."""
    return tuple(name for name in vars(slots) if name.isupper())


UNIFORMS, NORMALS = len(names(U)), len(names(Z))
COMPETITOR_PRESENT = UNIFORMS
"""Column of the first competitor's presence draw: rivals, then entrants in order of entry."""


class OpportunityLuck:
    """The uniforms and normals of each account's n-th opportunity (see the module's note)."""

    def __init__(self, rng: np.random.Generator, competitors: int) -> None:
        self._jumps = Jumps(rng, LUCK_KEY)
        self._competitors = competitors
        self._drawn: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}

    def take(self, account: int, nth: int) -> tuple[list[float], list[float]]:
        """(uniforms, normals) of the account's ``nth`` opportunity (0-based): ``U``'s columns,
        then one per competitor; ``Z``'s."""
        block, row = divmod(account, ACCOUNTS_PER_BLOCK)
        drawn = self._drawn.get((block, nth))
        if drawn is None:
            drawn = self._drawn[block, nth] = self._draw(block, nth)
        uniforms, normals = drawn
        return uniforms[:, row].tolist(), normals[:, row].tolist()

    def _draw(self, block: int, nth: int) -> tuple[np.ndarray, np.ndarray]:
        """A block's ``nth`` opportunities, column by column, from their region: one jump to
        the region, then on by what each part used (a uniform uses one raw draw, so only the
        normals, last, use an unknown number)."""
        if nth >= OPPORTUNITIES_PER_ACCOUNT:
            raise ValueError(f"an account's opportunity {nth} is past the layout's room")
        width, competitors = ACCOUNTS_PER_BLOCK, self._competitors
        draw = self._jumps.at((block * OPPORTUNITIES_PER_ACCOUNT + nth) * REGION)
        bits = draw.bit_generator
        named = draw.random((UNIFORMS, width))
        bits.advance(COMPETITORS_AT - UNIFORMS * width)
        rivals = draw.random((competitors, width))
        bits.advance(NORMALS_AT - COMPETITORS_AT - competitors * width)
        normals = draw.standard_normal((NORMALS, width))
        return np.concatenate((named, rivals)), normals
