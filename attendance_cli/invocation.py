"""How to run this very ``att`` again: the command that the demo and hints print.

After the README's first set-up command, ``att`` lives in ``.venv/bin`` and is not on the PATH, so
a bare ``att …`` printed as "try it yourself" would fail as written. This works out a command
that runs the same installation from any folder.
"""

from __future__ import annotations

import os
import shlex
import shutil
import sys
from pathlib import Path


def att_command(argv0: str | None = None, *, path: str | None = None) -> str:
    """``att`` when the ``att`` found on the PATH is the one running; else the running script's
    absolute path; when started as ``python -m attendance_cli``, that interpreter and ``-m``."""
    script = Path(argv0 if argv0 is not None else sys.argv[0])
    if script.name in ("__main__.py", "-m", "-c", "") or script.suffix == ".py":
        return f"{shlex.quote(sys.executable)} -m attendance_cli"
    on_path = shutil.which(script.name, path=path) if script.name == "att" else None
    if on_path and _same_file(on_path, script):
        return "att"
    return shlex.quote(os.path.abspath(script))


def _same_file(a: str | os.PathLike[str], b: str | os.PathLike[str]) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
