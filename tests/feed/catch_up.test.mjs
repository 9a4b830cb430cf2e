// Catch-up with `since`: after a disconnect, subscribing with the last change id seen replays
// exactly the matching changes missed, in order, once, before live ones; `since` at or beyond
// the newest id replays nothing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    feedMarker,
    freshServer,
    sleep,
    sqlite,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

const SETUP = "CREATE TABLE feed(id INTEGER PRIMARY KEY, grp TEXT NOT NULL, n INTEGER NOT NULL);";

let server;
before(async () => {
    server = await freshServer(SETUP, ["--tables", "feed"]);
});
after(async () => {
    await stopAndCheck(server);
});

// 20 changes in group a (inserts, updates, deletes), interleaved with 10 in group b.
function missedWrites() {
    const sql = [];
    for (let i = 0; i < 10; i++) {
        sql.push(`INSERT INTO feed(id, grp, n) VALUES(${100 + i}, 'a', ${i});`);
        sql.push(`INSERT INTO feed(id, grp, n) VALUES(${200 + i}, 'b', ${i});`);
    }
    for (let i = 0; i < 6; i++) sql.push(`UPDATE feed SET n = n + 100 WHERE id = ${100 + i};`);
    for (let i = 0; i < 4; i++) sql.push(`DELETE FROM feed WHERE id = ${109 - i};`);
    return sql.join("\n");
}

test("reconnect with since replays exactly what was missed", { timeout: 30000 }, async () => {
    const where = { grp: "a" };
    let first, second;
    try {
        first = await connect(server.url, { events: ["change"] });
        const ack = await subscribe(first, { table: "feed", where });
        assert.equal(ack.ok, true);
        await sqlite(server.db, `
            INSERT INTO feed VALUES(1, 'a', 1);
            INSERT INTO feed VALUES(2, 'b', 1);
            UPDATE feed SET n = 2 WHERE id = 1;`);
        await first.rec.count("change", 2, 5000);
        const lastSeen = first.rec.of("change").at(-1).change_id;
        first.close();
        // Gives the server a moment to see the close; the replay below is by `since`, so the
        // test holds whether or not the writes came before it saw it.
        await sleep(100);

        await sqlite(server.db, missedWrites());

        // What the missed changes must be, checked by a subscriber that stayed connected.
        const witness = await connect(server.url, { events: ["change"] });
        const wAck = await subscribe(witness, { table: "feed", where });
        closeAll(witness);
        assert.equal(wAck.ok, true);

        second = await connect(server.url, { events: ["change"] });
        const back = await subscribe(second, { table: "feed", where, since: lastSeen });
        assert.equal(back.ok, true, JSON.stringify(back));
        assert.equal(back.sub, ack.sub);
        await second.rec.count("change", 20, 5000);
        await sqlite(server.db, "INSERT INTO feed VALUES(300, 'a', 300);");
        await second.rec.count("change", 21, 5000);
        // A change replayed twice, or replayed and then sent live, would come before the marker's.
        await feedMarker(server.db, second, "INSERT INTO feed VALUES(301, 'a', 301);",
            (c) => c.row?.id === 301);

        const changes = second.rec.of("change").filter((c) => c.row?.id !== 301);
        assert.equal(changes.length, 21, "20 replayed + 1 live, none twice");
        const ackAt = second.rec.log.findIndex((e) => e.event === "ack:subscribe");
        assert.equal(second.rec.log.slice(0, ackAt).filter((e) => e.event === "change").length, 0,
            "nothing before the ack");
        const replayed = changes.slice(0, 20);
        assert.ok(replayed.every((c) => c.change_id > lastSeen && c.change_id <= wAck.last_change_id));
        for (let i = 1; i < changes.length; i++) assert.ok(changes[i].change_id > changes[i - 1].change_id);
        assert.ok(changes.every((c) => c.sub === ack.sub && c.table === "feed"));
        assert.ok(replayed.every((c) => (c.row ?? c.old).grp === "a"));
        assert.deepEqual(replayed.map((c) => [c.op, (c.row ?? c.old).id]), [
            ...[...Array(10).keys()].map((i) => ["insert", 100 + i]),
            ...[...Array(6).keys()].map((i) => ["update", 100 + i]),
            ...[...Array(4).keys()].map((i) => ["delete", 109 - i]),
        ]);
        assert.deepEqual(replayed[10].old, { id: 100, grp: "a", n: 0 });
        assert.deepEqual(replayed[10].row, { id: 100, grp: "a", n: 100 });
        assert.deepEqual(changes[20].row, { id: 300, grp: "a", n: 300 });
        assert.ok(changes[20].change_id > wAck.last_change_id);
    } finally {
        closeAll(first, second);
    }
});

test("since at or beyond the newest id replays nothing", { timeout: 30000 }, async () => {
    const sockets = [];
    try {
        const probe = await connect(server.url);
        sockets.push(probe);
        const now = await subscribe(probe, { table: "feed" });
        assert.equal(now.ok, true);
        const newest = now.last_change_id;
        assert.ok(newest > 0);
        for (const since of [newest, newest + 1, newest + 1000000]) {
            const s = await connect(server.url, { events: ["change"] });
            sockets.push(s);
            const ack = await subscribe(s, { table: "feed", since });
            assert.equal(ack.ok, true, `since ${since}: ${JSON.stringify(ack)}`);
            assert.equal(ack.sub, now.sub);
        }
        // The live change is the marker: a replay would have come before it.
        await sqlite(server.db, "INSERT INTO feed VALUES(400, 'c', 1);");
        for (const s of sockets.slice(1)) {
            await s.rec.count("change", 1, 5000);
            assert.deepEqual(s.rec.of("change").map((c) => c.row), [{ id: 400, grp: "c", n: 1 }],
                "nothing replayed, then live changes flow");
        }
    } finally {
        closeAll(sockets);
    }
});

test("since while a writer runs: replay then live, each change once", { timeout: 30000 }, async () => {
    let witness, late;
    let stop = false;
    let writes = 0;
    const writer = (async () => {
        while (!stop) {
            await sqlite(server.db, `INSERT INTO feed(grp, n) VALUES('w', ${writes});
                UPDATE feed SET n = n + 1 WHERE grp = 'w' AND id % 3 = 0;`);
            writes++;
        }
    })();
    try {
        witness = await connect(server.url, { events: ["change"] });
        assert.equal((await subscribe(witness, { table: "feed", where: { grp: "w" } })).ok, true);
        await witness.rec.count("change", 10, 10000);
        const since = witness.rec.of("change")[4].change_id;
        // The pauses let the writer run on during the catch-up (not synchronization: the marker
        // below decides when everything has arrived).
        await sleep(100);
        late = await connect(server.url, { events: ["change"] });
        const ack = await subscribe(late, { table: "feed", where: { grp: "w" }, since });
        assert.equal(ack.ok, true, JSON.stringify(ack));
        await sleep(400);
        stop = true;
        await writer;
        await sqlite(server.db, "INSERT INTO feed(grp, n) VALUES('w', -1);");
        for (const s of [witness, late]) {
            await s.rec.until((r) => r.of("change").some((c) => c.row?.n === -1), 5000, "marker");
        }
        const expected = witness.rec.of("change").filter((c) => c.change_id > since);
        const got = late.rec.of("change");
        assert.deepEqual(got.map((c) => c.change_id), expected.map((c) => c.change_id));
        assert.deepEqual(got, expected);
    } finally {
        stop = true;
        await writer.catch(() => {});
        closeAll(witness, late);
    }
});
