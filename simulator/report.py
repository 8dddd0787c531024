"""The comparison report: plotly figures and one offline HTML page, from stored results only.

Every chart is driven by the metric columns a run has, so metrics added by later parts of the
model appear without changes here. Variants keep one colour across every chart. Variant and
scenario names are user text: they are escaped before they reach the page or a chart.
"""

from __future__ import annotations

import html
import itertools
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa
import pyarrow.parquet as pq
from plotly.colors import qualitative
from plotly.subplots import make_subplots

from simulator import __version__
from simulator.aggregate import (
    Difference,
    estimate,
    paired_difference,
    variant_values,
    welch_difference,
)
from simulator.console import number
from simulator.metrics import KEY_METRICS, LOWER_IS_BETTER, SUMMARY_COLUMNS
from simulator.page import escape, figure_html, render, section
from simulator.store import MONTHLY, read_manifest, read_summary, write_text_atomic

PALETTE = qualitative.Plotly
REPORT = "report.html"


@dataclass(frozen=True)
class FanMetric:
    column: str
    title: str
    unit: str
    cumulative: bool = False


FAN_METRICS = (
    FanMetric("arr", "ARR", "USD"),
    FanMetric("bookings", "Bookings to date", "USD", cumulative=True),
    FanMetric("open_pipeline_acv", "Open pipeline (ACV at stake)", "USD"),
    FanMetric("open_opportunities", "Open opportunities", "deals"),
    FanMetric("hunters_on_plan", "Hunters on the plan", "hunters"),
)
FUNNEL_STEPS = (
    ("leads_total", "leads"),
    ("qualified", "qualified"),
    ("evaluations", "evaluation"),
    ("proposals", "proposal"),
    ("won", "won"),
)
LOSS_REASONS = (
    ("lost_competitor", "competitor"),
    ("lost_household_brand", "household name"),
    ("lost_no_decision", "no decision"),
    ("disqualified", "disqualified"),
    ("stalled", "stalled"),
)
DISTRIBUTIONS = (
    ("bookings_24m", "Bookings at 24 months (USD)"),
    ("arr_end", "ARR at the horizon (USD)"),
)


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


def load(run_dirs: list[Path]) -> Results:
    """Read stored runs. Several runs are combined; variant names clashing between runs get
    their run id as a prefix. Differences are paired only when every run used the same seed
    and replications (common random numbers); otherwise they are Welch (unpaired)."""
    manifests = [read_manifest(d) for d in run_dirs]
    summaries, variants = [], []
    monthly = MonthlyColumns()
    seen: set[str] = set()
    for run_dir, manifest in zip(run_dirs, manifests, strict=True):
        names = list(manifest["variants"])
        run_id = manifest.get("run_id", run_dir.name)
        renamed = {n: (f"{run_id}: {n}" if n in seen else n) for n in names}
        seen.update(renamed.values())
        variants.extend(renamed[n] for n in names)
        summaries.append(_rename(read_summary(run_dir), renamed))
        monthly.add(run_dir / MONTHLY, renamed)
    # one chunk per column: a run's table has a row group per stored part
    summary = pa.concat_tables(summaries, promote_options="default").combine_chunks()
    run_ids = [m.get("run_id", d.name) for d, m in zip(run_dirs, manifests, strict=True)]
    seeds = {m["root_seed"] for m in manifests}
    counts = {m["replications"] for m in manifests}
    scenarios = list(dict.fromkeys(m["scenario"]["name"] for m in manifests))
    header = [
        f"Scenario: {', '.join(scenarios)}",
        f"Variants: {', '.join(variants)} (baseline: {variants[0]})",
        f"Replications per variant: {', '.join(str(c) for c in sorted(counts))}; "
        f"root seed: {', '.join(str(s) for s in sorted(seeds))}",
        f"Made by salesim {', '.join(sorted({m['salesim_version'] for m in manifests}))}; "
        f"report by salesim {__version__} on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; "
        f"runs: {', '.join(run_ids)}",
    ]
    return Results(
        " + ".join(scenarios), variants, summary, monthly, header, len(seeds) == len(counts) == 1
    )


def _rename(table: pa.Table, renamed: dict[str, str]) -> pa.Table:
    if all(stored == shown for stored, shown in renamed.items()):
        return table
    column = [renamed[v] for v in table.column("variant").to_pylist()]
    index = table.schema.get_field_index("variant")
    return table.set_column(index, "variant", pa.array(column, pa.string()))


def build(results: Results) -> str:
    """The whole report page."""
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(results.variants)}
    sections = [
        *fan_sections(results, colours),
        *waterfall_sections(results),
        funnel_section(results, colours),
        loss_section(results, colours),
        *distribution_sections(results, colours),
        difference_section(results),
        table_section(results),
    ]
    return render(f"{results.scenario}: strategy comparison", results.header, sections)


def write_report(run_dirs: list[Path], path: Path) -> Path:
    """Build the report of stored runs and write it atomically to ``path``."""
    return write_text_atomic(path, build(load(run_dirs)))


# --- data helpers -----------------------------------------------------------------------------


def _label(name: str) -> str:
    """A variant name made safe for plotly, which reads a few HTML tags in text."""
    return html.escape(name, quote=False)


def _columns(table: pa.Table) -> set[str]:
    return set(table.column_names)


def _summary_values(results: Results, variant: str, metric: str) -> np.ndarray:
    return variant_values(results.summary, variant, metric)


def _percent(value: float) -> str:
    return f"{value:.0%}" if np.isfinite(value) else "n/a"


def _rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def fan_sections(results: Results, colours: dict[str, str]) -> list[str]:
    sections = []
    for fan in FAN_METRICS:
        if fan.column not in results.monthly.columns:
            continue
        figure = go.Figure()
        for name in results.variants:
            matrix = results.monthly.matrix(name, fan.column)
            if fan.cumulative:
                matrix = np.cumsum(matrix, axis=1)
            months = np.arange(1, matrix.shape[1] + 1)
            p5, p25, p50, p75, p95 = np.nanpercentile(matrix, [5, 25, 50, 75, 95], axis=0)
            colour, label = colours[name], _label(name)
            for low, high, alpha, band in ((p5, p95, 0.12, "90%"), (p25, p75, 0.25, "50%")):
                figure.add_scatter(
                    x=np.concatenate([months, months[::-1]]),
                    y=np.concatenate([high, low[::-1]]),
                    fill="toself",
                    fillcolor=_rgba(colour, alpha),
                    line={"width": 0},
                    hoverinfo="skip",
                    legendgroup=label,
                    showlegend=False,
                    name=f"{label} {band} band",
                )
            figure.add_scatter(
                x=months,
                y=p50,
                name=label,
                legendgroup=label,
                line={"color": colour, "width": 2.5},
                hovertemplate=f"{label}<br>month %{{x}}: median %{{y:,.0f}} {fan.unit}"
                "<extra></extra>",
            )
        figure.update_layout(
            height=380,
            margin={"l": 60, "r": 20, "t": 10, "b": 40},
            hovermode="x unified",
            xaxis_title="month",
            yaxis_title=fan.unit,
            legend={"orientation": "h", "y": -0.2},
        )
        sections.append(
            section(
                fan.title,
                "Each line is the median over replications, month by month; the darker band "
                "holds the middle 50% of replications and the lighter one 90%. Click a variant "
                "in the legend to hide it.",
                figure_html(figure, f"fan-{fan.column}"),
                f"fan-{fan.column}",
            )
        )
    return sections


def waterfall_sections(results: Results) -> list[str]:
    """ARR built up from new business and expansion, less churn, per variant (if ARR exists)."""
    flows = ("new_arr", "expansion_arr", "churned_arr")
    if not set(flows) <= results.monthly.columns:
        return []
    labels = [_label(name) for name in results.variants]
    figure = make_subplots(rows=1, cols=len(labels), shared_yaxes=True, subplot_titles=labels)
    for index, name in enumerate(results.variants):
        new, expansion, churned = (
            float(np.nanmean(np.nansum(results.monthly.matrix(name, flow), axis=1)))
            for flow in flows
        )
        figure.add_trace(
            go.Waterfall(
                name=labels[index],
                x=["new", "expansion", "churned", "ARR at horizon"],
                measure=["relative", "relative", "relative", "total"],
                y=[new, expansion, -churned, 0.0],
                connector={"line": {"color": "#9aa5b1"}},
                showlegend=False,
                hovertemplate=f"{labels[index]}<br>%{{x}}: %{{y:,.0f}} USD<extra></extra>",
            ),
            row=1,
            col=index + 1,
        )
    figure.update_layout(height=420, margin={"l": 70, "r": 20, "t": 40, "b": 60})
    figure.update_yaxes(title_text="USD", row=1, col=1)
    return [
        section(
            "ARR waterfall",
            "Per variant, the mean over replications of ARR added by new customers and by "
            "expansion, less ARR lost to churn, ending at ARR at the horizon.",
            figure_html(figure, "arr-waterfall"),
            "arr-waterfall",
        )
    ]


def funnel_section(results: Results, colours: dict[str, str]) -> str:
    steps = [(c, label) for c, label in FUNNEL_STEPS if c in _columns(results.summary)]
    figure = go.Figure()
    for name in results.variants:
        means = [float(np.nanmean(_summary_values(results, name, c))) for c, _ in steps]
        rates = ["100%"] + [
            f"{b / a:.0%} of previous" if a else "n/a" for a, b in itertools.pairwise(means)
        ]
        figure.add_trace(
            go.Funnel(
                name=_label(name),
                y=[label for _, label in steps],
                x=means,
                text=[f"{m:,.0f} ({r})" for m, r in zip(means, rates, strict=True)],
                textinfo="text",
                marker={"color": colours[name]},
                hovertemplate=f"{_label(name)}<br>%{{y}}: %{{x:,.1f}}<extra></extra>",
            )
        )
    figure.update_layout(height=420, margin={"l": 100, "r": 20, "t": 10, "b": 30})
    return section(
        "Funnel",
        "Mean count per replication at each step, from lead to won, with the conversion from "
        "the previous step; compare the widths of the variants step by step.",
        figure_html(figure, "funnel"),
        "funnel",
    )


def loss_section(results: Results, colours: dict[str, str]) -> str:
    reasons = [(c, label) for c, label in LOSS_REASONS if c in _columns(results.summary)]
    figure = go.Figure()
    labels = [_label(n) for n in results.variants]
    for index, (column, reason) in enumerate(reasons):
        figure.add_bar(
            name=reason,
            x=labels,
            y=[float(np.nanmean(_summary_values(results, n, column))) for n in results.variants],
            marker={"color": qualitative.Set2[index % len(qualitative.Set2)]},
            hovertemplate=f"%{{x}}<br>{reason}: %{{y:,.1f}}<extra></extra>",
        )
    figure.update_layout(
        barmode="stack",
        height=380,
        margin={"l": 60, "r": 20, "t": 10, "b": 40},
        yaxis_title="opportunities per replication",
    )
    return section(
        "Why deals are lost",
        "Each bar is one variant's mean number of lost opportunities per replication, stacked "
        "by reason; a taller segment means more deals lost that way.",
        figure_html(figure, "losses"),
        "losses",
    )


def distribution_sections(results: Results, colours: dict[str, str]) -> list[str]:
    sections = []
    for column, title in DISTRIBUTIONS:
        if column not in _columns(results.summary):
            continue
        values = [_summary_values(results, name, column) for name in results.variants]
        if not any(np.isfinite(v).any() for v in values):
            continue  # e.g. bookings at 24 months of a shorter run
        figure = go.Figure()
        for name in results.variants:
            figure.add_trace(
                go.Violin(
                    y=_summary_values(results, name, column),
                    name=_label(name),
                    line={"color": colours[name]},
                    box_visible=True,
                    meanline_visible=True,
                    points=False,
                    hoverinfo="y+name",
                )
            )
        figure.update_layout(
            height=380, margin={"l": 70, "r": 20, "t": 10, "b": 40}, yaxis_title="USD"
        )
        sections.append(
            section(
                title,
                "The spread of outcomes across replications: each violin's width shows how "
                "often a value occurs, the box spans the middle half and the dashed line is the "
                "mean.",
                figure_html(figure, f"distribution-{column}"),
                f"distribution-{column}",
            )
        )
    return sections


def _difference(results: Results, variant: str, metric: str) -> Difference:
    lower = metric in LOWER_IS_BETTER
    values = _summary_values(results, variant, metric)
    baseline = _summary_values(results, results.variants[0], metric)
    if results.paired:
        return paired_difference(values, baseline, lower)
    return welch_difference(values, baseline, lower)


def difference_section(results: Results) -> str:
    metrics = [m for m in KEY_METRICS if m in _columns(results.summary)]
    others = results.variants[1:]
    if not others:
        return section(
            "Differences against the baseline",
            "This run has a single variant: there is nothing to compare it with.",
            "",
            "differences",
        )
    figure = make_subplots(
        rows=len(metrics),
        cols=1,
        subplot_titles=[
            m + (" (lower is better)" if m in LOWER_IS_BETTER else "") for m in metrics
        ],
        vertical_spacing=0.35 / max(1, len(metrics)),
    )
    colours = {name: PALETTE[(i + 1) % len(PALETTE)] for i, name in enumerate(others)}
    for row, metric in enumerate(metrics, start=1):
        for name in others:
            d = _difference(results, name, metric)
            figure.add_scatter(
                x=[d.mean],
                y=[_label(name)],
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [d.high - d.mean],
                    "arrayminus": [d.mean - d.low],
                },
                mode="markers",
                marker={"color": colours[name], "size": 9},
                name=_label(name),
                legendgroup=_label(name),
                showlegend=row == 1,
                hovertemplate=(
                    f"{_label(name)} − {_label(results.variants[0])}<br>{metric}: "
                    f"{number(d.mean, True)} [{number(d.low, True)}, {number(d.high, True)}]"
                    f"<br>chance it beats the baseline: {_percent(d.p_better)}<extra></extra>"
                ),
                row=row,
                col=1,
            )
        figure.add_vline(x=0, line={"color": "#7b8794", "dash": "dot"}, row=row, col=1)
    figure.update_layout(
        height=110 * len(metrics) + 80,
        margin={"l": 140, "r": 20, "t": 40, "b": 30},
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom"},
    )
    kind = (
        "paired by replication (common random numbers)"
        if results.paired
        else "unpaired (Welch), since the runs used different seeds or replications"
    )
    return section(
        f"Differences against the baseline ({results.variants[0]})",
        f"Each dot is a variant's mean difference from the baseline, {kind}, with its 95% "
        "confidence interval; an interval clear of the dotted zero line is a real difference. "
        "Hover for the chance the variant beats the baseline.",
        figure_html(figure, "differences"),
        "differences",
    )


def table_section(results: Results) -> str:
    metrics = [m for m in SUMMARY_COLUMNS if m in _columns(results.summary)]
    metrics += sorted(
        c for c in _columns(results.summary) - set(metrics) - {"variant", "replication"}
    )
    head = "".join(
        f"<th>{h}</th>"
        for h in (
            "metric",
            "variant",
            "mean",
            "95% CI",
            "P5",
            "P50",
            "P95",
            "Δ vs baseline [95% CI]",
            "P(better)",
        )
    )
    rows = []
    for metric in metrics:
        arrow = " ↓" if metric in LOWER_IS_BETTER else ""
        for index, name in enumerate(results.variants):
            e = estimate(_summary_values(results, name, metric))
            if index:
                d = _difference(results, name, metric)
                diff = f"{number(d.mean, True)} [{number(d.low, True)}, {number(d.high, True)}]"
                better = _percent(d.p_better)
            else:
                diff, better = "baseline", ""
            cells = [
                escape(metric + arrow) if index == 0 else "",
                escape(name),
                number(e.mean),
                f"[{number(e.low)}, {number(e.high)}]",
                number(e.p5),
                number(e.p50),
                number(e.p95),
                diff,
                better,
            ]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return section(
        "Summary table",
        "Every metric per variant: mean with its 95% confidence interval, the 5th, 50th and "
        "95th percentiles across replications, and the difference from the baseline; select "
        "and copy it into a spreadsheet.",
        table,
        "summary-table",
    )
