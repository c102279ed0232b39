"""The rating pad's voice: the question when it is asked, and the thanks."""

from __future__ import annotations

from pathlib import Path

from devicekit.i18n import tr
from devicekit.speech import AplaySink, Sink, Speaker, Synthesizer
from devicekit.speech import Voice as SpeechVoice
from display.rating_model import QUESTION, THANKS, Voice
from lobby.config.models import LobbyConfig


class RatingVoice(Voice):
    def __init__(self, config: LobbyConfig, voices: dict[str, str], clips: Path,
                 sink: Sink | None = None) -> None:
        self.speaker = Speaker(Synthesizer(clips), sink or AplaySink())
        self.voices = {lang: SpeechVoice(lang, voices.get(lang, lang))
                       for lang in config.site.languages}

    def prewarm(self) -> None:
        self.speaker.prewarm([(tr(lang, text), voice) for lang, voice in self.voices.items()
                              for text in (QUESTION, THANKS)])

    def ask(self, text: str, language: str) -> None:
        self._say("question", text, language)

    def thank(self, text: str, language: str) -> None:
        self._say("thanks", text, language)

    def _say(self, label: str, text: str, language: str) -> None:
        voice = self.voices.get(language)
        if voice is not None:
            self.speaker.say(label, [(text, voice)])

    def close(self) -> None:
        self.speaker.close()
