"""The comparison report: plotly figures and one offline HTML page, from stored results only.

The page opens with the verdict (who beats the baseline on the headline metrics, by how much,
in the metric's unit, with its 95% interval and a plain word) and the differences chart; then the
charts over time, the funnel, what became of the leads, the distributions and the full table.
Labels, units and better directions come from the metric registry (``simulator.catalog``);
charts follow the metric columns a run has, so metrics added by later parts of the model appear
without changes here. Variants keep one colour across every chart. Variant and scenario names
are user text: they are escaped before they reach the page or a chart.
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pyarrow as pa
import pyarrow.parquet as pq
from plotly.colors import qualitative
from plotly.subplots import make_subplots
from rich.console import Group
from rich.text import Text

from simulator import __version__
from simulator.aggregate import (
    P_BETTER_DEFINITION,
    Difference,
    estimate,
    paired_difference,
    variant_values,
    welch_difference,
)
from simulator.catalog import (
    MONTHLY,
    Metric,
    difference_scale,
    difference_text,
    difference_unit,
    summary_metric,
    value_text,
)
from simulator.console import percent, verdict_block
from simulator.metrics import KEY_METRICS, SUMMARY_COLUMNS
from simulator.page import escape, figure_html, render, section
from simulator.store import MONTHLY as MONTHLY_FILE
from simulator.store import read_manifest, read_summary, write_text_atomic
from simulator.verdict import Verdict, legend
from simulator.verdict import build as build_verdict

PALETTE = qualitative.Plotly
REPORT = "report.html"
LEGEND_BELOW = {"orientation": "h", "x": 0, "xanchor": "left", "y": -0.22, "yanchor": "top"}
"""Legends sit under the plot, clear of plotly's toolbar (top right)."""


@dataclass(frozen=True)
class FanMetric:
    column: str
    title: str
    cumulative: bool = False


FAN_METRICS = (
    FanMetric("arr", "ARR"),
    FanMetric("bookings", "Bookings to date", cumulative=True),
    FanMetric("open_pipeline_acv", "Open pipeline (ACV at stake)"),
    FanMetric("open_opportunities", "Open opportunities"),
    FanMetric("hunters_on_plan", "Hunters on a performance plan"),
)
FUNNEL_STEPS = (
    ("leads_total", "Leads"),
    ("qualified", "Qualified"),
    ("evaluations", "Evaluation"),
    ("proposals", "Proposal"),
    ("won", "Won"),
)
LEAD_OUTCOMES = (
    # (column or derived key, label, colour); shares of leads_total, stacked to 100%
    ("won", "won", "#2e7d32"),
    ("open_at_horizon", "still open at the end", "#9aa5b1"),
    ("lost_competitor", "lost to a competitor", "#ef6c00"),
    ("lost_household_brand", "lost to a household name", "#ad1457"),
    ("lost_no_decision", "lost to no decision", "#fbc02d"),
    ("stalled", "stalled", "#6d4c41"),
    ("disqualified", "disqualified", "#5c6bc0"),
    ("leads_unanswered", "never answered", "#c62828"),
    ("waiting", "waiting for a first call at the end", "#cfd8dc"),
)
LOSS_REASONS = tuple((c, label) for c, label, _ in LEAD_OUTCOMES if c not in ("won", "waiting"))
DISTRIBUTIONS = (
    ("bookings_24m", "Bookings at 24 months"),
    ("arr_end", "ARR at the horizon"),
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
    notes: list[str] = field(default_factory=list)  # said near the top: how runs were combined
    context: str = ""  # replications, seed, pairing and overrides, in a line


def load_results(run_dirs: Sequence[Path]) -> Results:
    """Read stored runs. Several runs are combined: a variant name that clashes with one
    already read gets its scenario's name in front (and the seed, if that is not enough).
    Differences are paired only when every run used the same seed and replications (common
    random numbers); otherwise they are Welch (unpaired), and the notes say so."""
    manifests = [read_manifest(d) for d in run_dirs]
    summaries, variants = [], []
    monthly = MonthlyColumns()
    owners: dict[str, tuple[str, int]] = {}  # name shown -> (scenario, seed) of its run
    for run_dir, manifest in zip(run_dirs, manifests, strict=True):
        renamed = _unclash(list(manifest["variants"]), manifest, run_dir, owners)
        owners.update(
            {n: (manifest["scenario"]["name"], manifest["root_seed"]) for n in renamed.values()}
        )
        variants.extend(renamed.values())
        summaries.append(_rename(read_summary(run_dir), renamed))
        monthly.add(run_dir / MONTHLY_FILE, renamed)
    # one chunk per column: a run's table has a row group per stored part
    summary = pa.concat_tables(summaries, promote_options="default").combine_chunks()
    run_ids = [m.get("run_id", d.name) for d, m in zip(run_dirs, manifests, strict=True)]
    seeds = sorted({m["root_seed"] for m in manifests})
    counts = sorted({m["replications"] for m in manifests})
    scenarios = list(dict.fromkeys(m["scenario"]["name"] for m in manifests))
    paired = len(seeds) == len(counts) == 1
    overrides = _overrides(manifests)
    runs = ", ".join(
        f"{m['scenario']['name']} with seed {m['root_seed']} × {m['replications']} replications"
        for m in manifests
    )
    header = [
        f"Scenario: {', '.join(scenarios)}",
        f"Variants: {', '.join(variants)} (baseline: {variants[0]})",
        f"Replications per variant: {counts[0]}; root seed: {seeds[0]}"
        if paired
        else f"Replications and root seeds: {runs}",
        f"Overrides (--set): {overrides or 'none'}",
        f"Made by salesim {', '.join(sorted({m['salesim_version'] for m in manifests}))}; "
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
    return Results(
        " + ".join(scenarios), variants, summary, monthly, header, paired, notes, context
    )


load = load_results  # the former name


def _unclash(
    names: list[str], manifest: dict, run_dir: Path, owners: dict[str, tuple[str, int]]
) -> dict[str, str]:
    """Stored name -> shown name. A name already taken gets the scenario's name in front, and
    the seed too when the run it clashes with is of the same scenario (the run id last)."""
    scenario, seed = manifest["scenario"]["name"], manifest["root_seed"]
    renamed: dict[str, str] = {}
    for name in names:
        taken = set(owners) | set(renamed.values())
        candidates = [name]
        if name in owners and owners[name][0] == scenario:
            candidates.append(f"{scenario} (seed {seed}): {name}")
        else:
            candidates.append(f"{scenario}: {name}")
        candidates.append(f"{manifest.get('run_id', run_dir.name)}: {name}")
        renamed[name] = next((c for c in candidates if c not in taken), candidates[-1])
    return renamed


def _overrides(manifests: list[dict]) -> str:
    lists = [list(m.get("overrides") or []) for m in manifests]
    if not any(lists):
        return ""
    if len(manifests) == 1 or all(items == lists[0] for items in lists):
        return ", ".join(lists[0])
    return "; ".join(
        f"{m['scenario']['name']} seed {m['root_seed']}: {', '.join(items) or 'none'}"
        for m, items in zip(manifests, lists, strict=True)
    )


def _rename(table: pa.Table, renamed: dict[str, str]) -> pa.Table:
    if all(stored == shown for stored, shown in renamed.items()):
        return table
    column = [renamed[v] for v in table.column("variant").to_pylist()]
    index = table.schema.get_field_index("variant")
    return table.set_column(index, "variant", pa.array(column, pa.string()))


def build(results: Results) -> str:
    """The whole report page: the verdict first."""
    colours = {name: PALETTE[i % len(PALETTE)] for i, name in enumerate(results.variants)}
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
    return render(f"{results.scenario}: strategy comparison", results.header, sections)


def write_report(run_dirs: list[Path], path: Path, results: Results | None = None) -> Path:
    """Build the report of stored runs and write it atomically to ``path``."""
    return write_text_atomic(path, build(results or load_results(run_dirs)))


def verdict_of(results: Results) -> Verdict:
    """The headline verdict of the runs, with the statistics the report uses."""
    return build_verdict(
        results.variants,
        lambda variant, metric: _difference(results, variant, metric),
        _columns(results.summary),
        results.context,
        results.paired,
    )


def report_output(results: Results) -> Group:
    """What ``salesim report`` prints: how the runs were combined, then the verdict."""
    parts: list = [Text(f"Note: {note}", style="bold yellow") for note in results.notes]
    parts.append(verdict_block(verdict_of(results), results.scenario, results.context))
    return Group(*parts)


# --- data helpers -----------------------------------------------------------------------------


def _label(name: str) -> str:
    """A variant name made safe for plotly, which reads a few HTML tags in text."""
    return html.escape(name, quote=False)


def _columns(table: pa.Table) -> set[str]:
    return set(table.column_names)


def _summary_values(results: Results, variant: str, metric: str) -> np.ndarray:
    return variant_values(results.summary, variant, metric)


def _mean(values: np.ndarray) -> float:
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else float("nan")


def _rgba(colour: str, alpha: float) -> str:
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return f"rgba({r},{g},{b},{alpha})"


def _axis(metric: Metric, scale: float = 1.0) -> dict:
    """Plotly axis settings that show a metric's unit on its ticks: $1.2M, 48%, 3.2×."""
    if metric.unit == "usd":
        return {"tickprefix": "$", "tickformat": "~s"}
    if metric.unit == "share":
        return {"ticksuffix": " pts"} if scale != 1.0 else {"tickformat": ".0%"}
    if metric.unit == "ratio":
        return {"ticksuffix": "×"}
    return {"tickformat": ",~r"}


def _unit_title(metric: Metric, difference: bool = False) -> str:
    """An axis title naming the unit: "US dollars", "percentage points", "hunters"."""
    unit = difference_unit(metric) if difference else metric.unit
    words = {
        "usd": "US dollars",
        "$": "US dollars",
        "pts": "percentage points",
        "share": "percent",
        "ratio": "ratio",
        "×": "ratio",
        "days": "days",
        "hours": "hours",
        "count": metric.noun,
    }
    return words.get(unit, unit)


def _hover_value(metric: Metric) -> str:
    """A plotly hover format for a metric's values."""
    if metric.unit == "usd":
        return "$%{y:,.0f}"
    if metric.unit == "share":
        return "%{y:.1%}"
    return "%{y:,.1f} " + _unit_title(metric)


# --- the verdict ------------------------------------------------------------------------------


def verdict_section(results: Results) -> str:
    """The answer first: how the runs were compared, a line per variant, and per headline
    metric each variant's difference from the baseline with its interval and the word."""
    verdict = verdict_of(results)
    notes = "".join(f'<p class="note">{escape(note)}</p>' for note in results.notes)
    lines = "".join(
        f'<p class="sentence"><span class="badge {_css(overall)}">{escape(overall)}</span> '
        f"{escape(sentence)}</p>"
        for overall, sentence in verdict.sentences()
    )
    if verdict.variants:
        head = "".join(
            f"<th>{escape(name)} <span class='vs'>− {escape(verdict.baseline)}</span></th>"
            for name in verdict.variants
        )
        rows = []
        for metric, cells in verdict.rows:
            arrow = " <span class='vs'>(lower is better)</span>" if metric.lower_is_better else ""
            tds = []
            for name in verdict.variants:
                cell = cells[name]
                mean, _, bounds = cell.text.partition(" [")
                tds.append(
                    f'<td class="{_css(cell.word)}"><span class="word">{escape(cell.word)}</span>'
                    f'<span class="amount">{escape(mean)}</span>'
                    f'<span class="interval">{escape("[" + bounds) if bounds else ""}</span></td>'
                )
            rows.append(
                f"<tr><th scope='row' title='{escape(metric.description)}'>"
                f"{escape(metric.label)}{arrow}</th>{''.join(tds)}</tr>"
            )
        table = (
            f'<div class="wide"><table class="verdict"><thead><tr><th>Headline metric</th>'
            f"{head}</tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></div>"
        )
    else:
        table = "<p>This run has a single variant: there is nothing to compare it with.</p>"
    compared = ", ".join(verdict.variants) or "nothing"
    return section(
        f"Verdict: {compared} against {verdict.baseline} (the baseline)",
        f"{results.context}. {legend(verdict.paired)}",
        notes + lines + table,
        "verdict",
    )


def _css(word: str) -> str:
    return {"better": "better", "worse": "worse", "mixed": "mixed"}.get(word, "unclear")


# --- charts -----------------------------------------------------------------------------------


def fan_sections(results: Results, colours: dict[str, str]) -> list[str]:
    sections = []
    for fan in FAN_METRICS:
        if fan.column not in results.monthly.columns:
            continue
        metric = MONTHLY[fan.column]
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
                hovertemplate=f"{label}<br>month %{{x}}: median {_hover_value(metric)}"
                "<extra></extra>",
            )
        figure.update_layout(
            height=400,
            margin={"l": 70, "r": 20, "t": 10, "b": 40},
            hovermode="x unified",
            xaxis_title="month (1 = the first month)",
            yaxis={"title": f"{fan.title} ({_unit_title(metric)})", **_axis(metric)},
            legend=LEGEND_BELOW,
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
                x=["new customers", "expansion", "churn", "ARR at the end"],
                measure=["relative", "relative", "relative", "total"],
                y=[new, expansion, -churned, 0.0],
                connector={"line": {"color": "#9aa5b1"}},
                showlegend=False,
                hovertemplate=f"{labels[index]}<br>%{{x}}: $%{{y:,.0f}}<extra></extra>",
            ),
            row=1,
            col=index + 1,
        )
    figure.update_layout(height=420, margin={"l": 70, "r": 20, "t": 40, "b": 60})
    figure.update_yaxes(tickprefix="$", tickformat="~s")
    figure.update_yaxes(title_text="ARR (US dollars)", row=1, col=1)
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
    """The funnel as grouped horizontal bars: a row per step, a bar per variant, the numbers
    beside the bars (readable however narrow a bar gets)."""
    steps = [(c, label) for c, label in FUNNEL_STEPS if c in _columns(results.summary)]
    figure = go.Figure()
    top = 0.0
    for name in results.variants:
        means = [_mean(_summary_values(results, name, c)) for c, _ in steps]
        top = max([top, *(m for m in means if np.isfinite(m))])
        rates = [""] + [
            f" ({b / a:.0%} of {previous.lower()})" if a else ""
            for (a, b), (_, previous) in zip(itertools.pairwise(means), steps, strict=False)
        ]
        figure.add_bar(
            name=_label(name),
            y=[label for _, label in steps],
            x=means,
            orientation="h",
            text=[f"{m:,.0f}{r}" for m, r in zip(means, rates, strict=True)],
            textposition="outside",
            cliponaxis=False,
            marker={"color": colours[name]},
            hovertemplate=f"{_label(name)}<br>%{{y}}: %{{x:,.1f}} per replication<extra></extra>",
        )
    figure.update_layout(
        barmode="group",
        height=140 + 40 * len(steps) * max(1, len(results.variants)) // 2 + 60,
        margin={"l": 90, "r": 30, "t": 10, "b": 40},
        xaxis={"title": "mean per replication", "range": [0, top * 1.45 or 1]},
        yaxis={"autorange": "reversed"},
        legend=LEGEND_BELOW,
    )
    return section(
        "Funnel",
        "Mean count per replication at each step, from lead to won, with the conversion from "
        "the previous step beside each bar; compare the variants step by step.",
        figure_html(figure, "funnel"),
        "funnel",
    )


def loss_section(results: Results, colours: dict[str, str]) -> str:
    """What became of every lead, as shares of leads: won, still open, lost by reason,
    disqualified, never answered. A variant that answers fewer leads cannot look better by
    losing fewer deals: its unanswered leads are counted too."""
    columns = _columns(results.summary)
    if "leads_total" not in columns:
        return section("Why deals are lost", "This run has no lead counts.", "", "losses")
    labels = [_label(n) for n in results.variants]
    leads = {n: _mean(_summary_values(results, n, "leads_total")) for n in results.variants}
    counts: dict[str, dict[str, float]] = {}
    for key, _, _ in LEAD_OUTCOMES:
        if key == "waiting":
            needed = {"leads_total", "opportunities", "leads_unanswered"}
            if not needed <= columns:
                continue
            counts[key] = {
                n: leads[n]
                - _mean(_summary_values(results, n, "opportunities"))
                - _mean(_summary_values(results, n, "leads_unanswered"))
                for n in results.variants
            }
        elif key in columns:
            counts[key] = {n: _mean(_summary_values(results, n, key)) for n in results.variants}
    figure = go.Figure()
    for key, reason, colour in LEAD_OUTCOMES:
        if key not in counts:
            continue
        per_lead = [
            counts[key][n] / leads[n] if leads[n] else float("nan") for n in results.variants
        ]
        if key == "waiting" and max(per_lead, default=0) < 0.0005:
            continue  # a handful of leads in the queue at the end: not worth a colour
        figure.add_bar(
            name=reason,
            y=labels,
            x=per_lead,
            orientation="h",
            customdata=[counts[key][n] for n in results.variants],
            texttemplate="%{x:.0%}",
            textposition="inside",
            textangle=0,
            insidetextanchor="middle",
            marker={"color": colour},
            hovertemplate=f"%{{y}}<br>{reason}: %{{x:.1%}} of leads "
            "(%{customdata:,.1f} per replication)<extra></extra>",
        )
    figure.update_layout(
        barmode="stack",
        height=150 + 60 * len(labels),
        margin={"l": 140, "r": 20, "t": 10, "b": 40},
        xaxis={"title": "share of all leads", "tickformat": ".0%", "range": [0, 1]},
        yaxis={"autorange": "reversed"},
        uniformtext={"minsize": 10, "mode": "hide"},
        legend={**LEGEND_BELOW, "y": -0.35 if len(labels) < 3 else -0.25, "traceorder": "normal"},
    )
    return section(
        "Why deals are lost: what became of every lead",
        "Each bar is one variant's leads, 100% wide: the share won, still open at the end, "
        "lost to each reason, disqualified, and never answered (a lead nobody called within "
        "its patience). Counted against leads, not against worked deals, so a strategy that "
        "works fewer deals cannot look better by losing fewer. Hover for counts.",
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
        metric = summary_metric(column)
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
                    showlegend=False,
                    hoveron="points+kde",
                    hovertemplate=f"{_label(name)}: {_hover_value(metric)}<extra></extra>",
                )
            )
        figure.update_layout(
            height=380,
            margin={"l": 80, "r": 20, "t": 10, "b": 40},
            yaxis={"title": f"{title} ({_unit_title(metric)})", **_axis(metric)},
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
    lower = summary_metric(metric).lower_is_better
    values = _summary_values(results, variant, metric)
    baseline = _summary_values(results, results.variants[0], metric)
    if results.paired:
        return paired_difference(values, baseline, lower)
    return welch_difference(values, baseline, lower)


def difference_section(results: Results, colours: dict[str, str] | None = None) -> str:
    metrics = [summary_metric(m) for m in KEY_METRICS if m in _columns(results.summary)]
    others = results.variants[1:]
    if not others:
        return section(
            "Differences against the baseline",
            "This run has a single variant: there is nothing to compare it with.",
            "",
            "differences",
        )
    colours = colours or {
        name: PALETTE[i % len(PALETTE)] for i, name in enumerate(results.variants)
    }
    titles = []
    for metric in metrics:
        side = (
            ""
            if not metric.has_direction
            else ("  ← better" if metric.lower_is_better else "  better →")
        )
        unit = _unit_title(metric, True)
        unit = "" if metric.label.endswith(f" {unit}") else f" ({unit})"
        titles.append(f"<b>{html.escape(metric.label)}</b>{unit}{side}")
    figure = make_subplots(
        rows=len(metrics), cols=1, subplot_titles=titles, vertical_spacing=0.4 / len(metrics)
    )
    baseline = _label(results.variants[0])
    for row, metric in enumerate(metrics, start=1):
        scale = difference_scale(metric)
        for name in others:
            d = _difference(results, name, metric.name)
            text = difference_text(metric, d.mean, d.low, d.high)
            better = f"<br>P(better): {percent(d.p_better)}" if metric.has_direction else ""
            figure.add_scatter(
                x=[d.mean * scale],
                y=[_label(name)],
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": [(d.high - d.mean) * scale],
                    "arrayminus": [(d.mean - d.low) * scale],
                },
                mode="markers",
                marker={"color": colours[name], "size": 10},
                name=_label(name),
                showlegend=False,
                hovertemplate=(
                    f"{_label(name)} − {baseline}<br>{html.escape(metric.label)}: "
                    f"{html.escape(text)}{better}<extra></extra>"
                ),
                row=row,
                col=1,
            )
        figure.add_vline(x=0, line={"color": "#7b8794", "dash": "dot"}, row=row, col=1)
        figure.update_xaxes(zeroline=False, **_axis(metric, scale), row=row, col=1)
    figure.update_layout(
        height=120 * len(metrics) + 60,
        margin={"l": 150, "r": 30, "t": 40, "b": 30},
    )
    figure.update_annotations(font={"size": 13}, x=0, xanchor="left")
    figure.update_yaxes(autorange="reversed")  # variants in the verdict's order, top down
    kind = (
        "paired by replication (common random numbers)"
        if results.paired
        else "unpaired (Welch), since the runs used different seeds or replications"
    )
    return section(
        f"Differences against the baseline ({results.variants[0]})",
        f"Each dot is a variant's mean difference from the baseline (variant minus baseline), "
        f"{kind}, with its 95% confidence interval; an interval clear of the dotted zero line "
        "is a real difference, and each panel says which side is better. Shares are in "
        f"percentage points. Hover for the numbers and P(better). {P_BETTER_DEFINITION}.",
        figure_html(figure, "differences"),
        "differences",
    )


def table_section(results: Results) -> str:
    metrics = [m for m in SUMMARY_COLUMNS if m in _columns(results.summary)]
    metrics += sorted(
        c for c in _columns(results.summary) - set(metrics) - {"variant", "replication"}
    )
    headings = (
        ("metric", "label, and the summary.parquet column"),
        ("unit", ""),
        ("variant", ""),
        ("mean", "mean over replications"),
        ("95% CI", "95% confidence interval of the mean"),
        ("P5", "5th percentile across replications"),
        ("P50", "median across replications"),
        ("P95", "95th percentile across replications"),
        ("Δ vs baseline [95% CI]", "variant minus baseline, with its 95% confidence interval"),
        ("P(better)", P_BETTER_DEFINITION),
    )
    head = "".join(
        f"<th title='{escape(tip)}'>{escape(h)}</th>" if tip else f"<th>{escape(h)}</th>"
        for h, tip in headings
    )
    rows = []
    for name_of_metric in metrics:
        metric = summary_metric(name_of_metric)
        arrow = " ↓" if metric.lower_is_better else ""
        unit = (
            metric.noun
            if metric.unit == "count"
            else {"usd": "$", "share": "%"}.get(metric.unit, metric.unit)
        )
        for index, name in enumerate(results.variants):
            e = estimate(_summary_values(results, name, name_of_metric))
            if index:
                d = _difference(results, name, name_of_metric)
                diff = difference_text(metric, d.mean, d.low, d.high)
                better = percent(d.p_better) if metric.has_direction else "–"
            else:
                diff, better = "baseline", ""
            low, high = (value_text(metric, v) for v in (e.low, e.high))
            cells = [
                f"{escape(metric.label + arrow)}<br><code>{escape(name_of_metric)}</code>"
                if index == 0
                else "",
                escape(unit) if index == 0 else "",
                escape(name),
                escape(value_text(metric, e.mean)),
                escape(f"[{low}, {high}]"),
                *(escape(value_text(metric, v)) for v in (e.p5, e.p50, e.p95)),
                escape(diff),
                escape(better),
            ]
            rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    table = (
        f'<div class="wide"><table class="summary"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return section(
        "Summary table",
        "Every metric per variant: mean with its 95% confidence interval, the 5th, 50th and "
        "95th percentiles across replications, and the difference from the baseline (↓ = lower "
        f"is better; shares' differences in percentage points). {P_BETTER_DEFINITION}. Select "
        "and copy the table into a spreadsheet.",
        table,
        "summary-table",
    )
