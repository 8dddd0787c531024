"""The calibrated scenario as a file a leader can read, run and change: only the inputs that
differ from salesim's defaults, under a header comment that says what was fitted, from what,
with what uncertainty, what was counted by rule and what stayed at the base scenario."""

from __future__ import annotations

import datetime as dt
import math
import os
from pathlib import Path
from typing import Any

import yaml

from simulator.calibrate.calibration import Calibration
from simulator.calibrate.knobs import Tree
from simulator.parameters import Parameters
from simulator.store import write_text_atomic

SIGNIFICANT = 6
"""Significant digits the file keeps of a fitted number."""
FORECAST_HORIZON_MONTHS = 12


def _rounded(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value != 0:
        return float(f"{value:.{SIGNIFICANT}g}")
    return value


def differences(tree: Tree, defaults: Tree) -> Tree:
    """The leaves of ``tree`` that differ from ``defaults``, as a nested dict."""
    out: Tree = {}
    for key, value in tree.items():
        default = defaults.get(key)
        if isinstance(value, dict) and isinstance(default, dict):
            inner = differences(value, default)
            if inner:
                out[key] = inner
        elif value != default:
            out[key] = _rounded(value)
    return out


def _number(value: float) -> str:
    if not math.isfinite(value):
        return "not identified"
    return f"{value:,.4g}" if abs(value) < 1e4 else f"{value:,.0f}"


def header(calibration: Calibration, export: Path, export_label: str, base_name: str) -> str:
    """The comment block at the top of the file."""
    c, s = calibration, calibration.settings
    deals, window = c.observed, c.target.window
    lines = [
        f"Calibrated by `salesim calibrate` from {export.name} ({export_label}, {len(deals):,} "
        f"deals as of {deals.as_of}).",
        f"Statistics from {window.first} to {window.last}; the simulation runs "
        f"{s.warmup_months} months before them to fill its pipeline (day 0 = {c.day0}).",
        f"Fitted by simulated method of moments: {s.replications} replications a try, root "
        f"seed {s.seed}, {c.solution.evaluations} parameter sets simulated; 95% intervals carry "
        "the statistics' spread from one simulated company history to another back through "
        "the fit.",
    ]
    if not c.solution.converged:
        lines.append("The search stopped at its limit of tries before it settled: check the fit.")
    lines.append(
        "Fitted (value [95% interval] unit; the statistic it matches, export / simulated):"
    )
    for f in c.fitted:
        lines.append(
            f"  {f.path} = {_number(f.value)} [{_number(f.low)}, {_number(f.high)}] {f.unit}"
        )
        lines.append(f"      {f.label}; {f.target}: {_number(f.observed)} / {_number(f.simulated)}")
    lines.append("Counted by rule:")
    for item in c.counted:
        lines.append(f"  {item.path} = {_number(item.value)} {item.unit}: {item.rule}")
    lines.append(
        f"Everything else is the base scenario's ({base_name}): the market's segments, buying "
        "committees, competitors, marketing, product and roadmap, quota, and the mechanisms' "
        "settings."
    )
    for why in c.left:
        lines.append(f"  not fitted: {why}")
    return "".join(f"# {line}\n" for line in lines)


def page_notes(scenario: Path) -> list[str]:
    """The header of a written scenario as the fit page's lines: everything but the fitted
    inputs' details, which the page's table shows."""
    notes, fitted = [], False
    for line in scenario.read_text().splitlines():
        if not line.startswith("# "):
            continue
        text = line[2:].rstrip()
        if not text.startswith(" "):
            fitted = text.startswith("Fitted (")
        if not fitted:
            notes.append(text.strip())
    return notes


def scenario_document(
    calibration: Calibration, export: Path, out: Path, name: str, start_from_export: bool
) -> dict[str, Any]:
    """The scenario as a dict: name, description, horizon, the fitted inputs that differ from
    the defaults, and (with ``start_from_export``) the export's open pipeline as the start."""
    tree = {k: v for k, v in calibration.tree.items() if k != "start"}
    defaults = Parameters().model_dump()
    document: dict[str, Any] = {
        "name": name,
        "description": f"Fitted to {export.name} as of {calibration.observed.as_of}.",
        "horizon_months": FORECAST_HORIZON_MONTHS,
    }
    document.update(differences(tree, defaults))
    if start_from_export:
        relative = os.path.relpath(export.resolve(), out.resolve().parent)
        as_of = calibration.observed.as_of.astype(dt.date)
        document["start"] = {"from_crm": relative, "as_of": as_of}
    return document


def write_scenario(
    calibration: Calibration,
    export: Path,
    export_label: str,
    out: Path,
    base_name: str,
    start_from_export: bool = True,
) -> Path:
    """Write the calibrated scenario to ``out`` (atomically)."""
    name = out.stem.replace("-", " ").replace("_", " ").strip() or "calibrated"
    document = scenario_document(calibration, export, out, name, start_from_export)
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return write_text_atomic(out, header(calibration, export, export_label, base_name) + body)
