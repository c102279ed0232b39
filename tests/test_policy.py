from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from hub.policy import (
    ahead_at_counters,
    ahead_in_each,
    ahead_in_line,
    ahead_of_new,
    next_streak,
    pick_next,
)


@dataclass
class T:
    name: str
    queued_at: float
    priority: str | None = None


CAP = {"elderly": 600.0}


def run(lines: dict[str, list[T]], services: list[str], now: float = 100.0,
        ratio: int = 2, calls: int = 100) -> list[str]:
    """Call repeatedly at one counter, as the hub does, and return the order."""
    order, streak = [], 0
    lines = {k: list(v) for k, v in lines.items()}
    for _ in range(calls):
        ticket = pick_next(services, lines, now, CAP, ratio, streak)
        if ticket is None:
            break
        for line in lines.values():
            if ticket in line:
                line.remove(ticket)
        streak = next_streak(streak, ticket)
        order.append(ticket.name)
    return order


def test_first_come_first_served() -> None:
    line = [T("A1", 1), T("A2", 2), T("A3", 3)]
    assert run({"A": line}, ["A"]) == ["A1", "A2", "A3"]


def test_counter_serves_its_services_in_order() -> None:
    lines = {"A": [T("A1", 5)], "B": [T("B1", 1), T("B2", 2)]}
    assert run(lines, ["A", "B"]) == ["A1", "B1", "B2"]
    assert run(lines, ["B", "A"]) == ["B1", "B2", "A1"]
    assert run(lines, ["B"]) == ["B1", "B2"]


def test_priority_interleaves_by_ratio() -> None:
    line = [T(f"O{i}", i) for i in range(4)] + [T(f"P{i}", 10 + i, "elderly") for i in range(5)]
    line.sort(key=lambda t: t.queued_at)
    assert run({"A": line}, ["A"], ratio=2) == [
        "P0", "P1", "O0", "P2", "P3", "O1", "P4", "O2", "O3"]


def test_priority_past_its_cap_goes_before_everything() -> None:
    lines = {"A": [T("A1", 1), T("A2", 2)], "B": [T("PB", 0, "elderly")]}
    # Not yet overdue: the counter's first service goes first.
    assert run(lines, ["A", "B"], now=500) == ["A1", "A2", "PB"]
    # Waited 600 s: it goes first although B comes second at this counter.
    assert run(lines, ["A", "B"], now=600) == ["PB", "A1", "A2"]


def test_empty() -> None:
    assert pick_next(["A"], {"A": []}, 0, CAP, 2, 0) is None
    assert pick_next(["A"], {}, 0, CAP, 2, 0) is None


def test_people_ahead() -> None:
    line = [T("O", 1), T("P", 2, "elderly"), T("O2", 3)]
    assert ahead_of_new(line, None) == 3
    assert ahead_of_new(line, "elderly") == 1
    # In line: an ordinary ticket counts the priority ticket behind it; a priority ticket
    # only the priority tickets before it.
    assert [ahead_in_line(line, i) for i in range(3)] == [1, 0, 2]


@given(st.lists(st.sampled_from([None, "elderly"]), max_size=20),
       st.sampled_from([None, "elderly"]))
def test_ahead_in_line_of_the_last_is_ahead_of_new(priorities: list[str | None],
                                                     new: str | None) -> None:
    line = [T(f"t{i}", i, p) for i, p in enumerate(priorities)]
    assert ahead_in_line([*line, T("new", 99, new)], len(line)) == ahead_of_new(line, new)


@given(st.lists(st.sampled_from([None, "elderly"]), max_size=30))
def test_ahead_in_each_is_ahead_in_line_for_all(priorities: list[str | None]) -> None:
    line = [T(f"t{i}", i, p) for i, p in enumerate(priorities)]
    assert ahead_in_each(line) == [ahead_in_line(line, i) for i in range(len(line))]


def test_ahead_in_line_matches_the_order_a_lone_counter_calls_with_priority_first() -> None:
    line = [T("O1", 1), T("P1", 2, "elderly"), T("O2", 3), T("P2", 4, "elderly")]
    order = run({"A": line}, ["A"], ratio=99)  # priority always first: the count's premise
    assert [order.index(t.name) for t in line] == [ahead_in_line(line, i) for i in range(4)]


tickets = st.lists(
    st.tuples(st.integers(0, 1000), st.sampled_from([None, "elderly"]), st.sampled_from("AB")),
    max_size=40,
)


@given(tickets, st.integers(1, 4))
def test_every_ticket_is_called_once_and_ordinary_ones_in_order(
    spec: list[tuple[int, str | None, str]], ratio: int
) -> None:
    lines: dict[str, list[T]] = {"A": [], "B": []}
    for index, (queued, priority, service) in enumerate(spec):
        lines[service].append(T(f"{service}{index}", float(queued), priority))
    for line in lines.values():
        line.sort(key=lambda t: t.queued_at)
    order = run(lines, ["A", "B"], now=0, ratio=ratio, calls=1000)
    assert sorted(order) == sorted(t.name for line in lines.values() for t in line)
    for line in lines.values():
        ordinary = [t.name for t in line if t.priority is None]
        assert [n for n in order if n in ordinary] == ordinary


def test_lines_a_counter_serves_first_are_ahead_too() -> None:
    waiting = {"G": 3, "H": 1, "K": 2}
    # Counter 8 serves [G, H]: every G ticket goes before H's.
    assert ahead_at_counters("H", [["G", "H"]], waiting) == 3
    assert run({"G": [T("G1", 1), T("G2", 2), T("G3", 3)], "H": [T("H1", 0)]},
               ["G", "H"]).index("H1") == 3
    # Another counter serves H first, or after a shorter line: the nearer one counts.
    assert ahead_at_counters("H", [["G", "H"], ["H"]], waiting) == 0
    assert ahead_at_counters("H", [["G", "H"], ["K", "H"]], waiting) == 2
    assert ahead_at_counters("G", [["G", "H"]], waiting) == 0
    assert ahead_at_counters("Z", [], waiting) == 0
