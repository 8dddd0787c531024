"""Today's customers (issue 21, part 2): a scenario that starts from an export begins with the
customers it has, so ARR, churn, NRR and expansion start from today's base: won deals of a CRM
export (a contract for its term, ARR from the amount, a term or an ARR column), or the paying
accounts of a subscription export."""

from __future__ import annotations

import math
import shutil
from pathlib import Path

import numpy as np
import pytest
import yaml
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.crm.subscriptions import load_subscriptions
from simulator.metrics.measure import monthly, summarise
from simulator.model.events import ChurnReason, Kind
from simulator.model.processes.customers import CARRIED_IDS_FROM
from simulator.runs.experiment import replication_log
from simulator.scenario.resolve import load_scenario
from simulator.scenario.start_customers import customers_at_start
from simulator.units import DAYS_PER_MONTH

DATA = Path(__file__).resolve().parent / "data"
RAVENSTACK = DATA / "saas-ravenstack"
runner = CliRunner()
TERM = {"term": "Contract Months"}

# As of 2024-12-31, with the default 12-month term: C1's contract ended (a year and a day
# old), A1 and A2 are one customer (account Acme, renewing with its latest contract, A2), B1 is
# another; the open deal is no customer; D1 has a three-year term, so its amount is the whole
# contract's and it renews every three years.
SALESFORCE = """\
"Opportunity Owner","Account Name","Stage","Amount","Created Date","Close Date","Opportunity ID",\
"Contract Months"
"Ann Lee","Acme","Closed Won","12000","1/2/2024","2/1/2024","A1",""
"Ann Lee","Acme","Closed Won","6000","6/1/2024","7/1/2024","A2",""
"Bo Chan","Beta","Closed Won","30000","9/1/2024","10/15/2024","B1",""
"Bo Chan","Gamma","Closed Won","9000","11/1/2023","12/30/2023","C1",""
"Cy Diaz","Delta","Closed Won","90000","3/1/2024","4/1/2024","D1","36"
"Cy Diaz","Eta","Needs Analysis","50000","11/1/2024","","E1",""
"""


def scenario(folder: Path, start: dict, **sections: dict) -> Path:
    raw = {
        "name": "today",
        "description": "from its exports",
        "horizon_months": 24,
        "market": {"accounts": 600},
        "start": start,
        **sections,
    }
    path = folder / "today.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.fixture
def crm(tmp_path: Path) -> Path:
    (tmp_path / "report.csv").write_text(SALESFORCE, encoding="utf-8")
    return tmp_path


def test_won_deals_running_on_as_of_are_customers_by_account(crm: Path) -> None:
    path = scenario(crm, {"from_crm": "report.csv", "as_of": "2024-12-31", "map": TERM})
    parameters = load_scenario(path).variants[0].parameters
    carried = customers_at_start(parameters)
    assert carried is not None
    assert carried.names == ("Acme", "Beta", "Delta")
    assert carried.arr_usd.tolist() == [18_000.0, 30_000.0, 30_000.0]  # Delta: 90k / 36 x 12
    day0 = np.datetime64("2025-01-01")
    closes = ["2024-07-01", "2024-10-15", "2024-04-01"]
    assert carried.signed_day.tolist() == [
        float((np.datetime64(c) - day0).astype(int)) for c in closes
    ]
    assert carried.term_months.tolist() == [12.0, 12.0, 36.0]  # the scenario's, and D1's own
    assert carried.expired == 1 and "1 won deals whose contract ended" in carried.note()


def test_an_arr_column_wins_over_the_amount(crm: Path) -> None:
    text = SALESFORCE.replace('"Contract Months"', '"ARR"').replace(',"36"', ',"25000"')
    (crm / "arr.csv").write_text(text, encoding="utf-8")
    path = scenario(crm, {"from_crm": "arr.csv", "as_of": "2024-12-31", "map": {"arr": "ARR"}})
    carried = customers_at_start(load_scenario(path).variants[0].parameters)
    assert carried is not None and carried.arr_usd.tolist() == [18_000.0, 30_000.0, 25_000.0]


def test_the_model_starts_with_their_arr_and_they_renew_and_churn(crm: Path) -> None:
    """Day 0 holds the carried ARR; each customer renews on the anniversary of its latest
    contract, every term of it (three years for Delta: not within the year), so last year's
    customers are the carried ones and NRR is theirs; carried customers are not new customers
    (no new ARR, no CAC)."""
    path = scenario(crm, {"from_crm": "report.csv", "as_of": "2024-12-31", "map": TERM})
    parameters = load_scenario(path).variants[0].parameters
    carried = customers_at_start(parameters)
    assert carried is not None
    log = replication_log(parameters, 12, 3, 0)
    kind = log["kind"]
    at_start = log[kind == Kind.CUSTOMER_AT_START]
    assert at_start["day"].tolist() == [0.0, 0.0, 0.0]
    assert sorted(at_start["value"].tolist()) == sorted(carried.arr_usd.tolist())
    assert len(set(at_start["account"].tolist())) == 3
    table = monthly(log, 12, parameters.market.accounts)
    row = summarise(log, 12 * DAYS_PER_MONTH, parameters)
    new = log[(kind == Kind.CLOSED) & (log["code"] == 0)]
    assert row["customers_end"] == 3 + new.size - np.count_nonzero(kind == Kind.CHURNED)
    assert table["arr"][0] >= carried.arr_usd.sum()  # month 1 ends with them (and any new)
    renewed = log[(kind == Kind.RENEWED) | (kind == Kind.CHURNED)]
    carried_ids = at_start["subject"]
    default = parameters.post_sale.contract_term_months
    for subject, signed, months in zip(
        carried_ids.tolist(), carried.signed_day.tolist(), carried.term_months.tolist(),
        strict=True,
    ):  # fmt: skip
        first = renewed["day"][renewed["subject"] == subject]
        term = (default if math.isnan(months) else months) * DAYS_PER_MONTH
        expected = signed + term * math.ceil(-signed / term)
        if expected < 12 * DAYS_PER_MONTH:
            assert first.size and first[0] == pytest.approx(expected)
        else:
            assert not first.size
    assert np.all(carried_ids >= CARRIED_IDS_FROM)
    assert not math.isnan(row["nrr"])  # last year's customers are the carried ones


def test_a_subscription_export_gives_todays_paying_accounts(tmp_path: Path) -> None:
    shutil.copytree(RAVENSTACK, tmp_path / "raven")
    path = scenario(tmp_path, {"customers": "raven"}, market={"accounts": 2000})
    parameters = load_scenario(path).variants[0].parameters
    assert str(parameters.start.as_of) == "2024-12-31"  # the export's latest date
    carried = customers_at_start(parameters)
    export = load_subscriptions(RAVENSTACK).customers
    arr = export.arr_on(export.as_of)
    assert carried is not None and len(carried) == int(np.count_nonzero(arr > 0)) == 404
    assert carried.arr_usd.sum() == pytest.approx(arr.sum())
    log = replication_log(parameters, 12, 1, 0)
    row = summarise(log, 12 * DAYS_PER_MONTH, parameters)
    assert row["grr"] < 1 < row["customers_end"]
    churned = log[log["kind"] == Kind.CHURNED]
    assert set(churned["code"].tolist()) <= {int(r) for r in ChurnReason}
    validated = runner.invoke(app, ["validate", str(path)])
    assert validated.exit_code == 0, validated.output
    assert "404 customers carried over from raven (subscription export)" in validated.output


def test_too_small_a_market_or_a_missing_export_is_refused(tmp_path: Path, crm: Path) -> None:
    shutil.copytree(RAVENSTACK, tmp_path / "raven")
    small = scenario(tmp_path, {"customers": "raven"}, market={"accounts": 300})
    result = runner.invoke(app, ["validate", str(small)])
    assert result.exit_code == 2
    assert "start.customers: 0 open deals and 404 customers each take an account" in result.output
    missing = scenario(tmp_path, {"customers": "nowhere"})
    result = runner.invoke(app, ["validate", str(missing)])
    assert result.exit_code == 2 and "start.customers: 'nowhere': no such file" in result.output
