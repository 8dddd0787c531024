"""The comparison report: built from stored results, self-contained, checked in a real browser.

The browser test drives Debian's Chromium through Playwright (no browser download): it opens the
report of a small real run from file://, and checks that nothing fails, nothing is fetched,
every chart is drawn with data, hovering and the legend work, and user text stays text.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.metrics.catalog import HEADLINE, SUMMARY
from simulator.report import REPORT
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS, SCENARIOS

runner = CliRunner()
NASTY = "<script>alert(1)</script>"


def small_run(
    out: Path, seed: int = 3, replications: int = 8, name: str = "", accounts: int = 500
) -> Path:
    scenario = (SCENARIOS / "death-spiral.yaml").read_text()
    scenario = scenario.replace("name: beta_partner", f"name: '{NASTY}'")
    if name:
        scenario = scenario.replace("name: Death spiral", f"name: {name}")
    path = out / "nasty.yaml"
    path.write_text(scenario)
    options = ["-n", str(replications), "--seed", str(seed), "--workers", "1"]
    small = ["--set", f"market.accounts={accounts}", "--set", "horizon_months=24"]
    result = runner.invoke(app, ["run", str(path), *options, "--out", str(out / "results"), *small])
    assert result.exit_code == 0, result.output
    (run_dir,) = [p for p in (out / "results").iterdir() if not p.name.startswith(".")]
    return run_dir


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    return small_run(tmp_path_factory.mktemp("report"))


def test_run_writes_a_self_contained_report(run_dir):
    html = (run_dir / REPORT).read_text()
    assert "Plotly.newPlot" in html
    assert "<script src=" not in html and "<link " not in html
    assert NASTY not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    manifest = json.loads((run_dir / "manifest.json").read_text())
    for words in ("Death spiral", "Replications per variant: 8", "root seed: 3"):
        assert words in html
    assert "Overrides (--set): market.accounts=500, horizon_months=24" in html
    assert f"salesim {manifest['salesim_version']}" in html
    charts = ["fan-bookings", "fan-open_pipeline_acv", "fan-hunters_on_plan", "funnel", "losses"]
    charts += ["distribution-bookings_24m", "differences", "section-summary-table"]
    for chart in charts:
        assert f'id="{chart}"' in html, chart


def test_the_verdict_is_at_the_top(run_dir):
    html = (run_dir / REPORT).read_text()
    verdict = html.index('id="section-verdict"')
    assert verdict < min(html.index(f'id="{s}"') for s in ("fan-bookings", "funnel", "losses"))
    assert html.index('id="section-differences"') < html.index('id="section-fan-bookings"')
    block = html[verdict : html.index("</section>", verdict)]
    assert (
        "Verdict: vaporware, &lt;script&gt;alert(1)&lt;/script&gt; against available_only" in block
    )
    assert "8 replications per variant, seed 3; paired" in block
    assert "with --set market.accounts=500, horizon_months=24" in block
    for label in (SUMMARY[name].label for name in HEADLINE):  # the registry's headline metrics
        assert label in block, label
    assert "$" in block and " pts" in block and " hunters" in block
    assert "bookings_24m" not in block and "hunter_attrition" not in block
    assert any(f'class="{w}"' in block for w in ("better", "worse", "unclear"))
    # P(better) is defined where it is shown
    assert "P(better): the probability that the variant&#x27;s true mean is better" in html
    table = html[html.index('id="section-summary-table"') :]
    assert "title='P(better): the probability" in table


def test_report_command_rebuilds_and_combines(run_dir, tmp_path):
    (run_dir / REPORT).unlink()
    result = runner.invoke(app, ["report", str(run_dir)])
    assert result.exit_code == 0, result.output
    assert (run_dir / REPORT).exists()
    other = small_run(tmp_path, seed=4, replications=5)
    combined = tmp_path / "combined.html"
    result = runner.invoke(app, ["report", str(run_dir), str(other), "--out", str(combined)])
    assert result.exit_code == 0, result.output
    html = combined.read_text()
    assert "unpaired (Welch)" in html  # different seeds: no common random numbers
    # clashing names get the scenario's name (and the seed, the scenario being the same)
    assert "Death spiral (seed 4): available_only" in html
    assert f"{other.name}: available_only" not in html
    # ... and the page says so near the top, the console too
    note = html.index('class="note">Unpaired comparison')
    assert note < html.index('id="section-differences"')
    assert "Unpaired comparison" in result.stdout
    assert "Death spiral with seed 3 × 8 replications, Death spiral with seed 4 × 5" in html
    assert "Verdict for Death spiral" in result.stdout
    (tmp_path / "elsewhere").mkdir()
    elsewhere = small_run(tmp_path / "elsewhere", seed=3, replications=8, name="Other market")
    result = runner.invoke(app, ["report", str(run_dir), str(elsewhere), "--out", str(combined)])
    assert result.exit_code == 0, result.output
    html = combined.read_text()
    assert "Other market: available_only" in html
    assert 'class="note">Different scenarios combined (Death spiral, Other market)' in html
    assert "Different scenarios combined" in result.stdout
    assert "Unpaired" not in html  # same seed and replications: still paired
    (tmp_path / "bigger").mkdir()
    bigger = small_run(tmp_path / "bigger", seed=3, replications=8, accounts=700)
    result = runner.invoke(app, ["report", str(run_dir), str(bigger), "--out", str(combined)])
    assert result.exit_code == 0, result.output
    # the same scenario and seed, other settings: the settings tell the runs apart
    assert "available_only (market.accounts=700, horizon_months=24)" in combined.read_text()
    bad = runner.invoke(app, ["report", str(tmp_path / "nothing-here")])
    assert bad.exit_code == 2 and "not a salesim run folder" in bad.stderr


def test_report_in_a_real_browser(run_dir, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="installed by the test extra")
    assert Path(CHROMIUM).exists(), ".ci/run installs Debian's chromium"
    url = (run_dir / REPORT).resolve().as_uri()
    console_errors, requests, dialogs = [], [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1366, "height": 900})
        page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: console_errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(url)
        page.wait_for_function(
            "[...document.querySelectorAll('.plotly-graph-div')].every(el => el._fullLayout)"
        )

        charts = page.eval_on_selector_all(
            ".plotly-graph-div",
            """els => els.map(el => ({
                id: el.id,
                drawn: !!el._fullLayout && el.querySelectorAll('.main-svg').length > 0,
                traces: el.data.length,
                points: el.calcdata.reduce((n, trace) => n + trace.length, 0),
                empty: el.calcdata.filter(trace => trace.length === 0).length,
            }))""",
        )
        assert len(charts) >= 8
        for chart in charts:
            assert chart["drawn"] and chart["traces"] > 0 and chart["points"] > 0, chart
            assert chart["empty"] == 0, chart

        fan = page.locator("#fan-bookings")
        fan.scroll_into_view_if_needed()
        box = page.locator("#fan-bookings .nsewdrag").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        page.wait_for_selector(
            "#fan-bookings .hoverlayer .legend, #fan-bookings .hoverlayer .hovertext"
        )

        visible = "el => el.data.filter(t => t.showlegend !== false).map(t => t.visible)"
        before = fan.evaluate(visible)
        page.locator("#fan-bookings .legend .traces .legendtoggle").first.click()
        page.wait_for_function(  # plotly waits out its double-click delay before toggling
            "document.getElementById('fan-bookings').data.some(t => t.visible === 'legendonly')"
        )
        after = fan.evaluate(visible)
        assert before[0] in (True, None) and after[0] == "legendonly"

        assert page.get_by_text(NASTY).count() > 0

        # legends sit clear of plotly's toolbar
        overlaps = page.eval_on_selector_all(
            ".plotly-graph-div",
            """els => els.map(el => {
                const legend = el.querySelector('.legend'), bar = el.querySelector('.modebar');
                if (!legend || !bar) return null;
                const a = legend.getBoundingClientRect(), b = bar.getBoundingClientRect();
                const apart = a.right <= b.left || b.right <= a.left
                    || a.bottom <= b.top || b.bottom <= a.top;
                return apart ? null : el.id;
            }).filter(id => id)""",
        )
        assert not overlaps, overlaps

        # the funnel's numbers stay at full size beside the bars, however narrow a bar
        sizes = page.eval_on_selector_all(  # plotly shrinks text to fit a bar by a scale()
            "#funnel .bartext",
            """els => els.map(e => parseFloat(e.style.fontSize) * parseFloat(
                (/scale\\(([\\d.]+)/.exec(e.getAttribute('transform')) || [0, 1])[1]))""",
        )
        assert sizes and min(sizes) >= 11, sizes

        # what became of the leads: shares of leads, unanswered included, 100% per variant
        losses = page.locator("#losses").evaluate(
            "el => el.data.map(t => ({name: t.name, x: t.x}))"
        )
        names = [trace["name"] for trace in losses]
        assert {"never answered", "disqualified", "won", "lost to a competitor"} <= set(names)
        totals = [sum(trace["x"][i] for trace in losses) for i in range(len(losses[0]["x"]))]
        assert all(abs(total - 1) < 0.01 for total in totals), totals

        # human labels and units on the differences chart
        differences = page.locator("#differences").evaluate(
            """el => ({
                titles: el.layout.annotations.map(a => a.text),
                axes: Object.keys(el._fullLayout).filter(k => k.startsWith('xaxis'))
                    .map(k => el._fullLayout[k].tickprefix + '|' + el._fullLayout[k].ticksuffix),
            })"""
        )
        assert any("Bookings at 24 months" in t and "US dollars" in t
                   for t in differences["titles"])  # fmt: skip
        assert any("Win rate" in t and "percentage points" in t for t in differences["titles"])
        assert not any("_" in t for t in differences["titles"]), differences["titles"]
        assert "$|" in differences["axes"] and "| pts" in differences["axes"]
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        browser.close()
    assert not console_errors, console_errors
    assert not dialogs, dialogs
    assert all(r.startswith("file://") for r in requests), requests
    assert (tmp_path / "report.png").stat().st_size > 10_000
