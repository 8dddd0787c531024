"""Streaming and resuming: a `salesim run` killed with SIGKILL midway leaves no visible results,
and `--resume` finishes it with exactly the tables of an uninterrupted run with the same seed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.runs.experiment import Plan
from simulator.runs.store import MANIFEST, PARTS, read_monthly, read_summary

SEED = 5
REPLICATIONS = 60
ARGS = ["qualification", "--seed", str(SEED), "--set", "market.accounts=300"]
ARGS += ["--set", "horizon_months=12"]
PARTS_BEFORE_KILL = 6
VARIANTS = 4
runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["run", *args])


def summary_parts(out: Path) -> list[Path]:
    return list(out.glob(f".*.partial/{PARTS}/summary-*.parquet"))


@pytest.fixture(scope="module")
def killed(tmp_path_factory) -> Path:
    """A run on two workers, killed (with its workers) once a few chunks are stored."""
    out = tmp_path_factory.mktemp("killed")
    command = [sys.executable, "-m", "simulator", "run", *ARGS, "-n", str(REPLICATIONS)]
    command += ["--workers", "2", "--out", str(out)]
    process = subprocess.Popen(
        command, start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 120
    while len(summary_parts(out)) < PARTS_BEFORE_KILL:
        assert process.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline, "no parts were written"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    return out


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("whole")
    result = run(*ARGS, "-n", str(REPLICATIONS), "--workers", "1", "--out", str(out))
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return folder


def test_a_killed_run_leaves_no_visible_results(killed):
    (partial,) = killed.iterdir()
    assert partial.name.startswith(".") and partial.name.endswith(".partial")
    assert not (partial / MANIFEST).exists()
    stored = len(summary_parts(killed))
    chunks = Plan.fixed(REPLICATIONS, workers=2).blocks() * VARIANTS
    assert PARTS_BEFORE_KILL <= stored < chunks, "killed midway"


def stored_replications(out: Path) -> int:
    """Replications (all variants) in the stored parts: names end in -<start>-<stop>."""
    ranges = [p.stem.split("-")[-2:] for p in summary_parts(out)]
    return sum(int(stop) - int(start) for start, stop in ranges)


def test_resume_ends_as_an_uninterrupted_run(killed, uninterrupted):
    (partial,) = killed.iterdir()
    already = stored_replications(killed)
    final = partial.with_name(partial.name[1 : -len(".partial")])
    result = run(*ARGS, "--workers", "2", "--resume", str(final))
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in killed.iterdir()) == [final.name], "no partial left"
    for read in (read_summary, read_monthly):
        resumed, whole = read(final), read(uninterrupted)
        assert resumed.schema == whole.schema
        pd.testing.assert_frame_equal(resumed.to_pandas(), whole.to_pandas())
    manifest = json.loads((final / MANIFEST).read_text())
    assert manifest["timings"]["resumed"] is True
    assert manifest["timings"]["replications_computed"] == REPLICATIONS * VARIANTS - already
    assert manifest["replications"] == REPLICATIONS


def test_resume_refuses_a_finished_run(uninterrupted):
    result = run(*ARGS, "--resume", str(uninterrupted))
    assert result.exit_code == 2
    assert "already complete" in result.output


def test_resume_refuses_other_settings(tmp_path):
    """Resuming with another seed or scenario would mix two experiments in one table."""
    out = tmp_path / "results"
    partial = out / ".run-1.partial"
    (partial / PARTS).mkdir(parents=True)
    state = {"scenario": {}, "root_seed": 9, "plan": {"replications": 4, "block": 2}}
    (partial / "run.json").write_text(json.dumps(state))
    result = run(*ARGS, "--resume", str(out / "run-1"))
    assert result.exit_code == 2
    assert "--seed 5, but the run used 9" in result.output
    assert "the scenario" in result.output
    assert sorted(p.name for p in out.iterdir()) == [".run-1.partial"]
