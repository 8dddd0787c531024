"""Replay mode for a training room: the frame data agree with the event log and the run's
metrics, the captions are the story's beats, the replication played is the typical one, bad
input exits 2, and the page plays offline in a real browser (Debian's Chromium through
Playwright, no browser download), one frame per month, with play, space and arrows.

A small death-spiral world (600 accounts, 24 months, 4 replications searched) keeps it fast.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.metrics.measure import monthly
from simulator.model.events import Kind, Outcome
from simulator.replay.build import build_replay, parse_variants
from simulator.replay.captions import PER_MONTH
from simulator.replay.figure import replay_figure
from simulator.replay.frames import GONE, OPEN_KEYS
from simulator.replay.look import LANE_COLOURS
from simulator.replay.page import replay_html
from simulator.runs.experiment import replication_log, run_replication
from simulator.story import tell
from simulator.story.months import ROUNDING, month_of
from simulator.units import DAYS_PER_MONTH
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, bundled

SMALL = ("market.accounts=600", "horizon_months=24")
SET = [word for setting in SMALL for word in ("--set", setting)]
SEED, SEARCH = 2, 4
VARIANTS = [0, 1]  # available_only, vaporware
runner = CliRunner()


@pytest.fixture(scope="module")
def scenario():
    return bundled("death-spiral", *SMALL)


@pytest.fixture(scope="module")
def replay(scenario):
    return build_replay(scenario, VARIANTS, SEED, None, SEARCH)


def logs(scenario, replication: int) -> list[np.ndarray]:
    return [
        replication_log(scenario.variants[v].parameters, 24, SEED, replication) for v in VARIANTS
    ]


# --- the frame data --------------------------------------------------------------------------


def test_one_state_per_month_and_pipeline_counts_add_up_to_the_open_deals(scenario, replay):
    """Open at a month's end: opened in that month or before, not closed by then (months as
    the story counts them); the four kinds of open deal add up to that, counted from the log."""
    for variant, log in zip(
        replay.variants, logs(scenario, replay.selection.replication), strict=True
    ):
        month = (log["day"] / DAYS_PER_MONTH + ROUNDING).astype(int) + 1
        kind = log["kind"]
        lost = (kind == Kind.CLOSED) & (log["code"] == Outcome.LOST_HOUSEHOLD_BRAND)
        assert [m.month for m in variant.months] == list(range(1, scenario.horizon_months + 1))
        for now in variant.months:
            opened = np.count_nonzero((kind == Kind.OPENED) & (month <= now.month))
            closed = np.count_nonzero((kind == Kind.CLOSED) & (month <= now.month))
            assert sum(now.pipeline[key] for key in OPEN_KEYS) == now.open_deals == opened - closed
            assert now.pipeline["lost_household"] == np.count_nonzero(lost & (month <= now.month))
        last = variant.months[-1]
        table = monthly(log, scenario.horizon_months, 600)
        assert last.open_deals == table["open_opportunities"][-1]  # the run's own monthly table
    vaporware = replay.variants[1]
    assert max(m.pipeline["waiting"] for m in vaporware.months) > 0, "the spiral shows"


def test_bookings_so_far_are_the_runs_metric(scenario, replay):
    r = replay.selection.replication
    booked = []
    for index, variant in zip(VARIANTS, replay.variants, strict=True):
        parameters = scenario.variants[index].parameters
        summary = run_replication(parameters, scenario.horizon_months, SEED, r).summary
        assert variant.months[23].bookings_usd == pytest.approx(summary["bookings_24m"])
        assert variant.months[-1].arr_usd == pytest.approx(summary["arr_end"], abs=0.01)
        booked.append(summary["bookings_24m"])
    assert replay.selection.chosen_gaps_usd[0] == pytest.approx(booked[1] - booked[0])


def test_the_lane_of_a_hunter_who_left_greys_out_and_the_replacement_ramps_up(replay):
    figure = replay_figure(replay)
    checked = 0
    for variant in replay.variants:
        for track in variant.hunters:
            if track.left_day is None or month_of(track.left_day) >= replay.horizon_months:
                continue
            left = month_of(track.left_day)
            for month in (left, left + 1):
                lane = next(ln for ln in variant.months[month - 1].lanes if ln.seat == track.seat)
                if lane.hunter != track.hunter:
                    continue  # the replacement is already in the seat
                assert lane.status == ("leaving" if month == left else "left")
                names = [trace.name for trace in figure.data]
                bars = figure.frames[month - 1].data[names.index(f"{variant.name}: team")]
                assert bars.marker.color[lane.seat] == LANE_COLOURS["gone"]
                checked += 1
            later = [
                t for t in variant.hunters if t.seat == track.seat and t.hired_day > track.left_day
            ]
            if later and month_of(later[0].hired_day) < replay.horizon_months:
                month = month_of(later[0].hired_day) + 1
                lane = next(ln for ln in variant.months[month - 1].lanes if ln.seat == track.seat)
                assert lane.hunter == later[0].hunter and lane.status == "ramping"
    assert checked, "some hunter left in this world"
    before = replay.variants[0].months[0].lanes
    assert all(lane.status not in GONE for lane in before)


def test_the_replication_played_is_the_median_gap(scenario, replay):
    gaps = []
    for r in range(SEARCH):
        first, second = (
            run_replication(scenario.variants[v].parameters, 24, SEED, r).summary["bookings_24m"]
            for v in VARIANTS
        )
        gaps.append(second - first)
    assert replay.selection.replication == int(np.argsort(gaps, kind="stable")[(SEARCH - 1) // 2])
    behind = sum(g < 0 for g in gaps)
    summary = replay.selection.summary()
    assert "a typical one" in summary and "the median of replications 0-3" in summary
    assert f"vaporware is behind available_only at month 24 in {behind} of those 4" in summary


def test_captions_are_the_storys_beats_at_most_two_a_month(scenario, replay):
    months = [c.month for c in replay.captions]
    assert all(months.count(m) <= PER_MONTH for m in set(months))
    assert any(c.kind == "slip" for c in replay.captions)
    told = {}
    for caption in replay.captions:
        variant = caption.variants[0]
        for hunter in caption.hunters or (0,):
            if (variant, hunter) not in told:
                story = tell(scenario, variant, SEED, replay.selection.replication, hunter, 1)
                told[variant, hunter] = story.to_json()["events"]
            events = told[variant, hunter]
            assert any(
                e["month"] == caption.month and e["kind"] == caption.kind
                and e["text"] in caption.story_texts
                for e in events
            ), caption  # fmt: skip


# --- the command -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "words"),
    [
        ("available_only,nope", ["'nope'", "available_only, vaporware, beta_partner"]),
        ("vaporware", ["give 2 or 3", "got 1", "available_only, vaporware, beta_partner"]),
        ("a,b,c,d", ["give 2 or 3", "got 4"]),
        ("vaporware,vaporware", ["each variant once"]),
    ],
)
def test_bad_variants_exit_2_naming_what_was_given_and_allowed(given, words, tmp_path):
    out = tmp_path / "page.html"
    result = runner.invoke(app, ["replay", "death-spiral", "--variants", given, "--out", str(out)])
    assert result.exit_code == 2, result.output
    assert f"--variants {given!r}" in result.output
    for word in words:
        assert word in result.output
    assert not out.exists()


def test_a_bad_set_exits_2(tmp_path):
    result = runner.invoke(app, ["replay", "--set", "team.hunterz=3", "--out", str(tmp_path / "p")])
    assert result.exit_code == 2
    assert "hunterz" in result.output


def test_too_short_a_horizon_exits_2(tmp_path):
    result = runner.invoke(
        app, ["replay", "--set", "horizon_months=6", "--out", str(tmp_path / "p")]
    )
    assert result.exit_code == 2
    assert "horizon_months of at least 12" in result.output and "has 6" in result.output


def test_default_variants_are_the_scenarios_first_two(scenario):
    assert parse_variants(scenario, None) == [0, 1]
    assert parse_variants(scenario, "beta_partner, vaporware") == [2, 1]


def test_replay_command_writes_the_page_and_prints_its_path(tmp_path):
    out = tmp_path / "deep" / "replay.html"
    options = ["--variants", "available_only,vaporware", "--seed", str(SEED)]
    result = runner.invoke(app, ["replay", *options, "--search", "2", "--out", str(out), *SET])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Replay page: {out}"
    html = out.read_text()
    assert "Plotly.animate" in html and "<script src=" not in html and "<link " not in html
    assert [p.name for p in out.parent.iterdir()] == ["replay.html"]  # no partial file left


# --- in a real browser -----------------------------------------------------------------------


def test_the_page_plays_offline_in_a_real_browser(replay, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="installed by the test extra")
    assert Path(CHROMIUM).exists(), ".ci/run installs Debian's chromium"
    path = tmp_path / "replay.html"
    path.write_text(replay_html(replay))
    url = path.resolve().as_uri()
    errors, requests = [], []
    first = replay.captions[0]
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

        def route(request_route):
            requests.append(request_route.request.url)
            if request_route.request.url == url:
                request_route.continue_()
            else:
                request_route.abort()

        page.route("**/*", route)
        page.goto(url)
        page.wait_for_function("document.body.dataset.ready === '1'")
        frames = page.evaluate("document.getElementById('chart')._transitionData._frames.length")
        assert frames == replay.horizon_months

        month = "() => Number(document.body.dataset.month)"
        assert page.evaluate(month) == 1
        page.click("#play")
        page.wait_for_function(f"({month})() >= 2")
        page.click("#play")  # pause
        paused = page.evaluate(month)
        page.wait_for_timeout(300)
        assert page.evaluate(month) == paused

        page.keyboard.press("Home")
        page.keyboard.press(" ")
        page.wait_for_function(f"({month})() >= 2")
        page.keyboard.press(" ")
        page.keyboard.press("Home")
        for _ in range(first.month - 1):
            page.keyboard.press("ArrowRight")
        assert page.evaluate(month) == first.month
        shown = page.inner_text("#captions")
        assert f"Month {first.month}:" in shown and first.text in shown
        page.keyboard.press("ArrowLeft")
        assert page.evaluate(month) == first.month - 1
        assert page.evaluate("document.getElementById('slider').value") == str(first.month - 1)
        browser.close()
    assert not errors, errors
    assert requests == [url], requests
