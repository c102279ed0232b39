"""The store's migrations, run at start by sqlite-utils' `Migrations`: each is applied once,
in its own transaction together with its record in the `_sqlite_migrations` table.

Never edit a migration that has shipped: add the next one. Each migration runs its statements
one by one (no splitting of a script on `;`, which breaks on a `;` inside a string or a
trigger's body).
"""

from __future__ import annotations

import re

from sqlite_utils import Database, Migrations

MIGRATIONS = Migrations("lobby-hub")

# Stores written by 0.1.0 numbered their migrations in `PRAGMA user_version`; the store adopts
# that number as these first migrations having been applied.
LEGACY_NAMES = ("0001_tickets_events_counters_calls_transactions",)

_SCHEMA_1 = (
    """
CREATE TABLE tickets (
    id INTEGER PRIMARY KEY,
    service TEXT NOT NULL,             -- the line it waits in now (a transfer moves it)
    issued_service TEXT NOT NULL,      -- whose numbering gave it its number
    number TEXT NOT NULL,
    day TEXT NOT NULL,                 -- local date in the site's zone
    daily_index INTEGER NOT NULL,      -- 1, 2, 3, ... per service per day
    priority TEXT,
    language TEXT,
    state TEXT NOT NULL CHECK (state IN ('waiting', 'called', 'done', 'no_show')),
    issued_at REAL NOT NULL,
    queued_at REAL NOT NULL,
    device TEXT NOT NULL,
    called_at REAL,
    closed_at REAL,
    counter TEXT,
    recalls INTEGER NOT NULL DEFAULT 0,
    printed INTEGER NOT NULL DEFAULT 1,
    UNIQUE (day, issued_service, daily_index)
)
""",
    """
CREATE INDEX tickets_open ON tickets (state) WHERE state IN ('waiting', 'called')
""",
    """
CREATE INDEX tickets_done ON tickets (service, closed_at) WHERE state = 'done'
""",
    """
-- Append-only history: statistics are computed from what happened.
CREATE TABLE ticket_events (
    id INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    at REAL NOT NULL,
    kind TEXT NOT NULL,
    counter TEXT,
    device TEXT,
    detail TEXT
)
""",
    """
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id)
""",
    """
CREATE TABLE counters (
    id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('open', 'paused', 'closed')),
    ticket_id INTEGER REFERENCES tickets (id),
    priority_streak INTEGER NOT NULL DEFAULT 0,
    since REAL NOT NULL
)
""",
    """
-- Every call and recall, numbered by the site's growing seq; the board is its tail.
CREATE TABLE calls (
    seq INTEGER PRIMARY KEY,
    ticket_id INTEGER NOT NULL REFERENCES tickets (id),
    number TEXT NOT NULL,
    counter TEXT NOT NULL,
    service TEXT NOT NULL,
    recall INTEGER NOT NULL,
    at REAL NOT NULL
)
""",
    """
-- Each request's reply, stored in the same transaction as its change: a retry gets the same
-- answer and changes nothing, across restarts too.
CREATE TABLE transactions (
    device TEXT NOT NULL,
    txn TEXT NOT NULL,
    action TEXT NOT NULL,
    reply TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (device, txn)
) WITHOUT ROWID
""",
    """
CREATE INDEX transactions_at ON transactions (at)
""",
)


@MIGRATIONS(name=LEGACY_NAMES[0])
def _tickets_events_counters_calls_transactions(db: Database) -> None:
    for statement in _SCHEMA_1:
        db.execute(statement)


# A ticket the citizen never got (the kiosk said "offline", the hub had stored it) is closed
# as `not_handed_out`: the CHECK on `state` must allow it, and SQLite changes a CHECK only by
# building the table again. Foreign keys point at `tickets`, so they are off meanwhile, which
# SQLite allows only outside a transaction: the copy itself is one transaction.
_NEW_STATES = "('waiting', 'called', 'done', 'no_show', 'not_handed_out')"


@MIGRATIONS(name="0002_ticket_state_not_handed_out", transactional=False)
def _ticket_state_not_handed_out(db: Database) -> None:
    current = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tickets'").fetchone()[0]
    if "not_handed_out" in current:
        return  # built already (stopped before its record was written)
    _rebuild_tickets(db, current, "('waiting', 'called', 'done', 'no_show')", _NEW_STATES)


def _rebuild_tickets(db: Database, current: str, old_states: str, new_states: str) -> None:
    """`tickets` built again with a new CHECK on `state`, its rows, indexes and the foreign
    keys that point at it kept (SQLite changes a CHECK no other way)."""
    # SQLite quotes a renamed table's name in the schema it keeps: "tickets" after 0002.
    rebuilt = re.sub(r'CREATE TABLE "?tickets"?', "CREATE TABLE tickets_new", current.replace(
        f"CHECK (state IN {old_states})", f"CHECK (state IN {new_states})"), count=1)
    assert new_states in rebuilt, "the tickets table is not the one the migrations made"
    db.execute("PRAGMA foreign_keys=OFF")
    try:
        with db.atomic():
            db.execute("DROP TABLE IF EXISTS tickets_new")
            db.execute(rebuilt)
            db.execute("INSERT INTO tickets_new SELECT * FROM tickets")
            db.execute("DROP TABLE tickets")
            db.execute("ALTER TABLE tickets_new RENAME TO tickets")
            db.execute("CREATE INDEX tickets_open ON tickets (state) "
                       "WHERE state IN ('waiting', 'called')")
            db.execute("CREATE INDEX tickets_done ON tickets (service, closed_at) "
                       "WHERE state = 'done'")
            problems = db.execute("PRAGMA foreign_key_check").fetchall()
            if problems:
                raise RuntimeError(f"foreign keys broken by the rebuild: {problems[:5]}")
    finally:
        db.execute("PRAGMA foreign_keys=ON")


@MIGRATIONS(name="0003_config_revisions")
def _config_revisions(db: Database) -> None:
    # Every configuration the hub has run with: the revision devices see in state/config,
    # when and by what it was applied, the configuration itself, and what changed.
    db.execute("""
CREATE TABLE config_revisions (
    revision INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    applied_by TEXT NOT NULL,
    config TEXT NOT NULL,
    changes TEXT NOT NULL
)""")


@MIGRATIONS(name="0004_staff_on_duty_and_ratings")
def _staff_and_ratings(db: Database) -> None:
    # Who was on duty at which counter from when to when, and the officer on each call, done
    # and no-show. (Wrong PINs are counted in memory and logged: a refusal writes nothing.)
    db.execute("ALTER TABLE ticket_events ADD COLUMN staff TEXT")
    db.execute("""
CREATE TABLE shifts (
    id INTEGER PRIMARY KEY,
    staff TEXT NOT NULL,
    counter TEXT NOT NULL,
    started_at REAL NOT NULL,
    ended_at REAL,                     -- NULL while on duty
    source TEXT NOT NULL,              -- the device or keypad that signed in
    ended_by TEXT                      -- logout, another sign-in, the day's end
)""")
    db.execute("CREATE INDEX shifts_open ON shifts (ended_at, counter)")
    # One rating per ticket (the primary key), with what it rates: no personal data.
    db.execute("""
CREATE TABLE ratings (
    ticket_id INTEGER PRIMARY KEY REFERENCES tickets (id),
    level TEXT NOT NULL,
    score INTEGER NOT NULL,
    reason TEXT,
    counter TEXT NOT NULL,
    staff TEXT,
    service TEXT NOT NULL,
    at REAL NOT NULL,
    source TEXT NOT NULL
)""")
    db.execute("CREATE INDEX ratings_at ON ratings (at)")


@MIGRATIONS(name="0005_ticket_state_cancelled", transactional=False)
def _ticket_state_cancelled(db: Database) -> None:
    # A supervisor may cancel a waiting ticket (with a reason): a state of its own, so that it
    # is never called and the figures leave it out of waits.
    current = db.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'tickets'").fetchone()[0]
    if "cancelled" in current:
        return  # built already (stopped before its record was written)
    _rebuild_tickets(db, current, _NEW_STATES,
                     "('waiting', 'called', 'done', 'no_show', 'not_handed_out', 'cancelled')")


@MIGRATIONS(name="0006_refusals")
def _refusals(db: Database) -> None:
    # Citizens a kiosk turned away (the daily quota reached, the service closed): no ticket is
    # issued, and the replies are kept only for `transactions_kept_days`, so the figures need
    # their own record, one per refused transaction.
    db.execute("""
CREATE TABLE refusals (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    code TEXT NOT NULL,
    device TEXT NOT NULL
)""")
    db.execute("CREATE INDEX refusals_day ON refusals (day)")


@MIGRATIONS(name="0007_announcements")
def _announcements(db: Database) -> None:
    # What supervisors told the hall from the console, and who: the console lists them, and
    # the id orders them for the boards (each is said once).
    db.execute("""
CREATE TABLE announcements (
    id INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    until REAL NOT NULL,
    user TEXT NOT NULL,
    texts TEXT NOT NULL,
    boards TEXT NOT NULL,
    device TEXT NOT NULL
)""")


@MIGRATIONS(name="0008_public_tokens")
def _public_tokens(db: Database) -> None:
    # The address a ticket's QR code leads to (issue #13): 128 random bits per ticket, never
    # derived from its id or number, so no ticket's address tells another's.
    db.execute("ALTER TABLE tickets ADD COLUMN public_token TEXT")
    db.execute("CREATE UNIQUE INDEX tickets_public_token ON tickets (public_token) "
               "WHERE public_token IS NOT NULL")


@MIGRATIONS(name="0009_coming")
def _coming(db: Database) -> None:
    # When a called citizen said from their phone that they are on the way (issue #13): the
    # counter's terminal shows it, and it must survive a restart of the hub.
    db.execute("ALTER TABLE tickets ADD COLUMN coming_at REAL")
