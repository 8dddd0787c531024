"""The pitch (the death spiral): when the first meeting goes badly, a ``vaporware`` hunter (or
any hunter on the plan, out of desperation) pitches the announced feature. Interest jumps and
more people attend, but the deal now waits for the release, which slips. While it waits,
committee members are replaced by new faces, each retelling adds fatigue until only the
lowest-level contact attends, competitors arrive claiming the same thing, and after the release
the prospect asks for reference metrics nobody has yet. A ``beta_partner`` hunter instead offers
the feature openly as a beta / launch-partner deal: less revenue now, agreed success metrics,
early references.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulator.entities import CHAMPION, NO_FEATURE, Opportunity, U
from simulator.events import EventLog, Kind, Meeting
from simulator.parameters import Pitching, PitchStrategy
from simulator.processes.roadmap import Roadmap
from simulator.processes.signals import either
from simulator.units import DAYS_PER_MONTH

FATIGUED_ATTENDEES = 1.0
"""A fatigued prospect sends only the lowest-level contact to a follow-up meeting."""


class Pitch:
    """Pitching announced features, and deals waiting on a release and on references."""

    def __init__(
        self,
        env: simpy.Environment,
        pitching: Pitching,
        pitch: PitchStrategy,
        roadmap: Roadmap,
        log: EventLog,
        rng: np.random.Generator,
    ) -> None:
        self.env = env
        self.pitching = pitching
        self.pitch = pitch
        self.roadmap = roadmap
        self.log = log
        self.rng = rng

    def rescue(self, opp: Opportunity) -> bool:
        """A first meeting went badly: does the hunter pitch the announced feature, and does it
        work?

        ``vaporware`` hunters pitch it; any hunter on the plan may, out of desperation; a
        ``beta_partner`` hunter offers it openly as a beta while launch-partner places remain.
        The date pitched is the one prospects are told today. Nobody pitches for a hunter who
        has left.
        """
        roadmap, pitching = self.roadmap, self.pitching
        feature = roadmap.pitchable()
        if feature == NO_FEATURE or opp.orphaned:
            return False
        desperate = opp.hunter.on_plan_since is not None
        u = opp.u
        if self.pitch == "beta_partner" and roadmap.has_beta_place(feature):
            return self.offer_beta(opp, feature)
        chance = pitching.vaporware_pitch_probability if self.pitch == "vaporware" else 0.0
        if desperate:
            chance = max(chance, pitching.desperate_pitch_probability)
        if u[U.PITCH] >= chance:
            return False
        promised = roadmap.promised_day(feature)
        self.log.record(
            self.env.now, Kind.PITCHED, opp.id, opp.account, opp.hunter.id, promised, feature
        )
        if u[U.REVIVAL] >= pitching.revival_probability:
            return False
        opp.feature = feature
        opp.attendee_bonus = pitching.attendee_jump
        return True

    def offer_beta(self, opp: Opportunity, feature: int) -> bool:
        """Offer the announced feature openly as a beta / launch-partner deal, while places
        last; return whether the prospect took it."""
        if not self.roadmap.has_beta_place(feature):
            return False
        if opp.u[U.REVIVAL] >= self.pitching.beta_acceptance_probability:
            return False
        self.roadmap.admit_beta_partner(feature)
        opp.feature, opp.beta = feature, True
        self.log.record(
            self.env.now, Kind.BETA_OFFERED, opp.id, opp.account, opp.hunter.id, code=feature
        )
        return True

    def wait_for_release(
        self, opp: Opportunity, met: int, committee: int
    ) -> Generator[Any, Any, int | None]:
        """Wait for the pitched feature to ship, retelling the story at follow-up meetings
        (while the deal's hunter is still there: an orphaned deal gets no follow-ups, and its
        committee keeps changing).

        Returns the committee members still won over, or None if the prospect gave up.
        """
        env, log, pitching = self.env, self.log, self.pitching
        lead, account, hunter, feature = opp.id, opp.account, opp.hunter.id, opp.feature
        released = self.roadmap.released(feature)
        if released.triggered:
            return met
        log.record(env.now, Kind.WAITING_STARTED, lead, account, hunter, code=feature)
        started = env.now
        interval = pitching.retelling_interval_days
        new_face_mean = pitching.new_faces_per_month * interval / DAYS_PER_MONTH
        while not released.triggered:
            give_up = started + pitching.waiting_timeout_days - env.now
            yield either(env, released, env.timeout(min(interval, give_up)))
            if released.triggered:
                break
            if env.now >= started + pitching.waiting_timeout_days:
                log.record(env.now, Kind.WAITING_ENDED, lead, account, hunter, code=feature)
                return None
            replaced = min(int(self.rng.poisson(new_face_mean)), committee)
            if replaced:
                met = max(CHAMPION, met - replaced)  # new faces never replace the champion
                log.record(env.now, Kind.NEW_FACES, lead, account, hunter, replaced)
            if opp.orphaned:
                continue  # nobody is left to tell the story again
            opp.fatigue += 1
            log.record(env.now, Kind.RETELLING, lead, account, hunter, opp.fatigue)
            fatigued = opp.fatigue >= pitching.fatigue_retellings
            if opp.fatigue == pitching.fatigue_retellings:
                log.record(env.now, Kind.FATIGUED, lead, account, hunter)
            attendees = FATIGUED_ATTENDEES if fatigued else met + opp.attendee_bonus
            log.record(env.now, Kind.MEETING, lead, account, hunter, attendees, Meeting.FOLLOW_UP)
        log.record(env.now, Kind.WAITING_ENDED, lead, account, hunter, code=feature)
        return met

    def wait_for_references(self, opp: Opportunity) -> Generator[Any, Any, None]:
        """The feature shipped; the prospect wants reference metrics from a customer using it
        and waits for them, up to a limit; then decides with or without them."""
        env = self.env
        self.log.record(
            env.now, Kind.REFERENCE_REQUESTED, opp.id, opp.account, opp.hunter.id, code=opp.feature
        )
        first = self.roadmap.first_reference(opp.feature)
        yield either(env, first, env.timeout(self.pitching.reference_wait_days))
