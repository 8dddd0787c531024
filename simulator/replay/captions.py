"""The replay's captions: the key beats of the story, in a few words a room can read.

The beats are the story's own events (``simulator.story``: joining, the plan, leaving, the
roadmap's announcements, slips and releases), so a caption always matches a line of
``salesim story --json`` for the same replication and hunter; two more come from the log: the
first pitch of an announced feature in each variant (who, and why: by strategy, or out of
desperation on the plan) and a strategy switch. Every number a caption gives is one the frame
shows: the attainment that put a hunter on the plan is on their lane, and the deals an exit
orphaned are those the pipeline's orphaned count gained. A beat that happens alike in every
variant (the roadmap's, in a shared world) is captioned once; one that happens in some variants
is tagged with them. At most ``PER_MONTH`` captions a month, the weightiest first.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from simulator.model.events import ExitReason, Kind
from simulator.parameters import Parameters
from simulator.replay.frames import VariantMonth, VariantReplay
from simulator.replay.hunters import HunterTrack
from simulator.story.deal import deal_events
from simulator.story.items import DAY_DIGITS, Event
from simulator.story.roadmap import roadmap_events
from simulator.story.tenure import Tenure
from simulator.story.wording import plural

PER_MONTH = 2
# The weightiest first: what a room should not miss.
WEIGHT = (
    "switch",
    "leaves",
    "pitch",
    "plan",
    "slip",
    "released",
    "hired",
    "announced",
    "off_plan",
)  # fmt: skip  (a first pitch says why deals wait; a lane says who is on the plan)
RESCUED = (Kind.MEETING_WENT_BADLY, Kind.COME_BACK_WITH_IT)  # a pitch that saves a meeting
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

    def tag(self, all_variants: tuple[str, ...], same: tuple[str, str] | None = None) -> str:
        """The variants to name beside it: none when it happens in all of them. ``same`` is
        (a variant, its copy) while they are still one (a branch replay before the branch):
        the copy is not named apart."""
        shown, every = list(self.variants), list(all_variants)
        if same is not None and same[1] in shown:
            shown.remove(same[1])
            every.remove(same[1])
        return "" if set(shown) == set(every) else " and ".join(shown)

    def to_json(
        self, all_variants: tuple[str, ...], same: tuple[str, str] | None = None
    ) -> dict[str, Any]:
        return {
            "month": self.month,
            "text": self.text,
            "variants": list(self.variants),
            "tag": self.tag(all_variants, same),
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


def plan_words(attainment: float, trailing_months: float) -> str:
    """What a review that put a hunter on the plan judged, as the caption says it (the lane
    says ``review: n%``)."""
    return f"review: {attainment:.0%} of quota over {trailing_months:g} months"


def hunters_caption(kind: str, beats: list[Beat], now: VariantMonth) -> str:
    """The same beat of one or more hunters in one month, in a few words; the numbers are the
    frame's (``now``)."""
    tracks = [b.track for b in beats]
    one = beats[0]
    if kind == "plan":
        if len(beats) == 1:
            trailing = tracks[0].parameters.team.quota.trailing_months
            judged = plan_words(one.event.facts["attainment"], trailing)
            return f"{tracks[0].name} goes on the plan ({judged})"
        return f"{names(tracks)} go on the plan"
    if kind == "off_plan":
        if len(beats) == 1:
            return f"{tracks[0].name} is back above the bar, off the plan"
        return f"{names(tracks)} are back above the bar"
    if kind == "hired":
        if len(beats) == 1 and one.replaced:
            return f"{tracks[0].name} replaces {one.replaced}, ramping up from scratch"
        return f"{names(tracks)} {'joins' if len(beats) == 1 else 'join'}, ramping up from scratch"
    orphaned = sum(now.orphaned_by.get(t.hunter, 0) for t in tracks)
    lost = f"; {plural(orphaned, 'open deal')} orphaned" if orphaned else ""
    if len(beats) == 1:
        return f"{tracks[0].name} {exit_words(one)}{lost}"
    return f"{names(tracks)} leave{lost}"


def exit_words(beat: Beat) -> str:
    """Why a hunter leaves, as the story tells it: turnover is not always the strategy."""
    reason = beat.track.own_log["code"][beat.event.seq]
    if reason == ExitReason.REDUCED:
        return "leaves as the team is cut"
    if reason != ExitReason.VOLUNTARY:
        return "is let go after the plan"
    attainment = beat.event.facts.get("attainment")
    if attainment is not None and attainment < 1:
        return f"quits at {attainment:.0%} of quota"
    return "quits (everyday turnover)"


def pitch_caption(
    replay: VariantReplay, log: np.ndarray, parameters: Parameters, horizon_days: float
) -> Event | None:
    """The variant's first pitch of an announced feature: who, and why (to rescue a meeting,
    by habit, or out of desperation on the plan), as the story tells that deal's pitch."""
    rows = np.flatnonzero(log["kind"] == Kind.PITCHED)
    if not rows.size:
        return None
    seq = int(rows[0])
    record = log[seq]
    day, hunter, deal = float(record["day"]), int(record["actor"]), int(record["subject"])
    track = next(t for t in replay.hunters if t.hunter == hunter)
    told = deal_events(Tenure(log, hunter, parameters, horizon_days), deal)
    story = next(e for e in told if e.seq == seq)
    before = log[:seq]
    rescue = (before["subject"] == deal) & np.isin(before["kind"], RESCUED)
    on_plan = any(spell.start <= day < spell.end for spell in track.plan_spells)
    feature = story.facts["feature"]
    if on_plan:
        text = f"{track.name}, desperate on the plan, pitches {feature}"
    elif rescue.any():
        text = f"{track.name} pitches {feature} to save a bad meeting"
    else:
        text = f"{track.name} pitches {feature} out of habit"
    return replace(story, facts={**story.facts, "on_plan": on_plan, "caption": text})


def switch_caption(log: np.ndarray, parameters: Parameters) -> Event | None:
    """The strategy switch, when the variant has one."""
    rows = np.flatnonzero(log["kind"] == Kind.STRATEGY_SWITCHED)
    if not rows.size:
        return None
    seq = int(rows[0])
    switch = parameters.strategy.switch
    changed = []
    if switch.pitch is not None:
        changed.append(f"sells {switch.pitch.replace('_', ' ')} from now on")
    if switch.qualification_discipline is not None:
        changed.append(f"qualifies at {switch.qualification_discipline:.0%} discipline")
    text = f"The team changes course: it {' and '.join(changed)}"
    facts = {"month": switch.month, "pitch": switch.pitch}
    day = float(log["day"][seq])
    subject = int(log["subject"][seq])
    return Event(day, "switch", text, None, None, facts, Kind.STRATEGY_SWITCHED, subject, seq)


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
    for (month, kind), beats in grouped.items():
        beats.sort(key=lambda b: (b.event.day, b.event.seq))
        now = replay.months[min(month, len(replay.months)) - 1]
        told.append(([b.event for b in beats], hunters_caption(kind, beats, now)))
    pitched = pitch_caption(replay, log, parameters, horizon_days)
    if pitched is not None:
        told.append(([pitched], pitched.facts["caption"]))
    switched = switch_caption(log, parameters)
    if switched is not None:
        told.append(([switched], switched.text))
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
