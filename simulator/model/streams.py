"""Named random streams, one per stochastic input, all spawned from one root SeedSequence.

Replication ``i`` of a run uses ``SeedSequence(root).spawn(...)[i]`` (built directly as
``SeedSequence(root, spawn_key=(i,))``), whatever the variant: variants compared in one run share
their random numbers (common random numbers). Each named stream is a child of the replication's
sequence, so the draws of one input never depend on how much another input consumed. New stream
names are appended, never inserted, so existing streams keep their numbers.

Within one input, draws that belong to an account (its lead's response time, its demos, its
waits, its lives as a customer) are not handed out in event order: a strategy that changes which
event comes first would reshuffle that luck across accounts and weaken the pairing between
variants. ``AccountDraws`` gives each account its own sequence instead: the account's i-th draw
is a pure function of (replication seed, input, use, account, i), whatever order events ask in.
Each use of an input has its own child of the input's SeedSequence, keyed by spawn keys (never
seed arithmetic: ``keyed_generator``), and an account's numbers lie at a fixed place in that
child's stream, reached by jumping there (``Jumps``): a few operations, whatever the market's
size, so what a replication draws follows the accounts it touches, not those it never meets.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial

import numpy as np

STREAM_NAMES: tuple[str, ...] = (
    "accounts",
    "opportunities",
    "inbound",
    "direct",
    "outbound",
    "response",
    "demos",
    "hunters",
    "roadmap",
    "entrants",
    "waiting",
    "references",
    "awareness",
    "customers",
    "detractors",
    "start",
    "start_customers",
    "decision",
)

BLOCK_SIZE = 512
ACCOUNTS_PER_BLOCK = 64
"""Accounts whose first draws are drawn at once, when one of them first asks: a jump costs about
as much as drawing a few dozen numbers, so a block shares it, and stays small enough that a large
market, few of whose accounts engage, draws little it never uses."""
DRAWS_PER_ACCOUNT = 4
"""Draws per account in an ``AccountDraws`` block, unless told otherwise (a constant, not a
parameter: the layout, and so each account's numbers, must not change between variants)."""
BLOCK_ROOM, OWN_ROOM = 2**32, 2**24
"""Raw draws set aside for a block's draws, and for a chunk of one account's further draws."""
OWN_FROM = 2**96
"""Where, in a use's stream, the accounts' own chunks begin (after every block's room)."""
CHUNKS_PER_ACCOUNT = 2**16
USE_KEY = 1
"""First key element of ``AccountDraws``' generators (then the use)."""


def replication_seed(root_seed: int, replication: int) -> np.random.SeedSequence:
    """The seed of replication ``replication``: the same as ``SeedSequence(root).spawn(n)[i]``."""
    return np.random.SeedSequence(root_seed, spawn_key=(replication,))


class Streams:
    """A ``numpy.random.Generator`` per stochastic input, looked up by name."""

    def __init__(self, seed: np.random.SeedSequence) -> None:
        children = seed.spawn(len(STREAM_NAMES))
        self._generators = {
            name: np.random.Generator(np.random.PCG64(child))
            for name, child in zip(STREAM_NAMES, children, strict=True)
        }

    def __getitem__(self, name: str) -> np.random.Generator:
        return self._generators[name]


def block(draw: Callable[[int], np.ndarray]) -> Callable[[], float]:
    """Hands out draws one at a time from blocks drawn ``BLOCK_SIZE`` at once (vectorised).

    The next block is drawn when the previous one runs out, never ahead. The returned callable
    is ``next`` on a generator, about half the cost of a method call on this hot path.
    """

    def values() -> Iterator[float]:
        while True:
            yield from draw(BLOCK_SIZE).tolist()

    return partial(next, values())


def keyed_generator(rng: np.random.Generator, key: tuple[int, ...]) -> np.random.Generator:
    """A child generator of ``rng``'s input keyed by ``key``: a pure function of the input's
    seed and the key, whatever ``rng`` has drawn. Keys of different uses of one input must
    differ in their first element; keys have two elements or more, so they never meet the
    children of ``Generator.spawn`` (one element)."""
    seed = rng.bit_generator.seed_seq
    if not isinstance(seed, np.random.SeedSequence) or len(key) < 2:
        raise ValueError("keyed_generator needs a SeedSequence-seeded generator and 2+ keys")
    child = np.random.SeedSequence(
        seed.entropy, spawn_key=(*seed.spawn_key, *key), pool_size=seed.pool_size
    )
    return np.random.Generator(np.random.PCG64(child))


class Jumps:
    """A generator that can be put at any place of its stream in a few operations (PCG64's
    ``advance``), so numbers can be read at a place that names what they are for."""

    def __init__(self, rng: np.random.Generator, key: tuple[int, ...]) -> None:
        self.generator = keyed_generator(rng, key)
        self._bits = self.generator.bit_generator
        self._start = self._bits.state

    def at(self, place: int) -> np.random.Generator:
        """The generator, ready to draw from raw draw ``place`` of its stream on."""
        self._bits.state = self._start
        self._bits.advance(place)
        return self.generator


class AccountDraws:
    """Each account's own sequence of draws from one input (common random numbers per account).

    ``draws(account)`` is the account's next draw; its i-th draw is a pure function of the
    input's seed, ``use`` (the key that tells this sequence from the input's others), the
    account and i, whatever order the simulation asks in and however many draws other accounts
    take. ``sample(rng, size)`` draws ``size`` values (a distribution scaled by its mean, so
    variants that change only the mean keep the pairing). The first ``per_account`` draws of an
    account come from a block drawn for ``ACCOUNTS_PER_BLOCK`` accounts at once, when one of
    them first asks; an account that needs more gets further chunks of its own.
    """

    def __init__(
        self,
        rng: np.random.Generator,
        sample: Callable[[np.random.Generator, int], np.ndarray],
        use: int = 0,
        per_account: int = DRAWS_PER_ACCOUNT,
    ) -> None:
        if per_account < 1:
            raise ValueError(f"per_account must be >= 1, got {per_account}")
        self._jumps = Jumps(rng, (USE_KEY, use))
        self._sample = sample
        self._per_account = per_account
        self._blocks: dict[int, np.ndarray] = {}  # a block's draws, account by account
        self._beyond: dict[int, list[float]] = {}  # an account's draws past its block's
        self._used: dict[int, int] = {}  # how many draws the account has taken

    def __call__(self, account: int) -> float:
        """The account's next draw."""
        i = self._used.get(account, 0)
        self._used[account] = i + 1
        drawn = self._blocks.get(account // ACCOUNTS_PER_BLOCK)
        if drawn is None or i >= self._per_account:
            return self.value(account, i)
        return drawn.item(account % ACCOUNTS_PER_BLOCK * self._per_account + i)

    def value(self, account: int, index: int) -> float:
        """The account's ``index``-th draw (0-based), without moving its sequence on."""
        per_account = self._per_account
        if index >= per_account:
            return self._own(account, index - per_account)
        block, row = divmod(account, ACCOUNTS_PER_BLOCK)
        drawn = self._blocks.get(block)
        if drawn is None:
            rng = self._jumps.at(block * BLOCK_ROOM)
            drawn = self._blocks[block] = self._sample(rng, ACCOUNTS_PER_BLOCK * per_account)
        return drawn.item(row * per_account + index)

    def _own(self, account: int, index: int) -> float:
        """The account's ``index``-th draw past its block's: chunks of its own. (A block
        stays an array, read an item at a time: most of its draws are never asked for, and a
        list per account would be one more container for the garbage collector to scan.)"""
        per_account = self._per_account
        drawn = self._beyond.setdefault(account, [])
        while index >= len(drawn):
            chunk = len(drawn) // per_account
            if chunk >= CHUNKS_PER_ACCOUNT:
                raise ValueError(f"account {account} drew past the layout's room")
            rng = self._jumps.at(OWN_FROM + (account * CHUNKS_PER_ACCOUNT + chunk) * OWN_ROOM)
            drawn.extend(self._sample(rng, per_account).tolist())
        return drawn[index]
