"""French text normalisation for search: accents and case folded, stop words dropped, words stemmed.

Both database engines index and query the output of these functions, so that a search means the
same on SQLite and on PostgreSQL (see docs/decisions/002-search.md).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[0-9a-z]+")
_STEMMER = snowballstemmer.stemmer("french")
_ENGLISH_STEMMER = snowballstemmer.stemmer("english")

STOP_WORDS = frozenset(
    """a au aux avec ce ces d dans de des du elle en et eux il je l la le les leur lui m ma mais me
    meme mes moi mon n ne nos notre nous on ou par pas pour qu que qui s sa se ses son sur t ta te
    tes toi ton tu un une vos votre vous y c est the of and to in for on at with by an or""".split()
)


def fold(text: str) -> str:
    """Lower case without accents: 'Château-Gontier' -> 'chateau-gontier'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char)).replace(
        "œ", "oe"
    )


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """One search term for a folded word: French stem, then English plural folded too."""
    stemmed = _STEMMER.stemWord(word)
    return _ENGLISH_STEMMER.stemWord(stemmed) if len(stemmed) > 3 else stemmed


def terms(text: str) -> list[str]:
    """The search terms of a text, in order, stop words dropped."""
    return [stem(word) for word in _WORD.findall(fold(text)) if word not in STOP_WORDS]


def document(*parts: str) -> str:
    """A search document: the terms of every part, separated by spaces."""
    return " ".join(term for part in parts if part for term in terms(part))
