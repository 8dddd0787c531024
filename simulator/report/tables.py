"""The report's tables: the verdict at the top, and every metric in the summary table at the end."""

from __future__ import annotations

from simulator.metrics.catalog import SECTIONS, SUMMARY, Metric, summary_metric
from simulator.metrics.formats import difference_text, value_text
from simulator.page import escape, section
from simulator.report.console import percent
from simulator.report.results import Results
from simulator.report.verdict import Verdict, legend
from simulator.report.verdict import build as build_verdict
from simulator.runs.aggregate import P_BETTER_DEFINITION, estimate
from simulator.runs.economics import economics_lines


def verdict_of(results: Results) -> Verdict:
    """The headline verdict of the runs, with the statistics the report uses."""
    return build_verdict(
        results.variants,
        lambda variant, metric: results.difference(variant, metric),
        results.columns,
        results.context,
        results.paired,
        economics=economics_lines(results.summary) if results.paired else (),
    )


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
    if verdict.economics:
        items = "".join(f"<li>{escape(line)}</li>" for line in verdict.economics)
        table += (
            '<div id="verdict-economics"><p class="sentence">Cost and payback against the '
            f"baseline (95% intervals):</p><ul>{items}</ul></div>"
        )
    compared = ", ".join(verdict.variants) or "nothing"
    return section(
        f"Verdict: {compared} against {verdict.baseline} (the baseline)",
        f"{results.context}. {legend(verdict.paired, verdict.adjusted)}",
        notes + lines + table,
        "verdict",
    )


def _css(word: str) -> str:
    return {"better": "better", "worse": "worse", "mixed": "mixed"}.get(word, "unclear")


def table_section(results: Results) -> str:
    """Every summary metric the runs stored, grouped by the registry's report sections (then
    any column the registry does not know), a row per variant."""
    stored = [m for m in SUMMARY.values() if m.name in results.columns]
    groups = [(title, [m for m in stored if m.section == title]) for title in SECTIONS]
    unknown = sorted(results.columns - set(SUMMARY) - {"variant", "replication"})
    groups.append(("other", [summary_metric(name) for name in unknown]))
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
    rows = [
        f"<tr class='group'><th colspan='{len(headings)}'>{escape(title.capitalize())}</th></tr>"
        + "".join(_rows(results, metric) for metric in metrics)
        for title, metrics in groups
        if metrics
    ]
    table = (
        f'<div class="wide"><table class="summary"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table></div>"
    )
    return section(
        "Summary table",
        "Every metric per variant, grouped by what it is about: mean with its 95% confidence "
        "interval, the 5th, 50th and 95th percentiles across replications, and the difference "
        "from the baseline (↓ = lower is better; shares' differences in percentage points). "
        f"{P_BETTER_DEFINITION}. Select and copy the table into a spreadsheet.",
        table,
        "summary-table",
    )


def _rows(results: Results, metric: Metric) -> str:
    """A metric's rows of the summary table: one per variant, the label on the first."""
    arrow = " ↓" if metric.lower_is_better else ""
    units = {"usd": "$", "share": "%", "count": metric.noun}
    unit = units.get(metric.unit, metric.unit)
    rows = []
    for index, name in enumerate(results.variants):
        e = estimate(results.values(name, metric.name))
        if index:
            d = results.difference(name, metric.name)
            diff = difference_text(metric, d.mean, d.low, d.high)
            better = percent(d.p_better) if metric.has_direction else "–"
        else:
            diff, better = "baseline", ""
        low, high = (value_text(metric, v) for v in (e.low, e.high))
        first = f"{escape(metric.label + arrow)}<br><code>{escape(metric.name)}</code>"
        cells = [
            first if index == 0 else "",
            escape(unit) if index == 0 else "",
            escape(name),
            escape(value_text(metric, e.mean)),
            escape(f"[{low}, {high}]"),
            *(escape(value_text(metric, v)) for v in (e.p5, e.p50, e.p95)),
            escape(diff),
            escape(better),
        ]
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return "".join(rows)
