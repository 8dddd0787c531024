"""How a deal can end, defined once: for each ``Outcome`` its column (the metric's name and the
story's reason: one spelling), its label and description in the metric registry, its place and
colour in the report's fate chart, its words in the story, and which groupings count it (the
forecast deals a win rate divides by, the buying efforts of the CEB fact).

Adding an outcome is one entry here plus the mechanism that ends a deal that way;
``tests/test_outcomes.py`` checks every outcome appears everywhere it must."""

from __future__ import annotations

from dataclasses import dataclass

from simulator.model.events import Outcome


@dataclass(frozen=True)
class OutcomeSpec:
    outcome: Outcome
    column: str  # summary and monthly metric, the story's reason
    label: str
    description: str  # of the summary metric
    step: str  # the fate chart's label
    colour: str
    told: str  # the story's line: {who} the account, {waited} " after waiting n months" or "";
    # a win also {acv} a year and {credit} (who books it)
    short: str  # the story chart's label beside the beat
    decided: bool  # ended after a proposal: a forecast deal (CSO Insights), in the win rate
    buying_effort: bool  # ended after discovery, the committee known (CEB's buying efforts)

    @property
    def better(self) -> str:
        return "higher" if self.outcome == Outcome.WON else "lower"


OUTCOMES: tuple[OutcomeSpec, ...] = (
    OutcomeSpec(Outcome.WON, "won", "Deals won", "Opportunities closed won.", "won", "#2e7d32",
                "{who} signs{waited}: {acv} a year{credit}.", "won", True, True),
    OutcomeSpec(Outcome.LOST_COMPETITOR, "lost_competitor", "Lost to a competitor",
                "Opportunities lost to a competitor.", "lost to a competitor", "#ef6c00",
                "{who} buys from a competitor{waited}.", "lost to a competitor", True, True),
    OutcomeSpec(Outcome.LOST_HOUSEHOLD_BRAND, "lost_household_brand", "Lost to a household name",
                "Opportunities lost to a household-name vendor.", "lost to a household name",
                "#ad1457", "{who} goes with the household name{waited}.",
                "lost to the household name", True, True),
    OutcomeSpec(Outcome.LOST_NO_DECISION, "lost_no_decision", "Lost to no decision",
                "Opportunities where the buyer decided to do nothing.", "lost to no decision",
                "#fbc02d", "{who} ends in no decision{waited}.", "no decision", True, True),
    OutcomeSpec(Outcome.DISQUALIFIED, "disqualified", "Disqualified",
                "Opportunities screened out at qualification.", "disqualified", "#5c6bc0",
                "{who} is disqualified.", "disqualified", False, False),
    OutcomeSpec(Outcome.STALLED, "stalled", "Stalled",
                "Opportunities that went quiet after the proposal.", "stalled", "#6d4c41",
                "{who} goes dark.", "goes dark", True, True),
    OutcomeSpec(Outcome.NO_CONSENSUS, "no_consensus", "No consensus",
                "Opportunities whose buying group pulled out during evaluation, before a "
                "proposal.", "buying group pulled out", "#26a69a",
                "The buying group at {who} cannot agree and drops the purchase.",
                "group pulls out", False, True),
)  # fmt: skip
BY_OUTCOME = {spec.outcome: spec for spec in OUTCOMES}
BY_COLUMN = {spec.column: spec for spec in OUTCOMES}

DECIDED = tuple(spec.outcome for spec in OUTCOMES if spec.decided)
"""Ends after a proposal, the deals a forecast counts (CSO Insights' "forecast deals"): the
denominator of the win rate of forecast deals (``win_rate``). A buying group that pulled out
during evaluation never got there."""
DECIDED_COLUMNS = tuple(BY_OUTCOME[outcome].column for outcome in DECIDED)
BUYING_EFFORTS = tuple(spec.outcome for spec in OUTCOMES if spec.buying_effort)
"""Ends after discovery, where the committee is known: CEB's buying efforts, which a group
pulling out during evaluation ends without a purchase."""
