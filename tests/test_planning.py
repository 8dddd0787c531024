"""Checks before a run starts, as plain functions: the plan options must fit together, and an
unfinished run is continued by the command that started it. (The command line's own tests run
them through `salesim run`.)"""

from __future__ import annotations

import math
import shlex

import pytest

from simulator.runs.experiment import Plan, Study
from simulator.runs.planning import (
    DEFAULT_MAX_REPLICATIONS,
    DEFAULT_REPLICATIONS,
    Asked,
    PlanError,
    asked_plan,
    check_out_dir,
    precision_line,
    resume_command,
)
from simulator.runs.store import RunState


def test_the_plan_options_as_asked():
    assert asked_plan(None, None, None, None, "local", None) == Asked(
        DEFAULT_REPLICATIONS, False, None, "bookings_24m"
    )
    assert asked_plan(7, None, None, None, "local", None) == Asked(7, True, None, "bookings_24m")
    assert asked_plan(None, 0.05, "win_rate", None, "dask", "tcp://x:8786") == Asked(
        DEFAULT_MAX_REPLICATIONS, False, 0.05, "win_rate"
    )
    assert asked_plan(None, 0.05, None, 90, "local", None).plan(2) == Plan(90, 10, 0.05)
    assert asked_plan(40, None, None, None, "local", None).plan(1) == Plan.fixed(40, 1)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ((None, None, None, None, "cloud", None), "--backend: 'cloud' is not a backend"),
        ((None, None, None, None, "local", "tcp://x"), "--scheduler: only with --backend dask"),
        ((None, 0.1, "bogus", None, "local", None), "--metric: 'bogus' is not a summary metric"),
        ((5, 0.1, None, None, "local", None), "-n/--replications: not with --precision"),
        ((None, None, "win_rate", None, "local", None), "only with --precision"),
        ((None, 1.5, None, None, "local", None), "--precision: 1.5 is a share"),
    ],
)
def test_options_that_do_not_fit_together_say_why(options, message):
    with pytest.raises(PlanError, match=message.replace("(", r"\(")):
        asked_plan(*options)


def test_out_must_be_a_folder(tmp_path):
    check_out_dir(tmp_path / "new" / "results")  # to be made: fine
    (tmp_path / "file").write_text("")
    with pytest.raises(PlanError, match=r"not a folder \(.*file is a file\)"):
        check_out_dir(tmp_path / "file" / "results")


def test_the_resume_command_repeats_what_the_run_needs(tmp_path):
    source = tmp_path / "my scenario.yaml"
    source.write_text("name: x\n")
    state = RunState(
        {"name": "x", "source": str(source)},
        3,
        Plan(50, 10, 0.02, "win_rate"),
        ["market.accounts=200"],
        "2026-11-29T16:56:47+00:00",
    )
    final = tmp_path / "results" / "run-1"
    words = shlex.split(resume_command(final, state, "asked-name"))
    assert words == [
        "salesim", "run", str(source), "--set", "market.accounts=200",
        "--precision", "0.02", "--metric", "win_rate", "--resume", str(final),
    ]  # fmt: skip
    gone = RunState({"name": "x", "source": str(tmp_path / "moved.yaml")}, 3, Plan(4, 2))
    assert shlex.split(resume_command(final, gone, "asked-name"))[2] == "asked-name"


def test_the_precision_line_says_whether_the_target_was_reached():
    plan = Plan(100, 10, 0.02, "win_rate")
    reached = Study(60, True, [0.015, 0.01], [2.0, 3.0], [1.5, 1.2], 120, 1.0, 2)
    assert precision_line(plan, reached) == (
        "Precision on win_rate: ±1.50% of the baseline mean after 60 replications per "
        "variant; target ±2% reached."
    )
    capped = Study(100, False, [0.03], [2.0], [1.5], 200, 1.0, 2)
    assert "NOT reached: the replication cap was hit" in precision_line(plan, capped)
    undefined = Study(100, False, [math.inf], [math.nan], [math.nan], 200, 1.0, 2)
    assert "the baseline mean is 0" in precision_line(plan, undefined)


def test_nothing_here_prints(capsys):
    with pytest.raises(PlanError):
        asked_plan(None, None, None, None, "cloud", None)
    assert capsys.readouterr() == ("", "")
