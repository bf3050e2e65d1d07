"""The demo's "try it yourself" lines work as printed, with att not on the PATH (as after the
README's first set-up command, which installs att into .venv/bin only)."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from attendance_cli.invocation import att_command

VENV_ATT = Path(sys.executable).with_name("att")


def _path_without_att() -> str:
    folders = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join(f for f in folders if not (Path(f) / "att").exists())


def test_att_command_for_a_script_not_on_the_path(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "att"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert att_command(str(script), path=str(tmp_path / "elsewhere")) == shlex.quote(str(script))


def test_att_command_is_bare_when_the_path_finds_this_script(tmp_path: Path) -> None:
    script = tmp_path / "bin" / "att"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    assert att_command(str(script), path=str(script.parent)) == "att"


def test_att_command_for_python_dash_m() -> None:
    assert att_command("/x/attendance_cli/__main__.py") == (
        f"{shlex.quote(sys.executable)} -m attendance_cli"
    )


@pytest.mark.skipif(not VENV_ATT.exists(), reason="att console script not installed beside python")
def test_demo_try_lines_run_as_printed(tmp_path: Path) -> None:
    env = {**os.environ, "PATH": _path_without_att(), "XDG_DATA_HOME": str(tmp_path / "data")}
    demo = subprocess.run(
        [str(VENV_ATT), "demo"], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert demo.returncode == 0, demo.stderr
    lines = demo.stdout.split("Try it yourself on the demo database:\n", 1)[1].splitlines()
    commands = [line.strip() for line in lines if line.strip()]
    assert len(commands) == 4
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    for command in commands:
        assert not command.startswith("att "), command  # att is not on this PATH
        ran = subprocess.run(
            ["bash", "-c", command], cwd=elsewhere, env=env, capture_output=True, text=True
        )
        assert ran.returncode == 0, (command, ran.stderr)
    assert (elsewhere / "castle-hill-tsm.xlsx").is_file()
