"""Today's pipeline, read from a CRM export: what a simulation that starts from it begins with.

A scenario's ``start: {from_crm: EXPORT.csv, as_of: DATE}`` names an export. When the scenario
is resolved, ``resolve_start`` finds the file (relative to the scenario's folder), reads it once,
fills in ``as_of`` (default: the export's latest date) and, unless the scenario gives
``team.hunters`` (then the headcount to reach from the owners), sets it to the number of owners
active on that day; every problem is a ``StartError`` naming the field. Inputs a start from the
export replaces (``NOT_ON_CRM_START``) are refused when given, never ignored.

``start_state`` is what the model reads at each replication: the owners, their open deals
(stage, age, ACV) and the bookings they made in the trailing quota window. It is a pure function
of the file and the parameters, cached per process, so a replication costs no parsing and stays a
pure function of (scenario, seed, index).

- The hunters are the owners active on ``as_of``: an open deal, or a deal created in the
  trailing ``team.quota.trailing_months``; sorted by name (hunter ``i`` is ``owners[i]``). Each
  owner's latest deal creation says how recently they were at work: when the scenario asks for
  fewer hunters, the least recently active leave first (``leaving_order``).
- The open deals are those ``as_of`` sees open, sorted by creation day and id; a deal without an
  owner is left out (counted in ``unowned``). Its stage is salesim's for the export's stage name,
  or ``UNKNOWN_STAGE`` for a deal open on ``as_of`` but closed later in the export (which stage
  it was in that day is not in the export) or under a stage name salesim does not know.
- Bookings: ACV of the deals each hunter won in the trailing quota window before ``as_of``, on
  negative days (day 0 is the day after ``as_of``); quota reviews count them.
"""

from __future__ import annotations

import datetime as dt
import math
from functools import lru_cache
from pathlib import Path

import numpy as np

from simulator.crm.load import Imported, load_export, with_as_of
from simulator.crm.reader import ExportError
from simulator.crm.stages import sim_stage
from simulator.model.start_data import UNKNOWN_STAGE, StartState
from simulator.parameters import STAGES, Parameters
from simulator.parameters.start import Start
from simulator.units import DAYS_PER_MONTH

CACHED_EXPORTS = 4
"""Exports a process keeps parsed (a run reads one; a sweep over ``as_of`` reads one too)."""
NOT_ON_CRM_START: dict[str, str] = {
    "team.quota.first_review_month": "quota reviews start at the end of month 1, since the "
    "export holds the hunters' bookings before day 0",
    "team.initial_tenure_months": "the export's owners start past ramp-up and the review "
    "exemption (they have a history of deals)",
}
"""Inputs a start from a CRM export replaces, with why: given a value other than the default,
the scenario is refused (exit 2) instead of silently running without it."""


class StartError(ValueError):
    """What is wrong with the ``start`` section: the field (``from_crm``, ``as_of``) and why."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        self.message = message
        super().__init__(f"start.{field}: {message}")


def export_path(given: str, folder: Path) -> Path:
    """``from_crm`` as a file: a relative path is taken from the scenario's folder."""
    path = Path(given).expanduser()
    return (path if path.is_absolute() else folder / path).resolve()


@lru_cache(maxsize=CACHED_EXPORTS)
def parsed_export(path: str, fmt: str, maps: tuple[str, ...]) -> Imported:
    """The whole export, parsed once per process."""
    return load_export(Path(path), fmt, list(maps))


def export_maps(start: Start) -> tuple[str, ...]:
    """``start.map`` as the ``--map`` items of an import, sorted (a cache key)."""
    return tuple(f"{field}={column}" for field, column in sorted(start.map.items()))


def read_export(start: Start, path: Path) -> Imported:
    """The export ``start`` names (at ``path``), or a ``StartError`` saying why not."""
    if not path.is_file():
        why = "not a file" if path.exists() else "no such file"
        raise StartError("from_crm", f"{start.from_crm!r}: {why} ({path})")
    try:
        return parsed_export(str(path), start.format, export_maps(start))
    except (ExportError, OSError, UnicodeError) as error:
        said = str(error)
        raise StartError("from_crm", said if str(path) in said else f"{path}: {said}") from None


def not_on_crm_start(parameters: Parameters) -> list[tuple[str, str]]:
    """The inputs a CRM start replaces that ``parameters`` give anyway (a value other than the
    default), each with why it does not apply; none without ``from_crm``."""
    if parameters.start.from_crm is None:
        return []
    given, default = parameters.model_dump(), Parameters().model_dump()
    found = []
    for path, why in NOT_ON_CRM_START.items():
        value, default_value = given, default
        for name in path.split("."):
            value, default_value = value[name], default_value[name]
        if value != default_value:
            found.append((path, f"given {value:g}; does not apply with start.from_crm: {why}"))
    return found


def resolve_start(parameters: Parameters, folder: Path, hunters_given: bool = False) -> Parameters:
    """The parameters with ``from_crm`` made absolute and ``as_of`` filled in; ``team.hunters``
    set to the owners active on ``as_of`` unless ``hunters_given`` (then it is the headcount to
    reach from them); unchanged without ``from_crm``."""
    start = parameters.start
    if start.from_crm is None:
        return parameters
    path = export_path(start.from_crm, folder)
    imported = read_export(start, path)
    deals = imported.deals
    if len(deals) == 0:
        raise StartError("from_crm", f"{path}: no deal could be read from it")
    first = deals.created.min().astype(dt.date)
    as_of = start.as_of or deals.as_of.astype(dt.date)
    if as_of < first:
        raise StartError(
            "as_of", f"{as_of} is before the export's first date; allowed: {first} or later"
        )
    resolved = start.model_copy(update={"from_crm": str(path), "as_of": as_of})
    trailing_months = parameters.team.quota.trailing_months
    state = _state(str(path), start.format, export_maps(start), as_of, trailing_months)
    if not state.owners:
        raise StartError(
            "from_crm",
            f"no owner has an open deal on {as_of} or a deal created in the "
            f"{parameters.team.quota.trailing_months:g} months before: no hunter to start with",
        )
    if len(state) > parameters.market.accounts:
        raise StartError(
            "from_crm",
            f"{len(state)} deals are open on {as_of}, each on an account of its own; "
            f"market.accounts is {parameters.market.accounts}: allowed at least {len(state)}",
        )
    if hunters_given:
        return parameters.model_copy(update={"start": resolved})
    team = parameters.team.model_copy(update={"hunters": len(state.owners)})
    return parameters.model_copy(update={"start": resolved, "team": team})


def start_note(parameters: Parameters) -> str | None:
    """What a start from the export begins with, and how the team gets to ``team.hunters``:
    one line for the user (None without ``from_crm``)."""
    state = start_state(parameters)
    if state is None:
        return None
    team, start = parameters.team, parameters.start
    owners = len(state.owners)
    line = (
        f"starts from {Path(str(start.from_crm)).name} as of {start.as_of}: {len(state):,} open "
        f"deals of {owners} active owners"
    )
    if team.hunters > owners:
        month = math.floor(team.quota.hiring_delay_months) + 1
        line += (
            f"; team.hunters = {team.hunters}: {team.hunters - owners} more hired, starting in "
            f"month {month} (team.quota.hiring_delay_months = {team.quota.hiring_delay_months:g})"
        )
    elif team.hunters < owners:
        leaving = [state.owners[i] for i in state.leaving_order()[: owners - team.hunters]]
        shown = ", ".join(leaving[:3]) + (", ..." if len(leaving) > 3 else "")
        line += (
            f"; team.hunters = {team.hunters}: {owners - team.hunters} least recently active "
            f"leave at the end of month 1 ({shown})"
        )
    if team.hires:
        plan = ", ".join(f"{hire.count} in month {hire.month}" for hire in team.hires)
        line += f"; team.hires: {plan}"
    return line


def booked_before_start(parameters: Parameters, days: float) -> float | None:
    """ACV the export shows won in the ``days`` before day 0 (closed after ``as_of - days``,
    on or before ``as_of``), every owner's; None without ``from_crm``."""
    start = parameters.start
    if start.from_crm is None or start.as_of is None:
        return None
    deals = with_as_of(
        parsed_export(start.from_crm, start.format, export_maps(start)), start.as_of
    ).deals
    since = np.datetime64(start.as_of, "D") - np.timedelta64(round(days), "D")
    won = deals.won & (deals.closed > since)
    return float(np.nansum(deals.acv_usd[won].astype(float)))


def start_state(parameters: Parameters) -> StartState | None:
    """The state a replication starts from (None: an empty pipeline); cached per process."""
    start = parameters.start
    if start.from_crm is None or start.as_of is None:
        return None
    trailing_months = parameters.team.quota.trailing_months
    return _state(start.from_crm, start.format, export_maps(start), start.as_of, trailing_months)


@lru_cache(maxsize=CACHED_EXPORTS)
def _state(
    path: str, fmt: str, maps: tuple[str, ...], as_of: dt.date, trailing_months: float
) -> StartState:
    imported = parsed_export(path, fmt, maps)
    first_day = imported.deals.created.min()
    deals = with_as_of(imported, as_of).deals
    day = np.datetime64(as_of, "D")
    day0 = day + np.timedelta64(1, "D")
    window_start = day - np.timedelta64(round(trailing_months * DAYS_PER_MONTH), "D")
    owned = np.array([o is not None for o in deals.owner.tolist()], dtype=bool)
    is_open = deals.open
    recent = deals.created > window_start
    owners = tuple(sorted({str(o) for o in deals.owner[owned & (is_open | recent)].tolist()}))
    index = {name: i for i, name in enumerate(owners)}
    last_created = np.full(len(owners), -np.inf)
    for owner, created in zip(deals.owner[owned].tolist(), deals.created[owned], strict=True):
        i = index.get(str(owner))
        if i is not None:
            last_created[i] = max(last_created[i], float((created - day0).astype(np.int64)))

    kept = np.flatnonzero(is_open & owned)
    order = np.lexsort((deals.deal_id[kept].astype(str), deals.created[kept]))
    kept = kept[order]
    stages = [sim_stage(str(s)) for s in deals.stage[kept].tolist()]
    won = np.flatnonzero(
        deals.won & owned & (deals.closed > window_start) & np.isfinite(deals.acv_usd.astype(float))
    )
    won = won[np.argsort(deals.closed[won], kind="stable")]
    won = np.array([i for i in won.tolist() if str(deals.owner[i]) in index], dtype=np.int64)
    closed = np.flatnonzero(deals.won | deals.lost)
    closed = closed[np.lexsort((deals.deal_id[closed].astype(str), deals.closed[closed]))]

    def frozen(values: list | np.ndarray, dtype: type) -> np.ndarray:
        array = np.array(values, dtype=dtype)
        array.flags.writeable = False
        return array

    return StartState(
        owners=owners,
        deal_id=tuple(str(d) for d in deals.deal_id[kept].tolist()),
        deal_owner=frozen([index[str(o)] for o in deals.owner[kept].tolist()], np.int64),
        deal_stage=frozen(
            [STAGES.index(s) if s is not None else UNKNOWN_STAGE for s in stages], np.int64
        ),
        deal_age_days=frozen(deals.age_days()[kept], np.float64),
        deal_acv_usd=frozen(deals.acv_usd[kept].astype(np.float64), np.float64),
        booking_owner=frozen([index[str(deals.owner[i])] for i in won.tolist()], np.int64),
        booking_day=frozen((deals.closed[won] - day0).astype(np.int64), np.float64),
        booking_acv_usd=frozen(deals.acv_usd[won].astype(np.float64), np.float64),
        owner_last_active_day=frozen(last_created, np.float64),
        history_start_day=float((first_day - day0).astype(np.int64)),
        closed_won=frozen(deals.won[closed], bool),
        closed_day=frozen((deals.closed[closed] - day0).astype(np.int64), np.float64),
        closed_acv_usd=frozen(deals.acv_usd[closed].astype(np.float64), np.float64),
        unowned=int(np.count_nonzero(is_open & ~owned)),
    )
