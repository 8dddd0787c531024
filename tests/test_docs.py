"""Every code block a reader copies from the README or the docs works:

- every YAML block is a valid scenario (a fragment, without its own name, is checked inside a
  minimal scenario);
- every `salesim` command line in a bash block names a real command and only options that
  command has (parsed, not run: the guides' runs take minutes);
- the README stays a page (at most 150 lines) that links only to files that exist.

The Python examples run in `tests/test_readme_snippets.py`; the site itself is built with
`mkdocs build --strict` in `.ci/run`."""

from __future__ import annotations

import re
import shlex

import pytest
import typer
import yaml

from simulator.cli.app import app
from simulator.scenario.resolve import load_scenario
from tests.conftest import ROOT

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
YAML_BLOCK = re.compile(r"^```ya?ml[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
BASH_BLOCK = re.compile(r"^```bash[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
README_LINES = 150


def blocks(pattern: re.Pattern[str]) -> list[tuple[str, str]]:
    return [(page.name, block) for page in PAGES for block in pattern.findall(page.read_text())]


def command_lines() -> list[tuple[str, str]]:
    found = []
    for page, block in blocks(BASH_BLOCK):
        text = block.replace("\\\n", " ")
        for line in text.splitlines():
            line = line.split(" # ")[0].strip()
            for part in re.split(r"\s*(?:&&|\|)\s*", line):
                part = re.sub(r"^(\.venv/bin/)", "", part.strip())
                if part.startswith("salesim "):
                    found.append((page, part.split(" >")[0]))
    return found


def test_there_are_examples_to_check():
    assert len(blocks(YAML_BLOCK)) >= 3 and len(command_lines()) >= 40


@pytest.mark.parametrize(("page", "block"), blocks(YAML_BLOCK))
def test_every_yaml_block_is_a_valid_scenario(page, block, tmp_path):
    data = yaml.safe_load(block)
    assert isinstance(data, dict), page
    data.setdefault("name", "docs example")
    data.setdefault("description", f"a block of {page}")
    path = tmp_path / "example.yaml"
    path.write_text(yaml.safe_dump(data))
    assert load_scenario(path).variants, page


GROUP = typer.main.get_command(app)
CONTEXT = GROUP.context_class(GROUP, info_name="salesim")


@pytest.mark.parametrize(("page", "line"), command_lines())
def test_every_salesim_command_line_names_real_options(page, line):
    words = shlex.split(line)[1:]
    assert words, line
    command = GROUP.get_command(CONTEXT, words[0])
    assert command is not None, f"{page}: no command {words[0]!r}: {line}"
    known = {opt for param in command.params for opt in (*param.opts, *param.secondary_opts)}
    known |= {"--help"}
    for word in words[1:]:
        if word.startswith("-") and word != "-":
            option = word.split("=")[0]
            assert option in known, f"{page}: {option} is not an option of {words[0]}: {line}"


def test_the_readme_is_a_page_that_links_to_what_exists():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= README_LINES
    for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", text):
        assert (ROOT / target).exists(), target
