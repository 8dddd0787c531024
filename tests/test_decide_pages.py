"""The pages of `salesim sweep`, `sensitivity` and `goal`, checked in a real browser like the
run report: self-contained, nothing fails, nothing is fetched, every chart is drawn with data,
hovering works, and the tornado lists the inputs most important first."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.report import REPORT
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS

runner = CliRunner()
TINY = ["--set", "market.accounts=300", "--set", "horizon_months=6", "--workers", "1", "-n", "3"]
COMMANDS = {
    "sweep": ["sweep", "baseline", "--vary", "team.hunters=2,4,6", "--metrics",
              "meetings_q1,arr_end"],
    "sensitivity": ["sensitivity", "death-spiral", "--compare", "vaporware", "--metric",
                    "meetings_q1", "--vary", "team.hunters=3:8", "--vary",
                    "product.features[0].slip.probability=0.2:0.9", "--samples", "2"],
    "goal": ["goal", "baseline", "--find", "team.hunters", "--target", "meetings_q1>=40",
             "--within", "1:8"],
    "split": ["goal", "baseline", "--split", "team.hunters,team.farmers", "--total", "5",
              "--target", "meetings_q1>=40"],
}  # fmt: skip
CHARTS = {"sweep": ["sweep-meetings_q1", "sweep-arr_end"], "sensitivity": ["tornado", "robustness"],
          "goal": ["goal"], "split": ["split"]}  # fmt: skip


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    found = {}
    for kind, args in COMMANDS.items():
        out = tmp_path_factory.mktemp(kind)
        result = runner.invoke(app, [*args, *TINY, "--out", str(out)])
        assert result.exit_code == 0, result.output
        (run_dir,) = [p for p in out.iterdir() if not p.name.startswith(".")]
        found[kind] = run_dir / REPORT
    return found


def test_the_pages_are_self_contained(pages):
    for kind, page in pages.items():
        html = page.read_text()
        assert "Plotly.newPlot" in html and "<script src=" not in html and "<link " not in html
        for chart in CHARTS[kind]:
            assert f'id="{chart}"' in html, (kind, chart)
        assert "common random numbers" in html and "Scenario:" in html


def test_the_pages_in_a_real_browser(pages, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="installed by the test extra")
    assert Path(CHROMIUM).exists(), ".ci/run installs Debian's chromium"
    errors, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        for kind, path in pages.items():
            page.goto(path.resolve().as_uri())
            page.wait_for_function(
                "[...document.querySelectorAll('.plotly-graph-div')].every(el => el._fullLayout)"
            )
            charts = page.eval_on_selector_all(
                ".plotly-graph-div",
                """els => els.map(el => ({
                    id: el.id,
                    drawn: el.querySelectorAll('.main-svg').length > 0,
                    points: el.calcdata.reduce((n, trace) => n + trace.length, 0),
                }))""",
            )
            assert sorted(c["id"] for c in charts) == sorted(CHARTS[kind]), kind
            for chart in charts:
                assert chart["drawn"] and chart["points"] > 0, (kind, chart)
            page.screenshot(path=str(tmp_path / f"{kind}.png"), full_page=True)
            if kind == "sweep":
                box = page.locator("#sweep-meetings_q1 .nsewdrag").first.bounding_box()
                page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
                page.wait_for_selector("#sweep-meetings_q1 .hoverlayer .hovertext")
            if kind == "sensitivity":
                bars = page.locator("#tornado").evaluate("el => el.data[0].y")
                assert bars[-1].startswith(("team.hunters", "product.features[0]"))
                assert len(bars) == 2
        browser.close()
    assert not errors, errors
    assert all(r.startswith("file://") for r in requests), requests
    assert all((tmp_path / f"{kind}.png").stat().st_size > 10_000 for kind in pages)
