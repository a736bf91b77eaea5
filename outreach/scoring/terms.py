"""Words to index terms: tokens, the page's language, stop words removed, Snowball stems.

Languages are told apart by their stop words (the language whose stop-word list covers most
of a text's tokens), which is cheap, needs no model, and is right for any text of a few
sentences. Stemming is PyStemmer's Snowball stemmers; stop words come from ``stop-words``.
"""

from __future__ import annotations

import functools
import re
import threading
from collections import Counter
from collections.abc import Iterable, Sequence

import Stemmer  # type: ignore[import-not-found]  # PyStemmer ships no type hints
from stop_words import get_stop_words  # type: ignore[import-untyped]  # no type hints either

# ISO 639-1 code -> the name both libraries use. Every language here has a Snowball stemmer
# and a stop-word list; text in any other language is only lower-cased and tokenised.
LANGUAGES = {
    "en": "english",
    "de": "german",
    "fr": "french",
    "es": "spanish",
    "it": "italian",
    "nl": "dutch",
    "pt": "portuguese",
    "ru": "russian",
}
# Languages that write compounds as one word ("Windenergieanlagen"): a query term also
# matches inside longer terms (see ``bm25``).
COMPOUNDING = frozenset({"de", "nl"})
MIN_STOP_WORD_HITS = 3
MAX_TOKEN_LENGTH = 40

APOSTROPHE = "\u2019"  # the typographic apostrophe, read as "'"
_TOKEN = re.compile(rf"[^\W_](?:[\w'{APOSTROPHE}-]*[^\W_])?")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_local = threading.local()  # PyStemmer objects must not be shared between threads


@functools.cache
def stop_words(language: str) -> frozenset[str]:
    """The stop words of a supported language (empty for any other)."""
    name = LANGUAGES.get(language)
    if name is None:
        return frozenset()
    words: Iterable[str] = get_stop_words(name)
    return frozenset(word.lower().replace(APOSTROPHE, "'") for word in words)


def _stemmer(language: str) -> Stemmer.Stemmer | None:
    cache: dict[str, Stemmer.Stemmer] | None = getattr(_local, "stemmers", None)
    if cache is None:
        cache = _local.stemmers = {}
    name = LANGUAGES.get(language)
    if name is None:
        return None
    if language not in cache:
        cache[language] = Stemmer.Stemmer(name)
    return cache[language]


def tokens(text: str) -> list[str]:
    """Lower-cased words of a text (letters and digits, inner hyphens and apostrophes kept)."""
    found = []
    for match in _TOKEN.finditer(text.lower()):
        token = match.group().replace(APOSTROPHE, "'")
        if 1 < len(token) <= MAX_TOKEN_LENGTH and _HAS_LETTER.search(token):
            found.append(token)
    return found


def detect_language(words: Sequence[str], hint: str | None = None) -> str | None:
    """The supported language whose stop words cover most of ``words``.

    With too few stop words to tell (a handful of words), the page's own declaration
    (``<html lang>``, ``hint``) decides when it names a supported language.
    """
    counts = Counter(words)
    best, best_hits = None, 0
    for language in LANGUAGES:
        listed = stop_words(language)
        hits = sum(n for word, n in counts.items() if word in listed)
        if hits > best_hits:
            best, best_hits = language, hits
    if best_hits >= MIN_STOP_WORD_HITS:
        return best
    declared = (hint or "").split("-")[0].strip().lower()
    return declared if declared in LANGUAGES else best


def stems(words: Iterable[str], language: str | None) -> list[str]:
    """``words`` (lower-cased) without the language's stop words, each reduced to its
    Snowball stem. Hyphenated words are split first: "CO2-Preis" indexes "co2" and "preis".
    """
    listed = stop_words(language) if language else frozenset()
    parts = [
        part
        for word in map(str.lower, words)
        for part in (word.split("-") if "-" in word else (word,))
        if len(part) > 1 and part not in listed and _HAS_LETTER.search(part)
    ]
    stemmer = _stemmer(language) if language else None
    if stemmer is None:
        return parts
    return [stem for stem in stemmer.stemWords(parts) if stem]


def analyse(text: str, hint: str | None = None) -> tuple[str | None, list[str]]:
    """The language of a text and its stems in order."""
    words = tokens(text)
    language = detect_language(words, hint)
    return language, stems(words, language)
