"""The demo: a fresh, separate database loaded with the bundled fictional sample LA."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from attendance_cli.errors import AttError
from attendance_cli.registers.importer import ImportResult

SAMPLE_SUFFIXES = {".csv", ".xlsx"}


def sample_data_dir() -> Path:
    """The bundled sample LA: inside the package when installed from a wheel, else the
    repository's top-level ``sample_data/``."""
    package_dir = Path(__file__).resolve().parent
    for candidate in (package_dir / "sample_data", package_dir.parent / "sample_data"):
        if (candidate / "roster.csv").is_file():
            return candidate
    raise AttError(
        "The sample data is missing from this installation of att", hint="Reinstall att."
    )


def sample_files() -> list[Path]:
    folder = sample_data_dir()
    return sorted(
        p
        for p in folder.iterdir()
        if p.suffix in SAMPLE_SUFFIXES and p.stem != "roster" and ".rejected" not in p.name
    )


@dataclass
class DemoResult:
    database: Path
    imports: ImportResult


def run_demo(path: Path) -> DemoResult:
    """Recreate the demo database at ``path`` and import the sample LA into it."""
    from attendance_cli.registers.importer import import_registers
    from attendance_cli.store import open_store

    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store, _ = open_store(path)
    with store:
        roster = sample_data_dir() / "roster.csv"
        result = import_registers(store, paths=[roster, *sample_files()])
    if not result.ok:  # pragma: no cover - the bundled data is tested
        raise AttError("The bundled sample data did not import cleanly; this is a bug in att")
    return DemoResult(path, result)
