"""Text and whole tickets as images (Pillow with the bundled DejaVu Sans, which has every
Vietnamese letter): for printers whose code pages cannot carry Vietnamese, and for the PNG
preview of each ticket."""

from __future__ import annotations

from functools import cache

import qrcode
from PIL import Image, ImageDraw, ImageFont

from devicekit.assets import FONT, FONT_BOLD
from kiosk.printing.layout import Block, Number, QrCode, Rule, Text

TEXT_SIZES = {1: 26, 2: 36, 3: 48}  # px; 26 px on a 203 dpi head is about 3 mm high
NUMBER_SIZE = 150
MARGIN = 8


@cache
def font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD if bold else FONT), size)


def _wrap(text: str, face: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        current = ""
        for word in paragraph.split():
            candidate = f"{current} {word}".strip()
            if face.getlength(candidate) <= width or not current:
                current = candidate
            else:
                lines.append(current)
                current = word
        lines.append(current)
    return lines


def text_image(text: str, width: int, size: int, bold: bool = False) -> Image.Image:
    """Centred, wrapped to the paper width; 1-bit, black on white, as printers take it."""
    face = font(size, bold)
    lines = _wrap(text, face, width - 2 * MARGIN)
    ascent, descent = face.getmetrics()
    line_height = ascent + descent + size // 6
    image = Image.new("1", (width, line_height * len(lines) + 4), 1)
    draw = ImageDraw.Draw(image)
    for index, line in enumerate(lines):
        x = (width - face.getlength(line)) / 2
        draw.text((x, 2 + index * line_height), line, font=face, fill=0)
    return image


def qr_image(data: str, box: int = 6) -> Image.Image:
    code = qrcode.QRCode(border=2, box_size=box, error_correction=qrcode.ERROR_CORRECT_M)
    code.add_data(data)
    code.make(fit=True)
    image: Image.Image = code.make_image(fill_color="black", back_color="white").get_image()
    return image.convert("1")


def block_image(block: Block, width: int) -> Image.Image:
    if isinstance(block, Text):
        return text_image(block.text, width, TEXT_SIZES[block.scale], block.bold)
    if isinstance(block, Number):
        return text_image(block.text, width, NUMBER_SIZE, bold=True)
    if isinstance(block, QrCode):
        code = qr_image(block.data)
        framed = Image.new("1", (width, code.height + 8), 1)
        framed.paste(code, ((width - code.width) // 2, 4))
        return framed
    assert isinstance(block, Rule)
    image = Image.new("1", (width, 12), 1)
    ImageDraw.Draw(image).line((MARGIN, 6, width - MARGIN, 6), fill=0, width=2)
    return image


def ticket_image(blocks: list[Block], width: int) -> Image.Image:
    """The whole ticket as it comes out of the printer: the PNG preview."""
    parts = [block_image(b, width) for b in blocks]
    height = sum(p.height for p in parts) + 2 * MARGIN
    ticket = Image.new("1", (width, height), 1)
    y = MARGIN
    for part in parts:
        ticket.paste(part, (0, y))
        y += part.height
    return ticket.convert("L")
