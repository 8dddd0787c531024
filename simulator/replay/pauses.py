"""Where a replay stops for the room: the branch month of a branch replay (the decision the
room is asked to make), and in facilitator mode the first of each key beat (the first pitch,
the first slip, the first hunter on the plan, the first exit) with one discussion question.

Every question is written from the frame and the caption it pauses on, so it names what is on
the screen."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simulator.replay.captions import Caption
from simulator.replay.document import Replay
from simulator.replay.frames import VariantMonth
from simulator.story.wording import plural

KEY_BEATS = ("pitch", "slip", "plan", "leaves")  # in facilitator mode, the first of each


@dataclass(frozen=True)
class Pause:
    month: int
    kind: str  # a KEY_BEATS kind, or "branch"
    title: str  # what just happened
    question: str  # for the room

    def to_json(self) -> dict[str, Any]:
        return {"month": self.month, "kind": self.kind, "title": self.title,
                "question": self.question}  # fmt: skip


def pauses(replay: Replay) -> tuple[Pause, ...]:
    """The pauses, in month order: the branch, and the key beats in facilitator mode."""
    found: list[Pause] = []
    if replay.facilitator:
        for kind in KEY_BEATS:
            first = next((c for c in replay.captions if c.kind == kind), None)
            if first is not None:
                found.append(beat_pause(replay, first))
    if replay.branch_at is not None:
        found.append(branch_pause(replay, replay.branch_at))
    found.sort(key=lambda p: (p.month, p.kind != "branch"))
    merged: dict[int, Pause] = {}
    for pause in found:  # one pause a month: the branch, else the weightiest beat
        merged.setdefault(pause.month, pause)
    return tuple(merged.values())


def beat_pause(replay: Replay, caption: Caption) -> Pause:
    where = f" ({replay.tag(caption)})" if replay.tag(caption) else ""
    title = f"Month {caption.month}{where}: {caption.text}"
    questions = {
        "pitch": "What did the prospect just hear, and what will they expect on that date? "
        "Who in the room has made that pitch?",
        "slip": "Which prospects were told the old date? Who calls them, and what do they say?",
        "plan": "What will a rep on the plan do differently next quarter, and what does it do "
        "to the deals in their pipeline?",
        "leaves": "Who picks up the orphaned deals, and what do those prospects hear next?",
    }
    return Pause(caption.month, caption.kind, title, questions[caption.kind])


def branch_pause(replay: Replay, month: int) -> Pause:
    """The decision at the branch, from the kept variant's frame that month."""
    kept = replay.variants[1]
    now: VariantMonth = kept.months[month - 1]
    on_plan = [lane.name for lane in now.lanes if lane.status == "plan"]
    facts = []
    if on_plan:
        who = on_plan[0] if len(on_plan) == 1 else f"{', '.join(on_plan[:-1])} and {on_plan[-1]}"
        facts.append(f"{who} {'is' if len(on_plan) == 1 else 'are'} on the plan")
    waiting = now.pipeline["waiting"]
    facts.append(f"{plural(waiting, 'deal')} {'waits' if waiting == 1 else 'wait'} on a release")
    title = f"Month {month} in {kept.name}: {'; '.join(facts)}."
    question = (
        f"Do we keep pitching the roadmap, or stop now? Play on to see both futures: "
        f"{kept.name} keeps pitching, {replay.variants[2].name} stops, "
        f"{replay.variants[0].name} never started."
    )
    return Pause(month, "branch", title, question)
