// Table schemas via --tables: a plain rowid table (rows carry `rowid`), a WITHOUT ROWID table
// with a composite primary key; a listed table that does not exist stops the server (status 2).
import assert from "node:assert/strict";
import { rm } from "node:fs/promises";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    feedMarker,
    makeDb,
    query,
    run,
    serverBin,
    sqlite,
    startServer,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

const SETUP = `
CREATE TABLE plain(name TEXT, qty INTEGER);
CREATE TABLE keyed(code TEXT PRIMARY KEY, label TEXT);
CREATE TABLE pairs(a TEXT NOT NULL, b INTEGER NOT NULL, v TEXT, PRIMARY KEY(a, b)) WITHOUT ROWID;
CREATE TABLE grows(id INTEGER PRIMARY KEY, a TEXT);
CREATE TABLE doomed(id INTEGER PRIMARY KEY, a TEXT);
INSERT INTO plain VALUES('first', 1);
INSERT INTO keyed VALUES('k1', 'one');
INSERT INTO pairs VALUES('x', 2, 'x2'), ('x', 1, 'x1'), ('a', 9, 'a9');
`;

let server;
before(async () => {
    const { dir, db } = await makeDb(SETUP);
    server = await startServer({ db, dir, args: ["--tables", "plain,keyed,pairs,grows,doomed"] });
});
after(async () => {
    await stopAndCheck(server);
});

test("plain rowid table: rows carry rowid", { timeout: 20000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const ack = await subscribe(s, { table: "plain" });
        assert.equal(ack.ok, true);
        assert.deepEqual(ack.rows, [{ rowid: 1, name: "first", qty: 1 }]);
        await sqlite(server.db, `
            INSERT INTO plain(name, qty) VALUES('second', 2);
            UPDATE plain SET qty = 20 WHERE name = 'second';
            DELETE FROM plain WHERE name = 'first';`);
        await s.rec.count("change", 3, 5000);
        const [ins, upd, del] = s.rec.of("change");
        assert.equal(ins.op, "insert");
        assert.deepEqual(ins.row, { rowid: 2, name: "second", qty: 2 });
        assert.equal(upd.op, "update");
        assert.deepEqual(upd.old, { rowid: 2, name: "second", qty: 2 });
        assert.deepEqual(upd.row, { rowid: 2, name: "second", qty: 20 });
        assert.equal(del.op, "delete");
        assert.deepEqual(del.old, { rowid: 1, name: "first", qty: 1 });
        assert.equal(del.row, null);

        const byRowid = await subscribe(s, { table: "plain", where: { rowid: 2 } });
        assert.equal(byRowid.ok, true, JSON.stringify(byRowid));
        assert.deepEqual(byRowid.rows, [{ rowid: 2, name: "second", qty: 20 }]);
        assert.deepEqual(byRowid.rows, await query(server.db, "SELECT rowid, * FROM plain"));
    } finally {
        closeAll(s);
    }
});

test("a TEXT primary key table is a rowid table too", { timeout: 20000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const ack = await subscribe(s, { table: "keyed" });
        assert.equal(ack.ok, true);
        assert.deepEqual(ack.rows, [{ rowid: 1, code: "k1", label: "one" }]);
        await sqlite(server.db, "UPDATE keyed SET label = 'uno' WHERE code = 'k1';");
        await s.rec.count("change", 1, 5000);
        const [c] = s.rec.of("change");
        assert.deepEqual(c.row, { rowid: 1, code: "k1", label: "uno" });
        assert.deepEqual(c.old, { rowid: 1, code: "k1", label: "one" });
    } finally {
        closeAll(s);
    }
});

test("WITHOUT ROWID table with a composite key", { timeout: 20000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const ack = await subscribe(s, { table: "pairs" });
        assert.equal(ack.ok, true);
        assert.deepEqual(ack.rows, [
            { a: "a", b: 9, v: "a9" }, { a: "x", b: 1, v: "x1" }, { a: "x", b: 2, v: "x2" }]);
        const filtered = await subscribe(s, { table: "pairs", where: { a: "x", b: 2 } });
        assert.deepEqual(filtered.rows, [{ a: "x", b: 2, v: "x2" }]);
        await sqlite(server.db, `
            INSERT INTO pairs VALUES('y', 1, 'y1');
            UPDATE pairs SET v = 'x2!' WHERE a = 'x' AND b = 2;
            UPDATE pairs SET b = 3 WHERE a = 'x' AND b = 1;
            DELETE FROM pairs WHERE a = 'a';`);
        await s.rec.until((r) => r.of("change").filter((c) => c.sub === ack.sub).length >= 4, 5000,
            "4 changes");
        // A fifth change, or a second one for the filtered subscription, would come first.
        const isMarker = (c) => c.row?.v === "marker";
        await feedMarker(server.db, s, "INSERT INTO pairs VALUES('z', 0, 'marker');", isMarker);
        const all = s.rec.of("change").filter((c) => c.sub === ack.sub && !isMarker(c));
        assert.deepEqual(all.map((c) => [c.op, c.row, c.old]), [
            ["insert", { a: "y", b: 1, v: "y1" }, null],
            ["update", { a: "x", b: 2, v: "x2!" }, { a: "x", b: 2, v: "x2" }],
            ["update", { a: "x", b: 3, v: "x1" }, { a: "x", b: 1, v: "x1" }],
            ["delete", null, { a: "a", b: 9, v: "a9" }],
        ]);
        const some = s.rec.of("change").filter((c) => c.sub === filtered.sub);
        assert.deepEqual(some.map((c) => c.change_id), [all[1].change_id],
            "the filtered subscription got its row's change only");
        assert.equal(s.rec.of("change").filter((c) => !isMarker(c)).length, 5,
            "one event per matching subscription");
    } finally {
        closeAll(s);
    }
});

test("a column added while the server runs appears in rows once the feed has seen it", {
    timeout: 20000,
}, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        assert.equal((await subscribe(s, { table: "grows" })).ok, true);
        await sqlite(server.db, `ALTER TABLE grows ADD COLUMN b TEXT DEFAULT 'bee';`);
        // The feed rebuilds its triggers when it sees the schema change (one poll interval,
        // 20 ms, longer on a loaded machine); rows written before that still carry the old
        // columns. Probe rows show when it has.
        const changeOf = (id) => s.rec.of("change").find((c) => c.row?.id === id);
        for (let k = 0; ; k++) {
            const id = 100 + k;
            await sqlite(server.db, `INSERT INTO grows VALUES(${id}, 'probe', 'p');`);
            await s.rec.until(() => changeOf(id), 5000, `probe ${id}`);
            if ("b" in changeOf(id).row) break;
            assert.ok(k < 100, "the feed did not see the new column after 100 probes");
        }
        await sqlite(server.db, `INSERT INTO grows VALUES(1, 'x', 'y');`);
        await s.rec.until(() => changeOf(1), 5000, "the row's change");
        assert.deepEqual(changeOf(1).row, { id: 1, a: "x", b: "y" });
        const snap = await subscribe(s, { table: "grows", where: { id: 1 } });
        assert.deepEqual(snap.rows, [{ id: 1, a: "x", b: "y" }]);
    } finally {
        closeAll(s);
    }
});

test("a subscribe whose snapshot fails is still answered", {
    timeout: 20000,
}, async () => {
    const s = await connect(server.url);
    try {
        await sqlite(server.db, "DROP TABLE doomed;");
        const ack = await subscribe(s, { table: "doomed" }, 3000);
        assert.equal(ack.ok, false);
        assert.equal(typeof ack.error, "string");
    } finally {
        closeAll(s);
    }
});

test("a listed table that does not exist: status 2 and a clear message", { timeout: 20000 }, async () => {
    const { dir, db } = await makeDb("CREATE TABLE present(x);");
    try {
        const r = await run(serverBin, ["--db", db, "--port", "0", "--tables", "present,absent_table"],
            { timeoutMs: 10000 });
        assert.equal(r.code, 2, `exit status; stderr: ${r.stderr}`);
        assert.doesNotMatch(r.stdout, /listening/);
        assert.match(r.stderr, /absent_table/);
        assert.match(r.stderr, /no such table|does not exist|not found/i);
        assert.ok(r.stderr.trim().split("\n").length <= 3, `short message: ${r.stderr}`);
    } finally {
        await rm(dir, { recursive: true, force: true });
    }
});
