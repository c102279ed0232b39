"""Golden payloads of contract v1: every example of docs/mqtt-api.md as it went on the wire,
one file per topic (`<spec name>.json`). They are never edited: a payload that was valid v1
must decode for as long as v1 is spoken. `python -m tests.golden` adds the example of a new
topic and leaves the existing files alone."""

from __future__ import annotations

import json
from pathlib import Path

from lobby.contract import REGISTRY
from lobby.contract import messages as m

FOLDER = Path(__file__).parent / "v1"


def write_missing() -> list[Path]:
    written = []
    for spec in REGISTRY:
        path = FOLDER / f"{spec.name}.json"
        if not path.exists():
            example = json.loads(m.dump(spec.example))
            path.write_text(json.dumps(example, ensure_ascii=False, indent=2) + "\n",
                            encoding="utf-8")
            written.append(path)
    return written
