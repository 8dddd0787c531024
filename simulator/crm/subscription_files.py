"""Which file of a subscription export is which, and which column is which field: the
subscriptions file (named on the command line, or found in a folder by its name or its
columns), the accounts and churn events files beside it (or named), and for each file its
fields' columns by the headings of ``FIELDS`` (any case, spaces or punctuation) or by
``--map FIELD=COLUMN``, which wins. A missing column raises ``ExportError`` naming it and the
``--map`` that fixes it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from simulator.crm.formats import heading_key
from simulator.crm.reader import Export, ExportError, read_export, strings

SUBSCRIPTIONS, ACCOUNTS, EVENTS = "subscriptions", "accounts", "churn_events"

FIELDS: dict[str, dict[str, tuple[str, ...]]] = {
    SUBSCRIPTIONS: {
        "account_id": ("account_id", "account"),
        "subscription_id": ("subscription_id",),
        "start_date": ("start_date", "started"),
        "end_date": ("end_date", "ended"),
        "arr": ("arr_amount", "arr"),
        "mrr": ("mrr_amount", "mrr"),
        "is_trial": ("is_trial",),
        "plan_tier": ("plan_tier", "plan"),
        "upgrade_flag": ("upgrade_flag",),
        "downgrade_flag": ("downgrade_flag",),
    },
    ACCOUNTS: {
        "account_id": ("account_id", "account"),
        "signup_date": ("signup_date",),
        "churn_flag": ("churn_flag",),
        "industry": ("industry",),
        "plan_tier": ("plan_tier", "plan"),
    },
    EVENTS: {
        "account_id": ("account_id", "account"),
        "churn_event_id": ("churn_event_id",),
        "churn_date": ("churn_date",),
        "reason_code": ("reason_code", "reason"),
        "is_reactivation": ("is_reactivation",),
        "refund_usd": ("refund_amount_usd", "refund"),
    },
}
"""File -> field (what ``--map FIELD=COLUMN`` names) -> the headings looked for, matched
without regard to case, spaces or punctuation."""
REQUIRED = {
    SUBSCRIPTIONS: ("account_id", "start_date", "end_date", "arr"),
    ACCOUNTS: ("account_id",),
    EVENTS: ("account_id", "churn_date"),
}
"""Fields a file cannot be read without (``arr`` may be replaced by ``mrr``)."""
RECOGNISED = 3
"""Required subscription fields a file must show to be taken for a subscriptions file (one may
be missing: the message then names it), unless it is named ``subscriptions``."""
SIDE_FILES = {
    ACCOUNTS: ("accounts.csv", "accounts.parquet"),
    EVENTS: ("churn_events.csv", "churn_events.parquet", "churn-events.csv"),
}
"""The side files picked up beside the subscriptions file, by name."""


@dataclass(frozen=True)
class SourceFile:
    """One file read: its role, the export, the columns found and each field's text."""

    role: str
    path: Path
    export: Export
    columns: dict[str, str]
    raw: dict[str, list[str | None]]

    @property
    def rows(self) -> int:
        return self.export.table.num_rows

    def get(self, name: str) -> list[str | None]:
        return self.raw.get(name) or [None] * self.rows

    def example(self, index: int, names: tuple[str, ...], extra: str = "") -> str:
        """``FILE line N: heading=value, ...`` for the row at ``index``."""
        shown = [
            f"{self.columns[f]}={self.raw[f][index] or '(blank)'}" for f in names if f in self.raw
        ]
        line = int(self.export.lines[index])
        return f"{self.path.name} line {line}: " + ", ".join([*shown, *filter(None, [extra])])


def parse_maps(maps: list[str]) -> list[tuple[str, str]]:
    """``FIELD=COLUMN`` pairs checked against the fields of all three files."""
    known = sorted({name for role in FIELDS.values() for name in role})
    pairs = []
    for pair in maps:
        name, sep, column = (part.strip() for part in pair.partition("="))
        if not sep or not name or not column:
            raise ExportError(f"--map {pair!r}: expected FIELD=COLUMN, e.g. --map arr=Annual Value")
        if name not in known:
            raise ExportError(f"--map {pair!r}: unknown field {name!r}; fields: {', '.join(known)}")
        pairs.append((name, column))
    return pairs


def resolve(role: str, headings: list[str], maps: list[tuple[str, str]]) -> dict[str, str]:
    """Field -> heading for one file: ``--map`` first (where this file has the column), then
    the headings of ``FIELDS``."""
    by_key = {heading_key(h): h for h in reversed(headings)}
    columns = {}
    for name, column in maps:
        heading = column if column in headings else by_key.get(heading_key(column))
        if name in FIELDS[role] and heading is not None:
            columns[name] = heading
    for name, names in FIELDS[role].items():
        found = [by_key[heading_key(n)] for n in names if heading_key(n) in by_key]
        if name not in columns and found:
            columns[name] = found[0]
    return columns


def missing(role: str, columns: dict[str, str]) -> list[str]:
    return [f for f in REQUIRED[role] if f not in columns and not (f == "arr" and "mrr" in columns)]


def is_subscription_export(path: Path, maps: list[str] | None = None) -> bool:
    """Whether ``path`` is a folder (of a subscription export) or a file whose columns (or
    name) say subscriptions; False for anything unreadable (the caller reports it)."""
    if path.is_dir():
        return True
    ours = [m for m in maps or [] if m.partition("=")[0].strip() in FIELDS[SUBSCRIPTIONS]]
    try:
        headings = read_export(path).headings
        columns = resolve(SUBSCRIPTIONS, headings, parse_maps(ours))
    except ExportError:
        return False
    shown = len(REQUIRED[SUBSCRIPTIONS]) - len(missing(SUBSCRIPTIONS, columns))
    return shown >= RECOGNISED or heading_key(path.stem) == SUBSCRIPTIONS


def read_file(role: str, path: Path, maps: list[tuple[str, str]]) -> SourceFile:
    """One file with the columns found for its fields (``check_maps`` says what is missing)."""
    export = read_export(path)
    columns = resolve(role, export.headings, maps)
    raw = {name: strings(export.table, heading) for name, heading in columns.items()}
    return SourceFile(role, path, export, columns, raw)


def find_files(path: Path, accounts: Path | None, events: Path | None) -> dict[str, Path]:
    """The files of the export: the subscriptions file (``path``, or the one in the folder
    ``path``), and the side files given, else found beside it by name."""
    if path.is_dir():
        sides = SIDE_FILES[ACCOUNTS] + SIDE_FILES[EVENTS]
        candidates = sorted(
            p
            for p in path.iterdir()
            if p.is_file() and p.suffix.lower() in (".csv", ".parquet") and p.name not in sides
        )
        named = [p for p in candidates if heading_key(p.stem) == SUBSCRIPTIONS]
        found = named or [p for p in candidates if is_subscription_export(p)]
        if not found:
            raise ExportError(
                f"{path}: no subscriptions file in the folder (a CSV with an account id, a start "
                "date, an end date and ARR or MRR); name yours: salesim import FILE"
            )
        path = found[0]
    files = {SUBSCRIPTIONS: path}
    for role, given in ((ACCOUNTS, accounts), (EVENTS, events)):
        if given is not None and not given.is_file():
            raise ExportError(f"--{role.replace('_', '-')} {given}: no such file")
        beside = (path.parent / name for name in SIDE_FILES[role])
        chosen = given or next((p for p in beside if p.is_file()), None)
        if chosen is not None:
            files[role] = chosen
    return files


def check_maps(maps: list[tuple[str, str]], files: dict[str, SourceFile]) -> None:
    """ExportError for a ``--map`` whose column is in no file read of its field, and then for
    a file missing a column it cannot be read without (naming the ``--map`` that fixes it)."""
    for name, column in maps:
        roles = [role for role in FIELDS if name in FIELDS[role]]
        read = [f for f in files.values() if f.role in roles]
        if any(heading_key(column) in map(heading_key, f.export.headings) for f in read):
            continue
        shown = "; ".join(f"{f.path.name}: {', '.join(f.export.headings)}" for f in read)
        where = " or ".join(role.replace("_", " ") for role in roles)
        raise ExportError(
            f"--map {name}={column}: no column {column!r} in the {where} file"
            + (f"; its columns: {shown}" if read else " (no such file was read)")
        )
    for file in files.values():
        if lacking := missing(file.role, file.columns):
            raise ExportError(_missing_message(file, lacking))


def _missing_message(file: SourceFile, lacking: list[str]) -> str:
    role = file.role
    lines = [f"{file.path}: cannot read it as the {role.replace('_', ' ')} file of a "
             "subscription export:"]  # fmt: skip
    for name in lacking:
        names = FIELDS[role][name] + (FIELDS[role]["mrr"] if name == "arr" else ())
        lines.append(f"  missing the {name} column: looked for {', '.join(map(repr, names))}")
    lines.append(f"The file's columns: {', '.join(file.export.headings) or '(none)'}")
    lines.append("Name yours with " + " ".join(f"--map {name}=COLUMN" for name in lacking))
    return "\n".join(lines)
