"""Writing a file whole or not at all: the one helper every command that writes a result uses
(a leaf module, so that adapters such as ``crm/`` can use it without importing the runs)."""

from __future__ import annotations

import os
from pathlib import Path


def write_text_atomic(path: Path, text: str) -> Path:
    """Write a file so that readers see the old file or the whole new one, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return path


def nearest_existing(path: Path) -> Path:
    """``path`` if it exists, else the nearest path above it that does (a folder, or a file in
    the way): what writing ``path`` meets, as ``write_text_atomic`` makes the folders between."""
    return next(p for p in (path, *path.parents) if p.exists())  # ends at '.' or '/'
