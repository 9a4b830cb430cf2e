"""Database side of the feed tests: another process writing and reading the SQLite file.

Reads one JSON program on stdin and prints one JSON document on stdout.
  {"db": PATH, "steps": [{"sql": S, "params": [...]}, {"script": S}, {"query": S, "params": [...]},
                         {"sleep_ms": N}]}
      runs the steps in autocommit mode (BEGIN/COMMIT in the SQL itself) and prints the result
      of every "query" step, in order, as a list of row lists (rows are objects).
  {"db": PATH, "writer": {"sql": S, "count": N, "rate": PER_SECOND, "params": [...]}}
      runs S N times, each its own transaction; "$i" in params is the loop index, "$now_ms" the
      wall clock in ms just before the statement (which commits it). Prints {"done": N}.
  {"db": PATH, "churn": {"table": T, "stop_file": F, "seed": S, "max_ops": N}}
      inserts, updates and deletes rows of T(id INTEGER PRIMARY KEY, v INTEGER, s TEXT) at random
      until F exists (or N ops), each op its own transaction. Prints {"ops": N}.
Values: BLOBs travel as {"$hex": "..."} both ways.
"""
import json
import os
import random
import sqlite3
import sys
import time


def to_param(v):
    if isinstance(v, dict) and "$hex" in v:
        return bytes.fromhex(v["$hex"])
    return v


def to_json(v):
    if isinstance(v, (bytes, bytearray, memoryview)):
        return {"$hex": bytes(v).hex()}
    return v


def connect(path):
    con = sqlite3.connect(path, isolation_level=None, timeout=5.0)
    con.execute("PRAGMA busy_timeout=5000")
    return con


def run_steps(con, steps):
    results = []
    for step in steps:
        if "script" in step:
            con.executescript(step["script"])
        elif "sleep_ms" in step:
            time.sleep(step["sleep_ms"] / 1000.0)
        elif "sql" in step:
            con.execute(step["sql"], [to_param(p) for p in step.get("params", [])])
        else:
            cur = con.execute(step["query"], [to_param(p) for p in step.get("params", [])])
            names = [d[0] for d in cur.description]
            results.append([{n: to_json(v) for n, v in zip(names, row)} for row in cur])
    return results


def run_writer(con, w):
    rate = w.get("rate") or 0
    start = time.monotonic()
    for i in range(w["count"]):
        if rate:
            delay = start + i / rate - time.monotonic()
            if delay > 0:
                time.sleep(delay)
        params = []
        for p in w.get("params", []):
            if p == "$i":
                params.append(i)
            elif p == "$now_ms":
                params.append(time.time() * 1000.0)
            else:
                params.append(to_param(p))
        con.execute(w["sql"], params)
    return {"done": w["count"]}


def run_churn(con, c):
    rng = random.Random(c.get("seed", 1))
    table = c["table"]
    ops = 0
    while not os.path.exists(c["stop_file"]) and ops < c.get("max_ops", 10**9):
        ids = [r[0] for r in con.execute(f'SELECT id FROM "{table}" ORDER BY id')]
        roll = rng.random()
        if not ids or roll < 0.5:
            con.execute(f'INSERT INTO "{table}"(v, s) VALUES(?, ?)', (rng.randint(0, 10**6), "s%d" % ops))
        elif roll < 0.8:
            con.execute(f'UPDATE "{table}" SET v = ?, s = ? WHERE id = ?',
                        (rng.randint(0, 10**6), "u%d" % ops, rng.choice(ids)))
        else:
            con.execute(f'DELETE FROM "{table}" WHERE id = ?', (rng.choice(ids),))
        ops += 1
        time.sleep(rng.random() * 0.002)
    return {"ops": ops}


def main():
    program = json.load(sys.stdin)
    con = connect(program["db"])
    try:
        if "writer" in program:
            out = run_writer(con, program["writer"])
        elif "churn" in program:
            out = run_churn(con, program["churn"])
        else:
            out = run_steps(con, program.get("steps", []))
    finally:
        con.close()
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
