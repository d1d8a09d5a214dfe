"""Comparison keys of people and companies, for duplicate detection: case, accents, punctuation and
legal forms folded away, so that "Dupont SAS" and "DUPONT" meet."""

from __future__ import annotations

import re

from micedesk.core.text import fold

_WORD = re.compile(r"[0-9a-z]+")
# Legal forms and their dotted spellings once punctuation is gone ("S.A.S." -> "s a s").
LEGAL_FORMS = frozenset(
    """sa sas sasu sarl eurl sci snc scop scic gie eirl ei sca selarl sem spl earl ltd llc inc
    gmbh plc bv nv ag spa srl co corp limited""".split()
)
_DOTTED_FORMS = re.compile(r"\b(?:s a s u|s a s|s a r l|e u r l|s c i|s n c|s a)\b")


def _words(text: str) -> list[str]:
    return _WORD.findall(fold(text or ""))


def person_key(first_name: str, last_name: str) -> str:
    """'Dupont Jean' for Jean Dupont, Jean DUPONT or jéan  dupont: last name first, folded."""
    return " ".join(_words(last_name) + _words(first_name))


def company_key(name: str) -> str:
    """A company's name without case, accents, punctuation or legal form: 'Société Générale S.A.'
    -> 'societe generale'."""
    spaced = " ".join(_words(name))
    spaced = _DOTTED_FORMS.sub(" ", spaced)
    words = [word for word in spaced.split() if word not in LEGAL_FORMS]
    # A name that is only a legal form keeps it rather than becoming empty.
    return " ".join(words) or spaced.strip()


def email_key(email: str) -> str:
    """An address as compared: trimmed, lower case (the local part is case-insensitive in practice)."""
    return (email or "").strip().lower()
