"""The salesim program never shows its user a traceback: a mistake is a message (exit 2); a bug
is one line naming it and a log file holding the traceback (exit 1)."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

import pytest

import simulator.cli.app as cli
from simulator.cli.entry import main
from tests.conftest import ROOT


@pytest.fixture
def logs(tmp_path, monkeypatch) -> Path:
    """Where error logs go: the temporary folder, here a fresh one."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    return tmp_path


def exit_code(argv: list[str]) -> int:
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    return stopped.value.code


def fail_with(error: BaseException):
    def failing(*args, **kwargs):
        raise error

    return failing


def test_an_internal_error_is_one_line_and_a_log(logs, monkeypatch, capsys):
    monkeypatch.setattr(cli, "scenario_json_schema", fail_with(RuntimeError("boom\nsecond line")))
    assert exit_code(["schema"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    (log,) = logs.glob("salesim-error-*.log")
    assert err == f"salesim: internal error: RuntimeError: boom; details in {log}\n"
    text = log.read_text()
    assert "command: salesim schema" in text
    assert "Traceback (most recent call last)" in text
    assert "RuntimeError: boom" in text and "scenario_json_schema" in text


def test_running_out_of_memory_says_so(logs, monkeypatch, capsys):
    monkeypatch.setattr(cli, "scenario_json_schema", fail_with(MemoryError()))
    assert exit_code(["schema"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("salesim: internal error: out of memory (try fewer --workers")
    assert "details in " in err


def test_an_unwritable_log_still_gives_one_line(monkeypatch, capsys):
    monkeypatch.setattr(tempfile, "tempdir", "/nonexistent/salesim-test")
    monkeypatch.setattr(cli, "scenario_json_schema", fail_with(ValueError("bad")))
    assert exit_code(["schema"]) == 1
    assert capsys.readouterr().err == (
        "salesim: internal error: ValueError: bad; no log could be written\n"
    )


def test_exits_keep_their_codes(logs, tmp_path, monkeypatch, capsys):
    assert exit_code(["version"]) == 0
    assert exit_code(["run", "no-such-scenario"]) == 2
    monkeypatch.setattr(cli, "run_study", fail_with(KeyboardInterrupt()))
    args = ["run", "baseline", "-n", "2", "--set", "market.accounts=200", "--workers", "1"]
    assert exit_code([*args, "--out", str(tmp_path / "out")]) == 130
    assert "Interrupted. To continue" in capsys.readouterr().err
    assert not list(logs.glob("salesim-error-*.log"))


def test_the_installed_command_and_python_m_use_the_wrapper():
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts == {"salesim": "simulator.cli.entry:main"}
    assert (
        "from simulator.cli.entry import main" in (ROOT / "simulator" / "__main__.py").read_text()
    )


def test_a_user_mistake_prints_no_traceback(tmp_path):
    existing = tmp_path / "a-file"
    existing.write_text("")
    done = subprocess.run(
        [sys.executable, "-m", "simulator", "run", "baseline", "--out", str(existing)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "not a folder" in done.stderr
