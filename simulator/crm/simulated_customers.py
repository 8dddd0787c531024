"""A replication's customers as a subscription export would hold them: the ``Customers`` table
``salesim import`` reads an export into, so that retention statistics measure both alike.

An account per customer: one signed in the simulation (its won lead), or one carried over from
an export on day 0 (its first paid day is its signature before day 0, given here). Its ARR
changes on the days the log records them (signature or carry-over, beta conversion, upsell,
scale-back, churn), netted per day as an export's are; days become dates from ``day0``, cut to
whole days. A churn's reason is the model's (``ChurnReason``) in an export's words: features,
support, other.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from simulator.crm.subscriptions import CENTS, Customers
from simulator.model.events import ChurnReason, Kind, Outcome

REASONS = {
    ChurnReason.FEATURES: "features",
    ChurnReason.SUPPORT: "support",
    ChurnReason.OTHER: "other",
}
"""A churn's reason code as an export writes it (lower case)."""


def customers_table(
    log: np.ndarray, day0: dt.date, as_of: dt.date, carried_signed_days: np.ndarray
) -> Customers:
    """The customers of one replication's ``log`` as of ``as_of``; ``carried_signed_days`` are
    the signature days (before day 0) of the customers carried over, in their order."""
    kind = log["kind"]
    won = log[(kind == Kind.CLOSED) & (log["code"] == Outcome.WON)]
    carried = log[kind == Kind.CUSTOMER_AT_START]
    ids = np.concatenate([carried["subject"], won["subject"]])
    index = {int(i): k for k, i in enumerate(ids.tolist())}
    signed = np.concatenate([np.asarray(carried_signed_days, float), won["day"]])
    grows = (kind == Kind.BETA_CONVERTED) | (kind == Kind.EXPANDED)
    falls = (kind == Kind.CONTRACTED) | (kind == Kind.CHURNED)
    moves = log[grows | falls]
    moves = moves[np.isin(moves["subject"], ids)]
    sign = np.where(np.isin(moves["kind"], (Kind.CONTRACTED, Kind.CHURNED)), -1.0, 1.0)
    account = np.array(
        [index[int(s)] for s in np.concatenate([ids, moves["subject"]]).tolist()], np.int64
    )
    days = np.concatenate([signed, moves["day"]])
    amounts = np.concatenate([carried["value"], won["value"], sign * moves["value"]])
    start = np.datetime64(day0, "D")
    dates = start + np.floor(days).astype(np.int64)
    # netted per account and day, to the cent, as an export's changes are
    keys = account * (1 << 32) + (dates - start).astype(np.int64) + (1 << 31)
    unique, inverse = np.unique(keys, return_inverse=True)
    net = np.round(np.bincount(inverse, weights=amounts), CENTS)
    kept = net != 0
    change_account = (unique >> 32)[kept]
    change_day = start + ((unique & ((1 << 32) - 1)) - (1 << 31))[kept].astype(np.int64)
    churns = log[kind == Kind.CHURNED]
    churned_on = np.full(ids.size, np.datetime64("NaT"), "datetime64[D]")
    reason = np.full(ids.size, None, object)
    for subject, day, code in zip(
        churns["subject"].tolist(), churns["day"].tolist(), churns["code"].tolist(), strict=True
    ):
        k = index.get(int(subject))
        if k is not None:
            churned_on[k] = start + int(np.floor(day))
            reason[k] = REASONS[ChurnReason(code)]
    table = Customers(
        account_id=np.array([f"Customer {i}" for i in ids.tolist()], dtype=object),
        first_paid=start + np.floor(signed).astype(np.int64),
        churned_on=churned_on,
        churn_date_unknown=np.zeros(ids.size, bool),
        churn_reason=reason,
        change_account=change_account,
        change_day=change_day,
        change_arr_usd=net[kept],
        as_of=np.datetime64(as_of, "D"),
    )
    return table.as_seen_on(np.datetime64(as_of, "D"))
