"""The story's chart, built to be read from a projector: the key beats written in large type
(top), each quarter's quota attainment and the quota reviews (middle), and the hunter's open
deals until they leave (bottom), with the months on the plan shaded."""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator.model.events import Kind
from simulator.page import escape
from simulator.story.document import Story
from simulator.story.labels import beat_label, lanes
from simulator.story.months import MONTHS_PER_QUARTER
from simulator.units import DAYS_PER_MONTH

BEATS_ROW, ATTAINMENT_ROW, PIPELINE_ROW = 1, 2, 3
ROW_HEIGHTS = [0.36, 0.40, 0.24]
ROW_SPACING = 0.04
HEIGHT_PX = 640
MARGIN_PX = {"l": 70, "r": 20, "t": 10, "b": 50}
LABEL_FONT = 15  # px: labels on the chart, for a projector
AXIS_FONT = 14
NOTE_FONT = 13
BEAT_MARKER = 11
REVIEW_MARKER = 12
LINE_WIDTH = 3
LEAVES_LINE_WIDTH = 2
LEGEND_Y = -0.08  # under the plot
BAR_GAP = 0.15
BAR_FILL = 0.9  # of the quarter's width
HEADROOM = 1.2  # above the tallest bar or dot, for its label
LANES_BELOW, LANES_ABOVE = 0.5, 0.7  # room around the lanes of labels (in lanes)
PLAN_OPACITY = 0.08
PIPELINE_STEPS_PER_MONTH = 4
PERCENT = 100
COLOURS = {
    "roadmap": "#6b4fa0",
    "deal": "#1f77b4",
    "hunter": "#c0392b",
    "met": "#2e86c1",
    "missed": "#e59866",
    "review": "#1f2933",
    "plan": "#c0392b",
    "open": "#2ca02c",
    "waiting": "#ff7f0e",
}
Days = TypeVar("Days", float, np.ndarray)
GROUPS = (  # the beats' groups: colour key, name, story kinds
    ("roadmap", "the product", {"announced", "slip", "released"}),
    (
        "deal",
        "the deal",
        {"come_back", "pitch", "beta", "fatigue", "references", "orphaned", "won", "lost"},
    ),
    ("hunter", "the hunter", {"hired", "plan", "off_plan", "leaves"}),
)


def _x(day: Days) -> Days:
    """Chart position of a day: month 1 runs from 1 to 2."""
    return day / DAYS_PER_MONTH + 1.0


def story_figure(story: Story) -> go.Figure:
    x_max = _x(story.horizon_days)
    beats = [(e, beat_label(story, e)) for e in story.events]
    beats = [(e, label) for e, label in beats if label is not None]
    xs = [_x(e.day) for e, _ in beats]
    lane, left = lanes(xs, [label for _, label in beats], x_max)
    n_lanes = max(lane, default=0) + 1
    figure = make_subplots(
        rows=len(ROW_HEIGHTS),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=ROW_SPACING,
        row_heights=ROW_HEIGHTS,
    )
    for group, name, kinds in GROUPS:
        chosen = [i for i, (e, _) in enumerate(beats) if e.kind in kinds]
        if not chosen:
            continue
        figure.add_scatter(
            x=[xs[i] for i in chosen],
            y=[lane[i] for i in chosen],
            mode="markers+text",
            text=[beats[i][1] for i in chosen],
            textposition=["middle left" if left[i] else "middle right" for i in chosen],
            textfont={"size": LABEL_FONT, "color": COLOURS[group]},
            marker={"size": BEAT_MARKER, "color": COLOURS[group], "symbol": "diamond"},
            hovertext=[escape(beats[i][0].text) for i in chosen],
            hoverinfo="text",
            name=name,
            showlegend=False,
            row=BEATS_ROW,
            col=1,
        )
    _attainment(figure, story)
    _pipeline(figure, story)
    _plan_periods(figure, story)
    ticks = list(range(1, int(x_max) + 1, MONTHS_PER_QUARTER))
    figure.update_layout(
        height=HEIGHT_PX,
        margin=MARGIN_PX,
        hovermode="closest",
        font={"size": AXIS_FONT},
        legend={"orientation": "h", "y": LEGEND_Y, "x": 0, "font": {"size": AXIS_FONT}},
        bargap=BAR_GAP,
    )
    figure.update_xaxes(range=[1, x_max], tickvals=ticks, showgrid=True)
    figure.update_xaxes(title_text="month (month 1 is the first)", row=PIPELINE_ROW, col=1)
    figure.update_xaxes(showticklabels=True, side="top", row=BEATS_ROW, col=1)
    figure.update_yaxes(
        range=[n_lanes - LANES_BELOW, -LANES_ABOVE], visible=False, fixedrange=True,
        row=BEATS_ROW, col=1,
    )  # fmt: skip
    figure.update_yaxes(title_text="% of quota", ticksuffix="%", row=ATTAINMENT_ROW, col=1)
    figure.update_yaxes(title_text="deals", rangemode="tozero", row=PIPELINE_ROW, col=1)
    return figure


def _attainment(figure: go.Figure, story: Story) -> None:
    """Each quarter's bookings against its quota (bars), the quota reviews (dots) and the bar
    under which the hunter goes on the plan."""
    quarters = [q for q in story.quarters if q.attainment is not None]
    shares = [q.attainment * PERCENT for q in quarters if q.attainment is not None]
    threshold = story.plan_threshold * PERCENT
    if quarters:
        figure.add_bar(
            x=[(_x(q.start_day) + _x(q.end_day)) / 2 for q in quarters],
            y=shares,
            width=[(q.end_day - q.start_day) / DAYS_PER_MONTH * BAR_FILL for q in quarters],
            text=[f"{q.attainment:.0%}" for q in quarters if q.attainment is not None],
            textposition="outside",
            textfont={"size": LABEL_FONT},
            cliponaxis=False,
            marker={"color": [COLOURS["met" if s >= threshold else "missed"] for s in shares]},
            hovertext=[escape(q.text) for q in quarters],
            hoverinfo="text",
            name="quarter's bookings, % of its quota",
            row=ATTAINMENT_ROW,
            col=1,
        )
    reviews = [e for e in story.events if e.kind == "review"]
    reviewed = [e.facts["attainment"] * PERCENT for e in reviews]
    if reviews:
        figure.add_scatter(
            x=[_x(e.day) for e in reviews],
            y=reviewed,
            mode="markers",
            marker={"size": REVIEW_MARKER, "color": COLOURS["review"], "symbol": "circle"},
            hovertext=[escape(e.text) for e in reviews],
            hoverinfo="text",
            name="quota review (last months)",
            row=ATTAINMENT_ROW,
            col=1,
        )
    if story.quota_usd_per_month > 0:
        figure.add_hline(
            y=threshold,
            line={"dash": "dash", "color": COLOURS["plan"]},
            annotation={"text": f"plan below {threshold:.0f}%", "font": {"size": NOTE_FONT}},
            annotation_position="bottom right",
            row=ATTAINMENT_ROW,
            col=1,
        )
        top = max([threshold, *shares, *reviewed])
        figure.update_yaxes(range=[0, top * HEADROOM], row=ATTAINMENT_ROW, col=1)


def _pipeline(figure: go.Figure, story: Story) -> None:
    """Open deals and deals waiting on a release, from the hire until the hunter leaves."""
    log = story.log
    own = log[(log["actor"] == story.hunter)]
    hired = float(own["day"][own["kind"] == Kind.HUNTER_HIRED][0])
    until = story.left_day if story.left_day is not None else story.horizon_days
    days = np.append(np.arange(hired, until, DAYS_PER_MONTH / PIPELINE_STEPS_PER_MONTH), until)
    before = own[own["day"] <= until]

    def count(up: Kind, down: Kind) -> np.ndarray:
        ups, downs = before["day"][before["kind"] == up], before["day"][before["kind"] == down]
        return np.searchsorted(np.sort(ups), days, "right") - np.searchsorted(
            np.sort(downs), days, "right"
        )

    x = _x(days)
    figure.add_scatter(
        x=x, y=count(Kind.OPENED, Kind.CLOSED), name="open deals", row=PIPELINE_ROW, col=1,
        line={"shape": "hv", "color": COLOURS["open"], "width": LINE_WIDTH},
    )  # fmt: skip
    figure.add_scatter(
        x=x, y=count(Kind.WAITING_STARTED, Kind.WAITING_ENDED), row=PIPELINE_ROW, col=1,
        name="deals waiting on a release",
        line={"shape": "hv", "color": COLOURS["waiting"], "width": LINE_WIDTH},
    )  # fmt: skip


def _plan_periods(figure: go.Figure, story: Story) -> None:
    """Shade the months on the plan; a line where the hunter leaves."""
    periods, start = [], None
    for event in story.events:
        if event.kind == "plan":
            start = event.day
        elif event.kind in ("off_plan", "leaves") and start is not None:
            periods.append((start, event.day))
            start = None
    if start is not None:
        periods.append((start, story.horizon_days))
    for first, last in periods:
        for row in (ATTAINMENT_ROW, PIPELINE_ROW):
            figure.add_vrect(
                x0=_x(first), x1=_x(last), fillcolor=COLOURS["plan"], opacity=PLAN_OPACITY,
                line_width=0, row=row, col=1,
            )  # fmt: skip
    if story.left_day is not None:
        figure.add_vline(
            x=_x(story.left_day), line={"color": COLOURS["plan"], "width": LEAVES_LINE_WIDTH}
        )
