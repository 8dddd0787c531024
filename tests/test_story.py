"""Story mode before a sharp audience: promises never in the past, slips that move later, nobody
acting after they left, a quarter line for every quarter, one source for text, page and JSON,
months counted from 1, and every story saying how it was chosen and how typical it is.

Model-level checks run on raw event logs; story-level checks are properties over many seeds of
a small death-spiral market, on the story's JSON (``salesim story --json``).
"""

from __future__ import annotations

import itertools
import json
import math
import re

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.model.events import Kind, Meeting
from simulator.page import escape
from simulator.runs.experiment import replication_log
from simulator.story import tell
from simulator.story.beats import BEATS
from simulator.story.chart import story_figure
from simulator.story.labels import beat_label
from simulator.story.months import month_of
from simulator.story.page import story_html
from simulator.units import DAYS_PER_MONTH
from tests.conftest import bundled

SMALL = ("market.accounts=600", "horizon_months=24")
SEEDS = range(1, 21)


@pytest.fixture(scope="module")
def spiral():
    return bundled("death-spiral")


def logs(scenario, variant: int, replications: int, seed: int = 1):
    parameters = scenario.variants[variant].parameters
    for replication in range(replications):
        yield replication_log(parameters, scenario.horizon_months, seed, replication)


# --- the model -----------------------------------------------------------------------------


def test_a_pitch_never_promises_a_date_already_past(spiral):
    """The pitched date is the one prospects are told that day: once the first promise (month
    4 of the scenario) passes unreleased, pitches carry the new date, never the old one."""
    pitches = 0
    for variant in (1, 0):  # vaporware, and desperate hunters of available_only
        for log in logs(spiral, variant, 6):
            pitched = log[log["kind"] == Kind.PITCHED]
            assert np.all(pitched["value"] >= pitched["day"] - 1e-9)
            pitches += pitched.size
    assert pitches > 100


def test_the_public_promise_moves_when_it_passes_and_with_every_slip(spiral):
    features = spiral.variants[1].parameters.product.features
    for log in logs(spiral, 1, 10):
        for index, feature in enumerate(features):
            mine = log[(log["subject"] == index) & np.isin(log["kind"], ROADMAP)]
            promised = feature.promised_release_month * DAYS_PER_MONTH
            plan = feature.planned_release_month * DAYS_PER_MONTH
            for record in mine:
                day, kind, value = float(record["day"]), int(record["kind"]), float(record["value"])
                if kind == Kind.RELEASE_SLIPPED:
                    assert day == pytest.approx(plan) and month_of(value) > month_of(plan)
                    plan = value
                elif kind == Kind.PROMISE_MOVED:
                    assert day == pytest.approx(promised)  # moves the day it passes
                    assert value == pytest.approx(plan) and month_of(value) > month_of(promised)
                    promised = value
                elif kind == Kind.FEATURE_RELEASED:
                    assert day == pytest.approx(plan) and day >= promised - 1e-9


ROADMAP = [Kind.FEATURE_ANNOUNCED, Kind.RELEASE_SLIPPED, Kind.PROMISE_MOVED, Kind.FEATURE_RELEASED]


def test_every_slip_moves_the_plan_to_a_later_month(spiral):
    """Slips are whole months: the new plan is never in the month of the old one."""
    slips = 0
    for log in logs(spiral, 1, 40):
        for index in range(2):
            plan = spiral.variants[1].parameters.product.features[index].planned_release_month
            days = [plan * DAYS_PER_MONTH]
            days += log["value"][
                (log["kind"] == Kind.RELEASE_SLIPPED) & (log["subject"] == index)
            ].tolist()
            months = [month_of(day) for day in days]
            assert all(b > a for a, b in itertools.pairwise(months)), months
            slips += len(days) - 1
    assert slips > 20


def test_slip_lengths_keep_the_scenario_mean():
    from simulator.model.processes.roadmap import slip_months
    from simulator.parameters import Slip

    rng = np.random.default_rng(5)
    for mean in (1.0, 2.5, 6.0):
        months = slip_months(Slip(mean_months=mean), rng.exponential(1.0, 200_000))
        assert min(months) >= 1
        assert np.mean(months) == pytest.approx(mean, rel=0.02)
    assert slip_months(Slip(mean_months=0.3), np.array([0.0, 5.0])) == [1, 1]


def test_nobody_retells_or_pitches_for_a_hunter_who_left(spiral):
    """An orphaned deal gets no follow-up meeting, retelling, fatigue, pitch or beta offer from
    the hunter who left (its committee still changes: new faces are allowed)."""
    left_any = 0
    for log in logs(spiral, 1, 10):
        left = log[log["kind"] == Kind.HUNTER_LEFT]
        for hunter, day in zip(left["actor"].tolist(), left["day"].tolist(), strict=True):
            left_any += 1
            after = log[(log["actor"] == hunter) & (log["day"] > day)]
            acted = np.isin(
                after["kind"],
                [Kind.RETELLING, Kind.FATIGUED, Kind.PITCHED, Kind.BETA_OFFERED],
            ) | ((after["kind"] == Kind.MEETING) & (after["code"] == Meeting.FOLLOW_UP))
            assert not acted.any(), after[acted][:3]
    assert left_any > 10


# --- the story, as data ----------------------------------------------------------------------


def check_story(story) -> None:
    """The properties every story's JSON must have, and its text must agree with."""
    data = story.to_json()
    json.dumps(data)  # plain data
    events, quarters = data["events"], data["quarters"]
    hunter = data["hunter"]
    assert [e["day"] for e in events] == sorted(e["day"] for e in events)
    for event in events:
        assert event["month"] == month_of(event["day"]) >= 1
        if event["kind"] == "pitch":
            assert event["promised_month"] >= event["month"], event
        if event["kind"] == "waiting":
            assert event["promised_month"] >= event["month"], event
        if event["kind"] == "slip":
            assert event["new_plan_month"] > event["old_plan_month"], event
    # no event of the hunter after they left
    leaves = [i for i, e in enumerate(events) if e["kind"] == "leaves"]
    if leaves:
        assert len(leaves) == 1 and events[leaves[0]]["hunter"] == hunter
        assert all(e["hunter"] is None for e in events[leaves[0] + 1 :])
        assert data["left_month"] == events[leaves[0]]["month"]
        orphaned = [i for i, e in enumerate(events) if e["kind"] == "orphaned"]
        assert all(i > leaves[0] for i in orphaned)
    else:
        assert data["left_month"] is None
        assert not [e for e in events if e["kind"] == "orphaned"]
    # one quarter entry per quarter of tenure, in order, with quota pro rata
    hired = next(e for e in events if e["kind"] == "hired")
    end_day = events[leaves[0]]["day"] if leaves else data["horizon_months"] * DAYS_PER_MONTH
    quarter_days = 3 * DAYS_PER_MONTH
    expected = [
        q + 1
        for q in range(math.ceil(data["horizon_months"] / 3))
        if q * quarter_days < end_day - 1e-9 and (q + 1) * quarter_days > hired["day"] + 1e-9
    ]
    assert [q["quarter"] for q in quarters] == expected
    quota = data["quota_usd_per_month"]
    for q in quarters:
        assert q["first_month"] <= q["last_month"]
        assert 3 * (q["quarter"] - 1) < q["first_month"] <= q["last_month"] <= 3 * q["quarter"]
        assert q["quota_usd"] <= 3 * quota + 1e-6
        assert q["attainment"] == pytest.approx(q["bookings_usd"] / q["quota_usd"], abs=1e-4)
    # the text says what the data says: one quarter line each, with the data's attainment
    text = story.text(width=10_000)
    said = re.findall(r"Quarter (\d+) \([^)]*\): .*?: (\d+)% of quota", text)
    assert [(int(q), int(pct)) for q, pct in said] == [
        (q["quarter"], int(f"{q['attainment']:.0%}".rstrip("%"))) for q in quarters
    ]
    reviews = re.findall(r"Quota review: \S+(?: \d+)? booked (\d+)% of quota", text)
    told = [e for e in events if e["kind"] == "review"]
    assert [int(r) for r in reviews] == [int(f"{e['attainment']:.0%}".rstrip("%")) for e in told]
    body = [line for line in text.splitlines() if re.match(r"Month +\d+  \S", line)]
    assert len(body) == len(events) + len(quarters)
    months = [int(line.split()[1]) for line in body]
    assert months == sorted(months) and min(months) >= 1
    assert "Month  0" not in text
    # the quota reviews of the model agree with the quarters where their windows match (and
    # no booking falls on the window's edge, which both the review and a quarter may count)
    by_end = {q["last_month"]: q for q in quarters}
    log = story.log
    own = log[(log["actor"] == hunter) & np.isin(log["kind"], [Kind.CLOSED, Kind.BETA_CONVERTED])]
    booking_months = own["day"][own["value"] > 0] / DAYS_PER_MONTH
    for review in told:
        first, last = review["first_month"], review["last_month"]
        window = [q for q in quarters if first <= q["first_month"] and q["last_month"] <= last]
        edges = np.array([first - 1, last])
        on_edge = np.any(np.abs(booking_months[:, None] - edges[None, :]) < 1e-6)
        covered = sum(q["last_month"] - q["first_month"] + 1 for q in window)
        if last in by_end and covered == last - first + 1 and not on_edge:
            booked = sum(q["bookings_usd"] for q in window)
            owed = sum(q["quota_usd"] for q in window)
            assert review["attainment"] == pytest.approx(booked / owed, abs=1e-3)


@pytest.mark.parametrize("seed", SEEDS)
def test_story_properties_over_many_seeds(seed):
    scenario = bundled("death-spiral", *SMALL)
    auto = tell(scenario, "vaporware", seed, search=2)
    check_story(auto)
    # also a hunter chosen by hand: someone who may stay, or a replacement
    hired = sorted(set(auto.log["actor"][auto.log["kind"] == Kind.HUNTER_HIRED].tolist()))
    other = hired[seed % len(hired)]
    check_story(tell(scenario, "vaporware", seed, replication=auto.replication, hunter=other,
                     search=1))  # fmt: skip


def test_available_only_stories_hold_too():
    for seed in (1, 2, 3):
        check_story(tell(bundled("death-spiral", *SMALL), "available_only", seed, search=2))


def test_every_story_says_how_it_was_chosen_and_how_typical_it_is(spiral):
    story = tell(spiral, "vaporware", 1, search=4)
    data = story.to_json()
    typical = data["typicality"]
    assert typical["replications_searched"] == 4
    assert [v["variant"] for v in typical["variants"]] == [v.name for v in spiral.variants]
    mine = next(v for v in typical["variants"] if v["variant"] == "vaporware")
    assert mine["with_pattern"] >= 1  # the story itself
    for count in typical["variants"]:
        for key in ("with_pattern", "with_hunter_on_plan", "with_hunter_leaving"):
            assert 0 <= count[key] <= 4
    assert set(typical["pattern"]) <= {key for key, _ in BEATS}
    assert data["how_chosen"].startswith("How chosen: automatically")
    text = story.text()
    assert "How chosen" in text and "How typical" in text
    for name in ("available_only", "vaporware", "beta_partner"):
        assert re.search(rf"^  {name} +\d+/4 \(\d+%\) +\d+/4", text, re.M), name
    by_hand = tell(spiral, "vaporware", 1, replication=2, hunter=3, search=2)
    assert "by the trainer" in by_hand.how_chosen


def test_months_count_from_one(spiral):
    story = tell(spiral, "vaporware", 1, replication=0, hunter=0, search=1)  # hired on day 0
    data = story.to_json()
    assert data["events"][0]["kind"] == "hired" and data["events"][0]["month"] == 1
    announced = [e for e in data["events"] if e["kind"] == "announced"]
    # announced 1 month after the start, promised for 4, planned for 7 (months from the start)
    assert announced[0]["month"] == 2
    assert announced[0]["promised_month"] == 5 and announced[0]["planned_month"] == 8
    assert story.text(width=10_000).splitlines()[-len(story.lines())].startswith("Month  1  ")


def test_the_hunter_leaves_before_their_deals_are_orphaned_in_the_text(spiral):
    """In every story (of the first replications) where the hunter leaves with deals open, the
    text says they left before it says the deals were orphaned, and nobody retells the story
    after that."""
    told = 0
    for replication in range(6):
        story = tell(spiral, "vaporware", 1, replication=replication, search=1)
        kinds = [item.kind for _, _, item in story.lines() if hasattr(item, "kind")]
        if "leaves" not in kinds or "orphaned" not in kinds:
            continue
        assert kinds.index("leaves") < kinds.index("orphaned")
        after = kinds[kinds.index("leaves") :]
        assert "retell" not in after and "fatigue" not in after
        told += 1
    assert told > 0


# --- one source: the page and the command ----------------------------------------------------


def test_the_page_labels_the_beats_and_agrees_with_the_text(spiral):
    story = tell(spiral, "vaporware", 1, replication=0, search=1)
    figure = story_figure(story)
    written = [
        (text, trace.textfont.size)
        for trace in figure.data
        if trace.type == "scatter" and trace.mode == "markers+text"
        for text in trace.text
    ]
    labels = [text for text, _ in written]
    assert all(size >= 14 for _, size in written)
    expected = [beat_label(story, e) for e in story.events]
    assert labels and sorted(labels) == sorted(label for label in expected if label)
    for needed in ("on the plan", f"{story.hunter_name} leaves", "slips to month"):
        assert any(needed in label for label in labels), needed
    # the attainment bars are the quarters' numbers, the dots the reviews'
    bars = next(trace for trace in figure.data if trace.type == "bar")
    assert list(bars.y) == pytest.approx([q.attainment * 100 for q in story.quarters])
    assert list(bars.text) == [f"{q.attainment:.0%}" for q in story.quarters]
    dots = next(trace for trace in figure.data if trace.name.startswith("quota review"))
    reviews = [e.facts["attainment"] * 100 for e in story.events if e.kind == "review"]
    assert list(dots.y) == pytest.approx(reviews)
    # open deals stop when the hunter leaves
    assert story.left_day is not None
    open_deals = next(trace for trace in figure.data if trace.name == "open deals")
    assert max(open_deals.x) == pytest.approx(story.left_day / DAYS_PER_MONTH + 1)
    html = story_html(story)
    embedded = re.search(r'<script type="application/json" id="story-data">(.*?)</script>', html)
    assert embedded and json.loads(embedded.group(1)) == json.loads(json.dumps(story.to_json()))
    for _, text, _ in story.lines():
        assert escape(text) in html


def test_story_command_writes_json(tmp_path):
    runner = CliRunner()
    sets = [arg for setting in SMALL for arg in ("--set", setting)]
    base = ["story", "death-spiral", "--replication", "0", "--search", "2", *sets]
    result = runner.invoke(app, [*base, "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["variant"] == "vaporware" and data["replication"] == 0
    for key in ("hunter", "typicality", "how_chosen", "quarters", "events"):
        assert key in data
    assert set(data["quarters"][0]) >= {"quarter", "quota_usd", "bookings_usd", "attainment"}
    assert set(data["events"][0]) >= {"day", "month", "kind", "hunter", "account", "text"}
    path = tmp_path / "story.json"
    result = runner.invoke(app, [*base, "--json", str(path), "--html", "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert "the story of" in result.stdout and f"Story data: {path}" in result.stdout
    assert json.loads(path.read_text()) == data
    assert list(tmp_path.glob("story-*.html"))
    bad = runner.invoke(app, [*base, "--json", str(tmp_path)])  # a folder
    said = "".join(bad.stderr.replace("│", "").split())  # the box may fold a long path
    assert bad.exit_code == 2 and f"{tmp_path}:afolder,notafile" in said
