"""Today's customers: who a simulation that starts from an export already has, paying.

- From a subscription export (``start.customers``): the accounts paying on ``as_of`` (ARR above
  0 that day, as ``salesim import`` reads the export), each with that ARR, signed on its first
  paid day.
- Else from the CRM export's won deals (``start.from_crm``). A won deal is a contract from its
  close date for its term: the export's ``term`` column (months) where it has one, else
  ``post_sale.contract_term_months``. Its ARR is the export's ``arr`` column where it has one;
  else the amount x 12 / term with a term column (the amount is then the whole contract's);
  else the amount itself (a CRM amount is the first year's value: ACV). The contracts still
  running on ``as_of`` make the customers, one per account (a deal without an account is a
  customer of its own), each with the ARR of its running contracts. An account that keeps
  buying renews with its latest contract: it is signed on that one's close, for its term (the
  model keeps one renewal a customer). A contract that ended before ``as_of`` is not carried
  over: the export does not say whether it renewed (a subscription export does); the note
  counts them.

A customer renews every term from its signature (a subscription export's: every
``post_sale.contract_term_months`` from its first paid day). Which account of the simulated
market it becomes is the model's to draw (``processes/customers.py``).
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from simulator.crm.load import with_as_of
from simulator.crm.reader import ExportError
from simulator.crm.subscriptions import load_subscriptions
from simulator.model.start_data import CustomersAtStart, StartingPoint
from simulator.parameters import Parameters
from simulator.scenario.start_state import (
    CACHED_EXPORTS,
    StartError,
    export_maps,
    export_path,
    parsed_export,
    start_state,
)
from simulator.units import DAYS_PER_MONTH, MONTHS_PER_YEAR


def resolve_customers(parameters: Parameters, folder: Path) -> Parameters:
    """``start.customers`` made absolute, read and checked, and ``as_of`` filled in from it
    when ``from_crm`` does not set it; unchanged without ``customers``."""
    start = parameters.start
    if start.customers is None:
        return parameters
    path = export_path(start.customers, folder)
    if not path.exists():
        raise StartError("customers", f"{start.customers!r}: no such file or folder ({path})")
    try:
        latest = _subscriptions(str(path), tuple(sorted(start.customers_map.items())), None)
    except (ExportError, OSError, UnicodeError) as error:
        said = str(error)
        raise StartError("customers", said if str(path) in said else f"{path}: {said}") from None
    paid = latest.first_paid[~np.isnat(latest.first_paid)]
    first = paid.min() if paid.size else None
    as_of = start.as_of or latest.as_of.astype(dt.date)
    if first is not None and as_of < first.astype(dt.date):
        raise StartError(
            "as_of",
            f"{as_of} is before the first paid day of {path.name} ({first}); allowed: that "
            "day or later",
        )
    resolved = start.model_copy(update={"customers": str(path), "as_of": as_of})
    return parameters.model_copy(update={"start": resolved})


@lru_cache(maxsize=CACHED_EXPORTS)
def _subscriptions(path: str, maps: tuple[tuple[str, str], ...], as_of: dt.date | None):
    """The subscription export's customers as of ``as_of`` (its latest date when None)."""
    mapped = [f"{field}={column}" for field, column in maps]
    return load_subscriptions(Path(path), maps=mapped, as_of=as_of).customers


def customers_at_start(parameters: Parameters) -> CustomersAtStart | None:
    """The customers a replication starts with (None: none); cached per process."""
    start = parameters.start
    if start.as_of is None or not start.exported:
        return None
    term = parameters.post_sale.contract_term_months
    if start.customers is not None:
        maps = tuple(sorted(start.customers_map.items()))
        return _from_subscriptions(start.customers, maps, start.as_of)
    assert start.from_crm is not None
    return _from_won_deals(start.from_crm, start.format, export_maps(start), start.as_of, term)


@lru_cache(maxsize=CACHED_EXPORTS)
def _from_subscriptions(
    path: str, maps: tuple[tuple[str, str], ...], as_of: dt.date
) -> CustomersAtStart:
    customers = _subscriptions(path, maps, as_of)
    arr = customers.arr_on(as_of)
    paying = np.flatnonzero(arr > 0)
    day0 = np.datetime64(as_of, "D") + np.timedelta64(1, "D")
    signed = (customers.first_paid[paying] - day0).astype(np.int64).astype(np.float64)
    return CustomersAtStart(
        names=tuple(str(a) for a in customers.account_id[paying].tolist()),
        arr_usd=_frozen(arr[paying]),
        signed_day=_frozen(signed),
        term_months=_frozen(np.full(paying.size, np.nan)),
        source=f"{Path(path).name} (subscription export)",
    )


@lru_cache(maxsize=CACHED_EXPORTS)
def _from_won_deals(
    path: str, fmt: str, maps: tuple[str, ...], as_of: dt.date, term_months: float
) -> CustomersAtStart:
    deals = with_as_of(parsed_export(path, fmt, maps), as_of).deals
    won = np.flatnonzero(deals.won)
    term = np.where(np.isfinite(deals.term_months[won]), deals.term_months[won], term_months)
    amount = deals.acv_usd[won].astype(float)
    given_term = np.isfinite(deals.term_months[won])
    arr = np.where(given_term, amount * MONTHS_PER_YEAR / term, amount)
    arr = np.where(np.isfinite(deals.arr_usd[won]), deals.arr_usd[won], arr)
    day0 = np.datetime64(as_of, "D") + np.timedelta64(1, "D")
    closed = (deals.closed[won] - day0).astype(np.int64).astype(np.float64)
    expired = closed + term * DAYS_PER_MONTH <= 0
    priced = np.isfinite(arr) & (arr > 0)
    running = ~expired & priced
    names: dict[str, tuple[float, float, float]] = {}  # customer -> ARR, signed, term
    for index in np.flatnonzero(running).tolist():
        row = int(won[index])
        account = deals.account[row]
        name = str(account) if account else f"deal {deals.deal_id[row]}"
        total, signed, months = names.get(name, (0.0, -math.inf, math.nan))
        if closed[index] > signed:  # the latest contract sets the renewal
            signed, months = float(closed[index]), float(term[index])
        names[name] = (total + float(arr[index]), signed, months)
    ordered = sorted(names)
    return CustomersAtStart(
        names=tuple(ordered),
        arr_usd=_frozen([names[n][0] for n in ordered]),
        signed_day=_frozen([names[n][1] for n in ordered]),
        term_months=_frozen([names[n][2] for n in ordered]),
        source=f"the won deals of {Path(path).name}",
        expired=int(np.count_nonzero(expired)),
        no_amount=int(np.count_nonzero(~expired & ~priced)),
    )


def _frozen(values: list[float] | np.ndarray) -> np.ndarray:
    array = np.array(values, dtype=np.float64)
    array.flags.writeable = False
    return array


def customers_note(parameters: Parameters) -> str | None:
    """The customers a start from an export carries over, in a line (None: no export)."""
    carried = customers_at_start(parameters)
    return None if carried is None else carried.note()


def check_room(parameters: Parameters) -> None:
    """Today's open deals and customers each take an account of the market of their own: a
    ``StartError`` when ``market.accounts`` is fewer."""
    carried = customers_at_start(parameters)
    if carried is None:
        return
    state = start_state(parameters)
    deals = 0 if state is None else len(state)
    needed = deals + len(carried)
    if needed > parameters.market.accounts:
        raise StartError(
            "customers" if parameters.start.customers is not None else "from_crm",
            f"{deals:,} open deals and {len(carried):,} customers each take an account; "
            f"market.accounts is {parameters.market.accounts:,}: allowed at least {needed:,}",
        )


def starting_point(parameters: Parameters) -> StartingPoint:
    """What a replication starts from, read from the scenario's exports (cached per process):
    the data ``model.build`` is handed, so the model never reads an export itself."""
    return StartingPoint(start_state(parameters), customers_at_start(parameters))
