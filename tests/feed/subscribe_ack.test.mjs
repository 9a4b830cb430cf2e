// The subscribe ack: {ok: true, sub, rows, last_change_id}; `sub` names (table, where) whatever
// the key order; subscribing twice is idempotent; rows are the table as of last_change_id.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    feedMarker,
    freshServer,
    keysOf,
    query,
    sqlite,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

const SETUP = `
CREATE TABLE items(id INTEGER PRIMARY KEY, name TEXT, qty INTEGER, price REAL, tag TEXT);
INSERT INTO items VALUES(1, 'apple', 3, 1.5, 'fruit');
INSERT INTO items VALUES(2, 'pear', 0, 2.25, 'fruit');
INSERT INTO items VALUES(3, 'leek', 7, NULL, 'veg');
INSERT INTO items VALUES(4, NULL, NULL, NULL, NULL);
`;

let server;
before(async () => {
    server = await freshServer(SETUP, ["--tables", "items"]);
});
after(async () => {
    await stopAndCheck(server);
});

const dbRows = () => query(server.db, "SELECT * FROM items ORDER BY id");

test("ack is {ok, sub, rows, last_change_id} with the table's rows", { timeout: 15000 }, async () => {
    const s = await connect(server.url);
    try {
        const ack = await subscribe(s, { table: "items" });
        assert.deepEqual(keysOf(ack), ["last_change_id", "ok", "rows", "sub"]);
        assert.equal(ack.ok, true);
        assert.equal(typeof ack.sub, "string");
        assert.ok(ack.sub.length > 0);
        assert.ok(Number.isInteger(ack.last_change_id) && ack.last_change_id >= 0);
        assert.deepEqual(ack.rows, await dbRows());
        assert.deepEqual(ack.rows[0], { id: 1, name: "apple", qty: 3, price: 1.5, tag: "fruit" });
        assert.deepEqual(ack.rows[3], { id: 4, name: null, qty: null, price: null, tag: null });
    } finally {
        closeAll(s);
    }
});

test("sub is equal for equal (table, where), whatever the key order", { timeout: 15000 }, async () => {
    const s = await connect(server.url);
    const t = await connect(server.url);
    try {
        const ab = await subscribe(s, { table: "items", where: { tag: "fruit", qty: 3 } });
        const ba = await subscribe(t, { table: "items", where: { qty: 3, tag: "fruit" } });
        const ba2 = await subscribe(s, { where: { qty: 3, tag: "fruit" }, table: "items" });
        const other = await subscribe(s, { table: "items", where: { tag: "fruit", qty: 4 } });
        const all = await subscribe(s, { table: "items" });
        const allEmpty = await subscribe(t, { table: "items", where: {} });
        for (const a of [ab, ba, ba2, other, all, allEmpty]) assert.equal(a.ok, true, JSON.stringify(a));
        assert.equal(ab.sub, ba.sub, "same (table, where) on two sockets");
        assert.equal(ab.sub, ba2.sub, "same (table, where) again, keys reordered");
        assert.notEqual(ab.sub, other.sub);
        assert.notEqual(ab.sub, all.sub);
        assert.equal(all.sub, allEmpty.sub, "no where and an empty where are one subscription");
        assert.deepEqual(ab.rows, [{ id: 1, name: "apple", qty: 3, price: 1.5, tag: "fruit" }]);
        assert.deepEqual(ab.rows, ba.rows);
        assert.deepEqual(other.rows, []);
    } finally {
        closeAll(s, t);
    }
});

test("subscribing twice delivers each change once", { timeout: 15000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const first = await subscribe(s, { table: "items", where: { tag: "veg" } });
        const second = await subscribe(s, { table: "items", where: { tag: "veg" } });
        assert.equal(first.ok, true);
        assert.equal(second.sub, first.sub);
        assert.deepEqual(second.rows, first.rows);
        await sqlite(server.db, "INSERT INTO items VALUES(10, 'kale', 1, 0.5, 'veg');");
        await s.rec.count("change", 1, 5000);
        // A second event for the insert would come before the marker's.
        await feedMarker(server.db, s, "INSERT INTO items VALUES(11, 'marker', 1, 0.5, 'veg');",
            (c) => c.row?.id === 11);
        const changes = s.rec.of("change").filter((c) => c.row?.id !== 11);
        assert.equal(changes.length, 1, "one event, not one per subscribe call");
        assert.equal(changes[0].sub, first.sub);
        assert.deepEqual(changes[0].row, { id: 10, name: "kale", qty: 1, price: 0.5, tag: "veg" });
    } finally {
        closeAll(s);
    }
});

test("rows and last_change_id agree with the changes around them", { timeout: 15000 }, async () => {
    const watcher = await connect(server.url, { events: ["change"] });
    let late;
    try {
        const w = await subscribe(watcher, { table: "items" });
        assert.equal(w.ok, true);
        await sqlite(server.db, `
            INSERT INTO items VALUES(20, 'fig', 2, 3.0, 'fruit');
            UPDATE items SET qty = 5 WHERE id = 1;
            DELETE FROM items WHERE id = 2;`);
        await watcher.rec.count("change", 3, 5000);
        const seen = watcher.rec.of("change");
        assert.ok(seen.every((c) => c.change_id > w.last_change_id));

        late = await connect(server.url, { events: ["change"] });
        const ack = await subscribe(late, { table: "items" });
        assert.equal(ack.last_change_id, seen[2].change_id, "the ack names the last change applied");
        assert.deepEqual(ack.rows, await dbRows());
        assert.ok(ack.rows.some((r) => r.id === 20));
        assert.ok(!ack.rows.some((r) => r.id === 2));
        assert.equal(ack.rows.find((r) => r.id === 1).qty, 5);

        await sqlite(server.db, "UPDATE items SET qty = 6 WHERE id = 20;");
        await late.rec.count("change", 1, 5000);
        const [next] = late.rec.of("change");
        assert.ok(next.change_id > ack.last_change_id);
        assert.equal(next.op, "update");
        assert.deepEqual(next.old, { id: 20, name: "fig", qty: 2, price: 3, tag: "fruit" });
    } finally {
        closeAll(watcher, late);
    }
});
