"""The bundle's PDF: cover, index with page numbers, then the evidence, in reportlab.

Why reportlab: the long-established PDF library for Python (BSD licence, maintained since
2000); its page-layout engine splits long tables across pages with the header row repeated,
builds a table of contents with page numbers in extra passes, and ships the Bitstream Vera
TrueType family, which is embedded here (subset) so names print as written: Vera covers
Latin-1 and most of Latin Extended-A (``Zoë Ó'Brien``, ``Łukasz``, ``Šimić``). A character
outside Vera is transliterated (accents removed; ``?`` failing that) and the cover says so;
the exact spelling stays in the CSV files and the manifest.

Only this module imports reportlab, and only when a bundle is built.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import unicodedata
from collections import Counter
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape

if TYPE_CHECKING:
    from attendance_cli.referrals.content import BundleContent

FONT = "AttVera"
FONT_BOLD = "AttVera-Bold"
FONT_ITALIC = "AttVera-Italic"
FONT_BOLD_ITALIC = "AttVera-BoldItalic"

_glyphs: set[int] | None = None


def _register_fonts() -> set[int]:
    """Register the Vera family once; return the code points it can draw."""
    global _glyphs
    if _glyphs is not None:
        return _glyphs
    import reportlab
    from reportlab.lib.fonts import addMapping
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    folder = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
    regular = TTFont(FONT, os.path.join(folder, "Vera.ttf"))
    for name, file in (
        (FONT, None),
        (FONT_BOLD, "VeraBd.ttf"),
        (FONT_ITALIC, "VeraIt.ttf"),
        (FONT_BOLD_ITALIC, "VeraBI.ttf"),
    ):
        pdfmetrics.registerFont(
            regular if file is None else TTFont(name, os.path.join(folder, file))
        )
    addMapping(FONT, 0, 0, FONT)
    addMapping(FONT, 1, 0, FONT_BOLD)
    addMapping(FONT, 0, 1, FONT_ITALIC)
    addMapping(FONT, 1, 1, FONT_BOLD_ITALIC)
    _glyphs = set(regular.face.charToGlyph)
    return _glyphs


class _Printable:
    """Text the embedded font can draw; remembers what it had to transliterate."""

    def __init__(self, glyphs: set[int]) -> None:
        self.glyphs = glyphs
        self.replaced: set[str] = set()
        self.long_entries: list[str] = []  # text too long for a table cell (``cell``)

    def __call__(self, value: Any) -> str:
        text = "" if value is None else str(value)
        if all(ord(ch) in self.glyphs or ch in "\n\t" for ch in text):
            return text
        out = []
        for ch in text:
            if ord(ch) in self.glyphs or ch in "\n\t":
                out.append(ch)
                continue
            base = "".join(
                c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c)
            )
            swap = base if base and all(ord(c) in self.glyphs for c in base) else "?"
            self.replaced.add(f"{ch} (U+{ord(ch):04X}) as {swap}")
            out.append(swap)
        return "".join(out)

    def para(self, value: Any) -> str:
        """Escaped for a Paragraph (its mini-markup), line breaks kept."""
        return escape(self(value)).replace("\n", "<br/>")

    def cell(self, value: Any, style: Any) -> Any:
        """A table cell's paragraph. Text longer than ``LONG_ENTRY`` shows its beginning and
        is printed whole under "Long entries in full" (``_long_entries``): reportlab re-breaks
        a paragraph every time a page splits it, so a 256,000-character note drawn inside the
        chronology table took 45 s; outside a table, in pieces, it takes time in proportion
        to its length."""
        from reportlab.platypus import Paragraph

        text = "" if value is None else str(value)
        if len(text) <= LONG_ENTRY:
            return Paragraph(self.para(text), style)
        self.long_entries.append(text)
        number = len(self.long_entries)
        start = next(_pieces(text, LONG_ENTRY_SHOWN))
        return Paragraph(
            f"{self.para(start)} … <i>(continued: printed in full under “Long entries in full”, "
            f"entry {number}, {len(text):,} characters)</i>",
            style,
        )


def _styles() -> dict[str, Any]:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle

    base = ParagraphStyle("Body", fontName=FONT, fontSize=9.5, leading=12.5, spaceAfter=4)
    return {
        "body": base,
        "small": ParagraphStyle("Small", parent=base, fontSize=8, leading=10, spaceAfter=5),
        "cell": ParagraphStyle("Cell", parent=base, fontSize=8, leading=9.8, spaceAfter=0),
        "cell_bold": ParagraphStyle(
            "CellBold", parent=base, fontName=FONT_BOLD, fontSize=8, leading=9.8, spaceAfter=0
        ),
        "mono": ParagraphStyle("Mono", parent=base, fontSize=6.5, leading=8, spaceAfter=0),
        "title": ParagraphStyle(
            "Title", parent=base, fontName=FONT_BOLD, fontSize=20, leading=25, spaceAfter=6
        ),
        "subtitle": ParagraphStyle(
            "Subtitle",
            parent=base,
            fontSize=12,
            leading=16,
            spaceAfter=14,
            textColor=colors.HexColor("#333333"),
        ),
        "h1": ParagraphStyle(
            "Heading1",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=14,
            leading=18,
            spaceBefore=0,
            spaceAfter=8,
        ),
        "h2": ParagraphStyle(
            "Heading2",
            parent=base,
            fontName=FONT_BOLD,
            fontSize=11,
            leading=14,
            spaceBefore=8,
            spaceAfter=4,
        ),
        "toc0": ParagraphStyle("TOC0", parent=base, fontSize=10.5, leading=16),
        "index_title": ParagraphStyle(
            "IndexTitle", parent=base, fontName=FONT_BOLD, fontSize=14, leading=18, spaceAfter=8
        ),
        "warning": ParagraphStyle(
            "Warning",
            parent=base,
            fontName=FONT_BOLD,
            textColor=colors.HexColor("#8B0000"),
            borderColor=colors.HexColor("#8B0000"),
            borderWidth=1,
            borderPadding=6,
            spaceBefore=8,
            spaceAfter=12,
        ),
        "ok": ParagraphStyle(
            "Ok",
            parent=base,
            fontName=FONT_BOLD,
            borderColor=colors.HexColor("#1B5E20"),
            textColor=colors.HexColor("#1B5E20"),
            borderWidth=1,
            borderPadding=6,
            spaceBefore=8,
            spaceAfter=12,
        ),
    }


GRID_LINE = "#9E9E9E"
CHECKLIST_EVIDENCE_SHOWN = 6  # lines of evidence per checklist item; the rest are in the sections
HEADER_BG = "#E0E6EF"
UNAUTHORISED_BG = "#F8D7DA"
AUTHORISED_BG = "#FFF3CD"


def _table(
    rows: list[list[Any]],
    widths: list[float],
    *,
    header_rows: int = 1,
    extra: list[tuple[Any, ...]] | None = None,
    font_size: float = 8,
    grid: bool = True,
) -> Any:
    from reportlab.lib import colors
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.platypus import Paragraph, Table, TableStyle

    # text wider than its column wraps (as a paragraph) instead of running over the next cell
    plain = ParagraphStyle("Wrap", fontName=FONT, fontSize=font_size, leading=font_size * 1.22)
    bold = ParagraphStyle("WrapBold", parent=plain, fontName=FONT_BOLD)
    rows = [
        [
            Paragraph(escape(cell).replace("\n", "<br/>"), bold if r < header_rows else plain)
            if isinstance(cell, str)
            and any(
                stringWidth(line, FONT_BOLD if r < header_rows else FONT, font_size) > width - 6
                for line in cell.split("\n")
            )
            else cell
            for cell, width in zip(row, widths, strict=True)
        ]
        for r, row in enumerate(rows)
    ]
    table = Table(rows, colWidths=widths, repeatRows=header_rows, hAlign="LEFT", splitInRow=1)
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), FONT, font_size),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if grid:
        style.append(("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor(GRID_LINE)))
    if header_rows:
        style += [
            ("FONT", (0, 0), (-1, header_rows - 1), FONT_BOLD, font_size),
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor(HEADER_BG)),
        ]
    table.setStyle(TableStyle(style + (extra or [])))
    return table


def _date(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _fit(text: str, font: str, size: float, width: float) -> str:
    """``text`` cut (with an ellipsis) to fit ``width`` points."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    if stringWidth(text, font, size) <= width:
        return text
    while text and stringWidth(text + "…", font, size) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _iso_date(value: str | None) -> str:
    return _date(dt.date.fromisoformat(value[:10])) if value else ""


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


def render_bundle_pdf(content: BundleContent) -> tuple[bytes, int, list[str]]:
    """The PDF's bytes, its page count and the transliterations made (empty when none)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate
    from reportlab.platypus.tableofcontents import TableOfContents

    glyphs = _register_fonts()
    text = _Printable(glyphs)
    styles = _styles()
    page_width, page_height = A4
    margin = 18 * mm
    frame_width = page_width - 2 * margin
    pages: dict[str, int] = {"count": 0, "used": -1}

    footer_left = text(
        f"{content.case_file.pupil.name} ({content.case_file.pupil.upn}) | period "
        f"{_date(content.case_file.period.start)} to {_date(content.case_file.period.end)} | "
        f"{content.check.route.label}"
    )
    footer_right_base = text(
        f"att {content.tool_version}, generated {content.generated_at:%d/%m/%Y %H:%M} UTC"
    )

    def footer(canvas: Any, doc: Any) -> None:
        from reportlab.lib import colors

        total = pages["count"] or "?"
        canvas.saveState()
        canvas.setStrokeColor(colors.HexColor(GRID_LINE))
        canvas.setLineWidth(0.4)
        canvas.line(margin, 13 * mm, page_width - margin, 13 * mm)
        canvas.setFont(FONT, 7.5)
        canvas.drawString(margin, 9 * mm, _fit(footer_left, FONT, 7.5, frame_width - 70))
        canvas.drawRightString(page_width - margin, 9 * mm, f"Page {doc.page} of {total}")
        canvas.setFont(FONT, 6.5)
        canvas.drawString(margin, 5.5 * mm, footer_right_base)
        canvas.drawRightString(page_width - margin, 5.5 * mm, "OFFICIAL-SENSITIVE: personal data")
        canvas.restoreState()

    class BundleDoc(BaseDocTemplate):
        """Each layout pass records its page count; the footer's "of M" uses the last pass's
        (multiBuild lays the story out until the index is stable)."""

        def build(self, *args: Any, **kwargs: Any) -> None:
            pages["used"] = pages["count"]
            super().build(*args, **kwargs)
            pages["count"] = self.page

        def afterFlowable(self, flowable: Any) -> None:  # noqa: N802 - reportlab's name
            style = getattr(flowable, "style", None)
            if style is not None and style.name == "Heading1":
                label = flowable.getPlainText()
                key = f"s{self.seq.nextf('heading')}"
                self.canv.bookmarkPage(key)
                self.canv.addOutlineEntry(label, key, level=0)
                self.notify("TOCEntry", (0, label, self.page, key))

    buffer = io.BytesIO()
    doc = BundleDoc(
        buffer,
        pagesize=A4,
        leftMargin=margin,
        rightMargin=margin,
        topMargin=margin,
        bottomMargin=20 * mm,
        title=text(
            f"Evidence bundle: {content.case_file.pupil.name} - {content.check.route.label}"
        ),
        author=text(content.officer),
        subject=text(f"Legal referral ({content.check.route.law})"),
        creator=f"att {content.tool_version}",
        invariant=True,
    )
    frame = Frame(margin, 20 * mm, frame_width, page_height - margin - 20 * mm, id="body")
    doc.addPageTemplates([PageTemplate(id="page", frames=[frame], onPage=footer)])

    toc = TableOfContents()
    toc.levelStyles = [styles["toc0"]]
    toc.dotsMinLevel = 0

    story: list[Any] = []
    story += _cover(content, text, styles, frame_width)
    story += _index(toc, styles)
    if content.statement is not None:
        story += _statement(content, text, styles, frame_width)
    if content.copy != "court":  # the LA's internal assessment: the legal team's copy only
        story += _checklist(content, text, styles, frame_width)
    story += _family(content, text, styles, frame_width)
    story += _summary(content, text, styles, frame_width)
    story += _certificates(content, text, styles, frame_width)
    story += _register(content, text, styles, frame_width)
    story += _unauthorised(content, text, styles, frame_width)
    story += _chronology(content, text, styles, frame_width)
    story += _actions(content, text, styles, frame_width)
    story += _notices(content, text, styles, frame_width)
    story += _changes(content, text, styles, frame_width)
    story += _long_entries(text, styles)
    story += _sources(content, text, styles, frame_width)
    story += _exhibits(content, text, styles, frame_width)
    if text.replaced:
        # the cover's note about transliteration needs to know; rebuild with it
        note = _transliteration_note(text, styles)
        story.insert(_COVER_NOTE_AT, note)
    doc.multiBuild(story)
    if pages["used"] != pages["count"]:  # the last pass printed another total: once more
        buffer.seek(0)
        buffer.truncate()
        doc.multiBuild(story)
    return buffer.getvalue(), pages["count"], sorted(text.replaced)


_COVER_NOTE_AT = 4  # after title, subtitle, facts table and readiness box

LONG_ENTRY = 3_000  # characters: longer text in a table cell is printed in full after the tables
LONG_ENTRY_SHOWN = 600  # characters of it shown in the cell
LONG_ENTRY_PIECE = 2_000  # characters a paragraph when it is printed in full


def _long_entries(text: _Printable, styles: dict[str, Any]) -> list[Any]:
    """The texts ``_Printable.cell`` cut short in the tables, each printed whole as paragraphs
    of ``LONG_ENTRY_PIECE`` characters (a frame splits a list of short paragraphs cheaply; one
    long paragraph is re-broken at every page)."""
    if not text.long_entries:
        return []
    story = _h1("Long entries in full", styles)
    for number, entry in enumerate(text.long_entries, start=1):
        story.append(_p(f"<b>Entry {number}</b> ({len(entry):,} characters)", styles["body"]))
        story += [
            _p(text.para(piece), styles["body"]) for piece in _pieces(entry, LONG_ENTRY_PIECE)
        ]
    return story


def _pieces(text: str, size: int) -> Iterator[str]:
    """``text`` in consecutive pieces of at most ``size`` characters, cut at the last line end
    in a piece, else at the last space (dropped at the cut, as wrapping would not show it); a
    single word longer than ``size`` is cut where it is."""
    start = 0
    while len(text) - start > size:
        window = text[start : start + size]
        cut = window.rfind("\n")
        if cut <= 0:
            cut = window.rfind(" ")
        if cut <= 0:
            yield window
            start += size
            continue
        yield text[start : start + cut]
        start += cut + 1
    yield text[start:]


def _transliteration_note(text: _Printable, styles: dict[str, Any]) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(
        escape(
            "Some characters could not be printed in this document's font and were "
            f"transliterated ({'; '.join(sorted(r.split(' ', 1)[1] for r in text.replaced))}). "
            "The exact spelling held "
            "is in the register and chronology CSV files and in manifest.json."
        ),
        styles["small"],
    )


def _h1(title: str, styles: dict[str, Any], *, new_page: bool = True) -> list[Any]:
    from reportlab.platypus import PageBreak, Paragraph, Spacer

    return ([PageBreak()] if new_page else [Spacer(1, 14)]) + [
        Paragraph(escape(title), styles["h1"])
    ]


def _p(value: str, style: Any) -> Any:
    from reportlab.platypus import Paragraph

    return Paragraph(value, style)


def _cover(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    from reportlab.platypus import Paragraph, Spacer

    cf = content.case_file
    pupil = cf.pupil
    route = content.check.route
    schools = "; ".join(f"{e.school_name} ({e.laestab})" for e in cf.enrolments) or "none"
    as_at = content.as_at
    as_at_text = (
        f"{as_at.file_name}, imported {as_at.imported_at[:16]} UTC, register marks to "
        f"{_date(dt.date.fromisoformat(as_at.date_to))}"
        if as_at and as_at.date_to
        else "no register import covers the period"
    )
    rows = [
        ["Pupil", pupil.name],
        ["UPN", pupil.upn],
        ["Date of birth", _date(pupil.date_of_birth)],
        ["School(s)", schools],
        ["Route", f"{route.label} ({route.law})"],
        [
            "Period",
            f"{_date(cf.period.start)} to {_date(cf.period.end)} ({cf.period.label})",
        ],
        ["Generated at", f"{content.generated_at:%d/%m/%Y %H:%M:%S} UTC by {content.officer}"],
        ["Database as at", as_at_text],
    ]
    table = _table(
        [
            [_p(text.para(k), styles["cell_bold"]), _p(text.para(v), styles["cell"])]
            for k, v in rows
        ],
        [38 * 2.834645669, width - 38 * 2.834645669],
        header_rows=0,
        font_size=9,
    )
    story: list[Any] = [
        Paragraph("Legal referral: evidence bundle", styles["title"]),
        Paragraph(escape(text(f"{route.label} — {pupil.name}")), styles["subtitle"]),
        table,
    ]
    if content.copy == "court":
        story.append(
            Paragraph(
                "Court copy: the evidence only (the local authority's internal readiness "
                "checklist is in the legal team's copy).",
                styles["ok"],
            )
        )
    elif content.forced:
        missing = "; ".join(i.title for i in content.check.missing)
        story.append(
            Paragraph(
                text.para(
                    f"EXPORTED WITH AN OVERRIDE by {content.officer}: the readiness check was "
                    f"not met (missing: {missing}). Reason given: {content.reason}"
                ),
                styles["warning"],
            )
        )
    else:
        story.append(
            Paragraph(
                "Readiness check: every item for this route is met or not applicable.",
                styles["ok"],
            )
        )
    story.append(Spacer(1, 4))
    story.append(
        Paragraph(
            escape(
                "Contents: the pages listed in the index, and in the same folder of the bundle "
                "register-extract.csv / .xlsx (every session of the period), chronology.csv, "
                "attachments/ (the exhibits) and manifest.json (the SHA-256 of every file; check "
                "it with `att referral verify`)."
            ),
            styles["small"],
        )
    )
    return story


def _statement(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    """The draft witness statement (``referrals.statement``), as the s.9 form lays it out."""
    from attendance_cli.referrals.statement import AUTHORITY, BLANK, DECLARATION, DRAFT_NOTE

    statement = content.statement
    assert statement is not None
    story = _h1("Witness statement (draft)", styles)
    story.append(_p(text.para(f"({AUTHORITY})"), styles["small"]))
    story.append(_p(text.para(DRAFT_NOTE), styles["warning"]))
    story.append(
        _table(
            [
                [_p(text.para(k), styles["cell_bold"]), _p(text.para(v), styles["cell"])]
                for k, v in statement.heading
            ],
            [0.3 * width, 0.7 * width],
            header_rows=0,
        )
    )
    story.append(_p(text.para(DECLARATION), styles["body"]))
    story.append(_p(text.para(f"Signature: {BLANK}    Date: {BLANK}"), styles["body"]))
    for number, paragraph in enumerate(statement.paragraphs, start=1):
        for piece in _pieces(f"{number}. {paragraph}", LONG_ENTRY_PIECE):
            story.append(_p(text.para(piece), styles["body"]))
    story.append(_p(text.para(f"Signature: {BLANK}    Date: {BLANK}"), styles["body"]))
    return story


def _index(toc: Any, styles: dict[str, Any]) -> list[Any]:
    from reportlab.platypus import PageBreak, Paragraph

    return [PageBreak(), Paragraph("Index", styles["index_title"]), toc]


def _checklist(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    names = {"met": "Met", "missing": "MISSING", "not_applicable": "Not applicable"}
    rows: list[list[Any]] = [["Item", "Status", "Finding"]]
    extra = []
    for item in content.checklist:  # redacted, without the siblings item (referrals.content)
        rows.append(
            [
                _p(text.para(item.title), styles["cell"]),
                names[item.status],
                _p(
                    "<br/>".join(
                        [text.para(item.detail)]
                        + [
                            "• " + text.para(f"{_date(e.date) + ': ' if e.date else ''}{e.text}")
                            for e in item.evidence[:CHECKLIST_EVIDENCE_SHOWN]
                        ]
                        + (
                            [
                                f"… and {len(item.evidence) - CHECKLIST_EVIDENCE_SHOWN} more "
                                "(see the chronology and the actions)"
                            ]
                            if len(item.evidence) > CHECKLIST_EVIDENCE_SHOWN
                            else []
                        )
                    ),
                    styles["cell"],
                ),
            ]
        )
        if item.status == "missing":
            from reportlab.lib import colors

            extra.append(
                (
                    "BACKGROUND",
                    (1, len(rows) - 1),
                    (1, len(rows) - 1),
                    colors.HexColor(UNAUTHORISED_BG),
                )
            )
    intro = _p(
        text.para(
            f"Checked on {_date(content.check.checked_on)} for {content.check.route.label}. "
            "How each item is decided is set out in att's documentation (att referral check)."
        ),
        styles["body"],
    )
    return _h1("Readiness checklist", styles) + [
        intro,
        _table(rows, [0.34 * width, 0.12 * width, 0.54 * width], extra=extra),
    ]


def _family(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    cf = content.case_file
    pupil = cf.pupil
    sen = {"N": "none", "K": "SEN support", "E": "EHC plan"}.get(
        pupil.sen or "", pupil.sen or "not recorded"
    )
    social = {"CIN": "child in need", "CP": "child protection plan"}.get(
        pupil.social_worker or "", pupil.social_worker or "none recorded"
    )
    details = [
        ["Name", pupil.name],
        ["UPN", pupil.upn],
        ["Date of birth", _date(pupil.date_of_birth)],
        ["Gender", pupil.gender or ""],
        ["Special educational needs", sen],
        ["Social worker", social],
        ["Looked after", {True: "yes", False: "no", None: "not recorded"}[pupil.looked_after]],
    ]
    k = 0.3 * width
    story = _h1("Pupil and family", styles) + [
        _table(
            [
                [_p(text.para(a), styles["cell_bold"]), _p(text.para(b), styles["cell"])]
                for a, b in details
            ],
            [k, width - k],
            header_rows=0,
        ),
        _p("Schools", styles["h2"]),
    ]
    rows: list[list[Any]] = [["School", "LAESTAB", "Year group", "Entry", "Leaving"]]
    for e in cf.enrolments:
        rows.append(
            [
                _p(text.para(e.school_name), styles["cell"]),
                e.laestab,
                e.year_group or "",
                _date(dt.date.fromisoformat(e.entry_date[:10])) if e.entry_date else "",
                _date(dt.date.fromisoformat(e.leaving_date[:10])) if e.leaving_date else "",
            ]
        )
    story.append(
        _table(rows, [0.4 * width, 0.14 * width, 0.14 * width, 0.16 * width, 0.16 * width])
    )
    # Only the parents' data go in: contact details for a parent with parental responsibility
    # (or not recorded, treated as having it, as the checklist does); anyone else by name and
    # relationship only.
    story.append(_p("Parents with parental responsibility", styles["h2"]))
    rows = [["Name", "Relationship", "Parental responsibility", "Address", "Phone / e-mail"]]
    for c in cf.parents:
        rows.append(
            [
                _p(text.para(c.name), styles["cell"]),
                _p(text.para(c.relationship or ""), styles["cell"]),
                {True: "yes", False: "no", None: "not recorded"}[c.parental_responsibility],
                _p(text.para(c.address or "not recorded"), styles["cell"]),
                _p(text.para("\n".join(filter(None, [c.phone, c.email]))), styles["cell"]),
            ]
        )
    if len(rows) == 1:
        rows.append(["none recorded", "", "", "", ""])
    story.append(_table(rows, [w * width for w in (0.17, 0.13, 0.14, 0.26, 0.30)]))
    others = [c for c in cf.contacts if not c.needs_letter]
    if others:
        story.append(
            _p(
                "Other contacts (no parental responsibility): name and relationship only",
                styles["h2"],
            )
        )
        rows = [["Name", "Relationship"]]
        rows += [
            [
                _p(text.para(c.name), styles["cell"]),
                _p(text.para(c.relationship or "not recorded"), styles["cell"]),
            ]
            for c in others
        ]
        story.append(_table(rows, [0.5 * width, 0.5 * width]))
    return story


def _figure_row(label: str, f: Any, text: _Printable, styles: dict[str, Any]) -> list[Any]:
    return [
        _p(text.para(label), styles["cell"]),
        str(f.possible),
        str(f.attended),
        str(f.authorised),
        str(f.unauthorised),
        f"{f.sessions_missed / 2:g}",
        _pct(f.attendance_pct),
        str(f.missing),
    ]


def _summary(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    from reportlab.lib import colors

    cf = content.case_file
    head = [
        "",
        "Possible",
        "Attended",
        "Authorised",
        "Unauthorised",
        "Days missed",
        "Attendance",
        "No mark\nyet",
    ]
    # each header on one line (but the last, on two) at 8 pt bold
    widths = [w * width for w in (0.19, 0.1, 0.11, 0.115, 0.14, 0.13, 0.12, 0.095)]
    story = _h1("Attendance summary", styles) + [
        _p(
            escape(
                "Sessions (two a school day). Possible = present + approved educational activity "
                "+ authorised + unauthorised absence; attended = present + approved educational "
                "activity (DfE definitions). Sessions not possible (e.g. # closure, D dual "
                "registration, X, Y, Z) and sessions with no mark are not counted. No mark "
                "yet: sessions marked - (no mark entered yet), missing data reported here and "
                "never counted as present or absent."
            ),
            styles["small"],
        )
    ]
    py0, py1 = cf.previous_year
    for title, getter, total in (
        (
            f"The period: {_date(cf.period.start)} to {_date(cf.period.end)}",
            lambda e: e.period,
            cf.figures,
        ),
        (
            f"Previous academic year: {_date(py0)} to {_date(py1)}",
            lambda e: e.previous_year,
            cf.previous_figures,
        ),
    ):
        rows: list[list[Any]] = [head]
        shown = [e for e in cf.enrolments if getter(e).possible or getter(e).missing]
        for e in shown:
            rows.append(_figure_row(f"{e.school_name} ({e.laestab})", getter(e), text, styles))
        if len(shown) != 1:
            rows.append(_figure_row("All schools", total, text, styles))
        extra: list[tuple[Any, ...]] = [("ALIGN", (1, 0), (-1, -1), "RIGHT")]
        if len(shown) != 1:
            extra.append(("FONT", (0, len(rows) - 1), (-1, len(rows) - 1), FONT_BOLD, 8))
            extra.append(("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 0.8, colors.black))
        story += [_p(escape(title), styles["h2"]), _table(rows, widths, extra=extra)]
        if not shown:
            story.append(_p("No possible sessions in this period.", styles["small"]))
    return story


def _certificates(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    from reportlab.platypus import Spacer

    cf = content.case_file
    pupil = cf.pupil
    story: list[Any] = []
    shown = [e for e in cf.enrolments if e.period.possible]
    for number, e in enumerate(shown):
        f = e.period
        title = "Certificate of attendance" + (f" ({e.school_name})" if len(shown) > 1 else "")
        if number == 0:
            story += _h1("Certificate of attendance", styles)
            if len(shown) > 1:
                story.append(_p(escape(title), styles["h2"]))
        else:
            from reportlab.platypus import PageBreak

            story += [PageBreak(), _p(escape(title), styles["h2"])]
        dob = f", born {_date(pupil.date_of_birth)}" if pupil.date_of_birth else ""
        # the dates the register has marks for (not the period asked for: a child who joined
        # on 3 September was not registered on 1 August)
        first, last = e.first_marked or f.start, e.last_marked or f.end
        body = (
            "Education Act 1996, section 566 (certificate of the head teacher as to attendance). "
            f"I certify that the attendance register kept by {e.school_name} (LAESTAB "
            f"{e.laestab}) under the School Attendance (Pupil Registration) (England) "
            f"Regulations 2024 shows that {pupil.name}{dob} (UPN {pupil.upn}), a registered "
            f"pupil at the school, between {_date(first)} and {_date(last)}:"
        )
        story.append(_p(text.para(body), styles["body"]))
        rows = [
            ["Possible sessions (the school was open to the pupil)", str(f.possible)],
            ["Sessions attended (present or approved educational activity)", str(f.attended)],
            ["Sessions of authorised absence", str(f.authorised)],
            ["Sessions of unauthorised absence", str(f.unauthorised)],
            ["Attendance", _pct(f.attendance_pct)],
        ]
        story.append(
            _table(
                [[_p(escape(a), styles["cell"]), b] for a, b in rows],
                [0.7 * width, 0.3 * width],
                header_rows=0,
                extra=[
                    ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                    ("FONT", (1, 0), (1, -1), FONT_BOLD, 9),
                ],
                font_size=9,
            )
        )
        if f.missing:
            from attendance_cli.referrals.evidence import no_mark_yet

            story.append(Spacer(1, 4))
            story.append(
                _p(
                    escape(
                        f"{no_mark_yet(f.missing)} (marked -): missing data, not counted in "
                        "the figures above."
                    ),
                    styles["body"],
                )
            )
        story.append(Spacer(1, 6))
        story.append(
            _p(
                escape(
                    "The register extract in this bundle (section 'Register extract' and "
                    "register-extract.csv) is a true copy of the register's entries for this "
                    "pupil over the period, with the reason code of every absence."
                ),
                styles["body"],
            )
        )
        story.append(Spacer(1, 18))
        line = "_" * 48
        sign = [
            ["Signed", line],
            ["Name (capitals)", line],
            ["Head teacher of", text(e.school_name)],
            ["Date", line],
        ]
        story.append(
            _table(
                sign,
                [0.25 * width, 0.75 * width],
                header_rows=0,
                extra=[("BOTTOMPADDING", (0, 0), (-1, -1), 14)],
                grid=False,
                font_size=10,
            )
        )
    if not story:
        story = _h1("Certificate of attendance", styles) + [
            _p("No possible sessions in the period: no certificate.", styles["body"])
        ]
    return story


def _register(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    from reportlab.lib import colors

    from attendance_cli import codes

    story = _h1("Register extract", styles)
    story.append(
        _p(
            escape(
                "Every session of the period, week by week (AM and PM of each weekday), as held "
                "in the register; blank = no mark (not on roll or no register taken). Weeks with "
                "no marks (school holidays) are not shown. Shaded: unauthorised absence (red), "
                "authorised absence (yellow)."
            ),
            styles["small"],
        )
    )
    by_school: dict[str, list[Any]] = {}
    for s in content.extract:
        by_school.setdefault(s.school_laestab, []).append(s)
    names = {e.laestab: e.school_name for e in content.case_file.enrolments}
    days = ["Mon", "Tue", "Wed", "Thu", "Fri"]
    head = (
        ["Week beginning"]
        + [f"{d}\n{s}" for d in days for s in ("AM", "PM")]
        + ["Possible", "Attended"]
    )
    week_w = 0.15 * width
    count_w = 0.11 * width
    cell_w = (width - week_w - 2 * count_w) / 10
    for laestab, sessions in by_school.items():
        weeks: dict[dt.date, dict[int, Any]] = {}
        for s in sessions:
            monday = s.date - dt.timedelta(days=s.date.weekday())
            weeks.setdefault(monday, {})[s.date.weekday() * 2 + (0 if s.session == "AM" else 1)] = s
        rows: list[list[Any]] = [head]
        extra: list[tuple[Any, ...]] = [
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ]
        for monday in sorted(weeks):
            cells = weeks[monday]
            possible = sum(1 for s in cells.values() if codes.Category(s.category).is_possible)
            attended = sum(1 for s in cells.values() if codes.Category(s.category).is_attended)
            row = [_date(monday)] + [cells[i].mark if i in cells else "" for i in range(10)]
            rows.append(row + [str(possible), str(attended)])
            for i, s in cells.items():
                colour = {"unauthorised": UNAUTHORISED_BG, "authorised": AUTHORISED_BG}.get(
                    s.category
                )
                if colour:
                    at = (1 + i, len(rows) - 1)
                    extra.append(("BACKGROUND", at, at, colors.HexColor(colour)))
        total_possible = sum(int(r[-2]) for r in rows[1:])
        total_attended = sum(int(r[-1]) for r in rows[1:])
        rows.append(["Period total"] + [""] * 10 + [str(total_possible), str(total_attended)])
        extra += [
            ("FONT", (0, len(rows) - 1), (-1, len(rows) - 1), FONT_BOLD, 8),
            ("LINEABOVE", (0, len(rows) - 1), (-1, len(rows) - 1), 0.8, colors.black),
            ("SPAN", (0, len(rows) - 1), (10, len(rows) - 1)),
        ]
        story.append(_p(text.para(f"{names.get(laestab, laestab)} ({laestab})"), styles["h2"]))
        story.append(_table(rows, [week_w] + [cell_w] * 10 + [count_w] * 2, extra=extra))
    if not by_school:
        story.append(_p("No register marks in the period.", styles["body"]))
    used = Counter((s.mark, s.meaning, s.category) for s in content.extract)
    if used:
        from reportlab.platypus import KeepTogether

        heading = _p("Codes used", styles["h2"])
        rows = [["Code", "Meaning", "Category", "Sessions"]]
        for (code, meaning, category), n in sorted(used.items()):
            rows.append(
                [code, _p(escape(meaning), styles["cell"]), category.replace("_", " "), str(n)]
            )
        legend = _table(
            rows,
            [0.08 * width, 0.6 * width, 0.2 * width, 0.12 * width],
            extra=[("ALIGN", (3, 0), (3, -1), "RIGHT")],
        )
        story.append(KeepTogether([heading, legend]))
    return story


def _unauthorised(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    sessions = [s for s in content.extract if s.category == "unauthorised"]
    story = _h1("Unauthorised absence by date", styles)
    if not sessions:
        return story + [_p("No unauthorised absence in the period.", styles["body"])]
    story.append(
        _p(
            escape(f"{len(sessions)} sessions of unauthorised absence in the period."),
            styles["body"],
        )
    )
    rows: list[list[Any]] = [["Date", "Day", "Session", "Code", "Meaning", "School"]]
    for s in sessions:
        rows.append(
            [
                _date(s.date),
                f"{s.date:%a}",
                s.session,
                s.mark,
                _p(escape(s.meaning), styles["cell"]),
                s.school_laestab,
            ]
        )
    return story + [
        _table(
            rows,
            [0.13 * width, 0.07 * width, 0.09 * width, 0.07 * width, 0.5 * width, 0.14 * width],
        )
    ]


def _chronology(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    story = _h1("Chronology of support", styles)
    story.append(
        _p(
            escape(
                "Everything recorded about the child's case, by date: actions agreed and ended, "
                "meetings, letters and documents, notes, lead practitioners, penalty notices, "
                "and attendance milestones computed from the registers."
            ),
            styles["small"],
        )
    )
    rows: list[list[Any]] = [["Date", "Event", "Details"]]
    for entry in content.chronology:
        recorded = (entry.recorded_at or "")[:10]
        late = (
            f" (recorded {_iso_date(recorded)})"
            if recorded and recorded != entry.date.isoformat()
            else ""
        )
        rows.append(
            [
                _date(entry.date),
                _p(escape(entry.type.replace("_", " ")), styles["cell"]),
                text.cell(entry.summary + late, styles["cell"]),
            ]
        )
    if len(rows) == 1:
        rows.append(["", "", "Nothing recorded."])
    return story + [_table(rows, [0.13 * width, 0.17 * width, 0.7 * width])]


def _actions(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    story = _h1("Actions and outcomes", styles)
    rows: list[list[Any]] = [
        ["Id", "Agreed", "Tier / kind", "Action", "Owner", "Status", "Outcome"]
    ]
    for a in content.actions:
        rows.append(
            [
                str(a.id),
                _date(a.agreed_on),
                _p(text.para(f"{a.tier}: {a.kind}"), styles["cell"]),
                text.cell(a.action, styles["cell"]),
                _p(text.para(" / ".join(filter(None, [a.owner, a.agency]))), styles["cell"]),
                _p(
                    escape(
                        a.status
                        + (f"\n{_date(a.ended_on)}" if a.ended_on else "")
                        + (f"\ndue {_date(a.due)}" if a.due and not a.ended_on else "")
                    ).replace("\n", "<br/>"),
                    styles["cell"],
                ),
                text.cell(a.outcome or "", styles["cell"]),
            ]
        )
    if len(rows) == 1:
        return story + [_p("No actions recorded.", styles["body"])]
    return story + [
        _table(
            rows,
            [w * width for w in (0.05, 0.11, 0.15, 0.25, 0.13, 0.11, 0.2)],
        )
    ]


def _notices(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    story = _h1("Penalty notice history", styles, new_page=False)
    notices = content.case_file.view.penalty_notices
    if not notices:
        return story + [_p("No penalty notices recorded for this child.", styles["body"])]
    from attendance_cli.cases.penalty import describe_status

    rows: list[list[Any]] = [["Id", "Issued", "Parent", "No.", "Amount and status"]]
    for n in notices:
        # the same sentence as `att penalty list` (one source for amounts and dates)
        rows.append(
            [
                str(n.id),
                _date(n.issued),
                _p(text.para(n.parent_name), styles["cell"]),
                "-" if n.notice_number is None else str(n.notice_number),
                _p(text.para(describe_status(n)), styles["cell"]),
            ]
        )
    return story + [_table(rows, [w * width for w in (0.06, 0.13, 0.27, 0.06, 0.48)])]


def _changes(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    story = _h1("Register marks changed between imports", styles, new_page=False)
    if not content.changes:
        return story + [
            _p("No mark of this child in the period was changed by a later import.", styles["body"])
        ]
    rows: list[list[Any]] = [["Date", "Session", "School", "Old", "New", "Changed by import of"]]
    for c in content.changes:
        rows.append(
            [
                _date(c.date),
                c.session,
                c.school_laestab,
                c.old_mark,
                c.new_mark,
                _p(text.para(f"{c.import_file} ({c.imported_at[:16]} UTC)"), styles["cell"]),
            ]
        )
    return story + [_table(rows, [w * width for w in (0.13, 0.09, 0.12, 0.08, 0.08, 0.5)])]


def _sources(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    story = _h1("Register data sources", styles, new_page=False)
    story.append(
        _p(
            escape(
                "The register files imported for the child's schools whose dates overlap the "
                "period or the previous academic year, with the SHA-256 of each file as received."
            ),
            styles["small"],
        )
    )
    rows: list[list[Any]] = [["File", "Dates", "Imported (UTC)", "SHA-256"]]
    for i in content.imports:
        rows.append(
            [
                _p(text.para(i.file_name), styles["cell"]),
                f"{_iso_date(i.date_from)} to {_iso_date(i.date_to)}",
                (i.imported_at or "")[:16],
                _p(i.sha256, styles["mono"]),
            ]
        )
    if len(rows) == 1:
        rows.append(["none", "", "", ""])
    return story + [_table(rows, [w * width for w in (0.25, 0.2, 0.17, 0.38)])]


def _exhibits(
    content: BundleContent, text: _Printable, styles: dict[str, Any], width: float
) -> list[Any]:
    story = _h1("List of exhibits", styles)
    if not content.exhibits:
        return story + [_p("No documents are attached to the case.", styles["body"])]
    story.append(
        _p(
            escape(
                "The documents attached to the case, in the bundle's attachments/ folder. The "
                "SHA-256 identifies each file exactly: any change to a file changes it."
            ),
            styles["small"],
        )
    )
    rows: list[list[Any]] = [["Exhibit", "Date", "Kind", "Description / file", "Bytes", "SHA-256"]]
    for x in content.exhibits:
        rows.append(
            [
                x.label,
                _date(x.date),
                x.kind,
                text.cell(f"{x.description or ''}\n{x.path}".strip(), styles["cell"]),
                f"{x.bytes:,}",
                _p(x.sha256, styles["mono"]),
            ]
        )
    return story + [
        _table(
            rows,
            [w * width for w in (0.08, 0.11, 0.09, 0.33, 0.1, 0.29)],
            extra=[("ALIGN", (4, 0), (4, -1), "RIGHT")],
        )
    ]
