"""Look at the workbooks as printed: the sample LA's TSM pack and LA report, rendered by
LibreOffice to PDF and by pdftoppm to one PNG a page.

    python bench/render_workbooks.py [OUT_FOLDER] [--school castle]

Needs ``soffice`` and ``pdftoppm`` (``apt-get install libreoffice-calc poppler-utils``). Prints
each PDF's page count and where the PNGs are; open them to check the layout by eye
(tests/exports/test_print_render.py checks text size and overprinting automatically).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", type=Path, default=None)
    parser.add_argument("--school", default="castle")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="att-render-"))
    out.mkdir(parents=True, exist_ok=True)
    for tool in ("soffice", "pdftoppm"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed: apt-get install libreoffice-calc poppler-utils")
    env = {**os.environ, "XDG_DATA_HOME": str(out / "data")}
    att = [sys.executable, "-m", "attendance_cli"]
    subprocess.run([*att, "demo"], env=env, check=True, capture_output=True)
    database = out / "data" / "att" / "att-demo.sqlite"
    for name, command in (
        ("pack", ["tsm", "prepare", "--school", args.school]),
        ("la", ["report", "la"]),
    ):
        workbook = out / f"{name}.xlsx"
        workbook.unlink(missing_ok=True)
        subprocess.run(
            [*att, "--db", str(database), *command, "--output", str(workbook)],
            env=env,
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{out / 'profile'}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out),
                str(workbook),
            ],
            check=True,
            capture_output=True,
        )
        pdf = out / f"{name}.pdf"
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(out / name)], check=True)
        pages = sorted(out.glob(f"{name}-*.png"))
        print(f"{name}: {len(pages)} pages, {pdf}; PNGs {out}/{name}-*.png")


if __name__ == "__main__":
    main()
