"""Starting from today's pipeline (issue 13, part 3): a scenario with ``start.from_crm`` begins
with the Maven export's open deals as of 2017-09-30, owned by its active owners, their recent
bookings counting toward quota; compared with a cold start of the same team (paired by seed)."""

from __future__ import annotations

import math
import shutil
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import simpy
import yaml
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.crm.load import load_export
from simulator.metrics.deals import deals_table
from simulator.model.distributions import LogNormal
from simulator.model.entities import ENTERPRISE, MID_MARKET, SMB
from simulator.model.events import Kind, Outcome, Source
from simulator.model.processes.market import Market
from simulator.model.processes.resume import place_closed, place_deals, remaining_days
from simulator.parameters import STAGES
from simulator.runs.aggregate import mean_interval, paired_difference, welch_difference
from simulator.runs.experiment import replication_log
from simulator.scenario import start_state
from simulator.scenario.resolve import load_scenario
from simulator.units import DAYS_PER_MONTH

MAVEN = Path(__file__).resolve().parent / "data" / "crm-maven" / "sales_pipeline.csv"
AS_OF = date(2017, 9, 30)
DAY0 = np.datetime64("2017-10-01", "D")
HORIZON_MONTHS = 9
REPLICATIONS = 10
SEED = 5
TRAILING_MONTHS = 6.0  # the default quota window
QUALIFICATION, EVALUATION, PROPOSAL = (STAGES.index(s) for s in STAGES[1:])
runner = CliRunner()


def rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(seed)


# A market big enough for the export's 2,409 open deals, small businesses for its small deals,
# and sales engineers enough for a pipeline of this size (the defaults' three would queue it).
WORLD = {
    "name": "maven-today",
    "description": "the Maven team from its pipeline on 2017-09-30",
    "horizon_months": HORIZON_MONTHS,
    "market": {"accounts": 10_000, "smb_share": 0.6, "enterprise_share": 0.1},
    "team": {"sales_engineers": 60},
}


def write_scenario(folder: Path, name: str, raw: dict) -> Path:
    path = folder / name
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scenario folder with the export beside it, named relative to the scenario."""
    folder = tmp_path_factory.mktemp("today")
    (folder / "crm").mkdir()
    shutil.copy(MAVEN, folder / "crm" / "pipeline.csv")
    start = {"from_crm": "crm/pipeline.csv", "as_of": AS_OF.isoformat()}
    write_scenario(folder, "today.yaml", {**WORLD, "start": start})
    cold_team = {**WORLD["team"], "hunters": 30}
    write_scenario(folder, "cold.yaml", {**WORLD, "team": cold_team})
    return folder


@pytest.fixture(scope="module")
def runs(folder: Path) -> dict:
    """Paired replications (same seeds) of the start from today and of a cold start."""
    today = load_scenario(folder / "today.yaml").variants[0].parameters
    cold = load_scenario(folder / "cold.yaml").variants[0].parameters
    return {
        "parameters": today,
        "today": [replication_log(today, HORIZON_MONTHS, SEED, i) for i in range(REPLICATIONS)],
        "cold": [replication_log(cold, HORIZON_MONTHS, SEED, i) for i in range(REPLICATIONS)],
    }


@pytest.fixture(scope="module")
def export() -> dict:
    """What the export itself says as of 2017-09-30, read here independently of the model."""
    deals = load_export(MAVEN, as_of=AS_OF).deals
    open_owners = Counter(deals.owner[deals.open].tolist())
    recent = deals.created > np.datetime64(AS_OF) - np.timedelta64(182, "D")
    active = sorted(set(open_owners) | set(deals.owner[recent].tolist()))
    return {"deals": deals, "open_owners": open_owners, "active": active}


def start_leads(log: np.ndarray) -> np.ndarray:
    leads = log[log["kind"] == Kind.LEAD]
    return leads[leads["code"] == Source.OPEN_AT_START]


def monthly_won(log: np.ndarray, from_start: bool) -> np.ndarray:
    """ACV won per month, from today's open deals or from new pipeline."""
    won = log[(log["kind"] == Kind.CLOSED) & (log["code"] == Outcome.WON)]
    started = np.isin(won["subject"], start_leads(log)["subject"]) == from_start
    month = (won["day"][started] // DAYS_PER_MONTH).astype(np.int64)
    return np.bincount(month, won["value"][started], minlength=HORIZON_MONTHS)


def test_day0_opens_every_open_deal_with_its_owner(runs: dict, export: dict) -> None:
    expected = export["open_owners"]
    log = runs["today"][0]
    leads = start_leads(log)
    assert leads.size == sum(expected.values()) == 2409
    assert np.array_equal(leads["subject"], np.arange(leads.size))  # before any other lead
    assert np.all(leads["day"] == 0.0)
    assert len(set(leads["account"].tolist())) == leads.size  # an account each
    opened = log[(log["kind"] == Kind.OPENED) & (log["code"] == Source.OPEN_AT_START)]
    assert np.all(opened["day"] == 0.0)
    owners = export["active"]  # hunter i is the i-th active owner by name
    assert Counter(owners[h] for h in opened["actor"].tolist()) == expected
    table = deals_table(log, "today", 0)
    assert table.column("source").to_pylist().count("open_at_start") == leads.size


def test_the_hunters_are_the_active_owners(runs: dict, export: dict) -> None:
    assert runs["parameters"].team.hunters == len(export["active"]) == 30
    for log in runs["today"]:
        hired = log[(log["kind"] == Kind.HUNTER_HIRED) & (log["day"] == 0.0)]
        assert sorted(hired["actor"].tolist()) == list(range(30))


def test_month1_bookings_are_far_above_a_cold_start(runs: dict) -> None:
    today = np.array([monthly_won(log, True) + monthly_won(log, False) for log in runs["today"]])
    cold = np.array([monthly_won(log, True) + monthly_won(log, False) for log in runs["cold"]])
    difference = paired_difference(today[:, 0], cold[:, 0])
    _, _, cold_high = mean_interval(cold[:, 0])
    print(
        f"\nmonth-1 bookings: today ${today[:, 0].mean():,.0f}, cold ${cold[:, 0].mean():,.0f}, "
        f"difference ${difference.mean:,.0f} [{difference.low:,.0f}, {difference.high:,.0f}]"
    )
    assert difference.low > 10 * cold_high


def test_bookings_come_from_the_open_pipeline_first_then_from_new(runs: dict) -> None:
    old = np.array([monthly_won(log, True) for log in runs["today"]])
    new = np.array([monthly_won(log, False) for log in runs["today"]])
    first = old[:, 0] / (old[:, 0] + new[:, 0])
    last = old[:, -3:].sum(axis=1) / (old[:, -3:] + new[:, -3:]).sum(axis=1)
    first_mean, first_low, _ = mean_interval(first)
    last_mean, _, last_high = mean_interval(last)
    print(f"\nshare from today's deals: month 1 {first_mean:.3f}, months 7-9 {last_mean:.3f}")
    assert first_low > 0.95
    assert last_high < 0.5


def test_deals_at_later_stages_close_sooner(runs: dict) -> None:
    means: dict[int, list[float]] = {QUALIFICATION: [], EVALUATION: [], PROPOSAL: []}
    for i, log in enumerate(runs["today"]):
        n = start_leads(log).size
        stages = log[(log["kind"] == Kind.STAGE) & (log["day"] == 0.0) & (log["subject"] < n)]
        stage = np.full(n, -1)
        np.maximum.at(stage, stages["subject"], stages["code"])  # the stage it starts in
        closed = deals_table(log, "today", i).column("closed_day").to_numpy(zero_copy_only=False)
        closed = closed[:n].astype(float)
        assert np.mean(np.isfinite(closed)) > 0.98  # nearly all close within the horizon
        for s, values in means.items():
            values.append(float(np.nanmean(closed[stage == s])))
    qualification, evaluation, proposal = (np.array(means[s]) for s in means)
    print(
        f"\nmean close day by start stage: qualification {qualification.mean():.1f}, "
        f"evaluation {evaluation.mean():.1f}, proposal {proposal.mean():.1f}"
    )
    assert paired_difference(evaluation, qualification).high < 0
    assert paired_difference(proposal, evaluation).high < 0


def test_quota_reviews_start_in_month_1_and_count_bookings_before(runs: dict, export: dict) -> None:
    deals = export["deals"]
    quota = runs["parameters"].team.quota.usd_per_month
    since = DAY0 + np.timedelta64(math.ceil((1 - TRAILING_MONTHS) * DAYS_PER_MONTH), "D")
    won = deals.won & (deals.closed >= since)
    before = Counter()
    for owner, acv in zip(deals.owner[won].tolist(), deals.acv_usd[won].tolist(), strict=True):
        before[owner] += acv
    floor = {h: before[o] / (quota * TRAILING_MONTHS) for h, o in enumerate(export["active"])}
    assert sum(f > 0.5 for f in floor.values()) >= 10  # the bound says something
    for today, cold in zip(runs["today"], runs["cold"], strict=True):
        reviews = today[(today["kind"] == Kind.QUOTA_REVIEW) & (today["day"] <= DAYS_PER_MONTH)]
        assert reviews.size >= 25  # the hunters still there (a few leave in the first weeks)
        attainments = zip(reviews["actor"].tolist(), reviews["value"].tolist(), strict=True)
        for hunter, attainment in attainments:
            assert attainment >= floor[hunter] - 1e-9
        cold_reviews = cold[cold["kind"] == Kind.QUOTA_REVIEW]
        assert cold_reviews.size == 0 or cold_reviews["day"].min() > 8 * DAYS_PER_MONTH


def test_hunters_over_capacity_take_no_new_lead(runs: dict) -> None:
    capacity = runs["parameters"].team.hunter_capacity_opportunities
    for log in runs["today"]:
        kind = log["kind"]
        opened, closed = log[kind == Kind.OPENED], log[kind == Kind.CLOSED]
        new = opened[opened["code"] != Source.OPEN_AT_START]
        for day, hunter in zip(new["day"].tolist(), new["actor"].tolist(), strict=True):
            held = np.count_nonzero((opened["actor"] == hunter) & (opened["day"] < day))
            held -= np.count_nonzero((closed["actor"] == hunter) & (closed["day"] <= day))
            assert held < capacity


def test_same_seed_same_log_and_the_export_is_parsed_once(
    runs: dict, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[Path] = []
    real = start_state.load_export

    def counted(*args: object, **kwargs: object) -> object:
        calls.append(Path(str(args[0])))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(start_state, "load_export", counted)
    start_state.parsed_export.cache_clear()
    start_state._state.cache_clear()
    parameters = runs["parameters"]
    again = [replication_log(parameters, HORIZON_MONTHS, SEED, i) for i in range(2)]
    assert len(calls) == 1
    for i, log in enumerate(again):
        assert np.array_equal(log, runs["today"][i])


def test_remaining_days_is_the_duration_given_it_lasted() -> None:
    """The current stage's time left: its lognormal duration given it exceeds the time spent
    (quantile transform of the deal's own normal), against rejection sampling."""
    rng = np.random.default_rng(3)
    mean, cv, lasted = 12.0, 0.5, 20.0
    sigma = LogNormal(mean, cv).sigma
    z = rng.standard_normal(20_000)
    transformed = lasted + np.array([remaining_days(mean, sigma, x, lasted) for x in z])
    draws = LogNormal(mean, cv).sample(rng, 2_000_000)
    kept = draws[draws > lasted][:20_000]
    difference = welch_difference(transformed, kept)
    assert difference.low < 0 < difference.high
    assert remaining_days(mean, sigma, 0.3, 1e-9) == pytest.approx(
        LogNormal(mean, cv).from_normal(0.3), rel=1e-6
    )
    for far_past in (400.0, 1e5):  # far past its time: a remainder short next to the age
        assert 0 < remaining_days(mean, sigma, 0.0, far_past) < 0.1 * far_past


def test_validate_resolves_the_export_and_names_bad_fields(folder: Path) -> None:
    valid = runner.invoke(app, ["validate", str(folder / "today.yaml")])
    assert valid.exit_code == 0, valid.output
    default = write_scenario(folder, "latest.yaml", {**WORLD, "start": {"from_crm": MAVEN.name}})
    shutil.copy(MAVEN, folder / MAVEN.name)
    assert load_scenario(default).variants[0].parameters.start.as_of == date(2017, 12, 31)

    (folder / "garbage.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    cases = {
        "missing.yaml": ({"from_crm": "crm/nowhere.csv"}, "start.from_crm", "no such file"),
        "garbage.yaml": ({"from_crm": "garbage.csv"}, "start.from_crm", "garbage.csv"),
        "early.yaml": (
            {"from_crm": "crm/pipeline.csv", "as_of": "2010-01-01"},
            "start.as_of",
            "2016-10-20",
        ),
    }
    for name, (start, field, words) in cases.items():
        path = write_scenario(folder, name, {**WORLD, "start": start})
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 2, result.output
        assert field in result.output and words in result.output, result.output
        assert "Traceback" not in result.output


SALESFORCE = """\
"Opportunity Owner","Account Name","Stage","Amount","Created Date","Close Date","Opportunity ID"
"Ann Lee","Acme","Needs Analysis","30000","9/1/2017","11/30/2017","A2"
"Ann Lee","Beta","Proposal/Price Quote","100000","8/1/2017","10/31/2017","A1"
"Bo Chan","Gamma","Closed Won","12000","7/1/2017","9/15/2017","B1"
"Bo Chan","Delta","Closed Won","5000","9/20/2017","10/15/2017","B2"
"Cy Diaz","Eta","Closed Lost","7000","12/1/2015","1/1/2016","C1"
"""


def test_a_small_export_gives_stages_owners_bookings_and_placements(tmp_path: Path) -> None:
    """Named stages map to salesim's; a deal closed after ``as_of`` is placed by its age; an
    owner with nothing recent is no hunter; a win before ``as_of`` is a booking before day 0;
    each deal gets an account of the segment nearest its ACV."""
    path = tmp_path / "report.csv"
    path.write_text(SALESFORCE, encoding="utf-8")
    market = {"accounts": 200, "smb_share": 0.3}
    raw = {**WORLD, "market": market, "start": {"from_crm": str(path)}}
    parameters = load_scenario(write_scenario(tmp_path, "small.yaml", raw)).variants[0].parameters
    assert parameters.start.as_of == date(2017, 10, 15)  # the latest date: B2's close (an open
    # deal's close date is an expected one, not a date the export has seen)
    parameters = parameters.model_copy(
        update={"start": parameters.start.model_copy(update={"as_of": AS_OF})}
    )
    state = start_state.start_state(parameters)
    assert state is not None
    assert state.owners == ("Ann Lee", "Bo Chan")
    assert state.deal_id == ("A1", "A2", "B2")  # by creation day
    assert state.deal_stage.tolist() == [PROPOSAL, EVALUATION, start_state.UNKNOWN_STAGE]
    assert state.deal_age_days.tolist() == [60.0, 29.0, 10.0]
    assert state.booking_owner.tolist() == [1] and state.booking_day.tolist() == [-16.0]
    assert state.history_start_day == -(date(2017, 10, 1) - date(2015, 12, 1)).days

    market = Market(simpy.Environment(), parameters.market, parameters.product, rng(1))
    accounts, stages = place_deals(state, market.accounts, parameters.market, rng(2))
    segments = [market.accounts.segment[a] for a in accounts]
    assert len(set(accounts)) == 3
    assert segments == [ENTERPRISE, MID_MARKET, SMB]  # $100k, $30k, $5k
    assert stages == [PROPOSAL, EVALUATION, EVALUATION]  # SMB cumulative days 2, 6, 16, 21

    # The closed deals as of 2017-09-30 (B2 closes later): C1 lost on 2016-01-01, B1 won.
    assert state.closed_won.tolist() == [False, True]
    assert state.closed_day.tolist() == [-(date(2017, 10, 1) - date(2016, 1, 1)).days, -16.0]
    free = market.available()
    free[accounts] = False
    closed, kept = place_closed(state, market.accounts, parameters.market, free, rng(3), 0)
    assert kept.tolist() == [1] and closed[0] not in accounts  # C1's cool-down is long over
    market.closed_before_start(closed[0], True, -16.0)
    assert market.available().sum() == len(market.accounts) - 1  # B1's account is a customer
    closed, kept = place_closed(state, market.accounts, parameters.market, free, rng(3), 1)
    assert kept.tolist() == []  # B1 is the one customer carried over: it holds an account
