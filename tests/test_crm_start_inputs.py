"""No silent no-ops on a CRM start (issue 21, part 1): every input a decision command varies by
default moves the results of a scenario that starts from a CRM export, or the scenario is
refused with the reason; the export's owners are the team on day 0 and ``team.hunters`` the
headcount to reach; a hiring plan adds hunters in any scenario.

The property test runs each input of ``parameters/ranges.py`` at the two ends of its default
range around the scenario's own value, paired on common random numbers. An input the model
ignores gives the same replication at both ends, so every difference is exactly zero: no
metric can cross its interval by chance, and a metric whose paired 95% interval excludes 0 is
proof that the input reached the model. Weak inputs get more replications (10, then 40, then
160) before the test gives up on them.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import pytest
import yaml
from scipy import stats
from typer.testing import CliRunner

from simulator.calibrate.simulate import simulated_export
from simulator.cli.app import app
from simulator.crm.salesforce import write_salesforce
from simulator.decide.settings import default_range, with_settings
from simulator.metrics.measure import summarise
from simulator.model.events import ExitReason, Kind
from simulator.parameters import Parameters
from simulator.parameters.ranges import DEFAULT_RANGES
from simulator.runs.experiment import replication_log
from simulator.scenario.resolve import load_scenario
from simulator.scenario.start_state import NOT_ON_CRM_START
from simulator.units import DAYS_PER_MONTH

HORIZON_MONTHS = 24
SEED = 11
REPLICATIONS = (10, 40, 160)
WORKERS = 2
OWNERS = 8
runner = CliRunner()

# A company that sells the roadmap (so the roadmap's and the entrants' inputs have deals to
# act on) with little spare capacity (so lead patience binds), started from its own export.
COMPANY = {
    "name": "exported company",
    "description": "starts from its CRM export",
    "horizon_months": HORIZON_MONTHS,
    "market": {"accounts": 3000},
    "strategy": {"pitch": "vaporware"},
    "team": {"hunter_capacity_opportunities": 6},
    "start": {"from_crm": "export.csv"},
}


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A simulated company's year of deals as a Salesforce report, and a scenario from it."""
    folder = tmp_path_factory.mktemp("company")
    history = Parameters.model_validate(
        {"start": {"date": "2023-01-01"}, "team": {"hunters": OWNERS}, "market": {"accounts": 3000}}
    )
    deals = simulated_export(history, 12, 3, 0, dt.date(2023, 12, 31))
    write_salesforce(deals, folder / "export.csv")
    (folder / "company.yaml").write_text(yaml.safe_dump(COMPANY), encoding="utf-8")
    return folder


def scenario_file(folder: Path, name: str, changes: dict) -> Path:
    raw = yaml.safe_load((folder / "company.yaml").read_text())
    for section, values in changes.items():
        raw[section] = {**raw.get(section, {}), **values}
    path = folder / name
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def summary(parameters: Parameters, replication: int) -> dict[str, float]:
    log = replication_log(parameters, HORIZON_MONTHS, SEED, replication)
    return summarise(log, HORIZON_MONTHS * DAYS_PER_MONTH, parameters)


@pytest.fixture(scope="module")
def pool() -> Iterator[ProcessPoolExecutor]:
    """Two workers: the replications of a pair of settings are independent of each other."""
    with ProcessPoolExecutor(WORKERS) as executor:
        yield executor


def summaries(
    pool: ProcessPoolExecutor, parameters: Parameters, replications: int
) -> list[dict[str, float]]:
    return list(pool.map(summary, [parameters] * replications, range(replications)))


FROM_PARAMETERS = {
    "sponsorless_hunter_days", "new_arr_margin", "payback_months", "ltv_cac", "aware_share_end"
}  # fmt: skip
"""Summary metrics that divide or scale by a parameter (capacity, gross margin, accounts): an
input could move them without reaching the model, so they are not evidence that it did."""


def moved_metrics(low: list[dict], high: list[dict]) -> list[str]:
    """Outcome metrics whose paired 95% interval (high - low) excludes 0."""
    moved = []
    for name in (n for n in low[0] if n not in FROM_PARAMETERS):
        diff = np.array([h[name] - lo[name] for lo, h in zip(low, high, strict=True)], float)
        diff = diff[np.isfinite(diff)]
        if diff.size < 3 or not diff.any():
            continue
        half = stats.t.ppf(0.975, diff.size - 1) * diff.std(ddof=1) / math.sqrt(diff.size)
        if abs(diff.mean()) > half:
            moved.append(name)
    return moved


@pytest.mark.parametrize("path", list(DEFAULT_RANGES))
def test_every_ranged_input_moves_a_crm_started_scenario(
    folder: Path, pool: ProcessPoolExecutor, path: str
) -> None:
    base = load_scenario(folder / "company.yaml").variants[0].parameters
    low, high = default_range(base, path, "--vary")
    ends = [with_settings(base, HORIZON_MONTHS, {path: value}) for value in (low, high)]
    for replications in REPLICATIONS:
        moved = moved_metrics(*(summaries(pool, p, replications) for p in ends))
        if moved:
            return
    pytest.fail(f"{path} from {low:g} to {high:g} moved no summary metric on a CRM start")


@pytest.mark.parametrize("path", list(NOT_ON_CRM_START))
def test_an_input_a_crm_start_replaces_is_refused_with_why(folder: Path, path: str) -> None:
    swept = runner.invoke(app, ["sweep", str(folder / "company.yaml"), "--vary", f"{path}=2,7"])
    assert swept.exit_code == 2, swept.output
    assert path in swept.output and "does not apply with start.from_crm" in swept.output
    section, *rest = path.split(".")
    changes = {section: {rest[0]: 5.0} if len(rest) == 1 else {rest[0]: {rest[1]: 5.0}}}
    given = runner.invoke(app, ["validate", str(scenario_file(folder, "given.yaml", changes))])
    assert given.exit_code == 2 and NOT_ON_CRM_START[path] in given.output, given.output


def test_the_owners_are_the_team_unless_the_scenario_sets_a_headcount(folder: Path) -> None:
    """Left out, team.hunters is the export's active owners; given, more are hired after the
    hiring delay (ramping up) or the least recently active leave at the end of month 1, their
    open deals orphaned and their seats not refilled."""
    same = load_scenario(folder / "company.yaml").variants[0].parameters
    assert same.team.hunters == OWNERS
    delay = same.team.quota.hiring_delay_months * DAYS_PER_MONTH
    for target in (OWNERS + 3, OWNERS - 3):
        path = scenario_file(folder, f"to-{target}.yaml", {"team": {"hunters": target}})
        parameters = load_scenario(path).variants[0].parameters
        assert parameters.team.hunters == target
        log = replication_log(parameters, HORIZON_MONTHS, SEED, 0)
        kind = log["kind"]
        hired = log[kind == Kind.HUNTER_HIRED]
        left = log[kind == Kind.HUNTER_LEFT]
        seats = log[kind == Kind.SEATS]
        if target > OWNERS:
            joined = hired["day"][hired["day"] > 0]
            assert np.count_nonzero(np.isclose(joined, delay)) == 3
            assert seats["value"].tolist()[:2] == [OWNERS, target]
        else:
            cut = left[left["code"] == ExitReason.REDUCED]
            assert cut.size == 3 and np.allclose(cut["day"], DAYS_PER_MONTH)
            orphaned = log[(kind == Kind.ORPHANED) & np.isin(log["actor"], cut["actor"])]
            assert orphaned.size > 0  # they held open deals, which lose the relationship
            quit_or_plan = left["day"][left["code"] != ExitReason.REDUCED]
            refilled = np.count_nonzero(quit_or_plan + delay < HORIZON_MONTHS * DAYS_PER_MONTH)
            assert np.count_nonzero(hired["day"] > 0) == refilled  # the cut seats stay empty
            assert seats["value"].tolist()[:2] == [OWNERS, target]
            row = summarise(log, HORIZON_MONTHS * DAYS_PER_MONTH, parameters)
            assert row["hunter_attrition"] == quit_or_plan.size  # a cut is not attrition


def test_more_hunters_on_a_crm_start_book_more(folder: Path) -> None:
    """The VP's what-if: the same company with more hunters books more (it used to be the same
    number, the owners' count silently replacing the input)."""
    path = folder / "company.yaml"
    result = runner.invoke(
        app,
        ["sweep", str(path), "--vary", f"team.hunters={OWNERS},{OWNERS * 2}", "-n", "6",
         "--metrics", "won", "--workers", "1", "--out", str(folder / "results"), "--json", "-"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    table = yaml.safe_load(result.stdout)["table"]
    more = next(row for row in table if row["value"] == OWNERS * 2)
    assert more["difference"]["low"] > 0  # paired 95% interval of the gain above 0


def test_a_hiring_plan_adds_hunters_in_its_months_in_any_scenario() -> None:
    """Five hunters in month 3 join on its first day and ramp up; the turnover rate counts
    their seats from then, so it is not inflated by the larger team."""
    plain = load_scenario("scenarios/baseline.yaml").variants[0].parameters
    hires = "team.hires=[{month: 3, count: 5}]"
    planned = load_scenario("scenarios/baseline.yaml", [hires]).variants[0].parameters
    log = replication_log(planned, 12, SEED, 0)
    kind = log["kind"]
    hired = log[kind == Kind.HUNTER_HIRED]
    assert np.count_nonzero(np.isclose(hired["day"], 2 * DAYS_PER_MONTH)) == 5
    seats = log[kind == Kind.SEATS]
    assert seats["value"].tolist() == [plain.team.hunters, plain.team.hunters + 5]
    row = summarise(log, 12 * DAYS_PER_MONTH, planned)
    seat_years = (plain.team.hunters * 12 + 5 * 10) / 12
    assert math.isclose(row["hunter_turnover_rate"], row["hunter_attrition"] / seat_years)


def test_a_hire_after_the_horizon_is_refused(folder: Path) -> None:
    late = scenario_file(folder, "late.yaml", {"team": {"hires": [{"month": 30, "count": 2}]}})
    result = runner.invoke(app, ["validate", str(late)])
    assert result.exit_code == 2
    assert "team.hires[0].month: given 30; allowed: a month of the horizon, 1 to 24" in (
        result.output
    )


def test_default_ranges_are_searched_around_the_scenario(folder: Path) -> None:
    """A 30-rep company is searched around 30, not 3-12; a value inside the documented range
    keeps it."""
    thirty = load_scenario(folder / "company.yaml", ["team.hunters=30"]).variants[0].parameters
    assert default_range(thirty, "team.hunters", "--find") == (15.0, 60.0)
    assert default_range(thirty, "team.sales_engineers", "--find") == (1.0, 6.0)
    rich = thirty.model_copy(
        update={"team": thirty.team.model_copy(update={"lead_response_hours_mean": 48.0})}
    )
    low, high = default_range(rich, "team.lead_response_hours_mean", "--find")
    assert low < 48 < high


def test_a_mechanism_turned_off_keeps_the_documented_range(folder: Path) -> None:
    """A value of 0 has no scale to move the range to: ramp 0 is searched over 2-8 months."""
    off = load_scenario(folder / "company.yaml", ["team.ramp_months=0"]).variants[0].parameters
    assert default_range(off, "team.ramp_months", "--vary") == (2.0, 8.0)
    result = runner.invoke(
        app, ["sweep", str(folder / "company.yaml"), "--set", "team.ramp_months=0", "--vary",
              "team.ramp_months", "-n", "2", "--workers", "1", "--out", str(folder / "r0")],
    )  # fmt: skip
    assert result.exit_code == 0, result.output


def test_the_cut_team_holds_its_headcount_whoever_left_first(folder: Path) -> None:
    """Whatever exits happen before the cut (a surplus owner who quit in month 1 frees their
    seat by not being replaced), once the replacements due from before the cut have come, the
    hunters employed plus the replacements on their way are the seats the team plans for."""
    restless = {"hunters": OWNERS - 3, "turnover": {"base_exits_per_year": 2.0}}
    path = scenario_file(folder, "cut.yaml", {"team": restless})
    parameters = load_scenario(path).variants[0].parameters
    delay = parameters.team.quota.hiring_delay_months * DAYS_PER_MONTH
    settled = DAYS_PER_MONTH + delay  # every replacement asked for by the cut's day has come
    early_exits = 0
    for replication in range(40):
        log = replication_log(parameters, 8, SEED, replication)
        kind = log["kind"]
        left = log[kind == Kind.HUNTER_LEFT]
        early_exits += np.count_nonzero(
            (left["day"] < DAYS_PER_MONTH) & (left["code"] != ExitReason.REDUCED)
        )
        for day in np.arange(settled + 1, 8 * DAYS_PER_MONTH, DAYS_PER_MONTH):
            employed = np.count_nonzero((kind == Kind.HUNTER_HIRED) & (log["day"] <= day))
            employed -= np.count_nonzero(left["day"] <= day)
            replaced = left[(left["code"] != ExitReason.REDUCED) & (left["day"] > DAYS_PER_MONTH)]
            coming = np.count_nonzero((replaced["day"] <= day) & (replaced["day"] + delay > day))
            assert employed + coming == OWNERS - 3, (replication, day)
    assert early_exits > 0  # the case the rule is for did happen
