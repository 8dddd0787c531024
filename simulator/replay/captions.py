"""The replay's captions: the key beats of the story, in a few words a room can read.

The beats are the story's own events (``simulator.story``: joining, the plan, leaving, the
roadmap's announcements, slips and releases), so a caption always matches a line of
``salesim story --json`` for the same replication and hunter. A beat that happens alike in every
variant (the roadmap's, in a shared world) is captioned once; one that happens in some variants
is tagged with them. At most ``PER_MONTH`` captions a month, the weightiest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simulator.events import ExitReason
from simulator.parameters import Parameters
from simulator.replay.frames import VariantReplay
from simulator.replay.hunters import HunterTrack
from simulator.story.items import DAY_DIGITS, Event
from simulator.story.roadmap import roadmap_events
from simulator.story.tenure import Tenure
from simulator.story.wording import plural

PER_MONTH = 2
# The weightiest first: what a room should not miss.
WEIGHT = ("leaves", "plan", "slip", "released", "hired", "announced", "off_plan")
HUNTER_KINDS = frozenset({"hired", "plan", "off_plan", "leaves"})


@dataclass(frozen=True)
class Caption:
    month: int
    text: str  # without the month: "Sam goes on the plan (31% of quota)"
    variants: tuple[str, ...]  # where it happens; every variant for the shared world's beats
    kind: str  # the story events' kind
    story_texts: tuple[str, ...]  # the story's own lines for them
    day: float  # of its first event
    hunters: tuple[int, ...]  # whose beat it is (none for the roadmap's), in the first variant

    def tag(self, all_variants: tuple[str, ...]) -> str:
        """The variants to name beside it: none when it happens in all of them."""
        return "" if set(self.variants) == set(all_variants) else " and ".join(self.variants)

    def to_json(self, all_variants: tuple[str, ...]) -> dict[str, Any]:
        return {
            "month": self.month,
            "text": self.text,
            "variants": list(self.variants),
            "tag": self.tag(all_variants),
            "kind": self.kind,
            "day": round(self.day, DAY_DIGITS),
            "story_texts": list(self.story_texts),
            "hunters": list(self.hunters),
        }


@dataclass(frozen=True)
class Beat:
    """A hunter's story event worth a caption."""

    event: Event
    track: HunterTrack
    replaced: str | None = None  # a replacement's predecessor in the seat


def names(tracks: list[HunterTrack]) -> str:
    """``Sam``, ``Sam and Tom``, ``Dana, Sam and Leo``."""
    words = [t.name for t in tracks]
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} and {words[-1]}"


def hunters_caption(kind: str, beats: list[Beat]) -> str:
    """The same beat of one or more hunters in one month, in a few words."""
    tracks = [b.track for b in beats]
    one = beats[0]
    if kind == "plan":
        if len(beats) == 1:
            return (
                f"{tracks[0].name} goes on the plan ({one.event.facts['attainment']:.0%} of quota)"
            )
        return f"{names(tracks)} go on the plan"
    if kind == "off_plan":
        if len(beats) == 1:
            return f"{tracks[0].name} is back above the bar, off the plan"
        return f"{names(tracks)} are back above the bar"
    if kind == "hired":
        if len(beats) == 1 and one.replaced:
            return f"{tracks[0].name} replaces {one.replaced}, ramping up from scratch"
        return f"{names(tracks)} {'joins' if len(beats) == 1 else 'join'}, ramping up from scratch"
    orphaned = sum(b.event.facts["open_deals_orphaned"] for b in beats)
    lost = f"; {plural(orphaned, 'open deal')} orphaned" if orphaned else ""
    if len(beats) == 1:
        reason = tracks[0].own_log["code"][one.event.seq]
        how = {ExitReason.VOLUNTARY: "quits", ExitReason.REDUCED: "leaves as the team is cut"}
        return f"{tracks[0].name} {how.get(reason, 'is let go after the plan')}{lost}"
    return f"{names(tracks)} leave{lost}"


def roadmap_caption(event: Event, slips_before: int) -> str:
    facts = event.facts
    feature = facts["feature"]
    if event.kind == "announced":
        return f"{feature} announced, promised for month {facts['promised_month']}"
    if event.kind == "slip":
        again = " again" if slips_before else ""
        return f"{feature} slips{again}: now promised for month {facts['new_plan_month']}"
    return f"{feature} ships, {facts['months_late']:.0f} months late"


def variant_beats(
    replay: VariantReplay, log: np.ndarray, parameters: Parameters, horizon_days: float
) -> list[tuple[list[Event], str]]:
    """One variant's captions before merging: each a group of story events and its words. A
    month's beats of one kind among the hunters (several hunters leaving) make one caption."""
    grouped: dict[tuple[int, str], list[Beat]] = {}
    previous: dict[int, str] = {}  # seat -> its last holder's name
    for track in replay.hunters:
        replaced = previous.get(track.seat)
        previous[track.seat] = track.name
        for event in track.events:
            if event.kind in HUNTER_KINDS and not (event.kind == "hired" and event.day == 0):
                grouped.setdefault((event.month, event.kind), []).append(
                    Beat(event, track, replaced)
                )
    told: list[tuple[list[Event], str]] = []
    for (_, kind), beats in grouped.items():
        beats.sort(key=lambda b: (b.event.day, b.event.seq))
        told.append(([b.event for b in beats], hunters_caption(kind, beats)))
    first = replay.hunters[0].hunter
    slips: dict[str, int] = {}
    for event in roadmap_events(Tenure(log, first, parameters, horizon_days)):
        feature = event.facts["feature"]
        told.append(([event], roadmap_caption(event, slips.get(feature, 0))))
        if event.kind == "slip":
            slips[feature] = slips.get(feature, 0) + 1
    return told


def captions(beats: dict[str, list[tuple[list[Event], str]]]) -> tuple[Caption, ...]:
    """The captions of all variants' beats (by variant name, in the page's order): each once,
    tagged with the variants it happens in, at most ``PER_MONTH`` a month."""
    order = list(beats)
    merged: dict[tuple[int, str], tuple[list[Event], list[str]]] = {}
    for variant, told in beats.items():
        for events, text in told:
            key = (events[0].month, text)
            if key in merged:
                merged[key][1].append(variant)
            else:
                merged[key] = (events, [variant])
    by_month: dict[int, list[Caption]] = {}
    for (month, text), (events, variants) in merged.items():
        by_month.setdefault(month, []).append(
            Caption(
                month,
                text,
                tuple(variants),
                events[0].kind,
                tuple(e.text for e in events),
                events[0].day,
                tuple(e.hunter for e in events if e.hunter is not None),
            )
        )
    chosen: list[Caption] = []
    for month in sorted(by_month):
        ranked = sorted(
            by_month[month],
            key=lambda c: (WEIGHT.index(c.kind), order.index(c.variants[0]), c.day),
        )
        chosen.extend(sorted(ranked[:PER_MONTH], key=lambda c: c.day))
    return tuple(chosen)
