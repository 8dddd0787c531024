"""Run folders: what `salesim run` writes, that common tools read it, and that it is atomic.

A reader (a notebook, a dashboard) must never see half a run: a run folder either holds all
three files or does not exist, and a failed or interrupted write leaves nothing behind.
"""

from __future__ import annotations

import json

import duckdb
import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

import simulator
import simulator.runs.store as store
from simulator.cli.app import app
from simulator.metrics.measure import MONTHLY_COLUMNS, SUMMARY_COLUMNS
from simulator.parameters import Parameters
from simulator.report import REPORT
from simulator.runs.experiment import Plan, Study, run_experiment, run_study, scenario_controls
from tests.conftest import bundled

runner = CliRunner()

SEED = 11
REPLICATIONS = 3
MONTHS = 6
OVERRIDES = ("market.accounts=300", f"horizon_months={MONTHS}")
SUMMARY_STORED = (  # columns users' notebooks read (README): a published schema that must stay
    "variant",
    "replication",
    "leads_total",
    "qualified",
    "won",
    "lost_competitor",
    "lost_household_brand",
    "lost_no_decision",
    "disqualified",
    "win_rate",
    "cycle_days_won_median",
    "bookings_12m",
    "bookings_24m",
    "bookings_36m",
    "meetings_q1",
    "lead_wait_hours_median",
    "sponsorless_won",
)


@pytest.fixture(scope="module")
def cli_run(tmp_path_factory):
    """One `salesim run` of the four-variant qualification scenario, shared by the tests."""
    out = tmp_path_factory.mktemp("results")
    args = ["run", "qualification", "-n", str(REPLICATIONS), "--seed", str(SEED)]
    args += ["--workers", "1", "--out", str(out)]
    for override in OVERRIDES:
        args += ["--set", override]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    return out, result.output


@pytest.fixture(scope="module")
def run_dir(cli_run):
    """The one folder the run wrote, which must be the path it printed."""
    out, output = cli_run
    (folder,) = out.iterdir()
    assert folder.is_dir()
    # rich folds a line longer than the console, so compare with the line breaks taken out
    assert f"Results: {folder}" in output.replace("\n", ""), output
    return folder


@pytest.fixture(scope="module")
def scenario():
    return bundled("qualification", *OVERRIDES)


def test_run_folder_holds_the_result_files_and_nothing_partial(cli_run, run_dir):
    out, _ = cli_run
    assert sorted(p.name for p in run_dir.iterdir()) == sorted(
        [store.MANIFEST, store.SUMMARY, store.MONTHLY, REPORT]
    )
    assert list(out.iterdir()) == [run_dir], "one run folder and no hidden .*.partial"
    assert not list(out.glob(".*"))
    assert run_dir.name.endswith(f"-qualification-and-response-s{SEED}")


def test_manifest_records_how_to_reproduce_the_run(run_dir, scenario):
    manifest = json.loads((run_dir / store.MANIFEST).read_text())
    assert manifest == store.read_manifest(run_dir).to_json(), "read and written through one type"
    assert list(manifest) == [  # the keys run folders have always had, in their order
        "run_id", "salesim_version", "scenario", "root_seed", "replications", "variants",
        "overrides", "plan", "precision", "variance_reduction", "backend", "workers", "metrics",
        "timings", "environment",
    ]  # fmt: skip
    assert manifest["precision"] is None and set(manifest["variance_reduction"]) == {
        "metric", "definition", "by_variant", "controls_definition", "by_controls"
    }  # fmt: skip
    assert manifest["root_seed"] == SEED
    assert manifest["replications"] == REPLICATIONS
    assert manifest["salesim_version"] == simulator.__version__
    assert manifest["overrides"] == list(OVERRIDES)
    assert manifest["variants"] == [v.name for v in scenario.variants]
    resolved = manifest["scenario"]
    assert resolved["horizon_months"] == MONTHS
    assert [v["name"] for v in resolved["variants"]] == [v.name for v in scenario.variants]
    for stored, variant in zip(resolved["variants"], scenario.variants, strict=True):
        assert Parameters.model_validate(stored["parameters"]) == variant.parameters
        assert stored["parameters"] == variant.parameters.model_dump(mode="json")
    assert stored["parameters"]["market"]["accounts"] == 300
    timings = manifest["timings"]
    assert set(timings) >= {"started_utc", "wall_seconds", "seconds_per_replication"}
    assert timings["wall_seconds"] >= 0
    assert manifest["metrics"]["summary"] == list(SUMMARY_COLUMNS)
    assert manifest["metrics"]["monthly"] == list(MONTHLY_COLUMNS)


def test_summary_has_one_row_per_variant_and_replication(run_dir, scenario):
    summary = store.read_summary(run_dir)
    controls = scenario_controls(scenario)
    assert summary.column_names == ["variant", "replication", *SUMMARY_COLUMNS, *controls]
    assert set(SUMMARY_STORED) <= set(summary.column_names)
    columns = ("variant", "replication")
    keys = list(zip(*(summary.column(c).to_pylist() for c in columns), strict=True))
    expected = [(v.name, r) for v in scenario.variants for r in range(REPLICATIONS)]
    assert sorted(keys) == sorted(expected)
    assert summary.schema.field("variant").type == pa.string()


def test_monthly_has_one_row_per_run_and_month(run_dir, scenario):
    monthly = store.read_monthly(run_dir)
    assert monthly.column_names == ["variant", "replication", "month", *MONTHLY_COLUMNS]
    runs = len(scenario.variants) * REPLICATIONS
    assert monthly.num_rows == runs * MONTHS
    columns = ("variant", "replication", "month")
    keys = list(zip(*(monthly.column(c).to_pylist() for c in columns), strict=True))
    expected = [
        (v.name, r, m)
        for v in scenario.variants
        for r in range(REPLICATIONS)
        for m in range(1, MONTHS + 1)
    ]
    assert sorted(keys) == sorted(expected)


def test_stored_tables_are_the_experiments_tables(run_dir, scenario):
    """The files hold exactly what the experiment computed for that seed (nothing lost)."""
    result = run_experiment(scenario, REPLICATIONS, SEED, workers=1)
    for stored, computed in (
        (store.read_summary(run_dir), result.summary),
        (store.read_monthly(run_dir), result.monthly),
    ):
        pd.testing.assert_frame_equal(stored.to_pandas(), computed.to_pandas())


@pytest.mark.parametrize("name", [store.SUMMARY, store.MONTHLY])
def test_pandas_polars_and_duckdb_read_the_files(run_dir, name, scenario):
    """Users analyse runs in their own tools; all of them must agree with pyarrow."""
    path = run_dir / name
    reader = {store.SUMMARY: store.read_summary, store.MONTHLY: store.read_monthly}[name]
    reference = reader(run_dir)
    by_pandas = pd.read_parquet(path)
    by_polars = pl.read_parquet(path)
    by_duckdb = duckdb.sql(f"select * from read_parquet('{path.as_posix()}')").df()
    for frame in (by_pandas, by_polars.to_pandas(), by_duckdb):
        assert list(frame.columns) == reference.column_names
        assert len(frame) == reference.num_rows
        pd.testing.assert_frame_equal(
            frame.reset_index(drop=True), reference.to_pandas(), check_dtype=False
        )
    counted = duckdb.sql(
        f"select variant, count(*) as n from read_parquet('{path.as_posix()}') group by variant"
    ).fetchall()
    per_variant = REPLICATIONS * (MONTHS if name == store.MONTHLY else 1)
    assert sorted(counted) == sorted((v.name, per_variant) for v in scenario.variants)


# --- RunFolder ------------------------------------------------------------------------------


def state(seed: int = SEED) -> store.RunState:
    return store.RunState({"name": "run"}, seed, Plan(4, 2))


def manifest(seed: int = SEED) -> store.Manifest:
    return store.Manifest(scenario={"name": "run"}, root_seed=seed, replications=4, variants=["a"])


def small_run(folder: store.RunFolder, scenario, replications: int = 4) -> Study:
    return run_study(scenario, Plan(replications, 2), SEED, folder)


def test_a_run_in_progress_is_hidden_until_finished(tmp_results, scenario):
    """Parts stream into the hidden partial folder; readers see nothing until the rename."""
    folder = store.RunFolder.create(tmp_results, "run-1", state())
    small_run(folder, scenario)
    assert [p.name for p in tmp_results.iterdir()] == [".run-1.partial"]
    parts = sorted(p.name for p in folder.parts.iterdir())
    variants = len(scenario.variants)
    assert len(parts) == 2 * 2 * variants, "a summary and a monthly part per chunk"
    final = folder.finish(manifest())
    assert list(tmp_results.iterdir()) == [final]
    assert sorted(p.name for p in final.iterdir()) == [store.MANIFEST, store.MONTHLY, store.SUMMARY]
    assert pq.ParquetFile(final / store.MONTHLY).num_row_groups == 2 * variants


def test_finished_files_are_the_experiments_tables(tmp_results, scenario):
    folder = store.RunFolder.create(tmp_results, "run-1", state())
    small_run(folder, scenario)
    final = folder.finish(manifest())
    in_memory = run_experiment(scenario, 4, SEED, workers=1)
    for stored, computed in (
        (store.read_summary(final), in_memory.summary),
        (store.read_monthly(final), in_memory.monthly),
    ):
        assert stored.schema == computed.schema
        pd.testing.assert_frame_equal(stored.to_pandas(), computed.to_pandas())


@pytest.mark.parametrize(
    "error", [OSError("disk full"), KeyboardInterrupt()], ids=["error", "interrupt"]
)
def test_a_failed_write_leaves_no_visible_run(tmp_results, monkeypatch, scenario, error):
    """Failure or Ctrl-C mid-run: no run folder; only the hidden partial, to resume from."""
    monkeypatch.setattr(store.pq, "write_table", fail_on_call(3, error, store.pq.write_table))
    folder = store.RunFolder.create(tmp_results, "run-1", state())
    with pytest.raises(type(error)):
        small_run(folder, scenario)
    assert [p.name for p in tmp_results.iterdir()] == [".run-1.partial"]
    assert store.RunFolder.reopen(tmp_results / "run-1").partial == folder.partial


def test_a_failed_rename_leaves_no_visible_run(tmp_results, monkeypatch, scenario):
    def rename(*args):
        raise PermissionError("read-only")

    folder = store.RunFolder.create(tmp_results, "run-1", state())
    small_run(folder, scenario)
    monkeypatch.setattr(store.os, "rename", rename)
    with pytest.raises(PermissionError):
        folder.finish(manifest())
    assert [p.name for p in tmp_results.iterdir()] == [".run-1.partial"]


def fail_on_call(number: int, error: BaseException, real):
    calls = []

    def write_table(*args, **kwargs):
        calls.append(args)
        if len(calls) == number:
            raise error
        return real(*args, **kwargs)

    return write_table


def test_same_run_id_gets_distinct_folders(tmp_results):
    """Two runs started in the same second with the same seed must not overwrite each other."""
    folders = [store.RunFolder.create(tmp_results, "run-1", state(seed)) for seed in range(3)]
    finished = [f.finish(manifest(seed)) for seed, f in enumerate(folders)]
    assert [f.name for f in finished] == ["run-1", "run-1-2", "run-1-3"]
    assert sorted(tmp_results.iterdir()) == sorted(finished)
    for seed, folder in enumerate(finished):
        assert store.read_manifest(folder) == store.Manifest(
            run_id=folder.name,
            scenario={"name": "run"},
            root_seed=seed,
            replications=4,
            variants=["a"],
        )


def test_reopen_refuses_finished_and_foreign_folders(tmp_results, tmp_path):
    finished = store.RunFolder.create(tmp_results, "run-1", state()).finish(manifest())
    with pytest.raises(store.RunFolderError, match="already complete"):
        store.RunFolder.reopen(finished)
    with pytest.raises(store.RunFolderError, match="no unfinished salesim run"):
        store.RunFolder.reopen(tmp_path / "elsewhere")


def test_parquet_columns_carry_their_unit_and_label(tmp_path):
    args = ["run", "baseline", "-n", "2", "--set", "market.accounts=200", "--set"]
    args += ["horizon_months=12", "--workers", "1", "--out", str(tmp_path)]
    assert CliRunner().invoke(app, args).exit_code == 0
    (run,) = tmp_path.iterdir()
    field = store.read_summary(run).schema.field("bookings_12m")
    assert field.metadata[b"unit"] == b"usd" and field.metadata[b"label"]
    monthly = store.read_monthly(run).schema.field("won")
    assert monthly.metadata[b"unit"] == b"count"
