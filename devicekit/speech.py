"""Speech for every app: phrases synthesised once (pyttsx3 over espeak-ng) and kept as WAV
clips, joined into one utterance and handed to a sink, one utterance at a time.

- One synthesis worker owns the pyttsx3 engine: two threads at once lose files silently, and
  two `save_to_file` before one `runAndWait` keep only the last (docs/stack-notes.md).
- One playback worker: utterances never overlap, none is dropped, they play in the order
  they were queued.
- Sinks: `AplaySink` plays through the sound card with ALSA's `aplay` (a subprocess, so no
  audio library in the process and nothing to block the UI). The tests' recording sink
  (tests/doubles.py) writes each utterance's WAV and a timeline.
"""

from __future__ import annotations

import array
import contextlib
import ctypes
import hashlib
import io
import logging
import queue
import shutil
import subprocess
import threading
import time
import wave
from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)

# Between the phrases of one utterance. Each clip is trimmed of espeak-ng's silence first (about
# 0.45 s after every word), which made one call take 17.5 s in Vietnamese and English.
GAP_SECONDS = 0.06
SILENCE_LEVEL = 400  # of 32,767: quieter samples at a clip's ends are silence
EDGE_SECONDS = 0.02  # kept at each end of a trimmed clip, so no word starts clipped


@dataclass(frozen=True)
class Voice:
    language: str
    voice: str  # an espeak-ng voice name: "vi", "vi-vn-x-south", "en", ...
    rate: int = 150  # words per minute


@dataclass(frozen=True)
class Audio:
    frames: bytes
    rate: int = 22050
    width: int = 2
    channels: int = 1

    @property
    def seconds(self) -> float:
        return len(self.frames) / (self.rate * self.width * self.channels)

    def wav_bytes(self) -> bytes:
        buffer = io.BytesIO()
        with wave.open(buffer, "wb") as out:
            out.setnchannels(self.channels)
            out.setsampwidth(self.width)
            out.setframerate(self.rate)
            out.writeframes(self.frames)
        return buffer.getvalue()

    @classmethod
    def read(cls, path: Path) -> Audio:
        with wave.open(str(path), "rb") as source:
            return cls(source.readframes(source.getnframes()), source.getframerate(),
                       source.getsampwidth(), source.getnchannels())

    def trimmed(self) -> Audio:
        """Without the silence at its start and end (16-bit mono clips only)."""
        if self.width != 2 or self.channels != 1 or not self.frames:
            return self
        samples = array.array("h")
        samples.frombytes(self.frames[:len(self.frames) // 2 * 2])
        first = next((i for i, v in enumerate(samples) if abs(v) > SILENCE_LEVEL), None)
        if first is None:
            return self  # all silence: leave it as it is
        last = next(i for i in range(len(samples) - 1, -1, -1)
                     if abs(samples[i]) > SILENCE_LEVEL)
        edge = int(self.rate * EDGE_SECONDS)
        start, end = max(0, first - edge), min(len(samples), last + 1 + edge)
        return Audio(samples[start:end].tobytes(), self.rate, self.width, self.channels)

    def silence(self, seconds: float) -> Audio:
        count = int(self.rate * seconds) * self.width * self.channels
        return Audio(b"\x00" * count, self.rate, self.width, self.channels)

    def __add__(self, other: Audio) -> Audio:
        if (self.rate, self.width, self.channels) != (other.rate, other.width, other.channels):
            raise ValueError("clips of different formats cannot be joined")
        return Audio(self.frames + other.frames, self.rate, self.width, self.channels)


class SpeechError(RuntimeError):
    pass


# The one format clips are joined in (espeak-ng's): a recorded part must be in it too.
CLIP_FORMAT = (22050, 2, 1)  # rate, bytes a sample, channels


def recorded_path(pack: Path, language: str, text: str) -> Path:
    """Where a voice pack keeps the recording of `text`: its words are the file name."""
    return pack / language / f"{text.rstrip(':').strip()}.wav"


def check_recording(path: Path) -> str | None:
    """What is wrong with a recorded part, or None when it can be used."""
    try:
        audio = Audio.read(path)
    except (wave.Error, EOFError, OSError) as exc:
        return f"not a WAV file ({exc})"
    if (audio.rate, audio.width, audio.channels) != CLIP_FORMAT:
        return (f"{audio.rate} Hz, {audio.width * 8}-bit, {audio.channels} channel(s); "
                "needs 22050 Hz, 16-bit, mono")
    if audio.trimmed().seconds < 0.05:
        return "silent"
    return None


class Synthesizer:
    """Text to WAV clips, cached on disk by voice, rate and text. With a recorded voice pack
    (`recorded/<language>/<text>.wav`, as `lobby voice-pack check` describes), a part
    recorded by a person is used as it is; every other part is synthesised by espeak-ng."""

    def __init__(self, cache_dir: Path, recorded: Path | None = None) -> None:
        self.recorded = recorded
        self.cache_dir = cache_dir
        cache_dir.mkdir(parents=True, exist_ok=True)
        self._jobs: queue.Queue[tuple[str, Voice, Path, Future[Path]] | None] = queue.Queue()
        self._loaded: dict[Path, Audio] = {}  # clips already read: no disk on the hot path
        self._thread = threading.Thread(target=self._work, name="speech-synth", daemon=True)
        self._thread.start()

    def path_for(self, text: str, voice: Voice) -> Path:
        key = hashlib.sha1(f"{voice.voice}|{voice.rate}|{text}".encode()).hexdigest()[:20]
        return self.cache_dir / f"{voice.language}-{key}.wav"

    def clip(self, text: str, voice: Voice, timeout: float = 10.0) -> Audio:
        if self.recorded is not None:
            own = recorded_path(self.recorded, voice.language, text)
            if own.exists():
                loaded = self._loaded.get(own)
                if loaded is None:
                    loaded = self._loaded[own] = Audio.read(own).trimmed()
                return loaded
        path = self.path_for(text, voice)
        loaded = self._loaded.get(path)
        if loaded is not None:
            return loaded
        if not path.exists():
            future: Future[Path] = Future()
            self._jobs.put((text, voice, path, future))
            future.result(timeout)
        audio = self._loaded[path] = Audio.read(path).trimmed()
        return audio

    def _work(self) -> None:
        engine: Any = None
        while True:
            job = self._jobs.get()
            if job is None:
                return
            text, voice, path, future = job
            try:
                if path.exists():  # asked twice before the first was made
                    future.set_result(path)
                    continue
                if engine is None:
                    import pyttsx3  # the engine lives on this thread only

                    engine = pyttsx3.init("espeak")
                    _keep_last_samples(engine)
                engine.setProperty("voice", voice.voice)
                engine.setProperty("rate", voice.rate)
                partial = path.with_suffix(".part.wav")
                for _attempt in range(3):
                    _synthesise(engine, text, partial)
                    if partial.exists() and partial.stat().st_size > 44:
                        break
                else:
                    raise SpeechError(f"espeak-ng wrote no audio for {text!r}")
                partial.replace(path)  # only a complete clip enters the cache
                future.set_result(path)
            except Exception as exc:
                future.set_exception(exc)

    def close(self) -> None:
        self._jobs.put(None)


def _synthesise(engine: Any, text: str, path: Path) -> None:
    from pyttsx3.drivers import _espeak

    # runAndWait queues an endLoop that calls driver.stop(), which cancels the new synthesis
    # if espeak still reports the previous one as playing: wait until it is idle.
    deadline = time.monotonic() + 2
    while _espeak.IsPlaying() and time.monotonic() < deadline:
        time.sleep(0.002)
    path.unlink(missing_ok=True)
    # The espeak driver prints "Audio saved to ..." on stdout: keep it quiet.
    with contextlib.redirect_stdout(io.StringIO()):
        engine.save_to_file(text, str(path))
        engine.runAndWait()


def _keep_last_samples(engine: Any) -> None:
    """Work around pyttsx3 2.99's espeak driver, which writes the WAV when it meets the end
    event *before* adding the samples that came with that same callback: a short phrase
    comes out empty and a long one loses its end. Here the samples are added first and the
    driver then handles the events with none left to add. (Version pinned in pyproject.)"""
    from pyttsx3.drivers import _espeak

    driver = engine.proxy._driver
    handle_events = driver._onSynth

    def on_synth(wav: Any, count: int, events: Any) -> int:
        if driver._speaking and count > 0:
            driver._data_buffer += ctypes.string_at(wav, count * ctypes.sizeof(ctypes.c_short))
        return int(handle_events(wav, 0, events))

    _espeak.SetSynthCallback(on_synth)


class Sink(Protocol):
    def play(self, audio: Audio, label: str) -> None:
        """Play the utterance and return when it has finished."""


class AplaySink:
    """Plays through the sound card with ALSA's `aplay` (Debian alsa-utils), on the configured
    ALSA device: a ceiling screen's speakers are often its HDMI output, not the default."""

    def __init__(self, device: str = "default") -> None:
        self.device = device
        self.available = shutil.which("aplay") is not None
        self._failing = False  # warn once per outage, not on every announcement
        if not self.available:
            log.warning("aplay is not installed (Debian alsa-utils): speech is silent")

    def play(self, audio: Audio, label: str) -> None:
        if not self.available:
            return
        result = subprocess.run(["aplay", "-q", "-D", self.device, "-"], input=audio.wav_bytes(),
                                capture_output=True, check=False)
        if result.returncode != 0 and not self._failing:
            last = result.stderr.decode(errors="replace").strip().splitlines()[-1:]
            log.warning("no sound on ALSA device %s: aplay failed (%s); is a sound card "
                        "configured (`aplay -L` lists the devices)?", self.device,
                        last[0] if last else f"exit {result.returncode}")
        elif result.returncode == 0 and self._failing:
            log.info("sound is back")
        self._failing = result.returncode != 0


Phrase = tuple[str, Voice]


class Speaker:
    """Queues utterances (a list of phrases, optionally after a prefix sound) and plays them
    one at a time on its own thread; `say` never blocks its caller."""

    def __init__(self, synthesizer: Synthesizer, sink: Sink, enabled: bool = True) -> None:
        self.synthesizer = synthesizer
        self.sink = sink
        self.enabled = enabled
        self._queue: queue.Queue[tuple[str, Sequence[Phrase], Audio | None] | None] = (
            queue.Queue())
        self._idle = threading.Event()
        self._idle.set()
        self._pending = 0  # queued or playing; idle when it is back to 0
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._work, name="speaker", daemon=True)
        self._thread.start()

    def say(self, label: str, phrases: Sequence[Phrase], prefix: Audio | None = None) -> None:
        if not self.enabled:
            return
        with self._lock:
            self._pending += 1
            self._idle.clear()
        self._queue.put((label, list(phrases), prefix))

    def prewarm(self, phrases: Sequence[Phrase]) -> None:
        """Synthesise clips ahead, so the first announcement starts at once."""
        for text, voice in phrases:
            try:
                self.synthesizer.clip(text, voice)
            except Exception:
                log.warning("could not synthesise %r", text, exc_info=True)

    @property
    def busy(self) -> bool:
        """Something is queued or playing."""
        with self._lock:
            return self._pending > 0

    def wait_idle(self, timeout: float) -> bool:
        return self._idle.wait(timeout)

    def render(self, phrases: Sequence[Phrase], prefix: Audio | None = None) -> Audio:
        audio = prefix
        for text, voice in phrases:
            clip = self.synthesizer.clip(text, voice)
            audio = clip if audio is None else audio + audio.silence(GAP_SECONDS) + clip
        if audio is None:
            raise SpeechError("nothing to say")
        return audio

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            label, phrases, prefix = item
            try:
                self.sink.play(self.render(phrases, prefix), label)
            except Exception:
                log.exception("could not speak %s", label)
            with self._lock:
                self._pending -= 1
                if self._pending == 0:
                    self._idle.set()

    def close(self) -> None:
        self._queue.put(None)
        self._thread.join(5)
        self.synthesizer.close()
