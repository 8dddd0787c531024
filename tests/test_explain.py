"""`salesim explain`: the sampled Shapley split of a paired verdict between the mechanisms.

The estimator is checked against the exact Shapley values of the same replications (every
subset of three mechanisms run), a mechanism whose cause is absent gets exactly nothing, one
mechanism alone gets the whole effect of the named ones, and the verdict with every switch on
is the one `salesim run` measures. The command writes its answer, table and page, and exits 2
on a mistake."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy.stats import t
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.explain.engine import Question, explain, order_of, split_replication, with_on
from simulator.parameters import MECHANISMS
from simulator.runs.experiment import run_replication
from tests.conftest import bundled

runner = CliRunner()
SMALL = ("market.accounts=1500", "team.hunters=4")
THREE = ("pitch_habit", "osborne_switch", "waiting_holds_slot")


def _question(mechanisms: tuple[str, ...], *overrides: str, horizon: int = 24) -> Question:
    variants = {v.name: v.parameters for v in bundled("death-spiral", *SMALL, *overrides).variants}
    return Question(
        variants["vaporware"],
        variants["available_only"],
        horizon,
        7,
        mechanisms,
        (f"bookings_{horizon}m",),
    )


def _exact_shapley(question: Question, replication: int) -> np.ndarray:
    """Every subset's verdict, then the Shapley formula: the exact values of one replication."""
    names = question.mechanisms
    k = len(names)

    def verdict(on: frozenset[str]) -> float:
        values = [
            run_replication(with_on(p, names, on), question.horizon_months, question.seed,
                            replication).summary["bookings_24m"]
            for p in (question.compare, question.baseline)
        ]  # fmt: skip
        return values[0] - values[1]

    v = {frozenset(s): verdict(frozenset(s))
         for r in range(k + 1) for s in itertools.combinations(names, r)}  # fmt: skip
    exact = np.zeros(k)
    for j, name in enumerate(names):
        for subset, value in v.items():
            if name in subset:
                continue
            weight = math.factorial(len(subset)) * math.factorial(k - len(subset) - 1)
            exact[j] += weight / math.factorial(k) * (v[subset | {name}] - value)
    return exact


def test_the_sampled_split_is_the_exact_shapley_split_within_its_monte_carlo_error() -> None:
    """Each replication's step along a random order is an unbiased draw of that replication's
    exact Shapley value: over 16 replications the differences' 95% interval holds 0."""
    question = _question(THREE)
    n = 16
    sampled = np.array([split_replication(question, i).shapley[:, 0] for i in range(n)])
    exact = np.array([_exact_shapley(question, i) for i in range(n)])
    assert np.abs(exact).max() > 1_000  # the three do move the verdict here
    for j in range(len(THREE)):
        pairs = (sampled[:, j] - exact[:, j]).reshape(-1, 2).mean(axis=1)  # antithetic pairs
        half = t.ppf(0.975, pairs.size - 1) * pairs.std(ddof=1) / math.sqrt(pairs.size)
        assert abs(pairs.mean()) <= half + 1e-6, (THREE[j], pairs.mean(), half)
    # the exact values, like the sampled steps, add up to v(all) - v(none) in each replication
    splits = [split_replication(question, i) for i in range(n)]
    explained = np.array([s.total[0] - s.unexplained[0] for s in splits])
    assert np.allclose(exact.sum(axis=1), explained)


def test_the_verdict_with_every_switch_on_is_the_one_a_plain_run_measures() -> None:
    question = _question(THREE)
    for i in range(3):
        plain = (
            run_replication(question.compare, 24, 7, i).summary["bookings_24m"]
            - run_replication(question.baseline, 24, 7, i).summary["bookings_24m"]
        )
        assert split_replication(question, i).total[0] == pytest.approx(plain, abs=1e-6)


def test_a_mechanism_whose_cause_is_absent_gets_exactly_nothing() -> None:
    """An honest roadmap never breaks a promise: the broken-dates mechanism has no share in any
    replication, whatever order it was switched on in."""
    honest = [
        f"product.features[{i}].{setting}"
        for i in (0, 1)
        for setting in ("promised_release_month=21" if i else "promised_release_month=7",
                        "slip.probability=0")
    ]  # fmt: skip
    question = _question(("broken_promises", "pitch_habit"), *honest)
    for i in range(6):
        split = split_replication(question, i)
        assert split.shapley[0, 0] == 0.0 and split.alone_off[0, 0] == 0.0


def test_one_mechanism_alone_gets_the_whole_effect_of_those_named() -> None:
    """New faces replace nobody and fatigue costs nothing here: the broken dates carry all of
    v(all) - v(none)."""
    question = _question(
        ("new_faces", "broken_promises", "fatigue"),
        "process.pitching.new_faces_per_month=0",
        "process.pitching.fatigue_utility_penalty=0",
        "process.pitching.fatigue_retellings=100",
    )
    moved = 0
    for i in range(6):
        split = split_replication(question, i)
        assert split.shapley[0, 0] == 0.0 and split.shapley[2, 0] == 0.0
        assert split.shapley[1, 0] == pytest.approx(split.total[0] - split.unexplained[0])
        moved += split.shapley[1, 0] != 0.0
    assert moved  # broken dates do change deals here: the test is not vacuous


def test_orders_are_antithetic_pairs_and_do_not_depend_on_the_worker() -> None:
    first, second = order_of(3, 10, 6), order_of(3, 11, 6)
    assert sorted(first) == list(range(6)) and second == first[::-1]
    question = _question(THREE, horizon=12)
    one = explain(question, 4, 0.0, workers=1)
    two = explain(question, 4, 0.0, workers=2)
    assert [s.shapley.tolist() for s in one.splits] == [s.shapley.tolist() for s in two.splits]


def test_the_command_writes_its_answer_table_and_page(tmp_path: Path) -> None:
    out = tmp_path / "results"
    result = runner.invoke(
        app,
        ["explain", "death-spiral", "--compare", "vaporware", "--mechanisms",
         "pitch_habit,waiting_holds_slot,going_dark", "-n", "4", "--workers", "1",
         "--out", str(out), "--json", "-", *(a for s in SMALL for a in ("--set", s))],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["replications"] == 4 and data["baseline"] == "available_only"
    assert data["mechanisms"] == ["pitch_habit", "waiting_holds_slot"]
    assert data["idle"] == ["going_dark"]  # nobody goes dark in death-spiral: no share to give
    assert [s["metric"] for s in data["splits"]] == ["bookings_24m", "bookings_12m", "bookings_36m"]
    headline = data["splits"][0]
    explained = sum(m["shapley"]["mean"] for m in headline["mechanisms"])
    assert explained + headline["unexplained"]["mean"] == pytest.approx(headline["total"]["mean"])
    (folder,) = out.iterdir()
    assert json.loads((folder / "explain.json").read_text()) == data
    table = pq.read_table(folder / "replications.parquet")
    assert table.num_rows == 4 * 3 * (3 + 2)  # replications x metrics x (mechanisms + none, all)
    page = (folder / "report.html").read_text()
    assert "Where the" in page and "Waiting deals hold a slot" in page
    assert "Never acting here" in page and "Deals going dark" in page
    # 4 replications cannot reach ±25%: the page and the answer say the split has not settled
    assert data["precision_reached"] > data["precision_asked"]
    assert "Not settled: after 4 replications" in page
    assert "<script src=" not in page  # plotly.js embedded: opens offline


@pytest.mark.parametrize(
    "arguments, says",
    [
        (["--compare", "nope"], "no such variant"),
        (["--compare", "available_only"], "it is the baseline"),
        (["--compare", "vaporware", "--mechanisms", "pitch_habbit"], "allowed: pitch_habit"),
        (["--compare", "vaporware", "--metric", "bookings"], "not a summary metric"),
        (["--compare", "vaporware", "--horizon-months", "12"], "at least 24 months"),
        (["--compare", "vaporware", "--set", "mechanisms.fatigue=maybe"], "mechanisms.fatigue"),
    ],
)
def test_mistakes_exit_2_with_what_was_given(arguments: list[str], says: str, tmp_path) -> None:
    result = runner.invoke(app, ["explain", "death-spiral", *arguments, "--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert says in result.output
    assert not list(tmp_path.iterdir())  # nothing half-written


def _answer_file(tmp_path: Path, scenario: str) -> Path:
    """A stored answer with two mechanisms, as `salesim explain` writes it."""

    def share(mean: float) -> dict[str, float]:
        return {"mean": mean, "low": mean - 1, "high": mean + 1}

    answer = {
        "scenario": scenario, "compare": "vaporware", "baseline": "available_only",
        "replications": 56,
        "splits": [{
            "metric": "bookings_24m", "total": share(-700_000.0), "unexplained": share(200_000.0),
            "mechanisms": [
                {"name": "pitch_habit", "title": "Pitch habit", "shapley": share(-300_000.0)},
                {"name": "fatigue", "title": "Fatigue from retellings",
                 "shapley": share(-600_000.0)},
            ],
        }],
    }  # fmt: skip
    path = tmp_path / "explain.json"
    path.write_text(json.dumps(answer))
    return path


def test_a_story_names_the_mechanisms_that_carry_the_verdict(tmp_path: Path) -> None:
    path = _answer_file(tmp_path, "Death spiral")
    result = runner.invoke(
        app, ["story", "death-spiral", "--replication", "0", "--hunter", "0", "--search", "2",
              "--explain", str(path), "--json", "-"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    chosen = json.loads(result.stdout)["how_chosen"]
    assert "What carries vaporware − available_only (−$700k" in chosen
    assert chosen.index("fatigue from retellings −$600k") < chosen.index("pitch habit −$300k")
    wrong = runner.invoke(app, ["replay", "--explain", str(_answer_file(tmp_path, "Baseline"))])
    assert wrong.exit_code == 2 and "explains scenario 'Baseline'" in wrong.output


WHERE_IT_ACTS = {
    # mechanism: (bundled scenario, variant, overrides that give it a cause)
    "pitch_habit": ("death-spiral", "vaporware", ()),
    "desperation": ("death-spiral", "available_only", ()),
    "osborne_switch": ("death-spiral", "vaporware", ()),
    "poisoned_accounts": ("death-spiral", "vaporware", ()),
    "repitch": ("death-spiral", "vaporware", ("product.features[1].announced_month=6",
                                              "product.features[1].promised_release_month=9",
                                              "product.features[1].planned_release_month=12")),
    "new_faces": ("death-spiral", "vaporware", ()),
    "fatigue": ("death-spiral", "vaporware", ()),
    "broken_promises": ("death-spiral", "vaporware", ()),
    "missing_references": ("death-spiral", "vaporware", ()),
    "competitor_claims": ("death-spiral", "vaporware", ()),
    "waiting_timeout": ("death-spiral", "vaporware", ("process.pitching.waiting_timeout_days=90",)),
    "waiting_holds_slot": ("death-spiral", "vaporware", ()),
    "quota_pressure": ("death-spiral", "vaporware", ()),
    "critical_dates": ("baseline", "baseline", ("process.critical_date.probability=0.5",)),
    "going_dark": ("baseline", "baseline", ("process.going_dark.rate_per_month=0.1",)),
    "sector_voices": ("baseline", "baseline", ()),
    "exclusivity": ("baseline", "baseline", ("process.exclusivity_probability=0.6",)),
    "mutual_plan": ("handoff", "transition_vision", ()),
    "quarter_end_push": ("baseline", "baseline", ("team.quarter_end.pull_in_probability=0.5",)),
    "entrants": ("death-spiral", "vaporware", ()),
    "word_of_mouth": ("baseline", "baseline", ()),
    "brand_standing": ("advertising", "brand stopped at month 18", ()),
}  # fmt: skip


def test_every_switch_names_a_mechanism_that_acts_somewhere() -> None:
    """No dead switch: each one, where its cause is present, changes a replication's bookings
    when switched off (and nothing but its own effect: the rest of the run is the same)."""
    assert set(WHERE_IT_ACTS) == set(MECHANISMS)
    for name, (scenario, variant, overrides) in WHERE_IT_ACTS.items():
        loaded = bundled(scenario, *SMALL, "horizon_months=24", *overrides)
        parameters = next(v.parameters for v in loaded.variants if v.name == variant)
        off = with_on(parameters, (name,), frozenset())
        moved = any(
            run_replication(parameters, 24, 5, i).summary["bookings_24m"]
            != run_replication(off, 24, 5, i).summary["bookings_24m"]
            for i in range(6)
        )
        assert moved, f"mechanisms.{name} changed nothing where its cause is present"
