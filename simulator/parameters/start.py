"""The ``start`` section: where the simulated calendar begins, and what is already there.

By default the simulation starts on ``date`` with an empty pipeline and no customers. Given a
CRM export (``from_crm``) it starts the day after ``as_of`` with the export's open
opportunities at their stages and ages, owned by the hunters who own them, and its won deals
as today's customers; given a subscription export (``customers``), those customers come from
it instead (it knows who has churned since). Month 1 is the month after ``as_of``. The exports
are read when the scenario is loaded (``simulator/start_state.py``,
``simulator/start_customers.py``), which fills in ``as_of`` and ``team.hunters``; the model
places the deals (``processes/resume.py``) and the customers (``processes/customers.py``).
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
    """The calendar date of day 0, and optionally the pipeline and customers to start from."""

    date: dt.date = Field(
        DEFAULT_START_DATE,
        description="calendar date of day 0 (ISO date): quota quarters end on calendar quarter "
        "ends counted from it, and exported deals carry dates from it; with `from_crm` or "
        "`customers` it is the day after `as_of` and may not be given",
    )
    from_crm: str | None = Field(
        None,
        description="path of a CRM opportunity export (relative to the scenario file's folder) "
        "whose open opportunities, owners and their recent bookings the simulation starts "
        "from: the owners active on `as_of` (an open deal, or a deal created in the trailing "
        "`team.quota.trailing_months`) are the team on day 0 (`team.hunters`, when given, is "
        "the headcount to reach), fully ramped; each open deal opens on day 0 on an account of "
        "the market, at its stage and age; quota reviews count the bookings before day 0 and "
        "start at the end of month 1. Its won deals whose contract still runs on `as_of` are "
        "today's customers (unless `customers` names a subscription export): one per account, "
        "ARR the deal amount (a contract of `post_sale.contract_term_months`), or amount x 12 / "
        "term with a `term` column, or the `arr` column (see `map`)",
    )
    customers: str | None = Field(
        None,
        description="path of a subscription export (a folder with accounts.csv, "
        "subscriptions.csv and churn_events.csv, or the subscriptions file; relative to the "
        "scenario file's folder): its accounts paying on `as_of` are today's customers, with "
        "their ARR then, renewing every `post_sale.contract_term_months` from their first "
        "paid day; instead of the won deals of `from_crm`",
    )
    as_of: dt.date | None = Field(
        None,
        description="the day the exports are read as of (ISO date; default: the latest date "
        "in `from_crm`, else in `customers`); deals created later are left out, deals closed "
        "later are open on that day",
    )
    format: ExportFormat = Field(
        "auto", description="the export's format, as for `salesim import --format`"
    )
    map: dict[str, str] = Field(
        default_factory=dict,
        description="export columns for salesim's fields, as for `salesim import --map`, e.g. "
        "{owner: Sales Rep, term: Contract Months, arr: ARR}",
    )
    customers_map: dict[str, str] = Field(
        default_factory=dict,
        description="subscription export columns for salesim's fields, as for `salesim "
        "import --map` on a subscription export, e.g. {arr: Annual Value}",
    )

    @model_validator(mode="after")
    def _date_or_export(self) -> Start:
        exported = self.from_crm is not None or self.customers is not None
        if self.from_crm is None and (self.format != "auto" or self.map):
            raise ValueError("`format` and `map` describe `from_crm`, which is not set")
        if self.customers is None and self.customers_map:
            raise ValueError("`customers_map` describes `customers`, which is not set")
        if not exported and self.as_of is not None:
            raise ValueError("`as_of` describes `from_crm` or `customers`, neither of which is set")
        if exported and self.date != DEFAULT_START_DATE:
            raise ValueError(
                "with `from_crm` or `customers`, day 0 is the day after `as_of`: leave `date` "
                "out and set `as_of`"
            )
        return self

    @property
    def exported(self) -> bool:
        """Whether the simulation starts from an export (``from_crm`` or ``customers``)."""
        return self.from_crm is not None or self.customers is not None

    @property
    def day0(self) -> dt.date:
        """The calendar date of day 0."""
        if self.exported and self.as_of is not None:
            return self.as_of + dt.timedelta(days=1)
        return self.date
