"""The calibrated scenario as a file a leader can read, run and change: only the inputs that
differ from salesim's defaults, under a header comment that says what was fitted, from what,
with what uncertainty, what was counted by rule and what stayed at the base scenario; and a
``fit:`` record of whether the fit settled and what it still misses, which every command that
runs the scenario reads (an unsettled fit is warned of, never shown as a fit)."""

from __future__ import annotations

import datetime as dt
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from simulator.calibrate.calibration import Calibration
from simulator.calibrate.knobs import Tree
from simulator.calibrate.page import FitPart, fit_page
from simulator.crm.subscriptions import Customers
from simulator.parameters import Parameters
from simulator.parameters.tree import FitRecord
from simulator.scenario import fit_warnings
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


@dataclass(frozen=True)
class Fitting:
    """One export a scenario was fitted to: the calibration, the file, how it was read."""

    calibration: Calibration
    export: Path
    label: str
    format: str = "auto"  # the format it was read as: the scenario's start reads it so again
    maps: tuple[str, ...] = ()  # the --map FIELD=COLUMN it was read with

    @property
    def customers(self) -> bool:
        """A subscription export's (the post-sale side), not an opportunity export's."""
        return isinstance(self.calibration.observed, Customers)

    @property
    def what(self) -> str:
        """The export in a phrase: ``sales_pipeline.csv (Maven CRM export, 8,300 deals as of
        2017-12-31)``."""
        observed = self.calibration.observed
        count = f"{len(observed):,} {'accounts' if self.customers else 'deals'}"
        return f"{self.export.name} ({self.label}, {count} as of {observed.as_of})"


def header(fittings: list[Fitting], base_name: str) -> str:
    """The comment block at the top of the file."""
    lines = []
    for f in fittings:
        c, s = f.calibration, f.calibration.settings
        window = c.target.window
        run = (
            "the simulation starts from its customers on the eve of the window"
            if f.customers
            else f"the simulation runs {s.warmup_months} months before them to fill its "
            f"pipeline (day 0 = {c.day0})"
        )
        lines += [
            f"Calibrated by `salesim calibrate` from {f.what}.",
            f"  Statistics from {window.first} to {window.last}; {run}.",
            f"  Simulated method of moments: {s.replications} replications a try, root seed "
            f"{s.seed}, {c.solution.evaluations} parameter sets simulated; 95% intervals carry "
            "the statistics' spread from one simulated history to another back through the fit.",
        ]
        if not c.solution.converged:
            lines.append("  The search stopped at its limit of tries before it settled.")
    misses = [m for f in fittings for m in f.calibration.misses]
    if misses:
        lines.append(
            f"fit: unsettled. {len(misses)} statistics miss the export by more than 2 "
            "standard errors (simulated / export, standard errors):"
        )
        lines += [
            f"  {m.label}: {_number(m.simulated)} / {_number(m.export)} ({m.standard_errors:+.1f})"
            for m in misses
        ]
    else:
        lines.append("fit: settled (every statistic within 2 standard errors of the export's).")
    lines.append(
        "Fitted (value [95% interval] unit; the statistic it matches, export / simulated):"
    )
    for f in (row for fitting in fittings for row in fitting.calibration.fitted):
        if f.fitted:
            lines.append(
                f"  {f.path} = {_number(f.value)} [{_number(f.low)}, {_number(f.high)}] {f.unit}"
            )
        else:
            lines.append(f"  {f.path} = {_number(f.value)} {f.unit}: {f.method}")
        lines.append(f"      {f.label}; {f.target}: {_number(f.observed)} / {_number(f.simulated)}")
    lines.append("Counted by rule:")
    for item in (i for f in fittings for i in f.calibration.counted):
        lines.append(f"  {item.path} = {_number(item.value)} {item.unit}: {item.rule}")
    lines.append(
        f"Everything else is the base scenario's ({base_name}): the market's segments, buying "
        "committees, competitors, marketing, product and roadmap, quota, and the mechanisms' "
        "settings."
    )
    for why in (w for f in fittings for w in f.calibration.left):
        lines.append(f"  not fitted: {why}")
    return "".join(f"# {line}\n" for line in lines)


def fit_report_page(fittings: list[Fitting], scenario: Path) -> str:
    """The fit report of the calibrations written to ``scenario``: its header's notes, and the
    warning every command gives when the fit did not settle."""
    record = FitRecord.model_validate(fit_record(fittings))
    names = " and ".join(f.export.name for f in fittings)
    parts = [
        FitPart(
            f.calibration.observed,
            f.calibration.solution.simulated,
            f.calibration.fitted,
            f.calibration.target.window,
        )
        for f in fittings
    ]
    return fit_page(
        parts, page_notes(scenario), f"Fit of {scenario.stem} to {names}", fit_warnings(record)
    )


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
    fittings: list[Fitting], out: Path, name: str, start_from_export: bool
) -> dict[str, Any]:
    """The scenario as a dict: name, description, horizon, the fitted inputs that differ from
    the defaults, the fit's record, and (with ``start_from_export``) the exports' open pipeline
    and customers as the start."""
    last = fittings[-1].calibration  # each fit starts from the one before: the last holds all
    tree = {k: v for k, v in last.tree.items() if k != "start"}
    defaults = Parameters().model_dump()
    described = " and ".join(f"{f.export.name}" for f in fittings)
    document: dict[str, Any] = {
        "name": name,
        "description": f"Fitted to {described} as of {fittings[0].calibration.observed.as_of}.",
        "horizon_months": FORECAST_HORIZON_MONTHS,
    }
    document.update(differences(tree, defaults))
    document["fit"] = fit_record(fittings)
    if start_from_export:
        start: dict[str, Any] = {}
        for f in fittings:
            relative = os.path.relpath(f.export.resolve(), out.resolve().parent)
            mapped = dict(item.split("=", 1) for item in f.maps)
            if f.customers:
                start["customers"] = relative
                if mapped:
                    start["customers_map"] = mapped
            else:
                start["from_crm"] = relative
                if f.format != "auto":
                    start["format"] = f.format
                if mapped:
                    start["map"] = mapped
        start["as_of"] = fittings[0].calibration.observed.as_of.astype(dt.date)
        document["start"] = start
    return document


def fit_record(fittings: list[Fitting]) -> dict[str, Any]:
    """The ``fit:`` section: settled or not, from what, after how many tries, and the misses."""

    def finite(value: float) -> float | None:
        return _rounded(float(value)) if math.isfinite(value) else None

    calibrations = [f.calibration for f in fittings]
    return {
        "settled": all(c.settled for c in calibrations),
        "source": " and ".join(
            f"{f.export.name} as of {f.calibration.observed.as_of}" for f in fittings
        ),
        "tries": sum(c.solution.searched for c in calibrations),
        "misses": [
            {
                "statistic": m.label,
                "unit": m.unit,
                "export": finite(m.export),
                "simulated": finite(m.simulated),
                "standard_errors": finite(round(m.standard_errors, 2)),
            }
            for c in calibrations
            for m in c.misses
        ],
    }


def write_scenario(
    fittings: list[Fitting], out: Path, base_name: str, start_from_export: bool = True
) -> Path:
    """Write the calibrated scenario to ``out`` (atomically)."""
    name = out.stem.replace("-", " ").replace("_", " ").strip() or "calibrated"
    document = scenario_document(fittings, out, name, start_from_export)
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return write_text_atomic(out, header(fittings, base_name) + body)
