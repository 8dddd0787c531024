"""``salesim goal``: the least (or most) of a decision input that meets a target with a given
probability, or with ``--split`` the best split of a fixed budget between two inputs. A thin
command: it checks the options (exit 2 with the path and what is allowed) and calls
``simulator.decide.seeking``."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer

from simulator.cli.common import ScenarioArg, SetOption, bad, json_option, load, out
from simulator.cli.decide import (
    Backend,
    OutDir,
    Scheduler,
    Seed,
    VariantOption,
    Workers,
    emit,
    run_job,
    start_job,
)
from simulator.decide.console import goal_output, split_output
from simulator.decide.goal import RELATIVE_TOLERANCE
from simulator.decide.seeking import feasible, run_goal, run_split
from simulator.decide.settings import decision_input, default_range, variant_named
from simulator.decide.split import GRID_POINTS
from simulator.decide.values import parse_amount, parse_target
from simulator.parameters import Parameters
from simulator.parameters.paths import PathError
from simulator.runs import planning

GOAL_REPLICATIONS = 40
SEARCHES = 3  # the answer and the two ends of its interval


def goal(
    scenario: ScenarioArg,
    target_text: Annotated[
        str, typer.Option("--target", help="METRIC>=VALUE or METRIC<=VALUE, e.g. 'arr_end>=15M'")
    ],
    find: Annotated[
        str | None, typer.Option(help="the decision input to search, e.g. team.hunters")
    ] = None,
    split: Annotated[
        str | None,
        typer.Option(help="instead of --find: two inputs sharing --total, PATH_A,PATH_B"),
    ] = None,
    total: Annotated[
        str | None, typer.Option(help="with --split: the budget the two share, e.g. 30000")
    ] = None,
    probability: Annotated[
        float, typer.Option(help="share of replications that must meet the target")
    ] = 0.8,
    largest: Annotated[
        bool, typer.Option("--largest", help="the largest value meeting it, not the smallest")
    ] = False,
    within: Annotated[
        str | None,
        typer.Option(help="search range LOW:HIGH [default: the input's documented range]"),
    ] = None,
    tolerance: Annotated[
        float | None,
        typer.Option(help="precision of a continuous answer [default: 1% of the range]"),
    ] = None,
    variant: VariantOption = None,
    replications: Annotated[
        int, typer.Option("-n", "--replications", min=2, help="replications per value tried")
    ] = GOAL_REPLICATIONS,
    seed: Seed = planning.DEFAULT_SEED,
    workers: Workers = None,
    backend: Backend = "local",
    scheduler: Scheduler = None,
    out_dir: OutDir = Path("results"),
    json_out: Annotated[str | None, json_option("the answer")] = None,
    overrides: SetOption = None,
) -> None:
    """Find the least (or --largest) value of an input that meets --target with --probability,
    searched on the same random markets, with the answer's interval; or with --split A,B
    --total X, the best split of a budget."""
    loaded = load(scenario, overrides)
    try:
        target = parse_target(target_text)
        chosen = variant_named(loaded, variant)
        if (find is None) == (split is None):
            raise ValueError("give --find PATH, or --split PATH_A,PATH_B with --total")
        if not 0 < probability < 1:
            raise ValueError(f"--probability {probability:g}: allowed: between 0 and 1")
        if split is not None:
            paths = [p.strip() for p in split.split(",") if p.strip()]
            if len(paths) != 2 or paths[0] == paths[1] or total is None:
                raise ValueError("--split: give two different inputs PATH_A,PATH_B and --total")
            budget = parse_amount(total)
            first, second = (decision_input(loaded, [chosen], p, [], "--split") for p in paths)
            low, high = feasible(first, second, budget)
            if not (math.isfinite(low) and math.isfinite(high) and low < high):
                raise ValueError(
                    f"--split {split} --total {total}: no split fits what the two allow "
                    f"({first.path}: {first.bounds.allowed()}; {second.path}: "
                    f"{second.bounds.allowed()})"
                )
            decision_input(loaded, [chosen], first.path, [low, high], "--split")
            decision_input(loaded, [chosen], second.path, [budget - high, budget - low], "--split")
            planned = (GRID_POINTS + 10) * replications
        else:
            if total is not None:
                raise ValueError("--total: only with --split")
            assert find is not None
            low, high = _range(find, within, chosen.parameters)
            found = decision_input(loaded, [chosen], find, [low, high], "--find")
            evaluations = (
                math.ceil(math.log2(high - low + 1)) + SEARCHES
                if found.integer
                else SEARCHES * math.ceil(math.log2(1 / RELATIVE_TOLERANCE))
            )
            planned = evaluations * replications
    except (ValueError, PathError) as error:
        raise bad(str(error)) from None
    job = start_job(
        loaded, replications, seed, workers, backend, scheduler, out_dir, [chosen], planned
    )
    if split is not None:
        decision = run_job(
            job,
            f"split {split}",
            planned,
            lambda: run_split(
                job, chosen, first, second, budget, target, target.at_least, tolerance
            ),
        )
        emit(decision, json_out, lambda: out.print(split_output(decision)), job)
        return
    decision = run_job(
        job,
        f"goal {find}",
        planned,
        lambda: run_goal(job, chosen, found, target, probability, low, high, largest, tolerance),
    )
    emit(decision, json_out, lambda: out.print(goal_output(decision)), job)


def _range(path: str, within: str | None, parameters: Parameters) -> tuple[float, float]:
    """The search range: ``--within LOW:HIGH``, else the input's documented range around the
    scenario's own value."""
    if within is not None:
        parts = within.split(":")
        if len(parts) != 2:
            raise ValueError(f"--within {within!r}: expected LOW:HIGH, e.g. 2:20")
        low, high = (parse_amount(p) for p in parts)
        if not low < high:
            raise ValueError(f"--within {within!r}: must go from low to high")
        return low, high
    try:
        return default_range(parameters, path, "--find")
    except ValueError as error:
        raise ValueError(f"{error}; or give --within LOW:HIGH") from None
