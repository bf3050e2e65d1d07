"""Registers the views: ``att schools``, ``att pupil show``, ``att report la``."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    from attendance_cli.cli import pupil, report, schools

    app.command("schools")(schools.schools)
    app.add_typer(pupil.app, name="pupil")
    app.add_typer(report.app, name="report")
