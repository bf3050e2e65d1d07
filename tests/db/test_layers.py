"""db/ is layered with no import circle: connection < migrate < postgres < backup < open < engine (the
compatibility front). Function-level imports count too: they were how the old circle hid."""

from __future__ import annotations

import ast
from pathlib import Path

import attendance_cli.db

LAYERS = ["connection", "models", "migrate", "postgres", "info", "backup", "open", "engine"]
DB = Path(attendance_cli.db.__file__).parent


def _db_imports(module: str) -> set[str]:
    tree = ast.parse((DB / f"{module}.py").read_text())
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            parts = name.split(".")
            if parts[:2] == ["attendance_cli", "db"] and len(parts) > 2 and parts[2] in LAYERS:
                found.add(parts[2])
    return found - {module}


def test_every_db_module_is_in_a_layer() -> None:
    modules = {p.stem for p in DB.glob("*.py")} - {"__init__"}
    assert modules == set(LAYERS)


def test_db_modules_import_only_lower_layers() -> None:
    upward = {
        module: sorted(i for i in _db_imports(module) if LAYERS.index(i) > LAYERS.index(module))
        for module in LAYERS
    }
    assert {m: found for m, found in upward.items() if found} == {}
