"""A run from its plan to its folder, without the command line: create the run folder (or take
the one being resumed), and once the study has run into it, write its manifest and the extra
files asked for (the report) and make it visible in one rename. ``salesim run`` shows the
progress and prints the verdict around these two steps."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from simulator.runs.experiment import Study
from simulator.runs.planning import Ready
from simulator.runs.store import Manifest, RunFolder, RunState, new_run_id
from simulator.scenario.resolve import Scenario


class RunError(ValueError):
    """What stops a run before it starts: the option at fault and why."""


def open_folder(
    loaded: Scenario,
    ready: Ready,
    out_dir: Path,
    overrides: list[str],
    deals: bool,
    started: datetime,
) -> RunFolder:
    """The folder the study runs into: the resumed one, or a new one under ``out_dir``."""
    if ready.folder is not None:
        if deals and not ready.folder.state().deals:
            raise RunError(f"--deals: {ready.folder.final} was started without it; start a new run")
        return ready.folder
    state = RunState(
        loaded.resolved(), ready.seed, ready.plan, overrides, started.isoformat(), deals
    )
    try:
        return RunFolder.create(out_dir, new_run_id(loaded.name, ready.seed, started), state)
    except OSError as error:
        reason = error.strerror or str(error)
        raise RunError(f"--out {out_dir}: cannot create the run folder there ({reason})") from None


def finish_run(
    loaded: Scenario,
    folder: RunFolder,
    study: Study,
    backend: str,
    extras: Callable[[Path], None] | None = None,
) -> Path:
    """Write the manifest and ``extras``' files, then make the run visible; its final path."""
    manifest = Manifest.of_study(loaded, folder.state(), study, backend)
    return folder.finish(manifest, extras)
