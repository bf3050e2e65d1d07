"""PDF copies of letters with LibreOffice headless, where it is installed.

``soffice --headless --convert-to pdf`` runs once for all the letters of a run, with a private
temporary user profile (so it neither reads nor changes the officer's own LibreOffice settings,
and a LibreOffice window already open does not swallow the job) and a timeout. The PDFs are
written into a private temporary folder, then moved beside the .docx files (0600). The .docx
letters are always complete whatever happens here: a missing converter, a timeout or a failed
conversion is reported as a note, never as an error.

``ATT_SOFFICE`` names the converter (a path); ``ATT_SOFFICE=none`` turns PDFs off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

TIMEOUT_SECONDS = 300


def _lower_priority() -> None:
    """LibreOffice converts at a lower CPU priority (nice 10; and idle I/O priority through
    ``ionice`` where it exists): a bulk run's PDFs take a few busy seconds that should not slow
    the officer's other work (or other att commands)."""
    os.nice(10)


def find_converter() -> str | None:
    named = os.environ.get("ATT_SOFFICE", "").strip()
    if named:
        return None if named.lower() == "none" else (shutil.which(named) or None)
    return shutil.which("soffice") or shutil.which("libreoffice")


def convert_to_pdf(
    paths: list[Path], out_dir: Path, *, timeout: int = TIMEOUT_SECONDS
) -> tuple[dict[Path, Path], str | None]:
    """PDFs of ``paths`` in ``out_dir``: ({docx: pdf}, None), or ({...}, why some or all are
    missing)."""
    converter = find_converter()
    if converter is None:
        return {}, (
            "No PDF made: LibreOffice is not installed (apt-get install libreoffice-writer, or "
            "set ATT_SOFFICE to its soffice); the .docx letters are complete."
        )
    if not paths:
        return {}, None
    made: dict[Path, Path] = {}
    with tempfile.TemporaryDirectory(prefix="att-soffice-") as work:
        profile = Path(work) / "profile"
        converted = Path(work) / "pdf"
        converted.mkdir(mode=0o700)
        idle_io = ["ionice", "-c", "3"] if shutil.which("ionice") else []
        command = [
            *idle_io,
            converter,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            str(converted),
            *[str(p) for p in paths],
        ]
        try:
            subprocess.run(
                command,
                capture_output=True,
                timeout=timeout,
                check=False,
                stdin=subprocess.DEVNULL,
                env={**os.environ, "HOME": work},
                preexec_fn=_lower_priority if hasattr(os, "nice") else None,  # noqa: PLW1509
            )
        except subprocess.TimeoutExpired:
            return (
                {},
                f"No PDF made: LibreOffice took longer than {timeout} s; the .docx letters are complete.",
            )
        except OSError as exc:
            return {}, f"No PDF made: LibreOffice could not be started ({exc.strerror or exc})."
        for docx in paths:
            pdf = converted / (docx.stem + ".pdf")
            if pdf.is_file():
                target = out_dir / pdf.name
                pdf.chmod(0o600)
                shutil.move(str(pdf), str(target))
                made[docx] = target
    missing = len(paths) - len(made)
    if missing:
        return (
            made,
            f"{missing} of {len(paths)} PDF(s) could not be made by LibreOffice; the .docx letters are complete.",
        )
    return made, None
