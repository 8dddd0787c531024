"""The story as a self-contained web page: the chart, how the story was chosen and how typical
it is, and the story itself underneath, with its JSON embedded. Every number and word on the
page comes from the ``Story``, as do the text and the JSON: one source."""

from __future__ import annotations

import json
import re
from pathlib import Path

from simulator.atomic import write_text_atomic
from simulator.page import escape, figure_html, render, section
from simulator.story.chart import story_figure
from simulator.story.document import Story
from simulator.story.items import Quarter
from simulator.story.months import MONTHS_NOTE
from simulator.story.wording import replications_span

QUARTER_STYLE = ' style="background:#eef2f7;border-radius:4px;padding:2px 4px"'


def write_story_page(story: Story, out_dir: Path) -> Path:
    slug = re.sub(r"[^a-z0-9]+", "-", f"{story.scenario}-{story.variant}".lower()).strip("-")
    name = f"story-{slug}-s{story.seed}-r{story.replication}-h{story.hunter}.html"
    return write_text_atomic(out_dir / name, story_html(story))


def story_html(story: Story) -> str:
    timeline = section(
        f"{story.hunter_name}'s story at a glance",
        "Top: the key beats, by month. Middle: each quarter's bookings as a share of that "
        "quarter's quota (bars, the numbers of the story's quarter lines) and the quota reviews "
        "(dots: the last months' bookings against quota; under the dashed line means the "
        "plan). Shaded: on the plan. Bottom: the hunter's open deals and those waiting on a "
        "release, until the hunter leaves.",
        figure_html(story_figure(story), "story-timeline", toolbar=False),
        "timeline",
    )
    chosen = section(
        "How this story was chosen, and how typical it is",
        story.how_chosen,
        typicality_table(story),
        "typicality",
    )
    items = "".join(
        f"<li{QUARTER_STYLE if isinstance(item, Quarter) else ''}>"
        f'<span class="month">Month {month}</span>{escape(text)}</li>'
        for month, text, item in story.lines()
    )
    text = section("The story", MONTHS_NOTE, f'<ol class="story">{items}</ol>', "story")
    data = json.dumps(story.to_json()).replace("</", "<\\/")
    embedded = f'<script type="application/json" id="story-data">{data}</script>'
    header = [
        f"Variant {story.variant}: replication {story.replication} of seed {story.seed}, "
        f"hunter {story.hunter} ({story.hunter_name})",
    ]
    return render(
        f"{story.scenario}: {story.hunter_name}'s story",
        header,
        [timeline, chosen, text + embedded],
    )


def typicality_table(story: Story) -> str:
    typical = story.typicality
    n = typical.replications
    head = (
        "<tr><th>variant</th><th>a hunter shows all of this story's beats</th>"
        "<th>a hunter goes on the plan</th><th>a hunter leaves</th>"
        "<th>hunters who left, mean</th></tr>"
    )
    rows = []
    for count in typical.variants:
        cells = [
            escape(count.variant) + (" (this story)" if count.variant == story.variant else ""),
            *(
                f"{k} of {n} ({k / n:.0%})"
                for k in (count.with_pattern, count.with_plan, count.with_leaver)
            ),
            f"{count.hunters_left / n:.1f}",
        ]
        rows.append("<tr>" + "".join(f"<td>{cell}</td>" for cell in cells) + "</tr>")
    seats = " or ".join(str(s) for s in typical.seats())
    return (
        f'<p class="caption">In how many of {replications_span(0, n - 1)} of seed '
        f"{typical.seed} (the same ones in every variant):</p><table>{head}{''.join(rows)}</table>"
        f'<p class="caption">Hunters who left: per replication, over the whole run; the team '
        f"has {seats} seats, and replacements can leave too.</p>"
    )
