"""Named random streams, one per stochastic input, all spawned from one root SeedSequence.

Replication ``i`` of a run uses ``SeedSequence(root).spawn(...)[i]`` (built directly as
``SeedSequence(root, spawn_key=(i,))``), whatever the variant: variants compared in one run share
their random numbers (common random numbers). Each named stream is a child of the replication's
sequence, so the draws of one input never depend on how much another input consumed. New stream
names are appended, never inserted, so existing streams keep their numbers.
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
)

BLOCK_SIZE = 512


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
