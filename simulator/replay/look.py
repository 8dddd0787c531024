"""How the replay looks on a projector: colours that carry the meaning (green met quota, amber
under it, red under the plan's bar, grey gone), and type sizes and room for labels that depend
on how many variants share the screen (two get more room than three)."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.replay.frames import GONE, Lane

FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
INK, FAINT = "#1f2933", "#7b8794"
LANE_COLOURS = {
    "met": "#2e7d32",  # at or over quota
    "under": "#f0a500",  # under quota, over the plan's bar
    "danger": "#c62828",  # under the plan's bar
    "ramping": "#64a6d8",  # new, ramping up: not yet measured against quota
    "gone": "#c5cbd3",
    "none": "#9aa5b1",  # no quota
}
PIPELINE_COLOURS = {
    "worked": "#2e86c1",
    "waiting": "#e67e22",
    "fatigued": "#8e44ad",
    "orphaned": "#7b8794",
    "lost_household": "#1f2933",
}
VARIANT_COLOURS = ("#1f77b4", "#d62728", "#2ca02c")
GAP_FILL = "rgba(214, 39, 40, 0.15)"
PIPELINE_LABELS = {
    "worked": "being worked",
    "waiting": "waiting on a release",
    "fatigued": "fatigued",
    "orphaned": "orphaned (hunter left)",
    "lost_household": "lost to household name",
}
SHORT_PIPELINE_LABELS = {
    "worked": "being worked",
    "waiting": "waiting: release",
    "fatigued": "fatigued",
    "orphaned": "orphaned",
    "lost_household": "lost: household",
}


@dataclass(frozen=True)
class Look:
    """Sizes in px, positions in the axes' units (% of quota for the team, longest bars for
    the pipeline)."""

    compact: bool  # three variants: shorter words
    variants_width: float  # share of the chart's width; the bookings column takes the rest
    h_spacing: float
    title_font: int
    name_font: int
    label_font: int
    pipeline_font: int
    tick_font: int
    name_gutter: float  # where the names start, left of the bars
    team_x_max: float  # room right of the bars for their labels
    pipeline_gutter: float  # room left of the pipeline's bars for their labels
    pipeline_labels: dict[str, str]


ROOMY = Look(False, 0.7, 0.09, 19, 19, 18, 17, 15, -80.0, 265.0, 2.0, PIPELINE_LABELS)
COMPACT = Look(True, 0.78, 0.05, 17, 17, 15, 15, 14, -95.0, 250.0, 1.15, SHORT_PIPELINE_LABELS)
ROOMY_UP_TO = 2  # variants


def look_for(variants: int) -> Look:
    return ROOMY if variants <= ROOMY_UP_TO else COMPACT


def lane_colour(lane: Lane, threshold: float) -> str:
    if lane.status in GONE:
        return LANE_COLOURS["gone"]
    if lane.status == "ramping":
        return LANE_COLOURS["ramping"]
    if lane.attainment is None:
        return LANE_COLOURS["none"]
    if lane.attainment >= 1:
        return LANE_COLOURS["met"]
    return LANE_COLOURS["under"] if lane.attainment >= threshold else LANE_COLOURS["danger"]


def lane_label(lane: Lane, look: Look) -> str:
    """What is written right of a lane's bar."""
    share = "no quota" if lane.attainment is None else f"{lane.attainment:.0%}"
    plan = f"<b><span style='color:{LANE_COLOURS['danger']}'>ON THE PLAN</span></b>"
    if lane.status == "leaving":
        return "<b>leaves</b>"
    if lane.status == "left":
        if look.compact:
            return f"left in month {lane.left_month}"
        return f"left in month {lane.left_month} · seat empty"
    if lane.status == "plan":
        return f"{share} · {plan}"
    if lane.status == "ramping":
        return f"{share} · {'new' if look.compact else 'new, ramping up'}"
    return share
