"""Voice benchmark (not a timed test): `./run.sh bench` or `python bench/voice_bench.py`.

The board's announcer with real espeak-ng clips for the demo centre, measured on the audio it
produces: the length of one call (chime, Vietnamese, English), of a call said behind others
(Vietnamese only, no chime), the longest silence between two words, and, for a burst of five
calls made at once, when the fifth starts playing (the four before it played end to end).
"""

from __future__ import annotations

import array
import datetime as dt
import itertools
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from devicekit.speech import SILENCE_LEVEL, Audio, Speaker, Synthesizer  # noqa: E402
from display.announcer import Announcer  # noqa: E402
from lobby.config import load_config  # noqa: E402
from lobby.contract import messages as m  # noqa: E402

DEMO = ROOT / "config" / "demo.yaml"


class NoSound:
    def play(self, audio: Audio, label: str) -> None:
        pass


def longest_silence(audio: Audio) -> float:
    """The longest run of quiet samples inside the audio (not at its ends), in seconds."""
    samples = array.array("h")
    samples.frombytes(audio.frames)
    loud = [i for i, v in enumerate(samples) if abs(v) > SILENCE_LEVEL]
    gaps = [b - a for a, b in itertools.pairwise(loud)]
    return max(gaps, default=0) / audio.rate


def main() -> None:
    config = load_config(DEMO)
    board = next(d for d in config.devices if d.role == "board").board_settings
    speaker = Speaker(Synthesizer(Path(tempfile.mkdtemp(prefix="lobby-voice-"))), NoSound())
    announcer = Announcer(config, board, speaker)
    announcer.prewarm()
    now = dt.datetime.now(dt.UTC)
    calls = [m.BoardCall(seq=i, number=f"A0{20 + i}", counter=str(i), counter_number=i,
                         service="A", recall=False, at=now) for i in range(1, 6)]
    full = speaker.render(announcer.phrases(calls[0]), announcer.chime)
    speech = speaker.render(announcer.phrases(calls[0]))
    behind = speaker.render(announcer.phrases(calls[1], behind_others=True))
    vietnamese = speaker.render(announcer.phrases(calls[1], behind_others=True))
    recall = calls[0].model_copy(update={"recall": True})
    recalled = speaker.render(announcer.phrases(recall), announcer.chime)
    # A burst: the first call in full, the four after it behind others, end to end.
    burst = [full.seconds] + [speaker.render(announcer.phrases(c, behind_others=True)).seconds
                              for c in calls[1:]]
    fifth_starts = sum(burst[:4])
    speaker.close()
    voices = ", ".join(f"{k}: {v}" for k, v in board.voices.items())
    print(f"demo centre, voices {voices}, {board.rate} words/min")
    print("| what | seconds |")
    print("|---|---|")
    print(f"| one call, Vietnamese only | {vietnamese.seconds:.2f} |")
    print(f"| one call, Vietnamese and English (speech) | {speech.seconds:.2f} |")
    print(f"| one call with the chime | {full.seconds:.2f} |")
    print(f"| a recall with the chime | {recalled.seconds:.2f} |")
    print(f"| a call said behind others (Vietnamese, no chime) | {behind.seconds:.2f} |")
    print(f"| longest silence between two words of a call | "
          f"{longest_silence(speech):.2f} |")
    print(f"| burst of 5 calls: the fifth starts after | {fifth_starts:.2f} |")


if __name__ == "__main__":
    main()
