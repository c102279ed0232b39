"""The rating pad as a plain view-model: a tablet facing the citizen at one counter.

Idle, it shows the centre and the counter. When the counter's state says a finished ticket
awaits a rating (`awaiting_rating`), it asks: the ticket's number, the counter, the officer
and the question, with the scale's levels as large buttons, best first. One touch rates;
the lowest level asks for one reason first (skippable). Then thanks, and back to idle. Left
untouched for `rating_seconds`, the question goes; a pad that restarts or reconnects asks again
from the retained state. Nothing about the citizen is shown or kept.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from devicekit.i18n import N_, tr
from lobby.config.models import Device, LobbyConfig, RatingPad
from lobby.contract import messages as m
from lobby.presence import HubPresence
from lobby.rpc import RequestTimeoutError

Screen = Literal["idle", "question", "reason", "thanks", "failed"]
# (level, reason, ticket id) -> the reply; may raise RequestTimeoutError
Rate = Callable[[str, str | None, int], m.Reply[m.CounterView]]

QUESTION = N_("How satisfied are you with how your matter was handled?")
WHY = N_("What went wrong? (one touch)")
SKIP = N_("Skip")
THANKS = N_("Thank you for your rating!")
FAILED = N_("Your rating could not be sent. Please tell the staff.")
TOO_LATE = N_("This ticket can no longer be rated.")
THANKS_SECONDS = 6.0
FAILED_SECONDS = 6.0


class Voice:
    """What the pad says; a no-op unless a speaker is attached (display/rating_voice.py)."""

    def ask(self, text: str, language: str) -> None: ...

    def thank(self, text: str, language: str) -> None: ...


@dataclass(frozen=True)
class LevelButton:
    id: str
    words: list[str]  # in each site language, the first language first
    colour: str
    mood: float  # +1 the best level's face, -1 the worst's


class RatingModel(HubPresence):
    def __init__(self, config: LobbyConfig, device: Device, rate: Rate,
                 voice: Voice | None = None, clock: Callable[[], float] = time.monotonic,
                 on_change: Callable[[], None] = lambda: None) -> None:
        self.config, self.device = config, device
        self.rate = rate
        self.voice = voice or Voice()
        self.clock = clock
        self.on_change = on_change
        self.view: m.CounterView | None = None
        self.screen: Screen = "idle"
        self.asking: m.AwaitingRating | None = None  # the ticket the question is about
        self.officer: str | None = None  # who finished it (the view's officer at the time)
        self.busy = False
        self.message: str = ""  # the thanks or the failure (a catalogue message, untranslated)
        self._until = 0.0  # when a question, thanks or failure goes back to idle
        self._left: set[int] = set()  # tickets answered, or left untouched, here
        self._pending = ""  # the lowest level, while its reason is asked
        self._lock = threading.Lock()

    @property
    def counter_id(self) -> str:
        return self.device.counters[0]

    @property
    def settings(self) -> RatingPad:
        return self.device.rating_settings

    # --- inputs (the bus's thread, the UI's clock) -------------------------------------------

    def on_counter(self, view: m.CounterView) -> None:
        if view.counter != self.counter_id:
            return
        with self._lock:
            self.view = view
            awaiting = view.awaiting_rating
            if not self._ask_if_new(view) and self.screen in ("question", "reason") and (
                    awaiting is None or self.asking is None
                    or awaiting.ticket_id != self.asking.ticket_id):
                self._keep_lowest_without_reason()  # tried: the hub may still take it
                self.screen, self.asking = "idle", None  # rated elsewhere, or too late
        self.on_change()

    def _ask_if_new(self, view: m.CounterView | None) -> bool:
        """Asks about the counter's finished ticket unless it was answered or left here, or
        is being asked; the next citizen does not wait for the last one's thanks."""
        awaiting = view.awaiting_rating if view else None
        if view is None or awaiting is None or awaiting.ticket_id in self._left or self.busy:
            return False
        if self.asking is not None and self.asking.ticket_id == awaiting.ticket_id:
            return False
        self._keep_lowest_without_reason()
        self._ask(awaiting, view)
        return True

    def _keep_lowest_without_reason(self) -> None:
        """The citizen touched the lowest level and then gave no reason (walked away, or the
        next citizen's question came): the touch counts, without a reason. Dropping it would
        make the centre look better than its citizens said."""
        if self.screen != "reason" or self.asking is None:
            return
        ticket, level = self.asking.ticket_id, self._pending
        self._left.add(ticket)
        threading.Thread(target=self._send_quietly, args=(level, ticket), daemon=True,
                         name="rate-lowest").start()

    def _send_quietly(self, level: str, ticket: int) -> None:
        with contextlib.suppress(RequestTimeoutError):  # nobody is there to tell
            self.rate(level, None, ticket)

    def _ask(self, awaiting: m.AwaitingRating, view: m.CounterView) -> None:
        self.asking, self.screen = awaiting, "question"
        self.officer = view.officer.name if view.officer else None
        self._until = self.clock() + self.settings.rating_seconds
        self.voice.ask(tr(self.language, QUESTION), self.language)

    def reconfigure(self, config: LobbyConfig, device: Device) -> None:
        with self._lock:
            self.config, self.device = config, device
        self.on_change()

    def tick(self) -> None:
        """Untouched questions go, and thanks after a while (every half second)."""
        with self._lock:
            if self.screen == "idle" or self.busy or self.clock() < self._until:
                return
            self._keep_lowest_without_reason()
            if self.asking is not None:
                self._left.add(self.asking.ticket_id)
            self.screen, self.asking, self.message = "idle", None, ""
            self._ask_if_new(self.view)  # a ticket finished meanwhile
        self.on_change()

    # --- the citizen's touches (the app calls `choose` off the UI thread) --------------------

    def choose(self, level_id: str) -> None:
        scale = self.config.ratings
        if self.screen != "question" or self.busy:
            return
        if level_id == scale.lowest.id and scale.reasons:
            with self._lock:
                self.screen, self._pending = "reason", level_id
                self._until = self.clock() + self.settings.rating_seconds
            self.on_change()
            return
        self._send(level_id, None)

    def choose_reason(self, reason_id: str | None) -> None:
        """A reason for the lowest level, or None (the citizen skipped it)."""
        if self.screen == "reason" and not self.busy:
            self._send(self.config.ratings.lowest.id, reason_id)

    def _send(self, level_id: str, reason_id: str | None) -> None:
        with self._lock:
            asking = self.asking
            if asking is None or self.busy:
                return
            self.busy = True
        self.on_change()
        code: str | None
        try:
            reply = self.rate(level_id, reason_id, asking.ticket_id)
            code = None if reply.ok else (reply.error.code if reply.error else "internal")
        except RequestTimeoutError:
            code = "timeout"
        with self._lock:
            self.busy = False
            self._left.add(asking.ticket_id)
            self.asking = None
            if code in (None, "already_rated"):  # rated (a retry may find its own rating)
                self.screen, self.message = "thanks", THANKS
                self._until = self.clock() + THANKS_SECONDS
                self.voice.thank(tr(self.language, THANKS), self.language)
            else:
                self.screen = "failed"
                self.message = TOO_LATE if code == "rating_closed" else FAILED
                self._until = self.clock() + FAILED_SECONDS
        self.on_change()

    # --- what the screen shows ---------------------------------------------------------------

    @property
    def language(self) -> str:
        return self.config.site.languages[0]

    def words(self, names: dict[str, str]) -> list[str]:
        """A name in each site language, the first language first."""
        return [names[lang] for lang in self.config.site.languages if lang in names]

    def levels(self) -> list[LevelButton]:
        scale = self.config.ratings.levels
        return [LevelButton(level.id, self.words(level.names), level.colour,
                            mood(index, len(scale))) for index, level in enumerate(scale)]

    def reasons(self) -> list[tuple[str, list[str]]]:
        return [(r.id, self.words(r.names)) for r in self.config.ratings.reasons]

    def counter_number(self) -> int:
        counter = self.config.counter(self.counter_id)
        return counter.number if counter else (self.view.number if self.view else 0)



def mood(index: int, count: int) -> float:
    """The face of the level at `index` (0 the best) of `count`: the best smiles broadly, the
    worst frowns, the ones between go from a smile to a straight mouth (with four levels
    "Bình thường" is neither happy nor sad)."""
    if index == 0:
        return 1.0
    if index == count - 1:
        return -1.0
    middle = count - 2
    return 0.6 * (1 - (index - 1) / (middle - 1)) if middle > 1 else 0.0
