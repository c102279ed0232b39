"""The announcer: for each new call, the chime, then "Mời số A, không, hai, ba, đến quầy số
năm", then (optionally) the English phrase, `repeat` times; a recall is announced again. A
call that arrives while others are still to be said is said without the chime, once, in the
first language: in a burst the last call must not wait a minute.

Calls are spoken strictly one after another in the order of `seq`, each once: the last
handled `seq` is kept in a file, so neither a reconnect nor a restart of the board says a
call twice. After a reconnect, calls missed while away are said if they are recent
(`missed_window_seconds`); on a first start the board says nothing of the past.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path

from devicekit.assets import CHIME
from devicekit.i18n import tr
from devicekit.speech import Audio, Phrase, Speaker, Voice
from devicekit.spelling import DIGITS, number_words, spell_ticket
from display.zone import in_zone
from lobby.config.models import Board, LobbyConfig
from lobby.contract import messages as m
from lobby.contract import supervisor as sv

log = logging.getLogger(__name__)



def call_words(call: m.BoardCall, language: str) -> list[str]:
    """"Mời số A, không, hai, ba, đến quầy số mười lăm", one clip per word or phrase."""
    words = [tr(language, "Once more:")] if call.recall else []
    return [*words, tr(language, "Number"), *spell_ticket(call.number, language),
            tr(language, "please go to counter"), number_words(call.counter_number, language)]


def call_parts(config: LobbyConfig, lang: str) -> list[str]:
    letters = {c for s in config.services for c in s.id}
    words = [tr(lang, "Once more:"), tr(lang, "Number"), tr(lang, "please go to counter"),
             *DIGITS.get(lang, DIGITS["en"]),
             *(w for c in sorted(letters) for w in spell_ticket(c, lang)),
             *(number_words(c.number, lang) for c in config.counters)]
    return list(dict.fromkeys(words))  # once each, in order


class Announcer:
    def __init__(self, config: LobbyConfig, settings: Board, speaker: Speaker,
                 state_file: Path | None = None, chime: Audio | None = None,
                 clock: Callable[[], float] = time.time) -> None:
        self.config = config
        self.settings = settings
        self.speaker = speaker
        self.state_file = state_file
        self.chime = chime if chime is not None else Audio.read(CHIME)
        self.clock = clock
        self.voices = {lang: Voice(lang, settings.voices.get(lang, lang), settings.rate)
                       for lang in settings.languages}
        self.handled: int | None = self._load()
        self.announced: set[int] = set()  # announcements said (each once)
        self._lock = threading.Lock()

    def reconfigure(self, config: LobbyConfig, settings: Board) -> None:
        """New services or counters (their letters and numbers are prepared in the
        background); a change of voice or languages restarts the board instead."""
        with self._lock:
            self.config, self.settings = config, settings
        threading.Thread(target=self.prewarm, name="announcer-prewarm", daemon=True).start()

    def _load(self) -> int | None:
        if self.state_file and self.state_file.exists():
            try:
                return int(self.state_file.read_text().strip())
            except ValueError:
                log.warning("ignoring unreadable %s", self.state_file)
        return None

    def _save(self) -> None:
        if self.state_file:
            self.state_file.parent.mkdir(parents=True, exist_ok=True)
            partial = self.state_file.with_suffix(".part")
            partial.write_text(str(self.handled))
            partial.replace(self.state_file)

    def phrases(self, call: m.BoardCall, behind_others: bool = False) -> list[Phrase]:
        """Every language, `repeat` times; a call queued behind others (a burst at opening
        time) is said once, in the first language only, so the last of five is heard within
        about 25 s of being made instead of 70."""
        voices = list(self.voices.items())[:1] if behind_others else self.voices.items()
        said = [(word, voice) for lang, voice in voices for word in call_words(call, lang)]
        return said if behind_others else said * self.settings.repeat

    def parts(self) -> list[Phrase]:
        """Every phrase part a call of this centre can take: the call phrases, letters,
        digits and counter numbers, in each language (a recorded voice pack has these)."""
        return [(word, voice) for lang, voice in self.voices.items()
                for word in call_parts(self.config, lang)]

    def prewarm(self) -> None:
        """Every phrase part, synthesised or read now, so announcing starts at once."""
        self.speaker.prewarm(self.parts())

    def _say(self, call: m.BoardCall) -> None:
        if in_zone(self.settings, call.counter, call.service):
            behind = self.speaker.busy  # others still to say: no chime, one language
            self.speaker.say(f"{call.seq} {call.number} {call.counter}"
                             f"{' recall' if call.recall else ''}",
                             self.phrases(call, behind),
                             prefix=None if behind else self.chime)
        self.handled = call.seq
        self._save()

    def on_called(self, call: m.CalledEvent) -> bool:
        """A live call. Said unless its seq was handled already."""
        with self._lock:
            if self.handled is not None and call.seq <= self.handled:
                return False
            self._say(call)
            return True

    def on_announcement(self, announcement: sv.AnnouncementEvent) -> bool:
        """A supervisor's announcement: after the chime, each language's text once, queued
        after the call being said (calls and announcements keep their order)."""
        with self._lock:
            if announcement.id in self.announced:
                return False
            self.announced.add(announcement.id)
            phrases = [(announcement.texts[lang], voice) for lang, voice in self.voices.items()
                       if lang in announcement.texts]
            if not phrases:
                return False
            self.speaker.say(f"announcement {announcement.id}", phrases, prefix=self.chime)
            return True

    def on_board(self, board: m.BoardState) -> list[int]:
        """The retained board, on (re)connect: say recent calls not yet handled, oldest
        first; on a first start only remember where the site is."""
        with self._lock:
            if self.handled is not None and board.seq < self.handled:
                # seq only grows at a site: a lower one means the hub's store was replaced.
                log.warning("the hub's seq went back from %d to %d: starting again from it",
                            self.handled, board.seq)
                self.handled = None
            if self.handled is None:
                self.handled = board.seq
                self._save()
                return []
            said = []
            now = self.clock()
            for call in sorted(board.calls, key=lambda c: c.seq):
                if call.seq <= self.handled:
                    continue
                age = now - call.at.timestamp()
                if age <= self.settings.missed_window_seconds:
                    self._say(call)
                    said.append(call.seq)
                else:
                    self.handled = call.seq  # too old to call out now; shown, not said
            self._save()
            return said
