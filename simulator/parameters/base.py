"""The building blocks every section is made of: strict number types with their bounds, the
names of the segments and the courtship stages, and the ``Section`` base (immutable; an unknown
key is an error, never a silently ignored one).

Kept apart from the sections so that a section module imports only these building blocks, and
the sections stay independent of each other.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

# Strict, so that `hunters: true` or `share: "0.5"` is an error rather than 1 or 0.5; a whole
# number is still a number, and a count given as `2.0` is taken as 2 (see Section).
Number = Annotated[float, Strict()]
Count = Annotated[int, Strict()]

Probability = Annotated[Number, Field(ge=0.0, le=1.0)]
PositiveFloat = Annotated[Number, Field(gt=0.0)]
NonNegativeFloat = Annotated[Number, Field(ge=0.0)]
LogSpread = Annotated[Number, Field(ge=0.0, le=3.0)]  # sd of a log: 3 is a 20x spread already

SEGMENTS: tuple[str, ...] = ("enterprise", "mid_market", "smb")
STAGES: tuple[str, ...] = ("attraction", "qualification", "evaluation", "proposal")


class Section(BaseModel):
    """Base of every parameter section: immutable, and unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _whole_counts(cls, data: Any) -> Any:
        """YAML reads ``2.0`` as a float: a count takes it as 2, while ``0.5`` stays an error.

        Done here rather than in the field's type, so the JSON schema keeps its bounds.
        """
        if not isinstance(data, dict):
            return data
        whole = {
            name: int(value)
            for name, value in data.items()
            if isinstance(value, float)
            and value.is_integer()
            and name in cls.model_fields
            and cls.model_fields[name].annotation is int
        }
        return {**data, **whole} if whole else data


class PerSegment(Section):
    """One value for each market segment; small businesses take the mid-market value unless
    given their own."""

    enterprise: NonNegativeFloat
    mid_market: NonNegativeFloat
    smb: NonNegativeFloat | None = Field(
        None, description="small businesses (default: the mid-market value)"
    )

    def of(self, segment: int) -> float:
        """The value for segment index ``segment`` (0 enterprise, 1 mid-market, 2 SMB)."""
        if segment == 0:
            return self.enterprise
        if segment == 2 and self.smb is not None:
            return self.smb
        return self.mid_market


class PerSegmentProbability(PerSegment):
    """A probability for each market segment."""

    enterprise: Probability
    mid_market: Probability
    smb: Probability | None = Field(
        None, description="small businesses (default: the mid-market value)"
    )
