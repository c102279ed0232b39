"""How numbers are read aloud: ticket numbers letter by letter and digit by digit ("A023" is
"A, không, hai, ba", never "A twenty-three"), counters as numbers in words ("quầy số mười
lăm"; num2words reads Vietnamese numbers correctly)."""

from __future__ import annotations

from num2words import num2words

DIGITS = {
    "vi": ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"],
    "en": ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"],
}
# Letters as a Vietnamese speaker names them when reading a code aloud.
LETTERS_VI = {
    "A": "A", "B": "Bê", "C": "Xê", "D": "Đê", "E": "E", "F": "Ép", "G": "Giê", "H": "Hát",
    "I": "I", "J": "Gi", "K": "Ca", "L": "Lờ", "M": "Mờ", "N": "Nờ", "O": "O", "P": "Pê",
    "Q": "Quy", "R": "Rờ", "S": "Ét", "T": "Tê", "U": "U", "V": "Vê", "W": "Vê kép", "X": "Ích",
    "Y": "I dài", "Z": "Dét",
}


def spell_ticket(number: str, language: str) -> list[str]:
    """The words of a ticket number, one per letter or digit."""
    digits = DIGITS.get(language, DIGITS["en"])
    words = []
    for char in number.upper():
        if char.isdigit():
            words.append(digits[int(char)])
        elif language == "vi":
            words.append(LETTERS_VI.get(char, char))
        else:
            words.append(char)
    return words


def number_words(value: int, language: str) -> str:
    return str(num2words(value, lang=language if language in ("vi", "en") else "en"))
