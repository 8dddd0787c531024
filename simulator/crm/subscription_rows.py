"""The files of a subscription export checked row by row, and seen as of a day: the rows that
cannot be read left out with a count and examples of each kind (``Conflicts``), never a crash,
never a silent drop; then (``view_as_of``) the accounts as of a day and each row's account.

A subscriptions row is bad for the first of these it shows: no account id, no start date, a
date that cannot be read, an end before its start, no amount (not a trial), an amount that is
not a number or is negative, a true/false column that says neither, a subscription id seen
before. An accounts row: no account id, an unreadable signup date or flag, a repeated account
id. A churn event: no account id, no churn date or an unreadable one, an unreadable flag or
refund, a repeated event id. The disagreements between the files (kept, with what was done)
are counted by ``subscriptions`` in the same ``Conflicts``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from simulator.crm.dates import NOT_A_DATE, day_first, parse_dates
from simulator.crm.rows import EXAMPLES, parse_amounts
from simulator.crm.subscription_files import ACCOUNTS, EVENTS, SourceFile

ARR_PER_MRR = 12
"""Months a year: the ARR of a subscription that states only its MRR."""
ARR_MRR_TOLERANCE = 0.01
"""Relative gap between ARR and 12 × MRR counted as a disagreement."""
TRUE_WORDS = frozenset({"true", "1", "yes", "y", "t"})
FALSE_WORDS = frozenset({"false", "0", "no", "n", "f"})


KINDS: dict[str, str] = {
    "not_a_row": "a line with a single value (a report footer): left out",
    "no_account": "no account id: left out",
    "no_date": "no start date (subscription) or churn date (event): left out",
    "unreadable_date": "a date that cannot be read: left out",
    "end_before_start": "a subscription ending before it starts: left out",
    "no_amount": "a subscription (not a trial) with neither ARR nor MRR: left out",
    "unreadable_amount": "an amount that is not a number: left out",
    "negative_amount": "a negative amount: left out",
    "unreadable_flag": "a true/false column that says neither: left out",
    "repeated_id": "an id seen on an earlier row: left out",
    "unknown_account": "a subscription or churn event of an account not in the accounts file: "
    "the account is added",
    "events_not_flagged": "a churn event (not a reactivation) of an account whose churn_flag "
    "says not churned: not counted as a churn",
    "flagged_no_event": "an account flagged churned with no churn event: churned on the last "
    "end of its paid subscriptions",
    "flagged_no_date": "an account flagged churned with no churn event and no ended paid "
    "subscription: churn date unknown, left out of time to churn, its recorded ARR kept",
    "earlier_churn_event": "a churn event (not a reactivation) followed by a later one of the "
    "same account: only the latest counts",
    "running_after_churn": "a paid subscription running after its account's churn date: "
    "ended on it",
    "starts_after_churn": "a paid subscription starting on or after its account's churn date: "
    "left out",
    "arr_not_12_mrr": "ARR is not 12 × MRR: ARR used",
}
"""Kind of bad row or disagreement -> what it is and what was done, in the order shown."""


@dataclass
class Conflicts:
    """Rows read per file, and per kind of bad row or disagreement its count and a few
    examples (``FILE line N: ...``)."""

    rows_read: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    examples: dict[str, list[str]] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def add(self, kind: str, example: str) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + 1
        shown = self.examples.setdefault(kind, [])
        if len(shown) < EXAMPLES:
            shown.append(example)

    def to_json(self) -> dict:
        kinds = [
            {"kind": k, "meaning": m, "rows": self.counts[k], "examples": self.examples[k]}
            for k, m in KINDS.items()
            if k in self.counts
        ]
        return {"rows_read": self.rows_read, "total": self.total, "kinds": kinds}


def flags(values: list[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """1 true, 0 false, -1 blank or unreadable; and the mask of the unreadable ones."""
    words = [(v or "").strip().lower() for v in values]
    out = np.array(
        [1 if w in TRUE_WORDS else 0 if w in FALSE_WORDS else -1 for w in words], np.int8
    )
    return out, np.array([bool(w) for w in words], bool) & (out < 0)


def _repeated(ids: list[str | None]) -> np.ndarray:
    seen: set[str] = set()
    out = np.zeros(len(ids), bool)
    for index, value in enumerate(ids):
        if value:
            out[index] = value in seen
            seen.add(value)
    return out


def _dates(file: SourceFile, *names: str) -> list[tuple[np.ndarray, np.ndarray]]:
    texts = [file.get(name) for name in names]
    first = day_first([value for column in texts for value in column])
    return [parse_dates(column, first) for column in texts]


def _judge(
    file: SourceFile,
    problems: dict[str, tuple[np.ndarray, tuple[str, ...]]],
    id_field: str,
    conflicts: Conflicts,
) -> np.ndarray:
    """The good rows of ``file``: each bad one counted under the first kind it shows (kind ->
    its rows and the fields its examples show beside the ids)."""
    conflicts.rows_read[file.role] = file.rows + len(file.export.not_deals)
    for line, text in file.export.not_deals:
        conflicts.add("not_a_row", f"{file.path.name} line {line}: {text!r}")
    accounts = file.get("account_id")
    problems = {
        "no_account": (np.array([not value for value in accounts], bool), ()),
        **problems,
        "repeated_id": (_repeated(file.get(id_field)), ()),
    }
    good = np.ones(file.rows, bool)
    for kind, (mask, names) in problems.items():
        shown = tuple(dict.fromkeys((id_field, "account_id", *names)))
        for index in np.flatnonzero(good & mask).tolist():
            conflicts.add(kind, file.example(index, shown))
        good &= ~mask
    return good


@dataclass(frozen=True)
class Rows:
    """The good rows of one file as arrays (``index``: the row in the file, for examples);
    ``file`` is None for a file that was not read (no rows)."""

    file: SourceFile | None
    index: np.ndarray
    account: np.ndarray
    values: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.index)

    def __getitem__(self, name: str) -> np.ndarray:
        return self.values[name]

    def example(self, row: int, names: tuple[str, ...], extra: str = "") -> str:
        """The example of good row ``row`` (see ``SourceFile.example``)."""
        if self.file is None:
            raise IndexError("no file was read")
        return self.file.example(int(self.index[row]), names, extra)


def _rows(file: SourceFile, good: np.ndarray, values: dict[str, np.ndarray]) -> Rows:
    index = np.flatnonzero(good)
    account = np.array(file.get("account_id"), dtype=object)[index]
    return Rows(file, index, account, {name: array[index] for name, array in values.items()})


def no_rows(role: str) -> Rows:
    """The rows of a side file that was not read: none, with the columns of its role."""
    days = np.array([], "datetime64[D]")
    values = {
        ACCOUNTS: {"signup": days, "flag": np.array([], np.int8)},
        EVENTS: {
            "day": days,
            "reason": np.array([], object),
            "reactivation": np.array([], bool),
            "refund": np.array([]),
        },
    }[role]
    return Rows(None, np.array([], np.int64), np.array([], object), values)


def subscription_rows(file: SourceFile, conflicts: Conflicts) -> Rows:
    """Subscriptions: ``start``, ``end`` (NaT = running), ``arr`` (USD a year), ``trial``,
    ``upgrade``, ``downgrade``."""
    (start, start_bad), (end, end_bad) = _dates(file, "start_date", "end_date")
    arr, arr_bad = parse_amounts(file.get("arr"))
    mrr, mrr_bad = parse_amounts(file.get("mrr"))
    trial, trial_bad = flags(file.get("is_trial"))
    yearly = np.where(np.isnan(arr), ARR_PER_MRR * mrr, arr)
    dates, amounts = ("start_date", "end_date"), ("arr", "mrr")
    problems = {
        "no_date": (np.isnat(start) & ~start_bad, dates),
        "unreadable_date": (start_bad | end_bad, dates),
        "end_before_start": (end < start, dates),
        "no_amount": (np.isnan(yearly) & ~arr_bad & ~mrr_bad & (trial != 1), amounts),
        "unreadable_amount": (arr_bad | mrr_bad, amounts),
        "negative_amount": ((arr < 0) | (mrr < 0), amounts),
        "unreadable_flag": (trial_bad, ("is_trial",)),
    }
    good = _judge(file, problems, "subscription_id", conflicts)
    gap = np.abs(arr - ARR_PER_MRR * mrr) > ARR_MRR_TOLERANCE * np.abs(arr)
    for index in np.flatnonzero(good & gap).tolist():
        conflicts.add("arr_not_12_mrr", file.example(index, ("account_id", "arr", "mrr")))
    values = {
        "start": start,
        "end": end,
        "arr": np.nan_to_num(yearly),
        "trial": trial == 1,
        "upgrade": flags(file.get("upgrade_flag"))[0] == 1,
        "downgrade": flags(file.get("downgrade_flag"))[0] == 1,
    }
    return _rows(file, good, values)


def account_rows(file: SourceFile, conflicts: Conflicts) -> Rows:
    """Accounts: ``signup`` (NaT = unknown) and ``flag`` (1 churned, 0 not, -1 not said)."""
    ((signup, signup_bad),) = _dates(file, "signup_date")
    flag, flag_bad = flags(file.get("churn_flag"))
    problems = {
        "unreadable_date": (signup_bad, ("signup_date",)),
        "unreadable_flag": (flag_bad, ("churn_flag",)),
    }
    good = _judge(file, problems, "account_id", conflicts)
    return _rows(file, good, {"signup": signup, "flag": flag})


def event_rows(file: SourceFile, conflicts: Conflicts) -> Rows:
    """Churn events: ``day``, ``reason`` (lower case or None), ``reactivation``, ``refund``."""
    ((day, day_bad),) = _dates(file, "churn_date")
    reactivation, reactivation_bad = flags(file.get("is_reactivation"))
    refund, refund_bad = parse_amounts(file.get("refund_usd"))
    problems = {
        "no_date": (np.isnat(day) & ~day_bad, ("churn_date",)),
        "unreadable_date": (day_bad, ("churn_date",)),
        "unreadable_amount": (refund_bad, ("refund_usd",)),
        "negative_amount": (refund < 0, ("refund_usd",)),
        "unreadable_flag": (reactivation_bad, ("is_reactivation",)),
    }
    good = _judge(file, problems, "churn_event_id", conflicts)
    reason = np.array([(r or "").strip().lower() or None for r in file.get("reason_code")], object)
    values = {"day": day, "reason": reason, "reactivation": reactivation == 1, "refund": refund}
    return _rows(file, good, values)


@dataclass(frozen=True)
class View:
    """The rows as of ``day``: each row's account (an index; -1: not an account then), the
    subscriptions started by then (``kept``) with their ends by then (NaT: running), the paid
    ones, the churn events by then, and each account's row in the accounts file (-1: none)."""

    day: np.datetime64
    ids: list[str]
    sub_account: np.ndarray
    kept: np.ndarray
    end: np.ndarray
    paid: np.ndarray
    event_account: np.ndarray
    event_kept: np.ndarray
    account_row: np.ndarray

    @property
    def n(self) -> int:
        return len(self.ids)


def view_as_of(
    subs: Rows, accts: Rows, events: Rows, day: np.datetime64, conflicts: Conflicts
) -> View:
    """The accounts as of ``day``: the accounts file's (unless signed up later with nothing by
    then), then those only the subscriptions or churn events name (counted)."""
    kept, event_kept = subs["start"] <= day, events["day"] <= day
    active = set(subs.account[kept].tolist()) | set(events.account[event_kept].tolist())
    ids: dict[str, int] = {}
    signed_later = (accts["signup"] > day).tolist()
    for account, later in zip(accts.account.tolist(), signed_later, strict=True):
        if not later or account in active:
            ids.setdefault(account, len(ids))
    in_file = set(accts.account.tolist())
    for rows, mask in ((subs, kept), (events, event_kept)):
        for i in np.flatnonzero(mask).tolist():
            if accts.file is not None and rows.account[i] not in in_file:
                conflicts.add("unknown_account", rows.example(i, ("account_id",)))
            ids.setdefault(rows.account[i], len(ids))

    def index(rows: Rows) -> np.ndarray:
        return np.array([ids.get(a, -1) for a in rows.account.tolist()], np.int64)

    in_accounts = index(accts)
    account_row = np.full(len(ids), -1, np.int64)
    account_row[in_accounts[in_accounts >= 0]] = np.flatnonzero(in_accounts >= 0)
    return View(
        day=day,
        ids=list(ids),
        sub_account=index(subs),
        kept=kept,
        end=np.where(subs["end"] > day, NOT_A_DATE, subs["end"]),
        paid=~subs["trial"] & (subs["arr"] > 0),
        event_account=index(events),
        event_kept=event_kept,
        account_row=account_row,
    )


def latest_day(index: np.ndarray, days: np.ndarray, n: int, earliest: bool = False) -> np.ndarray:
    """Each account's latest (or earliest) of ``days`` over rows whose ``index`` is >= 0
    (NaT: none)."""
    sentinel = np.iinfo(np.int64).max
    out = np.full(n, sentinel if earliest else -sentinel, np.int64)
    use = (index >= 0) & ~np.isnat(days)
    (np.minimum if earliest else np.maximum).at(out, index[use], days[use].astype(np.int64))
    return np.where(np.abs(out) == sentinel, NOT_A_DATE, out.astype("datetime64[D]"))


def named(index: np.ndarray, n: int) -> np.ndarray:
    """Accounts named by some ``index`` >= 0."""
    out = np.zeros(n, bool)
    out[index[index >= 0]] = True
    return out
