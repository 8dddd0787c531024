"""The whole tree: the sections put together as the parameters one variant runs with, and the
scenario file around them (name, description, horizon and the variants to compare)."""

from __future__ import annotations

from typing import Annotated

import numpy as np
from pydantic import Field, StrictBool, ValidationInfo, field_validator, model_validator

from simulator.parameters.base import Count, Number, Section
from simulator.parameters.competitors import Competitors
from simulator.parameters.market import Market
from simulator.parameters.marketing import Marketing
from simulator.parameters.mechanisms import Mechanisms
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
    mechanisms: Mechanisms = Mechanisms()


PARAMETER_SECTIONS: tuple[str, ...] = tuple(Parameters.model_fields)


class VariantSpec(Parameters):
    """A variant as written in the file: a name, a description and overrides of the base."""

    name: str = Field(min_length=1, description="free-text name shown in tables and charts")
    description: str = ""


class FitMiss(Section):
    """A statistic of the export the calibration still misses."""

    statistic: str = Field(description="the export's statistic, in words")
    unit: str = Field(description="its unit (USD, share, days, ...)")
    export: Number | None = Field(description="its value in the export")
    simulated: Number | None = Field(description="its simulated mean at the fitted values")
    standard_errors: Number | None = Field(
        description="simulated minus export, in standard errors of the comparison"
    )


class FitUncertainty(Section):
    """The fit's sampling distribution: its inputs' coordinates (the search's, a log factor for
    a rate or a size, a shift for a log-odds or a utility, the value for a probability) at the
    fit and their covariance. `salesim forecast` draws each replication's inputs from it, so
    its band carries what the export leaves unknown as well as chance."""

    inputs: list[str] = Field(
        min_length=1, description="the inputs drawn, by the calibration's names (leads, cycle, ...)"
    )
    center: list[Number] = Field(description="each input's fitted coordinate")
    covariance: list[list[Number]] = Field(
        description="the coordinates' covariance, one row per input (symmetric)"
    )

    @model_validator(mode="after")
    def _shapes(self) -> FitUncertainty:
        k = len(self.inputs)
        if len(set(self.inputs)) != k:
            raise ValueError("fit.uncertainty.inputs: each input once")
        if len(self.center) != k:
            raise ValueError(f"fit.uncertainty.center: {len(self.center)} values for {k} inputs")
        if len(self.covariance) != k or any(len(row) != k for row in self.covariance):
            raise ValueError(f"fit.uncertainty.covariance: a {k} x {k} matrix, one row per input")
        matrix = np.array(self.covariance)
        if not np.allclose(matrix, matrix.T, rtol=1e-6, atol=1e-12):
            raise ValueError("fit.uncertainty.covariance: not symmetric")
        if np.any(np.diag(matrix) < 0):
            raise ValueError("fit.uncertainty.covariance: a negative variance on the diagonal")
        return self


class FitRecord(Section):
    """How `salesim calibrate` fitted the scenario: to what, and whether it settled. A scenario
    whose fit did not settle is run with a warning by every command, on the console and on
    its pages."""

    settled: StrictBool = Field(
        description="every statistic within 2 standard errors of the export's"
    )
    source: str = Field(description="the export and the day it was read as of")
    tries: Annotated[Count, Field(ge=0, le=1_000_000)] = Field(
        description="parameter sets the search ran (count, at most 1,000,000)"
    )
    misses: list[FitMiss] = Field(
        default_factory=list, description="the statistics more than 2 standard errors off"
    )
    uncertainty: FitUncertainty | None = Field(
        None, description="the fitted inputs' sampling distribution, which forecasts draw from"
    )


class ScenarioFile(Parameters):
    """A scenario file: the base parameter tree plus the variants to compare."""

    name: str = Field(min_length=1)
    description: str = Field(min_length=1, description="one line, shown by `salesim scenarios`")
    horizon_months: Annotated[Count, Field(ge=1, le=240)] = Field(
        36, description="simulated time (calendar months of 30.4 days; at most 240)"
    )
    fit: FitRecord | None = Field(
        None,
        description="written by `salesim calibrate`: how the scenario was fitted, and the "
        "statistics it still misses (a fit that did not settle is warned of by every command)",
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
