"""Synthesise the board's chime (assets/sounds/chime.wav): a two-note "ding-dong" (E5 then C5)
with bell-like harmonics and a soft decay, 22,050 Hz mono 16-bit like the speech clips so
they join without resampling. Made here, so it is ours to license (CC0, see
assets/sounds/LICENSE). Run again to change it."""

from __future__ import annotations

import math
import struct
import wave
from pathlib import Path

RATE = 22050
OUT = Path(__file__).resolve().parent.parent / "assets" / "sounds" / "chime.wav"


def note(frequency: float, seconds: float, volume: float) -> list[float]:
    samples = []
    for i in range(int(RATE * seconds)):
        t = i / RATE
        envelope = min(1.0, t / 0.01) * math.exp(-3.2 * t)
        tone = (math.sin(2 * math.pi * frequency * t)
                + 0.35 * math.sin(2 * math.pi * 2 * frequency * t)
                + 0.12 * math.sin(2 * math.pi * 3.01 * frequency * t))
        samples.append(volume * envelope * tone / 1.47)
    return samples


def main() -> None:
    first, second = note(659.25, 0.9, 0.55), note(523.25, 1.3, 0.55)
    offset = int(RATE * 0.45)
    mix = [0.0] * (offset + len(second))
    for i, value in enumerate(first):
        mix[i] += value
    for i, value in enumerate(second):
        mix[offset + i] += value
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with wave.open(str(OUT), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE)
        out.writeframes(b"".join(struct.pack("<h", int(max(-1, min(1, v)) * 32000))
                                 for v in mix))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
