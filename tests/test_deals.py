"""The deals table (`salesim run --deals`, issue 12): one row per lead, like a CRM opportunity
export, agreeing with the summary metrics of the same replication; written only when asked for,
and resumed like the summary."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow.compute as pc
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.metrics.deals import SCHEMA, UNANSWERED
from simulator.runs.experiment import Plan, run_experiment, run_study
from simulator.runs.store import DEALS, RunFolder, RunState, read_deals, read_summary
from tests.conftest import bundled

SEED = 3
REPLICATIONS = 4
OVERRIDES = ("market.accounts=300", "horizon_months=9")
runner = CliRunner()


@pytest.fixture(scope="module")
def experiment():
    scenario = bundled("death-spiral", *OVERRIDES)
    return run_experiment(scenario, REPLICATIONS, SEED, workers=1, deals=True)


def test_types_and_nulls(experiment):
    deals = experiment.deals
    assert deals.schema == SCHEMA
    frame = deals.to_pandas()
    called = frame["hunter"].notna()
    assert (frame["first_call_hours"].notna() == called).all()
    assert (frame["stage_reached"].notna() == called).all()
    assert (frame["outcome"].isna() == frame["closed_day"].isna()).all()
    assert (frame.loc[~called & frame["outcome"].notna(), "outcome"] == UNANSWERED).all()
    won = frame[frame["outcome"] == "won"]
    assert won["acv_usd"].gt(0).all() and won["sponsor"].notna().all()
    assert (won["stage_reached"] == "proposal").all()
    discovered = frame["committee_size"].notna()
    assert frame.loc[discovered, "met_share"].between(0, 1).all()
    assert (frame.loc[discovered, "committee_size"] >= 1).all()
    assert (frame.loc[frame["sponsor"].notna(), "committee_size"].notna()).all()
    assert set(frame["source"]) <= {"inbound", "direct", "outbound"}
    assert frame["pitched_feature"].notna().any(), "the vaporware variant pitches"
    closed = frame["closed_day"].notna()
    assert (frame.loc[closed, "closed_day"] >= frame.loc[closed, "created_day"]).all()


def test_counts_agree_with_the_summary(experiment):
    frame = experiment.deals.to_pandas()
    summary = experiment.summary.to_pandas()
    assert len(summary) == REPLICATIONS * len(set(summary["variant"]))
    for _, row in summary.iterrows():
        deals = frame[
            (frame["variant"] == row["variant"]) & (frame["replication"] == row["replication"])
        ]
        outcome = deals["outcome"]
        assert len(deals) == row["leads_total"]
        assert deals["deal_id"].is_unique
        assert deals["hunter"].notna().sum() == row["opportunities"]
        assert (outcome == UNANSWERED).sum() == row["leads_unanswered"]
        for name in (
            "won",
            "lost_competitor",
            "lost_household_brand",
            "lost_no_decision",
            "disqualified",
            "stalled",
        ):
            assert (outcome == name).sum() == row[name], name
        assert (outcome.isna() & deals["hunter"].notna()).sum() == row["open_at_horizon"]
        assert deals["sponsor"].notna().sum() == row["qualified"]
        sponsorless_won = (outcome == "won") & (deals["sponsor"] == False)  # noqa: E712
        assert sponsorless_won.sum() == row["sponsorless_won"]
        for source in ("inbound", "direct", "outbound"):
            assert (deals["source"] == source).sum() == row[f"leads_{source}"]


def test_not_asked_for_no_deals():
    scenario = bundled("baseline", *OVERRIDES)
    assert run_experiment(scenario, 1, SEED).deals is None


def cli_run(out: Path, *extra: str):
    args = ["run", "qualification", "-n", str(REPLICATIONS), "--seed", str(SEED)]
    args += ["--workers", "1", "--out", str(out)]
    for override in OVERRIDES:
        args += ["--set", override]
    result = runner.invoke(app, [*args, *extra])
    assert result.exit_code == 0, result.output
    (folder,) = (p for p in out.iterdir() if not p.name.startswith("."))
    return folder


@pytest.fixture(scope="module")
def with_deals(tmp_path_factory) -> Path:
    return cli_run(tmp_path_factory.mktemp("deals"), "--deals")


def test_the_run_folder_holds_the_deals_only_with_the_option(with_deals, tmp_path):
    deals = read_deals(with_deals)
    assert deals.schema == SCHEMA
    summary = read_summary(with_deals)
    assert deals.num_rows == pc.sum(summary["leads_total"]).as_py()
    won = pc.sum(pc.equal(deals["outcome"], "won")).as_py()
    assert won == pc.sum(summary["won"]).as_py()
    assert not (cli_run(tmp_path) / DEALS).exists()


class Interrupting:
    """A sink that stores a few chunks in the run folder, then stops the run like Ctrl-C."""

    def __init__(self, folder: RunFolder, chunks: int) -> None:
        self.folder, self.left = folder, chunks

    def stored(self, controls):
        return self.folder.stored(controls)

    def drop_from(self, replication: int) -> None:
        self.folder.drop_from(replication)

    def store(self, tables) -> None:
        self.folder.store(tables)
        self.left -= 1
        if self.left == 0:
            raise KeyboardInterrupt


def test_a_resumed_run_writes_the_same_deals(with_deals, tmp_path):
    scenario = bundled("qualification", *OVERRIDES)
    resolved = json.loads(json.dumps(scenario.resolved(), default=str))
    plan = Plan.fixed(REPLICATIONS, workers=1)
    state = RunState(resolved, SEED, plan, list(OVERRIDES), "", deals=True)
    folder = RunFolder.create(tmp_path, "interrupted", state)
    with pytest.raises(KeyboardInterrupt):
        run_study(scenario, plan, SEED, Interrupting(folder, 3), deals=True)
    resumed = cli_run(tmp_path, "--resume", str(folder.final))
    keys = ["variant", "replication", "deal_id"]
    whole = read_deals(with_deals).to_pandas().sort_values(keys, ignore_index=True)
    again = read_deals(resumed).to_pandas().sort_values(keys, ignore_index=True)
    pd.testing.assert_frame_equal(whole, again)
