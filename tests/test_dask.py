"""A real dask.distributed cluster on loopback: a ``dask scheduler`` and two ``dask worker``
processes, as a user starts them on several machines. The cluster must give the local backend's
tables bit for bit, and still do so when a worker is killed midway (its chunks are recomputed
elsewhere: a replication is a pure function of its inputs)."""

from __future__ import annotations

import json
import os
import signal

import dask
import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.runs.backends import DaskCluster
from simulator.runs.experiment import MemorySink, Plan, run_experiment, run_study
from simulator.runs.store import read_monthly, read_summary
from simulator.runs.tcp_cluster import tcp_cluster
from tests.conftest import bundled

SEED = 31
REPLICATIONS = 12
OVERRIDES = ("market.accounts=400", "horizon_months=12")


def scenario():
    return bundled("handoff", *OVERRIDES)


@pytest.fixture
def cluster():
    """A scheduler and two single-process, single-thread workers without nannies (so a killed
    worker stays dead); yields (scheduler address, worker processes)."""
    with tcp_cluster(2, nanny=False) as started:
        yield started.address, started.workers


@pytest.fixture(scope="module")
def local():
    return run_experiment(scenario(), REPLICATIONS, SEED, workers=1)


def assert_same(summary, monthly, local) -> None:
    assert summary.schema == local.summary.schema
    pd.testing.assert_frame_equal(summary.to_pandas(), local.summary.to_pandas())
    pd.testing.assert_frame_equal(monthly.to_pandas(), local.monthly.to_pandas())


def test_a_cluster_gives_the_local_tables_bit_for_bit(cluster, local):
    address, _ = cluster
    sink = MemorySink()
    study = run_study(scenario(), Plan(REPLICATIONS, 2), SEED, sink, DaskCluster(address, 0))
    assert study.slots == 2
    assert_same(*sink.tables(), local)


def test_a_run_survives_a_worker_killed_midway(cluster, local):
    """SIGKILL one worker as soon as the first chunk is back: chunks it held are lost and must
    be recomputed on the other worker, and the tables must not change."""
    address, workers = cluster
    victim = workers[1]
    done: list[int] = []

    def kill_after_first_chunk(replications: int) -> None:
        done.append(replications)
        if victim.poll() is None:
            os.kill(victim.pid, signal.SIGKILL)
            victim.wait()

    sink = MemorySink()
    run_study(
        scenario(),
        Plan(REPLICATIONS, 1),
        SEED,
        sink,
        DaskCluster(address, 0),
        kill_after_first_chunk,
    )
    assert victim.returncode == -signal.SIGKILL
    assert sum(done) == REPLICATIONS * len(scenario().variants)
    assert_same(*sink.tables(), local)


def test_salesim_run_on_a_cluster_stores_the_local_results(cluster, local, tmp_path):
    address, _ = cluster
    out = tmp_path / "results"
    args = ["run", "handoff", "-n", str(REPLICATIONS), "--seed", str(SEED), "--out"]
    args += [str(out), "--backend", "dask", "--scheduler", address]
    for override in OVERRIDES:
        args += ["--set", override]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    (run_dir,) = out.iterdir()
    manifest = json.loads((run_dir / "manifest.json").read_text())
    assert (manifest["backend"], manifest["workers"]) == ("dask", 2)
    assert_same(read_summary(run_dir), read_monthly(run_dir), local)


def test_a_local_dask_cluster_when_no_scheduler_is_given(local):
    sink = MemorySink()
    run_study(scenario(), Plan(REPLICATIONS, 3), SEED, sink, DaskCluster(None, 2))
    assert_same(*sink.tables(), local)


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    args = ["run", "handoff", "-n", "2", "--out", str(tmp_path), "--backend", "dask"]
    args += ["--scheduler", "tcp://127.0.0.1:9"]
    with dask.config.set({"distributed.comm.timeouts.connect": "2s"}):
        result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "cannot reach the Dask scheduler" in result.output
    assert not tmp_path.exists() or not any(tmp_path.iterdir())
