"""The Python examples of reading results (docs/comparing.md) run, on a real run folder, in
what the README's first command installs."""

from __future__ import annotations

import contextlib
import importlib.util
import io
import re
import tomllib

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
GUIDE = (ROOT / "docs" / "comparing.md").read_text(encoding="utf-8")
PYTHON_BLOCK = re.compile(r"^```python[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
PLACEHOLDER = "results/<run-id>"


def section(title: str) -> str:
    start = GUIDE.index(f"\n## {title}\n")
    end = GUIDE.find("\n## ", start + 1)
    return GUIDE[start : end if end >= 0 else None]


def results_snippets() -> list[str]:
    return PYTHON_BLOCK.findall(section("Results"))


def first_command() -> str:
    return re.search(r"```bash\n(.*?)\n```", README, re.DOTALL).group(1)


def imported_modules(code: str) -> set[str]:
    return {m.split(".")[0] for m in re.findall(r"^\s*(?:import|from)\s+([\w.]+)", code, re.M)}


def test_the_results_section_has_python_examples():
    assert results_snippets()
    assert all(PLACEHOLDER in code for code in results_snippets())


def test_the_first_command_is_one_line_that_installs_the_analysis_extra_and_runs():
    command = first_command()
    assert "\n" not in command
    assert "pip install -e '.[analysis]'" in command
    assert command.endswith("salesim run scenarios/death-spiral.yaml")


def test_the_extra_the_first_command_installs_holds_what_the_examples_import():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extra = re.search(r"\.\[(\w+)\]", first_command()).group(1)
    installed = {
        re.split(r"[<>=\[ ;]", requirement)[0].lower()
        for requirement in [*project["dependencies"], *project["optional-dependencies"][extra]]
    }
    needed = set().union(*map(imported_modules, results_snippets()))
    assert needed <= installed | {"simulator"}, f"not installed by the first command: {needed}"
    # and the test environment has the extra, so the examples below really run
    assert f"salesim[{extra}]" in project["optional-dependencies"]["test"]


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("readme")
    args = ["run", "baseline", "-n", "3", "--set", "market.accounts=200"]
    args += ["--set", "horizon_months=12", "--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    (folder,) = out.iterdir()
    return str(folder)


@pytest.mark.parametrize("index", range(len(results_snippets())))
def test_results_example_runs_on_a_real_run(index, run_dir):
    code = results_snippets()[index]
    for module in imported_modules(code):
        assert importlib.util.find_spec(module), f"{module} is not installed"
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code.replace(PLACEHOLDER, run_dir), "docs/comparing.md", "exec"), {})
    assert "baseline" in printed.getvalue()
