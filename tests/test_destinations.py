"""Where a command writes is checked when its options are read, before any replication: a
``--json`` or ``--out`` that cannot be written ends the command at once (exit 2), naming the
option, the path and why."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from simulator.cli.app import app
from simulator.cli.destinations import problem

runner = CliRunner()


def test_a_path_that_can_be_written_has_no_problem(tmp_path: Path) -> None:
    (tmp_path / "old.json").write_text("{}")
    assert problem(tmp_path / "old.json", folder=False) is None  # replaced
    assert problem(tmp_path / "new" / "deeper" / "a.json", folder=False) is None  # made
    assert problem(tmp_path, folder=True) is None
    assert problem(tmp_path / "new" / "results", folder=True) is None


def test_a_path_of_the_wrong_kind_says_which_it_is(tmp_path: Path) -> None:
    a_file = tmp_path / "a-file"
    a_file.write_text("")
    assert problem(tmp_path, folder=False) == "a folder, not a file"
    assert problem(a_file, folder=True) == "a file, not a folder"
    assert problem(a_file / "x.json", folder=False) == f"{a_file} is a file, not a folder"
    assert problem(a_file / "x" / "results", folder=True) == f"{a_file} is a file, not a folder"


@pytest.mark.parametrize(
    ("option", "where"),
    [("--json", "a-file/sweep.json"), ("--json", "."), ("--out", "a-file")],
)
def test_a_sweep_with_an_unwritable_destination_stops_before_it_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, option: str, where: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("a-file").write_text("")
    args = ["sweep", "baseline", "--vary", "team.hunters=6,8", "-n", "2", "--workers", "1"]
    out = [] if option == "--out" else ["--out", "results"]
    result = runner.invoke(app, [*args, *out, option, where])
    assert result.exit_code == 2, result.output
    said = "".join(result.output.replace("│", "").split())  # the box may fold a long path
    assert f"Invalidvaluefor'{option}':{where}:" in said
    assert not Path("results").exists()  # nothing ran, nothing was written
