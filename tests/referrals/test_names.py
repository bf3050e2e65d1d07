"""A sibling's name found as people write it (issue 13.8), and nothing else redacted."""

from __future__ import annotations

import pytest

from attendance_cli.referrals.names import PersonName, redact_names

ISLA = PersonName.parse("Isla Marsden")
assert ISLA is not None


@pytest.mark.parametrize(
    ("text", "redacted"),
    [
        pytest.param("Isla Marsden was away", "[sibling] was away", id="forename-surname"),
        pytest.param("Marsden, Isla was away", "[sibling] was away", id="surname-comma-forename"),
        pytest.param("I. Marsden was away", "[sibling] was away", id="initial"),
        pytest.param("Marsden, I. was away", "[sibling] was away", id="surname-comma-initial"),
        pytest.param("Isla Rose Marsden was away", "[sibling] was away", id="middle-name"),
        pytest.param("IslaMarsden was away", "[sibling] was away", id="joined"),
        pytest.param("Isla\u200bMarsden was away", "[sibling] was away", id="zero-width-space"),
        pytest.param("Is\u00adla Marsden", "[sibling]", id="soft-hyphen-inside"),
        pytest.param("\u00cdsla Marsden was away", "[sibling] was away", id="accent"),
        pytest.param("ISLA  MARSDEN", "[sibling]", id="capitals-two-spaces"),
        pytest.param("Marsden_Isla_letter.pdf", "[sibling]_letter.pdf", id="file-name"),
        pytest.param("isla-marsden.docx", "[sibling].docx", id="hyphenated-file-name"),
        pytest.param("Isla.Marsden@example.org", "[sibling]@example.org", id="email"),
    ],
)
def test_a_name_as_people_write_it_is_redacted(text: str, redacted: str) -> None:
    assert redact_names(text, [ISLA]) == redacted


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Harvey Marsden was away", id="the-child-himself"),
        pytest.param("Mrs Marsden called", id="the-surname-alone"),
        pytest.param("Isla called", id="the-forename-alone"),
        pytest.param("Isla told Mrs Marsden", id="words-between-are-not-middle-names"),
        pytest.param("Marsdenshire Isla", id="inside-a-longer-word"),
        pytest.param("Islander Marsden", id="forename-inside-a-longer-word"),
    ],
)
def test_nothing_else_is_redacted(text: str) -> None:
    assert redact_names(text, [ISLA]) == text


def test_an_accented_name_on_record_matches_plain_text() -> None:
    zoe = PersonName.parse("Zoë O'Brien")
    assert zoe is not None
    assert redact_names("Zoe O'Brien and O'Brien, Zoë", [zoe]) == "[sibling] and [sibling]"


def test_one_word_names_are_not_redacted() -> None:
    assert PersonName.parse("Isla") is None


VARIANTS = [
    "Marsden, Isla",
    "I. Marsden",
    "Isla Rose Marsden",
    "IslaMarsden",
    "Isla\u200b Marsden",
    "\u00cdsla Marsden",
]


def test_no_way_of_writing_a_sibling_reaches_the_bundle(
    sample_conn,
    sample_db,
    tmp_path,  # type: ignore[no-untyped-def]
) -> None:
    import zipfile

    from attendance_cli.cases import documents, notes
    from attendance_cli.config import document_store
    from tests.referrals.builders import HARVEY, OFFICER, build_case
    from tests.referrals.test_bundle import _export, _pdf_text

    build_case(sample_conn, sample_db, tmp_path)
    for variant in VARIANTS:
        notes.add_note(
            sample_conn, upn=HARVEY, text=f"{variant} went on the holiday too", officer=OFFICER
        )
    letter = tmp_path / "Marsden_Isla_school_letter.pdf"
    letter.write_bytes(b"%PDF-1.4 a letter")
    documents.attach_document(
        sample_conn,
        upn=HARVEY,
        file=letter,
        kind="letter",
        store=document_store(sample_db),
        officer=OFFICER,
        description="Letter about I. Marsden",
    )
    out = tmp_path / "bundle.zip"
    _export(sample_conn, sample_db, out)
    with zipfile.ZipFile(out) as archive:
        texts = {
            name: archive.read(name).decode("utf-8", "replace")
            for name in archive.namelist()
            if not name.endswith((".pdf", ".xlsx"))
        }
        names = archive.namelist()
    texts["bundle.pdf"] = "\n".join(_pdf_text(out))
    texts["member names"] = "\n".join(names)
    for name, content in texts.items():
        for needle in ("Isla", "Ísla", "I. Marsden", "IslaMarsden"):
            assert needle not in content, (name, needle)
    assert texts["chronology.csv"].count("[sibling] went on the holiday too") == len(VARIANTS)
