"""A decision command's results folder: ``<out>/<run-id>/`` as ``salesim run`` writes it
(manifest.json, summary.parquet and monthly.parquet of every setting tried, built in a hidden
partial folder and renamed when complete), plus the command's own answer: ``decision.json``
(what ``--json`` prints), its table as Parquet (``sweep.parquet``, ``sensitivity.parquet``,
``goal.parquet``) and its page, ``report.html``, built from those stored files.

Each setting tried is a variant of the stored tables, named by its setting
(``team.hunters=8``, or ``p017:vaporware`` for a point of a sensitivity design, whose inputs are
in ``sensitivity.parquet``).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from simulator.atomic import write_text_atomic
from simulator.decide.engine import Engine
from simulator.report import REPORT
from simulator.runs.experiment import Plan
from simulator.runs.store import Manifest, RunFolder, RunState, new_run_id
from simulator.scenario.resolve import Scenario, Variant

DECISION = "decision.json"


def create(
    out_dir: Path, kind: str, scenario: Scenario, seed: int, plan: Plan, overrides: list[str]
) -> RunFolder:
    """The partial folder of a new ``kind`` (sweep, sensitivity, goal) of ``scenario``; OSError
    if it cannot be made."""
    started = datetime.now(UTC)
    state = RunState(scenario.resolved(), seed, plan, overrides, started.isoformat())
    return RunFolder.create(out_dir, new_run_id(f"{scenario.name}-{kind}", seed, started), state)


def finish(
    folder: RunFolder,
    scenario: Scenario,
    engine: Engine,
    backend: str,
    decision: dict[str, Any],
    tables: dict[str, pa.Table],
    page: Callable[[dict[str, Any], dict[str, pa.Table]], str],
) -> Path:
    """Write the manifest (the scenario as given, every setting tried as a variant), the answer,
    its tables and its page (from the stored answer and tables), and make the folder visible."""
    tried = tuple(Variant(label, "", scenario.variants[0].parameters) for label in engine.labels)
    state = folder.state()
    manifest = Manifest.of_study(
        replace(scenario, variants=tried or scenario.variants), state, engine.study(), backend
    )
    manifest = replace(manifest, scenario=scenario.resolved())

    def add_files(partial: Path) -> None:
        write_text_atomic(partial / DECISION, json_text(decision))
        for name, table in tables.items():
            pq.write_table(table, partial / name)
        stored = json.loads((partial / DECISION).read_text())
        read = {name: pq.read_table(partial / name) for name in tables}
        write_text_atomic(partial / REPORT, page(stored, read))

    return folder.finish(manifest, add_files)


def json_text(data: Any) -> str:
    """Data as JSON, strictly: numpy numbers as plain ones, NaN and infinities as null."""
    return json.dumps(plain(data), indent=1) + "\n"


def plain(value: Any) -> Any:
    """``value`` with numpy numbers made plain and non-finite floats made None, recursively."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, str):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
