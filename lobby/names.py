"""People's names as Vietnamese lists show them: ordered by given name (the last word), then
by the whole name, letters compared without their tone marks and with Đ after D (Unicode's
order put "Đức" after "Yến" and "Hoàng" before "Hà"); namesakes, common in Vietnam, told
apart by their id."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterable


def _letters(text: str) -> str:
    """Without tone and vowel marks, Đ just after D: "Đặng" -> "d~ang"."""
    text = text.lower().replace("đ", "d~")
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def sort_key(name: str) -> tuple[str, str, str]:
    words = name.split()
    given = words[-1] if words else ""
    return (_letters(given), _letters(name), name)


def labels(people: Iterable[tuple[str, str]]) -> dict[str, str]:
    """id -> the name to show: the name, with the id when someone else has the same name."""
    people = list(people)
    counts = Counter(name for _id, name in people)
    return {person_id: name if counts[name] == 1 else f"{name} ({person_id})"
            for person_id, name in people}


def ordered(people: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """(id, label) by given name, then whole name."""
    people = list(people)
    names = dict(people)
    shown = labels(people)
    return sorted(((person_id, shown[person_id]) for person_id, _ in people),
                  key=lambda p: (*sort_key(names[p[0]]), p[0]))
