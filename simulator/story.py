"""Story mode: one hunter's replication told as a dated timeline a trainer can read aloud.

Everything in a story comes from the event log of one replication: the roadmap's announcements,
slips and releases; the one deal of the hunter's that shows the death spiral best, followed from
its first meeting to its end; the hunter's quota reviews, the plan and the exit; and, each
quarter, a line on the rest of the hunter's pipeline. By default the replication and hunter are
chosen to show as many beats of the spiral as possible, and the story says which were picked and
why.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from simulator.events import Kind, Outcome
from simulator.experiment import replication_log
from simulator.parameters import Parameters
from simulator.scenario import DAYS_PER_MONTH, Scenario

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
ROADMAP_KINDS = frozenset({Kind.FEATURE_ANNOUNCED, Kind.RELEASE_SLIPPED, Kind.FEATURE_RELEASED})


@dataclass(frozen=True)
class Line:
    """One dated line of the story; ``kind`` is the event it tells (None for narration)."""

    day: float
    text: str
    kind: Kind | None = None
    subject: int = -1

    @property
    def month(self) -> int:
        """Months elapsed since the start, as scenario dates are given (month 0 is the first)."""
        return _month_of(self.day)


@dataclass(frozen=True)
class Story:
    scenario: str
    variant: str
    seed: int
    replication: int
    hunter: int
    hunter_name: str
    why: str
    lines: tuple[Line, ...]
    log: np.ndarray
    quota_usd_per_month: float
    horizon_days: float
    deal: int  # the featured opportunity, or -1

    def text(self) -> str:
        head = [
            f"{self.scenario}, variant {self.variant!r}: the story of {self.hunter_name} "
            f"(hunter {self.hunter}), replication {self.replication} of seed {self.seed}.",
            self.why,
            "Months count from the start of the simulation (month 0 is the first month).",
            "",
        ]
        return "\n".join(head + [f"Month {line.month:>2}  {line.text}" for line in self.lines])


def find_variant(scenario: Scenario, name: str) -> int:
    for index, variant in enumerate(scenario.variants):
        if variant.name == name:
            return index
    names = ", ".join(repr(v.name) for v in scenario.variants)
    raise ValueError(f"no variant named {name!r}; the scenario has {names}")


def beats_of(log: np.ndarray, hunter: int) -> set[str]:
    """Which beats of the spiral this hunter's replication shows."""
    kind, actor = log["kind"], log["actor"]
    own = log[actor == hunter]
    own_kinds = set(own["kind"].tolist())
    beats = set()
    if Kind.PITCHED in own_kinds:
        beats.add("pitch")
    if Kind.WAITING_STARTED in own_kinds and np.any(kind == Kind.RELEASE_SLIPPED):
        beats.add("slip")
    if Kind.NEW_FACES in own_kinds:
        beats.add("new_faces")
    if Kind.WAITING_STARTED in own_kinds and np.any(
        (kind == Kind.COMPETITOR_READY) & (log["code"] >= 0)
    ):
        beats.add("competitor")
    if Kind.REFERENCE_REQUESTED in own_kinds:
        beats.add("references")
    if Kind.FATIGUED in own_kinds:
        beats.add("fatigue")
    if Kind.PLAN_STARTED in own_kinds:
        beats.add("plan")
    if Kind.HUNTER_LEFT in own_kinds:
        beats.add("exit")
    return beats


def pick(
    scenario: Scenario,
    variant: int,
    seed: int,
    replication: int | None,
    hunter: int | None,
    search: int,
) -> tuple[int, int, np.ndarray, str]:
    """Choose the replication and hunter (each unless given) that show the most beats."""
    parameters = scenario.variants[variant].parameters
    candidates = [replication] if replication is not None else list(range(search))
    best: tuple[int, int, int, np.ndarray] | None = None
    for candidate in candidates:
        log = replication_log(parameters, scenario.horizon_months, seed, candidate)
        hired = log["actor"][log["kind"] == Kind.HUNTER_HIRED]
        hunters = [hunter] if hunter is not None else sorted(set(hired.tolist()))
        for h in hunters:
            score = len(beats_of(log, h))
            if best is None or score > best[0]:
                best = (score, candidate, h, log)
        if best is not None and best[0] == len(BEATS):
            break
    assert best is not None
    score, chosen, chosen_hunter, log = best
    shown = beats_of(log, chosen_hunter)
    names = [text for key, text in BEATS if key in shown]
    missing = [text for key, text in BEATS if key not in shown]
    if replication is None:
        searched = chosen + 1 if score == len(BEATS) else len(candidates)
        why = (
            f"Picked automatically: of the {searched} replication(s) searched, the first whose "
            f"story shows the most beats of the spiral ({score} of {len(BEATS)}: "
            f"{', '.join(names) or 'none'})."
        )
    else:
        why = f"Replication chosen by the trainer; it shows {score} of {len(BEATS)} beats."
    if missing:
        why += f" Not in this story: {', '.join(missing)}."
    return chosen, chosen_hunter, log, why


def tell(
    scenario: Scenario,
    variant_name: str,
    seed: int,
    replication: int | None = None,
    hunter: int | None = None,
    search: int = 40,
) -> Story:
    variant = find_variant(scenario, variant_name)
    parameters = scenario.variants[variant].parameters
    chosen, who, log, why = pick(scenario, variant, seed, replication, hunter, search)
    hired = log[(log["kind"] == Kind.HUNTER_HIRED)]
    if who not in set(hired["actor"].tolist()):
        raise ValueError(f"hunter {who} never works in replication {chosen}")
    deal = featured_deal(log, who)
    lines = sorted(
        [
            *_intro(scenario, parameters, who, log),
            *_roadmap_lines(log, parameters),
            *_deal_lines(log, deal, parameters),
            *_hunter_lines(log, who, parameters),
            *_quarter_lines(log, who, deal, scenario.horizon_days),
        ],
        key=lambda line: line.day,
    )
    return Story(
        scenario.name,
        variant_name,
        seed,
        chosen,
        who,
        hunter_name(who),
        why,
        tuple(lines),
        log,
        parameters.team.quota.usd_per_month,
        scenario.horizon_days,
        deal,
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
        kinds = events["kind"]
        score = int(np.isin(kinds, list(DEAL_KINDS)).sum())
        if score > best_score:
            best, best_score = subject, score
    return best


def _money(usd: float) -> str:
    if usd >= 1e6:
        return f"${usd / 1e6:.1f}M"
    return f"${usd / 1e3:.0f}k"


def _month_of(day: float) -> int:
    """Months elapsed (a date given as ``m`` months in the scenario reads as month ``m``)."""
    return int(day / DAYS_PER_MONTH + 1e-9)


def _intro(scenario: Scenario, parameters: Parameters, hunter: int, log: np.ndarray) -> list[Line]:
    team, market = parameters.team, parameters.market
    hired = log[(log["kind"] == Kind.HUNTER_HIRED) & (log["actor"] == hunter)]
    day = float(hired["day"][0])
    strategy = parameters.strategy.pitch.replace("_", " ")
    name = hunter_name(hunter)
    if day == 0:
        text = (
            f"{name} is one of {team.hunters} hunters selling to {market.accounts:,} accounts. "
            f"Quota: {_money(team.quota.usd_per_month)} of new annual contract value a month. "
            f"The team's pitch strategy: {strategy}."
        )
    else:
        text = (
            f"{name} joins the team, replacing a hunter who left, and starts ramping up "
            f"over {team.ramp_months:g} months."
        )
    return [Line(day, text, Kind.HUNTER_HIRED, hunter)]


def _roadmap_lines(log: np.ndarray, parameters: Parameters) -> list[Line]:
    features = parameters.product.features
    lines = []
    for record in log[np.isin(log["kind"], list(ROADMAP_KINDS))]:
        day, kind, feature = float(record["day"]), Kind(record["kind"]), int(record["subject"])
        f = features[feature]
        if kind == Kind.FEATURE_ANNOUNCED:
            text = (
                f"The company announces {f.name}. Prospects are told it ships in month "
                f"{f.promised_release_month:g}; the internal plan says month "
                f"{f.planned_release_month:g}."
            )
        elif kind == Kind.RELEASE_SLIPPED:
            text = f"{f.name} slips: the new plan is month {_month_of(float(record['value']))}."
        else:
            late = float(record["value"])
            text = f"{f.name} ships, {late / DAYS_PER_MONTH:.1f} months later than promised."
        lines.append(Line(day, text, kind, feature))
    return lines


def _deal_lines(log: np.ndarray, deal: int, parameters: Parameters) -> list[Line]:
    if deal < 0:
        return []
    events = log[(log["subject"] == deal) & np.isin(log["kind"], list(DEAL_KINDS))]
    account = int(events["account"][0])
    opened = log[(log["subject"] == deal) & (log["kind"] == Kind.OPENED)]
    lead = log[(log["subject"] == deal) & (log["kind"] == Kind.LEAD)]
    segment = SEGMENT_NAMES[int(lead["value"][0])] if lead.size else "a"
    who = f"Account {account} ({segment})"
    features = parameters.product.features
    lines = [
        Line(
            float(opened["day"][0]),
            f"{who} agrees to a first meeting. This is the deal to follow.",
            Kind.OPENED,
            deal,
        )
    ]
    waiting_since = math.nan
    for record in events:
        day, kind = float(record["day"]), Kind(record["kind"])
        value, code = float(record["value"]), int(record["code"])
        if kind == Kind.MEETING_WENT_BADLY:
            text = f"The first meeting with {who} goes badly: the champion is losing interest."
        elif kind == Kind.PITCHED:
            text = (
                f"To save it, the hunter pitches {features[code].name}, "
                f"'shipping in month {_month_of(value)}'. Eyes light up; more people "
                f"come to the next meeting."
            )
        elif kind == Kind.BETA_OFFERED:
            text = f"The hunter offers {who} a place as beta partner for {features[code].name}."
        elif kind == Kind.QUALIFIED:
            text = f"Discovery done: {who} is qualified, {_money(value)} a year at stake."
        elif kind == Kind.WAITING_STARTED:
            waiting_since = day
            text = f"Proposal in, but {who} will not sign before {features[code].name} ships."
        elif kind == Kind.NEW_FACES:
            people = "new face" if value == 1 else "new faces"
            text = f"Follow-up meeting: {value:.0f} {people} on the committee, to win over again."
        elif kind == Kind.RETELLING:
            text = f"The same story is told again (retelling {value:.0f})."
        elif kind == Kind.FATIGUED:
            text = "Fatigue: only the lowest-level contact still comes to the meetings."
        elif kind == Kind.REFERENCE_REQUESTED:
            text = (
                f"{features[code].name} has shipped. {who} asks for reference metrics from a "
                f"customer using it. There are none yet."
            )
        elif kind == Kind.ORPHANED:
            text = f"{who} loses its relationship: its hunter has left."
        else:
            text = _outcome_text(who, Outcome(code), value, day, waiting_since)
        lines.append(Line(day, text, kind, deal))
    lines.extend(_competitor_lines(log, events, segment))
    return lines


def _outcome_text(who: str, outcome: Outcome, acv: float, day: float, waiting_since: float) -> str:
    waited = (
        f" after waiting {(day - waiting_since) / DAYS_PER_MONTH:.0f} months"
        if math.isfinite(waiting_since)
        else ""
    )
    texts = {
        Outcome.WON: f"{who} signs{waited}: {_money(acv)} a year.",
        Outcome.LOST_COMPETITOR: f"{who} buys from a competitor{waited}.",
        Outcome.LOST_HOUSEHOLD_BRAND: f"{who} goes with the household name{waited}.",
        Outcome.LOST_NO_DECISION: f"{who} ends in no decision{waited}.",
        Outcome.DISQUALIFIED: f"{who} is disqualified.",
        Outcome.STALLED: f"{who} goes dark.",
    }
    return texts[outcome]


def _competitor_lines(log: np.ndarray, deal_events: np.ndarray, segment: str) -> list[Line]:
    """Competitors claiming a feature who became ready while the featured deal waited."""
    start = deal_events["day"][deal_events["kind"] == Kind.WAITING_STARTED]
    end = deal_events["day"][deal_events["kind"] == Kind.CLOSED]
    if not start.size:
        return []
    until = float(end[0]) if end.size else math.inf
    segment_index = SEGMENT_NAMES.index(segment) if segment in SEGMENT_NAMES else -1
    ready = log[(log["kind"] == Kind.COMPETITOR_READY) & (log["code"] >= 0)]
    return [
        Line(
            float(r["day"]),
            "A new competitor is now in the market claiming the same feature.",
            Kind.COMPETITOR_READY,
            int(r["subject"]),
        )
        for r in ready
        if float(start[0]) <= float(r["day"]) <= until and int(r["value"]) == segment_index
    ]


def _hunter_lines(log: np.ndarray, hunter: int, parameters: Parameters) -> list[Line]:
    quota = parameters.team.quota
    name = hunter_name(hunter)
    records = log[(log["actor"] == hunter) & np.isin(log["kind"], list(HUNTER_KINDS))]
    lines = []
    trailing = f"the last {quota.trailing_months:g} months"
    for record in records:
        day, kind, value = float(record["day"]), Kind(record["kind"]), float(record["value"])
        share = f"{value:.0%} of quota over {trailing}"
        if kind == Kind.QUOTA_REVIEW:
            text = f"Quota review: {name} booked {share}."
        elif kind == Kind.PLAN_STARTED:
            text = (
                f"{name} is put on the plan. Desperate, {name} is now likelier to pitch "
                f"whatever is new."
            )
        elif kind == Kind.PLAN_ENDED:
            text = f"{name} is back above the bar ({share}) and off the plan."
        else:
            still_open = log[(log["kind"] == Kind.ORPHANED) & (log["actor"] == hunter)]
            text = (
                f"Still under the bar after the plan's term: {name} leaves. "
                f"{still_open.size} open deals lose their relationship; a replacement will "
                f"start in {quota.hiring_delay_months:g} months and ramp up from scratch."
            )
        lines.append(Line(day, text, kind, hunter))
    return lines


def _quarter_lines(log: np.ndarray, hunter: int, deal: int, horizon_days: float) -> list[Line]:
    """Each quarter with pitches: the rest of the hunter's pipeline in one line."""
    own = log[log["actor"] == hunter]
    lines = []
    quarter_days = 3 * DAYS_PER_MONTH
    for quarter in range(math.ceil(horizon_days / quarter_days)):
        start, end = quarter * quarter_days, min((quarter + 1) * quarter_days, horizon_days)
        inside = own[(own["day"] >= start) & (own["day"] < end) & (own["subject"] != deal)]
        pitched = int(np.count_nonzero(inside["kind"] == Kind.PITCHED))
        won = inside[(inside["kind"] == Kind.CLOSED) & (inside["code"] == Outcome.WON)]
        if not pitched:
            continue
        waiting = _waiting_at(own, end)
        wins = (
            f"won {won.size} deal{'s' if won.size != 1 else ''} "
            f"({_money(float(won['value'].sum()))})"
            if won.size
            else "won nothing"
        )
        text = (
            f"Meanwhile this quarter the hunter pitched the new feature to {pitched} other "
            f"prospect{'s' if pitched != 1 else ''} and {wins}; "
            f"{waiting} deal{'s' if waiting != 1 else ''} wait on a release."
        )
        lines.append(Line(end - 1e-6, text))
    return lines


def _waiting_at(own: np.ndarray, day: float) -> int:
    before = own[own["day"] < day]
    started = np.count_nonzero(before["kind"] == Kind.WAITING_STARTED)
    ended = np.count_nonzero(before["kind"] == Kind.WAITING_ENDED)
    return int(started - ended)


def events_told(story: Story) -> Iterable[tuple[float, Kind, int]]:
    """The (day, kind, subject) of every event the story tells, in story order."""
    return [(line.day, line.kind, line.subject) for line in story.lines if line.kind is not None]
