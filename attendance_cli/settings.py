"""The officer's and the LA's settings: one TOML file, ``$ATT_CONFIG`` else ``config.toml`` in
the user config folder (``~/.config/att/config.toml`` on Linux), read with ``tomllib``.

The file is general: each feature reads its own table (``[officer]``, ``[la]``, ``[letters]``,
``[penalty]`` so far) and later issues add theirs. A missing file is no settings at all (every
value empty); a file that is not TOML, or a value of the wrong type, is an error naming the file
and the key. Nothing here is ever written by att: the officer edits the file.

```toml
[officer]
name = "Jo Officer"
job_title = "Education Welfare Officer"
phone = "01632 960 123"
email = "jo.officer@example.gov.uk"

[la]
name = "Kestrelford Council"
service = "Attendance Support Service"
address = "Town Hall, High Street, Kestrelford KF1 1AA"   # commas become lines on a letter
phone = "01632 960 000"
email = "attendance@example.gov.uk"
website = "www.example.gov.uk/attendance"

[penalty]
how_to_pay = "Online at www.example.gov.uk/pay quoting the notice number, or by phone on 01632 960 999"
pay_to = "Kestrelford Council, Income Team, Town Hall, Kestrelford KF1 1AA"

[letters]
templates = "~/Documents/att-letters"   # .docx files here replace built-in templates by name
improvement_weeks = 4                    # a notice to improve's improvement period
```
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendance_cli.errors import InvalidInputError

CONFIG_FILE = "config.toml"
ENV_VAR = "ATT_CONFIG"


def settings_path() -> Path:
    """``$ATT_CONFIG``, else ``config.toml`` in the user config folder."""
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_config_dir

    from attendance_cli.config import APP_NAME

    return Path(user_config_dir(APP_NAME, appauthor=False)) / CONFIG_FILE


@dataclass(frozen=True)
class Settings:
    path: Path
    exists: bool
    tables: dict[str, dict[str, Any]]

    def text(self, table: str, key: str) -> str:
        """A text setting, ``""`` when not set."""
        value = self.tables.get(table, {}).get(key)
        if value is None:
            return ""
        if not isinstance(value, str):
            raise InvalidInputError(
                f"Setting {table}.{key} must be text (in quotes), not {type(value).__name__}",
                file=str(self.path),
                hint=f'Write it as {key} = "..." under [{table}].',
            )
        return value.strip()

    def integer(self, table: str, key: str, default: int) -> int:
        value = self.tables.get(table, {}).get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise InvalidInputError(
                f"Setting {table}.{key} must be a whole number",
                file=str(self.path),
                hint=f"Write it as {key} = {default} under [{table}].",
            )
        return value


def load_settings(path: Path | None = None) -> Settings:
    """Read the settings file (``settings_path()`` unless given); a missing file is empty."""
    path = path or settings_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Settings(path, False, {})
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInputError(
            f"The settings file is not valid TOML: {exc}",
            file=str(path),
            hint='Fix the file (key = "value" lines under [table] headings), or move it away.',
        ) from None
    tables: dict[str, dict[str, Any]] = {}
    for name, value in data.items():
        if not isinstance(value, dict):
            raise InvalidInputError(
                f"Setting {name!r} is outside any [table]",
                file=str(path),
                hint="Put each setting under its table heading, e.g. [officer] or [la].",
            )
        tables[name] = value
    return Settings(path, True, tables)
