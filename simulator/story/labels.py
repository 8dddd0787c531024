"""What the story's chart writes beside each key beat, and where: short labels in lanes, so
that no two overlap when read from a projector."""

from __future__ import annotations

from simulator.model.outcomes import BY_COLUMN
from simulator.story.document import Story
from simulator.story.items import Event

CHART_PX_PER_CHAR = 8.2  # rough width of one character of the labels
PLOT_WIDTH_PX = 1060  # rough width of the plot area on a 1280 px wide screen
LABEL_PAD_CHARS = 2  # space kept free after a label


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
    if event.kind == "come_back":
        return f"wants {facts['feature']}, not what ships"
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
        return f"Account {event.account}: {BY_COLUMN[facts['reason']].short}"
    return None


def lanes(xs: list[float], labels: list[str], x_max: float) -> tuple[list[int], list[bool]]:
    """A lane for each label so that none overlaps the previous one in its lane; labels too
    near the right edge are written to the left of their point."""
    months_per_char = CHART_PX_PER_CHAR * x_max / PLOT_WIDTH_PX
    ends: list[float] = []
    chosen, left = [], []
    for x, label in zip(xs, labels, strict=True):
        width = (len(label) + LABEL_PAD_CHARS) * months_per_char
        to_left = x + width > x_max
        start, end = (x - width, x) if to_left else (x, x + width)
        lane = next((i for i, last in enumerate(ends) if last < start), len(ends))
        if lane == len(ends):
            ends.append(end)
        else:
            ends[lane] = end
        chosen.append(lane)
        left.append(to_left)
    return chosen, left
