"""Where a command will write, checked when its options are read: a ``--json`` or ``--out``
that cannot be written is said at once (exit 2), not after minutes of replications whose
answer would then be lost."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from simulator.atomic import nearest_existing

STDOUT = "-"


def problem(path: Path, folder: bool) -> str | None:
    """Why ``path`` (a file to write, or a folder to write in) cannot be written, or None.
    Missing folders above it are made when it is written, so the nearest one that exists must
    be a folder this process may write in."""
    met = nearest_existing(path)
    if met == path:
        if path.is_dir() != folder:
            return "a folder, not a file" if path.is_dir() else "a file, not a folder"
        where = path if folder else path.parent
    elif met.is_dir():
        where = met
    else:
        return f"{met} is a file, not a folder"
    if not os.access(where, os.W_OK | os.X_OK):
        return f"no permission to write in {where}"
    return None


def _checked(value: str | Path | None, folder: bool) -> str | Path | None:
    if value is None or str(value) == STDOUT:
        return value
    reason = problem(Path(value), folder)
    if reason is not None:
        raise typer.BadParameter(f"{value}: {reason}")
    return value


def file_destination(value: str | Path | None) -> str | Path | None:
    """A typer callback: a file option (``--json FILE``, a page's ``--out``) that can be
    written, or ``-`` (standard output)."""
    return _checked(value, folder=False)


def folder_destination(value: Path | None) -> Path | None:
    """A typer callback: a folder option (``--out DIR``) that can be made and written in."""
    return _checked(value, folder=True)  # type: ignore[return-value]
