"""``salesim import`` of a subscription export: accounts, subscriptions and churn events read
into one table of customers and their ARR changes, every disagreement between the files counted
with examples (never a crash), and retention (GRR, NRR, logo churn, time to churn, reasons, the
ARR bridge) checked against answers worked out by hand."""

from __future__ import annotations

import json
import math
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.crm.reader import ExportError
from simulator.crm.retention import months_before, statistics, summarize
from simulator.crm.subscriptions import Customers, load_subscriptions

RAVENSTACK = Path(__file__).resolve().parent / "data" / "saas-ravenstack"  # a copy
DAYS_PER_YEAR = 365.25
runner = CliRunner()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def arr_of(customers: Customers, account: str, day: str) -> float:
    return float(customers.arr_on(np.datetime64(day))[customers.account_id == account][0])


def one(customers: Customers, name: str, account: str) -> object:
    return getattr(customers, name)[customers.account_id == account][0]


@pytest.fixture(scope="module")
def ravenstack():
    imported = load_subscriptions(RAVENSTACK)
    return imported, summarize(imported.customers)


def test_the_ravenstack_export_is_read_with_its_disagreements_counted(ravenstack):
    imported, summary = ravenstack
    counts, conflicts = imported.counts, imported.conflicts
    assert set(imported.files) == {"subscriptions", "accounts", "churn_events"}
    assert counts["accounts"] == 500 and len(imported.customers) == 500
    assert counts["paid_subscriptions"] == 4222 and counts["trial_subscriptions"] == 778
    assert counts["churn_events"] == 600 and counts["reactivations"] == 61
    assert conflicts.rows_read == {"subscriptions": 5000, "accounts": 500, "churn_events": 600}
    assert str(imported.customers.as_of) == "2024-12-31"
    # "more accounts have churn events than carry churn_flag": counted, with examples
    assert conflicts.counts["events_not_flagged"] > 300
    assert conflicts.examples["events_not_flagged"][0].startswith("churn_events.csv line ")
    assert conflicts.counts["flagged_no_event"] + conflicts.counts["flagged_no_date"] == 36
    flagged = summary.churned + summary.churn_date_unknown + summary.churned_never_paid
    assert flagged == 110, "the 110 flagged accounts, 5 of them before their paid subscriptions"
    assert summary.churned_never_paid == 5, "every paid subscription started after the churn"
    assert "accounts.csv line" in conflicts.examples["flagged_no_date"][0]
    assert conflicts.counts["running_after_churn"] > 0
    assert summary.customers == int((imported.customers.arr_on("2024-12-31") > 0).sum())
    assert 0 < summary.cohort.grr <= 1 and summary.cohort.nrr > 0
    assert summary.cohort.covers_window and summary.first_day == "2023-01-09"
    assert summary.time_to_churn.unknown_date == 14
    assert sum(r["accounts"] for r in summary.reasons) == 105, "churned after paying"
    assert {r["reason"] for r in summary.reasons} >= {"pricing", "competitor", "not_given"}
    for month in summary.months:
        change = month.new_usd + month.expansion_usd - month.contraction_usd - month.churned_usd
        assert month.start_arr_usd + change == pytest.approx(month.end_arr_usd)
    assert summary.months[-1].end_arr_usd == pytest.approx(summary.arr_usd)
    json.dumps({**imported.to_json(), "summary": summary.to_json()}, allow_nan=False)


@pytest.mark.parametrize("target", [RAVENSTACK, RAVENSTACK / "subscriptions.csv"])
def test_the_command_reads_a_folder_or_its_subscriptions_file(target):
    result = runner.invoke(app, ["import", str(target)])
    assert result.exit_code == 0, result.output
    for words in ("GRR", "NRR", "Time to churn", "Kaplan–Meier", "Churn reasons",
                  "ARR by month", "trial subscriptions are not revenue", "churn_events.csv line",
                  "not counted as a churn"):  # fmt: skip
        assert words in result.output, words
    data = json.loads(runner.invoke(app, ["import", str(target), "--json", "-"]).stdout)
    assert data["format"] == "subscriptions" and data["summary"]["accounts"] == 500
    assert data["summary"]["time_to_churn"]["km_median_days"] is None, "not reached is null"
    kinds = {k["kind"]: k["rows"] for k in data["conflicts"]["kinds"]}
    assert kinds["events_not_flagged"] > 300


ACCOUNTS = """\
account_id,signup_date,churn_flag,industry
A,2023-01-01,False,EdTech
B,2023-06-01,True,FinTech
C,2023-03-01,False,DevTools
D,2024-02-01,False,EdTech
E,2024-01-01,False,EdTech
F,2023-01-01,True,EdTech
G,2023-01-01,True,EdTech
"""
SUBSCRIPTIONS = """\
subscription_id,account_id,start_date,end_date,arr_amount,is_trial
S1,A,2023-01-01,,1000,False
S2,A,2024-06-01,,500,False
S3,B,2023-06-01,,2000,False
S4,C,2023-03-01,2024-04-01,1200,False
S5,C,2024-04-01,,600,False
S6,D,2024-02-01,,3000,False
S7,E,2024-01-01,,500,True
"""
EVENTS = """\
churn_event_id,account_id,churn_date,reason_code,is_reactivation
C1,B,2024-03-01,Pricing,False
C2,A,2024-05-01,budget,False
C3,C,2024-01-15,support,True
"""


@pytest.fixture
def small(tmp_path):
    write(tmp_path, "accounts.csv", ACCOUNTS)
    write(tmp_path, "subscriptions.csv", SUBSCRIPTIONS)
    write(tmp_path, "churn_events.csv", EVENTS)
    return tmp_path


def test_grr_nrr_and_the_churn_hazard_of_a_hand_made_cohort(small):
    imported = load_subscriptions(small, as_of=date(2024, 12, 31))
    customers = imported.customers
    summary = summarize(customers)
    cohort = summary.cohort
    assert cohort.day == "2023-12-31" and cohort.accounts == 3, "A, B and C paid then"
    assert cohort.arr_then_usd == 4200 and cohort.arr_now_usd == 2100
    assert cohort.grr == pytest.approx(1600 / 4200), "A 1000, B 0, C 600 retained"
    assert cohort.nrr == pytest.approx(2100 / 4200)
    assert cohort.churned == 1 and cohort.churned_share == pytest.approx(1 / 3)
    # trailing window 2024 (366 days): A 366, B 60 (to 03-01), C 366, D 335 customer-days
    rates = statistics(customers, "2024-01-01", "2024-12-31")
    assert rates["churns"] == 1
    assert rates["customer_years"] == pytest.approx(1127 / DAYS_PER_YEAR)
    assert rates["logo_churn_per_year"] == pytest.approx(DAYS_PER_YEAR / 1127)
    arr_days = 1000 * 366 + 500 * 214 + 2000 * 60 + 1200 * 91 + 600 * 275 + 3000 * 335
    assert rates["arr_years"] == pytest.approx(arr_days / DAYS_PER_YEAR)
    assert rates["expansion_arr_usd"] == 500 and rates["contraction_arr_usd"] == 600
    assert rates["churned_arr_usd"] == 2000 and rates["new_arr_usd"] == 3000
    assert rates["expansion_per_year"] == pytest.approx(500 * DAYS_PER_YEAR / arr_days)
    assert rates["churned_arr_per_year"] == pytest.approx(2000 * DAYS_PER_YEAR / arr_days)
    assert [k for k in rates if k.startswith("reason_share_")] == ["reason_share_pricing"]
    assert rates["reason_share_pricing"] == 1.0
    empty = statistics(customers, "2020-01-01", "2020-12-31")
    assert math.isnan(empty["logo_churn_per_year"]) and math.isnan(empty["expansion_per_year"])
    assert math.isnan(empty["reason_share_pricing"])


def test_the_rules_of_churn_on_a_hand_made_export(small):
    imported = load_subscriptions(small, as_of=date(2024, 12, 31))
    customers, conflicts = imported.customers, imported.conflicts
    assert str(one(customers, "churned_on", "B")) == "2024-03-01"
    assert one(customers, "churn_reason", "B") == "pricing", "lower case"
    assert (
        arr_of(customers, "B", "2024-02-29") == 2000 and arr_of(customers, "B", "2024-03-01") == 0
    )
    assert conflicts.counts["running_after_churn"] == 1, "B's subscription ended on its churn"
    assert "S3" in conflicts.examples["running_after_churn"][0]
    assert np.isnat(one(customers, "churned_on", "A")), "A's event: not flagged, not a churn"
    assert conflicts.counts["events_not_flagged"] == 1
    assert (
        "churn_events.csv line 3: churn_event_id=C2" in conflicts.examples["events_not_flagged"][0]
    )
    assert (
        np.isnat(one(customers, "churned_on", "C")) and arr_of(customers, "C", "2024-12-31") == 600
    )
    assert np.isnat(one(customers, "first_paid", "E")), "a trial is not revenue"
    assert arr_of(customers, "E", "2024-12-31") == 0
    assert one(customers, "churn_date_unknown", "F") and one(customers, "churn_date_unknown", "G")
    assert conflicts.counts["flagged_no_date"] == 2, "F and G have no subscription at all"
    summary = summarize(customers)
    assert summary.customers == 3 and summary.arr_usd == 1500 + 600 + 3000
    assert summary.never_paid == 1, "E: a trial"
    assert summary.churned_never_paid == 2, "F and G, flagged, with no subscription"


def test_a_flagged_account_with_no_event_and_a_reactivation(tmp_path):
    write(tmp_path, "accounts.csv", "account_id,churn_flag\nF,true\nG,yes\nR,false\n")
    write(
        tmp_path,
        "subs.csv",
        "account_id,start_date,end_date,mrr_amount\n"
        "F,2024-01-01,2024-05-01,100\nF,2024-02-01,2024-04-01,50\n"
        "G,2024-01-01,,100\nR,2024-01-01,,10\n",
    )
    write(
        tmp_path,
        "churn_events.csv",
        "account_id,churn_date,reason_code,is_reactivation\nR,2024-03-01,budget,True\n",
    )
    imported = load_subscriptions(tmp_path / "subs.csv", as_of=date(2024, 6, 30))
    customers, conflicts = imported.customers, imported.conflicts
    assert str(one(customers, "churned_on", "F")) == "2024-05-01", "the last end of its paid subs"
    assert one(customers, "churn_reason", "F") is None
    assert conflicts.counts["flagged_no_event"] == 1 and conflicts.counts["flagged_no_date"] == 1
    assert "last end of a paid subscription 2024-05-01" in conflicts.examples["flagged_no_event"][0]
    assert one(customers, "churn_date_unknown", "G") and np.isnat(one(customers, "churned_on", "G"))
    assert arr_of(customers, "G", "2024-06-30") == 1200, "no date: its ARR is kept"
    assert np.isnat(one(customers, "churned_on", "R")), "a reactivation is not a churn"
    assert arr_of(customers, "R", "2024-06-30") == 120, "ARR = 12 × MRR"
    assert arr_of(customers, "F", "2024-03-01") == 1800
    assert any("12 × MRR" in note for note in imported.notes)
    timing = summarize(customers).time_to_churn
    assert (timing.churned, timing.censored, timing.unknown_date) == (1, 1, 1), "G left out"
    assert timing.km_median_days == 121, "F: 2024-01-01 to 05-01"
    assert "events_not_flagged" not in conflicts.counts, "R's event is a reactivation"
    earlier = load_subscriptions(tmp_path / "subs.csv", as_of=date(2024, 3, 15)).customers
    assert np.isnat(one(earlier, "churned_on", "F")), "its last end comes later: not churned yet"
    assert not one(earlier, "churn_date_unknown", "F")


def test_kaplan_meier_time_to_churn_with_censoring_against_a_hand_computation(tmp_path):
    """No accounts file: a churn event (not a reactivation) is a churn. Durations from the first
    paid day: P1 10, P2 20, P3 30 churned; P4 15 and P5 40 censored at as-of."""
    write(
        tmp_path,
        "subscriptions.csv",
        "account_id,start_date,end_date,arr_amount\n"
        "P1,2024-01-01,,100\nP2,2024-01-01,,100\nP3,2024-01-01,,100\n"
        "P4,2024-01-26,,100\nP5,2024-01-01,,100\n",
    )
    write(
        tmp_path,
        "churn_events.csv",
        "account_id,churn_date,reason_code,is_reactivation\nP1,2024-01-11,pricing,False\n"
        "P2,2024-01-21,budget,False\nP3,2024-01-31,pricing,False\nP5,2024-01-16,pricing,True\n",
    )
    customers = load_subscriptions(tmp_path, as_of=date(2024, 2, 10)).customers
    timing = summarize(customers).time_to_churn
    # S(10) = 4/5; S(20) = 4/5 · 2/3 (P4 censored at 15 left the risk set); S(30) = that · 1/2
    assert timing.times_days == [10, 20, 30]
    assert timing.survival == pytest.approx([0.8, 0.8 * 2 / 3, 0.8 * 2 / 3 / 2])
    assert timing.km_median_days == 30 and timing.km_p25_days == 20, "S(20) is the first <= 0.75"
    assert (timing.churned, timing.censored) == (3, 2)
    reasons = {r["reason"]: r["accounts"] for r in summarize(customers).reasons}
    assert reasons == {"pricing": 2, "budget": 1}, "P5's reactivation is no churn"


def test_without_churn_events_an_account_churns_when_its_paid_subscriptions_end(tmp_path):
    path = write(
        tmp_path,
        "export.csv",
        "Account ID,Start Date,End Date,ARR Amount,Is Trial\n"
        "X,2024-01-01,2024-03-01,1000,false\nX,2024-02-01,2024-04-01,500,false\n"
        "Y,2024-01-01,,700,false\nZ,2024-01-01,2024-02-01,900,true\n",
    )
    imported = load_subscriptions(path)
    customers = imported.customers
    assert set(imported.files) == {"subscriptions"}
    assert str(customers.as_of) == "2024-04-01", "the latest date in the file"
    assert str(one(customers, "churned_on", "X")) == "2024-04-01"
    assert np.isnat(one(customers, "churned_on", "Y")) and np.isnat(
        one(customers, "first_paid", "Z")
    )
    assert any("all paid subscriptions ended" in note for note in imported.notes)


def test_as_of_sees_the_export_as_it_was(small):
    result = runner.invoke(app, ["import", str(small), "--as-of", "2024-02-15", "--json", "-"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["as_of"] == "2024-02-15" and data["as_of_from"] == "--as-of"
    assert data["counts"]["started_after_as_of"] == 2, "S2 and S5 start later"
    assert data["counts"]["ended_after_as_of"] == 1, "S4 ends later: running then"
    assert data["counts"]["churn_events_after_as_of"] == 2
    summary = data["summary"]
    assert summary["churned"] == 0, "B's churn comes later"
    assert summary["arr_usd"] == 1000 + 2000 + 1200 + 3000
    imported = load_subscriptions(small, as_of=date(2024, 2, 15))
    assert "D" in imported.customers.account_id.tolist()
    full = load_subscriptions(small, as_of=date(2024, 12, 31)).customers
    seen = full.as_seen_on("2024-02-15")
    assert np.array_equal(seen.arr_on("2024-02-15"), full.arr_on("2024-02-15"))
    assert not seen.churned.any()


def test_months_before_keeps_the_day_or_the_end_of_a_short_month():
    assert str(months_before(np.datetime64("2024-12-31"), 12)) == "2023-12-31"
    assert str(months_before(np.datetime64("2024-02-29"), 12)) == "2023-02-28"
    assert str(months_before(np.datetime64("2024-03-31"), 1)) == "2024-02-29"


BAD = """\
subscription_id,account_id,start_date,end_date,arr_amount,is_trial
S1,A,2024-01-01,,1000,false
S2,,2024-01-01,,1000,false
S3,A,soon,,1000,false
S4,A,2024-03-01,2024-02-01,1000,false
S5,A,2024-01-01,,lots,false
S6,A,2024-01-01,,-5,false
S7,A,2024-01-01,,,false
S8,A,2024-01-01,,100,maybe
S1,A,2024-01-01,,1000,false
S9,A,,,1000,false
"""


def test_unreadable_rows_are_left_out_and_counted(tmp_path):
    imported = load_subscriptions(write(tmp_path, "subscriptions.csv", BAD))
    assert imported.conflicts.counts == {
        "no_account": 1,
        "no_date": 1,
        "unreadable_date": 1,
        "end_before_start": 1,
        "no_amount": 1,
        "unreadable_amount": 1,
        "negative_amount": 1,
        "unreadable_flag": 1,
        "repeated_id": 1,
    }
    examples = imported.conflicts.examples
    assert examples["unreadable_date"] == [
        "subscriptions.csv line 4: subscription_id=S3, account_id=A, start_date=soon, "
        "end_date=(blank)"
    ]
    assert "arr_amount=-5" in examples["negative_amount"][0]
    assert imported.counts["paid_subscriptions"] == 1
    result = runner.invoke(app, ["import", str(tmp_path / "subscriptions.csv")])
    assert result.exit_code == 0, result.output
    assert "9 rows left out or files disagreeing" in result.output
    assert "a negative amount: left out" in result.output


def test_a_missing_column_exits_2_with_the_map_that_fixes_it(tmp_path):
    path = write(
        tmp_path,
        "subscriptions.csv",
        "account_id,Began,end_date,Annual Value\nA,2024-01-01,,1200\n",
    )
    with pytest.raises(ExportError, match="missing the start_date column"):
        load_subscriptions(path)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "--map start_date=COLUMN --map arr=COLUMN" in result.stderr
    assert "looked for 'arr_amount', 'arr', 'mrr_amount', 'mrr'" in result.stderr
    fixed = runner.invoke(
        app, ["import", str(path), "--map", "start_date=Began", "--map", "arr=annual value"]
    )
    assert fixed.exit_code == 0, fixed.output
    assert "1 customers of 1 accounts, ARR $1.2k" in fixed.output


@pytest.mark.parametrize(
    ("arguments", "words"),
    [
        (["--accounts", "nope.csv"], "--accounts nope.csv: no such file"),
        (["--churn-events", "nope.csv"], "--churn-events nope.csv: no such file"),
        (["--start", "2024-01-01"], "--start applies to salesim's deals table"),
        (["--map", "arr=Nope"], "--map arr=Nope: no column 'Nope'"),
        (["--map", "signup_date=Joined"], "(no such file was read)"),
        (["--map", "opened=x"], "unknown field 'opened'"),
        (["--as-of", "someday"], "--as-of 'someday': not a date"),
        (["--as-of", "2020-01-01"], "no account in"),
    ],
)
def test_command_line_mistakes_exit_2(tmp_path, arguments, words):
    write(tmp_path, "subscriptions.csv", "account_id,start_date,end_date,arr\nA,2024-01-01,,12\n")
    result = runner.invoke(app, ["import", str(tmp_path), *arguments])
    assert result.exit_code == 2 and words in result.stderr, result.stderr


def test_missing_files_and_folders_exit_2(tmp_path):
    result = runner.invoke(app, ["import", str(tmp_path / "missing.csv")])
    assert result.exit_code == 2 and "cannot read the file" in result.stderr
    result = runner.invoke(app, ["import", str(tmp_path)])
    assert result.exit_code == 2 and "no subscriptions file in the folder" in result.stderr
    opportunities = write(
        tmp_path, "report.csv", "Opportunity ID,Stage,Created Date,Close Date\nA,Closed Won,"
        "3/1/2017,3/15/2017\n"
    )  # fmt: skip
    result = runner.invoke(app, ["import", str(opportunities), "--accounts", str(opportunities)])
    assert result.exit_code == 2 and "--accounts applies to a subscription export" in result.stderr
    assert runner.invoke(app, ["import", str(opportunities)]).exit_code == 0, "still read"
