"""Letters: a settings file with every LA and officer detail, and no PDF converter unless a
test asks for one (LibreOffice takes seconds per run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.letter_settings import SETTINGS


@pytest.fixture(autouse=True)
def _letter_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "config.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    monkeypatch.setenv("ATT_CONFIG", str(path))
    monkeypatch.setenv("ATT_SOFFICE", "none")
    return path
