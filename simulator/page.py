"""The HTML page shell shared by reports and training stories: one self-contained file.

plotly.js is embedded in the page, so it opens offline from ``file://`` and makes no request.
Everything that comes from a user (scenario and variant names, descriptions) is escaped here.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import plotly.graph_objects as go
from plotly.offline import get_plotlyjs

from simulator import __version__

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0;
       color: #1f2933; background: #f7f8fa; }
header { background: #1f3a5f; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 6px 0; font-size: 1.5rem; }
header p { margin: 2px 0; opacity: 0.9; font-size: 0.95rem; }
main { max-width: 1200px; margin: 0 auto; padding: 18px 28px 40px; }
section { background: #fff; border-radius: 8px; box-shadow: 0 1px 3px rgba(0,0,0,.08);
          padding: 14px 18px; margin: 18px 0; }
section h2 { font-size: 1.15rem; margin: 0 0 4px 0; }
.caption { color: #52606d; margin: 0 0 8px 0; font-size: 0.92rem; }
table { border-collapse: collapse; font-size: 0.85rem; width: 100%; }
th, td { border-bottom: 1px solid #e4e7eb; padding: 4px 8px; text-align: right; }
th:first-child, td:first-child { text-align: left; }
ol.story { line-height: 1.5; padding-left: 0; list-style: none; }
ol.story li { margin: 6px 0; }
ol.story .month { display: inline-block; min-width: 92px; font-weight: 600; color: #1f3a5f; }
footer { color: #7b8794; font-size: 0.8rem; text-align: center; padding: 12px; }
#section-verdict { border-top: 4px solid #1f3a5f; }
#section-verdict h2 { font-size: 1.35rem; }
p.note { background: #fff8e1; border-left: 4px solid #f9a825; padding: 8px 12px; margin: 8px 0;
         font-weight: 600; }
section.warning { background: #ffebee; border-left: 6px solid #c62828; }
section.warning h2 { color: #c62828; }
section.warning p { margin: 4px 0; font-size: 1rem; }
p.sentence { font-size: 1.08rem; margin: 6px 0; }
.badge { display: inline-block; min-width: 5.5em; text-align: center; border-radius: 4px;
         padding: 1px 6px; margin-right: 6px; color: #fff; font-weight: 700;
         text-transform: uppercase; font-size: 0.85rem; background: #7b8794; }
.badge.better { background: #2e7d32; } .badge.worse { background: #c62828; }
.badge.mixed { background: #f9a825; color: #1f2933; }
table.verdict { font-size: 1rem; margin-top: 10px; }
table.summary tr.group th { text-align: left; background: #eef2f7; padding-top: 8px; }
table.verdict th, table.verdict td { padding: 7px 10px; vertical-align: top; }
table.verdict thead th { text-align: left; }
table.verdict td { text-align: left; }
table.verdict .word { display: block; font-weight: 700; font-size: 0.85rem;
                      text-transform: uppercase; }
table.verdict .amount { font-size: 1.2rem; font-weight: 700; margin-right: 6px;
                        white-space: nowrap; }
table.verdict .interval { color: #52606d; white-space: nowrap; }
table.verdict td.better { background: #e8f5e9; } table.verdict td.better .word { color: #2e7d32; }
table.verdict td.worse { background: #ffebee; } table.verdict td.worse .word { color: #c62828; }
table.verdict td.unclear .word { color: #7b8794; }
.vs { color: #7b8794; font-weight: 400; }
thead th[title] { text-decoration: underline dotted; cursor: help; }
.wide { overflow-x: auto; }
table.summary td, table.summary th { white-space: nowrap; }
table.summary td:nth-child(-n+3), table.summary th:nth-child(-n+3) { text-align: left; }
table.summary { font-size: 0.82rem; }
table.summary td:first-child { white-space: normal; max-width: 13em; }
table.summary code { color: #7b8794; font-size: 0.75rem; overflow-wrap: anywhere; }
"""


def escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def figure_html(figure: go.Figure, div_id: str, toolbar: bool = True) -> str:
    """A plotly figure as a div, without plotly.js (the page embeds it once); ``toolbar=False``
    for a page shown on a projector, where the zoom buttons would only cover the chart."""
    height = figure.layout.height or 450
    return figure.to_html(
        full_html=False,
        include_plotlyjs=False,
        div_id=div_id,
        default_height=f"{height}px",
        default_width="100%",
        config={"displaylogo": False, "responsive": True, "displayModeBar": toolbar},
    )


def section(title: str, caption: str, body: str, section_id: str = "") -> str:
    """A titled block; ``body`` is trusted HTML, title and caption are escaped."""
    attribute = f' id="section-{escape(section_id)}"' if section_id else ""
    return (
        f"<section{attribute}><h2>{escape(title)}</h2>"
        f'<p class="caption">{escape(caption)}</p>{body}</section>'
    )


def render(
    title: str,
    header_lines: Iterable[str],
    sections: Iterable[str],
    warnings: Iterable[str] = (),
) -> str:
    """The whole page. Title, header lines and warnings are escaped; sections are trusted
    HTML. Warnings (a fit that did not settle) stand above everything else."""
    header = "".join(f"<p>{escape(line)}</p>" for line in header_lines)
    said = "".join(f"<p>{escape(line)}</p>" for line in warnings)
    if said:
        banner = f'<section class="warning" id="section-warning"><h2>Warning</h2>{said}</section>'
        sections = [banner, *sections]
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)}</title><style>{STYLE}</style>"
        f'<script type="text/javascript">{get_plotlyjs()}</script></head><body>'
        f"<header><h1>{escape(title)}</h1>{header}</header>"
        f"<main>{''.join(sections)}</main>"
        f"<footer>salesim {escape(__version__)}</footer></body></html>\n"
    )
