"""The pitch (the death spiral): when the first meeting goes badly, a ``vaporware`` hunter (or
any hunter on the plan, out of desperation, also in meetings going fine) pitches the announced
feature and the date prospects are told. Interest jumps and more people attend, but the
prospect now wants the new thing, not what ships: the deal waits for the release, which slips.
Each meeting the pitch revives makes the hunter likelier to pitch it also where the meeting was
going fine; there a prospect who needs the feature switches to wanting it readily, one who does
not only out of curiosity (the Osborne effect). The account stays poisoned: whoever calls on it
next and demos what ships is told to come back with the new thing. While a deal waits, each
date it was told that passes unreleased is a broken promise held against us, committee members
are replaced by new faces, each retelling adds fatigue until only the lowest-level contact
attends, competitors arrive claiming the same thing, and after the release the prospect asks
for reference metrics nobody has yet; a hunter who pitches by habit or in desperation mentions
the next announced feature instead, and the wait starts again. A ``beta_partner`` hunter instead
offers the feature openly as a beta / launch-partner deal: less revenue now, agreed success
metrics, early references.

Each of these effects has its switch (``parameters.mechanisms``), read here through
``Switches``; a switch off removes the effect and nothing else.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulator.model.entities import CHAMPION, NO_FEATURE, Hunter, Opportunity
from simulator.model.events import EventLog, Kind, Meeting
from simulator.model.luck import U
from simulator.model.processes.capacity import Capacity
from simulator.model.processes.roadmap import Roadmap
from simulator.model.processes.signals import either
from simulator.model.processes.strategy_in_force import StrategyInForce
from simulator.model.streams import AccountDraws
from simulator.model.switches import Switches
from simulator.parameters import Pitching
from simulator.units import DAYS_PER_MONTH

FATIGUED_ATTENDEES = 1.0
"""A fatigued prospect sends only the lowest-level contact to a follow-up meeting."""


class Pitch:
    """Pitching announced features, the accounts it poisons, and deals waiting on a release
    and on references."""

    def __init__(
        self,
        env: simpy.Environment,
        pitching: Pitching,
        strategy: StrategyInForce,
        roadmap: Roadmap,
        capacity: Capacity,
        log: EventLog,
        rng: np.random.Generator,
        switches: Switches,
    ) -> None:
        self.env = env
        self.pitching = pitching
        self.strategy = strategy
        self.roadmap = roadmap
        self.capacity = capacity
        self.log = log
        self.on = switches
        new_faces_per_retelling = (
            pitching.new_faces_per_month * pitching.retelling_interval_days / DAYS_PER_MONTH
        )
        self._new_faces = AccountDraws(rng, lambda g, n: g.poisson(new_faces_per_retelling, n))
        self._repitch_draw = AccountDraws(rng, lambda g, n: g.random(n), use=1)
        self._repitch_takes = AccountDraws(rng, lambda g, n: g.random(n), use=2)
        self._wanted: dict[int, int] = {}  # account -> the feature it was sold on

    def wants(self, account: int) -> int:
        """The announced feature a poisoned account now wants instead of what ships, or
        NO_FEATURE."""
        return self._wanted.get(account, NO_FEATURE)

    @property
    def offers_beta(self) -> bool:
        """Whether the team now offers announced features openly as a beta."""
        return self.strategy.pitch == "beta_partner"

    def turned_down(self, opp: Opportunity, wanted: int) -> None:
        """A poisoned account hears a demo of what ships and asks for the new thing."""
        self.log.record(
            self.env.now, Kind.COME_BACK_WITH_IT, opp.id, opp.account, opp.hunter.id, code=wanted
        )

    def rescue(self, opp: Opportunity) -> bool:
        """A first meeting went badly: does the hunter pitch the announced feature, and does it
        work?

        ``vaporware`` hunters pitch it; any hunter on the plan may, out of desperation; a
        ``beta_partner`` hunter offers it openly as a beta while launch-partner places remain.
        The date pitched is the one prospects are told today. Nobody pitches for a hunter who
        has left. A pitch that works feeds the hunter's habit.
        """
        roadmap, pitching = self.roadmap, self.pitching
        feature = roadmap.pitchable()
        if feature == NO_FEATURE or opp.orphaned:
            return False
        u = opp.u
        if self.offers_beta and roadmap.has_beta_place(feature):
            return self.offer_beta(opp, feature)
        if u[U.PITCH] >= self._pitch_chance(opp.hunter, bad_meeting=True):
            return False
        if not self._pitched(opp, feature, pitching.revival_probability, u[U.REVIVAL]):
            return False
        opp.revived = True
        hunter = opp.hunter
        if self.on.pitch_habit:
            hunter.pitch_habit = min(
                pitching.habit_max, hunter.pitch_habit + pitching.habit_per_revival
            )
        return True

    def out_of_habit(self, opp: Opportunity) -> None:
        """A first meeting is going fine, but a hunter used to the pitch's effect, or desperate
        on the plan, pitches the announced feature anyway; the prospect may now want it instead
        of what ships."""
        if opp.orphaned or opp.u[U.PITCH] >= self._pitch_chance(opp.hunter, bad_meeting=False):
            return
        feature = self.roadmap.pitchable()
        if feature == NO_FEATURE:
            return
        switch = self._switch_probability(opp, feature) if self.on.osborne_switch else 0.0
        self._pitched(opp, feature, switch, opp.u[U.REVIVAL])

    def _pitch_chance(self, hunter: Hunter, bad_meeting: bool) -> float:
        """How likely the hunter is to pitch: by strategy when a meeting goes badly, by habit
        (``vaporware`` hunters, or anyone on the plan) when it goes fine; out of desperation
        on the plan."""
        pitching = self.pitching
        vaporware = self.strategy.pitch == "vaporware"
        desperate = hunter.on_plan_since is not None and self.on.desperation
        chance = hunter.pitch_habit if vaporware or desperate else 0.0
        if bad_meeting and vaporware:
            chance = max(chance, pitching.vaporware_pitch_probability)
        if desperate:
            chance = max(chance, pitching.desperate_pitch_probability)
        return chance

    def _pitched(self, opp: Opportunity, feature: int, takes: float, u: float) -> bool:
        """Pitch the feature at the date prospects are told today; with chance ``takes`` the
        prospect now wants it instead of what ships, and the account stays sold on it."""
        promised = self.roadmap.promised_day(feature)
        self.log.record(
            self.env.now, Kind.PITCHED, opp.id, opp.account, opp.hunter.id, promised, feature
        )
        if u >= takes:
            return False
        opp.broken_promises = self.broken_promises(opp)  # those of a feature pitched before
        opp.feature = feature
        opp.broken_at_pitch = self.roadmap.broken_promises(feature)
        opp.attendee_bonus = self.pitching.attendee_jump
        if self.on.poisoned_accounts:
            self._wanted[opp.account] = feature
        return True

    def broken_promises(self, opp: Opportunity) -> int:
        """Release dates told to this prospect that have passed without the release: those of
        the feature it hangs on since the pitch, and of any it was pitched before."""
        if opp.feature == NO_FEATURE or opp.beta or not self.on.broken_promises:
            return opp.broken_promises
        return opp.broken_promises + self.roadmap.broken_promises(opp.feature) - opp.broken_at_pitch

    def _switch_probability(self, opp: Opportunity, feature: int) -> float:
        """How likely a prospect pitched the feature in a meeting going fine is to want it
        instead of what ships: strongly if it fills a need, weakly out of curiosity."""
        pitching = self.pitching
        if self.roadmap.needs(opp.account, feature):
            return pitching.switch_probability
        return pitching.switch_probability_without_need

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

    def wait(self, opp: Opportunity, met: int, committee: int) -> Generator[Any, Any, int | None]:
        """A pitched deal waits for the release and then for reference metrics; a hunter who
        pitches the next announced feature meanwhile starts the wait again.

        Returns the committee members still won over, or None if the prospect gave up.
        """
        started = self.env.now
        while True:
            still_met = yield from self._wait_for_release(opp, met, committee, started)
            if still_met is None:
                return None
            met = still_met
            if opp.revived and not self.roadmap.needs(opp.account, opp.feature):
                return None  # they see it shipped: it was never their problem, and nor was ours
            if self.roadmap.references(opp.feature) > 0 or not self.on.missing_references:
                return met
            if not (yield from self._wait_for_references(opp)):
                return met

    def _repitch(self, opp: Opportunity) -> bool:
        """At a follow-up, a hunter who pitches by habit or in desperation mentions the next
        announced feature, which piques curiosity: the deal now hangs on that one."""
        newest = self.roadmap.pitchable()
        if newest == NO_FEATURE or newest == opp.feature or opp.orphaned:
            return False
        if self._repitch_draw(opp.account) >= self._pitch_chance(opp.hunter, bad_meeting=False):
            return False
        takes = self._repitch_takes(opp.account)
        if not self.on.repitch:
            return False
        return self._pitched(opp, newest, self._switch_probability(opp, newest), takes)

    def _wait_for_release(
        self, opp: Opportunity, met: int, committee: int, started: float
    ) -> Generator[Any, Any, int | None]:
        """Wait for the feature the deal hangs on to ship, retelling the story at follow-up
        meetings (while the deal's hunter is still there: an orphaned deal gets no follow-ups,
        and its committee keeps changing); give up after the waiting time-out."""
        env, log, pitching, roadmap = self.env, self.log, self.pitching, self.roadmap
        lead, account, hunter = opp.id, opp.account, opp.hunter.id
        if roadmap.is_released(opp.feature):
            return met
        log.record(env.now, Kind.WAITING_STARTED, lead, account, hunter, code=opp.feature)
        if not self.on.waiting_holds_slot and opp.holds_slot:
            opp.holds_slot = False
            if opp.hunter.active:
                self.capacity.put(opp.hunter)
        interval = pitching.retelling_interval_days
        timeout = pitching.waiting_timeout_days if self.on.waiting_timeout else math.inf
        deadline = started + timeout
        while not roadmap.is_released(opp.feature):
            released = roadmap.released(opp.feature)
            if env.now < deadline:
                yield either(env, released, env.timeout(min(interval, deadline - env.now)))
            if released.triggered:
                break
            if env.now >= deadline:
                log.record(env.now, Kind.WAITING_ENDED, lead, account, hunter, code=opp.feature)
                return None
            replaced = min(int(self._new_faces(account)), committee) if self.on.new_faces else 0
            if replaced:
                met = max(CHAMPION, met - replaced)  # new faces never replace the champion
                log.record(env.now, Kind.NEW_FACES, lead, account, hunter, replaced)
            if opp.orphaned:
                continue  # nobody is left to tell the story again
            self._retell(opp, met)
            self._repitch(opp)
        log.record(env.now, Kind.WAITING_ENDED, lead, account, hunter, code=opp.feature)
        return met

    def _retell(self, opp: Opportunity, met: int) -> None:
        """A follow-up meeting: the same story again, one more step towards fatigue."""
        env, log, pitching = self.env, self.log, self.pitching
        lead, account, hunter = opp.id, opp.account, opp.hunter.id
        if self.on.fatigue:
            opp.fatigue += 1
        log.record(env.now, Kind.RETELLING, lead, account, hunter, opp.fatigue)
        fatigued = opp.fatigue >= pitching.fatigue_retellings
        if opp.fatigue == pitching.fatigue_retellings:
            log.record(env.now, Kind.FATIGUED, lead, account, hunter)
        attendees = FATIGUED_ATTENDEES if fatigued else met + opp.attendee_bonus
        log.record(env.now, Kind.MEETING, lead, account, hunter, attendees, Meeting.FOLLOW_UP)

    def _wait_for_references(self, opp: Opportunity) -> Generator[Any, Any, bool]:
        """The feature shipped; the prospect wants reference metrics from a customer using it
        and tells the hunter to come back with them, waiting up to a limit. If none came, a
        hunter who pitches by habit or in desperation may pitch the next feature instead:
        returns whether the wait starts again."""
        env = self.env
        self.log.record(
            env.now, Kind.REFERENCE_REQUESTED, opp.id, opp.account, opp.hunter.id, code=opp.feature
        )
        first = self.roadmap.first_reference(opp.feature)
        yield either(env, first, env.timeout(self.pitching.reference_wait_days))
        if first.triggered:
            return False
        return self._repitch(opp)
