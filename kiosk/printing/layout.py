"""What a ticket says, as a list of blocks that both renderers (ESC/POS and PNG) follow."""

from __future__ import annotations

from dataclasses import dataclass

from devicekit.i18n import tr


@dataclass(frozen=True)
class TicketContent:
    centre: str
    number: str
    service: str
    issued_at: str  # "21/11/2026 08:15"
    ahead: int | None
    estimate_minutes: int | None
    qr_data: str
    footer: str
    priority: str | None
    language: str


@dataclass(frozen=True)
class Text:
    text: str
    scale: int = 1  # 1 normal ... 3 large
    bold: bool = False


@dataclass(frozen=True)
class Number:
    text: str  # printed as large as the printer goes


@dataclass(frozen=True)
class QrCode:
    data: str


@dataclass(frozen=True)
class Rule:
    pass


Block = Text | Number | QrCode | Rule


def wait_lines(ahead: int | None, estimate_minutes: int | None, lang: str) -> list[str]:
    """People ahead and the estimate, as the ticket and the result screen say them."""
    if ahead == 0:
        return [tr(lang, "You are next.")]
    lines = []
    if ahead is not None:
        lines.append(tr(lang, "People ahead of you: {count}", count=ahead))
    if estimate_minutes:
        lines.append(tr(lang, "Estimated wait: about {minutes} min", minutes=estimate_minutes))
    return lines


def ticket_blocks(content: TicketContent) -> list[Block]:
    lang = content.language
    blocks: list[Block] = [
        Text(content.centre, scale=1, bold=True),
        Rule(),
        Text(tr(lang, "Your number"), scale=1),
        Number(content.number),
        Text(content.service, scale=2, bold=True),
    ]
    if content.priority:
        blocks.append(Text(content.priority, scale=1, bold=True))
    blocks.append(Text(content.issued_at))
    blocks += [Text(line) for line in wait_lines(content.ahead, content.estimate_minutes, lang)]
    blocks += [QrCode(content.qr_data), Text(tr(lang, "Please keep your ticket"), bold=True)]
    if content.footer:
        blocks.append(Text(content.footer))
    return blocks
