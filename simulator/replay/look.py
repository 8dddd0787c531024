"""How the replay looks on a projector: colours that carry the meaning (green the quarter's
quota met, amber not yet, red on the plan, light blue ramping up, grey gone), and type sizes and
room for labels that depend on how many variants share the screen (two get more room than
three)."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.replay.frames import GONE, Lane

FONT = "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"
INK, FAINT = "#1f2933", "#7b8794"
LANE_COLOURS = {
    "met": "#2e7d32",  # the quarter's quota met
    "under": "#f0a500",  # not yet
    "danger": "#c62828",  # on the plan
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
    plan_font: int  # a lane's words on the plan: the longest, kept clear of the next column
    pipeline_font: int
    tick_font: int
    name_gutter: float  # where the names start, left of the bars
    team_x_max: float  # room right of the bars for their labels
    pipeline_gutter: float  # room left of the pipeline's bars for their labels
    pipeline_labels: dict[str, str]
    title_chars: int  # a variant's name longer than this is cut in its column's title


ROOMY = Look(False, 0.7, 0.09, 19, 19, 18, 18, 17, 15, -80.0, 300.0, 2.0, PIPELINE_LABELS, 34)
COMPACT = Look(
    True, 0.78, 0.05, 17, 17, 15, 13, 15, 14, -95.0, 290.0, 1.15, SHORT_PIPELINE_LABELS, 24
)
ROOMY_UP_TO = 2  # variants


def look_for(variants: int) -> Look:
    return ROOMY if variants <= ROOMY_UP_TO else COMPACT


def lane_colour(lane: Lane) -> str:
    if lane.status in GONE:
        return LANE_COLOURS["gone"]
    if lane.status == "ramping":
        return LANE_COLOURS["ramping"]
    if lane.status == "plan":
        return LANE_COLOURS["danger"]
    if lane.attainment is None:
        return LANE_COLOURS["none"]
    return LANE_COLOURS["met"] if lane.attainment >= 1 else LANE_COLOURS["under"]


def lane_label(lane: Lane, look: Look, html: bool = True) -> str:
    """What is written right of a lane's bar: the quarter so far and, on the plan, the review's
    attainment that put the hunter there (the number the caption gave; in three variants'
    narrow columns, that alone); ``html`` for the chart's emphasis, plain text for the
    handout."""
    share = "no quota" if lane.attainment is None else f"{lane.attainment:.0%}"
    if lane.status == "leaving":
        return "<b>leaves</b>" if html else "leaves"
    if lane.status == "left":
        if look.compact:
            return f"left in month {lane.left_month}"
        return f"left in month {lane.left_month} · seat empty"
    if lane.status == "plan" and lane.plan is not None:
        judged = f"(review: {lane.plan.attainment:.0%})"  # the caption's words and window
        words = f"PLAN {judged}" if look.compact else f"ON THE PLAN {judged}"
        if not html:
            return f"{share} · {words}"
        words = f"<b><span style='color:{LANE_COLOURS['danger']}'>{words}</span></b>"
        # a narrow column has no room for the quarter's share too: the bar shows it against
        # the quota line, and the words stay clear of the next column's names
        return words if look.compact else f"{share} · {words}"
    if lane.status == "ramping":
        return f"{share} · {'new' if look.compact else 'new, ramping up'}"
    return share
