"""The scenario's parameter tree: every number the model reads, with its unit and default.

Each section is a frozen pydantic model with ``extra="forbid"``, so a typo in a scenario file is
an error, never a silently ignored key. Units live in the field names (``_days``, ``_usd``,
``_per_month``) or, for unitless quantities, in the description ("probability", "utility units").
Defaults come from ``MODEL.md``; published figures are cited next to the field they set.

A module per section (``market``, ``team``, ``product``, ``competitors``, ``marketing``,
``process``, ``strategy``, ``post_sale``, ``start``, ``mechanisms``), the shared building
blocks in ``base`` and the whole tree in ``tree``. Everything is importable from here, as
``simulator.parameters.Parameters``.
"""

from __future__ import annotations

from simulator.parameters.base import (
    SEGMENTS,
    STAGES,
    Count,
    LogSpread,
    NonNegativeFloat,
    Number,
    PerSegment,
    PerSegmentProbability,
    PositiveFloat,
    Probability,
    Section,
)
from simulator.parameters.competitors import Competitor, Competitors, Entrants
from simulator.parameters.market import Choice, Market, Segment, StageDays
from simulator.parameters.marketing import (
    Awareness,
    BrandAdvertising,
    BudgetChange,
    DirectMarketing,
    Marketing,
)
from simulator.parameters.mechanisms import MECHANISMS, Mechanisms
from simulator.parameters.post_sale import HandoffStrategy, PerHandoff, PostSale
from simulator.parameters.process import DisciplineEffect, LeadSourceQuality, Pitching, Process
from simulator.parameters.product import Feature, Product, Slip
from simulator.parameters.start import DEFAULT_START_DATE, Start
from simulator.parameters.strategy import PitchStrategy, Strategy
from simulator.parameters.team import QuarterEnd, Quota, Team
from simulator.parameters.tree import PARAMETER_SECTIONS, Parameters, ScenarioFile, VariantSpec

__all__ = [
    "DEFAULT_START_DATE",
    "MECHANISMS",
    "PARAMETER_SECTIONS",
    "SEGMENTS",
    "STAGES",
    "Awareness",
    "BrandAdvertising",
    "BudgetChange",
    "Choice",
    "Competitor",
    "Competitors",
    "Count",
    "DirectMarketing",
    "DisciplineEffect",
    "Entrants",
    "Feature",
    "HandoffStrategy",
    "LeadSourceQuality",
    "LogSpread",
    "Market",
    "Marketing",
    "Mechanisms",
    "NonNegativeFloat",
    "Number",
    "Parameters",
    "PerHandoff",
    "PerSegment",
    "PerSegmentProbability",
    "PitchStrategy",
    "Pitching",
    "PositiveFloat",
    "PostSale",
    "Probability",
    "Process",
    "Product",
    "QuarterEnd",
    "Quota",
    "ScenarioFile",
    "Section",
    "Segment",
    "Slip",
    "StageDays",
    "Start",
    "Strategy",
    "Team",
    "VariantSpec",
]
