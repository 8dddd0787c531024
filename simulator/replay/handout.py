"""The facilitator's handout: one printable page (print CSS, no script, no server) with four key
frames of the replay and the run's facts, for the room to keep.

The frames are the replay's own data (``Replay``), drawn as plain HTML bars, so the handout
says what the page showed: the key beats' months (the pauses, first of all), then the last."""

from __future__ import annotations

from pathlib import Path

from simulator import __version__
from simulator.atomic import write_text_atomic
from simulator.page import escape
from simulator.replay.document import Replay
from simulator.replay.frames import GONE, PIPELINE, VariantReplay
from simulator.replay.look import (
    COMPACT,
    LANE_COLOURS,
    SHORT_PIPELINE_LABELS,
    VARIANT_COLOURS,
    lane_colour,
    lane_label,
)
from simulator.replay.pauses import pauses
from simulator.replay.select import signed_money
from simulator.story.wording import money

FRAMES = 4
BAR_CAP = 1.5  # of quota: a longer bar stops here (its label says the real number)

STYLE = """
@page { size: A4 landscape; margin: 9mm; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2933;
       margin: 0; font-size: 9.5pt; line-height: 1.25; }
h1 { font-size: 15pt; margin: 0 0 2pt; color: #1f3a5f; }
.about { color: #52606d; margin-bottom: 5pt; }
.frames { display: grid; grid-template-columns: 1fr 1fr; gap: 6pt 10pt; }
.frame { border: 1px solid #c5cbd3; border-radius: 5pt; padding: 4pt 6pt;
         break-inside: avoid; }
.frame h2 { font-size: 11pt; margin: 0 0 2pt; color: #1f3a5f; }
.caption { font-weight: 600; margin-bottom: 3pt; white-space: nowrap; overflow: hidden;
           text-overflow: ellipsis; }
.variants { display: flex; gap: 8pt; }
.variant { flex: 1; min-width: 0; }
.variant .name { font-weight: 800; }
.lane { display: flex; align-items: center; gap: 3pt; height: 10pt; font-size: 8pt; }
.lane .who { width: 34pt; overflow: hidden; white-space: nowrap; }
.lane .bar { height: 7pt; border-radius: 2pt; print-color-adjust: exact;
             -webkit-print-color-adjust: exact; }
.lane .label { white-space: nowrap; }
.pipeline { font-size: 8pt; color: #3e4c59; margin-top: 2pt; }
.facts { display: grid; grid-template-columns: 1fr 1fr; gap: 10pt; margin-top: 6pt; }
.facts h3 { font-size: 10.5pt; margin: 0 0 2pt; color: #1f3a5f; }
.facts ul, .facts ol { margin: 0; padding-left: 14pt; }
.legend { font-size: 8pt; color: #52606d; margin-top: 4pt; }
.swatch { display: inline-block; width: 8pt; height: 7pt; border-radius: 2pt;
          print-color-adjust: exact; -webkit-print-color-adjust: exact; margin: 0 2pt 0 6pt; }
@media screen { body { max-width: 297mm; margin: 12px auto; padding: 0 12px; } }
"""


def handout_path(page: Path) -> Path:
    """The handout beside its page: ``replay-....html`` -> ``replay-....handout.html``."""
    return page.with_name(f"{page.stem}.handout.html")


def key_months(replay: Replay) -> list[int]:
    """The four frames: the pauses' months (the key beats, and the branch in a branch replay),
    then the last month; months a year apart fill in when the run has fewer beats."""
    months = [p.month for p in pauses(replay) if p.month != replay.branch_at]
    if replay.branch_at is None:
        months = months[: FRAMES - 1]
    else:  # the branch is one of the frames
        months = [*months[: FRAMES - 2], replay.branch_at]
    last = replay.horizon_months
    filler = iter(m for m in range(12, last, 12) if m not in months)
    while len(months) < FRAMES - 1:
        months.append(next(filler, last))
    return [*sorted(set(months) - {last})[: FRAMES - 1], last]


def _lanes(variant: VariantReplay, month: int) -> str:
    rows = []
    for lane in variant.months[month - 1].lanes:
        gone = lane.status in GONE
        share = lane.attainment or 0.0
        width = 100.0 if gone else max(2.0, min(BAR_CAP, share) / BAR_CAP * 100.0)
        label = lane_label(lane, COMPACT, html=False)  # the page's words, short
        rows.append(
            f'<div class="lane"><span class="who">{escape(lane.name)}</span>'
            f'<span class="bar" style="width:{width * 0.45:.1f}%;background:'
            f'{lane_colour(lane)}"></span><span class="label">{escape(label)}</span></div>'
        )
    return "".join(rows)


def _frame(replay: Replay, month: int) -> str:
    shown = [c for c in replay.shown(month) if c.month == month] or replay.shown(month)
    captions = "".join(
        f'<div class="caption">Month {c.month}'
        f"{' (' + escape(replay.tag(c)) + ')' if replay.tag(c) else ''}: "
        f"{escape(c.text)}</div>"
        for c in shown
    )
    first = replay.variants[0].months[month - 1]
    columns = []
    for index, variant in enumerate(replay.variants):
        now = variant.months[month - 1]
        gap = f" ({signed_money(now.bookings_usd - first.bookings_usd)})" if index else ""
        pipeline = " · ".join(f"{SHORT_PIPELINE_LABELS[k]} {now.pipeline[k]}" for k in PIPELINE)
        columns.append(
            f'<div class="variant"><div><span class="name" style="color:'
            f'{VARIANT_COLOURS[index]}">{escape(variant.name)}</span> booked '
            f"{money(now.bookings_usd)}{gap}</div>{_lanes(variant, month)}"
            f'<div class="pipeline">{escape(pipeline)}</div></div>'
        )
    return (
        f'<section class="frame"><h2>Month {month}</h2>{captions}'
        f'<div class="variants">{"".join(columns)}</div></section>'
    )


def _facts(replay: Replay) -> str:
    last = replay.horizon_months
    first = replay.variants[0].months[-1]
    lines = []
    for index, variant in enumerate(replay.variants):
        end = variant.months[-1]
        left = sum(1 for t in variant.hunters if t.left_day is not None)
        plans = sum(len(t.plan_spells) for t in variant.hunters)
        gap = f", {signed_money(end.bookings_usd - first.bookings_usd)}" if index else ""
        lines.append(
            f"<li><b>{escape(variant.name)}</b>: booked {money(end.bookings_usd)}{gap} by month "
            f"{last}, ARR {money(end.arr_usd)}; {left} hunters left, {plans} times on the plan; "
            f"{end.pipeline['lost_household']} deals lost to the household name</li>"
        )
    questions = "".join(
        f"<li><b>{escape(p.title)}</b> {escape(p.question)}</li>" for p in pauses(replay)
    )
    return (
        f'<div class="facts"><div><h3>The run</h3><ul>{"".join(lines)}</ul>'
        f'<div class="legend">{escape(replay.selection.summary())} '
        f"{escape(replay.branch_line())}</div></div>"
        f"<div><h3>For discussion</h3><ol>{questions or '<li>What surprised you?</li>'}</ol>"
        f"</div></div>"
    )


def handout_html(replay: Replay) -> str:
    legend = "".join(
        f'<span class="swatch" style="background:{LANE_COLOURS[key]}"></span>{words}'
        for key, words in (
            ("met", "quarter's quota met"),
            ("under", "not yet"),
            ("danger", "on the plan"),
            ("ramping", "ramping up"),
            ("gone", "left"),
        )
    )
    frames = "".join(_frame(replay, m) for m in key_months(replay))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="generator" content="salesim {escape(__version__)}">'
        f"<title>Handout: {escape(replay.title())}</title><style>{STYLE}</style></head><body>"
        f"<h1>{escape(replay.title())}</h1>"
        f'<div class="about">One replication (replication {replay.selection.replication}, '
        f"seed {replay.selection.seed}), the same market, leads and people in every column. "
        f"Bars: this quarter's bookings against the quarter's quota.{legend}</div>"
        f'<div class="frames">{frames}</div>{_facts(replay)}</body></html>\n'
    )


def write_handout(replay: Replay, path: Path) -> Path:
    return write_text_atomic(path, handout_html(replay))
