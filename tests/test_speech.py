"""Speech with real espeak-ng clips, played into the recording sink."""

from __future__ import annotations

import logging
import time
import wave
from pathlib import Path

import pytest

from devicekit.speech import AplaySink, Audio, Speaker, Synthesizer, Voice
from devicekit.spelling import number_words, spell_ticket
from kiosk.voice import KioskVoice
from tests.doubles import RecordingSink
from tests.helpers import small_config


def test_ticket_numbers_are_read_letter_by_letter_and_digit_by_digit() -> None:
    assert spell_ticket("A023", "vi") == ["A", "không", "hai", "ba"]
    assert spell_ticket("B105", "vi") == ["Bê", "một", "không", "năm"]
    assert spell_ticket("A023", "en") == ["A", "zero", "two", "three"]
    assert number_words(15, "vi") == "mười lăm" and number_words(21, "vi") == "hai mươi mốt"


def test_kiosk_voice_reads_the_ticket_in_the_citizens_language(tmp_path: Path) -> None:
    sink = RecordingSink(tmp_path / "played", time_scale=0.05)
    voice = KioskVoice(small_config(), {"vi": "vi", "en": "en"}, tmp_path / "clips", sink)
    try:
        started = time.perf_counter()
        voice.ticket("A023", 4, "vi")
        voice.invite("en")
        assert time.perf_counter() - started < 0.05  # queued, never blocking the UI
        assert voice.speaker.wait_idle(20)
        assert [e.label for e in sink.timeline] == ["ticket A023", "invite"]
        first, second = sink.timeline
        assert first.end <= second.start  # one at a time
        with wave.open(str(tmp_path / "played" / first.file)) as played:
            assert played.getframerate() == 22050 and played.getnframes() > 22050 * 3
        clips = sorted((tmp_path / "clips").glob("vi-*.wav"))
        # "Số của quý khách là", A, không, hai, ba, "Có 4 người...", "Vui lòng giữ..."
        assert len(clips) == 7
        voice.ticket("A023", 4, "vi")  # again: from the cache, nothing synthesised
        assert voice.speaker.wait_idle(10)
        assert sorted((tmp_path / "clips").glob("vi-*.wav")) == clips
        assert (tmp_path / "played" / "timeline.json").exists()
    finally:
        voice.close()


def test_switched_off_speaker_says_nothing(tmp_path: Path) -> None:
    sink = RecordingSink(tmp_path / "played")
    speaker = Speaker(Synthesizer(tmp_path / "clips"), sink, enabled=False)
    speaker.say("x", [("xin chào", Voice("vi", "vi"))])
    assert speaker.wait_idle(1) and sink.timeline == []
    speaker.close()


def spoken(folder: Path, text: str) -> Audio:
    synthesizer = Synthesizer(folder / "clips")
    try:
        return synthesizer.clip(text, Voice("vi", "vi"))
    finally:
        synthesizer.close()


def test_aplay_sink_hands_alsa_the_clip_as_it_is(tmp_path: Path,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    # No sound card here: ALSA's own `file` plugin stands in for the hardware, at the lowest
    # layer, and keeps what aplay delivered to the PCM (padded with silence to a period).
    clip = spoken(tmp_path, "Mời số A, không, hai, ba")
    delivered = tmp_path / "alsa.wav"
    AplaySink(f"file:FILE={delivered},FORMAT=wav").play(clip, "call")
    with wave.open(str(delivered)) as alsa:
        assert (alsa.getframerate(), alsa.getsampwidth(), alsa.getnchannels()) == (22050, 2, 1)
        frames = alsa.readframes(alsa.getnframes())
    assert len(clip.frames) > 22050  # a real utterance, over half a second
    assert frames[:len(clip.frames)] == clip.frames
    assert set(frames[len(clip.frames):]) <= {0}
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_aplay_sink_on_a_missing_device_warns_once_and_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    sink = AplaySink("hw:CARD=NoSuchCard")
    clip = spoken(tmp_path, "một")
    for _ in range(3):
        sink.play(clip, "call")  # returns: the announcer's queue is never stuck on it
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "hw:CARD=NoSuchCard" in warnings[0]


def tone(seconds: float, rate: int = 22050) -> Audio:
    """A recording stand-in: a 440 Hz tone (a person's voice, as far as the code can tell)."""
    import math
    import struct

    count = int(rate * seconds)
    frames = b"".join(struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / rate)))
                      for i in range(count))
    return Audio(frames, rate)


def test_a_recorded_voice_pack_is_used_and_checked(tmp_path: Path) -> None:
    """A centre records its own parts; `lobby voice-pack check` says what is there, what is
    missing (said by espeak-ng) and what cannot be used."""
    import subprocess
    import sys

    from devicekit.speech import recorded_path
    from tests.helpers import ROOT, small_config_file

    _, config_file = small_config_file(tmp_path)
    pack = tmp_path / "pack"
    for text in ("Mời số", "không", "một"):
        path = recorded_path(pack, "vi", text)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(tone(0.4).wav_bytes())
    wrong = recorded_path(pack, "vi", "hai")
    wrong.write_bytes(tone(0.4, rate=44100).wav_bytes())

    def check() -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "lobby.cli", "voice-pack", "check",
                               str(pack), "--config", str(config_file)], capture_output=True,
                              text=True, cwd=ROOT, timeout=60)

    found = check()
    assert found.returncode == 2, found.stdout  # a recording in the wrong format
    assert "3 part(s) recorded and usable" in found.stdout
    assert "unusable: vi/hai.wav: 44100 Hz" in found.stdout
    assert "vi/ba.wav" in found.stdout  # not recorded: espeak-ng says it
    wrong.unlink()
    assert check().returncode == 1  # only missing parts now
    # The recorded part is what is played; the rest is synthesised.
    synthesizer = Synthesizer(tmp_path / "clips", pack)
    try:
        own = synthesizer.clip("Mời số", Voice("vi", "vi"))
        assert own.frames == tone(0.4).trimmed().frames
        spoken = synthesizer.clip("ba", Voice("vi", "vi"))
        assert spoken.seconds > 0.1 and spoken.frames != own.frames
    finally:
        synthesizer.close()
