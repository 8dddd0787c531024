"""Story mode: one hunter's replication told as a dated timeline a trainer can read aloud.

Everything in a story comes from the event log of one replication: the roadmap's announcements,
slips and releases; the one deal of the hunter's that shows the death spiral best, followed from
its first meeting to its end; the hunter's quota reviews, the plan and the exit; and, for every
quarter of the hunter's tenure, a line with its quota, bookings and attainment. By default the
replication and hunter are chosen to show as many beats of the spiral as possible; every story
says how it was chosen and how typical its pattern is in each variant over the same
replications.

One data structure, ``Story`` (its ``events`` and ``quarters``), is the single source of the
text (``Story.text``), the web page (``story_page``) and the JSON (``Story.to_json``).

Months count from 1, as in the report's tables: month 1 is days 0 to 30.4 of the simulation, and
a date the scenario gives as ``m`` months from the start is the first day of month ``m + 1``.
"""

from __future__ import annotations

import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simulator.events import Kind, Outcome
from simulator.experiment import replication_log
from simulator.parameters import Parameters
from simulator.scenario import Scenario
from simulator.units import DAYS_PER_MONTH

FORMAT = "salesim-story/1"
WIDTH = 100  # text columns
MONTHS_NOTE = (
    "Month 1 is the first month of the simulation, as in the report's tables; a date the "
    "scenario gives as month m (m months from the start) is the start of month m+1 here."
)
HUNTER_NAMES = ("Dana", "Sam", "Priya", "Leo", "Maya", "Tom", "Ines", "Kofi", "Yuki", "Ravi")
SEGMENT_NAMES = ("enterprise", "mid-market")
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
DEAL_KINDS = frozenset(
    {
        Kind.OPENED,
        Kind.MEETING_WENT_BADLY,
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
LOST_REASONS = {
    Outcome.LOST_COMPETITOR: "competitor",
    Outcome.LOST_HOUSEHOLD_BRAND: "household_name",
    Outcome.LOST_NO_DECISION: "no_decision",
    Outcome.DISQUALIFIED: "disqualified",
    Outcome.STALLED: "stalled",
}


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )


def month_of(day: float) -> int:
    """The month a day falls in, counting from 1 (days 0 to 30.4 are month 1); a whole number
    of months from the start, as scenario dates are given, is the first day of the next one."""
    return int(day / DAYS_PER_MONTH + 1e-9) + 1


@dataclass(frozen=True)
class Event:
    """One dated beat of the story. ``facts`` are the kind's own data (see ``to_json``);
    ``hunter`` is None for what happens to nobody on our side (the roadmap, competitors, and the
    deal once its hunter has left)."""

    day: float
    kind: str
    text: str
    hunter: int | None = None
    account: int | None = None
    facts: dict[str, Any] = field(default_factory=dict)
    logged: Kind | None = None  # the logged event told (None for narration)
    subject: int = -1
    seq: int = -1  # position in the log: the order of events on the same day

    @property
    def month(self) -> int:
        return month_of(self.day)

    def to_json(self) -> dict[str, Any]:
        return {
            "day": round(self.day, 3),
            "month": self.month,
            "kind": self.kind,
            "hunter": self.hunter,
            "account": self.account,
            "text": self.text,
            **self.facts,
        }


@dataclass(frozen=True)
class Quarter:
    """One calendar quarter of the hunter's tenure (quarter 1 is months 1 to 3)."""

    quarter: int
    start_day: float  # the part of the quarter the hunter was on the team
    end_day: float
    quota_usd: float
    bookings_usd: float
    attainment: float | None  # bookings / quota; None without a quota
    won: int
    pitched: int
    waiting: int  # deals waiting on a release at the quarter's end
    ramping: bool
    text: str

    @property
    def first_month(self) -> int:
        return month_of(self.start_day)

    @property
    def last_month(self) -> int:
        return month_of(self.end_day - 1e-6)

    def to_json(self) -> dict[str, Any]:
        return {
            "quarter": self.quarter,
            "first_month": self.first_month,
            "last_month": self.last_month,
            "quota_usd": round(self.quota_usd, 2),
            "bookings_usd": round(self.bookings_usd, 2),
            "attainment": self.attainment,  # unrounded: the text and page format this number
            "deals_won": self.won,
            "pitches": self.pitched,
            "deals_waiting_on_release": self.waiting,
            "ramping_up": self.ramping,
            "text": self.text,
        }


@dataclass(frozen=True)
class VariantCount:
    """How often a pattern happened in one variant, over the replications searched."""

    variant: str
    replications: int
    with_pattern: int  # replications in which some hunter shows all of the story's beats
    with_plan: int  # replications in which some hunter was put on the plan
    with_leaver: int  # replications in which some hunter left
    hunters_left: int  # in all of them
    pitches: int  # in all of them
    seats: int  # hunters on the team

    def to_json(self) -> dict[str, Any]:
        n = self.replications
        return {
            "variant": self.variant,
            "replications": n,
            "with_pattern": self.with_pattern,
            "share_with_pattern": round(self.with_pattern / n, 4),
            "with_hunter_on_plan": self.with_plan,
            "share_with_hunter_on_plan": round(self.with_plan / n, 4),
            "with_hunter_leaving": self.with_leaver,
            "share_with_hunter_leaving": round(self.with_leaver / n, 4),
            "hunters_left_per_replication": round(self.hunters_left / n, 3),
            "pitches_per_replication": round(self.pitches / n, 3),
            "team_seats": self.seats,
        }


@dataclass(frozen=True)
class Typicality:
    seed: int
    replications: int  # replications 0 .. replications - 1 of each variant
    pattern: tuple[str, ...]  # the beats the story shows (keys of BEATS)
    variants: tuple[VariantCount, ...]

    def lines(self, told: str, width: int = 100) -> list[str]:
        n = self.replications
        span = f"replications 0-{n - 1}" if n > 1 else "replication 0"
        name_width = max(len("variant"), *(len(count.variant) for count in self.variants))
        columns = ("these beats*", "on the plan", "leaves")
        lines = [
            *wrap(
                f"How typical: of {span} of seed {self.seed} (the same ones in every variant), "
                f"how many have a hunter who ...",
                width,
            ),
            f"  {'variant':<{name_width}}  " + "  ".join(f"{c:>13}" for c in columns)
            + f"  {'hunters who left, mean':>22}",
        ]  # fmt: skip
        for count in self.variants:
            mark = "  <- this story" if count.variant == told else ""
            shares = (count.with_pattern, count.with_plan, count.with_leaver)
            lines.append(
                f"  {count.variant:<{name_width}}  "
                + "  ".join(f"{_share(k, n):>13}" for k in shares)
                + f"  {count.hunters_left / n:>22.1f}{mark}"
            )
        lines.append("  * every beat of the spiral this story shows (listed above).")
        seats = sorted({count.seats for count in self.variants})
        lines += wrap(
            f"Hunters who left: per replication, over the whole run; the team has "
            f"{' or '.join(map(str, seats))} seats, and replacements can leave too.",
            width,
            "  ",
            "  ",
        )
        return lines

    def to_json(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "replications_searched": self.replications,
            "pattern": list(self.pattern),
            "variants": [count.to_json() for count in self.variants],
        }


@dataclass(frozen=True)
class Story:
    scenario: str
    variant: str
    seed: int
    replication: int
    hunter: int
    hunter_name: str
    how_chosen: str
    typicality: Typicality
    events: tuple[Event, ...]
    quarters: tuple[Quarter, ...]
    log: np.ndarray
    quota_usd_per_month: float
    plan_threshold: float
    horizon_days: float
    deal: int  # the featured opportunity, or -1
    left_day: float | None  # when the hunter left, if they did

    def lines(self) -> list[tuple[int, str, Event | Quarter]]:
        """(month, text, item) of every line of the story, events and quarters, in order."""
        keyed: list[tuple[tuple[float, int], int, str, Event | Quarter]] = [
            ((event.day, event.seq), event.month, event.text, event) for event in self.events
        ]
        keyed += [((q.end_day, -1), q.last_month, q.text, q) for q in self.quarters]
        keyed.sort(key=lambda item: item[0])
        return [(month, text, item) for _, month, text, item in keyed]

    def title(self) -> str:
        return (
            f"{self.scenario}, variant {self.variant!r}: the story of {self.hunter_name} "
            f"(hunter {self.hunter}), replication {self.replication} of seed {self.seed}."
        )

    def text(self, width: int = WIDTH) -> str:
        """The story as text: paragraphs wrapped at ``width``, one dated line per event."""
        header = [
            *wrap(self.title(), width),
            *wrap(self.how_chosen, width),
            *self.typicality.lines(self.variant, width),
            *wrap(MONTHS_NOTE, width),
        ]
        body = [
            "\n".join(wrap(text, width, f"Month {month:>2}  ", " " * 10))
            for month, text, _ in self.lines()
        ]
        return "\n".join([*header, "", *body])

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "scenario": self.scenario,
            "variant": self.variant,
            "seed": self.seed,
            "replication": self.replication,
            "hunter": self.hunter,
            "hunter_name": self.hunter_name,
            "how_chosen": self.how_chosen,
            "typicality": self.typicality.to_json(),
            "months": f"month 1 is days 0 to {DAYS_PER_MONTH:g} of the simulation; day d is in "
            f"month floor(d / {DAYS_PER_MONTH:g}) + 1",
            "horizon_months": round(self.horizon_days / DAYS_PER_MONTH),
            "quota_usd_per_month": self.quota_usd_per_month,
            "plan_threshold": self.plan_threshold,
            "deal": self.deal if self.deal >= 0 else None,
            "left_month": None if self.left_day is None else month_of(self.left_day),
            "quarters": [quarter.to_json() for quarter in self.quarters],
            "events": [event.to_json() for event in self.events],
        }


def find_variant(scenario: Scenario, name: str) -> int:
    for index, variant in enumerate(scenario.variants):
        if variant.name == name:
            return index
    names = ", ".join(repr(v.name) for v in scenario.variants)
    raise ValueError(f"no variant named {name!r}; the scenario has {names}")


def beats_by_hunter(log: np.ndarray) -> dict[int, set[str]]:
    """Which beats of the spiral each hunter's replication shows."""
    kind, actor = log["kind"], log["actor"]
    slipped = bool(np.any(kind == Kind.PROMISE_MOVED))
    claimed = bool(np.any((kind == Kind.COMPETITOR_READY) & (log["code"] >= 0)))
    hunters = sorted(set(actor[kind == Kind.HUNTER_HIRED].tolist()))
    beats: dict[int, set[str]] = {}
    for hunter in hunters:
        own = set(kind[actor == hunter].tolist())
        found = set()
        for key, logged in (
            ("pitch", Kind.PITCHED),
            ("new_faces", Kind.NEW_FACES),
            ("references", Kind.REFERENCE_REQUESTED),
            ("fatigue", Kind.FATIGUED),
            ("plan", Kind.PLAN_STARTED),
            ("exit", Kind.HUNTER_LEFT),
        ):
            if logged in own:
                found.add(key)
        if Kind.WAITING_STARTED in own and slipped:
            found.add("slip")
        if Kind.WAITING_STARTED in own and claimed:
            found.add("competitor")
        beats[hunter] = found
    return beats


def beats_of(log: np.ndarray, hunter: int) -> set[str]:
    return beats_by_hunter(log).get(hunter, set())


def _share(count: int, total: int) -> str:
    return f"{count}/{total} ({count / total:.0%})"


def _span(first: int, last: int) -> str:
    return f"replication {first}" if first == last else f"replications {first}-{last}"


def pick(
    scenario: Scenario,
    variant: int,
    seed: int,
    replication: int | None,
    hunter: int | None,
    search: int,
) -> tuple[int, int, np.ndarray, str, Typicality]:
    """Choose the replication and hunter (each unless given) that show the most beats, and
    count how often that pattern happens in every variant over the replications searched."""
    horizon = scenario.horizon_months
    logs: dict[tuple[int, int], np.ndarray] = {}

    def log_of(v: int, r: int) -> np.ndarray:
        if (v, r) not in logs:
            logs[v, r] = replication_log(scenario.variants[v].parameters, horizon, seed, r)
        return logs[v, r]

    candidates = [replication] if replication is not None else list(range(search))
    ranked: list[tuple[int, int, int]] = []  # (score, replication, hunter)
    for candidate in candidates:
        beats = beats_by_hunter(log_of(variant, candidate))
        for h in [hunter] if hunter is not None else sorted(beats):
            if h in beats:
                ranked.append((len(beats[h]), candidate, h))
    if not ranked:
        where = f"replication {replication}" if replication is not None else _span(0, search - 1)
        raise ValueError(f"hunter {hunter} never works in {where}")
    best = max(score for score, _, _ in ranked)
    score, chosen, who = next(entry for entry in ranked if entry[0] == best)
    pattern = beats_by_hunter(log_of(variant, chosen))[who]
    shown = [text for key, text in BEATS if key in pattern]
    missing = [text for key, text in BEATS if key not in pattern]
    if replication is None:
        ties = sum(1 for entry in ranked if entry[0] == best)
        how = (
            f"How chosen: automatically. Of the {len(ranked)} hunters in {_span(0, search - 1)}, "
            f"{ties} show the most beats of the spiral ({score} of {len(BEATS)}); "
            f"this is the first of them (lowest replication, then hunter)."
        )
    elif hunter is None:
        how = (
            f"How chosen: replication {chosen} by the trainer; the hunter is its first whose "
            f"story shows the most beats of the spiral ({score} of {len(BEATS)})."
        )
    else:
        how = (
            f"How chosen: replication {chosen} and hunter {who} by the trainer; the story "
            f"shows {score} of {len(BEATS)} beats of the spiral."
        )
    how += f" Shown: {', '.join(shown) or 'none'}."
    if missing:
        how += f" Not in this story: {', '.join(missing)}."
    counts = []
    for v, spec in enumerate(scenario.variants):
        with_pattern = with_plan = with_leaver = left = pitches = 0
        for r in range(search):
            log = log_of(v, r)
            kind = log["kind"]
            beats = beats_by_hunter(log)
            with_pattern += any(pattern <= found for found in beats.values())
            with_plan += bool(np.any(kind == Kind.PLAN_STARTED))
            n_left = int(np.count_nonzero(kind == Kind.HUNTER_LEFT))
            with_leaver += n_left > 0
            left += n_left
            pitches += int(np.count_nonzero(kind == Kind.PITCHED))
            if (v, r) != (variant, chosen):
                logs.pop((v, r), None)  # keep memory flat over long searches
        counts.append(
            VariantCount(
                spec.name,
                search,
                with_pattern,
                with_plan,
                with_leaver,
                left,
                pitches,
                spec.parameters.team.hunters,
            )
        )
    typical = Typicality(
        seed, search, tuple(key for key, _ in BEATS if key in pattern), tuple(counts)
    )
    return chosen, who, log_of(variant, chosen), how, typical


def tell(
    scenario: Scenario,
    variant_name: str,
    seed: int,
    replication: int | None = None,
    hunter: int | None = None,
    search: int = 40,
) -> Story:
    if search < 1:
        raise ValueError("search must be at least 1 replication")
    variant = find_variant(scenario, variant_name)
    parameters = scenario.variants[variant].parameters
    chosen, who, log, how, typical = pick(scenario, variant, seed, replication, hunter, search)
    teller = _Teller(log, who, parameters, scenario.horizon_days)
    deal = featured_deal(log, who)
    events = sorted(
        [
            teller.intro(scenario),
            *teller.roadmap(),
            *teller.deal(deal),
            *teller.hunter_events(),
        ],
        key=lambda event: (event.day, event.seq),
    )
    return Story(
        scenario.name,
        variant_name,
        seed,
        chosen,
        who,
        hunter_name(who),
        how,
        typical,
        tuple(events),
        tuple(teller.quarters()),
        log,
        parameters.team.quota.usd_per_month,
        parameters.team.quota.plan_threshold,
        scenario.horizon_days,
        deal,
        teller.left_day,
    )


def hunter_name(hunter: int) -> str:
    base = HUNTER_NAMES[hunter % len(HUNTER_NAMES)]
    return base if hunter < len(HUNTER_NAMES) else f"{base} {hunter // len(HUNTER_NAMES) + 1}"


def featured_deal(log: np.ndarray, hunter: int) -> int:
    """The hunter's pitched deal with the most spiral events (the earliest among equals)."""
    pitched = log[(log["kind"] == Kind.PITCHED) & (log["actor"] == hunter)]
    best, best_score = -1, -1
    for subject in pitched["subject"].tolist():
        events = log[log["subject"] == subject]
        score = int(np.isin(events["kind"], list(DEAL_KINDS)).sum())
        if score > best_score:
            best, best_score = subject, score
    return best


def money(usd: float) -> str:
    if usd >= 1e6:
        return f"${usd / 1e6:.1f}M"
    if usd == 0:
        return "$0"
    return f"${usd / 1e3:.0f}k"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


class _Teller:
    """Turns one replication's log into the story's events and quarters, for one hunter."""

    def __init__(
        self, log: np.ndarray, hunter: int, parameters: Parameters, horizon_days: float
    ) -> None:
        self.log, self.hunter, self.parameters = log, hunter, parameters
        self.horizon_days = horizon_days
        self.name = hunter_name(hunter)
        self.features = parameters.product.features
        kind, actor = log["kind"], log["actor"]
        hired = np.flatnonzero((kind == Kind.HUNTER_HIRED) & (actor == hunter))
        self.hired_seq = int(hired[0])
        self.hired_day = float(log["day"][self.hired_seq])
        left = np.flatnonzero((kind == Kind.HUNTER_LEFT) & (actor == hunter))
        self.left_seq = int(left[0]) if left.size else len(log)
        self.left_day = float(log["day"][left[0]]) if left.size else None

    def _ours(self, seq: int) -> int | None:
        """The hunter, for an event while they are on the team; None once they have left."""
        return self.hunter if seq < self.left_seq else None

    def _promised_day(self, feature: int, seq: int) -> float:
        """The date prospects were told for ``feature`` just before log position ``seq``."""
        log = self.log[:seq]
        told = log[
            np.isin(log["kind"], [Kind.FEATURE_ANNOUNCED, Kind.PROMISE_MOVED])
            & (log["subject"] == feature)
        ]
        if told.size:
            return float(told["value"][-1])
        return self.features[feature].promised_release_month * DAYS_PER_MONTH

    def intro(self, scenario: Scenario) -> Event:
        team, market = self.parameters.team, self.parameters.market
        strategy = self.parameters.strategy.pitch.replace("_", " ")
        quota = team.quota.usd_per_month
        if self.hired_day == 0:
            text = (
                f"{self.name} is one of {team.hunters} hunters selling to "
                f"{market.accounts:,} accounts. Quota: {money(quota)} of new annual contract "
                f"value a month. The team's pitch strategy: {strategy}."
            )
        else:
            text = (
                f"{self.name} joins the team, replacing a hunter who left, and ramps up over "
                f"{team.ramp_months:g} months. Quota: {money(quota)} a month. "
                f"The team's pitch strategy: {strategy}."
            )
        facts = {"quota_usd_per_month": quota, "strategy": self.parameters.strategy.pitch}
        return Event(
            self.hired_day, "hired", text, self.hunter, None, facts, Kind.HUNTER_HIRED,
            self.hunter, self.hired_seq,
        )  # fmt: skip

    def roadmap(self) -> list[Event]:
        log = self.log
        kind = log["kind"]
        events = []
        told = np.flatnonzero(np.isin(kind, list(ROADMAP_KINDS)))
        for seq in told.tolist():
            record = log[seq]
            day, logged, feature = (
                float(record["day"]),
                Kind(record["kind"]),
                int(record["subject"]),
            )
            f = self.features[feature]
            value = float(record["value"])
            if logged == Kind.FEATURE_ANNOUNCED:
                promised = month_of(value)
                planned = month_of(f.planned_release_month * DAYS_PER_MONTH)
                text = (
                    f"The company announces {f.name}. Prospects are told it ships in month "
                    f"{promised}; the internal plan says month {planned}."
                )
                facts = {"feature": f.name, "promised_month": promised, "planned_month": planned}
                story_kind = "announced"
            elif logged == Kind.PROMISE_MOVED:
                old = month_of(self._promised_day(feature, seq))
                new = month_of(value)
                plan_slipped = seq > 0 and (
                    kind[seq - 1] == Kind.RELEASE_SLIPPED and log["subject"][seq - 1] == feature
                )
                if plan_slipped:
                    text = (
                        f"{f.name} slips: month {old} comes and it is not ready. The new plan, "
                        f"told to prospects too, is month {new}."
                    )
                else:
                    text = (
                        f"{f.name} misses month {old}, the date promised to prospects. "
                        f"They are now told month {new}, the internal plan."
                    )
                facts = {
                    "feature": f.name,
                    "old_plan_month": old,
                    "new_plan_month": new,
                    "internal_plan_slipped": bool(plan_slipped),
                }
                story_kind = "slip"
            else:
                first = f.promised_release_month * DAYS_PER_MONTH
                late = (day - first) / DAYS_PER_MONTH
                text = f"{f.name} ships, {late:.0f} months later than first promised."
                facts = {"feature": f.name, "months_late": round(late, 2)}
                story_kind = "released"
            events.append(Event(day, story_kind, text, None, None, facts, logged, feature, seq))
        return events

    def deal(self, deal: int) -> list[Event]:
        if deal < 0:
            return []
        log = self.log
        rows = np.flatnonzero((log["subject"] == deal) & np.isin(log["kind"], list(DEAL_KINDS)))
        account = int(log["account"][rows[0]])
        lead = log[(log["subject"] == deal) & (log["kind"] == Kind.LEAD)]
        segment = SEGMENT_NAMES[int(lead["value"][0])] if lead.size else "unknown segment"
        who = f"Account {account} ({segment})"
        name = self.name
        events: list[Event] = []
        waiting_since = math.nan
        for seq in rows.tolist():
            record = log[seq]
            day, logged = float(record["day"]), Kind(record["kind"])
            value, code = float(record["value"]), int(record["code"])
            ours = self._ours(seq)
            facts: dict[str, Any] = {}
            if logged == Kind.OPENED:
                story_kind = "opened"
                text = f"{who} agrees to a first meeting with {name}. This is the deal to follow."
            elif logged == Kind.MEETING_WENT_BADLY:
                story_kind = "bad_meeting"
                text = f"The first meeting with {who} goes badly: the champion is losing interest."
            elif logged == Kind.PITCHED:
                story_kind = "pitch"
                promised = month_of(value)
                facts = {"feature": self.features[code].name, "promised_month": promised}
                text = (
                    f"To save it, {name} pitches {self.features[code].name}, 'shipping in month "
                    f"{promised}'. Eyes light up; more people come to the next meeting."
                )
            elif logged == Kind.BETA_OFFERED:
                story_kind = "beta"
                facts = {"feature": self.features[code].name}
                text = (
                    f"{name} offers {who} a place as beta partner for {self.features[code].name}."
                )
            elif logged == Kind.QUALIFIED:
                story_kind = "qualified"
                facts = {"acv_usd": round(value, 2)}
                text = f"Discovery done: {who} is qualified, {money(value)} a year at stake."
            elif logged == Kind.WAITING_STARTED:
                story_kind = "waiting"
                waiting_since = day
                promised = month_of(self._promised_day(code, seq))
                facts = {"feature": self.features[code].name, "promised_month": promised}
                text = (
                    f"Proposal in, but {who} will not sign before {self.features[code].name} "
                    f"ships (promised for month {promised})."
                )
            elif logged == Kind.NEW_FACES:
                story_kind = "new_faces"
                n = int(value)
                facts = {"new_faces": n}
                if ours is not None:
                    text = (
                        f"Follow-up meeting: {_plural(n, 'new face')} on the committee, "
                        f"to win over again."
                    )
                else:
                    text = (
                        f"{_plural(n, 'new face')} join {who}'s committee; nobody from our "
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
                facts = {"feature": self.features[code].name}
                text = (
                    f"{self.features[code].name} has shipped. {who} asks for reference metrics "
                    f"from a customer using it. There are none yet."
                )
            elif logged == Kind.ORPHANED:
                story_kind = "orphaned"
                text = f"{who} loses its relationship: {name} has left and nobody takes it over."
            else:
                story_kind, text, facts = self._outcome(
                    who, Outcome(code), value, day, waiting_since, ours is None
                )
            events.append(Event(day, story_kind, text, ours, account, facts, logged, deal, seq))
        events.extend(self._competitors(events, segment))
        return events

    def _outcome(
        self, who: str, outcome: Outcome, acv: float, day: float, since: float, gone: bool
    ) -> tuple[str, str, dict[str, Any]]:
        waited_months = (day - since) / DAYS_PER_MONTH if math.isfinite(since) else None
        waited = f" after waiting {waited_months:.0f} months" if waited_months is not None else ""
        facts: dict[str, Any] = {
            "waited_months": None if waited_months is None else round(waited_months, 2)
        }
        if outcome == Outcome.WON:
            facts["acv_usd"] = round(acv, 2)
            credit = f"; {self.name} has left, so nobody books it" if gone else ""
            return "won", f"{who} signs{waited}: {money(acv)} a year{credit}.", facts
        texts = {
            Outcome.LOST_COMPETITOR: f"{who} buys from a competitor{waited}.",
            Outcome.LOST_HOUSEHOLD_BRAND: f"{who} goes with the household name{waited}.",
            Outcome.LOST_NO_DECISION: f"{who} ends in no decision{waited}.",
            Outcome.DISQUALIFIED: f"{who} is disqualified.",
            Outcome.STALLED: f"{who} goes dark.",
        }
        facts["reason"] = LOST_REASONS[outcome]
        return "lost", texts[outcome], facts

    def _competitors(self, deal_events: list[Event], segment: str) -> list[Event]:
        """Competitors claiming a feature who became ready while the featured deal waited."""
        start = [e.day for e in deal_events if e.logged == Kind.WAITING_STARTED]
        end = [e.day for e in deal_events if e.logged == Kind.CLOSED]
        if not start:
            return []
        until = end[0] if end else math.inf
        segment_index = SEGMENT_NAMES.index(segment) if segment in SEGMENT_NAMES else -1
        log = self.log
        ready = np.flatnonzero((log["kind"] == Kind.COMPETITOR_READY) & (log["code"] >= 0))
        events = []
        for seq in ready.tolist():
            day = float(log["day"][seq])
            if start[0] <= day <= until and int(log["value"][seq]) == segment_index:
                feature = self.features[int(log["code"][seq])].name
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

    def hunter_events(self) -> list[Event]:
        log = self.log
        quota = self.parameters.team.quota
        name = self.name
        rows = np.flatnonzero(
            (log["actor"] == self.hunter) & np.isin(log["kind"], list(HUNTER_KINDS))
        )
        trailing = f"the last {quota.trailing_months:g} months"
        events = []
        for seq in rows.tolist():
            record = log[seq]
            day, logged, value = float(record["day"]), Kind(record["kind"]), float(record["value"])
            share = f"{value:.0%} of quota over {trailing}"
            facts: dict[str, Any] = {"attainment": value}
            if logged == Kind.QUOTA_REVIEW:
                story_kind = "review"
                since = max(day - quota.trailing_months * DAYS_PER_MONTH, self.hired_day, 0.0)
                first, last = month_of(since), month_of(day - 1e-6)
                facts["trailing_months"] = quota.trailing_months
                facts["first_month"], facts["last_month"] = first, last
                text = f"Quota review: {name} booked {share} (months {first}-{last})."
            elif logged == Kind.PLAN_STARTED:
                story_kind = "plan"
                text = (
                    f"Under the bar of {quota.plan_threshold:.0%}: {name} is put on the plan. "
                    f"Desperate, {name} is now likelier to pitch whatever is new."
                )
            elif logged == Kind.PLAN_ENDED:
                story_kind = "off_plan"
                text = f"{name} is back above the bar ({share}) and off the plan."
            else:
                story_kind = "leaves"
                orphaned = int(
                    np.count_nonzero((log["kind"] == Kind.ORPHANED) & (log["actor"] == self.hunter))
                )
                start = month_of(day + quota.hiring_delay_months * DAYS_PER_MONTH)
                facts["open_deals_orphaned"] = orphaned
                text = (
                    f"Still under the bar after the plan's term: {name} leaves. "
                    f"{_plural(orphaned, 'open deal')} lose their relationship; a replacement "
                    f"starts in month {start} and ramps up from scratch."
                )
            events.append(
                Event(day, story_kind, text, self.hunter, None, facts, logged, self.hunter, seq)
            )
        return events

    def quarters(self) -> list[Quarter]:
        """One entry per calendar quarter of the hunter's tenure: quota pro rata for the days
        on the team, bookings as the quota review counts them, and what else happened."""
        log = self.log
        hunter = self.hunter
        team = self.parameters.team
        quota_month = team.quota.usd_per_month
        seq = np.arange(len(log))
        own = (log["actor"] == hunter) & (seq < self.left_seq)
        kind, day = log["kind"], log["day"]
        booked = own & (
            ((kind == Kind.CLOSED) & (log["code"] == Outcome.WON) & (log["value"] > 0))
            | (kind == Kind.BETA_CONVERTED)
        )
        won = own & (kind == Kind.CLOSED) & (log["code"] == Outcome.WON)
        pitched = own & (kind == Kind.PITCHED)
        started = own & (kind == Kind.WAITING_STARTED)
        ended = own & (kind == Kind.WAITING_ENDED)
        tenure_end = self.left_day if self.left_day is not None else self.horizon_days
        ramp_end = self.hired_day + team.ramp_months * DAYS_PER_MONTH if self.hired_day > 0 else 0
        quarter_days = 3 * DAYS_PER_MONTH
        quarters = []
        for index in range(math.ceil(self.horizon_days / quarter_days - 1e-9)):
            q_start = index * quarter_days
            q_end = min((index + 1) * quarter_days, self.horizon_days)
            start, end = max(q_start, self.hired_day), min(q_end, tenure_end)
            if end <= start:
                continue
            inside = (day >= start) & (day < end)
            bookings = float(log["value"][booked & inside].sum())
            quota = quota_month * (end - start) / DAYS_PER_MONTH
            attainment = bookings / quota if quota > 0 else None
            n_won = int(np.count_nonzero(won & inside))
            n_pitched = int(np.count_nonzero(pitched & inside))
            before = day < end
            waiting = int(np.count_nonzero(started & before) - np.count_nonzero(ended & before))
            ramping = start < ramp_end
            first, last = month_of(start), month_of(end - 1e-6)
            months = f"month {first}" if first == last else f"months {first}-{last}"
            share = f"{attainment:.0%} of quota" if attainment is not None else "no quota"
            notes = []
            if ramping:
                notes.append("still ramping up")
            if self.left_day is not None and end == self.left_day and end < q_end:
                notes.append("until leaving")
            note = f", {', '.join(notes)}" if notes else ""
            text = (
                f"Quarter {index + 1} ({months}{note}): {self.name} booked {money(bookings)} "
                f"against a quota of {money(quota)}: {share}. Won {_plural(n_won, 'deal')}, "
                f"pitched an announced feature {_plural(n_pitched, 'time')}; "
                f"{_plural(waiting, 'deal')} {'waits' if waiting == 1 else 'wait'} on a release."
            )
            quarters.append(
                Quarter(
                    index + 1,
                    start,
                    end,
                    quota,
                    bookings,
                    attainment,
                    n_won,
                    n_pitched,
                    waiting,
                    ramping,
                    text,
                )
            )
        return quarters
