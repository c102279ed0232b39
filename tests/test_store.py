"""The store's migrations: a new store gets every migration once, recorded in sqlite-utils'
history table; a store written by 0.1.0 (migrations counted in `PRAGMA user_version`) is
migrated in place and keeps its queue."""

from __future__ import annotations

import shutil
from pathlib import Path

from hub.engine import Engine
from hub.store import Store
from hub.store.migrations import MIGRATIONS
from lobby.clock import ManualClock
from tests.helpers import ROOT, payload, small_config

FIXTURE = ROOT / "tests" / "fixtures" / "store-0.1.0.sqlite"  # written by 0.1.0 itself
FIXTURE_DAY = 1795500000.0 + 600  # the morning its tickets were issued


def applied(store: Store) -> list[str]:
    return [m.name for m in MIGRATIONS.applied(store.db)]


def test_a_new_store_gets_every_migration_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "new.sqlite")
    assert MIGRATIONS.pending(store.db) == []  # applied at open
    assert applied(store) == [m.name for m in MIGRATIONS._migrations]
    store.close()
    again = Store(tmp_path / "new.sqlite")
    assert applied(again) == [m.name for m in MIGRATIONS._migrations]  # not run twice
    assert {"tickets", "ticket_events", "counters", "calls", "transactions"} <= set(
        again.db.table_names())


def test_a_store_written_by_0_1_0_is_migrated_in_place(tmp_path: Path) -> None:
    db = tmp_path / "hub.sqlite"
    shutil.copy(FIXTURE, db)
    store = Store(db)
    assert store.conn.execute("PRAGMA user_version").fetchone()[0] == 0
    assert applied(store) == ["0001_tickets_events_counters_calls_transactions",
                              "0002_ticket_state_not_handed_out", "0003_config_revisions",
                              "0004_staff_on_duty_and_ratings", "0005_ticket_state_cancelled",
                              "0006_refusals", "0007_announcements", "0008_public_tokens",
                              "0009_coming"]
    rows = store.conn.execute("SELECT number, state FROM tickets ORDER BY id").fetchall()
    assert rows == [("A001", "done"), ("A002", "waiting"), ("B001", "called"),
                    ("B002", "waiting"), ("A003", "waiting")]
    # The queue goes on where 0.1.0 left it, the same day.
    config = small_config()
    engine = Engine(config, store, ManualClock(FIXTURE_DAY))
    issued = engine.handle_request("kiosk-1", "issue", payload(transaction="after-1",
                                                               service="A")).reply
    assert issued.ok and issued.data is not None
    assert issued.data.number == "A004" and issued.data.ahead == 2
    called = engine.handle_request("counter-1", "call_next", payload(
        transaction="after-2", counter="1")).reply
    assert called.ok and called.data is not None and called.data.ticket is not None
    assert called.data.ticket.number == "A002"
    # A retry of a transaction answered by 0.1.0 gets 0.1.0's answer, typed.
    replayed = engine.handle_request("kiosk-1", "issue", payload(transaction="k0",
                                                                 service="A")).reply
    assert replayed.ok and replayed.data is not None and replayed.data.number == "A001"
    store.close()
    assert applied(Store(db))[-1] == "0009_coming"  # none run again
