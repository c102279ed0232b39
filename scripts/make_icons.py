"""Render the kiosk's service icons into assets/icons/ from DejaVu Sans's symbol glyphs
(the same free license as the bundled font). Run again after changing ICONS."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
FONT = ROOT / "assets" / "fonts" / "DejaVuSans.ttf"
ICONS = {
    "civil-status": "\u26ad",  # ⚭ marriage: births, marriages, deaths
    "land": "\u2302",  # ⌂ house
    "certification": "\u270d",  # ✍ writing hand: signatures certified
    "business": "\u2696",  # ⚖ scales
    "priority": "\u267f",  # ♿
    "default": "\u2605",  # ★
}
SIZE = 256


def render(glyph: str) -> Image.Image:
    """The glyph, white, scaled to fill 80 % of a square whatever its own proportions."""
    big = Image.new("RGBA", (SIZE * 3, SIZE * 3), (0, 0, 0, 0))
    ImageDraw.Draw(big).text((SIZE // 2, SIZE // 2), glyph, fill=(255, 255, 255, 255),
                             font=ImageFont.truetype(str(FONT), SIZE * 2))
    box = big.getbbox()
    assert box is not None
    glyph_image = big.crop(box)
    scale = SIZE * 0.8 / max(glyph_image.size)
    glyph_image = glyph_image.resize((max(1, round(glyph_image.width * scale)),
                                      max(1, round(glyph_image.height * scale))), Image.LANCZOS)
    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    image.alpha_composite(glyph_image, ((SIZE - glyph_image.width) // 2,
                                        (SIZE - glyph_image.height) // 2))
    return image


def main() -> None:
    out = ROOT / "assets" / "icons"
    out.mkdir(parents=True, exist_ok=True)
    face = ImageFont.truetype(str(FONT), 40)
    for name, glyph in ICONS.items():
        if not face.getmask(glyph).getbbox():
            raise SystemExit(f"DejaVu Sans has no glyph for {name} ({glyph!r})")
        render(glyph).save(out / f"{name}.png")
        print(f"wrote {out / name}.png")


if __name__ == "__main__":
    main()
