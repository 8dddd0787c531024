"""One definition of how a deal can end (``simulator/outcomes.py``): every ``Outcome`` has its
entry, and from it appears everywhere it must — a summary and a monthly metric counted from the
log, the fate chart, the story's line and chart label, and the groupings the win rate and the
facts use — so adding an outcome is one entry plus its mechanism."""

from __future__ import annotations

import math

import numpy as np

from simulator.metrics.catalog import MONTHLY, SUMMARY
from simulator.metrics.measure import monthly
from simulator.model.events import EventLog, Kind, Outcome
from simulator.model.outcomes import BUYING_EFFORTS, BY_COLUMN, BY_OUTCOME, DECIDED, OUTCOMES
from simulator.story.deal import ending


def test_every_outcome_is_defined_once_with_one_spelling():
    assert [spec.outcome for spec in OUTCOMES] == list(Outcome)
    columns = [spec.column for spec in OUTCOMES]
    assert len(set(columns)) == len(columns) and set(BY_COLUMN) == set(columns)


def test_every_outcome_is_a_metric_in_the_fate_chart():
    for spec in OUTCOMES:
        assert SUMMARY[spec.column].label == spec.label
        assert "fate" in SUMMARY[spec.column].charts
        assert MONTHLY[spec.column].section == "outcomes"


def test_every_outcome_is_counted_in_its_month():
    log = EventLog()
    for month, spec in enumerate(OUTCOMES):
        log.record(month * 30.4 + 1, Kind.OPENED, month)
        log.record(month * 30.4 + 2, Kind.CLOSED, month, code=spec.outcome)
    table = monthly(log.as_array(), len(OUTCOMES), 100)
    for month, spec in enumerate(OUTCOMES):
        expected = np.zeros(len(OUTCOMES))
        expected[month] = 1
        assert table[spec.column].tolist() == expected.tolist(), spec.column


def test_every_outcome_has_its_story_line_and_label():
    for spec in OUTCOMES:
        kind, text, facts = ending("Sam", "Account 7", spec.outcome, 1000.0, math.nan, False)
        assert "{" not in text and "Account 7" in text
        if spec.outcome != Outcome.WON:
            assert kind == "lost" and BY_COLUMN[facts["reason"]] is spec and spec.short


def test_groupings_come_from_the_definition():
    assert Outcome.WON in DECIDED and Outcome.DISQUALIFIED not in DECIDED
    assert Outcome.NO_CONSENSUS in BUYING_EFFORTS and Outcome.NO_CONSENSUS not in DECIDED
    assert set(DECIDED) <= set(BUYING_EFFORTS)
    assert all(BY_OUTCOME[o].decided for o in DECIDED)
