"""`lobby demo` and `lobby simulate`: registered into the `lobby` command through the
`lobby.commands` entry-point group, like every app."""

from __future__ import annotations

import argparse
from typing import Any

from lobby.cli import add_broker_argument, add_config_argument


def register(sub: Any) -> None:
    demo = sub.add_parser("demo", help="a whole lobby on this machine: private broker, hub "
                          "and every installed app, data under --var")
    add_config_argument(demo)
    demo.add_argument("--var", default="var", metavar="DIR",
                      help="where the demo writes everything: the broker's files, the store, "
                      "voice clips and the printed tickets (default: var)")
    demo.add_argument("--simulate", choices=["auto", "yes", "no"], default="auto",
                      help="drive a simulated day too (auto: when no kiosk window can open)")
    demo.set_defaults(run=_demo)

    sim = sub.add_parser("simulate", help="drive a realistic day against a running hub")
    add_config_argument(sim)
    add_broker_argument(sim)
    sim.add_argument("--speed", type=float, default=60.0,
                     help="simulated seconds per real second (default 60)")
    sim.add_argument("--duration", type=float, default=0,
                     help="stop after this many real seconds (default: run until Ctrl-C)")
    sim.add_argument("--arrivals-per-hour", type=float, default=40.0,
                     help="citizens per hour per service (default 40)")
    sim.add_argument("--seed", type=int, default=None,
                     help="seed of the random arrivals and service times, to repeat a day")
    sim.set_defaults(run=_simulate)


def _demo(args: argparse.Namespace) -> int:
    from demo.supervisor import run_demo

    return run_demo(args)


def _simulate(args: argparse.Namespace) -> int:
    from demo.simulator import run_simulation

    return run_simulation(args)
