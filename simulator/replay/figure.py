"""The replay's chart, one plotly animation frame per month, built for a projector: one column
per variant (the team seat by seat on top, the open pipeline below) and, on the right, the
bookings and ARR of every variant so far with the gap between the first two shaded. Large
type, colours that carry the meaning (green met quota, amber under it, red under the plan's
bar, grey gone), and nothing that needs a hover."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator.page import escape
from simulator.replay.document import Replay
from simulator.replay.frames import GONE, OPEN_KEYS, PIPELINE, VariantMonth, VariantReplay
from simulator.replay.look import (
    FAINT,
    FONT,
    GAP_FILL,
    INK,
    LANE_COLOURS,
    PIPELINE_COLOURS,
    VARIANT_COLOURS,
    Look,
    lane_colour,
    lane_label,
    look_for,
)
from simulator.story.wording import MILLION, money

TEAM_ROW, PIPELINE_ROW = 1, 2
ROW_HEIGHTS = [0.56, 0.44]
V_SPACING = 0.14
PERCENT = 100
BAR_CAP = 150.0  # % of quota: longer bars stop here (their label says the real number)
MIN_BAR = 2.0  # % of quota: a zero still shows its colour
GONE_BAR = 100.0  # a lane whose hunter left: a grey bar this long
BAR_WIDTH = 0.72  # of a lane
PIPELINE_HEADROOM = 1.25  # room right of the longest bar for its count
BOOKINGS_HEADROOM = 1.12
MONTH_TICKS = 12  # a tick a year on the bookings chart
LABEL_ROOM = 1.22  # the bookings chart's months, stretched for the labels right of the lines
BASE_FONT = 16
LINE_WIDTH = 5
ARR_WIDTH = 3
MARGIN_PX = {"l": 10, "r": 20, "t": 40, "b": 30}


def short(name: str, chars: int) -> str:
    """A variant's name cut to ``chars`` with an ellipsis: a long name must not run into the
    next column (the score line above the chart gives it in full)."""
    return name if len(name) <= chars else f"{name[: chars - 1]}…"


def team_traces(variant: VariantReplay, now: VariantMonth, look: Look) -> list[go.BaseTraceType]:
    lanes = now.lanes
    seats = [lane.seat for lane in lanes]
    bars = [
        GONE_BAR
        if lane.status in GONE
        else max(MIN_BAR, min(BAR_CAP, (lane.attainment or 0.0) * PERCENT))
        for lane in lanes
    ]
    colours = [lane_colour(lane) for lane in lanes]
    return [
        go.Bar(
            x=bars,
            y=seats,
            orientation="h",
            marker={"color": colours},
            text=[lane_label(lane, look) for lane in lanes],
            textposition="outside",
            constraintext="none",
            cliponaxis=False,
            textfont={
                "size": [
                    look.plan_font if lane.status == "plan" else look.label_font for lane in lanes
                ],
                "color": [FAINT if lane.status == "left" else INK for lane in lanes],
            },
            width=BAR_WIDTH,
            name=f"{variant.name}: team",
            hoverinfo="skip",
            showlegend=False,
        ),
        go.Scatter(
            x=[look.name_gutter] * len(lanes),
            y=seats,
            mode="text",
            text=[lane.name for lane in lanes],
            textposition="middle right",
            textfont={
                "size": look.name_font,
                "color": [FAINT if lane.status in GONE else INK for lane in lanes],
            },
            cliponaxis=False,
            hoverinfo="skip",
            showlegend=False,
        ),
    ]


def pipeline_traces(now: VariantMonth, top: int, look: Look) -> list[go.BaseTraceType]:
    """The pipeline's counts as bars, labelled left of the bars (labels stay put: ``top`` is
    the longest bar of the whole replay)."""
    counts = [now.pipeline[key] for key in PIPELINE]
    keys = list(PIPELINE)
    labels = go.Scatter(
        x=[-top * look.pipeline_gutter] * len(keys),
        y=keys,
        mode="text",
        text=[look.pipeline_labels[key] for key in keys],
        textposition="middle right",
        textfont={"size": look.pipeline_font, "color": INK},
        cliponaxis=False,
        hoverinfo="skip",
        showlegend=False,
    )
    bars = go.Bar(
        x=counts,
        y=keys,
        orientation="h",
        marker={"color": [PIPELINE_COLOURS[key] for key in PIPELINE]},
        text=[str(n) for n in counts],
        textposition="outside",
        constraintext="none",
        cliponaxis=False,
        textfont={"size": look.label_font, "color": INK},
        width=BAR_WIDTH,
        hoverinfo="skip",
        showlegend=False,
    )
    return [bars, labels]


def pipeline_top(replay: Replay) -> int:
    """The longest pipeline bar of the replay, every month and variant."""
    return max(max(m.pipeline[key] for key in PIPELINE) for v in replay.variants for m in v.months)


def bookings_traces(replay: Replay, month: int, look: Look) -> list[go.BaseTraceType]:
    """Each variant's bookings so far (solid, labelled at its end) and ARR (dashed); the area
    between the first two variants' bookings shaded: the gap."""
    months = list(range(1, month + 1))
    now = [variant.months[month - 1].bookings_usd for variant in replay.variants]
    traces: list[go.BaseTraceType] = []
    for index, variant in enumerate(replay.variants):
        highest = now[index] == max(now) and now.index(max(now)) == index
        values = [m.bookings_usd / MILLION for m in variant.months[:month]]
        traces.append(
            go.Scatter(
                x=months,
                y=values,
                mode="lines+text",
                text=[""] * (month - 1) + [money(variant.months[month - 1].bookings_usd)],
                textposition="top right" if highest else "bottom right",
                textfont={"size": look.label_font, "color": VARIANT_COLOURS[index]},
                line={"color": VARIANT_COLOURS[index], "width": LINE_WIDTH},
                fill="tonexty" if index == 1 else "none",
                fillcolor=GAP_FILL,
                name=variant.name,
                hoverinfo="skip",
                cliponaxis=False,
            )
        )
    for index, variant in enumerate(replay.variants):
        traces.append(
            go.Scatter(
                x=months,
                y=[m.arr_usd / MILLION for m in variant.months[:month]],
                mode="lines",
                line={"color": VARIANT_COLOURS[index], "width": ARR_WIDTH, "dash": "dot"},
                name=f"{variant.name} ARR",
                hoverinfo="skip",
                showlegend=False,
            )
        )
    return traces


def month_traces(replay: Replay, month: int) -> list[tuple[go.BaseTraceType, int, int]]:
    """Every trace of the chart at ``month``, with its (row, column); the same order in every
    frame, so that a frame replaces each trace's data."""
    placed: list[tuple[go.BaseTraceType, int, int]] = []
    top = max(pipeline_top(replay), 1)
    look = look_for(len(replay.variants))
    for column, variant in enumerate(replay.variants, start=1):
        now = variant.months[month - 1]
        placed += [(trace, TEAM_ROW, column) for trace in team_traces(variant, now, look)]
        placed += [(trace, PIPELINE_ROW, column) for trace in pipeline_traces(now, top, look)]
    column = len(replay.variants) + 1
    placed += [(trace, TEAM_ROW, column) for trace in bookings_traces(replay, month, look)]
    return placed


def replay_figure(replay: Replay) -> go.Figure:
    n = len(replay.variants)
    look = look_for(n)
    specs: list[list[dict[str, Any] | None]] = [
        [{} for _ in range(n)] + [{"rowspan": 2}],
        [{} for _ in range(n)] + [None],
    ]
    titles = [f"<b>{escape(short(v.name, look.title_chars))}</b>" for v in replay.variants]
    titles.append("<b>Bookings so far</b> · ARR dotted")
    titles += ["deals open now · lost so far" for _ in replay.variants]
    figure = make_subplots(
        rows=2,
        cols=n + 1,
        specs=specs,
        column_widths=[look.variants_width / n] * n + [1 - look.variants_width],
        row_heights=ROW_HEIGHTS,
        horizontal_spacing=look.h_spacing,
        vertical_spacing=V_SPACING,
        subplot_titles=titles,
    )
    for trace, row, column in month_traces(replay, 1):
        figure.add_trace(trace, row=row, col=column)
    figure.frames = [
        go.Frame(name=str(month), data=[trace for trace, _, _ in month_traces(replay, month)])
        for month in range(1, replay.horizon_months + 1)
    ]
    figure.update_annotations(font={"size": look.title_font, "color": INK})
    _axes(figure, replay, look)
    figure.update_layout(
        autosize=True,
        margin=MARGIN_PX,
        font={"family": FONT, "size": BASE_FONT, "color": INK},
        paper_bgcolor="#ffffff",
        plot_bgcolor="#ffffff",
        bargap=0.25,
        showlegend=False,  # the score line above the chart names the variants in their colours
        hovermode=False,
        dragmode=False,
    )
    return figure


def _axes(figure: go.Figure, replay: Replay, look: Look) -> None:
    """Fixed ranges, so nothing jumps between months."""
    n = len(replay.variants)
    seats = 1 + max(lane.seat for v in replay.variants for m in v.months for lane in m.lanes)
    top = max(pipeline_top(replay), 1)
    for column in range(1, n + 1):
        figure.update_xaxes(
            range=[look.name_gutter, look.team_x_max],
            visible=False,
            fixedrange=True,
            row=TEAM_ROW,
            col=column,
        )
        figure.update_yaxes(
            range=[seats - 0.5, -0.5], visible=False, fixedrange=True, row=TEAM_ROW, col=column
        )
        colour = LANE_COLOURS["met"]
        figure.add_vline(
            x=PERCENT, line={"color": colour, "width": 2, "dash": "dot"}, row=TEAM_ROW, col=column
        )
        figure.add_annotation(
            x=PERCENT,
            y=seats - 0.5,
            yanchor="top",
            xanchor="left",
            text="quarter's quota",
            showarrow=False,
            font={"size": look.tick_font, "color": colour},
            row=TEAM_ROW,
            col=column,
        )
        figure.update_xaxes(
            range=[-top * look.pipeline_gutter, top * PIPELINE_HEADROOM],
            visible=False,
            fixedrange=True,
            row=PIPELINE_ROW,
            col=column,
        )
        figure.update_yaxes(
            autorange="reversed", visible=False, fixedrange=True, row=PIPELINE_ROW, col=column
        )
        figure.add_hline(
            y=len(OPEN_KEYS) - 0.5,
            line={"color": FAINT, "width": 2, "dash": "dot"},
            row=PIPELINE_ROW,
            col=column,
        )
    peak = max(max(m.bookings_usd, m.arr_usd) for v in replay.variants for m in v.months)
    ticks = list(range(MONTH_TICKS, replay.horizon_months + 1, MONTH_TICKS))
    figure.update_xaxes(
        range=[1, replay.horizon_months * LABEL_ROOM],
        tickvals=ticks,
        ticktext=[f"month {m}" if i == 0 else str(m) for i, m in enumerate(ticks)],
        tickfont={"size": look.tick_font},
        fixedrange=True,
        row=TEAM_ROW,
        col=n + 1,
    )
    figure.update_yaxes(
        range=[0, max(peak / MILLION, 1) * BOOKINGS_HEADROOM],
        tickprefix="$",
        ticksuffix="M",
        tickfont={"size": look.tick_font},
        fixedrange=True,
        row=TEAM_ROW,
        col=n + 1,
    )
