"""A strategy switch part-way through a run, and the recovery it buys.

- A switched run is the kept run, record for record, until the switch, and goes on from the
  same state: after it, stopping the pitch leaves fewer pitches and more bookings.
- A switch the run could never reach, or one that says no month or nothing to change, exits 2
  with the field's path.
- The recovery rule on constructed bookings whose answer is known: the month it comes back,
  an overshoot counts as back, a dip after a false start restarts the count, never is censored.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.decide.settings import variant_named
from simulator.model.events import Kind
from simulator.recovery.arms import stopped_at
from simulator.recovery.measure import recovery, recovery_months
from simulator.runs.experiment import replication_log
from simulator.units import DAYS_PER_MONTH
from tests.conftest import bundled

SMALL = ("market.accounts=600", "horizon_months=24")
SWITCH = 8
runner = CliRunner()


@pytest.fixture(scope="module")
def arms():
    scenario = bundled("death-spiral", *SMALL)
    never = variant_named(scenario, "available_only")
    kept = variant_named(scenario, "vaporware")
    return never, kept, stopped_at(kept, never, SWITCH)


def same_records(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    return all(
        np.array_equal(a[name], b[name], equal_nan=a.dtype[name].kind == "f")
        for name in a.dtype.names
    )


def test_a_switched_run_is_the_kept_run_until_the_switch(arms):
    _, kept, stopped = arms
    day = SWITCH * DAYS_PER_MONTH
    for replication in range(4):
        a = replication_log(kept.parameters, 24, 3, replication)
        b = replication_log(stopped.parameters, 24, 3, replication)
        assert same_records(a[a["day"] < day], b[b["day"] < day])
        switched = b[b["kind"] == Kind.STRATEGY_SWITCHED]
        assert switched["day"].tolist() == [day] and switched["subject"].tolist() == [SWITCH]
        assert not (a["kind"] == Kind.STRATEGY_SWITCHED).any()


def test_after_the_switch_fewer_pitches_and_more_bookings(arms):
    """Pooled over replications (common random numbers): once the pitch stops only desperate
    hunters on the plan still pitch, and the deals it would have sent waiting close instead."""
    _, kept, stopped = arms
    day = SWITCH * DAYS_PER_MONTH
    pitches, booked = np.zeros(2), np.zeros(2)
    for replication in range(12):
        for i, arm in enumerate((kept, stopped)):
            log = replication_log(arm.parameters, 24, 5, replication)
            after = log[log["day"] >= day]
            pitches[i] += np.count_nonzero(after["kind"] == Kind.PITCHED)
            won = (after["kind"] == Kind.CLOSED) & (after["code"] == 0)
            booked[i] += after["value"][won].sum()
    assert pitches[1] < 0.5 * pitches[0]
    assert booked[1] > booked[0]


@pytest.mark.parametrize(
    ("settings", "field", "words"),
    [
        (("strategy.switch.month=24", "strategy.switch.pitch=available_only"),
         "strategy.switch.month", "given 24; allowed: a month before the horizon's last, 1 to 23"),
        (("strategy.switch.pitch=available_only",), "strategy.switch", "needs its month"),
        (("strategy.switch.month=6",), "strategy.switch", "needs what changes"),
        (("strategy.switch.month=0", "strategy.switch.pitch=vaporware"),
         "strategy.switch.month", "greater than or equal to 1"),
    ],
)  # fmt: skip
def test_a_switch_that_cannot_act_exits_2(settings, field, words, tmp_path):
    args = ["run", "death-spiral", "-n", "2", "--out", str(tmp_path)]
    for setting in (*SMALL, *settings):
        args += ["--set", setting]
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert field in result.output and words in result.output
    assert not any(tmp_path.iterdir())


# --- the recovery rule -----------------------------------------------------------------------

H = 24


def months_after(stopped: list[float], switch: int, window: int = 1) -> int:
    never = np.full(H, 100.0)
    return int(recovery_months(np.asarray(stopped), never, switch, 0.10, window))


def test_recovery_is_the_first_month_back_for_good():
    stopped = [50.0] * 10 + [95.0] * 14  # back (within 10%) from month 11
    assert months_after(stopped, 6) == 5
    overshoot = [50.0] * 10 + [140.0] * 14  # a backlog converting: back as well
    assert months_after(overshoot, 6) == 5
    false_start = [50.0] * 8 + [95.0, 95.0] + [60.0] * 4 + [100.0] * 10  # back for good at 15
    assert months_after(false_start, 6) == 9
    never_back = [50.0] * H
    assert months_after(never_back, 6) == -1
    too_late = [50.0] * (H - 2) + [100.0] * 2  # back, but for less than a window
    assert months_after(too_late, 6, window=3) == -1


def test_the_trailing_window_delays_the_verdict_by_its_length():
    stopped = [50.0] * 10 + [100.0] * 14  # the last low month is 10
    # a 3-month trailing mean at month 12 is (50 + 100 + 100) / 3 = 83: not yet back
    assert months_after(stopped, 6, window=3) == 7  # month 13


def test_recovery_interval_covers_the_known_month_and_censors_never():
    rng = np.random.default_rng(7)
    reps = 200
    never = rng.normal(100.0, 20.0, (reps, H))
    stopped = never.copy()
    stopped[:, :10] *= 0.5  # back from month 11
    kept = never * 0.5
    found = recovery(never, kept, stopped, 6, rng, window=1)
    assert found.months == 5 and found.low <= 5 <= found.high
    assert found.saved_usd > 0 and found.censored_share == 0
    gone = recovery(never, kept, kept.copy(), 6, rng, window=1)
    assert gone.months is None and gone.high is None and gone.censored_share > 0.95


def test_recovery_command_writes_its_table(tmp_path):
    path = tmp_path / "recovery.json"
    args = ["recovery", "death-spiral", "--at", "6,12", "-n", "8", "--workers", "1"]
    args += ["--json", str(path)]
    for setting in SMALL:
        args += ["--set", setting]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    data = json.loads(path.read_text())
    assert data["kept"] == "vaporware" and data["never"] == "available_only"
    assert [r["switch_month"] for r in data["recoveries"]] == [6, 12]
    assert "month 6" in result.output and "saved vs kept" in result.output
    bad = runner.invoke(app, ["recovery", "death-spiral", "--at", "36", "-n", "2"])
    assert bad.exit_code == 2 and "allowed 1 to 35" in bad.output
    same = runner.invoke(
        app, ["recovery", "death-spiral", "--from", "vaporware", "--to", "vaporware"]
    )
    assert same.exit_code == 2


def test_a_variant_with_its_own_switch_is_not_switched_over_silently(arms):
    never, kept, _ = arms
    own = stopped_at(kept, never, 5)
    with pytest.raises(ValueError, match="already switches strategy at month 5"):
        stopped_at(own, never, SWITCH)
