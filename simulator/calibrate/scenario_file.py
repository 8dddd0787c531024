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

import numpy as np
import yaml
from scipy.linalg import block_diag

from simulator.atomic import write_text_atomic
from simulator.calibrate.calibration import Calibration
from simulator.calibrate.page import FitPart, fit_page
from simulator.crm.subscriptions import Customers
from simulator.parameters import Parameters
from simulator.parameters.knobs import Tree
from simulator.parameters.tree import FitRecord
from simulator.scenario.resolve import Scenario, fit_warnings
from simulator.scenario.yaml_file import read_scenario_yaml

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


HUNTERS = "team.hunters"


def _starts_from_crm(
    fittings: list[Fitting], start_from_export: bool, base: Scenario | None = None
) -> bool:
    """Whether the written scenario starts from an opportunity export (this fit's, or the
    base's own) whose owners are the team, with no headcount the base's file asks for."""
    if not start_from_export:
        return False
    if any(not f.customers for f in fittings):
        return True
    return (
        base is not None
        and base.variants[0].parameters.start.from_crm is not None
        and not (_base_gives_hunters(base))
    )


def _base_gives_hunters(base: Scenario) -> bool:
    """Whether the base scenario's file writes ``team.hunters`` itself (a headcount to reach)."""
    path = Path(base.source)
    if not path.is_file():
        return False
    raw = read_scenario_yaml(path, base.source)
    return isinstance(raw.get("team"), dict) and "hunters" in raw["team"]


def header(
    fittings: list[Fitting], base_name: str, start_from_export: bool = True, base_fit: str = ""
) -> str:
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
            lines.append(
                "  The search stopped at its limit of tries"
                + (" before it settled." if c.misses else ", every statistic within 2 s.e.")
            )
    if base_fit:
        lines.append(base_fit)
    misses = [m for f in fittings for m in f.calibration.misses]
    if misses:
        lines.append(
            f"fit: unsettled. {len(misses)} statistics miss the export by more than 2 "
            "standard errors (simulated / export, the miss):"
        )
        lines += [
            f"  {m.label}: {_number(m.simulated)} / {_number(m.export)} ({m.gap})" for m in misses
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
        if item.path == HUNTERS and any(not f.customers for f in fittings) and start_from_export:
            lines.append(
                "      used by the fit; left out of the scenario, which starts from the "
                "export's owners active on its day (set team.hunters for a headcount to reach)"
            )
    lines.append(
        f"Everything else is the base scenario's ({base_name}): the market's segments, buying "
        "committees, competitors, marketing, product and roadmap, quota, and the mechanisms' "
        "settings."
    )
    for why in (w for f in fittings for w in f.calibration.left):
        lines.append(f"  not fitted: {why}")
    return "".join(f"# {line}\n" for line in lines)


def fit_report_page(fittings: list[Fitting], scenario: Path, base: Scenario | None = None) -> str:
    """The fit report of the calibrations written to ``scenario``: its header's notes, and the
    warning every command gives when the fit (with the base's own) did not settle."""
    record = FitRecord.model_validate(fit_record(fittings, base))
    names = " and ".join(f.export.name for f in fittings)
    parts = [
        FitPart(
            f.calibration.observed,
            f.calibration.solution.simulated,
            f.calibration.fitted,
            f.calibration.target.window,
            dict(
                zip(f.calibration.target.names, f.calibration.solution.misses.tolist(), strict=True)
            ),
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
    fittings: list[Fitting],
    out: Path,
    name: str,
    start_from_export: bool,
    base: Scenario | None = None,
) -> dict[str, Any]:
    """The scenario as a dict: name, description, horizon, the fitted inputs that differ from
    the defaults, the fit's record (the base's own fit merged in), and (with
    ``start_from_export``) the exports' open pipeline and customers as the start, over the
    base's own start. A start from an opportunity export takes the export's owners as the
    team, so the fit's count of hunters is left out (it would be a headcount to reach)."""
    last = fittings[-1].calibration  # each fit starts from the one before: the last holds all
    tree = {k: v for k, v in last.tree.items() if k != "start"}
    if _starts_from_crm(fittings, start_from_export, base):
        tree["team"] = {k: v for k, v in tree["team"].items() if k != "hunters"}
    defaults = Parameters().model_dump()
    described = " and ".join(f"{f.export.name}" for f in fittings)
    document: dict[str, Any] = {
        "name": name,
        "description": f"Fitted to {described} as of {fittings[0].calibration.observed.as_of}.",
        "horizon_months": FORECAST_HORIZON_MONTHS,
    }
    document.update(differences(tree, defaults))
    document["fit"] = fit_record(fittings, base)
    if start_from_export:
        start: dict[str, Any] = _base_start(base, out)
        for f in fittings:
            relative = os.path.relpath(f.export.resolve(), out.resolve().parent)
            mapped = dict(item.split("=", 1) for item in f.maps)
            if f.customers:
                start.pop("customers_map", None)
                start["customers"] = relative
                if mapped:
                    start["customers_map"] = mapped
            else:
                start.pop("format", None)
                start.pop("map", None)
                start["from_crm"] = relative
                if f.format != "auto":
                    start["format"] = f.format
                if mapped:
                    start["map"] = mapped
        start["as_of"] = fittings[0].calibration.observed.as_of.astype(dt.date)
        document["start"] = start
    return document


def _base_start(base: Scenario | None, out: Path) -> dict[str, Any]:
    """The base scenario's own start from an export, its paths made relative to ``out``."""
    if base is None:
        return {}
    start = base.variants[0].parameters.start
    kept: dict[str, Any] = {}
    for field in ("from_crm", "customers"):
        path = getattr(start, field)
        if path is not None:
            kept[field] = os.path.relpath(Path(path).resolve(), out.resolve().parent)
    if start.from_crm is not None:
        if start.format != "auto":
            kept["format"] = start.format
        if start.map:
            kept["map"] = dict(start.map)
    if start.customers is not None and start.customers_map:
        kept["customers_map"] = dict(start.customers_map)
    return kept


def _carried_fit(fittings: list[Fitting], base: Scenario | None) -> FitRecord | None:
    """The base scenario's own fit, unless this calibration fits the same export again."""
    before = base.fit if base is not None else None
    if before is None or any(f.export.name in before.source for f in fittings):
        return None
    return before


def fit_record(fittings: list[Fitting], base: Scenario | None = None) -> dict[str, Any]:
    """The ``fit:`` section: settled or not, from what, after how many tries, and the misses;
    a base scenario's own fit is carried in (its misses stay misses)."""

    def finite(value: float) -> float | None:
        return _rounded(float(value)) if math.isfinite(value) else None

    calibrations = [f.calibration for f in fittings]
    before = _carried_fit(fittings, base)
    sources = [f"{f.export.name} as of {f.calibration.observed.as_of}" for f in fittings]
    return {
        "settled": all(c.settled for c in calibrations) and (before is None or before.settled),
        "source": " and ".join([*sources, *([before.source] if before is not None else [])]),
        "tries": sum(c.solution.searched for c in calibrations)
        + (before.tries if before is not None else 0),
        "misses": [
            *([m.model_dump() for m in before.misses] if before is not None else []),
            *(
                {
                    "statistic": m.label,
                    "unit": m.unit,
                    "export": finite(m.export),
                    "simulated": finite(m.simulated),
                    "standard_errors": finite(round(m.standard_errors, 2)),
                }
                for c in calibrations
                for m in c.misses
            ),
        ],
        **_uncertainty(calibrations, before),
    }


def _uncertainty(calibrations: list[Calibration], before: FitRecord | None) -> dict[str, Any]:
    """The ``uncertainty`` entry: each calibration's pinned-down knobs, and those of a carried
    fit that this one does not fit again; independent exports, so a block-diagonal
    covariance."""
    names: list[str] = []
    center: list[float] = []
    blocks: list[np.ndarray] = []
    for calibration in calibrations:
        fitted, x, covariance = calibration.uncertainty
        names += fitted
        center += x.tolist()
        blocks.append(covariance)
    carried = before.uncertainty if before is not None else None
    if carried is not None:
        keep = [i for i, name in enumerate(carried.inputs) if name not in names]
        names += [carried.inputs[i] for i in keep]
        center += [carried.center[i] for i in keep]
        blocks.append(np.array(carried.covariance)[np.ix_(keep, keep)])
    if not names:
        return {}
    covariance = block_diag(*blocks)
    return {
        "uncertainty": {
            "inputs": names,
            "center": [_rounded(float(v)) for v in center],
            "covariance": [[_rounded(float(v)) for v in row] for row in covariance],
        }
    }


class _Dumper(yaml.SafeDumper):
    """Lists of numbers (the deal sizes' quantiles, the fit's covariance rows) on a few lines
    each, not a line a number."""


def _numbers_flow(dumper: yaml.SafeDumper, values: list) -> yaml.Node:
    flow = bool(values) and all(isinstance(v, int | float) for v in values)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", values, flow_style=flow)


_Dumper.add_representer(list, _numbers_flow)


def write_scenario(
    fittings: list[Fitting],
    out: Path,
    base: Scenario,
    start_from_export: bool = True,
) -> Path:
    """Write the calibrated scenario to ``out`` (atomically), over the ``base`` scenario."""
    name = out.stem.replace("-", " ").replace("_", " ").strip() or "calibrated"
    document = scenario_document(fittings, out, name, start_from_export, base)
    body = yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    carried = _carried_fit(fittings, base)
    before = (
        f"The base scenario was fitted to {carried.source} "
        f"({'settled' if carried.settled else 'unsettled'}); its misses are carried over."
        if carried is not None
        else ""
    )
    return write_text_atomic(out, header(fittings, base.name, start_from_export, before) + body)
