"""The training story as a self-contained web page: the hunter's bookings against quota and
pipeline over time, annotated with the story's events, and the story itself underneath."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from simulator.events import Kind, Outcome
from simulator.page import escape, figure_html, render, section
from simulator.scenario import DAYS_PER_MONTH
from simulator.store import write_text_atomic
from simulator.story import Story


def write_story_page(story: Story, out_dir: Path) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{story.scenario}-{story.variant}".lower()).strip("-")
    name = f"story-{slug}-s{story.seed}-r{story.replication}-h{story.hunter}.html"
    return write_text_atomic(out_dir / name, story_html(story))


def story_html(story: Story) -> str:
    timeline = section(
        f"{story.hunter_name}'s pipeline and bookings",
        "Top: bookings since the start against quota over the same months; markers are the "
        "story's events (hover for what happened). Bottom: open deals and deals waiting on a "
        "release.",
        figure_html(story_figure(story), "story-timeline"),
        "timeline",
    )
    items = "".join(
        f'<li><span class="month">Month {line.month}</span>{escape(line.text)}</li>'
        for line in story.lines
    )
    text = section("The story", story.why, f'<ol class="story">{items}</ol>', "story")
    header = [
        f"Variant: {story.variant}",
        f"Replication {story.replication} of seed {story.seed}; hunter {story.hunter} "
        f"({story.hunter_name})",
    ]
    return render(f"{story.scenario}: {story.hunter_name}'s story", header, [timeline, text])


def story_figure(story: Story) -> go.Figure:
    log = story.log
    own = log[log["actor"] == story.hunter]
    months = np.arange(0, story.horizon_days / DAYS_PER_MONTH + 1e-9, 0.25)
    days = months * DAYS_PER_MONTH
    booked = own[
        ((own["kind"] == Kind.CLOSED) & (own["code"] == Outcome.WON))
        | (own["kind"] == Kind.BETA_CONVERTED)
    ]
    cumulative = np.array([booked["value"][booked["day"] <= d].sum() for d in days])
    hired = float(own["day"][own["kind"] == Kind.HUNTER_HIRED][0])
    left = own["day"][own["kind"] == Kind.HUNTER_LEFT]
    until = float(left[0]) if left.size else np.inf
    active = (days >= hired) & (days <= until)
    quota = story.quota_usd_per_month * np.clip(np.minimum(days, until) - hired, 0, None)
    quota = quota / DAYS_PER_MONTH
    opened = own[own["kind"] == Kind.OPENED]
    closed = own[own["kind"] == Kind.CLOSED]
    open_deals = np.array(
        [np.count_nonzero(opened["day"] <= d) - np.count_nonzero(closed["day"] <= d) for d in days]
    )
    started = own["day"][own["kind"] == Kind.WAITING_STARTED]
    ended = own["day"][own["kind"] == Kind.WAITING_ENDED]
    waiting = np.array(
        [np.count_nonzero(started <= d) - np.count_nonzero(ended <= d) for d in days]
    )

    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08)
    figure.add_scatter(
        x=months[active], y=cumulative[active], name="bookings (USD)", row=1, col=1,
        line={"color": "#1f77b4", "width": 3},
    )  # fmt: skip
    figure.add_scatter(
        x=months[active], y=quota[active], name="quota (USD)", row=1, col=1,
        line={"color": "#7b8794", "dash": "dash"},
    )  # fmt: skip
    marked = [line for line in story.lines if line.kind is not None]
    figure.add_scatter(
        x=[line.day / DAYS_PER_MONTH for line in marked],
        y=[float(np.interp(line.day, days, cumulative)) for line in marked],
        mode="markers",
        name="story events",
        marker={"size": 9, "color": "#d64545", "symbol": "diamond"},
        hovertext=[escape(line.text) for line in marked],
        hoverinfo="text",
        row=1,
        col=1,
    )
    figure.add_scatter(
        x=months, y=open_deals, name="open deals", row=2, col=1,
        line={"shape": "hv", "color": "#2ca02c"},
    )  # fmt: skip
    figure.add_scatter(
        x=months, y=waiting, name="deals waiting on a release", row=2, col=1,
        line={"shape": "hv", "color": "#ff7f0e"},
    )  # fmt: skip
    figure.update_layout(
        height=620, margin={"l": 60, "r": 20, "t": 20, "b": 40}, hovermode="closest"
    )
    figure.update_xaxes(title_text="month", row=2, col=1)
    figure.update_yaxes(title_text="USD", row=1, col=1)
    figure.update_yaxes(title_text="deals", row=2, col=1)
    return figure
