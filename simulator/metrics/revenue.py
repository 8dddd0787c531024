"""Revenue metrics from one replication's event log: ARR by customer over time, retention over
the last year (GRR, NRR, logo churn), references, awareness and unit economics (CAC, cost to
serve, LTV/CAC). Part of ``metrics``' summary row."""

from __future__ import annotations

import math

import numpy as np

from simulator.model.events import Kind, Outcome, rows
from simulator.parameters import Parameters
from simulator.units import DAYS_PER_YEAR, MONTHS_PER_YEAR


def median_or_nan(values: np.ndarray) -> float:
    """The median, or NaN when there is nothing to take it of (no wins, no customers)."""
    return float(np.median(values)) if values.size else math.nan


def arr_changes(log: np.ndarray) -> np.ndarray:
    """Every change of a customer's ARR: a customer carried over from an export (on day 0),
    signature, beta conversion, upsell, scale-back, churn."""
    kind = np.ascontiguousarray(log["kind"])
    won = (kind == Kind.CLOSED) & (log["code"] == Outcome.WON)
    grows = won | (kind == Kind.BETA_CONVERTED) | (kind == Kind.EXPANDED)
    grows |= kind == Kind.CUSTOMER_AT_START
    shrinks = (kind == Kind.CHURNED) | (kind == Kind.CONTRACTED)
    changes = rows(log, grows | shrinks)
    falls = (changes["kind"] == Kind.CHURNED) | (changes["kind"] == Kind.CONTRACTED)
    amount = np.where(falls, -changes["value"], changes["value"])
    return np.rec.fromarrays(
        [changes["subject"], changes["day"], amount, changes["kind"]],
        names="customer,day,amount,kind",
    )


def arr_by_customer(changes: np.ndarray, day: float) -> dict[int, float]:
    arr: dict[int, float] = {}
    for customer, amount in zip(
        changes.customer[changes.day <= day].tolist(),
        changes.amount[changes.day <= day].tolist(),
        strict=True,
    ):
        arr[customer] = arr.get(customer, 0.0) + amount
    return arr


def revenue(
    log: np.ndarray, horizon_days: float, parameters: Parameters, new_customers: int
) -> dict[str, float]:
    """ARR, retention, references, awareness and unit economics at the horizon.

    Retention is over the last year: the customers active a year before the horizon, their ARR
    then against their ARR at the horizon; GRR counts no expansion, NRR counts it.
    """
    kind = np.ascontiguousarray(log["kind"])
    changes = arr_changes(log)
    start = horizon_days - DAYS_PER_YEAR
    then = {c: a for c, a in arr_by_customer(changes, start).items() if a > 1e-9}
    now = arr_by_customer(changes, horizon_days)
    base = sum(then.values())
    churned = rows(log, kind == Kind.CHURNED)
    carried = rows(log, kind == Kind.CUSTOMER_AT_START)
    row: dict[str, float] = {
        "arr_end": float(changes.amount.sum()),
        "customers_end": new_customers + int(carried.size) - int(churned.size),
        "churned_customers": int(churned.size),
    }
    late_churn = np.count_nonzero(
        np.isin(churned["subject"], list(then)) & (churned["day"] > start)
    )
    row["logo_churn_rate"] = late_churn / len(then) if then else math.nan
    row["grr"] = sum(min(now.get(c, 0.0), a) for c, a in then.items()) / base if base else math.nan
    row["nrr"] = sum(now.get(c, 0.0) for c in then) / base if base else math.nan
    row["expansion_arr"] = float(log["value"][kind == Kind.EXPANDED].sum())
    row["contracted_arr"] = float(log["value"][kind == Kind.CONTRACTED].sum())
    row["references_end"] = int(np.count_nonzero(kind == Kind.REFERENCE_GAINED)) - int(
        np.count_nonzero(kind == Kind.REFERENCE_LOST)
    )
    row["detractors_end"] = int(np.count_nonzero(kind == Kind.DETRACTOR))
    row["time_to_value_days_median"] = median_or_nan(log["value"][kind == Kind.VALUE_REALISED])
    row["expectation_gaps"] = int(np.count_nonzero(kind == Kind.EXPECTATION_GAP))
    aware = log["value"][kind == Kind.AWARE_AT_START].sum()
    aware += np.count_nonzero(kind == Kind.BECAME_AWARE) - np.count_nonzero(kind == Kind.FORGOT)
    row["aware_share_end"] = float(aware) / parameters.market.accounts
    row["marketing_spend"] = float(log["value"][kind == Kind.MARKETING_SPENT].sum())
    selling_cost = float(log["value"][kind == Kind.SALES_COST].sum())
    row["cac"] = (
        (row["marketing_spend"] + selling_cost) / new_customers if new_customers else math.nan
    )
    row["cost_to_serve"] = float(log["value"][kind == Kind.SERVICE_COST].sum())
    new = (changes.kind == Kind.CLOSED) | (changes.kind == Kind.BETA_CONVERTED)
    row["new_arr"] = float(changes.amount[new].sum())
    row["new_arr_margin"] = row["new_arr"] * parameters.post_sale.gross_margin
    acquisition = row["marketing_spend"] + selling_cost
    row["payback_months"] = (
        acquisition / (row["new_arr_margin"] / MONTHS_PER_YEAR)
        if row["new_arr_margin"] > 0
        else math.nan
    )
    row["total_cost"] = row["marketing_spend"] + selling_cost + row["cost_to_serve"]
    post = parameters.post_sale
    churn = max(
        post.ltv_churn_floor, 0.0 if math.isnan(row["logo_churn_rate"]) else row["logo_churn_rate"]
    )
    arr_per_customer = row["arr_end"] / row["customers_end"] if row["customers_end"] else math.nan
    signed = log["day"][
        ((kind == Kind.CLOSED) & (log["code"] == Outcome.WON)) | (kind == Kind.CUSTOMER_AT_START)
    ]
    customer_days = float((horizon_days - signed).sum() - (horizon_days - churned["day"]).sum())
    customer_years = customer_days / DAYS_PER_YEAR
    serve_per_customer_year = row["cost_to_serve"] / customer_years if customer_years else 0.0
    ltv = (arr_per_customer * post.gross_margin - serve_per_customer_year) / churn
    row["ltv_cac"] = ltv / row["cac"] if row["cac"] else math.nan
    return row
