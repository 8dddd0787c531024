"""A dask.distributed cluster on this machine, started as a user starts one on several: a
``dask scheduler`` process and ``dask worker`` processes that join it over TCP. The benchmark
and the tests run salesim against it exactly as against a cluster elsewhere
(``--backend dask --scheduler tcp://...``)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

STARTUP_SECONDS = 60.0
POLL_SECONDS = 0.1


@dataclass(frozen=True)
class TcpCluster:
    address: str  # tcp://127.0.0.1:PORT
    workers: list[subprocess.Popen[bytes]]


def _wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(what)
        time.sleep(POLL_SECONDS)


@contextmanager
def tcp_cluster(workers: int = 2, nanny: bool = True) -> Iterator[TcpCluster]:
    """A scheduler on a free loopback port and ``workers`` single-thread worker processes
    (without a nanny, a killed worker stays dead: what a test of lost workers needs); every
    process is killed on exit (they hold nothing to save)."""
    dask = str(Path(sys.executable).with_name("dask"))
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    with tempfile.TemporaryDirectory() as folder:
        scheduler_file = Path(folder) / "scheduler.json"
        scheduler = [dask, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"]
        processes = [
            subprocess.Popen([*scheduler, "--scheduler-file", str(scheduler_file)], **quiet)
        ]
        try:
            _wait_for(scheduler_file.exists, "the dask scheduler did not start")
            _wait_for(lambda: "address" in scheduler_file.read_text(), "no scheduler address")
            address = json.loads(scheduler_file.read_text())["address"]
            worker = [dask, "worker", address, "--nthreads", "1", "--no-dashboard"]
            worker += [] if nanny else ["--no-nanny"]
            started = [
                subprocess.Popen([*worker, "--name", f"worker-{i}"], **quiet)
                for i in range(workers)
            ]
            processes += started
            from distributed import Client  # here, as in backends: dask costs every command

            with Client(address) as client:
                client.wait_for_workers(workers, timeout=STARTUP_SECONDS)
            yield TcpCluster(address, started)
        finally:
            for process in processes:
                process.kill()
                process.wait()
