"""Blocks to ESC/POS commands through python-escpos.

Text that is plain ASCII goes as text. Vietnamese goes in the printer's own CP1258 code page
when the profile names one and is a real model (Python's cp1258 codec cannot encode the
precomposed letters, so tone marks are split off as the combining marks CP1258 carries);
otherwise as a raster image of the line, which every printer takes (docs/stack-notes.md). The number
is ASCII, printed natively at the largest size; the QR code is the printer's own (GS ( k).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from escpos.capabilities import get_profile

from kiosk.printing.layout import Block, Number, QrCode, Rule, Text
from kiosk.printing.raster import TEXT_SIZES, text_image
from lobby.config.models import Printer

ESC = b"\x1b"
TONE_MARKS = {"\u0300", "\u0301", "\u0303", "\u0309", "\u0323"}  # huyền sắc ngã hỏi nặng
DEFAULT_WIDTH_PX = 512


def encode_cp1258(text: str) -> bytes | None:
    """Vietnamese in Windows-1258: base letters (ă â ê ô ơ ư đ are in the code page) followed
    by combining tone marks. None if a character cannot be carried."""
    out = bytearray()
    for char in unicodedata.normalize("NFC", text):
        try:
            out += char.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in decomposed if c in TONE_MARKS)
        base = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in TONE_MARKS))
        try:
            out += base.encode("cp1258") + tones.encode("cp1258")
        except UnicodeEncodeError:
            return None
    return bytes(out)


def paper_width(settings: Printer) -> int:
    if settings.paper_width_px:
        return settings.paper_width_px
    pixels = get_profile(settings.profile).profile_data.get("media", {}).get("width", {}).get(
        "pixels")
    return pixels if isinstance(pixels, int) else DEFAULT_WIDTH_PX


def native_codepage(settings: Printer) -> int | None:
    """The printer's code page number for CP1258, if Vietnamese is to be printed as text."""
    if settings.text_mode == "raster":
        return None
    if settings.text_mode == "auto" and settings.profile == "default":
        return None  # the generic profile claims code pages few printers carry
    pages = get_profile(settings.profile).profile_data.get("codePages", {})
    found = next((int(n) for n, name in pages.items() if name == "CP1258"), None)
    if found is None and settings.text_mode == "native":
        raise ValueError(f"profile {settings.profile} has no CP1258 code page")
    return found


class EscposWriter:
    def __init__(self, settings: Printer) -> None:
        self.width = paper_width(settings)
        self.codepage = native_codepage(settings)

    def write(self, printer: Any, blocks: list[Block]) -> None:
        printer.hw("INIT")
        for block in blocks:
            if isinstance(block, Number):
                printer.set(align="center", bold=True, custom_size=True, width=6, height=6)
                printer.textln(block.text)
                printer.set_with_default(align="center")
            elif isinstance(block, Text):
                self._text(printer, block)
            elif isinstance(block, QrCode):
                printer.set(align="center")
                printer.qr(block.data, size=6, native=True)
            elif isinstance(block, Rule):
                printer.set(align="center")
                printer.textln("-" * (self.width // 12))
        printer.cut()

    def _text(self, printer: Any, block: Text) -> None:
        big = block.scale > 1
        if block.text.isascii():
            printer.set(align="center", bold=block.bold, double_width=big, double_height=big)
            printer.textln(block.text)
            printer.set_with_default(align="center")
            return
        encoded = encode_cp1258(block.text) if self.codepage is not None else None
        if encoded is not None and self.codepage is not None:
            printer.set(align="center", bold=block.bold, double_width=big, double_height=big)
            printer._raw(ESC + b"t" + bytes([self.codepage]) + encoded + b"\n")
            printer.set_with_default(align="center")
            return
        printer.image(text_image(block.text, self.width, TEXT_SIZES[block.scale], block.bold))
