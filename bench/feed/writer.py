#!/usr/bin/python3
"""Writes RATE changes per second into TABLE of a SQLite database, each in its own transaction,
stamping `ts` (CLOCK_REALTIME, microseconds) just before COMMIT, for DURATION seconds."""
import sqlite3, sys, time

db, table, rate, duration = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
con = sqlite3.connect(db, isolation_level=None)
con.execute("PRAGMA busy_timeout=5000")
interval = 1.0 / rate
start = time.monotonic()
n = 0
while time.monotonic() - start < duration:
    due = start + n * interval
    delay = due - time.monotonic()
    if delay > 0:
        time.sleep(delay)
    con.execute("BEGIN IMMEDIATE")
    con.execute(f"INSERT INTO {table}(n, ts) VALUES(?, ?)", (n, time.time_ns() // 1000))
    con.execute("COMMIT")
    n += 1
print(f"writer: {n} changes in {time.monotonic() - start:.1f} s", file=sys.stderr)
