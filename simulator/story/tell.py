"""``tell``: choose the story, tell its parts from the log and put them together in order."""

from __future__ import annotations

from simulator.scenario.resolve import Scenario
from simulator.story.beats import featured_deal
from simulator.story.choice import choose, find_variant
from simulator.story.deal import deal_events
from simulator.story.document import Story
from simulator.story.hunter import hired_event, hunter_events
from simulator.story.quarters import quarters
from simulator.story.roadmap import roadmap_events
from simulator.story.tenure import Tenure

SEARCH = 40  # replications searched for the story, and counted for how typical it is


def tell(
    scenario: Scenario,
    variant_name: str,
    seed: int,
    replication: int | None = None,
    hunter: int | None = None,
    search: int = SEARCH,
) -> Story:
    if search < 1:
        raise ValueError("search must be at least 1 replication")
    variant = find_variant(scenario, variant_name)
    parameters = scenario.variants[variant].parameters
    choice = choose(scenario, variant, seed, replication, hunter, search)
    tenure = Tenure(choice.log, choice.hunter, parameters, scenario.horizon_days)
    deal = featured_deal(choice.log, choice.hunter)
    events = sorted(
        [
            hired_event(tenure),
            *roadmap_events(tenure),
            *deal_events(tenure, deal),
            *hunter_events(tenure),
        ],
        key=lambda event: (event.day, event.seq),
    )
    return Story(
        scenario.name,
        variant_name,
        seed,
        choice.replication,
        choice.hunter,
        tenure.name,
        choice.how_chosen,
        choice.typicality,
        tuple(events),
        tuple(quarters(tenure)),
        choice.log,
        parameters.team.quota.usd_per_month,
        parameters.team.quota.plan_threshold,
        scenario.horizon_days,
        deal,
        tenure.left_day,
    )
