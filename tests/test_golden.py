"""Golden results: the event log, summary row and monthly table of every bundled scenario and
variant at two seeds, and of the 2x and 4x scaled worlds, as they were before a refactor.

A change meant to preserve behaviour (a redesign, a speed-up) must reproduce them: every
integer of the event log (its kinds, deals, accounts, people and codes, in order) to the byte
by SHA-256; its floats (days, values), each monthly column and each summary metric to within
floating-point rounding (``REL_TOL``). Not to the byte: numpy's vectorised exp, log and sums
take different paths on different CPUs, so the same code on another machine differs in the last
bits (an AMD EPYC moved ``arr_end`` from ...463 to ...464), while any change of the model moves
them by far more. The floats are compared by their sum, their sum weighted by position (a
value moved to another record shows) and the sum of their sizes (the scale of the tolerance).
A change meant to alter behaviour regenerates the file on purpose, and says so in its commit:

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
REL_TOL = 1e-9
"""A relative difference this small is rounding: a changed draw or event moves a 24-month sum
by a whole deal or day, many orders of magnitude more."""
INTEGER_FIELDS = ("kind", "subject", "account", "actor", "code")
FLOAT_FIELDS = ("day", "value")
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


def _sums(values: np.ndarray) -> list[float]:
    """Sum, sum weighted by position, sum of sizes, of the finite values; then how many are
    not finite (a departed hunter's NaN value)."""
    finite = np.isfinite(values)
    x = np.where(finite, values, 0.0)
    place = np.arange(1, len(x) + 1) / max(len(x), 1)
    return [float(x.sum()), float((x * place).sum()), float(np.abs(x).sum()), int((~finite).sum())]


def _close(expected: list, got: list) -> bool:
    """The same sums to within rounding, scaled by the sum of sizes, and the same count of
    non-finite values."""
    *sums, size, non_finite = expected
    scale = REL_TOL * max(size, 1.0)
    return got[-1] == non_finite and all(
        math.isclose(a, b, rel_tol=REL_TOL, abs_tol=scale)
        for a, b in zip([*sums, size], got[:-1], strict=True)
    )


def results_of(path: str, overrides: list[str], seed: int) -> dict[str, dict]:
    """Per variant: the event count, the log's integer digest, the log's and monthly table's
    float sums (``_sums``) and the summary row."""
    scenario = load_scenario(path, overrides)
    out = {}
    for variant in scenario.variants:
        p = variant.parameters
        log = replication_log(p, scenario.horizon_months, seed, 0)
        table = monthly(log, scenario.horizon_months, p.market.accounts)
        summary = summarise(log, scenario.horizon_months * DAYS_PER_MONTH, p)
        out[variant.name] = {
            "events": int(log.size),
            "integers_sha256": _digest(np.stack([log[f].astype(np.int64) for f in INTEGER_FIELDS])),
            "floats": {f: _sums(log[f]) for f in FLOAT_FIELDS},
            "monthly": {c: _sums(np.asarray(table[c], dtype=float)) for c in MONTHLY_COLUMNS},
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
            if not _same(v, got["summary"].get(k))
        }
        assert not moved, f"{case} {variant}: summary metrics moved (golden, now): {moved}"
        assert got["events"] == expected["events"], f"{case} {variant}: event count"
        assert got["integers_sha256"] == expected["integers_sha256"], f"{case} {variant}: log"
        for part in ("floats", "monthly"):
            new = got[part]
            moved = {k: (v, new[k]) for k, v in expected[part].items() if not _close(v, new[k])}
            assert not moved, f"{case} {variant}: {part} moved (golden, now): {moved}"


def _same(expected: float | None, got: float | None) -> bool:
    """A summary metric unchanged: both undefined, or equal to within rounding."""
    if expected is None or got is None:
        return expected is got
    return math.isclose(expected, got, rel_tol=REL_TOL, abs_tol=REL_TOL)


if __name__ == "__main__":
    GOLDEN.parent.mkdir(exist_ok=True)
    GOLDEN.write_text(json.dumps(compute(), indent=1, sort_keys=False) + "\n")
    print(f"wrote {GOLDEN}")
