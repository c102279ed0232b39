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
    # The counters that serve the service ("Quầy 1, 2, 4"), and, for a ticket taken in
    # another language, the centre's own language and the service's name in it: staff read
    # the ticket too.
    counters: tuple[int, ...] = ()
    staff_language: str | None = None
    staff_service: str | None = None
    # The QR code opens the ticket's live page (the centre has `public.url`): say so.
    live_page: bool = False


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
    """The ticket, top to bottom. Taken in another language than the centre's own, it says
    everything in the centre's language first and then in the citizen's."""
    lang = content.language
    langs = [lang]
    if content.staff_language and content.staff_language != lang:
        langs = [content.staff_language, lang]

    def each(message: str, bold: bool = False, **values: object) -> list[Block]:
        return [Text(tr(language, message, **values), bold=bold) for language in langs]

    blocks: list[Block] = [
        Text(content.centre, scale=1, bold=True),
        Rule(),
        Text(" / ".join(tr(language, "Your number") for language in langs), scale=1),
        Number(content.number),
    ]
    if len(langs) > 1 and content.staff_service:
        blocks.append(Text(content.staff_service, scale=2, bold=True))
    blocks.append(Text(content.service, scale=2 if len(langs) == 1 else 1, bold=True))
    if content.priority:
        blocks.append(Text(content.priority, scale=1, bold=True))
    blocks.append(Text(content.issued_at))
    for language in langs:
        blocks += [Text(line) for line in wait_lines(content.ahead, content.estimate_minutes,
                                                     language)]
    if content.counters:
        numbers = ", ".join(str(n) for n in content.counters)
        blocks += each("Served at counters {numbers}", bold=True, numbers=numbers)
    blocks += each("Please watch the screen and listen for your number.")
    if content.live_page:
        blocks += each("Scan the code to follow your turn on your phone")
    blocks += [QrCode(content.qr_data), *each("Please keep your ticket", bold=True)]
    if content.footer:
        blocks.append(Text(content.footer))
    return blocks
