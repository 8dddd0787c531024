"""Switches, one a mechanism, that turn its effect off and touch nothing else: the random
numbers it would have used are still drawn, so a replication with a mechanism off is the same
replication with that one cause removed. `salesim explain` switches them off in every
combination to split a verdict between them; a scenario may switch one off to see the world
without it. Every switch is on by default.
"""

from __future__ import annotations

from pydantic import Field, StrictBool

from simulator.parameters.base import Section


def _switch(title: str, description: str) -> StrictBool:
    return Field(True, title=title, description=description)  # type: ignore[no-any-return]


class Mechanisms(Section):
    """Which of the model's named mechanisms act (true) or are switched off (false)."""

    pitch_habit: StrictBool = _switch(
        "Pitch habit",
        "a pitch that revives a meeting grows the hunter's habit of pitching also where "
        "meetings go fine (processes/pitch.py); off: the habit stays at 0",
    )
    desperation: StrictBool = _switch(
        "Desperation on the plan",
        "a hunter on the plan pitches the announced feature, and pitches by habit, whatever the "
        "strategy (processes/pitch.py); off: the plan changes nothing in meetings",
    )
    osborne_switch: StrictBool = _switch(
        "Prospects switch to the new thing",
        "a prospect whose first meeting was going fine, pitched the feature, wants it instead of "
        "what ships (processes/pitch.py); off: the pitch is made and ignored",
    )
    poisoned_accounts: StrictBool = _switch(
        "Poisoned accounts",
        "an account sold on an announced feature stays sold on it: whoever calls next and demos "
        "what ships is told to come back with it (processes/pitch.py); off: it forgets",
    )
    repitch: StrictBool = _switch(
        "Re-pitch loop",
        "while a deal waits, a hunter who pitches by habit or in desperation mentions the next "
        "announced feature and the wait starts again (processes/pitch.py); off: never",
    )
    new_faces: StrictBool = _switch(
        "New faces while waiting",
        "committee members of a waiting deal are replaced by new faces who must be won again "
        "(processes/pitch.py); off: the committee stays",
    )
    fatigue: StrictBool = _switch(
        "Fatigue from retellings",
        "each retelling of the story to a waiting deal costs utility, and after a few only the "
        "lowest-level contact attends (processes/pitch.py, decision.py); off: no fatigue",
    )
    broken_promises: StrictBool = _switch(
        "Broken release dates",
        "a prospect told a date that passes without the release loses trust in us, more with "
        "each broken date (processes/pitch.py, decision.py); off: a missed date costs nothing",
    )
    missing_references: StrictBool = _switch(
        "Missing references",
        "after the release a pitched prospect asks for reference metrics, waits for them and "
        "holds their absence against us (processes/pitch.py, decision.py); off: no request",
    )
    competitor_claims: StrictBool = _switch(
        "Competitors claim the feature",
        "entrants claim the feature we announced, which counts as fit for prospects who want it "
        "(processes/competition.py, decision.py); off: a claim adds nothing",
    )
    waiting_timeout: StrictBool = _switch(
        "Waiting time-out",
        "a deal waiting on a release ends in no decision after "
        "process.pitching.waiting_timeout_days (processes/pitch.py); off: it waits for the release",
    )
    waiting_holds_slot: StrictBool = _switch(
        "Waiting deals hold a slot",
        "a deal waiting on a release keeps one of its hunter's capacity slots "
        "(processes/capacity.py, pitch.py); off: the slot is free while it waits",
    )
    quota_pressure: StrictBool = _switch(
        "Quota pressure (plans, exits)",
        "a hunter below the plan threshold is put on a plan and let go at its end, and a "
        "shortfall raises the chance of quitting (processes/team.py); off: neither",
    )

    critical_dates: StrictBool = _switch(
        "Buyers' own critical dates",
        "a buyer with a date of its own squeezes the deal's stages to decide by it "
        "(processes/critical_date.py, courtship.py); off: every deal takes the process's pace",
    )
    going_dark: StrictBool = _switch(
        "Deals going dark",
        "a buyer stops answering and the deal sits open until the cleanup "
        "(processes/going_dark.py, courtship.py); off: nobody goes quiet",
    )
    sector_voices: StrictBool = _switch(
        "References and detractors in the sector",
        "customers who speak for us, and accounts that speak against us, move prospects of "
        "their sector (processes/customers.py, decision.py); off: nobody is heard",
    )
    exclusivity: StrictBool = _switch(
        "Exclusivity after the tests",
        "a prospect whose tests we passed drops the other vendors "
        "(process.exclusivity_probability, decision.py); off: every vendor stays in",
    )
    mutual_plan: StrictBool = _switch(
        "The mutual plan in the sale",
        "under transition_vision, a plan back from the buyer's critical date agreed before "
        "signature helps win the deal (decision.py); off: it counts only after the sale",
    )

    quarter_end_push: StrictBool = _switch(
        "The quarter-end push",
        "a hunter pulls a decision due just after the quarter's end into it, with a discount "
        "(processes/quota_period.py); off: deals close when they would",
    )
    entrants: StrictBool = _switch(
        "New competitors",
        "entrants that have become ready compete in the buyer's choice "
        "(processes/competition.py, decision.py); off: only the incumbents compete",
    )
    word_of_mouth: StrictBool = _switch(
        "Word of mouth",
        "accounts learn of us from those who know us, customers and references "
        "(processes/awareness.py); off: only advertising makes us known",
    )
    brand_standing: StrictBool = _switch(
        "Brand standing",
        "the standing advertising builds moves the buyer's choice, a champion's advocacy and "
        "the perceived risk (processes/brand.py); off: the standing stays at day 0's",
    )


MECHANISMS: tuple[str, ...] = tuple(Mechanisms.model_fields)
"""The switchable mechanisms, in the order the explain table lists them."""


def mechanism_title(name: str) -> str:
    """A mechanism's name in words, for tables and charts."""
    return Mechanisms.model_fields[name].title or name
