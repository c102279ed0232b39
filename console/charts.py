"""Charts drawn on the server as SVG: horizontal bars and the hour × weekday heatmap.

Drawn here rather than by a JavaScript chart library: the same SVG goes into the page, the
printable PDF (WeasyPrint runs no script) and works with no script at all; there is nothing
to vendor, and every label is text a screen reader and a test can read."""

from __future__ import annotations

from markupsafe import Markup, escape

BAR_HEIGHT = 22
LABEL_WIDTH = 230
BAR_COLOUR, MARK_COLOUR = "#1f5fa8", "#b3261e"
# The look as attributes, not only the page's CSS: WeasyPrint applies no page style to an
# inline SVG, and without a size its text is SVG's default 16 px (labels ran off the PDF).
_LOOK = 'font-family="DejaVu Sans, sans-serif" font-size="12" fill="#1b1f24"'


def bars(items: list[tuple[str, float | None]], unit: str, width: int = 640,
         mark: float | None = None, title: str = "", digits: int = 1,
         label_width: int = LABEL_WIDTH) -> Markup:
    """One bar per item (label, value), its value written with `digits` decimals; `mark`
    draws a dashed line (a target) across. Labels are cut to what fits `label_width`."""
    values = [v for _label, v in items if v is not None]
    top = max([*values, mark or 0.0, 1e-9])
    plot = width - label_width - 90  # room for the value after the longest bar
    longest = max(8, int(label_width / 7.2))  # characters that fit the label column
    height = BAR_HEIGHT * len(items) + 10
    parts = [f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" {_LOOK} xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for index, (label, value) in enumerate(items):
        y = 5 + index * BAR_HEIGHT
        short = label if len(label) <= longest else label[:longest - 1] + "…"
        parts.append(f'<text x="{label_width - 8}" y="{y + 15}" text-anchor="end">'
                     f"{escape(short)}</text>")
        if value is None:
            parts.append(f'<text x="{label_width}" y="{y + 15}" class="none">—</text>')
            continue
        length = max(1.0, plot * value / top)
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{length:.1f}" '
                     f'height="{BAR_HEIGHT - 6}" class="bar" fill="{BAR_COLOUR}"/>')
        parts.append(f'<text x="{label_width + length + 6:.1f}" y="{y + 15}">'
                     f"{value:.{digits}f} {escape(unit)}</text>")
    if mark is not None:
        x = label_width + plot * mark / top
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="0" y2="{height}" class="mark" '
                     f'stroke="{MARK_COLOUR}" stroke-dasharray="4 3"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def heatmap(cells: dict[tuple[int, int], tuple[int, float | None]], weekdays: tuple[str, ...],
            title: str) -> Markup:
    """Weekdays down, hours across (office hours, widened to every hour that had arrivals:
    an evening or Saturday session shows too); a cell's shade is its arrivals, its tooltip
    the mean wait."""
    seen = [hour for (_day, hour), (arrivals, _wait) in cells.items() if arrivals]
    hours = range(min([7, *seen]), max([17, *seen]) + 1)
    cell_w, cell_h, left, head = 46, 30, 110, 22
    width, height = left + cell_w * len(hours), head + cell_h * 7
    busiest = max([n for n, _w in cells.values()] + [1])
    parts = [f'<svg class="chart heatmap" role="img" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" {_LOOK} xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for column, hour in enumerate(hours):
        parts.append(f'<text x="{left + column * cell_w + cell_w / 2}" y="15" '
                     f'text-anchor="middle">{hour:02d}h</text>')
    for day in range(7):
        y = head + day * cell_h
        parts.append(f'<text x="{left - 8}" y="{y + 20}" text-anchor="end">'
                     f"{escape(weekdays[day])}</text>")
        for column, hour in enumerate(hours):
            arrivals, wait = cells.get((day, hour), (0, None))
            shade = 0.08 + 0.85 * arrivals / busiest if arrivals else 0.0
            x = left + column * cell_w
            parts.append(f'<rect x="{x + 1}" y="{y + 1}" width="{cell_w - 2}" '
                         f'height="{cell_h - 2}" fill="#1f5fa8" fill-opacity="{shade:.2f}">'
                         f"<title>{arrivals} · {'—' if wait is None else f'{wait:.0f}'}"
                         "</title></rect>")
            if arrivals:
                colour = "#fff" if shade > 0.5 else "#111"
                parts.append(f'<text x="{x + cell_w / 2}" y="{y + 19}" text-anchor="middle" '
                             f'fill="{colour}">{arrivals}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
