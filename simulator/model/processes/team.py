"""The sales team: hunters join, ramp up, face quota reviews, go on the plan, leave, and are
replaced.

A new hunter starts prospecting at once and gets a share of their capacity tokens on day one,
the rest one by one over the ramp-up. Quota pressure: every review, each hunter past ramp-up is
measured on trailing bookings against quota (pro rata when the window reaches back before the
start of the simulation). Under the threshold, the hunter goes on the plan; still under it at
the first review after the plan's term, the hunter leaves: their free tokens vanish, their open
deals lose the relationship, and a replacement starts after the hiring delay, ramping up from
scratch.

Starting from today's pipeline (``start.from_crm``), the team is the export's active owners,
fully ramped, each holding a slot per open deal (over capacity, they take no new lead until
they are below it); their bookings of the trailing window before day 0 count, and reviews start
at the end of month 1 (with the export's history, there is something to review). The scenario's
``team.hunters`` is then the headcount to reach: the missing hunters are hired after the hiring
delay and ramp up; surplus owners, the least recently active first, leave at the end of month 1
(their open deals orphaned, their seats not refilled).

A hiring plan (``team.hires``) adds hunters in the months it names, in any scenario; they ramp
up and are replaced like everyone else. The team logs its seats (the headcount it plans for,
vacancies included) whenever they change, which turnover is counted against.

Hunters also leave of their own accord: each has a hazard of leaving that rises as their latest
attainment falls below quota (``team.turnover``), the way out of a spiral that does not wait for
the plan. Each hunter draws at hire how much of that hazard they will bear (an exponential
threshold, so a hunter's exit day depends only on their own attainment, the same hunter in
every variant); the hazard accumulates month by month and the hunter leaves when it passes the
threshold. The replacement follows the same hiring delay and ramp-up.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

import numpy as np
import simpy

from simulator.model.entities import Hunter
from simulator.model.events import EventLog, ExitReason, Kind
from simulator.model.processes.capacity import Capacity
from simulator.model.processes.pipeline import Pipeline
from simulator.model.start_data import StartState
from simulator.model.switches import Switches
from simulator.parameters import Mechanisms
from simulator.parameters import Team as TeamSection
from simulator.units import DAYS_PER_MONTH, MONTHS_PER_YEAR


def token_days(hunter: Hunter, ramp_days: float, start_share: float) -> list[float]:
    """Day on which each of the hunter's capacity tokens becomes available."""
    days = []
    for k in range(1, hunter.capacity + 1):
        share = k / hunter.capacity
        if share <= start_share or ramp_days == 0 or start_share >= 1.0:
            days.append(hunter.hired_day)
        else:
            days.append(hunter.hired_day + ramp_days * (share - start_share) / (1 - start_share))
    return days


class Team:
    """The hunters: everyone ever hired (by id) and those still here (in order of hire)."""

    def __init__(
        self,
        env: simpy.Environment,
        team: TeamSection,
        capacity: Capacity,
        pipeline: Pipeline,
        log: EventLog,
        rng: np.random.Generator,
        start: StartState | None = None,
        switches: Switches | None = None,
    ) -> None:
        self.env = env
        self.team = team
        self.start = start
        self.on = switches or Switches(Mechanisms())
        self.capacity = capacity
        self.pipeline = pipeline
        self.log = log
        self.rng = rng
        self.hunters: list[Hunter] = []
        self._active: dict[int, Hunter] = {}
        self._exit_rng = rng.spawn(1)[0]  # a child stream: hires' skills keep their draws
        self._plan_rng = rng.spawn(1)[0]  # planned hires' skills and exit thresholds, apart:
        # a plan changes no replacement's draws (common random numbers across plans)
        self.seats = 0
        self._replacing = 0  # replacements on their way (hiring delay)
        self._called_off = 0  # of which a cut of the team called off
        self._threshold: dict[int, float] = {}  # hazard a hunter bears before leaving, by id
        self._hazard_borne: dict[int, float] = {}
        self._attainment: dict[int, float] = {}  # at the hunter's latest quota review

    def staff(self) -> None:
        """Hire the day-0 team, hand out their tokens interleaved (leads spread over hunters),
        schedule the rest of each ramp-up, and start the quota reviews."""
        team, env = self.team, self.env
        if self.start is not None:
            self._staff_from(self.start)
        else:
            hired_day = -team.initial_tenure_months * DAYS_PER_MONTH
            skills = self.rng.normal(0.0, team.hunter_skill_sd, team.hunters).tolist()
            hunters = [self._hire(hired_day, skill) for skill in skills]
            schedules = [self._token_days(hunter) for hunter in hunters]
            for k in range(team.hunter_capacity_opportunities):
                for hunter, days in zip(hunters, schedules, strict=True):
                    if days[k] <= env.now:
                        self.capacity.put(hunter)
            for hunter, days in zip(hunters, schedules, strict=True):
                later = [day for day in days if day > env.now]
                if later:
                    env.process(self._ramp_up(hunter, later))
        self._change_seats(len(self._active))
        self._plan_headcount()
        if team.quota.usd_per_month > 0:
            env.process(self.quota_reviews())
        turnover = team.turnover
        if turnover.base_exits_per_year > 0 or turnover.shortfall_exits_per_year > 0:
            env.process(self.voluntary_exits())

    def _staff_from(self, start: StartState) -> None:
        """The export's owners, hunter ``i`` being ``start.owners[i]``: past ramp-up and the
        review exemption, with their bookings before day 0, and a slot taken per open deal."""
        team = self.team
        months = team.ramp_months + team.quota.trailing_months
        skills = self.rng.normal(0.0, team.hunter_skill_sd, len(start.owners)).tolist()
        hunters = [self._hire(-months * DAYS_PER_MONTH, skill) for skill in skills]
        for owner, day, acv in zip(
            start.booking_owner.tolist(),
            start.booking_day.tolist(),
            start.booking_acv_usd.tolist(),
            strict=True,
        ):
            hunters[owner].book(day, acv)
        held = np.bincount(start.deal_owner, minlength=len(hunters)).tolist()
        for k in range(team.hunter_capacity_opportunities):
            for hunter, deals in zip(hunters, held, strict=True):
                if k >= deals:
                    self.capacity.put(hunter)
        for hunter, deals in zip(hunters, held, strict=True):
            self.capacity.owe(hunter, deals - hunter.capacity)

    def _plan_headcount(self) -> None:
        """Schedule the hiring plan and, from an export, the way to ``team.hunters``."""
        team, env = self.team, self.env
        for hire in team.hires:
            env.process(self._join((hire.month - 1) * DAYS_PER_MONTH, hire.count))
        if self.start is None:
            return
        owners = len(self.start.owners)
        if team.hunters > owners:
            delay = team.quota.hiring_delay_months * DAYS_PER_MONTH
            env.process(self._join(delay, team.hunters - owners))
        elif team.hunters < owners:
            order = [self.hunters[i] for i in self.start.leaving_order()]
            env.process(self._reduce(order, owners - team.hunters))

    def _join(self, day: float, count: int) -> Generator[Any, Any, None]:
        """``count`` hunters from outside join on ``day``, each ramping up as a new hire."""
        yield self.env.timeout(day - self.env.now)
        self._change_seats(self.seats + count)
        for _ in range(count):
            skill = float(self._plan_rng.normal(0.0, self.team.hunter_skill_sd))
            self._start_new(skill, self._plan_rng)

    def _reduce(self, order: list[Hunter], cut: int) -> Generator[Any, Any, None]:
        """``cut`` seats go at the end of month 1: the owners first in ``order`` (least recently
        active first) leave; one who has left already frees their seat by not being replaced
        (the replacement on its way is called off), or, replaced already, the next one leaves."""
        yield self.env.timeout(DAYS_PER_MONTH - self.env.now)
        remaining = cut
        for hunter in order:
            if remaining == 0:
                break
            if hunter.active:
                self._leave(hunter, self._attainment.get(hunter.id, math.nan), ExitReason.REDUCED)
                remaining -= 1
            elif self._replacing > self._called_off:
                self._called_off += 1
                remaining -= 1
        self._change_seats(self.seats - (cut - remaining))

    def _change_seats(self, seats: int) -> None:
        self.seats = seats
        self.log.record(self.env.now, Kind.SEATS, seats, value=seats)

    def active_hunters(self) -> int:
        return len(self._active)

    def monthly_cost_usd(self) -> float:
        """What acquiring customers costs this month: hunters employed and sales engineers."""
        team = self.team
        cost = self.active_hunters() * team.hunter_cost_usd_per_year
        cost += team.sales_engineers * team.sales_engineer_cost_usd_per_year
        return cost / MONTHS_PER_YEAR

    def monthly_service_cost_usd(self) -> float:
        """What serving customers costs this month: the farmers employed."""
        return self.team.farmers * self.team.farmer_cost_usd_per_year / MONTHS_PER_YEAR

    def _hire(
        self, hired_day: float, skill: float, draws: np.random.Generator | None = None
    ) -> Hunter:
        """Add a hunter to the team and start their prospecting (tokens come separately)."""
        hunter = Hunter(
            id=len(self.hunters),
            hired_day=hired_day,
            skill=skill,
            capacity=self.team.hunter_capacity_opportunities,
        )
        self.hunters.append(hunter)
        self._active[hunter.id] = hunter
        self._threshold[hunter.id] = float((draws or self._exit_rng).exponential())
        self._hazard_borne[hunter.id] = 0.0
        self.log.record(
            self.env.now, Kind.HUNTER_HIRED, hunter.id, actor=hunter.id, value=hunter.capacity
        )
        self.env.process(self.pipeline.prospect(hunter))
        return hunter

    def _token_days(self, hunter: Hunter) -> list[float]:
        team = self.team
        return token_days(hunter, team.ramp_months * DAYS_PER_MONTH, team.ramp_start_capacity_share)

    def _ramp_up(self, hunter: Hunter, days: list[float]) -> Generator[Any, Any, None]:
        """Add the hunter's remaining capacity tokens on their days."""
        env = self.env
        for day in days:
            yield env.timeout(day - env.now)
            if not hunter.active:
                return
            self.capacity.put(hunter)

    def quota_reviews(self) -> Generator[Any, Any, None]:
        team, env, log = self.team, self.env, self.log
        quota = team.quota
        trailing_days = quota.trailing_months * DAYS_PER_MONTH
        exempt_days = (team.ramp_months + quota.trailing_months) * DAYS_PER_MONTH
        plan_days = quota.plan_term_months * DAYS_PER_MONTH
        # Bookings are known from day 0, or from the export's first date when it has history.
        known_from = 0.0 if self.start is None else self.start.history_start_day
        first_month = quota.first_review_month if self.start is None else 1.0
        yield env.timeout(first_month * DAYS_PER_MONTH)
        while True:
            for hunter in list(self._active.values()):
                if env.now - hunter.hired_day < exempt_days:
                    continue
                since = max(env.now - trailing_days, hunter.hired_day, known_from)
                months = (env.now - since) / DAYS_PER_MONTH
                if months <= 0:
                    continue
                attainment = hunter.booked_since(since) / (quota.usd_per_month * months)
                self._attainment[hunter.id] = attainment
                log.record(env.now, Kind.QUOTA_REVIEW, hunter.id, actor=hunter.id, value=attainment)
                below = attainment < quota.plan_threshold and self.on.quota_pressure
                if hunter.on_plan_since is None:
                    if below:
                        hunter.on_plan_since = env.now
                        log.record(
                            env.now, Kind.PLAN_STARTED, hunter.id, actor=hunter.id, value=attainment
                        )
                elif not below:
                    hunter.on_plan_since = None
                    log.record(
                        env.now, Kind.PLAN_ENDED, hunter.id, actor=hunter.id, value=attainment
                    )
                elif env.now - hunter.on_plan_since >= plan_days:
                    self._leave(hunter, attainment, ExitReason.PLAN)
            yield env.timeout(quota.review_interval_months * DAYS_PER_MONTH)

    def voluntary_exits(self) -> Generator[Any, Any, None]:
        """Each month every hunter bears the month's hazard of leaving, for the share of the
        month they were on the team (one who joined today bears none yet); those past their
        threshold leave, in mid-month (away from the month-end reviews)."""
        turnover = self.team.turnover
        base, shortfall = turnover.base_exits_per_year, turnover.shortfall_exits_per_year
        env = self.env
        yield env.timeout(DAYS_PER_MONTH / 2)
        while True:
            for hunter in list(self._active.values()):
                attainment = self._attainment.get(hunter.id, 1.0)
                shortfall_felt = attainment < 1.0 and self.on.quota_pressure
                pressure = 1.0 - attainment if shortfall_felt else 0.0
                hazard = base + shortfall * pressure
                here = min(1.0, (env.now - hunter.hired_day) / DAYS_PER_MONTH)
                self._hazard_borne[hunter.id] += hazard / MONTHS_PER_YEAR * here
                if self._hazard_borne[hunter.id] >= self._threshold[hunter.id]:
                    last = self._attainment.get(hunter.id, math.nan)
                    self._leave(hunter, last, ExitReason.VOLUNTARY)
            yield env.timeout(DAYS_PER_MONTH)

    def _leave(self, hunter: Hunter, attainment: float, reason: ExitReason) -> None:
        """The hunter exits: free tokens vanish, open deals are orphaned, a replacement is
        sought (unless the team was reduced on purpose)."""
        hunter.active = False
        hunter.on_plan_since = None
        del self._active[hunter.id]
        self.capacity.withdraw(hunter)
        self.log.record(
            self.env.now,
            Kind.HUNTER_LEFT,
            hunter.id,
            actor=hunter.id,
            value=attainment,
            code=reason,
        )
        self.pipeline.orphan_deals_of(hunter)
        if reason != ExitReason.REDUCED:
            self.env.process(self._replace())

    def _replace(self) -> Generator[Any, Any, None]:
        team, env = self.team, self.env
        self._replacing += 1
        yield env.timeout(team.quota.hiring_delay_months * DAYS_PER_MONTH)
        self._replacing -= 1
        if self._called_off:
            self._called_off -= 1
            return
        self._start_new(float(self.rng.normal(0.0, team.hunter_skill_sd)))

    def _start_new(self, skill: float, draws: np.random.Generator | None = None) -> None:
        """A new hunter starts today with the tokens due now; the rest come over the ramp."""
        env = self.env
        hunter = self._hire(env.now, skill, draws)
        days = self._token_days(hunter)
        for _ in [day for day in days if day <= env.now]:
            self.capacity.put(hunter)
        later = [day for day in days if day > env.now]
        if later:
            env.process(self._ramp_up(hunter, later))
