"""The statistics of a subscription export a calibration matches, computed alike on the export and
on every simulated history (``crm/retention.py`` on a ``Customers`` table): churn, expansion and
why customers leave, over the calibration's window.

- logo churn a year: churns in the window / customer-years at risk in it (a hazard);
- expansion a year: upsell ARR in the window / ARR-years in it;
- churns for missing features, and for support, as shares of the window's churns: in the
  model a churn is features when the customer's implementation hit an expectation gap, support
  when its health had fallen below ``post_sale.detractor_health`` (neglect), and anything else
  is other; an export's reason codes ``features`` and ``support`` are read as those two, every
  other code (budget, pricing, competitor, unknown, none given) as other. A share of a few
  dozen churns is often 0 in one history, where its log-odds are not defined: each is taken
  as (k + 1/2) / (n + 1) of k such churns in n (the empirical logit's correction, Haldane
  1956; Anscombe 1956), the same on the export and on every simulated history.
"""

from __future__ import annotations

import numpy as np

from simulator.calibrate.moments import Statistic, Window
from simulator.crm.retention import reason_codes, statistics
from simulator.crm.subscriptions import Customers

RETENTION_STATISTICS = (
    Statistic("logo_churn_per_year", "logo churn a year (churns / customer-years)", "share",
              "log", "too many customers leave: ARR and NRR run low",
              "too few customers leave: ARR and NRR run high"),
    Statistic("expansion_per_year", "expansion a year (upsell ARR / ARR-years)", "share", "log",
              "too much upsell: ARR and NRR run high", "too little upsell: ARR and NRR run low"),
    Statistic("reason_share_features", "churns for missing features (share of churns)",
              "share", "logit", "too many expectation gaps: too many detractors, too few "
              "references", "too few expectation gaps: too few detractors, too many references"),
    Statistic("reason_share_support", "churns for support (share of churns)", "share", "logit",
              "customers neglected too fast: churn concentrates on the unattended",
              "customers kept healthy too long: churn spreads over the healthy"),
)  # fmt: skip
REASONS = ("features", "support")
CORRECTION = 0.5
"""Churns of a reason added to its count (and twice to all churns) before the share is taken."""
MIN_CHURNS = 10
"""Churns in the window below which the export cannot say why customers leave: the reasons'
knobs are then not fitted (say so), rather than fitted to a share of a handful."""


def reasons_problem(customers: Customers, window: Window, reason: str) -> str | None:
    """Why the share of churns for ``reason`` cannot pin its knob down here, or None."""
    churns = int(statistics(customers, window.first, window.last)["churns"])
    if churns < MIN_CHURNS:
        return (
            f"the export shows {churns} churns from {window.first} to {window.last}, too few "
            f"to say why customers leave (at least {MIN_CHURNS})"
        )
    codes = reason_codes(customers)
    if reason not in codes:
        return (
            f"the export's churn reasons do not include {reason!r} (its codes: "
            f"{', '.join(codes) or 'none'}); salesim reads 'features' and 'support'"
        )
    return None


def retention_raw(customers: Customers, window: Window) -> dict[str, float]:
    """Each retention statistic of ``customers`` over ``window``, on its own scale."""
    found = statistics(customers, window.first, window.last)
    raw = {name: found[name] for name in ("logo_churn_per_year", "expansion_per_year")}
    churns = found["churns"]
    for reason in REASONS:
        count = found.get(f"reason_share_{reason}", 0.0) * churns if churns else 0.0
        raw[f"reason_share_{reason}"] = (count + CORRECTION) / (churns + 2 * CORRECTION)
    return raw


def resampled(customers: Customers, rows: np.ndarray) -> Customers:
    """The table with its accounts resampled (``rows``, with repeats), each with its changes:
    a bootstrap draw of the export."""
    order = np.argsort(customers.change_account, kind="stable")
    starts = np.searchsorted(customers.change_account[order], np.arange(len(customers) + 1))
    pieces = [order[starts[a] : starts[a + 1]] for a in rows.tolist()]
    taken = np.concatenate(pieces) if pieces else np.array([], np.int64)
    new_index = np.repeat(np.arange(rows.size), [len(p) for p in pieces])
    return Customers(
        account_id=customers.account_id[rows],
        first_paid=customers.first_paid[rows],
        churned_on=customers.churned_on[rows],
        churn_date_unknown=customers.churn_date_unknown[rows],
        churn_reason=customers.churn_reason[rows],
        change_account=new_index.astype(np.int64),
        change_day=customers.change_day[taken],
        change_arr_usd=customers.change_arr_usd[taken],
        as_of=customers.as_of,
    )
