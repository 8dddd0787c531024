"""The death spiral (MODEL.md 4.1.1, 4.1.2) on two markets, the roadmap, and story mode.

Facts are paired comparisons over the same replications (common random numbers): the 95%
confidence interval of the paired difference must lie entirely on the predicted side of zero.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.aggregate import paired_difference
from simulator.cli import app
from simulator.events import Kind
from simulator.experiment import replication_log, run_experiment
from simulator.scenario import load_scenario
from simulator.story import tell
from simulator.story.beats import DEAL_KINDS, HUNTER_KINDS, ROADMAP_KINDS
from simulator.units import DAYS_PER_MONTH
from tests.conftest import SCENARIOS, TEST_SCENARIOS, bundled, column, scenario_from

SEED = 11
REPLICATIONS = 30
MARKETS = {
    "default market": SCENARIOS / "death-spiral.yaml",
    "enterprise-only market": TEST_SCENARIOS / "enterprise-only.yaml",
}


@pytest.fixture(scope="module", params=sorted(MARKETS))
def spiral(request):
    scenario = load_scenario(MARKETS[request.param], ["horizon_months=24"])
    return run_experiment(scenario, REPLICATIONS, SEED, workers=2).summary


def difference(summary, variant, baseline, metric):
    d = paired_difference(column(summary, variant, metric), column(summary, baseline, metric))
    print(f"{metric}: {variant} - {baseline} = {d.mean:.4g} [{d.low:.4g}, {d.high:.4g}]")
    return d


def test_vaporware_wins_meetings_and_loses_everything_else(spiral):
    """4.1.1: pitching the announced feature fills the first quarter with meetings, then costs
    bookings, win rate, cycle time, and puts more hunters on the plan and out of the door."""
    vs = "vaporware", "available_only"
    assert difference(spiral, *vs, "meetings_q1").low > 0
    assert difference(spiral, *vs, "bookings_24m").high < 0
    assert difference(spiral, *vs, "win_rate").high < 0
    assert difference(spiral, *vs, "cycle_days_won_median").low > 0
    assert difference(spiral, *vs, "hunters_put_on_plan").low > 0
    assert difference(spiral, *vs, "hunter_attrition").low > 0


def test_beta_partner_beats_vaporware(spiral):
    """4.1.2: selling the feature openly as a beta books more and earns references sooner."""
    vs = "beta_partner", "vaporware"
    assert difference(spiral, *vs, "bookings_24m").low > 0
    assert difference(spiral, *vs, "feature_references").low > 0


def test_release_never_precedes_plan_and_slips_only_later():
    """The actual release is never before the internal plan, each slip moves it later, and the
    promised date never comes after the plan."""
    scenario = bundled("death-spiral", "horizon_months=60")
    features = scenario.variants[0].parameters.product.features
    for replication in range(20):
        log = replication_log(
            scenario.variants[1].parameters, scenario.horizon_months, SEED, replication
        )
        for index, feature in enumerate(features):
            planned = feature.planned_release_month * DAYS_PER_MONTH
            released = log[(log["kind"] == Kind.FEATURE_RELEASED) & (log["subject"] == index)]
            slips = log[(log["kind"] == Kind.RELEASE_SLIPPED) & (log["subject"] == index)]
            assert released.size == 1
            assert released["day"][0] >= planned - 1e-9
            assert len(slips) <= feature.slip.max_slips
            new_dates = np.concatenate([[planned], slips["value"]])
            assert np.all(np.diff(new_dates) > 0)
            assert released["day"][0] == pytest.approx(new_dates[-1])


def test_without_slips_waiting_deals_close_by_release_plus_remaining_stages():
    """With zero slip the feature ships on its planned day; a deal waiting on it stops waiting
    then, and closes no later than the release plus what is left after the wait (the wait for
    references, or the sponsorless time-out)."""
    features = [
        {
            "name": "Next thing",
            "announced_month": 1,
            "promised_release_month": 3,
            "planned_release_month": 6,
            "slip": {"probability": 0.0},
            "need_probability": {"enterprise": 0.3, "mid_market": 0.3},
            "fit_gain": 0.2,
        }
    ]
    scenario = scenario_from(
        {"product": {"features": features}, "strategy": {"pitch": "vaporware"}},
        "horizon_months=24",
    )
    parameters = scenario.variants[0].parameters
    pitching, release = parameters.process.pitching, 6 * DAYS_PER_MONTH
    waited = 0
    for replication in range(10):
        log = replication_log(parameters, scenario.horizon_months, SEED, replication)
        assert log["day"][log["kind"] == Kind.FEATURE_RELEASED][0] == pytest.approx(release)
        for subject in log["subject"][log["kind"] == Kind.WAITING_STARTED].tolist():
            events = log[log["subject"] == subject]
            ended = events["day"][events["kind"] == Kind.WAITING_ENDED]
            closed = events["day"][events["kind"] == Kind.CLOSED]
            opened = events["day"][events["kind"] == Kind.OPENED][0]
            assert ended.size == 1 and ended[0] <= release + 1e-9
            if closed.size:
                latest = max(
                    release + pitching.reference_wait_days,
                    opened + parameters.process.sponsorless_timeout_days,
                )
                assert closed[0] <= latest + 1e-9
            waited += 1
    assert waited > 0


@pytest.fixture(scope="module")
def story():
    return tell(bundled("death-spiral"), "vaporware", seed=1, replication=0, search=2)


def test_story_tells_the_logged_events_in_date_order(story):
    """Every roadmap event, every quota event of the hunter and every event of the featured deal
    in the log is told, each once, and the lines are in date order."""
    days = [event.day for event in story.events]
    assert days == sorted(days)
    told = [(event.day, event.logged, event.subject) for event in story.events]
    log = story.log
    expected = [
        *[(r["day"], Kind(r["kind"]), r["subject"]) for r in log if r["kind"] in ROADMAP_KINDS],
        *[
            (r["day"], Kind(r["kind"]), r["actor"])
            for r in log
            if r["kind"] in HUNTER_KINDS and r["actor"] == story.hunter
        ],
        *[
            (r["day"], Kind(r["kind"]), r["subject"])
            for r in log
            if r["kind"] in DEAL_KINDS and r["subject"] == story.deal
        ],
    ]
    assert story.deal >= 0
    for event in expected:
        assert told.count(event) == 1, event
    lines = story.text(width=10_000).splitlines()
    rendered = [line for line in lines if re.match(r"Month +\d+  ", line)]
    assert rendered == [f"Month {month:>2}  {text}" for month, text, _ in story.lines()]
    months = [month for month, _, _ in story.lines()]
    assert months == sorted(months)


def test_default_story_shows_the_spiral_and_says_why():
    told = tell(bundled("death-spiral"), "vaporware", seed=1, search=5)
    assert "8 of 8" in told.how_chosen
    kinds = {event.logged for event in told.events}
    for kind in (Kind.PITCHED, Kind.PROMISE_MOVED, Kind.NEW_FACES, Kind.PLAN_STARTED):
        assert kind in kinds


def test_story_command_prints_and_writes_a_page(tmp_path):
    runner = CliRunner()
    result = runner.invoke(
        app,
        ["story", "death-spiral", "--variant", "vaporware", "--replication", "0", "--hunter", "6",
         "--search", "2", "--html", "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "the story of" in result.output
    (page,) = tmp_path.glob("story-*.html")
    assert str(page) in result.output.replace("\n", "")
    html = page.read_text()
    assert "Plotly.newPlot" in html and "story-timeline" in html
    assert "<script src=" not in html  # plotly.js is embedded, nothing is fetched
    bad = runner.invoke(app, ["story", "death-spiral", "--variant", "no such variant"])
    assert bad.exit_code == 2 and "no variant named" in bad.stderr
