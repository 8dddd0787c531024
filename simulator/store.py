"""Run folders: ``<out>/<run-id>/`` with manifest.json, summary.parquet and monthly.parquet.

A run is written into a hidden ``.<run-id>.partial`` folder beside its final place and renamed
in one step when complete, so readers never see half a run; if writing fails or is interrupted,
the partial folder is removed.
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

import pyarrow as pa
import pyarrow.parquet as pq

MANIFEST = "manifest.json"
SUMMARY = "summary.parquet"
MONTHLY = "monthly.parquet"


def new_run_id(scenario_name: str, seed: int, now: datetime | None = None) -> str:
    """A sortable, readable folder name: ``20261123-101500-death-spiral-s1``."""
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    slug = re.sub(r"[^a-z0-9]+", "-", scenario_name.lower()).strip("-")[:40] or "scenario"
    return f"{stamp}-{slug}-s{seed}"


def write_run(
    out_dir: Path,
    run_id: str,
    manifest: dict[str, Any],
    summary: pa.Table,
    monthly: pa.Table,
    finish: Callable[[Path], None] | None = None,
) -> Path:
    """Write a run atomically and return its folder (a suffix keeps run ids unique).

    ``finish`` runs on the complete partial folder before the rename, to add files made from
    the stored results (the report), so they are part of the same atomic step."""
    out_dir.mkdir(parents=True, exist_ok=True)
    final = out_dir / run_id
    suffix = 1
    while final.exists():
        suffix += 1
        final = out_dir / f"{run_id}-{suffix}"
    partial = out_dir / f".{final.name}.partial"
    manifest = {"run_id": final.name, **manifest}
    try:
        partial.mkdir()
        pq.write_table(summary, partial / SUMMARY)
        pq.write_table(monthly, partial / MONTHLY)
        (partial / MANIFEST).write_text(json.dumps(manifest, indent=2, default=str) + "\n")
        if finish is not None:
            finish(partial)
        os.rename(partial, final)
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return final


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
