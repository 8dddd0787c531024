"""Run folders: ``<out>/<run-id>/`` with manifest.json, summary.parquet and monthly.parquet.

A run is written into a hidden ``.<run-id>.partial`` folder beside its final place and renamed
in one step when complete, so readers never see half a run. An interrupted run leaves only that
hidden folder, which ``salesim run --resume`` continues.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator.experiment import Chunk, ChunkTables, summary_values

MANIFEST = "manifest.json"
SUMMARY = "summary.parquet"
MONTHLY = "monthly.parquet"
STATE = "run.json"
PARTS = "parts"


def new_run_id(scenario_name: str, seed: int, now: datetime | None = None) -> str:
    """A sortable, readable folder name: ``20261123-101500-death-spiral-s1``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^a-z0-9]+", "-", scenario_name.lower()).strip("-")[:40] or "scenario"
    return f"{stamp}-{slug}-s{seed}"


class RunFolderError(ValueError):
    """A folder given to resume is not an unfinished salesim run."""


class RunFolder:
    """A run being written, in its hidden partial folder.

    Finished chunks stream in as Parquet parts (each written to a temporary name and renamed,
    summary last, so a part exists whole or not at all); ``state`` says what the run is, so a
    run killed midway can be reopened and continued. ``finish`` joins the parts in
    (variant, replication) order into ``summary.parquet`` and ``monthly.parquet``, one row group
    per part and one part in memory at a time, and renames the folder into view."""

    def __init__(self, partial: Path, final: Path) -> None:
        self.partial, self.final = partial, final
        self.parts = partial / PARTS

    @classmethod
    def create(cls, out_dir: Path, run_id: str, state: dict[str, Any]) -> RunFolder:
        """A new partial folder (a suffix keeps run ids unique) holding the run's state."""
        out_dir.mkdir(parents=True, exist_ok=True)
        final, suffix = out_dir / run_id, 1
        while final.exists() or _partial_of(final).exists():
            suffix += 1
            final = out_dir / f"{run_id}-{suffix}"
        folder = cls(_partial_of(final), final)
        folder.parts.mkdir(parents=True)
        write_text_atomic(folder.partial / STATE, json.dumps(state, indent=2, default=str))
        return folder

    @classmethod
    def reopen(cls, run_dir: Path) -> RunFolder:
        """The unfinished run at ``run_dir``: its final path or its hidden partial folder."""
        if run_dir.name.startswith(".") and run_dir.name.endswith(".partial"):
            partial, final = run_dir, run_dir.with_name(run_dir.name[1 : -len(".partial")])
        else:
            partial, final = _partial_of(run_dir), run_dir
        if (final / MANIFEST).is_file():
            raise RunFolderError(f"{run_dir}: this run is already complete; nothing to resume")
        if not (partial / STATE).is_file():
            raise RunFolderError(
                f"{run_dir}: no unfinished salesim run here (looked for {partial / STATE})"
            )
        return cls(partial, final)

    def state(self) -> dict[str, Any]:
        return json.loads((self.partial / STATE).read_text())

    def replications_stored(self) -> int:
        """Replications (all variants together) already stored by an earlier session."""
        return sum(chunk.stop - chunk.start for chunk in self._chunks())

    def _part(self, kind: str, chunk: Chunk) -> Path:
        return (
            self.parts / f"{kind}-v{chunk.variant:04d}-{chunk.start:09d}-{chunk.stop:09d}.parquet"
        )

    def _chunks(self) -> list[Chunk]:
        """Stored chunks, in (variant, replication) order; a summary part marks one whole."""
        chunks = []
        for path in self.parts.glob("summary-v*.parquet"):
            variant, start, stop = (int(x.lstrip("v")) for x in path.stem.split("-")[1:])
            chunks.append(Chunk(variant, start, stop))
        return sorted(chunks)

    # --- the runner's sink --------------------------------------------------------------------

    def stored(self) -> dict[Chunk, np.ndarray]:
        return {c: summary_values(pq.read_table(self._part("summary", c))) for c in self._chunks()}

    def store(self, tables: ChunkTables) -> None:
        for kind, table in (("monthly", tables.monthly), ("summary", tables.summary)):
            path = self._part(kind, tables.chunk)
            temporary = path.with_name(f".{path.name}.tmp")
            pq.write_table(table, temporary)
            os.replace(temporary, path)

    def drop_from(self, replication: int) -> None:
        for chunk in self._chunks():
            if chunk.start >= replication:
                self._part("summary", chunk).unlink()
                self._part("monthly", chunk).unlink(missing_ok=True)

    # --- completion ---------------------------------------------------------------------------

    def finish(
        self, manifest: dict[str, Any], finish: Callable[[Path], None] | None = None
    ) -> Path:
        """Join the parts, write the manifest (and ``finish``'s files, e.g. the report, made
        from the stored results), then make the run visible in one rename."""
        chunks = self._chunks()
        for kind, name in (("summary", SUMMARY), ("monthly", MONTHLY)):
            _concatenate([self._part(kind, c) for c in chunks], self.partial / name)
        manifest = {"run_id": self.final.name, **manifest}
        write_text_atomic(self.partial / MANIFEST, json.dumps(manifest, indent=2, default=str))
        if finish is not None:
            finish(self.partial)
        shutil.rmtree(self.parts)
        (self.partial / STATE).unlink()
        os.rename(self.partial, self.final)
        return self.final

    def discard(self) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)


def unfinished_runs(out_dir: Path, scenario_name: str) -> list[tuple[Path, dict[str, Any]]]:
    """Runs of ``scenario_name`` left unfinished in ``out_dir`` (interrupted or killed), newest
    first: the path ``--resume`` takes, and the run's state."""
    found = []
    for partial in out_dir.glob(".*.partial"):
        try:
            state = json.loads((partial / STATE).read_text())
        except (OSError, ValueError):
            continue  # not a run folder (e.g. a file being written), or unreadable
        scenario = state.get("scenario") if isinstance(state, dict) else None
        if isinstance(scenario, dict) and scenario.get("name") == scenario_name:
            found.append((partial.with_name(partial.name[1 : -len(".partial")]), state))
    return sorted(found, key=lambda item: str(item[1].get("started_utc", "")), reverse=True)


def _partial_of(final: Path) -> Path:
    return final.with_name(f".{final.name}.partial")


def _concatenate(parts: list[Path], path: Path) -> None:
    """One Parquet file with a row group per part, reading one part at a time."""
    writer: pq.ParquetWriter | None = None
    try:
        for part in parts:
            table = pq.read_table(part)
            if writer is None:
                writer = pq.ParquetWriter(path, table.schema)
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()


def write_text_atomic(path: Path, text: str) -> Path:
    """Write a file so that readers see the old file or the whole new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def read_manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / MANIFEST).read_text())


def read_summary(run_dir: Path) -> pa.Table:
    return pq.read_table(run_dir / SUMMARY)


def read_monthly(run_dir: Path) -> pa.Table:
    return pq.read_table(run_dir / MONTHLY)
