"""`lobby staff-pin`: the hash of a staff member's PIN, for the configuration's `staff:`.
The PIN itself is never written anywhere."""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from typing import Any

PIN = re.compile(r"^[0-9]{4,12}$")


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "staff-pin", help="hash a staff member's PIN (4–12 digits) for the configuration")
    parser.add_argument("--stdin", action="store_true",
                        help="read the PIN from standard input (scripts) instead of asking twice")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from hub.duty import hash_pin

    if args.stdin:
        pin = sys.stdin.readline().strip()
    else:
        pin = getpass.getpass("PIN (4–12 digits): ")
        if getpass.getpass("Again: ") != pin:
            print("lobby staff-pin: the two PINs differ; nothing written", file=sys.stderr)
            return 2
    if not PIN.fullmatch(pin):
        print("lobby staff-pin: a PIN is 4 to 12 digits", file=sys.stderr)
        return 2
    print(f'pin_hash: "{hash_pin(pin)}"')
    return 0
