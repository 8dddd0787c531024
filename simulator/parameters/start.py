"""The ``start`` section: where the simulated calendar begins, and what is already there.

By default the simulation starts on ``date`` with an empty pipeline. Given a CRM export
(``from_crm``) it starts the day after ``as_of`` with the export's open opportunities at their
stages and ages, owned by the hunters who own them: month 1 is the month after ``as_of``. The
export is read when the scenario is loaded (``simulator/start_state.py``), which fills in
``as_of`` and ``team.hunters``; the model places the deals (``processes/resume.py``).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, model_validator

from simulator.parameters.base import Section

DEFAULT_START_DATE = dt.date(2024, 1, 1)
"""The calendar date of day 0 unless a scenario says otherwise."""

ExportFormat = Literal["auto", "salesforce", "hubspot", "maven", "salesim"]


class Start(Section):
    """The calendar date of day 0, and optionally the open pipeline to start from."""

    date: dt.date = Field(
        DEFAULT_START_DATE,
        description="calendar date of day 0 (ISO date): quota quarters end on calendar quarter "
        "ends counted from it, and exported deals carry dates from it; with `from_crm` it is "
        "the day after `as_of` and may not be given",
    )
    from_crm: str | None = Field(
        None,
        description="path of a CRM opportunity export (relative to the scenario file's folder) "
        "whose open opportunities, owners and their recent bookings the simulation starts "
        "from: the owners active on `as_of` (an open deal, or a deal created in the trailing "
        "`team.quota.trailing_months`) replace `team.hunters`, fully ramped; each open deal "
        "opens on day 0 on an account of the market, at its stage and age; quota reviews "
        "count the bookings before day 0 and start at the end of month 1. Existing customers "
        "(won deals) are not carried over",
    )
    as_of: dt.date | None = Field(
        None,
        description="the day the export is read as of (ISO date; default: the latest date in "
        "it); deals created later are left out, deals closed later are open on that day",
    )
    format: ExportFormat = Field(
        "auto", description="the export's format, as for `salesim import --format`"
    )
    map: dict[str, str] = Field(
        default_factory=dict,
        description="export columns for salesim's fields, as for `salesim import --map`, e.g. "
        "{owner: Sales Rep}",
    )

    @model_validator(mode="after")
    def _date_or_export(self) -> Start:
        described = self.as_of is not None or self.format != "auto" or self.map
        if self.from_crm is None and described:
            raise ValueError("`as_of`, `format` and `map` describe `from_crm`, which is not set")
        if self.from_crm is not None and self.date != DEFAULT_START_DATE:
            raise ValueError(
                "with `from_crm`, day 0 is the day after `as_of`: leave `date` out and set `as_of`"
            )
        return self

    @property
    def day0(self) -> dt.date:
        """The calendar date of day 0."""
        if self.from_crm is not None and self.as_of is not None:
            return self.as_of + dt.timedelta(days=1)
        return self.date
