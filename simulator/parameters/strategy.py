"""The ``strategy`` section: the choices the team makes about how to sell."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from simulator.parameters.base import Count, Probability, Section

PitchStrategy = Literal["available_only", "vaporware", "beta_partner"]


class StrategySwitch(Section):
    """A change of strategy part-way through the run ("we stop pitching the roadmap at month
    12"): from the end of ``month`` on, the team sells by the values given here; until then the
    run is the same, step for step and draw for draw, as without the switch."""

    month: Count | None = Field(
        None,
        ge=1,
        description="months: the strategy changes at the end of this month (none: never)",
    )
    pitch: PitchStrategy | None = Field(
        None, description="the pitch strategy from the switch on (none: unchanged)"
    )
    qualification_discipline: Probability | None = Field(
        None, description="qualification discipline (0-1) from the switch on (none: unchanged)"
    )

    @model_validator(mode="after")
    def _complete(self) -> StrategySwitch:
        changes = [
            name
            for name in ("pitch", "qualification_discipline")
            if getattr(self, name) is not None
        ]
        if self.month is None and changes:
            raise ValueError(f"a switch of {', '.join(changes)} needs its month")
        if self.month is not None and not changes:
            raise ValueError("a switch needs what changes: pitch or qualification_discipline")
        return self


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
    switch: StrategySwitch = Field(
        StrategySwitch(),
        description="a change of strategy at a month, e.g. {month: 12, pitch: available_only}",
    )
