"""A subscription export (accounts, subscriptions, churn events) as one table of customers and
the changes of their ARR, the same shape simulated customers take, so that retention
statistics are pure functions of it and a calibration can compare the two.

Revenue: a paid subscription (not a trial, ARR > 0; ARR = 12 × MRR where only MRR is given)
adds its ARR to its account from its start date to its end date (exclusive; blank = still
running). An account's ARR on a day is the sum; it is a customer while that is above 0.

Churn: the accounts file's ``churn_flag`` is the account's status. Without it (no accounts file,
no such column, or a blank flag) a churn event not marked as a reactivation makes the account
churned; without churn events either, all its paid subscriptions having ended does. The churn
date and reason are those of the latest churn event on or before ``as_of`` that is not a
reactivation (``is_reactivation`` = the account came back after it). A flagged account with no
such event churned on the last end of its paid subscriptions; with neither its date is unknown:
it is left out of time to churn and its recorded ARR is kept. A churned account's ARR ends on
its churn date: subscriptions still running after it are ended there (so revenue and logos
agree), and those starting on or after it are left out.

``as_of`` (default: the latest date in the files) sees the export as it stood that day:
subscriptions starting later are left out, later ends and churn events ignored (running then),
and a flagged account whose churn event or last end comes later is not churned yet. Rows that
cannot be read are left out and counted, disagreements between the files counted with examples
(``subscription_rows``): never a crash, never a silent drop.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path

import numpy as np

from simulator.crm.dates import NOT_A_DATE
from simulator.crm.subscription_files import (
    ACCOUNTS,
    EVENTS,
    SUBSCRIPTIONS,
    SourceFile,
    check_maps,
    find_files,
    parse_maps,
    read_file,
)
from simulator.crm.subscription_rows import (
    Conflicts,
    Rows,
    View,
    account_rows,
    event_rows,
    latest_day,
    named,
    no_rows,
    subscription_rows,
    view_as_of,
)

FORMAT, LABEL = "subscriptions", "subscription export"
CENTS = 2
"""ARR is kept to the cent, so that a start and an end of one amount cancel exactly."""


@dataclass(frozen=True)
class Customers:
    """Accounts of a subscription business as of ``as_of``, and every change of their ARR.

    Per account: ``account_id`` (str), ``first_paid`` (first day with ARR > 0; NaT: never
    paid), ``churned_on`` (NaT: not churned by ``as_of``, or unknown: see
    ``churn_date_unknown``), ``churn_date_unknown`` (flagged churned, no date) and
    ``churn_reason`` (lower case, or None). Per change, one per account and day:
    ``change_account`` (index into the accounts), ``change_day`` and ``change_arr_usd`` (+ a
    start, - an end; on the churn date what was left)."""

    account_id: np.ndarray
    first_paid: np.ndarray
    churned_on: np.ndarray
    churn_date_unknown: np.ndarray
    churn_reason: np.ndarray
    change_account: np.ndarray
    change_day: np.ndarray
    change_arr_usd: np.ndarray
    as_of: np.datetime64

    def __post_init__(self) -> None:
        for names in (ACCOUNT_COLUMNS, CHANGE_COLUMNS):
            sizes = {name: len(getattr(self, name)) for name in names}
            if len(set(sizes.values())) > 1:
                raise ValueError(f"columns of different lengths: {sizes}")

    def __len__(self) -> int:
        return len(self.account_id)

    @property
    def churned(self) -> np.ndarray:
        """Accounts churned by ``as_of`` on a known day."""
        return ~np.isnat(self.churned_on)

    def arr_on(self, day: np.datetime64 | date | str) -> np.ndarray:
        """Each account's ARR at the end of ``day`` (USD a year, to the cent)."""
        upto = self.change_day <= np.datetime64(day, "D")
        arr = np.bincount(
            self.change_account[upto], weights=self.change_arr_usd[upto], minlength=len(self)
        )
        return np.round(arr, CENTS)

    def as_seen_on(self, day: np.datetime64 | date | str) -> Customers:
        """The table as it stood on ``day`` (not after ``as_of``): later changes and churns
        left out, first paid days after it NaT. The accounts stay, so indices hold."""
        day = np.datetime64(day, "D")
        if day > self.as_of:
            raise ValueError(f"{day} is after the table's as_of {self.as_of}")
        upto = self.change_day <= day
        later = self.churned_on > day
        return replace(
            self,
            first_paid=np.where(self.first_paid > day, NOT_A_DATE, self.first_paid),
            churned_on=np.where(later, NOT_A_DATE, self.churned_on),
            churn_reason=np.where(later, None, self.churn_reason).astype(object),
            **{name: getattr(self, name)[upto] for name in CHANGE_COLUMNS},
            as_of=day,
        )


ACCOUNT_COLUMNS = ("account_id", "first_paid", "churned_on", "churn_date_unknown", "churn_reason")
CHANGE_COLUMNS = tuple(
    f.name for f in fields(Customers) if f.name not in (*ACCOUNT_COLUMNS, "as_of")
)


@dataclass(frozen=True)
class ImportedCustomers:
    """A subscription export's customers (as of ``customers.as_of``) with how it was read:
    the file of each role, its encoding and columns, counts of what was read, and one note per
    convention that changed the numbers."""

    files: dict[str, Path]
    encodings: dict[str, str]
    columns: dict[str, dict[str, str]]
    customers: Customers
    conflicts: Conflicts
    counts: dict[str, float]
    notes: list[str]
    as_of_given: bool = False
    format: str = FORMAT
    label: str = LABEL

    def to_json(self) -> dict:
        return {
            "files": {role: str(path) for role, path in self.files.items()},
            "format": self.format,
            "encodings": self.encodings,
            "columns": self.columns,
            "as_of": str(self.customers.as_of),
            "as_of_from": "--as-of" if self.as_of_given else "the latest date in the export",
            "counts": self.counts,
            "notes": self.notes,
            "conflicts": self.conflicts.to_json(),
        }


def load_subscriptions(
    path: Path,
    accounts: Path | None = None,
    churn_events: Path | None = None,
    maps: list[str] | None = None,
    as_of: date | None = None,
) -> ImportedCustomers:
    """Read the export at ``path`` (a folder, or the subscriptions file) with its side files
    (given, else beside it), ``--map`` pairs, as of ``as_of`` (default: its latest date).
    ExportError for what the user must fix; bad rows and disagreements are counted."""
    pairs = parse_maps(maps or [])
    found = find_files(Path(path), accounts, churn_events)
    files = {role: read_file(role, where, pairs) for role, where in found.items()}
    check_maps(pairs, files)
    conflicts = Conflicts()
    subs = subscription_rows(files[SUBSCRIPTIONS], conflicts)
    accts = account_rows(files[ACCOUNTS], conflicts) if ACCOUNTS in files else no_rows(ACCOUNTS)
    events = event_rows(files[EVENTS], conflicts) if EVENTS in files else no_rows(EVENTS)
    known = np.concatenate([subs["start"], subs["end"], accts["signup"], events["day"]])
    known = known[~np.isnat(known)]
    day = np.datetime64(as_of or (known.max() if known.size else date.today()), "D")
    view = view_as_of(subs, accts, events, day, conflicts)
    churn, unknown, reason = _churn(subs, accts, events, view, conflicts)
    customers = _customers(subs, view, churn, unknown, reason, conflicts)
    counts = _counts(subs, accts, events, view, customers)
    return ImportedCustomers(
        files=found,
        encodings={role: f.export.encoding for role, f in files.items()},
        columns={role: f.columns for role, f in files.items()},
        customers=customers,
        conflicts=conflicts,
        counts=counts,
        notes=_notes(files, counts, conflicts),
        as_of_given=as_of is not None,
    )


def _churn(
    subs: Rows, accts: Rows, events: Rows, view: View, conflicts: Conflicts
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each account's churn date as of ``view.day`` (NaT: none), whether it is churned with no
    date, and its reason, by the module's rules; disagreements counted."""
    n, day = view.n, view.day
    flag = np.full(n, -1, np.int8)
    listed = view.account_row >= 0
    flag[listed] = accts["flag"][view.account_row[listed]]
    paid_ever = np.where(view.paid, view.sub_account, -1)
    paid_now = np.where(view.kept, paid_ever, -1)
    ended_all = named(paid_now, n) & ~named(np.where(np.isnat(view.end), paid_now, -1), n)
    last_end_ever = latest_day(paid_ever, subs["end"], n)
    churn_event = ~events["reactivation"]
    later = named(np.where(churn_event & ~view.event_kept, view.event_account, -1), n)
    latest = np.full(n, -1, np.int64)
    order = np.lexsort((events.index, events["day"]))
    for i in order[(churn_event & view.event_kept)[order]].tolist():
        account = view.event_account[i]
        if flag[account] == 0:
            shown = ("churn_event_id", "account_id", "churn_date", "reason_code")
            conflicts.add("events_not_flagged", events.example(i, shown))
        elif latest[account] >= 0:
            shown = ("churn_event_id", "account_id", "churn_date")
            conflicts.add("earlier_churn_event", events.example(int(latest[account]), shown))
        latest[account] = i
    has_event = latest >= 0
    event_date, reason = np.full(n, NOT_A_DATE), np.full(n, None, object)
    event_date[has_event] = events["day"][latest[has_event]]
    reason[has_event] = events["reason"][latest[has_event]]
    flagged = flag == 1
    no_event = flagged & ~has_event & ~later
    unknown = no_event & np.isnat(last_end_ever)
    for a in np.flatnonzero(no_event).tolist():
        kind = "flagged_no_date" if unknown[a] else "flagged_no_event"
        extra = "" if unknown[a] else f"last end of a paid subscription {last_end_ever[a]}"
        conflicts.add(
            kind, accts.example(int(view.account_row[a]), ("account_id", "churn_flag"), extra)
        )
    from_end = np.where(last_end_ever <= day, last_end_ever, NOT_A_DATE)
    if events.file is not None:
        otherwise = event_date
    else:
        otherwise = np.where(ended_all, latest_day(paid_now, view.end, n), NOT_A_DATE)
    by_flag = np.where(flagged, np.where(no_event, from_end, event_date), NOT_A_DATE)
    churn = np.where(flag >= 0, by_flag, otherwise)
    reason = np.where(has_event & (churn == event_date), reason, None).astype(object)
    return churn, unknown, reason


def _customers(
    subs: Rows,
    view: View,
    churn: np.ndarray,
    unknown: np.ndarray,
    reason: np.ndarray,
    conflicts: Conflicts,
) -> Customers:
    """The table: paid subscriptions by then as changes of ARR, one per account and day, the
    running ones of a churned account ended on its churn date."""
    live = view.paid & view.kept
    churned_on = np.full(len(subs), NOT_A_DATE)
    churned_on[live] = churn[view.sub_account[live]]
    after = live & (subs["start"] >= churned_on)
    running = live & ~after & (churned_on < np.where(np.isnat(view.end), view.day + 1, view.end))
    for kind, mask in (("starts_after_churn", after), ("running_after_churn", running)):
        for i in np.flatnonzero(mask).tolist():
            extra = f"churned {churned_on[i]}"
            shown = ("subscription_id", "account_id", "start_date", "end_date")
            conflicts.add(kind, subs.example(i, shown, extra))
    live &= ~after
    end = np.where(running, churned_on, view.end)
    ended = live & ~np.isnat(end)
    account = np.concatenate([view.sub_account[live], view.sub_account[ended]])
    days = np.concatenate([subs["start"][live], end[ended]]).astype(np.int64)
    amount = np.concatenate([subs["arr"][live], -subs["arr"][ended]])
    keys, inverse = np.unique(np.stack([account, days], axis=1), axis=0, return_inverse=True)
    net = np.round(np.bincount(inverse.ravel(), weights=amount, minlength=len(keys)), CENTS)
    change = net != 0
    change_account, change_day = keys[change, 0], keys[change, 1].astype("datetime64[D]")
    return Customers(
        account_id=np.array(view.ids, dtype=object),
        first_paid=latest_day(change_account, change_day, view.n, earliest=True),
        churned_on=churn,
        churn_date_unknown=unknown,
        churn_reason=reason,
        change_account=change_account.astype(np.int64),
        change_day=change_day,
        change_arr_usd=net[change],
        as_of=view.day,
    )


def _counts(
    subs: Rows, accts: Rows, events: Rows, view: View, customers: Customers
) -> dict[str, float]:
    """What was read and left out as of ``view.day``."""
    kept, event_kept = view.kept, view.event_kept
    trial = subs["trial"] & kept
    paid = named(np.where(view.paid & kept, view.sub_account, -1), view.n)
    trial_only = named(np.where(trial, view.sub_account, -1), view.n) & ~paid
    return {
        "accounts": view.n,
        "accounts_after_as_of": len(accts) - int((view.account_row >= 0).sum()),
        "subscriptions": len(subs),
        "paid_subscriptions": int((view.paid & kept).sum()),
        "trial_subscriptions": int(trial.sum()),
        "unpaid_subscriptions": int((kept & ~subs["trial"] & ~view.paid).sum()),
        "trial_only_accounts": int(trial_only.sum()),
        "never_paid_accounts": int(np.isnat(customers.first_paid).sum()),
        "started_after_as_of": int((~kept).sum()),
        "ended_after_as_of": int((kept & (subs["end"] > view.day)).sum()),
        "upgrade_flags": int((subs["upgrade"] & kept).sum()),
        "downgrade_flags": int((subs["downgrade"] & kept).sum()),
        "churn_events": int(event_kept.sum()),
        "reactivations": int((events["reactivation"] & event_kept).sum()),
        "churn_events_after_as_of": int((~event_kept).sum()),
        "refunds_usd": float(np.nansum(events["refund"][event_kept])),
        "churned_accounts": int(customers.churned.sum()),
        "churn_date_unknown": int(customers.churn_date_unknown.sum()),
    }


def _notes(
    files: dict[str, SourceFile], counts: dict[str, float], conflicts: Conflicts
) -> list[str]:
    """One line per convention that changed the numbers."""
    notes = []
    if "arr" not in files[SUBSCRIPTIONS].columns:
        notes.append("ARR = 12 × MRR (the subscriptions file gives MRR only)")
    if counts["trial_subscriptions"]:
        notes.append(f"{counts['trial_subscriptions']:,} trial subscriptions are not revenue")
    if ACCOUNTS in files and "churn_flag" in files[ACCOUNTS].columns:
        notes.append(
            "churned = the accounts file's churn_flag; the date and reason are the latest churn "
            "event's that is not a reactivation (none: the last end of a paid subscription)"
        )
    elif EVENTS in files:
        notes.append("churned = a churn event not marked as a reactivation (no churn_flag)")
    else:
        notes.append("churned = all paid subscriptions ended, on the last end (no churn events)")
    said = {
        "events_not_flagged": "churn events of accounts not flagged churned are not churns",
        "running_after_churn": "paid subscriptions running after the churn date ended on it",
        "starts_after_churn": "paid subscriptions starting after the churn date left out",
        "flagged_no_date": "accounts flagged churned with no date: out of time to churn",
    }
    notes += [
        f"{conflicts.counts[k]:,} {line}" for k, line in said.items() if k in conflicts.counts
    ]
    return notes
