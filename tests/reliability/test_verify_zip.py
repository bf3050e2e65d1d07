"""``att referral verify`` cannot be fooled by how the zip is put together: a second member of
the same name (the forged ``bundle.pdf`` placed before the genuine one, which an extractor
shows while verify used to hash the other), names an extractor puts somewhere else, members
the manifest does not list, listed members missing, and a manifest too large to read (a 64 MiB
manifest.json compressed to a few kilobytes is refused without being read into memory)."""

from __future__ import annotations

import hashlib
import json
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from attendance_cli.cli.app import app
from attendance_cli.referrals.bundle import MANIFEST_LIMIT, verify_referral_bundle

GENUINE = {"bundle.pdf": b"%PDF-1.4 the genuine bundle", "chronology.csv": b"date,type\n"}


def _manifest(files: dict[str, bytes]) -> bytes:
    listed = [
        {"path": n, "sha256": hashlib.sha256(d).hexdigest(), "bytes": len(d)}
        for n, d in files.items()
    ]
    body = {"upn": "A899200100001", "route": "prosecution", "files": listed}
    return json.dumps(body).encode()


def _zip(path: Path, members: list[tuple[str, bytes]]) -> Path:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zipfile warns about duplicate names: wanted here
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in members:
                archive.writestr(name, data)
    return path


def _genuine_members(files: dict[str, bytes] = GENUINE) -> list[tuple[str, bytes]]:
    return [*files.items(), ("manifest.json", _manifest(files))]


def test_a_self_consistent_zip_verifies(tmp_path: Path) -> None:
    result = verify_referral_bundle(_zip(tmp_path / "b.zip", _genuine_members()))
    assert (result.ok, result.files_checked, result.problem) == (True, 2, None)


def test_a_forged_copy_before_the_genuine_member_is_refused(tmp_path: Path) -> None:
    forged = [("bundle.pdf", b"%PDF-1.4 a forged bundle"), *_genuine_members()]
    result = verify_referral_bundle(_zip(tmp_path / "forged.zip", forged))
    assert not result.ok
    assert result.duplicates == ["bundle.pdf"]
    assert result.changed == ["bundle.pdf"]  # the forged copy does not match the manifest
    assert "duplicated" in (result.problem or "")


def test_two_identical_copies_are_still_refused(tmp_path: Path) -> None:
    members = _genuine_members()
    result = verify_referral_bundle(_zip(tmp_path / "twice.zip", [members[0], *members]))
    assert not result.ok and result.duplicates == ["bundle.pdf"] and result.changed == []


def test_a_name_differing_only_in_case_is_a_duplicate(tmp_path: Path) -> None:
    members = [("Bundle.pdf", b"%PDF-1.4 a forged bundle"), *_genuine_members()]
    result = verify_referral_bundle(_zip(tmp_path / "case.zip", members))
    assert not result.ok and result.duplicates == ["bundle.pdf"]


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("./bundle.pdf", id="dot-slash"),
        pytest.param("attachments/../bundle.pdf", id="dot-dot"),
        pytest.param("attachments\\note.txt", id="backslash"),
        pytest.param("/etc/bundle.pdf", id="absolute"),
        pytest.param("C:bundle.pdf", id="drive-letter"),
        pytest.param("attachments//note.txt", id="empty-part"),
        pytest.param("attachments/no\u202etxt.fdp", id="bidi-override"),
        pytest.param("attachments/cafe\u0301.txt", id="not-nfc"),
    ],
)
def test_non_normalised_names_are_refused_even_when_listed(tmp_path: Path, name: str) -> None:
    files = {**GENUINE, name: b"listed in the manifest, hash and all"}
    result = verify_referral_bundle(_zip(tmp_path / "names.zip", _genuine_members(files)))
    assert not result.ok
    assert len(result.unsafe_names) == 1 and repr(name) in result.unsafe_names[0]
    assert "unsafe" in (result.problem or "")


def test_unlisted_and_missing_members_are_refused(tmp_path: Path) -> None:
    extra = _zip(tmp_path / "extra.zip", [*_genuine_members(), ("notes.txt", b"slipped in")])
    result = verify_referral_bundle(extra)
    assert (result.ok, result.unexpected) == (False, ["notes.txt"])
    manifest = _manifest(GENUINE)
    missing = _zip(
        tmp_path / "missing.zip",
        [("bundle.pdf", GENUINE["bundle.pdf"]), ("manifest.json", manifest)],
    )
    result = verify_referral_bundle(missing)
    assert (result.ok, result.missing) == (False, ["chronology.csv"])


def test_an_oversized_manifest_is_refused_without_reading_it(tmp_path: Path) -> None:
    path = tmp_path / "bomb.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, data in GENUINE.items():
            archive.writestr(name, data)
        with archive.open("manifest.json", "w") as handle:
            chunk = b" " * (1024 * 1024)
            for _ in range(64):  # 64 MiB of spaces: valid JSON whitespace, ~64 KB compressed
                handle.write(chunk)
    assert path.stat().st_size < 1024 * 1024 and MANIFEST_LIMIT < 64 * 2**20
    tracemalloc.start()
    try:
        result = verify_referral_bundle(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert not result.ok
    assert "more than a bundle's manifest can be" in (result.problem or "")
    assert peak < 16 * 1024 * 1024, f"verify held {peak:,} bytes"


def test_cli_verify_names_the_duplicates_and_exits_1(tmp_path: Path) -> None:
    forged = _zip(
        tmp_path / "forged.zip", [("bundle.pdf", b"%PDF-1.4 forged"), *_genuine_members()]
    )
    result = CliRunner().invoke(
        app, ["--db", str(tmp_path / "none.sqlite"), "referral", "verify", str(forged)]
    )
    assert result.exit_code == 8
    assert "duplicated name: bundle.pdf" in result.stderr
    assert not (tmp_path / "none.sqlite").exists()
    as_json = CliRunner().invoke(
        app,
        [
            "--db",
            str(tmp_path / "none.sqlite"),
            "referral",
            "verify",
            str(forged),
            "--format",
            "json",
        ],
    )
    data = json.loads(as_json.stdout)
    assert as_json.exit_code == 8 and data["ok"] is False and data["duplicates"] == ["bundle.pdf"]
