// Bad subscriptions are refused with {ok: false, error: "<clear message>"}; `unsubscribe` by
// {sub} or by {table, where} answers {ok: true} and stops that delivery only.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";

import {
    closeAll,
    connect,
    freshServer,
    keysOf,
    request,
    sqlite,
    stopAndCheck,
    subscribe,
} from "./support/feed.mjs";

const SETUP = `
CREATE TABLE watched(id INTEGER PRIMARY KEY, kind TEXT, n INTEGER);
CREATE TABLE unwatched(id INTEGER PRIMARY KEY, x TEXT);
CREATE TABLE bulk(id INTEGER PRIMARY KEY, filler TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 30000)
INSERT INTO bulk(filler) SELECT printf('%.100c', 'x') FROM n;
`;

let server;

/**
 * Subscribes each socket to the marker rows of `bulk`, writes one, and waits until each got it:
 * the feed sends a socket its changes in change_id order, whatever the subscription, so a change
 * the writes before wrongly sent it comes first. Resolves with a predicate that is true of the
 * changes of marker rows (whichever subscription of the socket delivered them), for the callers
 * to leave them out of what they compare.
 */
async function markerAfter(...sockets) {
    let sub;
    for (const s of sockets) {
        const ack = await subscribe(s, { table: "bulk", where: { filler: "marker" } });
        assert.equal(ack.ok, true, JSON.stringify(ack));
        sub = ack.sub;
    }
    const seen = (s) => s.rec.of("change").filter((c) => c.sub === sub).length;
    const before = sockets.map(seen);
    await sqlite(server.db, "INSERT INTO bulk(filler) VALUES('marker');");
    await Promise.all(sockets.map((s, i) => s.rec.until((r) => seen(s) > before[i], 10000, "the marker")));
    return (c) => c.table === "bulk" && (c.row ?? c.old)?.filler === "marker";
}

before(async () => {
    server = await freshServer(SETUP, ["--tables", "watched,bulk"]);
});
after(async () => {
    await stopAndCheck(server);
});

test("bad subscriptions are refused with a clear error", { timeout: 20000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const cases = [
            [{ table: "no_such_table" }, /no_such_table/],
            [{ table: "unwatched" }, /unwatched/],
            [{ table: "watched", where: { colour: "red" } }, /colour/],
            [{ table: "watched", where: { kind: ["a", "b"] } }, /kind/],
            [{ table: "watched", where: { kind: { $in: ["a"] } } }, /kind/],
            [{ where: { kind: "a" } }, /table/],
            [{ table: "" }, /table/],
            [{ table: 42 }, /table/],
        ];
        for (const [payload, mentions] of cases) {
            const ack = await subscribe(s, payload);
            const label = JSON.stringify(payload);
            assert.deepEqual(keysOf(ack), ["error", "ok"], `${label}: ${JSON.stringify(ack)}`);
            assert.equal(ack.ok, false, label);
            assert.equal(typeof ack.error, "string", label);
            assert.match(ack.error, mentions, `${label}: error names the problem: ${ack.error}`);
        }
        const noPayload = await request(s, "subscribe", undefined);
        assert.equal(noPayload.ok, false);
        assert.equal(typeof noPayload.error, "string");

        // None of them subscribed to anything.
        await sqlite(server.db, `
            INSERT INTO watched VALUES(1, 'a', 1);
            INSERT INTO unwatched VALUES(1, 'x');`);
        const isMarker = await markerAfter(s);
        assert.deepEqual(s.rec.of("change").filter((c) => !isMarker(c)), []);
    } finally {
        closeAll(s);
    }
});

test("unsubscribe by {sub} and by {table, where} stops delivery", { timeout: 20000 }, async () => {
    const s = await connect(server.url, { events: ["change"] });
    try {
        const byName = await subscribe(s, { table: "watched", where: { kind: "a" } });
        const byPair = await subscribe(s, { table: "watched", where: { kind: "b", n: 2 } });
        const kept = await subscribe(s, { table: "watched" });
        for (const a of [byName, byPair, kept]) assert.equal(a.ok, true);

        await sqlite(server.db, `
            INSERT INTO watched VALUES(10, 'a', 0);
            INSERT INTO watched VALUES(11, 'b', 2);`);
        await s.rec.count("change", 4, 5000);
        assert.deepEqual(s.rec.of("change").map((c) => [c.sub, c.row.id]).sort(), [
            [byName.sub, 10], [byPair.sub, 11], [kept.sub, 10], [kept.sub, 11]].sort());

        assert.deepEqual(await request(s, "unsubscribe", { sub: byName.sub }), { ok: true });
        // Keys in another order name the same subscription.
        assert.deepEqual(await request(s, "unsubscribe", { table: "watched", where: { n: 2, kind: "b" } }),
            { ok: true });
        s.rec.clear();
        await sqlite(server.db, `
            INSERT INTO watched VALUES(20, 'a', 0);
            INSERT INTO watched VALUES(21, 'b', 2);
            UPDATE watched SET n = 5 WHERE id = 10;`);
        await s.rec.count("change", 3, 5000);
        const isMarker = await markerAfter(s);
        assert.deepEqual(s.rec.of("change").filter((c) => !isMarker(c)).map((c) => [c.sub, c.row.id]),
            [[kept.sub, 20], [kept.sub, 21], [kept.sub, 10]], "only the kept subscription delivers");

        assert.deepEqual(await request(s, "unsubscribe", { table: "watched" }), { ok: true });
        s.rec.clear();
        await sqlite(server.db, "DELETE FROM watched;");
        await markerAfter(s);
        assert.deepEqual(s.rec.of("change").filter((c) => !isMarker(c)), [],
            "nothing after the last unsubscribe");
        s.rec.clear();

        // Subscribing again after an unsubscribe works.
        const back = await subscribe(s, { table: "watched", where: { kind: "a" } });
        assert.equal(back.ok, true);
        assert.equal(back.sub, byName.sub);
        await sqlite(server.db, "INSERT INTO watched VALUES(30, 'a', 0);");
        await s.rec.count("change", 1, 5000);
        assert.equal(s.rec.of("change")[0].row.id, 30);
    } finally {
        closeAll(s);
    }
});

test("one socket unsubscribing leaves the others subscribed", { timeout: 20000 }, async () => {
    const a = await connect(server.url, { events: ["change"] });
    const b = await connect(server.url, { events: ["change"] });
    try {
        const sa = await subscribe(a, { table: "watched", where: { kind: "z" } });
        const sb = await subscribe(b, { table: "watched", where: { kind: "z" } });
        assert.equal(sa.sub, sb.sub);
        assert.deepEqual(await request(a, "unsubscribe", { sub: sa.sub }), { ok: true });
        await sqlite(server.db, "INSERT INTO watched VALUES(40, 'z', 0);");
        await b.rec.count("change", 1, 5000);
        const isMarker = await markerAfter(a);
        assert.deepEqual(a.rec.of("change").filter((c) => !isMarker(c)), []);
        assert.equal(b.rec.of("change")[0].row.id, 40);
    } finally {
        closeAll(a, b);
    }
});

test("unsubscribe sent right after subscribe, without waiting, still stops delivery", {
    timeout: 20000,
}, async () => {
    const s = await connect(server.url, { events: ["change"] });
    const other = await connect(server.url, { events: ["change"] });
    try {
        // A big snapshot first keeps the feed thread busy, so the unsubscribe is handled
        // before the subscribe it follows has completed.
        const busy = subscribe(s, { table: "bulk" });
        const subscribed = subscribe(s, { table: "watched", where: { kind: "race" } });
        const unsubscribed = request(s, "unsubscribe", { table: "watched", where: { kind: "race" } });
        const [ack, unack, busyAck] = await Promise.all([subscribed, unsubscribed, busy]);
        assert.equal(busyAck.rows.length, 10000);
        assert.equal(busyAck.truncated, true);
        assert.equal(ack.ok, true);
        assert.deepEqual(unack, { ok: true });
        // Someone else subscribes to the same (table, where) and must be the only one served.
        assert.equal((await subscribe(other, { table: "watched", where: { kind: "race" } })).sub, ack.sub);
        await sqlite(server.db, "INSERT INTO watched VALUES(50, 'race', 0);");
        await other.rec.count("change", 1, 5000);
        const isMarker = await markerAfter(s);
        assert.deepEqual(s.rec.of("change").filter((c) => !isMarker(c)).map((c) => c.row.id), [],
            "no change after the unsubscribe was acknowledged");
    } finally {
        closeAll(s, other);
    }
});
