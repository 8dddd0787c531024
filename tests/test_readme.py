"""The README's scenario examples: a reader copies them, so every YAML block must validate."""

from __future__ import annotations

import re

import pytest

from simulator.scenario import load_scenario
from tests.conftest import ROOT

README = ROOT / "README.md"
YAML_BLOCK = re.compile(r"^```ya?ml[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def yaml_blocks() -> list[str]:
    return YAML_BLOCK.findall(README.read_text(encoding="utf-8"))


def test_the_readme_has_a_scenario_example():
    assert yaml_blocks(), "README.md has no ```yaml block"


@pytest.mark.parametrize("index", range(len(yaml_blocks())))
def test_every_yaml_block_is_a_valid_scenario(index, tmp_path):
    path = tmp_path / f"readme-{index}.yaml"
    path.write_text(yaml_blocks()[index], encoding="utf-8")
    scenario = load_scenario(path)  # raises ScenarioError, listing every problem
    assert scenario.variants
