"""The kiosk's flow as a plain view-model: the Kivy app shows what it says and forwards taps.

No ghost tickets: before asking the hub, the printer's state is read (unknown blocks like
"out"); after printing it is read again. If printing fails after the hub issued the number,
the citizen sees the number large with a note to tell staff, and the hub is told
(`print_failed`). A request the hub never answered is kept and sent again (same transaction)
when the hub is back; if it had in fact issued a ticket, that ticket is reported as not
handed out, so staff never call a citizen who never got a number.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from devicekit.i18n import N_, tr
from kiosk.printing.devices import PrintError, PrinterState, TicketPrinter
from kiosk.printing.layout import TicketContent, ticket_blocks
from lobby.config.models import Device, LobbyConfig
from lobby.contract import messages as m
from lobby.presence import HubPresence
from lobby.rpc import RequestTimeoutError

log = logging.getLogger(__name__)

Issue = Callable[[m.IssueRequest], m.Reply[m.TicketView]]
ReportPrintFailed = Callable[[int, str], None]
ReportNotHandedOut = Callable[[int], None]

REFUSALS = {
    "closed": N_("This service is closed now."),
    "quota_reached": N_("This service has no more tickets today."),
}
NOT_AVAILABLE = N_("Sorry, this service is not available.")


@dataclass(frozen=True)
class ServiceButton:
    id: str
    label: str
    detail: str
    icon: str | None
    enabled: bool


@dataclass(frozen=True)
class PriorityButton:
    id: str
    label: str
    selected: bool
    enabled: bool = True


@dataclass(frozen=True)
class Result:
    number: str
    service: str
    ahead: int | None
    estimate_minutes: int | None
    qr_data: str
    printed: bool
    # Back to idle at this monotonic time; None: stays until touched (a ticket not printed:
    # the citizen must have time to note the number).
    until: float | None


@dataclass
class _Orphan:
    transaction: str
    service: str
    priority: str | None
    language: str


class Voice:
    """What the kiosk says; a no-op unless a speaker is attached (kiosk.voice)."""

    def invite(self, language: str) -> None: ...

    def ticket(self, number: str, ahead: int | None, language: str,
               printed: bool = True) -> None: ...

    def explain(self, text: str, language: str) -> None: ...

    def reconfigure(self, config: LobbyConfig) -> None:
        """The site's languages or services changed; a speaker prepares their words."""


@dataclass
class KioskFlow(HubPresence):
    config: LobbyConfig
    device: Device
    issue: Issue
    report_print_failed: ReportPrintFailed
    report_not_handed_out: ReportNotHandedOut
    printer: TicketPrinter
    new_transaction: Callable[[], str]
    voice: Voice = field(default_factory=Voice)
    on_change: Callable[[], None] = lambda: None
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.settings = self.device.kiosk_settings
        self.language = self.config.site.languages[0]
        self.priority: str | None = None
        self.queues: dict[str, m.ServiceQueue] = {}
        self.printer_state: PrinterState = PrinterState("unknown", None)
        self.busy = False
        # While busy: "asking" the hub, then "printing". The screen says which: a citizen
        # told "printing" for seconds while the hub is silent stops trusting the kiosk.
        self.phase: str | None = None
        # The hub did not answer a request: nothing can be issued until it is heard again.
        self.unanswered = False
        self.message: str | None = None  # the last refusal or failure, in the current language
        self.result: Result | None = None
        self.orphans: list[_Orphan] = []
        self.touched_at = self.clock()
        self.fresh_starts = 0
        self._lock = threading.Lock()

    # --- inputs from the bus and the printer poller ------------------------------------------

    def set_queues(self, state: m.QueuesState) -> None:
        self.queues = {s.id: s for s in state.services}
        self.on_change()

    def reconfigure(self, config: LobbyConfig, device: Device) -> None:
        """The centre's configuration changed: the next paint shows its services, names and
        groups; a citizen's language or group that went away falls back to the first."""
        with self._lock:
            self.config, self.device = config, device
            self.settings = device.kiosk_settings
            if self.language not in config.site.languages:
                self.language = config.site.languages[0]
            if self.priority is not None and config.priority_class(self.priority) is None:
                self.priority = None
        self.on_change()

    def set_printer(self, state: PrinterState) -> None:
        self.printer_state = state
        self.on_change()

    # --- inputs from the citizen -------------------------------------------------------------

    def touched(self) -> None:
        """Any touch on the screen: the citizen is still there."""
        self.touched_at = self.clock()

    def choose_language(self, language: str) -> None:
        self.touched()
        if language in self.config.site.languages:
            self.language = language
            self.message = None
            self.voice.invite(language)
            self.on_change()

    def toggle_priority(self, class_id: str) -> None:
        self.touched()
        if not self.can_issue():
            return  # nothing can be issued now: choosing a group would mislead
        self.priority = None if self.priority == class_id else class_id
        self.on_change()

    def dismiss(self) -> None:
        """The result screen goes: the next citizen starts afresh (first language, no
        priority group) — one citizen's choices never carry to the next."""
        self.result = None
        self.touched()
        self._reset_choices()
        self.on_change()

    def tick(self) -> None:
        if self.result is not None:
            if self.result.until is not None and self.clock() >= self.result.until:
                self.dismiss()
            return
        if self.busy or self.clock() - self.touched_at < self.settings.idle_reset_seconds:
            return
        first = self.config.site.languages[0]
        if self.language != first or self.priority is not None or self.message:
            self._reset_choices()
            self.message = None
            self.voice.invite(first)  # a new citizen may be walking up
            self.on_change()
        self.touched_at = self.clock()

    def _reset_choices(self) -> None:
        self.language = self.config.site.languages[0]
        self.priority = None
        self.fresh_starts += 1  # the screen goes back to its first page of services

    # --- what the screen shows ----------------------------------------------------------------

    def on_hub(self, state: m.HubState, monotonic: float | None = None,
               wall: float | None = None) -> None:
        self.unanswered = False  # heard again: its beats come from the hub's worker
        super().on_hub(state, monotonic, wall)

    def banner(self) -> str | None:
        """Why tickets cannot be taken now, if they cannot; else the last refusal."""
        lang = self.language
        if not self.online or self.unanswered:
            return tr(lang, "The system is offline. Please ask the staff.")
        if self.printer_state.paper == "out":
            return tr(lang, "The printer is out of paper. Please ask the staff.")
        if not self.printer_state.can_print:
            return tr(lang, "The printer is not ready. Please ask the staff.")
        return self.message

    def can_issue(self) -> bool:
        return (self.online and not self.unanswered and self.printer_state.can_print
                and not self.busy)

    def service_buttons(self) -> list[ServiceButton]:
        lang = self.language
        buttons = []
        for service in self.config.services:
            queue = self.queues.get(service.id)
            label = service.names.get(lang) or next(iter(service.names.values()))
            if queue is None:
                detail, open_now = "", False
            elif not queue.open:
                detail, open_now = self._closed_text(queue, lang), False
            elif queue.quota_reached:
                detail, open_now = tr(lang, "No more tickets today"), False
            else:
                detail = tr(lang, "Waiting: {count}", count=queue.waiting)
                if queue.estimate_minutes:
                    detail += " · " + tr(lang, "about {minutes} min",
                                         minutes=queue.estimate_minutes)
                open_now = True
            buttons.append(ServiceButton(service.id, label, detail, service.icon,
                                         open_now and self.can_issue()))
        return buttons

    def _closed_text(self, queue: m.ServiceQueue, lang: str) -> str:
        """"Đang đóng · mở lúc 13:30" (or with the day, when not today)."""
        if queue.opens_at is None:
            return tr(lang, "Closed now")
        opens = queue.opens_at.astimezone(self.config.site.zone)
        today = dt.datetime.now(self.config.site.zone).date()
        when = opens.strftime("%H:%M" if opens.date() == today else "%d/%m %H:%M")
        return f"{tr(lang, 'Closed now')} · {tr(lang, 'opens {time}', time=when)}"

    def priority_buttons(self) -> list[PriorityButton]:
        enabled = self.can_issue()
        return [PriorityButton(p.id, p.names.get(self.language) or p.id,
                               self.priority == p.id, enabled)
                for p in self.config.priority.classes]

    # --- the ticket ----------------------------------------------------------------------------

    def tap_service(self, service_id: str) -> bool:
        """Issue, print and show a ticket. Blocking: the app calls it off the UI thread. A tap
        while another is in flight, or on a disabled service, is ignored (False)."""
        self.touched()
        with self._lock:
            button = next((b for b in self.service_buttons() if b.id == service_id), None)
            if self.busy or button is None:
                return False
            if not button.enabled:
                self._explain(button)
                return False
            self.busy = True
        self.message = None
        self.on_change()
        try:
            self._take_ticket(service_id)
        finally:
            self.busy = False
            self.phase = None
            self.priority = None
            self.on_change()
        return True

    def _explain(self, button: ServiceButton) -> None:
        """A touch on a disabled tile: say why on the screen and aloud, never nothing."""
        why = self.banner() if not self.can_issue() else f"{button.label}: {button.detail}"
        if why:
            self.message = why
            self.voice.explain(why, self.language)
            self.on_change()

    def _take_ticket(self, service_id: str) -> None:
        lang = self.language
        before = self.printer.status()
        self.printer_state = before
        if not before.can_print:
            return  # the banner says why; nothing was issued
        transaction = self.new_transaction()
        self.phase = "asking"
        self.on_change()
        try:
            reply = self.issue(m.IssueRequest(transaction=transaction, service=service_id,
                                              priority=self.priority, language=lang))
        except RequestTimeoutError:
            self.orphans.append(_Orphan(transaction, service_id, self.priority, lang))
            self.unanswered = True  # red, tiles off, until the hub is heard again
            self.message = tr(lang, "The system is offline. Please ask the staff.")
            return
        if not reply.ok or reply.data is None:
            code = reply.error.code if reply.error else "internal"
            self.message = tr(lang, REFUSALS.get(code, NOT_AVAILABLE))
            return
        ticket = reply.data
        self.phase = "printing"
        self.on_change()
        printed = self._print(ticket, lang)
        self.result = Result(ticket.number, self._service_name(ticket.service, lang),
                             ticket.ahead, ticket.estimate_minutes, self._qr(ticket), printed,
                             self.clock() + self.settings.result_seconds if printed else None)
        self.voice.ticket(ticket.number, ticket.ahead, lang, printed)

    def _print(self, ticket: m.TicketView, lang: str) -> bool:
        content = self.ticket_content(ticket, lang)
        try:
            self.printer.print_ticket(ticket_blocks(content), ticket.number)
            after = self.printer.status()
            self.printer_state = after
            if after.online is False:
                raise PrintError("the printer went offline while printing")
            return True
        except PrintError as exc:
            log.warning("ticket %s not printed: %s", ticket.number, exc)
            self.printer_state = self.printer.status()
            self.report_print_failed(ticket.id, str(exc)[:200])
            return False

    def _service_name(self, service_id: str, lang: str) -> str:
        service = self.config.service(service_id)
        return (service.names.get(lang) or service_id) if service else service_id

    def _qr(self, ticket: m.TicketView) -> str:
        """The ticket's public address (`public.url`/t/its random token) when the centre has
        a public page; else the kiosk's `qr_url` template."""
        if self.config.public is not None and ticket.token:
            return f"{self.config.public.url}/t/{ticket.token}"
        return self.settings.qr_url.format(site=self.config.site.id, ticket_id=ticket.id,
                                           number=ticket.number)

    def ticket_content(self, ticket: m.TicketView, lang: str) -> TicketContent:
        priority = self.config.priority_class(ticket.priority) if ticket.priority else None
        return TicketContent(
            centre=self.config.site.name.get(lang) or next(iter(self.config.site.name.values())),
            number=ticket.number, service=self._service_name(ticket.service, lang),
            issued_at=ticket.issued_at.strftime("%d/%m/%Y %H:%M"), ahead=ticket.ahead,
            estimate_minutes=ticket.estimate_minutes, qr_data=self._qr(ticket),
            footer=self.settings.footer.get(lang, ""),
            priority=(priority.names.get(lang) or priority.id) if priority else None,
            language=lang,
            counters=tuple(c.number for c in self.config.counters_serving(ticket.service)),
            staff_language=self.config.site.languages[0],
            staff_service=self._service_name(ticket.service, self.config.site.languages[0]),
            live_page=self.config.public is not None and bool(ticket.token),
        )

    # --- requests the hub never answered -------------------------------------------------------

    def settle_orphans(self) -> None:
        """Ask about unanswered issues again (same transaction, `replay_only`, so nothing new
        is issued): a ticket the hub did store while the citizen was told "offline" is
        reported as never handed out."""
        for orphan in list(self.orphans):
            try:
                reply = self.issue(m.IssueRequest(
                    transaction=orphan.transaction, service=orphan.service,
                    priority=orphan.priority, language=orphan.language, replay_only=True))
            except RequestTimeoutError:
                return
            self.orphans.remove(orphan)
            if reply.ok and reply.data is not None:
                log.warning("ticket %s was issued while the kiosk waited in vain; the hub "
                            "closes it as not handed out", reply.data.number)
                self.report_not_handed_out(reply.data.id)
