"""From an export's columns to the normalised deals, leaving out bad rows with a count and
examples of each kind: never a crash, never a silent drop.

A row is bad for the first of these it shows: not a deal (a report footer), no created date, a
date that is not one, a closed deal with no close date, a close before the creation, an amount
that is not a number or is negative, a stage that says neither won, lost nor open (and no
Won / Closed flags that do), an opportunity id seen before. A CRM's close date of an open deal
is its expected close: it is ignored. The outcome comes from the Won / Closed flags where the
export has them (Salesforce derives them from the stage's definition, custom stages included),
else from the stage's name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from simulator.crm.dates import NOT_A_DATE, day_first, parse_dates
from simulator.crm.formats import Resolved
from simulator.crm.reader import Export, strings
from simulator.crm.stages import LOST, OPEN, WON, outcome_of
from simulator.crm.table import Deals

EXAMPLES = 3
"""Examples shown of each kind of bad row."""

KINDS: dict[str, tuple[str, tuple[str, ...]]] = {
    "not_a_deal": ("not a deal (a report footer or a one-value line)", ()),
    "no_created_date": ("no created date", ("deal_id", "stage", "created")),
    "unreadable_date": ("a date that cannot be read", ("deal_id", "created", "closed")),
    "no_close_date": ("closed, with no close date", ("deal_id", "stage", "closed")),
    "close_before_create": ("close date before the created date", ("deal_id", "created", "closed")),
    "unreadable_amount": (
        "an amount that is not a number", ("deal_id", "amount", "arr", "term")
    ),
    "negative_amount": ("a negative amount", ("deal_id", "amount", "arr")),
    "bad_term": ("a contract term that is not a positive number of months", ("deal_id", "term")),
    "unknown_stage": (
        "a stage neither won, lost nor open", ("deal_id", "stage", "won", "is_closed")
    ),
    "repeated_id": ("an opportunity id seen on an earlier row", ("deal_id",)),
}  # fmt: skip
"""Kind -> (what it means, the fields an example shows), in the order rows are judged."""

_TRUE = {"true", "1", "yes", "y", "t", "x"}
_FALSE = {"false", "0", "no", "n", "f"}


@dataclass
class BadRows:
    """Rows read, and per kind of bad row its count and a few examples (``line N: ...``)."""

    rows_read: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, kind: str, example: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        shown = self.examples.setdefault(kind, [])
        if len(shown) < EXAMPLES:
            shown.append(example)

    def to_json(self) -> dict:
        return {
            "rows_read": self.rows_read,
            "total": self.total,
            "kinds": [
                {
                    "kind": kind,
                    "meaning": KINDS[kind][0],
                    "rows": self.counts[kind],
                    "examples": self.examples[kind],
                }
                for kind in KINDS
                if kind in self.counts
            ],
        }


def parse_amounts(values: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """Amounts (NaN where blank) and a mask of the unreadable ones. Currency signs and codes
    are dropped; ``1,054.50`` and ``1.054,50`` both read 1054.5; ``(50)`` is -50."""
    out = np.full(len(values), np.nan)
    unreadable = np.zeros(len(values), bool)
    for index, value in enumerate(values):
        if value is None or not value.strip():
            continue
        amount = _amount(value)
        if amount is None:
            unreadable[index] = True
        else:
            out[index] = amount
    return out, unreadable


def _amount(text: str) -> float | None:
    text = text.strip()
    negative = text.startswith("(") and text.endswith(")")
    text = re.sub(r"[A-Za-z$€£¥\s()\u00a0']", "", text)
    if "," in text and "." in text:
        decimal = "," if text.rfind(",") > text.rfind(".") else "."
        text = text.replace("." if decimal == "," else ",", "").replace(",", ".")
    elif "," in text:
        text = text.replace(",", "") if re.fullmatch(r"-?\d{1,3}(,\d{3})+", text) else text
        text = text.replace(",", ".")
    try:
        amount = float(text)
    except ValueError:
        return None
    return -amount if negative else amount


def _flags(values: list[str | None]) -> np.ndarray:
    """1 true, 0 false, -1 blank or unreadable."""
    out = np.full(len(values), -1, np.int8)
    for index, value in enumerate(values):
        word = (value or "").strip().lower()
        out[index] = 1 if word in _TRUE else 0 if word in _FALSE else -1
    return out


def _outcomes(raw: dict[str, list[str | None]], n: int) -> np.ndarray:
    """won / lost / open per row, or None where neither the flags nor the stage say."""
    names = raw.get("stage", [None] * n)
    by_stage = np.array([outcome_of(s) if s else None for s in names], dtype=object)
    if "won" not in raw or "is_closed" not in raw:
        return by_stage
    won, closed = _flags(raw["won"]), _flags(raw["is_closed"])
    by_flags = np.where(closed == 0, OPEN, np.where(won == 1, WON, LOST)).astype(object)
    known = (closed == 0) | ((closed == 1) & (won >= 0))
    return np.where(known, by_flags, by_stage)


def normalise(export: Export, resolved: Resolved) -> tuple[Deals, BadRows]:
    """The deals of the export under the resolved columns, and its bad rows (``as_of`` is the
    latest date the good rows show; the caller may view them as of another day)."""
    table, n = export.table, export.table.num_rows
    raw = {f: strings(table, heading) for f, heading in resolved.columns.items()}
    first = day_first([*raw["created"], *raw["closed"]])
    created, created_bad = parse_dates(raw["created"], first)
    closed, closed_bad = parse_dates(raw["closed"], first)
    amount, amount_bad = parse_amounts(raw.get("amount", [None] * n))
    arr, arr_bad = parse_amounts(raw.get("arr", [None] * n))
    term, term_bad = parse_amounts(raw.get("term", [None] * n))
    outcome = _outcomes(raw, n)
    is_closed = (outcome == WON) | (outcome == LOST)
    closed = np.where(is_closed, closed, NOT_A_DATE)
    ids = raw.get("deal_id", [None] * n)
    lines = export.lines
    deal_id = np.array(
        [value or f"line {line}" for value, line in zip(ids, lines.tolist(), strict=True)],
        dtype=object,
    )
    seen: set[str] = set()
    repeated = np.zeros(n, bool)
    for index, value in enumerate(ids):
        if value:
            repeated[index] = value in seen
            seen.add(value)
    problems = {
        "no_created_date": np.isnat(created) & ~created_bad,
        "unreadable_date": created_bad | (is_closed & closed_bad),
        "no_close_date": is_closed & np.isnat(closed) & ~closed_bad,
        "close_before_create": closed < created,
        "unreadable_amount": amount_bad | arr_bad | term_bad,
        "negative_amount": (amount < 0) | (arr < 0),
        "bad_term": term <= 0,
        "unknown_stage": outcome == None,  # noqa: E711 (elementwise on an object array)
        "repeated_id": repeated,
    }
    bad = BadRows(rows_read=n + len(export.not_deals))
    for line, text in export.not_deals:
        bad.add("not_a_deal", f"line {line}: {text!r}")
    good = np.ones(n, bool)
    for kind, mask in problems.items():
        hit = good & mask
        for index in np.flatnonzero(hit).tolist():
            bad.add(kind, _example(kind, index, raw, resolved, int(lines[index])))
        good &= ~hit
    stage = raw.get("stage") or [_default_stage(o) for o in outcome]
    stage_array = np.array(
        [s or _default_stage(o) for s, o in zip(stage, outcome, strict=True)], dtype=object
    )
    deals = Deals(
        deal_id=deal_id,
        account=np.array(raw.get("account", [None] * n), dtype=object),
        owner=np.array(raw.get("owner", [None] * n), dtype=object),
        source=np.array(raw.get("source", [None] * n), dtype=object),
        stage=stage_array,
        outcome=outcome,
        created=created,
        closed=closed,
        acv_usd=amount,
        as_of=NOT_A_DATE,
        term_months=term,
        arr_usd=arr,
    ).take(good)
    return _with_as_of(deals), bad


def _default_stage(outcome: str | None) -> str:
    return {WON: "Closed Won", LOST: "Closed Lost", OPEN: "Open"}.get(outcome or "", "")


def _with_as_of(deals: Deals) -> Deals:
    """The deals with ``as_of`` set to the latest date they show."""
    dates = np.concatenate([deals.created, deals.closed[~np.isnat(deals.closed)]])
    latest = dates.max() if dates.size else np.datetime64("today", "D")
    return deals.as_seen_on(latest)


def _example(
    kind: str, index: int, raw: dict[str, list[str | None]], resolved: Resolved, line: int
) -> str:
    shown = []
    for f in KINDS[kind][1]:
        if f in raw:
            value = raw[f][index]
            shown.append(f"{resolved.columns[f]}={value if value else '(blank)'}")
    return f"line {line}: " + ", ".join(shown)
