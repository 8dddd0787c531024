"""The calibration's fit report page: built from hand-made deals tables, self-contained, its
numbers recounted here from the raw arrays, its verdict thresholds checked, and drawn in a real
browser like the run report."""

from __future__ import annotations

import base64
import json
import math
from pathlib import Path

import numpy as np
import pytest
from scipy.stats import t as student_t

from simulator.calibrate.fitted import Fitted
from simulator.calibrate.moments import STATISTICS, Window, raw_statistics
from simulator.calibrate.page import FitPart, fit_page
from simulator.crm.summary import wilson
from simulator.crm.table import Deals
from tests.conftest import CHROMIUM, CHROMIUM_FLAGS

FIRST, AS_OF = np.datetime64("2023-01-01"), np.datetime64("2023-06-30")
WINDOW = Window(np.datetime64("2023-04-01"), AS_OF)
NASTY = "<script>alert(1)</script>"
LABELS = {s.name: f"{s.label} ({s.unit})" for s in STATISTICS}


def deals_from(created, closed, outcome, acv, as_of=AS_OF, owner=None) -> Deals:
    """A deals table from plain arrays (dates as ISO text, None for an open deal's close)."""
    n = len(created)
    text = lambda values: np.array(values, dtype=object)  # noqa: E731
    return Deals(
        deal_id=text([f"D{i}" for i in range(n)]),
        account=text([f"Account {i}" for i in range(n)]),
        owner=text(owner if owner is not None else [f"Rep {i % 3}" for i in range(n)]),
        source=text([None] * n),
        stage=text(outcome),
        outcome=text(outcome),
        created=np.array(created, dtype="datetime64[D]"),
        closed=np.array([c or "NaT" for c in closed], dtype="datetime64[D]"),
        acv_usd=np.array(acv, float),
        as_of=np.datetime64(as_of, "D"),
    )


def synthetic(seed: int, deals: int = 240, win: float = 0.4, cycle_days: float = 35.0) -> Deals:
    """A small pipeline: deals created over the first half of 2023, closing after an
    exponential cycle, won with probability ``win``; those closing after ``AS_OF`` are open."""
    rng = np.random.default_rng(seed)
    created = FIRST + np.sort(rng.integers(0, 181, deals)).astype("timedelta64[D]")
    closed = created + np.round(rng.exponential(cycle_days, deals)).astype("timedelta64[D]")
    won = rng.random(deals) < win
    still = closed > AS_OF
    outcome = np.where(still, "open", np.where(won, "won", "lost"))
    acv = np.round(np.exp(rng.normal(np.log(20_000), 0.6, deals)))
    return deals_from(
        [str(d) for d in created],
        [None if s else str(c) for c, s in zip(closed, still, strict=True)],
        outcome.tolist(),
        acv,
    )


OBSERVED = synthetic(1)
SIMULATED = [synthetic(100 + i, win=0.42, cycle_days=38.0) for i in range(10)]


def fitted_row(name: str, simulated: float | None = None, observed: float | None = None) -> Fitted:
    """A fitted input matched to statistic ``name`` over ``WINDOW``."""
    found = raw_statistics(OBSERVED, WINDOW)[name]
    mean = float(np.nanmean([raw_statistics(d, WINDOW)[name] for d in SIMULATED]))
    return Fitted(
        path=f"knobs.{name}", label=f"knob for {name}", value=1.5, low=1.2, high=1.9,
        unit="utility units", target=LABELS[name],
        observed=found if observed is None else observed,
        simulated=mean if simulated is None else simulated, method="simulated method of moments",
    )  # fmt: skip


def figures(html: str) -> dict[str, list[dict]]:
    """Every chart's traces, by div id, with plotly's typed arrays decoded."""

    def decode(value):
        if isinstance(value, dict) and {"dtype", "bdata"} <= value.keys():
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            shape = [int(n) for n in str(value.get("shape", array.size)).split(",")]
            return array.reshape(shape)
        if isinstance(value, dict):
            return {key: decode(item) for key, item in value.items()}
        if isinstance(value, list):
            return [decode(item) for item in value]
        return value

    found, decoder = {}, json.JSONDecoder()
    for part in html.split("Plotly.newPlot(")[1:]:
        name, end = decoder.raw_decode(part.lstrip())
        data, _ = decoder.raw_decode(part.lstrip()[end:].lstrip(" ,\n"))
        found[name] = decode(data)
    return found


@pytest.fixture(scope="module")
def page() -> str:
    rows = [fitted_row(name) for name in ("new_per_month", "crm_win_rate", "won_slow_cycle_days")]
    rows.append(Fitted("team.hunters", "hunters", 3, 3, 3, "hunters", "owners", 3, 3, "counted"))
    notes = ["Fitted from pipeline.csv", f"Name: {NASTY}"]
    return fit_page([FitPart(OBSERVED, SIMULATED, rows, WINDOW)], notes, f"Fit {NASTY}")


def test_the_page_is_self_contained_with_every_section(page):
    assert "Plotly.newPlot" in page and "<script src=" not in page and "<link " not in page
    assert NASTY not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    for section in ("fitted", "win-rate", "cycle-times", "deal-sizes", "monthly"):
        assert f'id="section-{section}"' in page, section
    assert set(figures(page)) == {"win-rate-chart", "survival", "deal-sizes-chart", "monthly-chart"}
    assert "knobs.<wbr>new_<wbr>per_<wbr>month" in page and "1.5 utility units" in page
    assert (
        "[1.2, 1.9]" in page
        and LABELS["crm_win_rate"] in page
        and "Fitted from pipeline.csv" in page
    )
    assert "no interval: counted" in page and "2023-04-01 to 2023-06-30" in page


def test_the_win_rate_is_won_over_decided_in_the_window(page):
    closed = OBSERVED.closed
    in_window = ~np.isnat(closed) & (closed >= WINDOW.first) & (closed <= WINDOW.last)
    won = int(np.sum((OBSERVED.outcome == "won") & in_window))
    lost = int(np.sum((OBSERVED.outcome == "lost") & in_window))
    low, high = wilson(won, won + lost)
    assert (
        f"Your export: {100 * won / (won + lost):.1f}% of the deals decided from 2023-04-01 to "
        f"2023-06-30 were won ({won:,} won, {lost:,} lost; 95% interval {100 * low:.1f}% to "
        f"{100 * high:.1f}%)." in page
    )
    whole = fit_page(
        [FitPart(OBSERVED, SIMULATED, [])], [], "whole export"
    )  # no window: every deal
    everything = np.sum(OBSERVED.outcome == "won") / np.sum(OBSERVED.outcome != "open")
    first = OBSERVED.created.min()
    assert f"Your export: {100 * everything:.1f}% of the deals decided from {first} " in whole


def test_the_simulated_bands_hold_the_simulated_histories(page):
    charts = figures(page)
    rates = []
    for deals in SIMULATED:
        closed = ~np.isnat(deals.closed) & (deals.closed >= WINDOW.first)
        rates.append(np.sum((deals.outcome == "won") & closed) / np.sum(closed))
    (mean,) = [t for t in charts["win-rate-chart"] if t["name"].startswith("simulated: mean")]
    assert mean["x"][0] == pytest.approx(np.mean(rates))
    ends = (
        mean["x"][0] - mean["error_x"]["arrayminus"][0],
        mean["x"][0] + mean["error_x"]["array"][0],
    )
    assert min(rates) <= ends[0] < ends[1] <= max(rates)
    inside = np.sum((np.array(rates) >= ends[0]) & (np.array(rates) <= ends[1]))
    assert inside >= 8  # P5–P95 of 10 histories leaves out at most the two extremes

    # monthly wins in June, counted here from the raw arrays of every history
    june = [np.sum((d.outcome == "won") & (d.closed.astype("datetime64[M]") == np.datetime64(
        "2023-06"))) for d in SIMULATED]  # fmt: skip
    traces = [t for t in charts["monthly-chart"] if t.get("yaxis") == "y2"]
    low, high, median, export = traces
    column = list(export["x"]).index("Jun 2023")
    assert list(export["x"]) == ["Apr 2023", "May 2023", "Jun 2023"]
    assert low["y"][column] == pytest.approx(np.percentile(june, 10))
    assert high["y"][column] == pytest.approx(np.percentile(june, 90))
    assert median["y"][column] == pytest.approx(np.median(june))
    mine = (OBSERVED.outcome == "won") & (
        OBSERVED.closed.astype("datetime64[M]") == np.datetime64("2023-06")
    )
    assert export["y"][column] == mine.sum()


def test_the_verdict_allows_the_export_its_sampling_error():
    """The threshold: Student's t over the histories' spread, widened for the mean's error."""
    rates = np.array([raw_statistics(d, WINDOW)["crm_win_rate"] for d in SIMULATED])
    allowed = student_t.ppf(0.975, rates.size - 1) * rates.std(ddof=1) * math.sqrt(1.1)
    observed = raw_statistics(OBSERVED, WINDOW)["crm_win_rate"]
    rows = [
        fitted_row("crm_win_rate", simulated=observed + 0.9 * allowed),
        fitted_row("crm_win_rate", simulated=observed - 1.1 * allowed),
        fitted_row("crm_win_rate", observed=observed + 0.01),  # not the export's value over WINDOW
        Fitted("x.y", "unknown", 1, 0, 2, "units", "something else", 1, 1, "guess"),
    ]
    html = fit_page([FitPart(OBSERVED, SIMULATED, rows, WINDOW)], [], "verdicts")
    table = html[
        html.index('id="fitted-table"') : html.index("</table>", html.index("fitted-table"))
    ]
    words = [cell.split("</span>")[0] for cell in table.split("<span class='word'>")[1:]]
    assert words == ["matches", "off", "not judged", "not judged"]
    assert f"chance alone moves it by up to ±{100 * allowed:.1f} percentage points" in table
    assert "sampling error for 1 of the 2 statistics judged" in html


def test_the_export_curve_is_the_share_not_yet_won():
    """With every deal closed, the won curve at day d is the share of won deals older than d."""
    closed = synthetic(7)
    closed = closed.take(closed.outcome != "open")
    html = fit_page([FitPart(closed, SIMULATED, [])], [], "all closed")
    (export,) = [
        t
        for t in figures(html)["survival"]
        if t.get("name") == "your export" and t.get("xaxis", "x") == "x"
    ]
    ages = (closed.closed - closed.created).astype(int)[closed.outcome == "won"]
    expected = [(ages > day).mean() for day in export["x"]]
    assert np.allclose(export["y"], expected)


def test_an_export_without_wins_still_gives_a_page():
    nothing = deals_from(["2023-05-02", "2023-06-01"], [None, "2023-06-10"], ["open", "lost"],
                         [np.nan, 5000.0])  # fmt: skip
    html = fit_page([FitPart(nothing, [nothing, nothing], [])], [], "no wins")
    assert "No deal won in the period has a known amount." in html
    assert "Your export: 0.0% of the deals decided" in html
    with pytest.raises(ValueError, match="at least one simulated history"):
        fit_page([FitPart(nothing, [], [])], [], "no histories")


def test_the_page_in_a_real_browser(page, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="installed by the test extra")
    assert Path(CHROMIUM).exists(), ".ci/run installs Debian's chromium"
    path = tmp_path / "fit.html"
    path.write_text(page)
    errors, requests = [], []
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        view = browser.new_page(viewport={"width": 1366, "height": 900})
        view.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        view.on("pageerror", lambda e: errors.append(str(e)))
        view.on("request", lambda r: requests.append(r.url))
        view.goto(path.resolve().as_uri())
        view.wait_for_function(
            "[...document.querySelectorAll('.plotly-graph-div')].every(el => el._fullLayout)"
        )
        charts = view.eval_on_selector_all(
            ".plotly-graph-div",
            """els => els.map(el => ({
                id: el.id,
                drawn: el.querySelectorAll('.main-svg').length > 0,
                points: el.calcdata.reduce((n, trace) => n + trace.length, 0),
            }))""",
        )
        assert len(charts) == 4
        for chart in charts:
            assert chart["drawn"] and chart["points"] > 0, chart
        view.locator("#monthly-chart").scroll_into_view_if_needed()
        box = view.locator("#monthly-chart .nsewdrag").first.bounding_box()
        view.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5)
        view.wait_for_selector("#monthly-chart .hoverlayer .hovertext")
        wide = view.eval_on_selector("#fitted-table", "el => el.scrollWidth > el.clientWidth + 1")
        assert not wide, "the fitted table fits the page without scrolling"
        view.screenshot(path=str(tmp_path / "fit.png"), full_page=True)
        browser.close()
    assert not errors, errors
    assert all(r.startswith("file://") for r in requests), requests
    assert (tmp_path / "fit.png").stat().st_size > 10_000


@pytest.mark.parametrize(("standard_errors", "word"), [(1.9, "matches"), (-2.1, "off")])
def test_a_fit_page_judges_as_the_fit_did(standard_errors: float, word: str) -> None:
    """Given the fit's misses, the page's verdict is the settled check's (within 2 standard
    errors), so the table and the unsettled warning never disagree about a statistic."""
    observed = raw_statistics(OBSERVED, WINDOW)["crm_win_rate"]
    rows = [fitted_row("crm_win_rate", simulated=observed - 0.05)]
    part = FitPart(OBSERVED, SIMULATED, rows, WINDOW, {"crm_win_rate": standard_errors})
    html = fit_page([part], [], "verdicts")
    table = html[html.index('id="fitted-table"') :]
    assert f"<span class='word'>{word}</span>" in table
    assert f"{standard_errors:+.1f} standard errors" in table
