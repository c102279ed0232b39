"""`lobby console-user NAME`: a console user's entry for the configuration's `console.users`,
with the Argon2 hash of their password (the password itself is written nowhere)."""

from __future__ import annotations

import argparse
import getpass
import re
import sys
from typing import Any

NAME = re.compile(r"^[a-z0-9._-]{1,32}$")
MIN_PASSWORD = 10
# Argon2id at OWASP's recommended setting (19 MiB, 2 passes, 1 lane) rather than the library's
# 64 MiB default: the console verifies a hash at every sign-in, and 64 MiB a sign-in would
# double its memory for the moment (docs/performance.md). The cost is in the hash itself, so
# older hashes still verify, at their own cost.
HASH_TIME_COST, HASH_MEMORY_KIB, HASH_LANES = 2, 19_456, 1


def password_hasher() -> Any:
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=HASH_TIME_COST, memory_cost=HASH_MEMORY_KIB,
                          parallelism=HASH_LANES)


def register(sub: Any) -> None:
    parser: argparse.ArgumentParser = sub.add_parser(
        "console-user", help="a console user's entry (name, role, password hash) for the "
        "configuration")
    parser.add_argument("name", help="the user's sign-in name: a-z, 0-9, '.', '_', '-'")
    parser.add_argument("--role", choices=["viewer", "supervisor", "admin"],
                        default="supervisor", help="what they may do (default: supervisor)")
    parser.add_argument("--stdin", action="store_true",
                        help="read the password from standard input instead of asking twice")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if not NAME.fullmatch(args.name):
        print("lobby console-user: a name is 1–32 of a-z, 0-9, '.', '_', '-'", file=sys.stderr)
        return 2
    if args.stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Again: ") != password:
            print("lobby console-user: the two passwords differ; nothing written",
                  file=sys.stderr)
            return 2
    if len(password) < MIN_PASSWORD:
        print(f"lobby console-user: a password has at least {MIN_PASSWORD} characters",
              file=sys.stderr)
        return 2
    print(f'- {{name: {args.name}, role: {args.role}, '
          f'password_hash: "{password_hasher().hash(password)}"}}')
    return 0
