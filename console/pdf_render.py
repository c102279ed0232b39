"""`python -m console.pdf_render PAGE.html OUT.pdf BASE`: one HTML page to PDF with WeasyPrint,
in a process of its own. WeasyPrint and its fonts take some 60 MB that a long-running console
would otherwise keep for the rest of its life, for a report made once a day."""

from __future__ import annotations

import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    page, out, base = argv
    from weasyprint import HTML

    HTML(string=Path(page).read_text(encoding="utf-8"), base_url=base).write_pdf(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
