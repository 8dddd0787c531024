"""Change the ending: `salesim replay --branch-at M` plays three futures of one replication
(never pitched, kept pitching, stopped at month M), the stopped one the kept one until M; the
page stops at M with the question and plays on with space; `--facilitator` stops at the first
of each key beat with a question and writes a one-page printable handout.

A small death-spiral world (600 accounts, 24 months, 4 replications searched) keeps it fast."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.replay.build import build_replay
from simulator.replay.handout import handout_html, key_months
from simulator.replay.page import replay_html
from simulator.replay.pauses import KEY_BEATS, pauses
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, bundled

SMALL = ("market.accounts=600", "horizon_months=24")
SET = [word for setting in SMALL for word in ("--set", setting)]
SEED, SEARCH, BRANCH = 2, 4, 8
runner = CliRunner()


@pytest.fixture(scope="module")
def branch():
    scenario = bundled("death-spiral", *SMALL)
    return replace(build_replay(scenario, [0, 1], SEED, None, SEARCH, BRANCH), facilitator=True)


def frame(month):
    return (month.bookings_usd, month.arr_usd, month.pipeline,
            [(ln.name, ln.status, ln.attainment) for ln in month.lanes])  # fmt: skip


def test_three_futures_one_until_the_branch(branch):
    _, kept, stopped = branch.variants
    assert stopped.name == f"stopped at month {BRANCH}"
    for a, b in zip(kept.months, stopped.months, strict=True):
        if a.month <= BRANCH:
            assert frame(a) == frame(b)
    assert any(frame(a) != frame(b) for a, b in zip(kept.months, stopped.months, strict=True))
    assert any(c.kind == "switch" and c.month == BRANCH + 1 for c in branch.captions)
    # before the branch a beat of kept and stopped is tagged with the kept variant only
    for caption in branch.captions:
        if caption.month <= BRANCH and set(caption.variants) == {kept.name, stopped.name}:
            assert branch.tag(caption) == kept.name
    assert "on average, ahead in" in branch.branch_line()


def test_facilitator_pauses_at_the_first_of_each_key_beat_and_the_branch(branch):
    stops = pauses(branch)
    months = [p.month for p in stops]
    assert months == sorted(set(months))
    kinds = {p.kind for p in stops}
    assert "branch" in kinds and kinds - {"branch"} <= set(KEY_BEATS)
    for pause in stops:
        if pause.kind == "branch":
            assert pause.month == BRANCH and "keep pitching" in pause.question
            waiting = branch.variants[1].months[BRANCH - 1].pipeline["waiting"]
            assert f"{waiting} deal" in pause.title
        else:
            first = next(c for c in branch.captions if c.kind == pause.kind)
            assert first.month == pause.month and first.text in pause.title


def test_the_handout_is_one_printed_page_with_four_frames(branch, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="installed by the test extra")
    html = handout_html(branch)
    assert "<script" not in html and "@page" in html
    months = key_months(branch)
    assert len(months) == 4 and BRANCH in months and months[-1] == branch.horizon_months
    assert re.findall(r"<h2>Month (\d+)</h2>", html) == [str(m) for m in months]
    path = tmp_path / "handout.html"
    path.write_text(html)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page()
        page.goto(path.resolve().as_uri())
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
        browser.close()
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1


def test_the_page_stops_at_the_branch_and_space_plays_on(branch, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="installed by the test extra")
    assert Path(CHROMIUM).exists(), ".ci/run installs Debian's chromium"
    path = tmp_path / "branch.html"
    path.write_text(replay_html(branch))
    stops = [p.month for p in pauses(branch)]
    errors = []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(path.resolve().as_uri())
        page.wait_for_function("document.body.dataset.ready === '1'")
        page.select_option("#speed", "4")
        seen = []
        for _ in range(len(stops) + 1):
            page.keyboard.press(" ")
            page.wait_for_function("document.body.dataset.playing === '0'", timeout=60_000)
            seen.append(int(page.evaluate("document.body.dataset.month")))
            if page.evaluate("document.body.dataset.pause"):
                assert page.is_visible("#pause")
                text = page.inner_text("#pause")
                if seen[-1] == BRANCH:
                    assert "Do we keep pitching the roadmap, or stop now?" in text
        assert seen == [*stops, branch.horizon_months]
        lanes = page.evaluate("document.getElementById('chart').data.length")
        assert lanes == 3 * 4 + 6  # three columns of team and pipeline traces, six lines
        browser.close()
    assert not errors, errors


def test_branch_command_writes_page_and_handout(tmp_path):
    out = tmp_path / "branch.html"
    args = ["replay", "--branch-at", str(BRANCH), "--facilitator", "--search", "2", "--out"]
    result = runner.invoke(app, [*args, str(out), "--seed", str(SEED), *SET])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "branch.handout.html").exists()
    assert "Handout:" in result.output
    three = runner.invoke(app, ["replay", "--branch-at", "8", "--variants",
                                "available_only,vaporware,beta_partner", *SET])  # fmt: skip
    assert three.exit_code == 2 and "give --variants A,B" in three.output
    late = runner.invoke(app, ["replay", "--branch-at", "24", *SET])
    assert late.exit_code == 2 and "allowed 1 to 23" in late.output
