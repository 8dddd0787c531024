"""``build_replay``: check the variants asked for, choose the replication, and replay it."""

from __future__ import annotations

from simulator.recovery.arms import arms_scenario
from simulator.replay.captions import captions, variant_beats
from simulator.replay.document import Replay
from simulator.replay.frames import variant_replay
from simulator.replay.select import select
from simulator.runs.experiment import replication_log
from simulator.scenario.resolve import Scenario
from simulator.units import DAYS_PER_MONTH

MIN_VARIANTS, MAX_VARIANTS = 2, 3  # side by side on one projector screen


def parse_variants(scenario: Scenario, given: str | None) -> list[int]:
    """The indices of ``A,B[,C]``; by default the scenario's first two variants. Raises
    ValueError naming what was given and what is allowed."""
    known = [v.name for v in scenario.variants]
    allowed = ", ".join(known)
    if given is None:
        if len(known) < MIN_VARIANTS:
            raise ValueError(
                f"a replay compares {MIN_VARIANTS} or {MAX_VARIANTS} variants; the scenario has "
                f"only {allowed}"
            )
        return [0, 1]
    names = [name.strip() for name in given.split(",")]
    if not MIN_VARIANTS <= len(names) <= MAX_VARIANTS:
        raise ValueError(
            f"--variants {given!r}: give {MIN_VARIANTS} or {MAX_VARIANTS} variants, "
            f"comma-separated (got {len(names)}); the scenario has {allowed}"
        )
    unknown = [name for name in names if name not in known]
    if unknown:
        raise ValueError(
            f"--variants {given!r}: no variant named {', '.join(map(repr, unknown))}; "
            f"the scenario has {allowed}"
        )
    if len(set(names)) < len(names):
        raise ValueError(f"--variants {given!r}: each variant once; the scenario has {allowed}")
    return [known.index(name) for name in names]


def branched(scenario: Scenario, variants: list[int], month: int) -> tuple[Scenario, list[int]]:
    """The scenario of a branch replay: the first variant (never used), the second (kept to
    the end) and the second stopped at ``month`` (the first's strategy from then on), in that
    order. ValueError when the branch cannot be made."""
    if len(variants) != MIN_VARIANTS:
        raise ValueError(
            f"--branch-at plays three futures of two variants (never, kept); give "
            f"--variants A,B (got {len(variants)})"
        )
    never, kept = (scenario.variants[i] for i in variants)
    return arms_scenario(scenario, never, kept, [month]), [0, 1, 2]


def build_replay(
    scenario: Scenario,
    variants: list[int],
    seed: int,
    replication: int | None,
    search: int,
    branch_at: int | None = None,
) -> Replay:
    """Replay the chosen replication of every variant in ``variants`` (indices, page order);
    with ``branch_at``, the three futures of the first two (never, kept, stopped then)."""
    if branch_at is not None:
        scenario, variants = branched(scenario, variants, branch_at)
    selection = select(scenario, variants, seed, replication, search)
    horizon = scenario.horizon_months
    horizon_days = horizon * DAYS_PER_MONTH
    replays, beats = [], {}
    for index in variants:
        spec = scenario.variants[index]
        log = replication_log(spec.parameters, horizon, seed, selection.replication)
        replay = variant_replay(spec.name, log, spec.parameters, horizon)
        replays.append(replay)
        beats[spec.name] = variant_beats(replay, log, spec.parameters, horizon_days)
    return Replay(
        scenario.name, tuple(replays), selection, captions(beats), horizon, branch_at=branch_at
    )
