"""The kiosk's voice: an invitation on the idle screen, and the number read digit by digit
with the people ahead on the result screen, in the citizen's language."""

from __future__ import annotations

import threading
from pathlib import Path

from devicekit.i18n import tr
from devicekit.speech import AplaySink, Sink, Speaker, Synthesizer
from devicekit.speech import Voice as SpeechVoice
from devicekit.spelling import DIGITS, spell_ticket
from kiosk.flow import Voice
from lobby.config.models import LobbyConfig


class KioskVoice(Voice):
    def __init__(self, config: LobbyConfig, voices: dict[str, str], clips: Path,
                 sink: Sink | None = None) -> None:
        self.speaker = Speaker(Synthesizer(clips), sink or AplaySink())
        self._voice_names = voices
        self.reconfigure(config)

    def reconfigure(self, config: LobbyConfig) -> None:
        """The site's languages and services changed: speak those (prewarm says them)."""
        self.voices = {lang: SpeechVoice(lang, self._voice_names.get(lang, lang))
                       for lang in config.site.languages}
        self.config = config
        if hasattr(self, "_prewarmed"):  # a change while running: new letters, new languages
            threading.Thread(target=self.prewarm, name="voice-prewarm", daemon=True).start()

    def prewarm(self) -> None:
        """The phrases and every letter and digit, so speaking starts at once."""
        self._prewarmed = True
        phrases = []
        letters = {c for s in self.config.services for c in s.id}
        for lang, voice in self.voices.items():
            for text in (tr(lang, "Welcome. Please choose a service on the screen."),
                         tr(lang, "Your number is"), tr(lang, "Please keep your ticket."),
                         *DIGITS.get(lang, DIGITS["en"]),
                         *(w for c in sorted(letters) for w in spell_ticket(c, lang))):
                phrases.append((text, voice))
        self.speaker.prewarm(phrases)

    def invite(self, language: str) -> None:
        voice = self.voices.get(language)
        if voice:
            self.speaker.say("invite", [(tr(language, "Welcome. Please choose a service on "
                                                      "the screen."), voice)])

    def ticket(self, number: str, ahead: int | None, language: str,
               printed: bool = True) -> None:
        """What the result screen says, said: "next in line" when nobody is ahead, and
        nothing about keeping a ticket that could not be printed."""
        voice = self.voices.get(language)
        if voice is None:
            return
        phrases = [(tr(language, "Your number is"), voice)]
        phrases += [(word, voice) for word in spell_ticket(number, language)]
        if ahead == 0:
            phrases.append((tr(language, "You are next."), voice))
        elif ahead is not None:
            phrases.append((tr(language, "There are {count} people ahead of you.",
                               count=ahead), voice))
        phrases.append((tr(language, "Please keep your ticket.") if printed else
                        tr(language, "Please remember this number and tell the staff."),
                        voice))
        self.speaker.say(f"ticket {number}", phrases)

    def explain(self, text: str, language: str) -> None:
        """Why a touch did nothing (a closed service, the printer, the system)."""
        voice = self.voices.get(language)
        if voice:
            self.speaker.say("explain", [(text, voice)])

    def close(self) -> None:
        self.speaker.close()
