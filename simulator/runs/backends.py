"""Where chunks of replications run: in this process, a local process pool, or a Dask cluster.

Every backend offers the same three calls on ``concurrent.futures``-style futures (submit, wait
for the first to finish, cancel), so the runner does not care where work happens. Results do not
depend on the backend: a replication is a pure function of its inputs, and a chunk lost with a
dead Dask worker is simply computed again elsewhere.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from typing import Any, Protocol

BACKENDS = ("local", "dask")


class Backend(Protocol):
    slots: int  # chunks that can run at the same time

    def __enter__(self) -> Backend: ...

    def __exit__(self, *exc: object) -> None: ...

    def submit(self, function: Callable[..., Any], *args: Any) -> Any: ...

    def first_done(self, futures: Iterable[Any]) -> set[Any]: ...

    def cancel(self, futures: Iterable[Any]) -> None: ...


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


class InProcess:
    """One worker: each chunk runs when submitted, in this process (no pickling, easy to debug)."""

    slots = 1

    def __enter__(self) -> InProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        future: Future[Any] = Future()
        try:
            future.set_result(function(*args))
        except Exception as error:  # re-raised by result(), like a pool's future
            future.set_exception(error)
        return future

    def first_done(self, futures: Iterable[Future[Any]]) -> set[Future[Any]]:
        return wait(list(futures), return_when=FIRST_COMPLETED).done

    def cancel(self, futures: Iterable[Future[Any]]) -> None:
        return None


class LocalPool(InProcess):
    """Worker processes on this machine."""

    def __init__(self, workers: int) -> None:
        self.slots = workers
        self._pool = ProcessPoolExecutor(max_workers=workers)

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, *exc: object) -> None:
        # Do not wait for chunks still running past a precision stop: nobody needs them.
        self._pool.shutdown(wait=False, cancel_futures=True)

    def submit(self, function: Callable[..., Any], *args: Any) -> Future[Any]:
        return self._pool.submit(function, *args)

    def cancel(self, futures: Iterable[Future[Any]]) -> None:
        for future in futures:
            future.cancel()


class DaskCluster:
    """A ``dask.distributed`` cluster: the scheduler at ``address``, or a ``LocalCluster`` of
    ``workers`` single-threaded worker processes when no address is given."""

    def __init__(self, address: str | None, workers: int) -> None:
        from distributed import Client, LocalCluster

        self._cluster = (
            None
            if address
            else LocalCluster(
                n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
            )
        )
        self._client = Client(address or self._cluster)
        self.slots = max(1, sum(self._client.nthreads().values()))

    def __enter__(self) -> DaskCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self._client.close()
        if self._cluster is not None:
            self._cluster.close()

    def submit(self, function: Callable[..., Any], *args: Any) -> Any:
        return self._client.submit(function, *args, pure=False)

    def first_done(self, futures: Iterable[Any]) -> set[Any]:
        from distributed import wait as dask_wait

        return set(dask_wait(list(futures), return_when="FIRST_COMPLETED").done)

    def cancel(self, futures: Iterable[Any]) -> None:
        self._client.cancel(list(futures))


def open_backend(name: str, workers: int, scheduler: str | None = None) -> Backend:
    """The backend called ``name``; ``scheduler`` is a Dask scheduler address."""
    if name == "dask":
        return DaskCluster(scheduler, workers)
    if name != "local":
        raise ValueError(f"unknown backend {name!r}; allowed: {', '.join(BACKENDS)}")
    return InProcess() if workers <= 1 else LocalPool(workers)
