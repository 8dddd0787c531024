"""Run folders: ``<out>/<run-id>/`` with manifest.json, summary.parquet and monthly.parquet
(and deals.parquet, one row per opportunity, for a run with ``--deals``).

A run is written into a hidden ``.<run-id>.partial`` folder and renamed in one step when
complete, so readers never see half a run; ``salesim run --resume`` continues that folder. What
a run is and what it found are typed once: ``RunState`` (``run.json``) and ``Manifest``
(``manifest.json``), written and read only through ``to_json``/``from_json``.
"""

from __future__ import annotations

import json
import math
import os
import platform
import re
import shutil
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator import __version__
from simulator.atomic import write_text_atomic
from simulator.metrics import catalog
from simulator.metrics.about import described
from simulator.runs.experiment import Chunk, ChunkTables, Plan, Study, summary_values

if TYPE_CHECKING:
    from simulator.scenario.resolve import Scenario

MANIFEST = "manifest.json"
SUMMARY = "summary.parquet"
MONTHLY = "monthly.parquet"
DEALS = "deals.parquet"
STATE = "run.json"
PARTS = "parts"


def new_run_id(scenario_name: str, seed: int, now: datetime | None = None) -> str:
    """A sortable, readable folder name: ``20261123-101500-death-spiral-s1``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^a-z0-9]+", "-", scenario_name.lower()).strip("-")[:40] or "scenario"
    return f"{stamp}-{slug}-s{seed}"


def _known(cls: type, data: dict[str, Any]) -> dict[str, Any]:
    """The keys of ``data`` that are fields of the dataclass ``cls`` (a file written by a later
    version may hold more)."""
    names = {f.name for f in fields(cls)}
    return {key: value for key, value in data.items() if key in names}


@dataclass(frozen=True)
class RunState:
    """A run being written (``run.json``): what ``--resume`` needs to continue it."""

    scenario: dict[str, Any]  # the scenario as resolved, as JSON
    root_seed: int
    plan: Plan
    overrides: list[str] = field(default_factory=list)
    started_utc: str = ""
    deals: bool = False  # also write deals.parquet (``salesim run --deals``)

    @property
    def scenario_name(self) -> str | None:
        return self.scenario.get("name")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RunState:
        return cls(
            scenario=dict(data["scenario"]),
            root_seed=data["root_seed"],
            plan=Plan(**data["plan"]),
            overrides=list(data.get("overrides") or []),
            started_utc=data.get("started_utc", ""),
            deals=bool(data.get("deals", False)),
        )


@dataclass(frozen=True)
class Precision:
    """A precision-driven run: the metric, the target, whether it was reached, and the
    relative half-width of each comparison (None where the baseline mean is 0)."""

    metric: str
    target: float
    reached: bool | None
    relative_half_width: dict[str, float | None]


@dataclass(frozen=True)
class VarianceReduction:
    metric: str
    definition: str
    by_variant: dict[str, float | None]
    controls_definition: str = ""
    by_controls: dict[str, float | None] = field(default_factory=dict)


VARIANCE_REDUCTION = (
    "(var(variant) + var(baseline)) / var(variant - baseline): how many times more "
    "replications independent sampling needs for the paired precision"
)
CONTROL_REDUCTION = "var(paired difference) / var(its control-variate estimate): how many times \
more paired replications the same precision needs without the control variates"


@dataclass(frozen=True)
class Timings:
    started_utc: str = ""
    resumed: bool = False
    replications_computed: int = 0
    wall_seconds: float = 0.0
    study_finished_utc: str = ""
    seconds_per_replication: float = 0.0


@dataclass(frozen=True)
class MetricColumns:
    summary: list[str]
    monthly: list[str]
    lower_is_better: list[str]


@dataclass(frozen=True, kw_only=True)
class Manifest:
    """A finished run (``manifest.json``): how to reproduce it and what it found. The JSON keys
    are the field names, in this order; sections an older version did not write read as None."""

    run_id: str = ""  # set when the run folder is finished
    salesim_version: str = ""
    scenario: dict[str, Any]  # the scenario as resolved (every default filled in), as JSON
    root_seed: int
    replications: int  # per variant
    variants: list[str]  # the first is the baseline
    overrides: list[str] = field(default_factory=list)
    plan: Plan | None = None
    precision: Precision | None = None
    variance_reduction: VarianceReduction | None = None
    backend: str = ""
    workers: int = 0
    metrics: MetricColumns | None = None
    timings: Timings | None = None
    environment: dict[str, str] = field(default_factory=dict)

    @property
    def scenario_name(self) -> str:
        return self.scenario["name"]

    @classmethod
    def of_study(cls, scenario: Scenario, state: RunState, study: Study, backend: str) -> Manifest:
        """The manifest of a finished study of ``scenario``, run as ``state`` says."""
        plan = state.plan
        names = [v.name for v in scenario.variants]
        precision = None
        if plan.precision is not None:
            widths = _finite(names[1:] or names[:1], study.relative_half_width)
            precision = Precision(plan.metric, plan.precision, study.precision_reached, widths)
        return cls(
            scenario=scenario.resolved(),
            root_seed=state.root_seed,
            replications=study.replications,
            variants=names,
            salesim_version=__version__,
            overrides=list(state.overrides),
            plan=plan,
            precision=precision,
            variance_reduction=VarianceReduction(
                plan.metric,
                VARIANCE_REDUCTION,
                _finite(names[1:], study.variance_reduction),
                CONTROL_REDUCTION,
                _finite(names[1:], study.control_reduction),
            ),
            backend=backend,
            workers=study.slots,
            metrics=MetricColumns(
                list(catalog.SUMMARY), list(catalog.MONTHLY), sorted(catalog.LOWER_IS_BETTER)
            ),
            timings=Timings(
                started_utc=state.started_utc,
                resumed=study.computed < study.replications * len(names),
                replications_computed=study.computed,
                wall_seconds=round(study.wall_seconds, 3),
                study_finished_utc=datetime.now(UTC).isoformat(),
                seconds_per_replication=round(
                    study.wall_seconds * study.slots / max(1, study.computed), 5
                ),
            ),
            environment={
                "python": platform.python_version(),
                "numpy": np.__version__,
                "platform": platform.platform(),
            },
        )

    def to_json(self) -> dict[str, Any]:
        """The manifest as JSON (no run id before the run folder is finished)."""
        data = asdict(self)
        if not self.run_id:
            del data["run_id"]
        pairing = data["variance_reduction"]  # an older run's has no controls: none written
        if pairing is not None and not pairing["controls_definition"]:
            del pairing["controls_definition"], pairing["by_controls"]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        nested = {
            "plan": Plan,
            "precision": Precision,
            "variance_reduction": VarianceReduction,
            "metrics": MetricColumns,
            "timings": Timings,
        }
        values = _known(cls, data)
        for name, kind in nested.items():
            if isinstance(values.get(name), dict):
                values[name] = kind(**_known(kind, values[name]))
        values["overrides"] = list(values.get("overrides") or [])
        return cls(**values)


def _finite(names: list[str], values: list[float]) -> dict[str, float | None]:
    """Values by name, JSON-safe: None for a value that is not finite."""
    return {n: v if math.isfinite(v) else None for n, v in zip(names, values, strict=True)}


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
    def create(cls, out_dir: Path, run_id: str, state: RunState) -> RunFolder:
        """A new partial folder (a suffix keeps run ids unique) holding the run's state."""
        out_dir.mkdir(parents=True, exist_ok=True)
        final, suffix = out_dir / run_id, 1
        while final.exists() or _partial_of(final).exists():
            suffix += 1
            final = out_dir / f"{run_id}-{suffix}"
        folder = cls(_partial_of(final), final)
        folder.parts.mkdir(parents=True)
        text = json.dumps(state.to_json(), indent=2, default=str)
        write_text_atomic(folder.partial / STATE, text)
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

    def state(self) -> RunState:
        return RunState.from_json(json.loads((self.partial / STATE).read_text()))

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

    def stored(self, controls: tuple[str, ...]) -> dict[Chunk, np.ndarray]:
        return {
            c: summary_values(pq.read_table(self._part("summary", c)), controls)
            for c in self._chunks()
        }

    def store(self, tables: ChunkTables) -> None:
        kinds = [("monthly", tables.monthly), ("summary", tables.summary)]
        if tables.deals is not None:
            kinds.insert(0, ("deals", tables.deals))
        for kind, table in kinds:
            path = self._part(kind, tables.chunk)
            temporary = path.with_name(f".{path.name}.tmp")
            pq.write_table(table, temporary)
            os.replace(temporary, path)

    def drop_from(self, replication: int) -> None:
        for chunk in self._chunks():
            if chunk.start >= replication:
                self._part("summary", chunk).unlink()
                self._part("monthly", chunk).unlink(missing_ok=True)
                self._part("deals", chunk).unlink(missing_ok=True)

    # --- completion ---------------------------------------------------------------------------

    def finish(self, manifest: Manifest, finish: Callable[[Path], None] | None = None) -> Path:
        """Join the parts, write the manifest (and ``finish``'s files, e.g. the report, made
        from the stored results), then make the run visible in one rename."""
        chunks = self._chunks()
        kinds = [("summary", SUMMARY), ("monthly", MONTHLY)]
        if self.state().deals:
            kinds.append(("deals", DEALS))
        for kind, name in kinds:
            _concatenate([self._part(kind, c) for c in chunks], self.partial / name)
        data = replace(manifest, run_id=self.final.name).to_json()
        write_text_atomic(self.partial / MANIFEST, json.dumps(data, indent=2, default=str))
        if finish is not None:
            finish(self.partial)
        shutil.rmtree(self.parts)
        (self.partial / STATE).unlink()
        os.rename(self.partial, self.final)
        return self.final

    def discard(self) -> None:
        shutil.rmtree(self.partial, ignore_errors=True)


def unfinished_runs(out_dir: Path, scenario_name: str) -> list[tuple[Path, RunState]]:
    """Runs of ``scenario_name`` left unfinished in ``out_dir`` (interrupted or killed), newest
    first: the path ``--resume`` takes, and the run's state."""
    found = []
    for partial in out_dir.glob(".*.partial"):
        try:
            state = RunState.from_json(json.loads((partial / STATE).read_text()))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue  # not a run folder (e.g. a file being written), or unreadable
        if state.scenario_name == scenario_name:
            found.append((partial.with_name(partial.name[1 : -len(".partial")]), state))
    return sorted(found, key=lambda item: str(item[1].started_utc), reverse=True)


def _partial_of(final: Path) -> Path:
    return final.with_name(f".{final.name}.partial")


def _concatenate(parts: list[Path], path: Path) -> None:
    """One Parquet file with a row group per part, reading one part at a time."""
    writer: pq.ParquetWriter | None = None
    try:
        for part in parts:
            table = pq.read_table(part)
            if writer is None:
                writer = pq.ParquetWriter(path, described(table.schema))
            writer.write_table(table.cast(writer.schema))
    finally:
        if writer is not None:
            writer.close()


def read_manifest(run_dir: Path) -> Manifest:
    return Manifest.from_json(json.loads((run_dir / MANIFEST).read_text()))


def read_summary(run_dir: Path) -> pa.Table:
    return pq.read_table(run_dir / SUMMARY)


def read_monthly(run_dir: Path) -> pa.Table:
    return pq.read_table(run_dir / MONTHLY)


def read_deals(run_dir: Path) -> pa.Table:
    """The run's deals (``salesim run --deals``); FileNotFoundError for a run without them."""
    return pq.read_table(run_dir / DEALS)
