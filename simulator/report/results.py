"""Stored runs as the report reads them: one or several run folders, combined.

A variant name that clashes with one already read gets its scenario's name in front (and the
seed, if that is not enough). Differences are paired only when every run used the same seed and
replications (common random numbers); otherwise they are Welch (unpaired), and the notes say so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from simulator import __version__
from simulator.metrics.catalog import summary_metric
from simulator.runs.aggregate import Difference, variant_values, welch_difference
from simulator.runs.store import MONTHLY as MONTHLY_FILE
from simulator.runs.store import Manifest, read_manifest, read_summary
from simulator.runs.summary_differences import summary_difference


class MonthlyColumns:
    """The runs' monthly tables, read one column of one variant at a time: a run's monthly
    table grows with replications x months, so it is never loaded whole."""

    def __init__(self) -> None:
        self._sources: dict[str, tuple[Path, str]] = {}  # variant as shown -> (file, stored name)
        self.columns: set[str] = set()

    def add(self, path: Path, renamed: dict[str, str]) -> None:
        self._sources.update({shown: (path, stored) for stored, shown in renamed.items()})
        self.columns.update(pq.read_schema(path).names)

    def matrix(self, variant: str, column: str) -> np.ndarray:
        """Replications x months for one variant."""
        path, stored = self._sources[variant]
        table = pq.read_table(
            path, columns=["replication", "month", column], filters=[("variant", "==", stored)]
        )
        replication = table.column("replication").to_numpy()
        month = table.column("month").to_numpy()
        values = table.column(column).to_numpy(zero_copy_only=False).astype(float)
        replications, months = np.unique(replication), int(month.max())
        matrix = np.full((replications.size, months), np.nan)
        matrix[np.searchsorted(replications, replication), month - 1] = values
        return matrix


@dataclass(frozen=True)
class Results:
    """One or more stored runs, as the report reads them."""

    scenario: str
    variants: list[str]
    summary: pa.Table
    monthly: MonthlyColumns
    header: list[str]
    paired: bool
    notes: list[str] = field(default_factory=list)  # said near the top: how runs were combined
    context: str = ""  # replications, seed, pairing and overrides, in a line
    warnings: list[str] = field(default_factory=list)  # the scenarios' (an unsettled fit)

    @property
    def columns(self) -> set[str]:
        """The summary columns the runs stored."""
        return set(self.summary.column_names)

    def values(self, variant: str, metric: str) -> np.ndarray:
        """One variant's values of a summary metric, a value per replication."""
        return variant_values(self.summary, variant, metric)

    def mean(self, variant: str, metric: str) -> float:
        """The mean over replications of a summary metric, ignoring undefined values."""
        values = self.values(variant, metric)
        finite = values[np.isfinite(values)]
        return float(finite.mean()) if finite.size else float("nan")

    def difference(self, variant: str, metric: str) -> Difference:
        """Variant minus baseline: paired by replication when the runs allow, else Welch."""
        lower = summary_metric(metric).lower_is_better
        values, baseline = self.values(variant, metric), self.values(self.variants[0], metric)
        if self.paired:
            return summary_difference(self.summary, variant, self.variants[0], metric, lower)
        return welch_difference(values, baseline, lower)


def load_results(run_dirs: Sequence[Path]) -> Results:
    """Read stored runs. Several runs are combined: a variant name that clashes with one
    already read gets its scenario's name in front (and the seed, if that is not enough).
    Differences are paired only when every run used the same seed and replications (common
    random numbers); otherwise they are Welch (unpaired), and the notes say so."""
    manifests = [read_manifest(d) for d in run_dirs]
    summaries, variants = [], []
    monthly = MonthlyColumns()
    owners: dict[
        str, tuple[str, int, tuple[str, ...]]
    ] = {}  # name -> its run's scenario, seed, --set
    for run_dir, manifest in zip(run_dirs, manifests, strict=True):
        renamed = _unclash(list(manifest.variants), manifest, run_dir, owners)
        mine = (manifest.scenario_name, manifest.root_seed, tuple(manifest.overrides))
        owners.update({n: mine for n in renamed.values()})
        variants.extend(renamed.values())
        summaries.append(_rename(read_summary(run_dir), renamed))
        monthly.add(run_dir / MONTHLY_FILE, renamed)
    # one chunk per column: a run's table has a row group per stored part
    summary = pa.concat_tables(summaries, promote_options="default").combine_chunks()
    run_ids = [m.run_id or d.name for d, m in zip(run_dirs, manifests, strict=True)]
    seeds = sorted({m.root_seed for m in manifests})
    counts = sorted({m.replications for m in manifests})
    scenarios = list(dict.fromkeys(m.scenario_name for m in manifests))
    paired = len(seeds) == len(counts) == 1
    overrides = _overrides(manifests)
    runs = ", ".join(
        f"{m.scenario_name} with seed {m.root_seed} × {m.replications} replications"
        for m in manifests
    )
    header = [
        f"Scenario: {', '.join(scenarios)}",
        f"Variants: {', '.join(variants)} (baseline: {variants[0]})",
        f"Replications per variant: {counts[0]}; root seed: {seeds[0]}"
        if paired
        else f"Replications and root seeds: {runs}",
        f"Overrides (--set): {overrides or 'none'}",
        f"Made by salesim {', '.join(sorted({m.salesim_version for m in manifests}))}; "
        f"report by salesim {__version__} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"runs: {', '.join(run_ids)}",
    ]
    notes = []
    if len(run_dirs) > 1 and not paired:
        notes.append(
            f"Unpaired comparison: the {len(run_dirs)} runs combined here ({runs}) do not share "
            "one root seed and replication count, so their variants did not see the same random "
            "markets. Every difference below is an unpaired (Welch) estimate, with wider "
            "intervals than a paired run would give."
        )
    if len(scenarios) > 1:
        notes.append(
            f"Different scenarios combined ({', '.join(scenarios)}): a difference between "
            "variants of different scenarios mixes their strategies with every other setting "
            "that differs between the scenarios."
        )
    if paired:
        context = f"{counts[0]} replications per variant, seed {seeds[0]}; paired"
    else:
        context = f"{runs}; unpaired (Welch)"
    if overrides:
        context += f"; with --set {overrides}"
    warnings = list(dict.fromkeys(w for m in manifests for w in m.scenario.get("warnings", [])))
    return Results(
        " + ".join(scenarios), variants, summary, monthly, header, paired, notes, context, warnings
    )


def _unclash(
    names: list[str],
    manifest: Manifest,
    run_dir: Path,
    owners: dict[str, tuple[str, int, tuple[str, ...]]],
) -> dict[str, str]:
    """Stored name -> shown name. A name already taken is told apart by what differs: the
    scenario's name in front, else the run's ``--set`` overrides after it, else its seed (the
    run id last)."""
    scenario, seed = manifest.scenario_name, manifest.root_seed
    renamed: dict[str, str] = {}
    for name in names:
        taken = set(owners) | set(renamed.values())
        candidates = [name]
        if name in owners and owners[name][0] == scenario:
            if manifest.overrides and tuple(manifest.overrides) != owners[name][2]:
                candidates.append(f"{name} ({', '.join(manifest.overrides)})")
            candidates.append(f"{scenario} (seed {seed}): {name}")
        else:
            candidates.append(f"{scenario}: {name}")
        candidates.append(f"{manifest.run_id or run_dir.name}: {name}")
        renamed[name] = next((c for c in candidates if c not in taken), candidates[-1])
    return renamed


def _overrides(manifests: list[Manifest]) -> str:
    lists = [list(m.overrides) for m in manifests]
    if not any(lists):
        return ""
    if len(manifests) == 1 or all(items == lists[0] for items in lists):
        return ", ".join(lists[0])
    return "; ".join(
        f"{m.scenario_name} seed {m.root_seed}: {', '.join(items) or 'none'}"
        for m, items in zip(manifests, lists, strict=True)
    )


def _rename(table: pa.Table, renamed: dict[str, str]) -> pa.Table:
    if all(stored == shown for stored, shown in renamed.items()):
        return table
    column = [renamed[v] for v in table.column("variant").to_pylist()]
    index = table.schema.get_field_index("variant")
    return table.set_column(index, "variant", pa.array(column, pa.string()))
