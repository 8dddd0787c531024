"""The ``salesim`` program: the command line, with no Python traceback for its user.

User mistakes exit 2 with a message from the commands themselves. Anything else that escapes a
command is a fault of salesim (or of the machine): the user gets one line naming it and a log
file holding the traceback to send with a bug report, and exit code 1. ``typer.Exit`` codes
and Ctrl-C behave as they do without this wrapper.
"""

from __future__ import annotations

import platform
import sys
import tempfile
import traceback
from collections.abc import Sequence
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from pathlib import Path

from simulator import __version__

EXIT_INTERNAL = 1
EXIT_INTERRUPTED = 130


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line on ``argv`` (default: the process's arguments)."""
    try:
        from simulator.cli.app import app

        app(args=list(argv) if argv is not None else None, prog_name="salesim")
    except KeyboardInterrupt:  # outside a run, which says how to resume itself
        sys.stderr.write("Interrupted.\n")
        sys.exit(EXIT_INTERRUPTED)
    except BrokenPipeError:  # the reader went away (`salesim ... | head`): nothing to say
        sys.stderr.close()
        sys.exit(EXIT_INTERNAL)
    except Exception as error:  # the point: no traceback reaches the user
        log = write_error_log(error, argv)
        sys.stderr.write(internal_error_line(error, log) + "\n")
        sys.exit(EXIT_INTERNAL)


def internal_error_line(error: BaseException, log: Path | None) -> str:
    """One line: what failed, a hint where one is known, and where the details are."""
    kind = type(error).__name__
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    hint = ""
    if isinstance(error, MemoryError):
        kind, hint = "out of memory", " (try fewer --workers, or a smaller market)"
    elif isinstance(error, BrokenProcessPool):
        hint = " (a worker process died, perhaps killed for memory; try fewer --workers)"
    where = f"details in {log}" if log is not None else "no log could be written"
    text = f"{kind}: {message}" if message else kind
    return f"salesim: internal error: {text}{hint}; {where}"


def write_error_log(error: BaseException, argv: Sequence[str] | None) -> Path | None:
    """The traceback and the context of a bug report, in ``$TMPDIR/salesim-error-<time>.log``;
    None if even that cannot be written."""
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S-%f")
    path = Path(tempfile.gettempdir()) / f"salesim-error-{stamp}.log"
    arguments = list(argv) if argv is not None else sys.argv[1:]
    text = (
        f"salesim {__version__}, Python {platform.python_version()}, {platform.platform()}\n"
        f"command: salesim {' '.join(arguments)}\n"
        f"time: {datetime.now(UTC).isoformat()}\n\n" + "".join(traceback.format_exception(error))
    )
    try:
        path.write_text(text, encoding="utf-8")
    except OSError:
        return None
    return path
