"""The forecast's raw material: bookings by replication and month, split by where the deal came
from, run in chunks of replications on the local workers (``experiment.run_chunk``).

A replication's bookings come from its monthly table (``bookings``: ACV signed in the month, a
beta partner's later conversion in the month it pays), so the forecast's totals are the run's
own. The part from deals already open when the simulation starts (source ``open_at_start`` in
the deals table) is the ACV of those won, in the month they were signed; the rest is new
pipeline. A deal open at the start that signed as a beta partner and converts later is counted
in the month it signed, its conversion included. Without open deals at the start (every scenario
with an empty pipeline on day 0), everything is new pipeline.

A calibrated scenario's futures also draw their inputs from the fit's uncertainty (``inputs``):
each setting runs consecutive replications of its own (``Design.bounds``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from simulator.forecast.inputs import Design, input_variants
from simulator.parameters.tree import FitUncertainty
from simulator.runs.backends import open_backend
from simulator.runs.experiment import IN_FLIGHT_PER_SLOT, Chunk, ChunkTables, Plan, run_chunk
from simulator.scenario.resolve import Variant
from simulator.units import DAYS_PER_MONTH

OPEN_AT_START = "open_at_start"
"""The deals table's ``source`` of a deal already open when the simulation starts."""
WON = "won"


@dataclass(frozen=True)
class Draws:
    """Bookings (USD) by replication (rows, in order) and month (columns): all of them, and
    the part from deals open at the start."""

    bookings: np.ndarray
    open_pipeline: np.ndarray
    input_settings: int = 1  # the fit's inputs drawn this many times (1: fixed)
    drawn_inputs: tuple[str, ...] = ()  # which inputs were drawn

    @property
    def design(self) -> Design:
        return Design(self.input_settings, self.replications)

    @property
    def new_pipeline(self) -> np.ndarray:
        return self.bookings - self.open_pipeline

    @property
    def replications(self) -> int:
        return int(self.bookings.shape[0])

    @property
    def months(self) -> int:
        return int(self.bookings.shape[1])


def monthly_bookings(monthly: pa.Table, replications: list[int], months: int) -> np.ndarray:
    """The ``bookings`` column of a chunk's monthly table as replications x months."""
    values = np.zeros((len(replications), months))
    row = {r: i for i, r in enumerate(replications)}
    reps = monthly.column("replication").to_numpy()
    month = monthly.column("month").to_numpy() - 1
    rows = np.array([row[r] for r in reps.tolist()], dtype=np.int64)
    values[rows, month] = monthly.column("bookings").to_numpy(zero_copy_only=False)
    return values


def open_pipeline_bookings(deals: pa.Table, replications: list[int], months: int) -> np.ndarray:
    """ACV of won deals that were open at the start, by replication and month signed (the
    month as ``simulator.metrics.measure.monthly`` counts it)."""
    values = np.zeros((len(replications), months))
    mask = pc.and_(pc.equal(deals.column("source"), OPEN_AT_START), pc.equal(deals["outcome"], WON))
    won = deals.filter(pc.fill_null(mask, False))
    if won.num_rows == 0:
        return values
    row = {r: i for i, r in enumerate(replications)}
    rows = np.array([row[r] for r in won.column("replication").to_pylist()], dtype=np.int64)
    day = won.column("closed_day").to_numpy(zero_copy_only=False)
    month = np.minimum((day // DAYS_PER_MONTH).astype(np.int64), months - 1)
    acv = np.nan_to_num(won.column("acv_usd").to_numpy(zero_copy_only=False))
    np.add.at(values, (rows, month), acv)
    return values


class DrawSink:
    """Keeps each finished chunk as its two small arrays (not its tables): a forecast of many
    replications holds months x replications numbers, not every deal."""

    def __init__(self, months: int) -> None:
        self.months = months
        self.chunks: dict[Chunk, tuple[np.ndarray, np.ndarray]] = {}

    def store(self, tables: ChunkTables) -> None:
        chunk = tables.chunk
        replications = list(range(chunk.start, chunk.stop))
        if tables.deals is None:
            raise ValueError("a forecast needs each chunk's deals (run_chunk with deals=True)")
        self.chunks[chunk] = (
            monthly_bookings(tables.monthly, replications, self.months),
            open_pipeline_bookings(tables.deals, replications, self.months),
        )

    def draws(self) -> Draws:
        """The chunks' arrays in order: variant major, then replication."""
        ordered = [self.chunks[c] for c in sorted(self.chunks)]
        return Draws(
            np.concatenate([b for b, _ in ordered]), np.concatenate([o for _, o in ordered])
        )


def simulate_draws(
    variant: Variant,
    months: int,
    replications: int,
    seed: int,
    workers: int = 1,
    on_progress: Callable[[int], None] | None = None,
    uncertainty: FitUncertainty | None = None,
) -> Draws:
    """Run ``variant`` for ``months`` months (not the scenario's horizon), ``replications``
    times from ``seed``; replication ``i`` is the same market whatever the workers. With the
    fit's ``uncertainty``, the futures are ``Design.of(replications, True)``: input settings
    drawn from it, each on replications of its own."""
    if months < 1 or replications < 1:
        raise ValueError("a forecast needs at least one month and one replication")
    design = Design.of(replications, uncertainty is not None)
    settings = (variant,)
    if uncertainty is not None:
        settings = input_variants(variant, uncertainty, design.inputs, seed)
    block = Plan.fixed(design.chance, workers).block
    jobs = [
        (setting, Chunk(k, start, min(start + block, stop)))
        for k, (setting, (first, stop)) in enumerate(zip(settings, design.bounds(), strict=True))
        for start in range(first, stop, block)
    ]
    sink = DrawSink(months)
    _run(jobs, months, seed, workers, sink, on_progress)
    drawn = sink.draws()
    if uncertainty is None:
        return drawn
    return replace(drawn, input_settings=design.inputs, drawn_inputs=tuple(uncertainty.inputs))


def _run(
    jobs: list[tuple[Variant, Chunk]],
    months: int,
    seed: int,
    workers: int,
    sink: DrawSink,
    on_progress: Callable[[int], None] | None,
) -> None:
    """Each chunk of its variant's replications, on the local workers, into ``sink``."""
    pending: dict[Any, Chunk] = {}
    with open_backend("local", workers) as backend:

        def collect() -> None:
            for future in backend.first_done(pending):
                chunk = pending.pop(future)
                sink.store(future.result())
                if on_progress:
                    on_progress(chunk.stop - chunk.start)

        try:
            for variant, chunk in jobs:
                while len(pending) >= IN_FLIGHT_PER_SLOT * backend.slots:
                    collect()
                arguments = (variant.parameters, months, seed, chunk, variant.name, True)
                future = backend.submit(run_chunk, *arguments)
                pending[future] = chunk
            while pending:
                collect()
        finally:
            backend.cancel(pending)
