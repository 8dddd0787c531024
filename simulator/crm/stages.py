"""Stage names as CRMs write them, and what each says: won, lost, or open at which of salesim's
stages (attraction, qualification, evaluation, proposal).

The vocabulary covers Salesforce's default opportunity stages, HubSpot's default deal pipeline
(labels and internal ids), the Maven CRM export and salesim's own names. A custom stage is
unknown here: the row is reported, unless the export carries the Won / Closed flags that decide
the outcome without the stage's name. Where an open stage sits in salesim's funnel is a
judgement (Maven's ``Engaging`` is taken as qualification); later parts start open deals there.
"""

from __future__ import annotations

import re

WON, LOST, OPEN = "won", "lost", "open"

SIM_STAGES = ("attraction", "qualification", "evaluation", "proposal")
"""salesim's stages in funnel order (``simulator.parameters.STAGES``)."""

_CLOSED = {
    WON: ("closed won", "won", "closedwon"),
    LOST: ("closed lost", "lost", "closedlost"),
}
_OPEN = {
    "attraction": (
        "prospecting", "attraction", "appointment scheduled", "appointmentscheduled", "new",
        "lead",
    ),
    "qualification": ("qualification", "qualified to buy", "qualifiedtobuy", "engaging",
                      "discovery"),
    "evaluation": (
        "needs analysis", "value proposition", "id. decision makers", "perception analysis",
        "presentation scheduled", "presentationscheduled", "decision maker bought-in",
        "decisionmakerboughtin", "evaluation", "demo",
    ),
    "proposal": (
        "proposal/price quote", "negotiation/review", "contract sent", "contractsent",
        "proposal", "negotiation",
    ),
}  # fmt: skip

SALESFORCE_STAGE = {
    "attraction": "Prospecting",
    "qualification": "Qualification",
    "evaluation": "Needs Analysis",
    "proposal": "Proposal/Price Quote",
    WON: "Closed Won",
    LOST: "Closed Lost",
}
"""The Salesforce default stage a simulated deal is written with."""


def stage_key(name: str) -> str:
    """A stage name reduced to letters and digits, so ``Closed Won`` = ``closedwon``."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


_OUTCOME_OF = {stage_key(n): outcome for outcome, names in _CLOSED.items() for n in names}
_SIM_STAGE_OF = {stage_key(n): stage for stage, names in _OPEN.items() for n in names}


def outcome_of(stage: str) -> str | None:
    """``won``, ``lost`` or ``open`` for a known stage name; None for an unknown one."""
    key = stage_key(stage)
    if key in _OUTCOME_OF:
        return _OUTCOME_OF[key]
    return OPEN if key in _SIM_STAGE_OF else None


def sim_stage(stage: str) -> str | None:
    """salesim's stage for a known open stage name (``Needs Analysis`` -> evaluation)."""
    return _SIM_STAGE_OF.get(stage_key(stage))
