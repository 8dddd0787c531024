"""The sentence a story or a replay shows from a stored `salesim explain` answer: which
mechanisms carry the verdict, in the trainer's words, so the room hears why as well as what."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from simulator.explain.answer import ranked
from simulator.metrics.catalog import summary_metric
from simulator.metrics.formats import number

CARRIERS_SHOWN = 3


class ExplainFileError(ValueError):
    """The file is not an explain answer for this scenario."""


def read_answer(path: Path, scenario: str) -> dict[str, Any]:
    """The stored answer (``explain.json`` or `--json` output) of ``scenario``; raises
    ExplainFileError saying what is wrong."""
    try:
        answer = json.loads(path.read_text(encoding="utf-8"))
        splits, asked = answer["splits"], answer["scenario"]
        splits[0]["mechanisms"], splits[0]["total"]["mean"]
    except (OSError, ValueError, KeyError, IndexError, TypeError) as error:
        raise ExplainFileError(f"{path}: not a `salesim explain` answer ({error})") from None
    if asked != scenario:
        raise ExplainFileError(f"{path}: explains scenario {asked!r}, not {scenario!r}")
    return answer


def carriers(answer: dict[str, Any]) -> str:
    """'What carries it: ...': the largest shares of the headline verdict and their part."""
    headline = answer["splits"][0]
    unit = summary_metric(headline["metric"]).unit
    total = headline["total"]["mean"]
    parts = ", ".join(
        f"{m['title'].lower()} {number(m['shapley']['mean'], unit, signed=True)}"
        for m in ranked(headline)[:CARRIERS_SHOWN]
    )
    return (
        f"What carries {answer['compare']} − {answer['baseline']} "
        f"({number(total, unit, signed=True)} {summary_metric(headline['metric']).label.lower()}, "
        f"salesim explain, {answer['replications']} replications): {parts}."
    )
