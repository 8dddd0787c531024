"""``salesim bench``'s calibration step: wall seconds of ``salesim calibrate`` on the crm-maven
export with the default settings and two workers, as a user runs it, and whether the fit
settled (a fast fit that does not settle is no answer); then wall seconds of ``salesim forecast``
of the company it calibrated (its 500 futures by default, two workers)."""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

CALIBRATION_WORKERS = 2
CALIBRATION_TARGET_S = 180.0
CALIBRATION_EXPORT = (
    Path(__file__).resolve().parent.parent.parent
    / "tests"
    / "data"
    / "crm-maven"
    / "sales_pipeline.csv"
)
"""The export timed: the crm-maven sample in the source tree (a wheel has none)."""


def calibration_time(export: Path = CALIBRATION_EXPORT) -> dict[str, Any]:
    """Seconds from launching ``salesim calibrate EXPORT`` to its exit, and what it found;
    ``calibration_seconds`` None without the export."""
    if not export.is_file():
        skipped = {"skipped": f"{export}: not found"}
        return {
            "calibration_seconds": None,
            "calibration": skipped,
            "maven_forecast_seconds": None,
            "maven_forecast": skipped,
        }
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "maven.yaml"
        command = [
            sys.executable, "-m", "simulator", "calibrate", str(export), "--out", str(out),
            "--workers", str(CALIBRATION_WORKERS), "--json", "-",
        ]  # fmt: skip
        seconds, done = _timed(command)
        forecast = [
            sys.executable, "-m", "simulator", "forecast", str(out),
            "--out", str(Path(folder) / "forecast.html"),
            "--workers", str(CALIBRATION_WORKERS), "--json", "-",
        ]  # fmt: skip
        forecast_seconds, forecasted = _timed(forecast)
    data = json.loads(done.stdout)
    return {
        "calibration_seconds": seconds,
        "calibration": {
            "export": str(export.name),
            "workers": CALIBRATION_WORKERS,
            "settled": data["fit"]["settled"],
            "tries": data["fit"]["tries"],
            "misses": [m["statistic"] for m in data["fit"]["misses"]],
        },
        "maven_forecast_seconds": forecast_seconds,
        "maven_forecast": {"replications": json.loads(forecasted.stdout)["replications"]},
    }


def _timed(command: list[str]) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Wall seconds of a command run as a user runs it, and what it wrote."""
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed:\n{done.stderr}")
    return seconds, done


def calibration_met(figures: dict[str, Any]) -> bool | None:
    """Under three minutes, and settled (None: not measured)."""
    if figures["calibration_seconds"] is None:
        return None
    return (
        figures["calibration_seconds"] < CALIBRATION_TARGET_S and figures["calibration"]["settled"]
    )
