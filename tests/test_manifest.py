"""The run's records are typed once (``store.Manifest``, ``store.RunState``) and keep the JSON
keys of the files runs already wrote: an older run folder still reads, and writes back the
same."""

from __future__ import annotations

import copy

from simulator.runs.experiment import Plan
from simulator.runs.store import Manifest, RunState

OLDER = {  # manifest.json as salesim wrote it before the typed manifest (scenario trimmed)
    "run_id": "20261129-165647-baseline-s1",
    "salesim_version": "0.1.0",
    "scenario": {"name": "Baseline", "horizon_months": 6},
    "root_seed": 1,
    "replications": 4,
    "variants": ["baseline", "faster"],
    "overrides": ["market.accounts=200", "horizon_months=6"],
    "plan": {"replications": 4, "block": 4, "precision": 0.5, "metric": "bookings_24m"},
    "precision": {
        "metric": "bookings_24m",
        "target": 0.5,
        "reached": False,
        "relative_half_width": {"faster": None},
    },
    "variance_reduction": {
        "metric": "bookings_24m",
        "definition": "(var(variant) + var(baseline)) / var(variant - baseline): how many times "
        "more replications independent sampling needs for the paired precision",
        "by_variant": {"faster": 3.5},
    },
    "backend": "local",
    "workers": 1,
    "metrics": {
        "summary": ["leads_total", "won"],
        "monthly": ["leads"],
        "lower_is_better": ["cac"],
    },
    "timings": {
        "started_utc": "2026-11-29T16:56:47.123456+00:00",
        "resumed": False,
        "replications_computed": 8,
        "wall_seconds": 0.812,
        "study_finished_utc": "2026-11-29T16:56:48.001234+00:00",
        "seconds_per_replication": 0.1015,
    },
    "environment": {"python": "3.11.2", "numpy": "2.1.0", "platform": "Linux"},
}


def test_an_older_manifest_reads_typed_and_writes_back_the_same():
    manifest = Manifest.from_json(copy.deepcopy(OLDER))
    assert manifest.to_json() == OLDER
    assert list(manifest.to_json()) == list(OLDER), "the keys in the same order"
    assert manifest.scenario_name == "Baseline" and manifest.root_seed == 1
    assert manifest.plan == Plan(4, 4, 0.5, "bookings_24m")
    assert manifest.precision is not None and manifest.precision.reached is False
    assert manifest.precision.relative_half_width == {"faster": None}
    assert manifest.variance_reduction is not None
    assert manifest.variance_reduction.by_variant == {"faster": 3.5}
    assert manifest.timings is not None and manifest.timings.replications_computed == 8


def test_sections_an_older_version_did_not_write_read_as_none():
    bare = {key: OLDER[key] for key in ("scenario", "root_seed", "replications", "variants")}
    manifest = Manifest.from_json({**bare, "a_key_from_a_later_version": 1})
    assert manifest.precision is None and manifest.timings is None and manifest.plan is None
    assert manifest.overrides == [] and manifest.run_id == ""
    assert Manifest.from_json(manifest.to_json()) == manifest


def test_the_run_state_keeps_its_keys():
    written = {
        "scenario": {"name": "Baseline", "source": "scenarios/baseline.yaml"},
        "root_seed": 9,
        "plan": {"replications": 4, "block": 2, "precision": None, "metric": "bookings_24m"},
        "overrides": ["market.accounts=200"],
        "started_utc": "2026-11-29T16:56:47+00:00",
        "deals": False,
    }
    state = RunState.from_json(copy.deepcopy(written))
    assert state.to_json() == written and list(state.to_json()) == list(written)
    assert state.plan == Plan(4, 2) and state.scenario_name == "Baseline"
    # a state written by hand (or by an older version) with only what resuming needs
    least = RunState.from_json(
        {"scenario": {}, "root_seed": 9, "plan": {"replications": 4, "block": 2}}
    )
    assert least.overrides == [] and least.started_utc == "" and least.scenario_name is None
    assert least.deals is False  # a run from before --deals existed
