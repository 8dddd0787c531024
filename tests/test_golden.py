"""Golden results: the event log, summary row and monthly table of every bundled scenario and
variant at two seeds, and of the 2x and 4x scaled worlds, as they were before a refactor.

A change meant to preserve behaviour (a redesign, a speed-up) must reproduce them to the byte:
event logs and monthly tables are compared by SHA-256, summary rows value by value (so a
failure says which metric moved). A change meant to alter behaviour regenerates the file on
purpose, and says so in its commit:

    .venv/bin/python tests/test_golden.py
"""

from __future__ import annotations

import hashlib
import json
import math
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from simulator.metrics.measure import MONTHLY_COLUMNS, monthly, summarise  # noqa: E402
from simulator.runs.bench import scaled_world  # noqa: E402
from simulator.runs.experiment import replication_log  # noqa: E402
from simulator.scenario.resolve import load_scenario  # noqa: E402
from simulator.units import DAYS_PER_MONTH  # noqa: E402

GOLDEN = Path(__file__).parent / "golden" / "results.json"
SEEDS = (1, 7)
SCALES = (2, 4)
BUNDLED = sorted((ROOT / "scenarios").glob("**/*.yaml"))


def _cases() -> list[tuple[str, str, list[str], int]]:
    """(case id, scenario path, --set overrides, seed) for every golden case."""
    cases = [
        (f"{path.relative_to(ROOT / 'scenarios').with_suffix('')}@s{seed}", str(path), [], seed)
        for path in BUNDLED
        for seed in SEEDS
    ]
    baseline = ROOT / "scenarios" / "baseline.yaml"
    parameters = load_scenario(baseline).variants[0].parameters
    cases += [(f"baseline-x{k}@s1", str(baseline), scaled_world(parameters, k), 1) for k in SCALES]
    return cases


def _digest(array: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(array).tobytes()).hexdigest()


def results_of(path: str, overrides: list[str], seed: int) -> dict[str, dict]:
    """Per variant: the event log's and monthly table's digests and the summary row."""
    scenario = load_scenario(path, overrides)
    out = {}
    for variant in scenario.variants:
        p = variant.parameters
        log = replication_log(p, scenario.horizon_months, seed, 0)
        table = monthly(log, scenario.horizon_months, p.market.accounts)
        summary = summarise(log, scenario.horizon_months * DAYS_PER_MONTH, p)
        out[variant.name] = {
            "events": int(log.size),
            "event_log_sha256": _digest(log),
            "monthly_sha256": _digest(np.stack([table[c] for c in MONTHLY_COLUMNS])),
            "summary": {
                k: (None if not math.isfinite(v) else float(v)) for k, v in summary.items()
            },
        }
    return out


def compute() -> dict[str, dict]:
    return {case: results_of(path, sets, seed) for case, path, sets, seed in _cases()}


@pytest.mark.parametrize("case", [c[0] for c in _cases()])
def test_results_match_the_golden_file(case: str) -> None:
    golden = json.loads(GOLDEN.read_text())
    assert case in golden, f"{case} has no golden results: regenerate {GOLDEN.name} on purpose"
    _, path, sets, seed = next(c for c in _cases() if c[0] == case)
    now = results_of(path, sets, seed)
    assert list(now) == list(golden[case]), "the variants changed"
    for variant, expected in golden[case].items():
        got = now[variant]
        moved = {
            k: (v, got["summary"].get(k))
            for k, v in expected["summary"].items()
            if got["summary"].get(k) != v
        }
        assert not moved, f"{case} {variant}: summary metrics moved (golden, now): {moved}"
        assert got["events"] == expected["events"], f"{case} {variant}: event count"
        assert got["event_log_sha256"] == expected["event_log_sha256"], f"{case} {variant}: log"
        assert got["monthly_sha256"] == expected["monthly_sha256"], f"{case} {variant}: monthly"


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(compute(), indent=1, sort_keys=False) + "\n")
    print(f"wrote {GOLDEN}")
