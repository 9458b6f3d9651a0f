"""What a text is about, from a few words: the category a dispatcher will most likely confirm, and the
language to answer in (pure).

Only a first guess for the queue: the incident stays P3 and ``new`` whatever the words, and the dispatcher
triages it. Words are matched on their stems, accents and case ignored, so "robaron", "Robo" and "ASALTÓ" all
count; the first category in the list with a matching word wins (violence before noise). Spanish first;
English stems too, for visitors.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["DEFAULT_KEYWORDS", "category_for", "language_of"]

# (category code, word stems). A city that needs other words passes its own list.
DEFAULT_KEYWORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("domestic_violence", ("violencia familiar", "violencia domestica", "me pega", "golpea a su",
                           "domestic violence", "beating me", "hits me", "beats me")),
    ("robbery_assault", ("robo", "roba", "asalt", "arrebat", "atraco", "ladron", "choro",
                         "robb", "stole", "mugg", "thief", "thieves", "snatch")),
    ("fire", ("incendio", "fuego", "humo", "se quema", "fire", "smoke", "burning")),
    ("medical_emergency", ("herido", "desmay", "ambulancia", "infarto", "no respira",
                           "injured", "ambulance", "unconscious", "fainted", "not breathing", "heart attack")),
    ("accident", ("accidente", "choque", "chocaron", "atropell", "volcad", "accident", "crash", "hit by a")),
    ("drug_activity", ("droga", "venden pasta", "marihuana", "fumadero", "microcomerc", "drug", "dealing")),
    ("suspicious_activity", ("sospechos", "merodea", "extrano", "suspicious", "prowl", "lurking")),
    ("vandalism", ("vandal", "pintas", "grafiti", "rompieron", "destroz", "graffiti", "smashed")),
    ("noise_disturbance", ("ruido", "bulla", "musica alta", "fiesta", "escandalo", "noise", "loud music",
                           "party")),
)

# Short words that tell the two languages apart (none is a word of both: "no", "a" and "me" are left out).
_ENGLISH = frozenset(
    "the is are was were my i im i'm it he she they someone somebody there here and of in on at to with from "
    "have has been just near please help street outside stolen".split()
)
_SPANISH = frozenset(
    "el la los las lo de del al que en un una y mi mis por con esta estoy estan hay se su sus ayuda calle "
    "cerca aqui alguien robaron".split()
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


def language_of(text: str) -> str:
    """``en`` when the text has more English than Spanish short words, else ``es`` (the city's language)."""
    words = re.findall(r"[a-z']+", _fold(text))
    english = sum(word in _ENGLISH for word in words)
    spanish = sum(word in _SPANISH for word in words)
    return "en" if english > spanish else "es"
