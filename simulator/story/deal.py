"""The featured deal's part of a story: from its first meeting to its end, with the
competitors that came to market while it waited on a release."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from simulator.model.events import Kind, Outcome
from simulator.model.outcomes import BY_OUTCOME
from simulator.story.beats import DEAL_KINDS, NO_DEAL, claims_feature
from simulator.story.items import MONTHS_DIGITS, USD_DIGITS, Event
from simulator.story.months import month_of
from simulator.story.tenure import Tenure
from simulator.story.wording import money, plural
from simulator.units import DAYS_PER_MONTH

SEGMENT_NAMES = ("enterprise", "mid-market", "SMB")  # by the segment index a LEAD logs as its value


def deal_events(tenure: Tenure, deal: int) -> list[Event]:
    """Every event of ``deal`` and the competitors it met."""
    if deal == NO_DEAL:
        return []
    log = tenure.log
    rows = np.flatnonzero((log["subject"] == deal) & np.isin(log["kind"], list(DEAL_KINDS)))
    account = int(log["account"][rows[0]])
    lead = log[(log["subject"] == deal) & (log["kind"] == Kind.LEAD)]
    segment = int(lead["value"][0]) if lead.size else None
    who = f"Account {account} ({'unknown segment' if segment is None else SEGMENT_NAMES[segment]})"
    name, features = tenure.name, tenure.features
    events: list[Event] = []
    waiting_since = math.nan
    saving = pitched_before = False  # a pitch that saves a failing meeting; one told before
    for seq in rows.tolist():
        record = log[seq]
        day, logged = float(record["day"]), Kind(record["kind"])
        saving = saving or logged in (Kind.MEETING_WENT_BADLY, Kind.COME_BACK_WITH_IT)
        value, code = float(record["value"]), int(record["code"])
        ours = tenure.ours(seq)
        facts: dict[str, Any] = {}
        if logged == Kind.OPENED:
            story_kind = "opened"
            text = f"{who} agrees to a first meeting with {name}. This is the deal to follow."
        elif logged == Kind.MEETING_WENT_BADLY:
            story_kind = "bad_meeting"
            text = f"The first meeting with {who} goes badly: the champion is losing interest."
        elif logged == Kind.COME_BACK_WITH_IT:
            story_kind = "come_back"
            facts = {"feature": features[code].name}
            text = (
                f"{who} was sold on {features[code].name} before: after a demo of what "
                f"ships, they say come back with the new thing."
            )
        elif logged == Kind.PITCHED:
            story_kind = "pitch"
            promised = month_of(value)
            feature = features[code].name
            facts = {"feature": feature, "promised_month": promised}
            if pitched_before:
                text = (
                    f"Crestfallen, {name} mentions something newer: {feature}, 'shipping in "
                    f"month {promised}'. Curiosity is piqued, and the wait starts again."
                )
            elif saving:
                text = (
                    f"To save it, {name} pitches {feature}, 'shipping in month "
                    f"{promised}'. Eyes light up; more people come to the next meeting."
                )
            else:
                text = (
                    f"The meeting is going fine, but {name}, used to how the pitch lights up "
                    f"a room, pitches {feature} ('shipping in month {promised}') anyway. Now "
                    f"they want that, not what ships today."
                )
            pitched_before = True
        elif logged == Kind.BETA_OFFERED:
            story_kind = "beta"
            facts = {"feature": features[code].name}
            text = f"{name} offers {who} a place as beta partner for {features[code].name}."
        elif logged == Kind.QUALIFIED:
            story_kind = "qualified"
            facts = {"acv_usd": round(value, USD_DIGITS)}
            text = f"Discovery done: {who} is qualified, {money(value)} a year at stake."
        elif logged == Kind.WAITING_STARTED:
            story_kind = "waiting"
            waiting_since = day
            promised = month_of(tenure.promised_day(code, seq))
            facts = {"feature": features[code].name, "promised_month": promised}
            text = (
                f"Proposal in, but {who} will not sign before {features[code].name} "
                f"ships (promised for month {promised})."
            )
        elif logged == Kind.NEW_FACES:
            story_kind = "new_faces"
            n = int(value)
            facts = {"new_faces": n}
            if ours is not None:
                text = (
                    f"Follow-up meeting: {plural(n, 'new face')} on the committee, "
                    f"to win over again."
                )
            else:
                join = "joins" if n == 1 else "join"
                text = (
                    f"{plural(n, 'new face')} {join} {who}'s committee; nobody from our "
                    f"side is there to win them over."
                )
        elif logged == Kind.RETELLING:
            story_kind = "retell"
            facts = {"retelling": int(value)}
            text = f"{name} tells the same story again (retelling {value:.0f})."
        elif logged == Kind.FATIGUED:
            story_kind = "fatigue"
            text = f"Fatigue: only the lowest-level contact still comes to {name}'s meetings."
        elif logged == Kind.REFERENCE_REQUESTED:
            story_kind = "references"
            facts = {"feature": features[code].name}
            text = (
                f"{features[code].name} has shipped. {who} asks for reference metrics "
                f"from a customer using it. There are none yet."
            )
        elif logged == Kind.ORPHANED:
            story_kind = "orphaned"
            text = f"{who} loses its relationship: {name} has left and nobody takes it over."
        else:
            story_kind, text, facts = ending(
                name, who, Outcome(code), value, day - waiting_since, ours is None
            )
        events.append(Event(day, story_kind, text, ours, account, facts, logged, deal, seq))
    if segment is not None:
        events.extend(_competitors(tenure, events, segment))
    return events


def ending(
    name: str, who: str, outcome: Outcome, acv: float, waited_days: float, gone: bool
) -> tuple[str, str, dict[str, Any]]:
    """How the deal ends; ``waited_days`` is NaN if it never waited on a release."""
    waited_months = waited_days / DAYS_PER_MONTH if math.isfinite(waited_days) else None
    waited = f" after waiting {waited_months:.0f} months" if waited_months is not None else ""
    facts: dict[str, Any] = {
        "waited_months": None if waited_months is None else round(waited_months, MONTHS_DIGITS)
    }
    spec = BY_OUTCOME[outcome]
    if outcome == Outcome.WON:
        facts["acv_usd"] = round(acv, USD_DIGITS)
        credit = f"; {name} has left, so nobody books it" if gone else ""
        return "won", spec.told.format(who=who, waited=waited, acv=money(acv), credit=credit), facts
    facts["reason"] = spec.column
    return "lost", spec.told.format(who=who, waited=waited), facts


def _competitors(tenure: Tenure, deal_events: list[Event], segment: int) -> list[Event]:
    """Competitors in the deal's segment, claiming a feature, who became ready while it waited."""
    start = [e.day for e in deal_events if e.logged == Kind.WAITING_STARTED]
    end = [e.day for e in deal_events if e.logged == Kind.CLOSED]
    if not start:
        return []
    until = end[0] if end else math.inf
    log = tenure.log
    events = []
    for seq in np.flatnonzero(claims_feature(log)).tolist():
        day = float(log["day"][seq])
        if start[0] <= day <= until and int(log["value"][seq]) == segment:
            feature = tenure.features[int(log["code"][seq])].name
            events.append(
                Event(
                    day,
                    "competitor",
                    f"A new competitor is now in the market claiming {feature} too.",
                    None,
                    None,
                    {"feature": feature},
                    Kind.COMPETITOR_READY,
                    int(log["subject"][seq]),
                    seq,
                )
            )
    return events
