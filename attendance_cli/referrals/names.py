"""Finding a person's name in free text as people write it, to redact it (a sibling's name in
an evidence bundle: only the child's and their parents' data may go in).

A name ``Forename [Middle ...] Surname`` is found written:

* in either order, with a comma or not: "Isla Marsden", "Marsden, Isla", "Marsden Isla";
* with middle names, or an initial for the forename: "Isla Rose Marsden", "I. Marsden",
  "I Marsden", "Marsden, I.";
* joined or separated as in file names: "IslaMarsden", "Marsden_Isla_letter.pdf",
  "isla-marsden", "Isla.Marsden";
* in any case, with or without accents ("Ísla" for "Isla" and the other way round), and with
  invisible characters inside it (zero-width spaces and joiners, soft hyphens, bidi marks).

Never inside a longer word ("Marsdenshire"). The surname alone is not redacted: the child and
their parents usually share it. Neither is the forename alone, which could be anyone's.
Matching runs on a folded copy of the text (accents and invisible characters removed, case
folded) that remembers where each folded character came from, so the redaction replaces the
text exactly as it was written.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

REDACTED = "[sibling]"
_SEPARATOR = r"[\s_.\-]"  # between the words of a name: spaces, or as in file names
_INVISIBLE = {"Cf", "Mn", "Me"}  # format characters (zero-width, bidi), combining marks


@dataclass(frozen=True)
class PersonName:
    forename: str
    surname: str
    middle: tuple[str, ...] = ()

    @classmethod
    def parse(cls, name: str) -> PersonName | None:
        """ "Forename Middle Surname" as att prints a pupil's name; None for one word."""
        words = name.split()
        if len(words) < 2:
            return None
        return cls(forename=words[0], surname=words[-1], middle=tuple(words[1:-1]))


def _fold_char(ch: str) -> str:
    """What one character becomes in the folded text (possibly nothing)."""
    out = []
    for part in unicodedata.normalize("NFKD", ch):
        if unicodedata.category(part) in _INVISIBLE:
            continue
        out.append(part.casefold())
    return "".join(out)


def fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index in ``text`` it came from."""
    folded: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        part = _fold_char(ch)
        folded.append(part)
        origin.extend([index] * len(part))
    return "".join(folded), origin


def _word(word: str) -> str:
    return re.escape(fold(word)[0])


def name_patterns(person: PersonName) -> list[re.Pattern[str]]:
    """Regular expressions (over folded text) for the ways ``person`` is written; a group
    ``middle`` holds words taken for middle names (``_middle_names_ok`` checks them)."""
    forename, surname = _word(person.forename), _word(person.surname)
    initial = re.escape(fold(person.forename)[0][:1])
    sep = f"{_SEPARATOR}*"
    middle = f"(?P<middle>(?:{_SEPARATOR}+[^\\W\\d_]+){{0,{MIDDLE_NAMES}}})"
    forms = [
        f"{forename}{middle}{sep}{surname}",  # Isla (Rose) Marsden, IslaMarsden, isla_marsden
        f"{surname}{sep},?{sep}{forename}",  # Marsden, Isla / Marsden_Isla
        f"{initial}\\.?{middle}{sep}{surname}",  # I. Marsden, I Marsden
        f"{surname}{sep},{sep}{initial}\\.?",  # Marsden, I.
    ]
    # not inside a longer word: no letter or digit either side (an underscore may be)
    return [re.compile(f"(?<![^\\W_])(?:{form})(?![^\\W_])") for form in forms]


MIDDLE_NAMES = 2  # at most this many words between forename and surname


def _middle_names_ok(match: re.Match[str], text: str, origin: list[int]) -> bool:
    """Words between forename and surname are middle names only if written with a capital
    ("Isla Rose Marsden", not "Isla told Mrs Marsden")."""
    if "middle" not in match.re.groupindex or not match.group("middle"):
        return True
    start = match.start("middle")
    words = re.finditer(r"[^\W\d_]+", match.group("middle"))
    return all(text[origin[start + word.start()]].isupper() for word in words)


def redact_names(
    text: str | None, people: Iterable[PersonName], *, placeholder: str = REDACTED
) -> str | None:
    """``text`` with every way of writing each of ``people``'s names replaced by
    ``placeholder`` (``[sibling]``; a subject access report says ``[another child]``)."""
    people = list(people)
    if not text or not people:
        return text
    folded, origin = fold(text)
    spans: list[tuple[int, int]] = []
    for person in people:
        for pattern in name_patterns(person):
            for match in pattern.finditer(folded):
                if match.end() > match.start() and _middle_names_ok(match, text, origin):
                    spans.append((origin[match.start()], origin[match.end() - 1] + 1))
    if not spans:
        return text
    return _replace(text, _merged(spans), placeholder)


def _merged(spans: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _replace(text: str, spans: list[tuple[int, int]], placeholder: str = REDACTED) -> str:
    parts = []
    last = 0
    for start, end in spans:
        parts.append(text[last:start])
        parts.append(placeholder)
        last = end
    parts.append(text[last:])
    return "".join(parts)
