"""Which replication and hunter a story follows: the ones (unless the trainer gives them) that
show the most beats of the spiral, with a sentence saying how they were chosen and a count of
how typical their pattern is."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from simulator.scenario.resolve import Scenario
from simulator.story.beats import BEATS, beats_by_hunter
from simulator.story.logs import ReplicationLogs
from simulator.story.typicality import Typicality, count_typicality
from simulator.story.wording import replications_span


class Choice(NamedTuple):
    replication: int
    hunter: int
    log: np.ndarray
    how_chosen: str
    typicality: Typicality


def find_variant(scenario: Scenario, name: str) -> int:
    for index, variant in enumerate(scenario.variants):
        if variant.name == name:
            return index
    names = ", ".join(repr(v.name) for v in scenario.variants)
    raise ValueError(f"no variant named {name!r}; the scenario has {names}")


def choose(
    scenario: Scenario,
    variant: int,
    seed: int,
    replication: int | None,
    hunter: int | None,
    search: int,
) -> Choice:
    """Choose the replication and hunter (each unless given) that show the most beats, and
    count how often that pattern happens in every variant over the replications searched."""
    logs = ReplicationLogs(scenario, seed)
    candidates = [replication] if replication is not None else list(range(search))
    ranked: list[tuple[int, int, int]] = []  # (score, replication, hunter)
    for candidate in candidates:
        beats = beats_by_hunter(logs.get(variant, candidate))
        for h in [hunter] if hunter is not None else sorted(beats):
            if h in beats:
                ranked.append((len(beats[h]), candidate, h))
    if not ranked:
        where = replications_span(candidates[0], candidates[-1])
        raise ValueError(f"hunter {hunter} never works in {where}")
    best = max(score for score, _, _ in ranked)
    score, chosen, who = next(entry for entry in ranked if entry[0] == best)
    logs.kept = (variant, chosen)
    pattern = beats_by_hunter(logs.get(variant, chosen))[who]
    if replication is None:
        ties = sum(1 for entry in ranked if entry[0] == best)
        how = (
            f"How chosen: automatically. Of the {len(ranked)} hunters in "
            f"{replications_span(0, search - 1)}, {ties} show the most beats of the spiral "
            f"({score} of {len(BEATS)}); this is the first of them (lowest replication, then "
            f"hunter)."
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
    shown = [text for key, text in BEATS if key in pattern]
    missing = [text for key, text in BEATS if key not in pattern]
    how += f" Shown: {', '.join(shown) or 'none'}."
    if missing:
        how += f" Not in this story: {', '.join(missing)}."
    typical = count_typicality(scenario, logs, search, pattern)
    return Choice(chosen, who, logs.get(variant, chosen), how, typical)
