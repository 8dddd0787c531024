"""The training story as a self-contained web page, built to be read from a projector: the key
beats written on the chart in large type, each quarter's quota attainment (the same numbers as
the story's quarter lines), the quota reviews, the hunter's open deals until they leave, how the
story was chosen and how typical it is, and the story itself underneath.

Every number and word on the page comes from the ``Story`` (its events, quarters and
typicality), as do the text and the JSON: one source.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator.events import Kind
from simulator.page import escape, figure_html, render, section
from simulator.store import write_text_atomic
from simulator.story import MONTHS_NOTE, Event, Quarter, Story
from simulator.units import DAYS_PER_MONTH

QUARTER_STYLE = ' style="background:#eef2f7;border-radius:4px;padding:2px 4px"'
FONT = 15  # px: labels on the chart, for a projector
CHART_PX_PER_CHAR = 8.2  # rough width of one character of the labels
PLOT_WIDTH_PX = 1060  # rough width of the plot area on a 1280 px wide screen
COLOURS = {"roadmap": "#6b4fa0", "deal": "#1f77b4", "hunter": "#c0392b"}
ROADMAP_BEATS = {"announced", "slip", "released"}
HUNTER_BEATS = {"hired", "plan", "off_plan", "leaves"}
DEAL_BEATS = {"pitch", "beta", "fatigue", "references", "orphaned", "won", "lost"}
LOST = {
    "competitor": "lost to a competitor",
    "household_name": "lost to the household name",
    "no_decision": "no decision",
    "disqualified": "disqualified",
    "stalled": "goes dark",
}


def write_story_page(story: Story, out_dir: Path) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{story.scenario}-{story.variant}".lower()).strip("-")
    name = f"story-{slug}-s{story.seed}-r{story.replication}-h{story.hunter}.html"
    return write_text_atomic(out_dir / name, story_html(story))


def story_html(story: Story) -> str:
    timeline = section(
        f"{story.hunter_name}'s story at a glance",
        "Top: the key beats, by month. Middle: each quarter's bookings as a share of that "
        "quarter's quota (bars, the numbers of the story's quarter lines) and the quota reviews "
        "(dots: the last months' bookings against quota; under the dashed line means the "
        "plan). Shaded: on the plan. Bottom: the hunter's open deals and those waiting on a "
        "release, until the hunter leaves.",
        figure_html(story_figure(story), "story-timeline"),
        "timeline",
    )
    chosen = section(
        "How this story was chosen, and how typical it is",
        story.how_chosen,
        typicality_table(story),
        "typicality",
    )
    items = "".join(
        f"<li{QUARTER_STYLE if isinstance(item, Quarter) else ''}>"
        f'<span class="month">Month {month}</span>{escape(text)}</li>'
        for month, text, item in story.lines()
    )
    text = section("The story", MONTHS_NOTE, f'<ol class="story">{items}</ol>', "story")
    data = json.dumps(story.to_json()).replace("</", "<\\/")
    embedded = f'<script type="application/json" id="story-data">{data}</script>'
    header = [
        f"Variant {story.variant}: replication {story.replication} of seed {story.seed}, "
        f"hunter {story.hunter} ({story.hunter_name})",
    ]
    return render(
        f"{story.scenario}: {story.hunter_name}'s story",
        header,
        [timeline, chosen, text + embedded],
    )


def typicality_table(story: Story) -> str:
    typical = story.typicality
    n = typical.replications
    head = (
        "<tr><th>variant</th><th>a hunter shows all of this story's beats</th>"
        "<th>a hunter goes on the plan</th><th>a hunter leaves</th>"
        "<th>hunters who left, mean</th></tr>"
    )
    rows = []
    for count in typical.variants:
        cells = [
            escape(count.variant) + (" (this story)" if count.variant == story.variant else ""),
            *(
                f"{k} of {n} ({k / n:.0%})"
                for k in (count.with_pattern, count.with_plan, count.with_leaver)
            ),
            f"{count.hunters_left / n:.1f}",
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    span = f"replications 0-{n - 1}" if n > 1 else "replication 0"
    seats = " or ".join(str(s) for s in sorted({count.seats for count in typical.variants}))
    return (
        f'<p class="caption">In how many of {span} of seed {typical.seed} (the same ones in '
        f"every variant):</p><table>{head}{''.join(rows)}</table>"
        f'<p class="caption">Hunters who left: per replication, over the whole run; the team '
        f"has {seats} seats, and replacements can leave too.</p>"
    )


def beat_label(story: Story, event: Event) -> str | None:
    """The short text written on the chart for a key beat, or None for the others."""
    facts = event.facts
    if event.kind == "announced":
        return f"{facts['feature']} announced"
    if event.kind == "slip":
        return f"{facts['feature']} slips to month {facts['new_plan_month']}"
    if event.kind == "released":
        return f"{facts['feature']} ships"
    if event.kind == "pitch":
        return f"pitches {facts['feature']} for month {facts['promised_month']}"
    if event.kind == "beta":
        return f"beta partner for {facts['feature']}"
    if event.kind == "fatigue":
        return "fatigue"
    if event.kind == "references":
        return "asks for references"
    if event.kind == "plan":
        return "on the plan"
    if event.kind == "off_plan":
        return "off the plan"
    if event.kind == "leaves":
        return f"{story.hunter_name} leaves"
    if event.kind == "hired" and event.day > 0:
        return f"{story.hunter_name} joins"
    if event.kind == "won":
        return f"Account {event.account} signs"
    if event.kind == "lost":
        return f"Account {event.account}: {LOST[facts['reason']]}"
    return None


def _x(day: float) -> float:
    """Chart position of a day: month 1 runs from 1 to 2."""
    return day / DAYS_PER_MONTH + 1.0


def _lanes(xs: list[float], labels: list[str], x_max: float) -> tuple[list[int], list[bool]]:
    """A lane for each label so that none overlaps the previous one in its lane; labels too
    near the right edge are written to the left of their point."""
    months_per_char = CHART_PX_PER_CHAR * x_max / PLOT_WIDTH_PX
    ends: list[float] = []
    lanes, left = [], []
    for x, label in zip(xs, labels, strict=True):
        width = (len(label) + 2) * months_per_char
        to_left = x + width > x_max
        start, end = (x - width, x) if to_left else (x, x + width)
        lane = next((i for i, last in enumerate(ends) if last < start), len(ends))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        lanes.append(lane)
        left.append(to_left)
    return lanes, left


def story_figure(story: Story) -> go.Figure:
    x_max = story.horizon_days / DAYS_PER_MONTH + 1.0
    beats = [(e, beat_label(story, e)) for e in story.events]
    beats = [(e, label) for e, label in beats if label is not None]
    xs = [_x(e.day) for e, _ in beats]
    lanes, left = _lanes(xs, [label for _, label in beats], x_max)
    n_lanes = max(lanes, default=0) + 1
    figure = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.04,
        row_heights=[0.36, 0.40, 0.24],
    )
    for group, kinds in (
        ("roadmap", ROADMAP_BEATS),
        ("deal", DEAL_BEATS),
        ("hunter", HUNTER_BEATS),
    ):
        chosen = [i for i, (e, _) in enumerate(beats) if e.kind in kinds]
        if not chosen:
            continue
        figure.add_scatter(
            x=[xs[i] for i in chosen],
            y=[lanes[i] for i in chosen],
            mode="markers+text",
            text=[beats[i][1] for i in chosen],
            textposition=["middle left" if left[i] else "middle right" for i in chosen],
            textfont={"size": FONT, "color": COLOURS[group]},
            marker={"size": 11, "color": COLOURS[group], "symbol": "diamond"},
            hovertext=[escape(beats[i][0].text) for i in chosen],
            hoverinfo="text",
            name={"roadmap": "the product", "deal": "the deal", "hunter": "the hunter"}[group],
            showlegend=False,
            row=1,
            col=1,
        )
    _attainment(figure, story)
    _pipeline(figure, story)
    _plan_periods(figure, story)
    ticks = list(range(1, int(x_max) + 1, 3))
    figure.update_layout(
        height=640,
        margin={"l": 70, "r": 20, "t": 10, "b": 50},
        hovermode="closest",
        font={"size": 14},
        legend={"orientation": "h", "y": -0.08, "x": 0, "font": {"size": 14}},
        bargap=0.15,
    )
    figure.update_xaxes(range=[1, x_max], tickvals=ticks, showgrid=True)
    figure.update_xaxes(title_text="month (month 1 is the first)", row=3, col=1)
    figure.update_xaxes(showticklabels=True, side="top", row=1, col=1)
    figure.update_yaxes(range=[n_lanes - 0.5, -0.7], visible=False, fixedrange=True, row=1, col=1)
    figure.update_yaxes(title_text="% of quota", ticksuffix="%", row=2, col=1)
    figure.update_yaxes(title_text="deals", rangemode="tozero", row=3, col=1)
    return figure


def _attainment(figure: go.Figure, story: Story) -> None:
    quarters = [q for q in story.quarters if q.attainment is not None]
    shares = [q.attainment * 100 for q in quarters if q.attainment is not None]
    threshold = story.plan_threshold * 100
    if quarters:
        figure.add_bar(
            x=[(_x(q.start_day) + _x(q.end_day)) / 2 for q in quarters],
            y=shares,
            width=[(q.end_day - q.start_day) / DAYS_PER_MONTH * 0.9 for q in quarters],
            text=[f"{q.attainment:.0%}" for q in quarters if q.attainment is not None],
            textposition="outside",
            textfont={"size": FONT},
            cliponaxis=False,
            marker={"color": ["#2e86c1" if s >= threshold else "#e59866" for s in shares]},
            hovertext=[escape(q.text) for q in quarters],
            hoverinfo="text",
            name="quarter's bookings, % of its quota",
            row=2,
            col=1,
        )
    reviews = [e for e in story.events if e.kind == "review"]
    reviewed = [e.facts["attainment"] * 100 for e in reviews]
    if reviews:
        figure.add_scatter(
            x=[_x(e.day) for e in reviews],
            y=reviewed,
            mode="markers",
            marker={"size": 12, "color": "#1f2933", "symbol": "circle"},
            hovertext=[escape(e.text) for e in reviews],
            hoverinfo="text",
            name="quota review (last months)",
            row=2,
            col=1,
        )
    if story.quota_usd_per_month > 0:
        figure.add_hline(
            y=threshold,
            line={"dash": "dash", "color": "#c0392b"},
            annotation={"text": f"plan below {threshold:.0f}%", "font": {"size": 13}},
            annotation_position="top left",
            row=2,
            col=1,
        )
        top = max([threshold, *shares, *reviewed])
        figure.update_yaxes(range=[0, top * 1.2], row=2, col=1)


def _pipeline(figure: go.Figure, story: Story) -> None:
    """Open deals and deals waiting on a release, from the hire until the hunter leaves."""
    log = story.log
    own = log[(log["actor"] == story.hunter)]
    hired = float(own["day"][own["kind"] == Kind.HUNTER_HIRED][0])
    until = story.left_day if story.left_day is not None else story.horizon_days
    days = np.append(np.arange(hired, until, DAYS_PER_MONTH / 4), until)
    before = own[own["day"] <= until]

    def count(up: Kind, down: Kind) -> np.ndarray:
        ups, downs = before["day"][before["kind"] == up], before["day"][before["kind"] == down]
        return np.searchsorted(np.sort(ups), days, "right") - np.searchsorted(
            np.sort(downs), days, "right"
        )

    x = days / DAYS_PER_MONTH + 1.0
    figure.add_scatter(
        x=x, y=count(Kind.OPENED, Kind.CLOSED), name="open deals", row=3, col=1,
        line={"shape": "hv", "color": "#2ca02c", "width": 3},
    )  # fmt: skip
    figure.add_scatter(
        x=x, y=count(Kind.WAITING_STARTED, Kind.WAITING_ENDED), row=3, col=1,
        name="deals waiting on a release", line={"shape": "hv", "color": "#ff7f0e", "width": 3},
    )  # fmt: skip


def _plan_periods(figure: go.Figure, story: Story) -> None:
    """Shade the months on the plan; a line where the hunter leaves."""
    start = None
    for event in story.events:
        if event.kind == "plan":
            start = event.day
        elif event.kind in ("off_plan", "leaves") and start is not None:
            for row in (2, 3):
                figure.add_vrect(
                    x0=_x(start), x1=_x(event.day), fillcolor="#c0392b", opacity=0.08,
                    line_width=0, row=row, col=1,
                )  # fmt: skip
            start = None
    if start is not None:
        end = story.horizon_days
        for row in (2, 3):
            figure.add_vrect(
                x0=_x(start), x1=_x(end), fillcolor="#c0392b", opacity=0.08, line_width=0,
                row=row, col=1,
            )  # fmt: skip
    if story.left_day is not None:
        figure.add_vline(x=_x(story.left_day), line={"color": "#c0392b", "width": 2})
