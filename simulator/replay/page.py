"""The replay as one self-contained page for a projector: plotly.js, the chart with one frame per
month, and each month's captions and scores are embedded, so it opens offline from ``file://``
and makes no request. Big controls for the presenter (play / pause, step, a month slider,
speed) and keys: space plays or pauses, the arrows step, Home and End jump.

Every word and number comes from the ``Replay`` (its JSON is embedded too); text from the user
(scenario and variant names) reaches the page escaped, or as text the script sets."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from plotly.offline import get_plotlyjs

from simulator import __version__
from simulator.atomic import write_text_atomic
from simulator.page import escape
from simulator.replay.document import Replay
from simulator.replay.figure import replay_figure, short
from simulator.replay.hunters import month_in_quarter, quarter_of
from simulator.replay.look import VARIANT_COLOURS, look_for
from simulator.replay.pauses import pauses
from simulator.replay.select import signed_money
from simulator.story.months import MONTHS_PER_QUARTER
from simulator.story.wording import money

MONTH_MS = 1500  # a month on screen at normal speed
CAPTION_HOLD = 2.0  # a month with a new caption stays this many times longer
SPEEDS = (0.5, 1, 2, 4)
TAG_CHARS = 36  # a caption's variant tag longer than this is cut (the about line names them)

STYLE = """
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       background: #fff; display: flex; flex-direction: column; overflow: hidden; }
#top { display: flex; align-items: baseline; gap: 24px; padding: 6px 20px;
       background: #1f3a5f; color: #fff; }
#month { font-size: 34px; font-weight: 800; white-space: nowrap; min-width: 8.2em; }
#quarter { font-size: 20px; font-weight: 700; white-space: nowrap; color: #ffd27a; }
#title { font-size: 20px; opacity: 0.92; overflow: hidden; white-space: nowrap;
         text-overflow: ellipsis; }
#captions { padding: 4px 20px 0; height: 92px; overflow: hidden; }
.caption { font-size: 28px; font-weight: 700; line-height: 42px; white-space: nowrap;
           overflow: hidden; text-overflow: ellipsis; }
.caption.old { color: #9aa5b1; font-weight: 600; }
.caption.intro { color: #1f3a5f; font-weight: 600; font-size: 26px; }
.caption .when { color: #1f3a5f; margin-right: 10px; }
.caption.old .when { color: #9aa5b1; }
.caption .tag { display: inline-block; font-size: 20px; line-height: 30px; padding: 0 10px;
                border-radius: 6px; color: #fff; margin-right: 10px; vertical-align: 3px; }
.caption.old .tag { opacity: 0.45; }
#score { display: flex; gap: 28px; padding: 0 20px 2px; font-size: 21px; white-space: nowrap;
         height: 32px; }
#score .name { font-weight: 800; }
body.three #score { font-size: 17px; gap: 18px; }
#score .gap { font-weight: 800; }
#stage { flex: 1; min-height: 0; position: relative; }
#chart { position: absolute; inset: 0; }
#controls { display: flex; align-items: center; gap: 12px; padding: 6px 20px;
            background: #eef2f7; font-size: 20px; }
#controls button, #controls select { font-size: 20px; padding: 4px 14px; border-radius: 6px;
            border: 1px solid #9aa5b1; background: #fff; cursor: pointer; }
#controls button#play { min-width: 6.5em; font-weight: 700; background: #1f3a5f; color: #fff; }
#slider { flex: 1; height: 28px; accent-color: #1f3a5f; }
#about { font-size: 15px; color: #52606d; padding: 3px 20px 5px; line-height: 1.3; }
#keys { color: #52606d; font-size: 16px; white-space: nowrap; }
#words { position: relative; }
#pause { position: absolute; inset: 0; z-index: 5; display: none; overflow: hidden;
         background: #fff4d6; border-bottom: 3px solid #f0a500; padding: 4px 20px; }
#pause .title { font-size: 18px; font-weight: 600; color: #52606d; white-space: nowrap;
                overflow: hidden; text-overflow: ellipsis; }
#pause .question { font-size: 26px; font-weight: 800; line-height: 1.2; color: #1f3a5f; }
#pause .hint { font-size: 16px; color: #52606d; }
"""

SCRIPT = """
(function () {
  const figure = JSON.parse(document.getElementById('replay-figure').textContent);
  const months = JSON.parse(document.getElementById('replay-months').textContent);
  const timing = JSON.parse(document.getElementById('replay-timing').textContent);
  const last = months.length;
  const chart = document.getElementById('chart');
  const slider = document.getElementById('slider');
  const play = document.getElementById('play');
  const speed = document.getElementById('speed');
  let month = 1, timer = null;

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function render(m) {
    const data = months[m - 1];
    document.getElementById('month').textContent = 'Month ' + m + ' of ' + last;
    document.getElementById('quarter').textContent = data.quarter;
    slider.value = String(m);
    const captions = document.getElementById('captions');
    const intro = data.captions.length ? [] : timing.intro.map(t => el('div', 'caption intro', t));
    captions.replaceChildren(...intro, ...data.captions.map(c => {
      const line = el('div', 'caption ' + (c.now ? 'now' : 'old'));
      line.appendChild(el('span', 'when', 'Month ' + c.month + ':'));
      if (c.tag) {
        const tag = el('span', 'tag', c.tag);
        tag.style.background = c.colour;
        line.appendChild(tag);
      }
      line.appendChild(el('span', 'text', c.text));
      return line;
    }));
    const score = document.getElementById('score');
    score.replaceChildren(...data.score.map(s => {
      const block = el('span', 'variant');
      const name = el('span', 'name', s.name);
      name.style.color = s.colour;
      block.append(name, ' ' + s.text);
      if (s.gap) {
        const gap = el('span', 'gap', '(gap ' + s.gap + ')');
        gap.style.color = s.side < 0 ? '#c62828' : s.side > 0 ? '#2e7d32' : '#1f2933';
        block.append(' ', gap);
      }
      return block;
    }));
    document.body.dataset.month = String(m);
    const box = document.getElementById('pause');
    if (data.pause) {
      box.querySelector('.title').textContent = data.pause.title;
      box.querySelector('.question').textContent = data.pause.question;
      box.style.display = 'block';
    } else {
      box.style.display = 'none';
    }
    document.body.dataset.pause = data.pause ? data.pause.kind : '';
  }
  function show(m) {
    month = Math.max(1, Math.min(last, m));
    Plotly.animate(chart, [String(month)], {
      mode: 'immediate', frame: {duration: 0, redraw: true}, transition: {duration: 0},
    });
    render(month);
  }
  function delay() {
    const base = timing.month_ms / Number(speed.value);
    return months[month - 1].beat ? base * timing.caption_hold : base;
  }
  function tick() {
    if (month >= last) { stop(); return; }
    show(month + 1);
    if (months[month - 1].pause) { stop(); return; }  // the room's turn: space plays on
    timer = setTimeout(tick, delay());
  }
  function start() {
    if (timer !== null) return;
    if (month >= last) show(1);
    document.getElementById('pause').style.display = 'none';
    play.textContent = '\\u275a\\u275a Pause';
    document.body.dataset.playing = '1';
    timer = setTimeout(tick, 0);
  }
  function stop() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    play.textContent = '\\u25b6 Play';
    document.body.dataset.playing = '0';
  }
  function toggle() { if (timer === null) start(); else stop(); }
  function step(by) { stop(); show(month + by); }

  play.addEventListener('click', toggle);
  document.getElementById('back').addEventListener('click', () => step(-1));
  document.getElementById('forward').addEventListener('click', () => step(1));
  slider.addEventListener('input', () => { stop(); show(Number(slider.value)); });
  const keys = {
    ' ': toggle, 'ArrowRight': () => step(1), 'ArrowLeft': () => step(-1),
    'Home': () => { stop(); show(1); }, 'End': () => { stop(); show(last); },
  };
  document.addEventListener('keydown', event => {
    const action = keys[event.key];
    if (!action) return;
    event.preventDefault();
    if (!event.repeat || event.key !== ' ') action();
  });
  document.addEventListener('keyup', event => {
    if (event.key === ' ') event.preventDefault();  // a focused button would click again
  });
  render(1);  // the words first: the chart takes the room they leave
  Plotly.newPlot(chart, figure.data, figure.layout,
                 {staticPlot: true, responsive: true, displayModeBar: false})
    .then(() => Plotly.addFrames(chart, figure.frames))
    .then(() => { show(1); document.body.dataset.ready = '1'; });
})();
"""


def write_replay_page(replay: Replay, out: Path | None) -> Path:
    """Write the page (atomically) to ``out``, or to ``results/`` under a name that says what
    it replays."""
    if out is None:
        names = "-".join([replay.scenario, *replay.names]).lower()
        slug = re.sub(r"[^a-z0-9]+", "-", names).strip("-")
        selection = replay.selection
        out = Path("results") / f"replay-{slug}-s{selection.seed}-r{selection.replication}.html"
    return write_text_atomic(out, replay_html(replay))


def months_data(replay: Replay) -> list[dict[str, Any]]:
    """What the page writes beside the chart each month: the captions on screen and the score."""
    colour = dict(zip(replay.names, VARIANT_COLOURS, strict=False))
    look = look_for(len(replay.names))
    data = []
    stops = {pause.month: pause.to_json() for pause in pauses(replay)}
    for month in range(1, replay.horizon_months + 1):
        first = replay.variants[0].months[month - 1]
        score = []
        for index, variant in enumerate(replay.variants):
            now = variant.months[month - 1]
            gap = signed_money(now.bookings_usd - first.bookings_usd) if index else ""
            score.append(
                {
                    "name": short(variant.name, look.title_chars),
                    "colour": colour[variant.name],
                    "text": money(now.bookings_usd)
                    if look.compact  # three variants: the chart's dotted lines give ARR
                    else f"booked {money(now.bookings_usd)}, ARR {money(now.arr_usd)}",
                    "gap": gap,
                    "side": (now.bookings_usd > first.bookings_usd)
                    - (now.bookings_usd < first.bookings_usd),
                }
            )
        shown = replay.shown(month)
        data.append(
            {
                "month": month,
                "quarter": f"Q{quarter_of(month)}, month {month_in_quarter(month)} of "
                f"{MONTHS_PER_QUARTER}",
                "beat": any(c.month == month for c in replay.captions),
                "captions": [
                    {
                        "month": c.month,
                        "text": c.text,
                        "tag": short(replay.tag(c), TAG_CHARS),
                        "colour": colour[c.variants[0]],
                        "now": c.month == month,
                    }
                    for c in shown
                ],
                "score": score,
                "pause": stops.get(month),
            }
        )
    return data


def intro(replay: Replay) -> list[str]:
    """What the caption lines say before the first beat: what is being compared."""
    both = "both" if len(replay.names) == 2 else f"all {len(replay.names)}"
    return [
        f"One replication, played side by side: {' vs '.join(replay.names)}",
        f"The same market, leads and people in {both}; only the strategy differs",
    ]


def _embedded(element_id: str, data: object) -> str:
    text = json.dumps(data) if not isinstance(data, str) else data
    safe = text.replace("</", "<\\/")  # no "</script>" inside the JSON
    return f'<script type="application/json" id="{element_id}">{safe}</script>'


def replay_html(replay: Replay) -> str:
    speeds = "".join(
        f'<option value="{s}"{" selected" if s == 1 else ""}>speed {s}×</option>' for s in SPEEDS
    )
    about = " ".join(filter(None, (replay.selection.summary(), replay.branch_line(), replay.why)))
    controls = (
        '<div id="controls">'
        '<button id="back" title="previous month (left arrow)">&#9664; Back</button>'
        '<button id="play" title="play or pause (space)">&#9654; Play</button>'
        '<button id="forward" title="next month (right arrow)">Step &#9654;</button>'
        f'<input id="slider" type="range" min="1" max="{replay.horizon_months}" value="1" '
        'step="1" aria-label="month">'
        f'<select id="speed" aria-label="speed">{speeds}</select>'
        '<span id="keys">space: play / pause · arrows: step</span></div>'
    )
    timing = {"month_ms": MONTH_MS, "caption_hold": CAPTION_HOLD, "intro": intro(replay)}
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="salesim {escape(__version__)}">'
        f"<title>{escape(replay.title())}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head>'
        f'<body class="{"three" if look_for(len(replay.names)).compact else "two"}">'
        f'<div id="top"><span id="month">Month 1 of {replay.horizon_months}</span>'
        '<span id="quarter"></span>'
        f'<span id="title">{escape(replay.title())} · replication '
        f"{replay.selection.replication}"
        f"{'' if replay.selection.by_trainer else ' (typical)'}</span></div>"
        '<div id="words"><div id="captions"></div><div id="score"></div>'
        '<div id="pause"><div class="title"></div><div class="question"></div>'
        '<div class="hint">space or Play: play on</div></div></div>'
        '<div id="stage"><div id="chart"></div></div>'
        f'{controls}<div id="about">{escape(about)}</div>'
        + _embedded("replay-figure", replay_figure(replay).to_json())
        + _embedded("replay-months", months_data(replay))
        + _embedded("replay-timing", timing)
        + _embedded("replay-data", replay.to_json())
        + f"<script>{SCRIPT}</script></body></html>\n"
    )
