"""The comparison report: plotly figures and one offline HTML page, from stored results only.

The page opens with the verdict (who beats the baseline on the headline metrics, by how much,
in the metric's unit, with its 95% interval and a plain word) and the differences chart; then the
charts over time, the funnel, what became of the leads, the distributions and the full table.
What each chart shows, and every label, unit and better direction, comes from the metric
registry (``metrics.catalog``); charts follow the metric columns a run has, so metrics added
by later parts of the model appear without changes here. Variants keep one colour across every
chart. Variant and scenario names are user text: they are escaped before they reach the page or
a chart.

- ``results``: the stored runs, read and combined
- ``tables``: the verdict and the summary table
- ``spread``: differences against the baseline, and distributions across replications
- ``over_time``: fan charts of monthly metrics, and the ARR waterfall
- ``leads``: the funnel, and what became of every lead
- ``style``: colours, legends, axes and hover text in the metric's unit
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Group
from rich.text import Text

from simulator.atomic import write_text_atomic
from simulator.page import render
from simulator.report.console import verdict_block
from simulator.report.leads import funnel_section, loss_section
from simulator.report.over_time import fan_sections, waterfall_sections
from simulator.report.results import Results, load_results
from simulator.report.spread import difference_section, distribution_sections
from simulator.report.style import colours_of
from simulator.report.tables import table_section, verdict_of, verdict_section

REPORT = "report.html"

__all__ = ["REPORT", "Results", "build", "load_results", "report_output", "write_report"]


def build(results: Results) -> str:
    """The whole report page: the verdict first."""
    colours = colours_of(results.variants)
    sections = [
        verdict_section(results),
        difference_section(results, colours),
        *fan_sections(results, colours),
        *waterfall_sections(results),
        funnel_section(results, colours),
        loss_section(results, colours),
        *distribution_sections(results, colours),
        table_section(results),
    ]
    title = f"{results.scenario}: strategy comparison"
    return render(title, results.header, sections, results.warnings)


def write_report(run_dirs: Sequence[Path], path: Path, results: Results | None = None) -> Path:
    """Build the report of stored runs and write it atomically to ``path``."""
    return write_text_atomic(path, build(results or load_results(run_dirs)))


def default_path(run_dirs: Sequence[Path]) -> Path:
    """Where ``salesim report`` writes when not told: into the run folder for one run, else
    ``results/combined-<time>.html``."""
    if len(run_dirs) == 1:
        return run_dirs[0] / REPORT
    return Path("results") / f"combined-{datetime.now(UTC):%Y%m%d-%H%M%S}.html"


def report_output(results: Results) -> Group:
    """What ``salesim report`` prints: how the runs were combined, then the verdict."""
    parts: list = [Text(f"Warning: {line}", style="bold red") for line in results.warnings]
    parts += [Text(f"Note: {note}", style="bold yellow") for note in results.notes]
    parts.append(verdict_block(verdict_of(results), results.scenario, results.context))
    return Group(*parts)
