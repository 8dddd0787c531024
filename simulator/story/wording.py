"""The words shared by every line of a story: names, money, counts and wrapped paragraphs."""

from __future__ import annotations

import textwrap

WIDTH = 100  # text columns
# Distinct first names of at most 6 letters (a projector lane), one per hunter of a replication;
# the first ten stay first so that stories told before keep their names.
HUNTER_NAMES = (
    "Dana", "Sam", "Priya", "Leo", "Maya", "Tom", "Ines", "Kofi", "Yuki", "Ravi",
    "Amara", "Bruno", "Chen", "Elif", "Farah", "Gus", "Hiro", "Ivan", "Jonas", "Kemal",
    "Lucia", "Mateo", "Nadia", "Omar", "Pablo", "Quinn", "Rosa", "Sipho", "Tariq", "Uma",
    "Vera", "Wes", "Ximena", "Yara", "Zane", "Aisha", "Boris", "Carmen", "Diego", "Emeka",
    "Fiona", "Gemma", "Hector", "Ingrid", "Jamal", "Kenji", "Lena", "Malik", "Noor", "Olga",
    "Petra", "Rhys", "Sven", "Tunde", "Ulla", "Viktor", "Walt", "Xavi", "Yusuf", "Zoe",
    "Anika", "Bjorn", "Chloe", "Dmitri", "Esther", "Femi", "Greta", "Hassan", "Imani", "Julia",
    "Kwame", "Lars", "Mei", "Nikhil", "Oscar", "Ruth", "Selin", "Tessa", "Ngozi", "Aiko",
)  # fmt: skip
MILLION = 1e6
THOUSAND = 1e3


def wrap(text: str, width: int, first: str = "", rest: str = "") -> list[str]:
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest, break_on_hyphens=False
    )


def hunter_name(hunter: int) -> str:
    """A first name of its own for each hunter of a replication, numbered only once the
    names run out (hunter 80 is "Dana 2")."""
    base = HUNTER_NAMES[hunter % len(HUNTER_NAMES)]
    return base if hunter < len(HUNTER_NAMES) else f"{base} {hunter // len(HUNTER_NAMES) + 1}"


def money(usd: float) -> str:
    if usd >= MILLION:
        return f"${usd / MILLION:.1f}M"
    if usd == 0:
        return "$0"
    return f"${usd / THOUSAND:.0f}k"


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def share(count: int, total: int) -> str:
    return f"{count}/{total} ({count / total:.0%})"


def replications_span(first: int, last: int) -> str:
    return f"replication {first}" if first == last else f"replications {first}-{last}"
