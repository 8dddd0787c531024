"""The ``strategy`` section: the choices the team makes about how to sell."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from simulator.parameters.base import Probability, Section

PitchStrategy = Literal["available_only", "vaporware", "beta_partner"]


class Strategy(Section):
    """How the team chooses to sell."""

    pitch: PitchStrategy = Field(
        "available_only",
        description="available_only: sell what ships; vaporware: pitch the announced feature "
        "when a meeting goes badly; beta_partner: offer it openly as a beta / launch-partner deal",
    )
    qualification_discipline: Probability = Field(
        0.75,
        description="how thoroughly hunters qualify (0-1): finding the sponsor, the economic "
        "buyer and the committee, and screening poor fits",
    )
