"""Reproducibility: a run is a pure function of (scenario, root seed, replication index).

The same seed must give the same tables whatever the number of worker processes, whichever
other replications or variants ran alongside, and however much one random input consumed of
its stream; a different seed must give different results.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pyarrow as pa
import pytest

from simulator.metrics import controls
from simulator.model.streams import STREAM_NAMES, Streams, replication_seed
from simulator.runs.experiment import run_experiment, run_replication
from tests.conftest import bundled

SEED = 20261123
REPLICATIONS = 6


def small_scenario():
    return bundled("qualification", "market.accounts=300", "horizon_months=12")


@pytest.fixture(scope="module")
def serial():
    return run_experiment(small_scenario(), REPLICATIONS, SEED, workers=1)


def same(a, b) -> bool:
    """Equal values, NaN equal to NaN (medians of empty sets are NaN)."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def assert_tables_equal(left: pa.Table, right: pa.Table) -> None:
    assert left.schema == right.schema
    assert left.num_rows == right.num_rows
    for name in left.column_names:
        a, b = left.column(name).to_pylist(), right.column(name).to_pylist()
        assert all(same(x, y) for x, y in zip(a, b, strict=True)), name


def assert_rows_equal(left: dict[str, float], right: dict[str, float]) -> None:
    assert left.keys() == right.keys()
    assert all(same(left[k], right[k]) for k in left), {
        k: (left[k], right[k]) for k in left if not same(left[k], right[k])
    }


def row(table: pa.Table, variant: str, replication: int) -> dict[str, float]:
    rows = [
        r for r in table.to_pylist() if r["variant"] == variant and r["replication"] == replication
    ]
    assert len(rows) == 1
    skipped = ("variant", "replication")
    return {
        k: v for k, v in rows[0].items() if k not in skipped and not k.startswith(controls.PREFIX)
    }


@pytest.mark.parametrize("replication", [0, 1, 7, 123])
def test_replication_seed_is_the_spawned_child(replication):
    """Documented in streams.py: replication i's seed is SeedSequence(root).spawn(n)[i]."""
    spawned = np.random.SeedSequence(SEED).spawn(replication + 3)[replication]
    direct = replication_seed(SEED, replication)
    assert direct.entropy == spawned.entropy
    assert direct.spawn_key == spawned.spawn_key
    assert np.array_equal(direct.generate_state(8), spawned.generate_state(8))
    a = np.random.Generator(np.random.PCG64(direct)).random(16)
    b = np.random.Generator(np.random.PCG64(spawned)).random(16)
    assert np.array_equal(a, b)
    mine, theirs = Streams(direct), Streams(spawned)
    for name in STREAM_NAMES:
        assert np.array_equal(mine[name].random(8), theirs[name].random(8)), name


def test_replications_and_streams_are_distinct():
    """Distinct replications, and distinct inputs within one, draw distinct numbers."""
    first = [Streams(replication_seed(SEED, i))["accounts"].random(4).tolist() for i in range(5)]
    assert len({tuple(draws) for draws in first}) == 5
    streams = Streams(replication_seed(SEED, 0))
    draws = {tuple(streams[name].random(4).tolist()) for name in STREAM_NAMES}
    assert len(draws) == len(STREAM_NAMES)


@pytest.mark.parametrize("consumed", STREAM_NAMES)
def test_a_stream_does_not_depend_on_another_streams_consumption(consumed):
    """More leads from one source must not reshuffle the luck of every other input."""
    untouched = Streams(replication_seed(SEED, 3))
    busy = Streams(replication_seed(SEED, 3))
    busy[consumed].random(10_000)
    busy[consumed].standard_normal(777)
    for name in STREAM_NAMES:
        if name != consumed:
            assert np.array_equal(untouched[name].random(32), busy[name].random(32)), name


def test_workers_do_not_change_results(serial):
    """Two worker processes, chunks finishing in any order, give the same tables as one."""
    parallel = run_experiment(small_scenario(), REPLICATIONS, SEED, workers=2)
    assert parallel.study.slots == 2
    assert_tables_equal(serial.summary, parallel.summary)
    assert_tables_equal(serial.monthly, parallel.monthly)


def test_same_seed_same_tables(serial):
    """No hidden state (a global generator, a cache) carries over from one run to the next."""
    again = run_experiment(small_scenario(), REPLICATIONS, SEED, workers=1)
    assert_tables_equal(serial.summary, again.summary)
    assert_tables_equal(serial.monthly, again.monthly)


def test_a_replication_does_not_depend_on_its_company(serial):
    """Replication i is the same run directly, in a longer experiment, or beside other variants."""
    scenario = small_scenario()
    variant = scenario.variants[2]
    direct = run_replication(variant.parameters, scenario.horizon_months, SEED, 4)
    assert_rows_equal(direct.summary, row(serial.summary, variant.name, 4))
    for name, values in direct.monthly.items():
        stored = [
            r[name]
            for r in serial.monthly.to_pylist()
            if r["variant"] == variant.name and r["replication"] == 4
        ]
        assert np.array_equal(values, stored), name

    alone = dataclasses.replace(scenario, variants=(variant,))
    fewer = run_experiment(alone, 5, SEED, workers=1)
    assert_rows_equal(row(fewer.summary, variant.name, 4), direct.summary)


def test_different_seeds_give_different_results(serial):
    """A seed that changed nothing would mean some input ignores the seed."""
    other = run_experiment(small_scenario(), REPLICATIONS, SEED + 1, workers=1)
    leads = serial.summary.column("leads_total").to_pylist()
    assert leads != other.summary.column("leads_total").to_pylist()
    assert serial.monthly.column("leads").to_pylist() != other.monthly.column("leads").to_pylist()
    parameters = small_scenario().variants[0].parameters
    first, second = (run_replication(parameters, 12, SEED, i) for i in (0, 1))
    assert not np.array_equal(first.monthly["leads"], second.monthly["leads"])
