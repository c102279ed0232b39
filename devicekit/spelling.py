"""How numbers are read aloud: ticket numbers letter by letter and digit by digit ("A023" is
"A, không, hai, ba", never "A twenty-three"), counters as numbers in words ("quầy số mười
lăm", "quầy số hai mươi tư").

Vietnamese numbers are read here by the rules a speaker follows (num2words says "hai mươi
bốn" and "một trăm lẻ năm", where announcements in a public office say "hai mươi tư" and
"một trăm linh năm"); English ones by num2words."""

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
    if language == "vi" and value >= 0:
        return _vietnamese(value)
    return str(num2words(value, lang="en"))


def _vietnamese(value: int) -> str:
    units = DIGITS["vi"]
    if value < 10:
        return units[value]
    if value < 100:
        tens, unit = divmod(value, 10)
        head = "mười" if tens == 1 else f"{units[tens]} mươi"
        if unit == 0:
            return head
        # After a ten, 5 is "lăm"; after twenty and up, 1 is "mốt" and 4 is "tư".
        tail = {5: "lăm"} if tens == 1 else {1: "mốt", 4: "tư", 5: "lăm"}
        return f"{head} {tail.get(unit, units[unit])}"
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        head = f"{units[hundreds]} trăm"
        return f"{head} {_after_hundreds(rest)}" if rest else head
    thousands, rest = divmod(value, 1000)
    head = f"{_vietnamese(thousands)} nghìn"
    if rest == 0:
        return head
    if rest >= 100:
        return f"{head} {_vietnamese(rest)}"
    # 1 005 is "một nghìn không trăm linh năm": the empty hundreds are said.
    return f"{head} không trăm {_after_hundreds(rest)}"


def _after_hundreds(rest: int) -> str:
    """1-99 after a hundred: a lone digit takes "linh" (105: "một trăm linh năm")."""
    return f"linh {DIGITS['vi'][rest]}" if rest < 10 else _vietnamese(rest)
