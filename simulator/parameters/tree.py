"""The whole tree: the sections put together as the parameters one variant runs with, and the
scenario file around them (name, description, horizon and the variants to compare)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, ValidationInfo, field_validator

from simulator.parameters.base import Count, Number, Section
from simulator.parameters.competitors import Competitors
from simulator.parameters.market import Market
from simulator.parameters.marketing import Marketing
from simulator.parameters.post_sale import PostSale
from simulator.parameters.process import Process
from simulator.parameters.product import Product
from simulator.parameters.ranges import ranges_problems
from simulator.parameters.start import Start
from simulator.parameters.strategy import Strategy
from simulator.parameters.team import Team


class Parameters(Section):
    """The full parameter tree one variant of a scenario runs with."""

    market: Market = Market()
    team: Team = Team()
    product: Product = Product()
    competitors: Competitors = Competitors()
    marketing: Marketing = Marketing()
    process: Process = Process()
    strategy: Strategy = Strategy()
    post_sale: PostSale = PostSale()
    start: Start = Start()


PARAMETER_SECTIONS: tuple[str, ...] = tuple(Parameters.model_fields)


class VariantSpec(Parameters):
    """A variant as written in the file: a name, a description and overrides of the base."""

    name: str = Field(min_length=1, description="free-text name shown in tables and charts")
    description: str = ""


class ScenarioFile(Parameters):
    """A scenario file: the base parameter tree plus the variants to compare."""

    name: str = Field(min_length=1)
    description: str = Field(min_length=1, description="one line, shown by `salesim scenarios`")
    horizon_months: Annotated[Count, Field(ge=1, le=240)] = Field(
        36, description="simulated time (calendar months of 30.4 days; at most 240)"
    )
    variants: list[VariantSpec] = Field(
        default_factory=list,
        description="variants to compare; the first is the baseline. Empty means one variant, "
        "the base itself, named 'baseline'",
    )

    @field_validator("variants")
    @classmethod
    def _unique_variant_names(cls, variants: list[VariantSpec]) -> list[VariantSpec]:
        names = [v.name for v in variants]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"variant names must be unique; repeated: {', '.join(duplicates)}")
        return variants

    ranges: dict[str, tuple[Number, Number]] = Field(
        default_factory=dict,
        description="inputs `salesim sensitivity` varies, by field path, each as [low, high] "
        "within the values the parameter allows, e.g. team.hunters: [4, 12]; empty means the "
        "documented default ranges",
    )

    @field_validator("ranges")
    @classmethod
    def _ranges_in_bounds(
        cls, ranges: dict[str, tuple[float, float]], info: ValidationInfo
    ) -> dict[str, tuple[float, float]]:
        sections = {k: v for k, v in info.data.items() if k in Parameters.model_fields}
        tree = {k: v.model_dump() if hasattr(v, "model_dump") else v for k, v in sections.items()}
        # a section that failed its own validation is reported there, not again here
        failed = set(Parameters.model_fields) - set(tree)
        checked = {p: r for p, r in ranges.items() if p.split(".")[0] not in failed}
        problems = ranges_problems(Parameters, tree, checked)
        if problems:
            raise ValueError("; ".join(problems))
        return ranges
