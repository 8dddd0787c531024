"""The beats of the death spiral, and which of them a replication's log shows: what the story
looks for when it chooses a hunter and a deal to follow."""

from __future__ import annotations

import numpy as np

from simulator.model.events import Kind

BEATS: tuple[tuple[str, str], ...] = (
    ("pitch", "pitches an announced feature"),
    ("slip", "the release slips"),
    ("new_faces", "new faces join the committee"),
    ("competitor", "a competitor arrives with the same claim"),
    ("references", "the prospect asks for reference metrics"),
    ("fatigue", "only the lowest-level contact still attends"),
    ("plan", "the hunter goes on the plan"),
    ("exit", "the hunter leaves"),
)
# Beats that are one logged event of the hunter's own.
LOGGED_BEATS = (
    ("pitch", Kind.PITCHED),
    ("new_faces", Kind.NEW_FACES),
    ("references", Kind.REFERENCE_REQUESTED),
    ("fatigue", Kind.FATIGUED),
    ("plan", Kind.PLAN_STARTED),
    ("exit", Kind.HUNTER_LEFT),
)
DEAL_KINDS = frozenset(
    {
        Kind.OPENED,
        Kind.MEETING_WENT_BADLY,
        Kind.COME_BACK_WITH_IT,
        Kind.PITCHED,
        Kind.BETA_OFFERED,
        Kind.QUALIFIED,
        Kind.WAITING_STARTED,
        Kind.NEW_FACES,
        Kind.RETELLING,
        Kind.FATIGUED,
        Kind.REFERENCE_REQUESTED,
        Kind.ORPHANED,
        Kind.CLOSED,
    }
)
HUNTER_KINDS = frozenset({Kind.QUOTA_REVIEW, Kind.PLAN_STARTED, Kind.PLAN_ENDED, Kind.HUNTER_LEFT})
# A RELEASE_SLIPPED is told with the PROMISE_MOVED that always follows it (one "slip" event).
ROADMAP_KINDS = frozenset({Kind.FEATURE_ANNOUNCED, Kind.PROMISE_MOVED, Kind.FEATURE_RELEASED})
NO_DEAL = -1  # the featured deal of a hunter who never pitched


def claims_feature(log: np.ndarray) -> np.ndarray:
    """Where a competitor becomes ready claiming one of our features (its code is the index)."""
    return (log["kind"] == Kind.COMPETITOR_READY) & (log["code"] >= 0)


def beats_by_hunter(log: np.ndarray) -> dict[int, set[str]]:
    """Which beats of the spiral each hunter's replication shows."""
    kind, actor = log["kind"], log["actor"]
    slipped = bool(np.any(kind == Kind.PROMISE_MOVED))
    claimed = bool(np.any(claims_feature(log)))
    hunters = sorted(set(actor[kind == Kind.HUNTER_HIRED].tolist()))
    beats: dict[int, set[str]] = {}
    for hunter in hunters:
        own = set(kind[actor == hunter].tolist())
        found = {key for key, logged in LOGGED_BEATS if logged in own}
        if Kind.WAITING_STARTED in own and slipped:
            found.add("slip")
        if Kind.WAITING_STARTED in own and claimed:
            found.add("competitor")
        beats[hunter] = found
    return beats


def featured_deal(log: np.ndarray, hunter: int) -> int:
    """The hunter's pitched deal with the most spiral events (the earliest among equals)."""
    pitched = log[(log["kind"] == Kind.PITCHED) & (log["actor"] == hunter)]
    best, best_score = NO_DEAL, -1
    for subject in pitched["subject"].tolist():
        events = log[log["subject"] == subject]
        score = int(np.isin(events["kind"], list(DEAL_KINDS)).sum())
        if score > best_score:
            best, best_score = subject, score
    return best
