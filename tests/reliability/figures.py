"""Figures the reliability tests measure (kills survived, generated inputs tried, concurrent
runs), printed at the end of the run and, when ATT_RELIABILITY_FIGURES names a file, written
there as JSON (RELIABILITY.md quotes them). The hooks that report them are in tests/conftest.py
(so the pytest-xdist controller, which collects nothing, has them too)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

FIGURES: Counter[str] = Counter()


def record(name: str, amount: int = 1) -> None:
    FIGURES[name] += amount


def report(terminalreporter: Any) -> None:
    if not FIGURES:
        return
    terminalreporter.section("reliability figures")
    for name in sorted(FIGURES):
        terminalreporter.write_line(f"{name}: {FIGURES[name]:,}")
    target = os.environ.get("ATT_RELIABILITY_FIGURES")
    if target:
        Path(target).write_text(json.dumps(dict(sorted(FIGURES.items())), indent=2) + "\n")
