"""The return date an out-of-office reply gives, in English, German, French or Spanish.

A cue ("back on", "returning", "until", "wieder ab", "de retour le", "hasta el") is followed
by a date (``2026-12-14``, ``14.12.2026``, ``12 January``, ``January 12th``, ``12. Januar``,
``12 janvier``, ``12 de enero``); python-dateutil reads the date with the month and weekday
names of the four languages. A return cue ("back on") wins over an end of absence
("until"). "Until" and "bis" are taken to name the day the person is back (as people mostly
mean it); "through", "einschließlich" and "inclusive" the last day away, so the day after.
A date without a year is the next such day on or after the message's date, unless it was
less than two months ago (a notice nobody updated); a date in the past or more than a year
ahead is ignored.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from dateutil import parser

MAX_AHEAD = timedelta(days=366)
STALE = timedelta(days=60)

_MONTHS = [
    ("Jan", "January", "Januar", "Jänner", "janvier", "janv", "enero", "ene"),
    ("Feb", "February", "Februar", "février", "fevrier", "févr", "febrero"),
    ("Mar", "March", "März", "Maerz", "mars", "marzo"),
    ("Apr", "April", "avril", "avr", "abril", "abr"),
    ("May", "Mai", "mayo"),
    ("Jun", "June", "Juni", "juin", "junio"),
    ("Jul", "July", "Juli", "juillet", "juil", "julio"),
    ("Aug", "August", "août", "aout", "agosto", "ago"),
    ("Sep", "Sept", "September", "septembre", "septiembre", "setiembre"),
    ("Oct", "October", "Okt", "Oktober", "octobre", "octubre"),
    ("Nov", "November", "novembre", "noviembre"),
    ("Dec", "December", "Dez", "Dezember", "décembre", "decembre", "déc", "diciembre", "dic"),
]
_WEEKDAYS = [
    ("Mon", "Monday", "Montag", "lundi", "lunes"),
    ("Tue", "Tuesday", "Dienstag", "mardi", "martes"),
    ("Wed", "Wednesday", "Mittwoch", "mercredi", "miércoles", "miercoles"),
    ("Thu", "Thursday", "Donnerstag", "jeudi", "jueves"),
    ("Fri", "Friday", "Freitag", "vendredi", "viernes"),
    ("Sat", "Saturday", "Samstag", "Sonnabend", "samedi", "sábado", "sabado"),
    ("Sun", "Sunday", "Sonntag", "dimanche", "domingo"),
]


class _Languages(parser.parserinfo):
    """dateutil's parser info with the month and weekday names of four languages."""

    JUMP = [*parser.parserinfo.JUMP, "de", "del", "le", "el", "dem", "den", "am", "the", "er"]
    MONTHS = _MONTHS
    WEEKDAYS = _WEEKDAYS


_INFO = _Languages(dayfirst=True)
_MONTH = "|".join(sorted({re.escape(n) for names in _MONTHS for n in names}, key=len, reverse=True))
_WEEKDAY = "|".join(re.escape(n) for names in _WEEKDAYS for n in names[1:])
_DATE = (
    r"(?P<date>\d{4}-\d{1,2}-\d{1,2}"
    r"|\d{1,2}[./]\d{1,2}(?:[./]\d{2,4})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th|er|\.)?\s+(?:de\s+)?(?:{_MONTH})\.?(?:,?\s+(?:de\s+)?\d{{4}})?"
    rf"|(?:{_MONTH})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)"
)
_CUE = (
    r"(?P<cue>back(?:\s+(?:in|at)\s+(?:the\s+|my\s+)?(?:office|work|desk))?(?:\s+(?:on|by))?"
    r"|return(?:ing)?(?:\s+to\s+(?:the\s+)?(?:office|work))?(?:\s+on)?"
    r"|until|till|through|thru"
    r"|(?:ab|am)(?:\s+dem)?|wieder(?:\s+im\s+b[üu]ro)?(?:\s+(?:ab|am))?|zur[üu]ck\s+am"
    r"|bis(?:\s+einschlie(?:ß|ss)lich)?(?:\s+zum)?"
    r"|de\s+retour(?:\s+au\s+bureau)?(?:\s+le)?|jusqu'(?:au|à)(?:\s+inclus)?|à\s+partir\s+du"
    r"|de\s+vuelta(?:\s+el)?|regreso(?:\s+el)?|volver[ée](?:\s+el)?|hasta(?:\s+el)?"
    r"|a\s+partir\s+del)"
)
_FOUND = re.compile(
    rf"\b{_CUE}\s+(?:(?:{_WEEKDAY}),?\s+(?:(?:the|dem|le|el)\s+)?)?{_DATE}"
    r"(?P<inclusive>\s*\(?(?:inclusive|inclus|einschlie(?:ß|ss)lich|inclusive?)\)?)?",
    re.IGNORECASE,
)
_LAST_DAY_AWAY = re.compile(r"through|thru|einschlie|inclus", re.IGNORECASE)
_UNTIL = re.compile(r"until|till|through|thru|bis|jusqu|hasta", re.IGNORECASE)


def _parse(text: str, received: date) -> date | None:
    default = datetime(received.year, received.month, received.day)
    try:
        found: datetime = parser.parse(text, parserinfo=_INFO, default=default, fuzzy=True)
    except (ValueError, OverflowError):
        return None
    day = found.date()
    if not re.search(r"\d{4}|\d{1,2}[./]\d{1,2}[./]\d{2}", text) and day < received:
        if received - day <= STALE:
            return None
        try:
            day = day.replace(year=day.year + 1)
        except ValueError:  # 29 February
            return None
    return day


def return_date(text: str, received: date) -> date | None:
    """The return date the text gives, or None: the first one said as a return ("back on"),
    else the first one said as the end of the absence ("until")."""
    found: list[tuple[bool, date]] = []
    for match in _FOUND.finditer(text):
        day = _parse(match["date"], received)
        if day is None:
            continue
        if _LAST_DAY_AWAY.search(match["cue"]) or match["inclusive"]:
            day += timedelta(days=1)
        if received <= day <= received + MAX_AHEAD:
            found.append((_UNTIL.match(match["cue"]) is not None, day))
    found.sort(key=lambda item: item[0])  # stable: the first return cue, else the first "until"
    return found[0][1] if found else None
