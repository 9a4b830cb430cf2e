// sio-server in PostgreSQL mode (contract: shared/contracts/sio-server.md, "PostgreSQL mode"):
// every committed change by any writer (psql processes here, several at once, and a slow
// transaction that commits after later ones) reaches Socket.IO subscribers exactly once, in
// commit order; nothing from rollbacks; rows of any size; filters; snapshots; catch-up; retention;
// enviar-mensaje; a missing table. Tests 11-15 are known server defects, marked todo.
//
// One throwaway PostgreSQL 15 per file (tests/support/throwaway-postgres), a fresh database and a
// fresh sio-server per test. Writers are `psql` processes only. Every wait has a timeout; every
// spawned process is stopped by PID.
//
// SIO_SERVER_BIN: the sio-server binary (ctest sets it; default build/apps/sio-server/sio-server).
// SIO_PSQL: psql (default: psql on PATH).
import assert from "node:assert/strict";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { after, before, describe, test } from "node:test";

import { io } from "socket.io-client";

import { stopAndCheck as stopAndCheckProcess } from "../../support/process.mjs";
import {
    CHANGE_KEYS,
    ISO_UTC,
    repoRoot,
    run,
    serverBin,
    sleep,
    spawnSioServer,
    withTimeout,
} from "../support/feed.mjs";

const psqlBin = process.env.SIO_PSQL || "psql";
const throwawayPostgres = path.join(repoRoot, "tests/support/throwaway-postgres");

// ---------------------------------------------------------------------------------------------
// Harness

/** Polls `cond` every 10 ms until true; rejects after `ms` with `what`. */
async function waitFor(cond, ms, what) {
    const deadline = Date.now() + ms;
    while (!cond()) {
        if (Date.now() > deadline) {
            const label = typeof what === "function" ? what() : what;
            throw new Error(`timed out after ${ms} ms waiting for ${label}`);
        }
        await sleep(10);
    }
}

/** Runs an SQL script with psql (stops at the first error) → its unaligned tuples-only output. */
async function psql(url, script, { timeoutMs = 30000 } = {}) {
    const r = await run(psqlBin, ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-d", url], {
        input: script,
        timeoutMs,
        env: { PGCONNECT_TIMEOUT: "10" },
    });
    if (r.code !== 0)
        throw new Error(`psql failed (${r.code}): ${r.stderr}\nscript: ${script.slice(0, 400)}`);
    return r.stdout;
}

/** Rows of `sql` as read by psql (json_agg): bytea as "\\x…" strings. */
async function query(url, sql) {
    const out = await psql(url, `SELECT coalesce(json_agg(q), '[]') FROM (${sql}) q;`);
    return JSON.parse(out);
}

let pg = null; // {dir, url: "postgresql://postgres@127.0.0.1:PORT/postgres", base}
let dbCounter = 0;

async function startPostgres() {
    const dir = await mkdtemp(path.join(os.tmpdir(), "sio-pg-"));
    await chmod(dir, 0o755);
    pg = { dir, url: null, base: null };
    const r = await run(throwawayPostgres, ["start", dir], { timeoutMs: 60000 });
    if (r.code !== 0) throw new Error(`throwaway-postgres start failed (${r.code}): ${r.stderr}`);
    const url = r.stdout.trim().split("\n").pop();
    assert.match(url, /^postgresql:\/\/postgres@127\.0\.0\.1:\d+\/postgres$/);
    pg.url = url;
    pg.base = url.slice(0, url.lastIndexOf("/"));
}

async function stopPostgres() {
    if (!pg) return;
    const { dir } = pg;
    pg = null;
    await run(throwawayPostgres, ["stop", dir], { timeoutMs: 60000 }).catch(() => {});
    await rm(dir, { recursive: true, force: true }).catch(() => {});
}

/** A fresh database (t<n>) with `setupSql` run in it → its URL. */
async function freshDb(setupSql = "") {
    const name = `t${++dbCounter}`;
    await psql(pg.url, `CREATE DATABASE ${name};`);
    const url = `${pg.base}/${name}`;
    if (setupSql) await psql(url, setupSql);
    return url;
}

/** Spawns sio-server (--port 0) → {url, pid, output(), stop()} once its listening line is read. */
const startServer = spawnSioServer;

/** Stops a server and checks it exited on its own with status 0 (contract: within 5 s). */
const stopAndCheck = (server) => stopAndCheckProcess(server, { exitZero: true });

/** Connects a websocket-only socket.io-client that records `change`, `resync` and `events`. */
async function connect(url, { events = [] } = {}) {
    const s = io(url, { transports: ["websocket"], reconnection: false, forceNew: true, timeout: 5000 });
    s.changes = [];
    s.resyncs = [];
    s.got = {};
    s.on("change", (c) => s.changes.push(c));
    s.on("resync", (r) => s.resyncs.push(r));
    for (const e of events) {
        s.got[e] = [];
        s.on(e, (...args) => s.got[e].push(args));
    }
    await withTimeout(
        new Promise((resolve, reject) => {
            s.once("connect", resolve);
            s.once("connect_error", reject);
        }),
        8000, `socket.io connect to ${url}`);
    return s;
}

const subscribe = (s, request, ms = 10000) =>
    withTimeout(s.emitWithAck("subscribe", request), ms, `subscribe ack for ${JSON.stringify(request)}`);

/** Per-test cleanup of servers and sockets, in reverse order, even on failure. */
function resources(t) {
    const servers = [];
    const sockets = [];
    t.after(async () => {
        for (const s of sockets) s.disconnect();
        for (const srv of servers.reverse()) await srv.stop().catch(() => {});
    });
    return {
        server: async (...args) => {
            const srv = await startServer(...args);
            servers.push(srv);
            return srv;
        },
        socket: async (...args) => {
            const s = await connect(...args);
            sockets.push(s);
            return s;
        },
    };
}

const sortedKeys = (o) => Object.keys(o).sort();
const ids = (changes) => changes.map((c) => c.change_id);

function assertIncreasing(list, what) {
    for (let i = 1; i < list.length; ++i)
        assert.ok(list[i] > list[i - 1], `${what}: ${list[i - 1]} then ${list[i]} at ${i}`);
}

function assertChangeShape(c, { sub, table, op }) {
    assert.deepEqual(sortedKeys(c), CHANGE_KEYS);
    assert.equal(c.sub, sub);
    assert.equal(c.table, table);
    assert.equal(c.op, op);
    assert.ok(Number.isInteger(c.change_id), `change_id ${c.change_id} is an integer`);
    assert.match(c.committed_at, ISO_UTC);
    assert.ok(Math.abs(Date.parse(c.committed_at) - Date.now()) < 10 * 60000,
        `committed_at ${c.committed_at} is about now`);
    if (op === "insert") assert.equal(c.old, null);
    if (op === "delete") assert.equal(c.row, null);
}

/** Whether a row matches a `where` by strict equality (undefined: every row). */
const rowMatches = (row, where) => !where || Object.entries(where).every(([k, v]) => row[k] === v);

/** Applies changes to a Map id → row; rows that leave the filter `where` are dropped. */
function applyChanges(state, changes, where) {
    for (const c of changes) {
        if (c.old) state.delete(c.old.id);
        if (c.row && rowMatches(c.row, where)) state.set(c.row.id, c.row);
    }
    return state;
}

const byId = (rows) => new Map(rows.map((r) => [r.id, r]));
const sortById = (rows) => [...rows].sort((a, b) => a.id - b.id);

/** Deterministic bytes 0..255 with every value present. */
function patternBytes(n) {
    const b = Buffer.alloc(n);
    for (let i = 0; i < n; ++i) b[i] = (i * 37 + 11 + (i >> 8)) % 256;
    return b;
}
const patternSql = (n) =>
    `(SELECT decode(string_agg(lpad(to_hex((i * 37 + 11 + (i >> 8)) % 256), 2, '0'), '' ORDER BY i), 'hex') ` +
    `FROM generate_series(0, ${n - 1}) i)`;

// ---------------------------------------------------------------------------------------------

describe("sio-server, PostgreSQL mode", { timeout: 200000 }, () => {
    before(startPostgres, { timeout: 90000 });
    after(stopPostgres, { timeout: 60000 });

    test("1. subscribe ack and insert/update/delete by psql", { timeout: 30000 }, async (t) => {
        const r = resources(t);
        const db = await freshDb(`
            CREATE TABLE gadgets(id integer PRIMARY KEY, name text NOT NULL, weight double precision,
                                 count integer, note text, ok boolean, big bigint, price numeric(10,2),
                                 made timestamp);
            INSERT INTO gadgets VALUES (1, 'seed', 0.5, 1, NULL, true, 9007199254740992, 1.50,
                                        '2024-01-02 03:04:05');`);
        const srv = await r.server(db, ["--tables", "gadgets"]);
        const s = await r.socket(srv.url);
        const ack = await subscribe(s, { table: "gadgets" });
        assert.deepEqual(sortedKeys(ack), ["last_change_id", "ok", "rows", "sub"]);
        assert.equal(ack.ok, true);
        assert.equal(typeof ack.sub, "string");
        assert.ok(Number.isInteger(ack.last_change_id));
        const seed = { id: 1, name: "seed", weight: 0.5, count: 1, note: null, ok: true,
            big: 9007199254740992, price: 1.5, made: "2024-01-02T03:04:05" };
        assert.deepEqual(ack.rows, [seed]);
        // Equal (table, where) → equal sub, idempotent.
        const again = await subscribe(s, { table: "gadgets" });
        assert.equal(again.sub, ack.sub);

        await psql(db, `INSERT INTO gadgets VALUES (7, 'wid"get\\', 2.25, 3, NULL, false,
                                                     9007199254740993, 10.00, NULL);`);
        await psql(db, "UPDATE gadgets SET count = count + 1, note = 'ok ✓', big = -9007199254740993 WHERE id = 7;");
        await psql(db, "DELETE FROM gadgets WHERE id = 7;");
        await waitFor(() => s.changes.length >= 3, 8000, () => `3 changes, got ${s.changes.length}`);
        await sleep(300);
        assert.equal(s.changes.length, 3, "one change per statement (not doubled by the re-subscribe)");

        const [ins, upd, del] = s.changes;
        const inserted = { id: 7, name: 'wid"get\\', weight: 2.25, count: 3, note: null, ok: false,
            big: "9007199254740993", price: 10, made: null };
        const updated = { ...inserted, count: 4, note: "ok ✓", big: "-9007199254740993" };
        assertChangeShape(ins, { sub: ack.sub, table: "gadgets", op: "insert" });
        assert.deepEqual(ins.row, inserted);
        assertChangeShape(upd, { sub: ack.sub, table: "gadgets", op: "update" });
        assert.deepEqual(upd.row, updated);
        assert.deepEqual(upd.old, inserted);
        assertChangeShape(del, { sub: ack.sub, table: "gadgets", op: "delete" });
        assert.deepEqual(del.old, updated);
        assert.ok(ins.change_id > ack.last_change_id);
        assertIncreasing(ids(s.changes), "change_id");
        assert.ok(Date.parse(ins.committed_at) <= Date.parse(upd.committed_at));
        assert.ok(Date.parse(upd.committed_at) <= Date.parse(del.committed_at));

        // A fresh subscriber sees the current table as of the newest change.
        const s2 = await r.socket(srv.url);
        const ack2 = await subscribe(s2, { table: "gadgets" });
        assert.deepEqual(ack2.rows, [seed]);
        assert.equal(ack2.last_change_id, del.change_id);

        // unsubscribe {sub}: delivery stops for s, goes on for s2.
        const un = await withTimeout(s.emitWithAck("unsubscribe", { sub: ack.sub }), 5000, "unsubscribe ack");
        assert.deepEqual(un, { ok: true });
        await psql(db, "UPDATE gadgets SET count = 2 WHERE id = 1;");
        await waitFor(() => s2.changes.length >= 1, 8000, "the change after unsubscribe");
        // Marker: s subscribes to marker rows and one is written; the feed sends s its changes in
        // change_id order, so one wrongly sent for the update would come first.
        assert.equal((await subscribe(s, { table: "gadgets", where: { name: "marker" } })).ok, true);
        await psql(db, "INSERT INTO gadgets(id, name) VALUES (100, 'marker');");
        await waitFor(() => s.changes.some((c) => c.row?.id === 100), 8000, "the marker");
        assert.equal(s.changes.filter((c) => c.row?.id !== 100).length, 3, "nothing after unsubscribe");
        await stopAndCheck(srv);
    });

    test("2. a slow transaction that started first and committed last is not lost", { timeout: 30000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb("CREATE TABLE items(id serial PRIMARY KEY, label text NOT NULL);");
            const srv = await r.server(db, ["--tables", "items"]);
            const s = await r.socket(srv.url);
            const ack = await subscribe(s, { table: "items" });
            assert.deepEqual(ack.rows, []);

            // A: begins first, takes the first serial id, commits last: it waits for an advisory
            // lock that a holder session keeps until the fast writers are done. (A fixed
            // pg_sleep(2) failed under `taskset -c 0`: the fast writers' psql processes took
            // longer than that, and A committed before them.)
            const lockHolders = () => query(db, `SELECT pid FROM pg_locks
                WHERE locktype = 'advisory' AND objid = 4242 AND granted`);
            const holder = psql(db, "SELECT pg_advisory_lock(4242);\nSELECT pg_sleep(60);\n",
                { timeoutMs: 90000 }).then(() => "done", () => "ended");
            const until = async (cond, what) => {
                const deadline = Date.now() + 10000;
                while (!(await cond())) {
                    assert.ok(Date.now() < deadline, what);
                    await sleep(20); // pacing between queries, not synchronization
                }
            };
            await until(async () => (await lockHolders()).length === 1, "the holder never took the lock");
            const slow = psql(db, "BEGIN;\nINSERT INTO items(label) VALUES ('A');\n" +
                "SELECT pg_advisory_lock(4242);\nCOMMIT;\n");
            const sleeping = () => query(db, `SELECT pid FROM pg_stat_activity
                WHERE query LIKE '%pg_advisory_lock(4242)%' AND wait_event_type = 'Lock'
                  AND pid <> pg_backend_pid()`);
            await until(async () => (await sleeping()).length === 1, "transaction A never waited for the lock");
            // Meanwhile: fast committed inserts, by two writers.
            await Promise.all([
                psql(db, "INSERT INTO items(label) VALUES ('f1');\nINSERT INTO items(label) VALUES ('f2');\n" +
                    "INSERT INTO items(label) VALUES ('f3');\n"),
                psql(db, "INSERT INTO items(label) VALUES ('g1');\nBEGIN;\nINSERT INTO items(label) VALUES ('g2');\n" +
                    "INSERT INTO items(label) VALUES ('g3');\nCOMMIT;\n"),
            ]);
            assert.equal((await sleeping()).length, 1,
                "A must still be open after the fast inserts committed (test premise)");
            // Ending the holder's session frees the lock: A goes on and commits.
            await query(db, `SELECT pg_terminate_backend(pid) FROM pg_locks
                WHERE locktype = 'advisory' AND objid = 4242 AND granted`);
            assert.equal(await withTimeout(holder, 10000, "the holder's end"), "ended");
            await withTimeout(slow, 10000, "transaction A");

            await waitFor(() => s.changes.length >= 7, 8000,
                () => `7 changes, got ${JSON.stringify(s.changes.map((c) => c.row?.label))}`);
            await sleep(400);
            assert.equal(s.changes.length, 7, "every change exactly once");
            for (const c of s.changes) assertChangeShape(c, { sub: ack.sub, table: "items", op: "insert" });
            assertIncreasing(ids(s.changes), "change_ids in arrival order");
            const last = s.changes.at(-1);
            assert.equal(last.row.label, "A", "A committed last, so its change comes last");
            assert.equal(last.change_id, Math.max(...ids(s.changes)));
            assert.ok(last.row.id < Math.min(...s.changes.slice(0, -1).map((c) => c.row.id)),
                "A took its serial id first (sequence order ≠ commit order)");
            // g2, g3: one transaction, in order, consecutive ids.
            const g2 = s.changes.findIndex((c) => c.row.label === "g2");
            assert.equal(s.changes[g2 + 1].row.label, "g3");
            assert.equal(s.changes[g2 + 1].change_id, s.changes[g2].change_id + 1);

            const rows = await query(db, "SELECT id, label FROM items ORDER BY id");
            assert.deepEqual(sortById(s.changes.map((c) => c.row)), rows, "the changes are the table");
            const s2 = await r.socket(srv.url);
            const ack2 = await subscribe(s2, { table: "items" });
            assert.deepEqual(sortById(ack2.rows), rows);
            assert.equal(ack2.last_change_id, last.change_id);
            await stopAndCheck(srv);
        });

    test("3. four psql writers at once: every change exactly once, in commit order", { timeout: 60000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb(`CREATE TABLE log(id serial PRIMARY KEY, writer int NOT NULL,
                                  seq int NOT NULL, tx text, step int, v int NOT NULL DEFAULT 0);`);
            const srv = await r.server(db, ["--tables", "log"]);
            const a = await r.socket(srv.url);
            const b = await r.socket(srv.url);
            const ackA = await subscribe(a, { table: "log" });
            const ackB = await subscribe(b, { table: "log" });
            assert.equal(ackA.last_change_id, ackB.last_change_id);

            // Each writer: 100 inserts; every 10th starts a transaction of insert, insert, update
            // of the first, insert (4 statements in order).
            const writers = 4;
            const expected = []; // {writer, seq, tx, step, op}
            const scripts = [];
            for (let w = 0; w < writers; ++w) {
                let sql = "";
                for (let i = 0; i < 100; ++i) {
                    if (i % 10 === 9) {
                        const tx = `w${w}t${i}`;
                        sql += `BEGIN;
INSERT INTO log(writer, seq, tx, step) VALUES (${w}, ${i}, '${tx}', 0);
INSERT INTO log(writer, seq, tx, step) VALUES (${w}, ${i + 1000}, '${tx}', 1);
UPDATE log SET step = 2, v = 1 WHERE tx = '${tx}' AND step = 0;
INSERT INTO log(writer, seq, tx, step) VALUES (${w}, ${i + 2000}, '${tx}', 3);
COMMIT;
`;
                        expected.push({ w, tx, step: 0, op: "insert" }, { w, tx, step: 1, op: "insert" },
                            { w, tx, step: 2, op: "update" }, { w, tx, step: 3, op: "insert" });
                    } else {
                        sql += `INSERT INTO log(writer, seq) VALUES (${w}, ${i});\n`;
                        expected.push({ w, seq: i, op: "insert" });
                    }
                }
                scripts.push(sql);
            }
            await Promise.all(scripts.map((sql) => psql(db, sql, { timeoutMs: 40000 })));
            const n = expected.length;
            await waitFor(() => a.changes.length >= n && b.changes.length >= n, 15000,
                () => `${n} changes, got ${a.changes.length} and ${b.changes.length}`);
            await sleep(400);
            assert.equal(a.changes.length, n, "no change twice");
            assert.deepEqual(b.changes, a.changes, "both subscribers see the same sequence");

            assertIncreasing(ids(a.changes), "change_ids in arrival order");
            assert.ok(a.changes[0].change_id > ackA.last_change_id);
            for (const c of a.changes) assertChangeShape(c, { sub: ackA.sub, table: "log", op: c.op });
            // Exactly once: each (writer, seq) insert once; each tx's statements once.
            const key = (c) => (c.row.tx ? `${c.row.writer}/${c.row.tx}/${c.op}/${c.row.step}`
                : `${c.row.writer}/${c.row.seq}/${c.op}`);
            const expectedKeys = expected.map((e) => (e.tx ? `${e.w}/${e.tx}/${e.op}/${e.step}` : `${e.w}/${e.seq}/${e.op}`));
            assert.deepEqual([...a.changes.map(key)].sort(), [...expectedKeys].sort());
            // Per writer: its statements in its order.
            for (let w = 0; w < writers; ++w) {
                const got = a.changes.filter((c) => c.row.writer === w).map(key);
                const want = expectedKeys.filter((k) => k.startsWith(`${w}/`));
                assert.deepEqual(got, want, `writer ${w}'s changes in its commit order`);
            }
            // Transactions: consecutive ids, statement order.
            const byTx = new Map();
            for (const c of a.changes)
                if (c.row.tx) (byTx.get(c.row.tx) ?? byTx.set(c.row.tx, []).get(c.row.tx)).push(c);
            assert.equal(byTx.size, writers * 10);
            for (const [tx, cs] of byTx) {
                assert.deepEqual(cs.map((c) => `${c.op}${c.row.step}`), ["insert0", "insert1", "update2", "insert3"], tx);
                for (let i = 1; i < cs.length; ++i)
                    assert.equal(cs[i].change_id, cs[i - 1].change_id + 1, `${tx}: consecutive change ids`);
                assert.deepEqual(cs[2].old, cs[0].row, `${tx}: update's old is the first insert`);
            }
            const rows = await query(db, "SELECT * FROM log ORDER BY id");
            assert.deepEqual(sortById([...applyChanges(new Map(), a.changes).values()]), rows);
            await stopAndCheck(srv);
        });

    test("3b. one transaction of 12000 rows: all of them, consecutive ids; snapshot truncated at 10000",
        { timeout: 40000 }, async (t) => {
            const r = resources(t);
            const db = await freshDb("CREATE TABLE bulk(id serial PRIMARY KEY, label text NOT NULL);");
            const srv = await r.server(db, ["--tables", "bulk"]);
            const s = await r.socket(srv.url);
            const ack = await subscribe(s, { table: "bulk" });
            await psql(db, "INSERT INTO bulk(label) SELECT 'b' || i FROM generate_series(1, 12000) i;");
            await waitFor(() => s.changes.length >= 12000, 20000, () => `12000 changes, got ${s.changes.length}`);
            await sleep(300);
            assert.equal(s.changes.length, 12000);
            const first = s.changes[0].change_id;
            assert.ok(first > ack.last_change_id);
            s.changes.forEach((c, i) => {
                assert.equal(c.change_id, first + i, "consecutive change ids");
                assert.equal(c.row.label, `b${i + 1}`, "statement order");
            });
            const s2 = await r.socket(srv.url);
            const ack2 = await subscribe(s2, { table: "bulk" });
            assert.equal(ack2.truncated, true);
            assert.equal(ack2.rows.length, 10000);
            assert.equal(ack2.last_change_id, first + 11999);
            await stopAndCheck(srv);
        });

    test("4. nothing from a rolled-back transaction or savepoint", { timeout: 30000 }, async (t) => {
        const r = resources(t);
        const db = await freshDb(`CREATE TABLE items(id integer PRIMARY KEY, label text NOT NULL);
                                  INSERT INTO items VALUES (1, 'one'), (2, 'two');`);
        const srv = await r.server(db, ["--tables", "items"]);
        const s = await r.socket(srv.url);
        const ack = await subscribe(s, { table: "items" });
        assert.equal(ack.rows.length, 2);

        await psql(db, `BEGIN;
INSERT INTO items VALUES (10, 'rolled back');
UPDATE items SET label = 'rolled back' WHERE id = 1;
DELETE FROM items WHERE id = 2;
ROLLBACK;
BEGIN;
INSERT INTO items VALUES (20, 'kept 1');
SAVEPOINT s1;
INSERT INTO items VALUES (21, 'savepoint');
UPDATE items SET label = 'savepoint' WHERE id = 1;
DELETE FROM items WHERE id = 2;
SAVEPOINT s2;
INSERT INTO items VALUES (22, 'inner savepoint');
ROLLBACK TO SAVEPOINT s1;
SAVEPOINT s3;
INSERT INTO items VALUES (23, 'released savepoint');
RELEASE SAVEPOINT s3;
UPDATE items SET label = 'kept 2' WHERE id = 2;
COMMIT;
BEGIN;
SAVEPOINT first;
INSERT INTO items VALUES (40, 'first in a rolled-back savepoint');
ROLLBACK TO SAVEPOINT first;
INSERT INTO items VALUES (41, 'after it');
COMMIT;
`);
        // A transaction aborted by an error (psql stops, the session ends: rolled back).
        await assert.rejects(psql(db, "BEGIN;\nINSERT INTO items VALUES (30, 'aborted');\nINSERT INTO items VALUES (1, 'dup');\nCOMMIT;\n"));
        await psql(db, "INSERT INTO items VALUES (99, 'end');");
        // The end marker is the last write: anything wrongly sent for those before came first.
        await waitFor(() => s.changes.some((c) => c.row?.label === "end"), 8000, "the end marker");
        assert.deepEqual(s.changes.map((c) => [c.op, c.row?.id, c.row?.label]), [
            ["insert", 20, "kept 1"],
            ["insert", 23, "released savepoint"],
            ["update", 2, "kept 2"],
            ["insert", 41, "after it"],
            ["insert", 99, "end"],
        ]);
        assertIncreasing(ids(s.changes), "change_ids");
        assert.equal(s.changes[1].change_id, s.changes[0].change_id + 1);
        assert.equal(s.changes[2].change_id, s.changes[1].change_id + 1);
        const rows = await query(db, "SELECT * FROM items ORDER BY id");
        assert.deepEqual(sortById([...applyChanges(byId(ack.rows), s.changes).values()]), rows);
        await stopAndCheck(srv);
    });

    test("5. large rows: 100 KB text and 50 KB bytea arrive whole, in changes and snapshots",
        { timeout: 30000 }, async (t) => {
            const r = resources(t);
            const db = await freshDb("CREATE TABLE docs(id integer PRIMARY KEY, body text, data bytea, note text);");
            const srv = await r.server(db, ["--tables", "docs"]);
            const s = await r.socket(srv.url);
            const ack = await subscribe(s, { table: "docs" });
            assert.deepEqual(ack.rows, []);

            // 100 KB of text with quotes, backslashes, newlines and multi-byte characters.
            const unit = 'ab"c\\d\n€😀 xyz\t';
            const reps = Math.ceil(102400 / unit.length);
            const body = unit.repeat(reps);
            const bodySql = `repeat(${"E'" + unit.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/\t/g, "\\t").replace(/'/g, "''") + "'"}, ${reps})`;
            const data = patternBytes(51200);
            await psql(db, `INSERT INTO docs VALUES (1, ${bodySql}, ${patternSql(51200)}, 'first');`);
            const lengths = await query(db, "SELECT length(body) AS chars, octet_length(body) AS bytes, octet_length(data) AS data FROM docs");
            assert.deepEqual(lengths, [{ chars: [...body].length, bytes: Buffer.byteLength(body), data: 51200 }]);
            await psql(db, "UPDATE docs SET note = 'second', data = data || '\\x00ff'::bytea WHERE id = 1;");
            await psql(db, "INSERT INTO docs VALUES (2, '', '\\x'::bytea, NULL);");
            await waitFor(() => s.changes.length >= 3, 10000, () => `3 changes, got ${s.changes.length}`);
            await sleep(200);
            assert.equal(s.changes.length, 3);
            const [ins, upd, empty] = s.changes;
            assertChangeShape(ins, { sub: ack.sub, table: "docs", op: "insert" });
            assert.equal(ins.row.body.length, body.length);
            assert.equal(ins.row.body, body);
            assert.ok(Buffer.isBuffer(ins.row.data), `bytea as a Buffer, got ${typeof ins.row.data}`);
            assert.ok(ins.row.data.equals(data), "bytea byte-exact");
            const data2 = Buffer.concat([data, Buffer.from([0, 255])]);
            assertChangeShape(upd, { sub: ack.sub, table: "docs", op: "update" });
            assert.equal(upd.row.body, body);
            assert.ok(Buffer.isBuffer(upd.row.data) && upd.row.data.equals(data2), "new bytea");
            assert.ok(Buffer.isBuffer(upd.old.data) && upd.old.data.equals(data), "old bytea");
            assert.equal(upd.old.body, body);
            assert.equal(upd.row.note, "second");
            assert.ok(Buffer.isBuffer(empty.row.data) && empty.row.data.length === 0, "empty bytea");
            assert.equal(empty.row.body, "");

            const s2 = await r.socket(srv.url);
            const ack2 = await subscribe(s2, { table: "docs" });
            assert.equal(ack2.rows.length, 2);
            const [r1, r2] = sortById(ack2.rows);
            assert.equal(r1.body, body);
            assert.ok(Buffer.isBuffer(r1.data) && r1.data.equals(data2), "snapshot bytea byte-exact");
            assert.ok(Buffer.isBuffer(r2.data) && r2.data.length === 0);
            const s3 = await r.socket(srv.url);
            const ack3 = await subscribe(s3, { table: "docs", where: { note: "second" } });
            assert.equal(ack3.rows.length, 1);
            assert.ok(ack3.rows[0].data.equals(data2));
            await stopAndCheck(srv);
        });

    test("6. filters: moving in and out, booleans, NULL, typed numbers and strings, bad requests",
        { timeout: 30000 }, async (t) => {
            const r = resources(t);
            const db = await freshDb(`
                CREATE TABLE things(id integer PRIMARY KEY, color text, n integer, flag boolean,
                                    note text, price numeric(8,2));
                INSERT INTO things VALUES
                    (1, 'red', 5, true, NULL, 1.50), (2, 'blue', 5, false, 'x', 2.00),
                    (3, 'green', 6, NULL, NULL, 3.25), (4, '5', 7, true, 'y', NULL);
                CREATE TABLE unwatched(id integer PRIMARY KEY);`);
            const srv = await r.server(db, ["--tables", "things"]);
            const s = await r.socket(srv.url);
            const filters = {
                red: { color: "red" },
                flagTrue: { flag: true },
                flagFalse: { flag: false },
                noteNull: { note: null },
                n5: { n: 5 },
                n5string: { n: "5" },
                color5string: { color: "5" },
                color5number: { color: 5 },
                price: { price: 1.5 },
                redTrue: { color: "red", flag: true },
                end: { color: "end" },
            };
            const initial = await query(db, "SELECT * FROM things ORDER BY id");
            const matches = rowMatches;
            const acks = {};
            for (const [name, where] of Object.entries(filters)) {
                acks[name] = await subscribe(s, { table: "things", where });
                assert.equal(acks[name].ok, true, `${name}: ${JSON.stringify(acks[name])}`);
                assert.deepEqual(sortById(acks[name].rows), initial.filter((row) => matches(row, where)),
                    `${name}: snapshot rows`);
            }
            // Same filter, keys in another order → same sub.
            const swapped = await subscribe(s, { table: "things", where: { flag: true, color: "red" } });
            assert.equal(swapped.sub, acks.redTrue.sub);
            assert.notEqual(acks.n5.sub, acks.n5string.sub);

            await psql(db, `
UPDATE things SET color = 'red' WHERE id = 2;      -- blue → red: into "red"
UPDATE things SET color = 'yellow' WHERE id = 1;   -- red → yellow: out of "red"
UPDATE things SET n = 9 WHERE id = 3;              -- in no filter but noteNull
UPDATE things SET flag = true WHERE id = 3;        -- NULL → true: into flagTrue
UPDATE things SET note = NULL WHERE id = 4;        -- into noteNull
INSERT INTO things VALUES (5, 'red', 5, false, NULL, 1.5);
DELETE FROM things WHERE id = 4;
INSERT INTO things VALUES (100, 'end', 0, NULL, 'end', NULL);`);
            const final = await query(db, "SELECT * FROM things ORDER BY id");
            // The end marker is the last write: anything wrongly sent for those before came first.
            await waitFor(() => s.changes.some((c) => c.sub === acks.end.sub), 8000, "the end marker");
            const of = (name) => s.changes.filter((c) => c.sub === acks[name].sub);
            for (const [name, where] of Object.entries(filters)) {
                const got = of(name);
                for (const c of got) {
                    assertChangeShape(c, { sub: acks[name].sub, table: "things", op: c.op });
                    assert.ok((c.row && matches(c.row, where)) || (c.old && matches(c.old, where)),
                        `${name}: ${JSON.stringify(c)} matches by row or old`);
                }
                assertIncreasing(ids(got), `${name} change ids`);
                const state = applyChanges(byId(acks[name].rows), got, where);
                assert.deepEqual(sortById([...state.values()]), final.filter((row) => matches(row, where)),
                    `${name}: snapshot + changes = the filtered table`);
            }
            const red = of("red").map((c) => [c.op, c.old?.color ?? null, c.row?.color ?? null, (c.row ?? c.old).id]);
            assert.deepEqual(red, [
                ["update", "blue", "red", 2],
                ["update", "red", "yellow", 1],
                ["insert", null, "red", 5],
            ]);
            assert.deepEqual(of("n5string"), [], "a string never matches an integer column");
            assert.deepEqual(acks.n5string.rows, []);
            assert.deepEqual(of("color5number"), [], "a number never matches a text column");
            assert.deepEqual(acks.color5number.rows, []);
            const opIds = (name) => of(name).map((c) => [c.op, (c.row ?? c.old).id]);
            assert.deepEqual(opIds("flagTrue"), [["update", 1], ["update", 3], ["update", 4], ["delete", 4]]);
            assert.deepEqual(opIds("flagFalse"), [["update", 2], ["insert", 5]]);
            assert.deepEqual(opIds("noteNull"), [["update", 1], ["update", 3], ["update", 3], ["update", 4],
                ["insert", 5], ["delete", 4]]);

            // Requests that must fail with a clear message.
            const bad = [
                [{ table: "things", where: { nope: 1 } }, /nope/],
                [{ table: "nosuch" }, /nosuch/],
                [{ table: "unwatched" }, /unwatched/],
                [{ table: "things", where: { color: ["red"] } }, /color/],
                [{ table: "things", where: { color: { eq: "red" } } }, /color/],
            ];
            for (const [request, mention] of bad) {
                const a = await subscribe(s, request);
                assert.equal(a.ok, false, `${JSON.stringify(request)} → ${JSON.stringify(a)}`);
                assert.equal(typeof a.error, "string");
                assert.match(a.error, mention);
            }
            await stopAndCheck(srv);
        });

    test("6b. a filter on a bigint beyond 2^53 (sent as a string, as the rows carry it) in snapshot and changes",
        { timeout: 30000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb(`CREATE TABLE bigs(id integer PRIMARY KEY, big bigint);
                                      INSERT INTO bigs VALUES (1, 9007199254740993);`);
            const srv = await r.server(db, ["--tables", "bigs"]);
            const s = await r.socket(srv.url);
            const ack = await subscribe(s, { table: "bigs", where: { big: "9007199254740993" } });
            await psql(db, "INSERT INTO bigs VALUES (2, 9007199254740993);\nINSERT INTO bigs VALUES (3, 0);");
            await waitFor(() => s.changes.length >= 1, 5000, "the matching insert");
            // A matching marker row: row 3, had it wrongly matched, would come before it.
            await psql(db, "INSERT INTO bigs VALUES (4, 9007199254740993);");
            await waitFor(() => s.changes.some((c) => c.row?.id === 4), 5000, "the marker");
            assert.equal(ack.ok, true);
            assert.deepEqual(ack.rows, [{ id: 1, big: "9007199254740993" }], "snapshot");
            assert.deepEqual(s.changes.filter((c) => c.row?.id !== 4).map((c) => c.row),
                [{ id: 2, big: "9007199254740993" }], "changes");
            await stopAndCheck(srv);
        });

    test("7. snapshots agree with changes while psql writes continuously", { timeout: 45000 }, async (t) => {
        const r = resources(t);
        const db = await freshDb(`
            CREATE TABLE items(id serial PRIMARY KEY, grp int NOT NULL, v int NOT NULL DEFAULT 0, label text);
            INSERT INTO items(grp, label) SELECT i % 4, 'seed' FROM generate_series(1, 40) i;
            CREATE PROCEDURE churn(n int) LANGUAGE plpgsql AS $$
            DECLARE lo int;
            BEGIN
                FOR i IN 1..n LOOP
                    INSERT INTO items(grp, label) VALUES (i % 4, 'i' || i);
                    SELECT min(id) INTO lo FROM items;
                    IF i % 3 = 0 THEN
                        UPDATE items SET v = v + 1, grp = (grp + 1) % 4, label = 'u' || i
                        WHERE id = lo + (i * 7) % 25;
                    END IF;
                    IF i % 5 = 0 THEN DELETE FROM items WHERE id = lo + (i * 3) % 30; END IF;
                    IF i % 2 = 0 THEN COMMIT; PERFORM pg_sleep(0.004); END IF;
                END LOOP;
                COMMIT;
            END $$;`);
        const srv = await r.server(db, ["--tables", "items"]);
        const churn = psql(db, "CALL churn(900);\nINSERT INTO items(grp, label) SELECT g, 'end' FROM generate_series(0, 3) g;\n",
            { timeoutMs: 40000 });
        let churnDone = false;
        churn.then(() => (churnDone = true), () => (churnDone = true));
        const wheres = [undefined, { grp: 1 }, { grp: 2 }, undefined, { grp: 0 }, { grp: 3 }, undefined, { grp: 1 }];
        const subs = [];
        for (const where of wheres) {
            if (churnDone) break;
            const s = await r.socket(srv.url);
            const ack = await subscribe(s, where ? { table: "items", where } : { table: "items" });
            assert.equal(ack.ok, true);
            subs.push({ s, ack, where });
            await sleep(250);
        }
        await withTimeout(churn, 40000, "the churn");
        assert.ok(subs.length >= 3, `subscribed during the churn only ${subs.length} times: it ended too soon`);
        const matches = rowMatches;
        const final = await query(db, "SELECT * FROM items ORDER BY id");
        const endIds = final.filter((row) => row.label === "end");
        for (const { s, ack, where } of subs) {
            const wanted = endIds.filter((row) => matches(row, where)).length;
            await waitFor(() => s.changes.filter((c) => c.row?.label === "end").length >= wanted, 10000,
                () => `end markers for ${JSON.stringify(where)}`);
        }
        let midChurn = 0;
        for (const { s, ack, where } of subs) {
            const what = `subscriber ${JSON.stringify(where)} at ${ack.last_change_id}`;
            assert.ok(s.changes.every((c) => c.change_id > ack.last_change_id), `${what}: nothing at or before last_change_id`);
            assertIncreasing(ids(s.changes), `${what}: change ids`);
            const state = applyChanges(byId(ack.rows), s.changes, where);
            assert.deepEqual(sortById([...state.values()]), final.filter((row) => matches(row, where)),
                `${what}: ack rows + later changes = the final table`);
            if (ack.rows.some((row) => row.label !== "seed")) ++midChurn;
        }
        assert.ok(midChurn >= 2, "some snapshots were taken mid-churn");
        // The unfiltered subscribers saw the same changes from their own starting points.
        const all = subs.filter((x) => !x.where);
        for (const x of all.slice(1))
            assert.deepEqual(ids(x.s.changes), ids(all[0].s.changes).filter((id) => id > x.ack.last_change_id));
        await stopAndCheck(srv);
    });

    test("8a. catch-up with since after a disconnect: exactly the missed changes", { timeout: 30000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb(`CREATE TABLE items(id serial PRIMARY KEY, grp int NOT NULL, label text);
                                      INSERT INTO items(grp, label) SELECT i % 2, 's' || i FROM generate_series(1, 6) i;`);
            const srv = await r.server(db, ["--tables", "items"]);
            const observer = await r.socket(srv.url);
            const obsAck = await subscribe(observer, { table: "items" });

            const c1 = await r.socket(srv.url);
            const ack1 = await subscribe(c1, { table: "items" });
            await psql(db, "INSERT INTO items(grp, label) VALUES (0, 'before 1'), (1, 'before 2');");
            await waitFor(() => c1.changes.length >= 2, 8000, "changes before the disconnect");
            const seen = c1.changes.at(-1).change_id;
            c1.disconnect();

            await psql(db, `INSERT INTO items(grp, label) VALUES (0, 'missed 1');
UPDATE items SET label = 'missed 2' WHERE id = 1;
BEGIN; DELETE FROM items WHERE id = 2; INSERT INTO items(grp, label) VALUES (1, 'missed 3'); COMMIT;
UPDATE items SET grp = 1 WHERE id = 3;`);
            await waitFor(() => observer.changes.length >= 7, 8000, "the observer's changes");
            const missed = observer.changes.filter((c) => c.change_id > seen);
            assert.equal(missed.length, 5);

            const c2 = await r.socket(srv.url);
            const ack2 = await subscribe(c2, { table: "items", since: seen });
            assert.equal(ack2.ok, true, JSON.stringify(ack2));
            assert.equal(ack2.sub, ack1.sub);
            await waitFor(() => c2.changes.length >= 5, 8000, () => `5 replayed changes, got ${c2.changes.length}`);
            await psql(db, "INSERT INTO items(grp, label) VALUES (1, 'live after');");
            await waitFor(() => c2.changes.length >= 6 && observer.changes.length >= 8, 8000, "the live change");
            await sleep(300);
            assert.deepEqual(c2.changes, observer.changes.filter((c) => c.change_id > seen),
                "the missed changes in order, then live ones, none twice");

            // since with a filter: only the matching missed changes.
            const c3 = await r.socket(srv.url);
            const ack3 = await subscribe(c3, { table: "items", where: { grp: 1 }, since: seen });
            assert.equal(ack3.ok, true);
            const want = observer.changes.filter((c) => c.change_id > seen && (c.row?.grp === 1 || c.old?.grp === 1));
            await waitFor(() => c3.changes.length >= want.length, 8000, "filtered replay");
            await sleep(200);
            assert.deepEqual(c3.changes.map((c) => [c.change_id, c.op]), want.map((c) => [c.change_id, c.op]));

            // since at the newest id: nothing replayed, then the next live change.
            const newest = observer.changes.at(-1).change_id;
            const c4 = await r.socket(srv.url);
            const ack4 = await subscribe(c4, { table: "items", since: newest });
            assert.equal(ack4.ok, true);
            const c5 = await r.socket(srv.url);
            const ack5 = await subscribe(c5, { table: "items", since: newest + 1000 });
            assert.equal(ack5.ok, true);
            await sleep(300);
            assert.deepEqual(c4.changes, []);
            assert.deepEqual(c5.changes, []);
            await psql(db, "INSERT INTO items(grp, label) VALUES (0, 'next');");
            await waitFor(() => c4.changes.length >= 1 && c5.changes.length >= 1, 8000, "the next change");
            await sleep(200);
            assert.deepEqual(c4.changes.map((c) => c.row.label), ["next"]);
            assert.deepEqual(c5.changes.map((c) => c.row.label), ["next"]);
            assert.ok(obsAck.last_change_id < seen);
            await stopAndCheck(srv);
        });

    test("8b. --retain 10: a catch-up beyond the log gets resync; one within it still replays",
        { timeout: 40000 }, async (t) => {
            const r = resources(t);
            const db = await freshDb("CREATE TABLE items(id serial PRIMARY KEY, label text);");
            const srv = await r.server(db, ["--tables", "items", "--retain", "10"]);
            const c1 = await r.socket(srv.url);
            const ack1 = await subscribe(c1, { table: "items" });
            c1.disconnect();
            let script = "";
            for (let i = 0; i < 40; ++i) script += `INSERT INTO items(label) VALUES ('r${i}');\n`;
            await psql(db, script);
            const observer = await r.socket(srv.url);
            const obsAck = await subscribe(observer, { table: "items" });
            const newest = obsAck.last_change_id;
            assert.equal(obsAck.rows.length, 40);

            // The log is trimmed lazily: ask until the server says resync (15 s at most).
            const started = Date.now();
            let probe;
            let ack;
            for (;;) {
                probe = await r.socket(srv.url);
                ack = await subscribe(probe, { table: "items", since: ack1.last_change_id });
                if (ack.ok === false) break;
                probe.disconnect();
                assert.ok(Date.now() - started < 15000, "no resync within 15 s of 40 changes with --retain 10");
                await sleep(250);
            }
            const waited = Date.now() - started;
            t.diagnostic(`resync after ${waited} ms`);
            assert.equal(typeof ack.error, "string");
            await waitFor(() => probe.resyncs.length >= 1, 5000, "the resync event");
            const [resync] = probe.resyncs;
            assert.deepEqual(sortedKeys(resync), ["reason", "sub", "table"]);
            assert.equal(resync.table, "items");
            assert.equal(resync.sub, ack1.sub);
            assert.equal(typeof resync.reason, "string");
            assert.deepEqual(probe.changes, [], "no replay with a resync");
            // Subscribing again without since: the whole table.
            const fresh = await subscribe(probe, { table: "items" });
            assert.equal(fresh.ok, true);
            assert.deepEqual(sortById(fresh.rows), await query(db, "SELECT * FROM items ORDER BY id"));

            // Within the last 10: still replayed exactly.
            const c2 = await r.socket(srv.url);
            const ack2 = await subscribe(c2, { table: "items", since: newest - 5 });
            assert.equal(ack2.ok, true, JSON.stringify(ack2));
            await waitFor(() => c2.changes.length >= 5, 8000, "5 replayed changes");
            await sleep(200);
            assert.deepEqual(c2.changes.map((c) => c.row.label), ["r35", "r36", "r37", "r38", "r39"]);
            assert.deepEqual(ids(c2.changes), [1, 2, 3, 4, 5].map((i) => newest - 5 + i));
            await stopAndCheck(srv);
        });

    test("9. enviar-mensaje: the row id in messages, broadcast to others, then a change", { timeout: 30000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb();
            assert.deepEqual(await query(db, "SELECT to_regclass('messages') IS NOT NULL AS present"), [{ present: false }]);
            const srv = await r.server(db);
            const columns = await query(db, `SELECT column_name FROM information_schema.columns
                WHERE table_name = 'messages' ORDER BY ordinal_position`);
            assert.deepEqual(columns.map((c) => c.column_name), ["id", "author", "body", "created_at"],
                "sio-server created messages");
            const a = await r.socket(srv.url, { events: ["enviar-mensaje"] });
            const b = await r.socket(srv.url, { events: ["enviar-mensaje"] });
            const ackA = await subscribe(a, { table: "messages" });
            assert.deepEqual(ackA.rows, []);

            const payload = { author: "ana", body: "hola, ¿qué tal? 😀" };
            const id = await withTimeout(a.emitWithAck("enviar-mensaje", payload), 8000, "enviar-mensaje ack");
            assert.ok(Number.isInteger(id), `ack is an integer id, got ${JSON.stringify(id)}`);
            const id2 = await withTimeout(b.emitWithAck("enviar-mensaje", { author: "bo", body: "second" }), 8000, "second ack");
            assert.ok(Number.isInteger(id2) && id2 > id);
            await waitFor(() => b.got["enviar-mensaje"].length >= 1 && a.got["enviar-mensaje"].length >= 1, 8000,
                "the broadcasts");
            await waitFor(() => a.changes.length >= 2, 8000, "the inserts as changes");
            await sleep(300);
            assert.deepEqual(b.got["enviar-mensaje"], [[payload]], "the others get the payload as sent");
            assert.deepEqual(a.got["enviar-mensaje"], [[{ author: "bo", body: "second" }]], "not the sender");
            const rows = await query(db, "SELECT id, author, body FROM messages ORDER BY id");
            assert.deepEqual(rows, [{ id, ...payload }, { id: id2, author: "bo", body: "second" }]);
            assert.equal(a.changes.length, 2);
            const [c] = a.changes;
            assertChangeShape(c, { sub: ackA.sub, table: "messages", op: "insert" });
            assert.deepEqual(sortedKeys(c.row), ["author", "body", "created_at", "id"]);
            assert.equal(c.row.id, id);
            assert.equal(c.row.author, payload.author);
            assert.equal(c.row.body, payload.body);
            assert.equal(typeof c.row.created_at, "string");

            // Invalid: an error ack, nothing inserted.
            const badAck = await withTimeout(a.emitWithAck("enviar-mensaje", { author: "x" }), 8000, "bad ack");
            assert.equal(typeof badAck?.error, "string");
            const badAck2 = await withTimeout(a.emitWithAck("enviar-mensaje", { author: 1, body: "x" }), 8000, "bad ack 2");
            assert.equal(typeof badAck2?.error, "string");
            await sleep(300);
            assert.equal((await query(db, "SELECT id FROM messages")).length, 2);
            assert.equal(a.changes.length, 2);
            await stopAndCheck(srv);
        });

    test("11. subscribe to a table with a column named j, and to a table without primary key with a json column",
        { timeout: 30000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb(`CREATE TABLE withj(id integer PRIMARY KEY, j text);
                                      INSERT INTO withj VALUES (1, 'x');
                                      CREATE TABLE nopk(a integer, doc json);
                                      INSERT INTO nopk VALUES (1, '{"k": [1, 2]}');`);
            const srv = await r.server(db, ["--tables", "withj,nopk"]);
            const s = await r.socket(srv.url);
            const [ack, ack2] = await Promise.all([
                subscribe(s, { table: "withj" }, 4000).catch((e) => ({ timeout: e.message })),
                subscribe(s, { table: "nopk" }, 4000).catch((e) => ({ timeout: e.message })),
            ]);
            assert.deepEqual([ack, ack2], [
                { ok: true, sub: "withj", rows: [{ id: 1, j: "x" }], last_change_id: ack.last_change_id },
                { ok: true, sub: "nopk", rows: [{ a: 1, doc: { k: [1, 2] } }], last_change_id: ack2.last_change_id },
            ]);
            await psql(db, "INSERT INTO withj VALUES (2, 'y');\nINSERT INTO nopk VALUES (2, NULL);");
            await waitFor(() => s.changes.length >= 2, 8000, "the changes");
            await stopAndCheck(srv);
        });

    test("12. a partitioned table: rows written through it (into its partitions) are changes of it",
        { timeout: 30000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb(`
                CREATE TABLE parted(id integer, region text, PRIMARY KEY (id, region)) PARTITION BY LIST (region);
                CREATE TABLE parted_eu PARTITION OF parted FOR VALUES IN ('eu');
                CREATE TABLE parted_us PARTITION OF parted FOR VALUES IN ('us');`);
            const srv = await r.server(db, ["--tables", "parted"]);
            const s = await r.socket(srv.url);
            const ack = await subscribe(s, { table: "parted" });
            assert.equal(ack.ok, true);
            await psql(db, "INSERT INTO parted VALUES (1, 'eu'), (2, 'us');\nUPDATE parted SET id = 3 WHERE id = 2;");
            await waitFor(() => s.changes.length >= 3, 4000, () => `3 changes, got ${JSON.stringify(s.changes)}`);
            assert.deepEqual(s.changes.map((c) => [c.table, c.op, c.row?.id]),
                [["parted", "insert", 1], ["parted", "insert", 2], ["parted", "update", 3]]);
            await stopAndCheck(srv);
        });

    test("13. a writer's session settings do not change the values (TimeZone, extra_float_digits, bytea_output, IntervalStyle)",
        { timeout: 30000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb(`CREATE TABLE odd(id integer PRIMARY KEY, ts timestamptz, f double precision,
                                                      b bytea, iv interval);`);
            const srv = await r.server(db, ["--tables", "odd"]);
            const s = await r.socket(srv.url);
            await subscribe(s, { table: "odd" });
            await psql(db, `SET TimeZone = 'Asia/Kolkata';
SET extra_float_digits = 0;
SET bytea_output = 'escape';
SET IntervalStyle = 'sql_standard';
INSERT INTO odd VALUES (1, '2024-01-01 00:00:00+00', '0.1'::float8 + '0.2'::float8, '\\x0102ff', '1 day 2 hours');`);
            await waitFor(() => s.changes.length >= 1, 8000, "the change");
            const s2 = await r.socket(srv.url);
            const ack2 = await subscribe(s2, { table: "odd" });
            const [row] = ack2.rows;
            const { row: changed } = s.changes[0];
            const problems = [];
            if (changed.f !== 0.1 + 0.2) problems.push(`float: change ${changed.f}, stored ${0.1 + 0.2}`);
            if (!Buffer.isBuffer(changed.b)) problems.push(`bytea: change ${JSON.stringify(changed.b)}, not a Buffer`);
            if (changed.ts !== row.ts) problems.push(`timestamptz: change ${changed.ts}, snapshot ${row.ts}`);
            if (changed.iv !== row.iv) problems.push(`interval: change ${changed.iv}, snapshot ${row.iv}`);
            assert.deepEqual(problems, []);
            await stopAndCheck(srv);
        });

    test("14. restarting sio-server while psql writes: catching up with since loses nothing",
        { timeout: 40000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb(`
                CREATE TABLE items(id serial PRIMARY KEY, label text NOT NULL);
                CREATE PROCEDURE churn(seconds float8) LANGUAGE plpgsql AS $$
                DECLARE stop_at timestamptz := clock_timestamp() + seconds * interval '1 second'; i int := 0;
                BEGIN
                    WHILE clock_timestamp() < stop_at LOOP
                        i := i + 1;
                        INSERT INTO items(label) VALUES ('c' || i);
                        COMMIT;
                        IF i % 20 = 0 THEN PERFORM pg_sleep(0.001); END IF;
                    END LOOP;
                END $$;`);
            let srv = await r.server(db, ["--tables", "items"]);
            let s = await r.socket(srv.url);
            const ack = await subscribe(s, { table: "items" });
            const sessions = [s];
            const churn = psql(db, "CALL churn(3);\nINSERT INTO items(label) VALUES ('end');\n", { timeoutMs: 30000 });
            let churning = true;
            churn.then(() => (churning = false), () => (churning = false));
            // Restart as often as the churn lasts (the loss needs a write between two start-up statements).
            for (let k = 0; churning && k < 20; ++k) {
                await sleep(150);
                const seen = s.changes.length ? s.changes.at(-1).change_id : sessions.length > 1 ? s.since : ack.last_change_id;
                s.disconnect();
                await stopAndCheck(srv);
                srv = await r.server(db, ["--tables", "items"]);
                s = await r.socket(srv.url);
                s.since = seen;
                const a = await subscribe(s, { table: "items", since: seen });
                assert.equal(a.ok, true, JSON.stringify(a));
                sessions.push(s);
            }
            await withTimeout(churn, 30000, "the churn");
            const rows = await query(db, "SELECT id, label FROM items ORDER BY id");
            await waitFor(() => sessions.some((x) => x.changes.some((c) => c.row.label === "end")), 10000,
                "the end marker").catch((e) => t.diagnostic(e.message));
            t.diagnostic(`${sessions.length - 1} restarts`);
            await sleep(300);
            const all = sessions.flatMap((x) => x.changes);
            assertIncreasing(ids(all), "change ids across restarts");
            const got = new Set(all.map((c) => c.row.id));
            const missing = rows.filter((row) => !got.has(row.id));
            // Diagnostic only (the log table is the server's business): captured but never numbered.
            const log = await query(db, `SELECT count(*) FILTER (WHERE change_id IS NULL) AS unnumbered,
                                                count(*) AS captured FROM _sio_changes WHERE tbl = 'items'`)
                .then((x) => JSON.stringify(x[0]), () => "n/a");
            assert.equal(missing.length, 0, `${rows.length} rows, ${missing.length} never delivered, e.g. ` +
                `${JSON.stringify(missing.slice(0, 5))}; the log: ${log}`);
            assert.equal(all.length, rows.length);
            await stopAndCheck(srv);
        });

    test("15. the feed survives its database connection being dropped",
        { timeout: 30000 },
        async (t) => {
            const r = resources(t);
            const db = await freshDb("CREATE TABLE items(id serial PRIMARY KEY, label text NOT NULL);");
            const srv = await r.server(db, ["--tables", "items"]);
            const s = await r.socket(srv.url);
            await subscribe(s, { table: "items" });
            await psql(db, "INSERT INTO items(label) VALUES ('before');");
            await waitFor(() => s.changes.length >= 1, 8000, "the first change");
            const killed = await query(db, `SELECT pg_terminate_backend(pid) AS done FROM pg_stat_activity
                WHERE datname = current_database() AND pid <> pg_backend_pid()`);
            assert.ok(killed.length >= 1, "terminated the server's connection");
            await psql(db, "INSERT INTO items(label) VALUES ('after');");
            await waitFor(() => s.changes.length >= 2, 5000, "the change after the connection was dropped");
            const again = await subscribe(s, { table: "items", where: { label: "after" } }, 4000);
            assert.equal(again.rows.length, 1);
            await stopAndCheck(srv);
        });

    test("10. a missing table in --tables: exit status 2 and a clear message", { timeout: 20000 }, async () => {
        const db = await freshDb("CREATE TABLE items(id integer PRIMARY KEY);");
        const res = await run(serverBin, ["--db", db, "--port", "0", "--tables", "items,no_such_table"],
            { timeoutMs: 15000 });
        assert.equal(res.code, 2, `exit status; stderr: ${res.stderr}`);
        assert.match(res.stderr, /no_such_table/);
        assert.doesNotMatch(res.stdout, /listening/);
    });
});
