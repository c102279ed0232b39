"""Test doubles, at the lowest layer only: a sound sink that records instead of playing
(there is no sound card here)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from devicekit.speech import Audio


@dataclass
class TimelineEntry:
    label: str
    start: float
    end: float
    seconds: float
    file: str


@dataclass
class RecordingSink:
    """Writes each utterance as a WAV and keeps a timeline of when it played. Playback takes
    the audio's duration times `time_scale` (0 for instant), so overlaps would show."""

    out_dir: Path
    time_scale: float = 0.0
    timeline: list[TimelineEntry] = field(default_factory=list)
    on_play: Callable[[str], None] | None = None

    def __post_init__(self) -> None:
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()

    def play(self, audio: Audio, label: str) -> None:
        start = time.monotonic()
        if self.on_play:
            self.on_play(label)
        path = self.out_dir / f"{len(self.timeline) + 1:04d}.wav"
        path.write_bytes(audio.wav_bytes())
        time.sleep(audio.seconds * self.time_scale)
        with self._lock:
            self.timeline.append(TimelineEntry(label, start, time.monotonic(), audio.seconds,
                                               path.name))
            (self.out_dir / "timeline.json").write_text(
                json.dumps([e.__dict__ for e in self.timeline], ensure_ascii=False, indent=1))
