"""What a text is about, from a few words: the category a dispatcher will most likely confirm (pure).

Only a first guess for the queue: the incident stays P3 and ``new`` whatever the words, and the dispatcher
triages it. Words are matched on their stems, accents and case ignored, so "robaron", "Robo" and "ASALTÓ" all
count; the first category in the list with a matching word wins (violence before noise).
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["DEFAULT_KEYWORDS", "category_for"]

# (category code, word stems). A city that needs other words passes its own list.
DEFAULT_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("domestic_violence", ("violencia familiar", "violencia domestica", "me pega", "golpea a su")),
    ("robbery_assault", ("robo", "roba", "asalt", "arrebat", "atraco", "ladron", "choro")),
    ("fire", ("incendio", "fuego", "humo", "se quema")),
    ("medical_emergency", ("herido", "desmay", "ambulancia", "infarto", "no respira")),
    ("accident", ("accidente", "choque", "chocaron", "atropell", "volcad")),
    ("drug_activity", ("droga", "venden pasta", "marihuana", "fumadero", "microcomerc")),
    ("suspicious_activity", ("sospechos", "merodea", "extrano")),
    ("vandalism", ("vandal", "pintas", "grafiti", "rompieron", "destroz")),
    ("noise_disturbance", ("ruido", "bulla", "musica alta", "fiesta", "escandalo")),
)

_WORD_START = r"(?<![a-z0-9])"


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def category_for(
    text: str, *, known: set[str], keywords: tuple[tuple[str, tuple[str, ...]], ...] = DEFAULT_KEYWORDS
) -> str:
    """The first category of ``keywords`` (among the city's ``known`` ones) whose stems start a word of
    ``text``; ``other`` when none does."""
    folded = _fold(text)
    for code, stems in keywords:
        if code in known and any(re.search(_WORD_START + re.escape(stem), folded) for stem in stems):
            return code
    return "other"
