// Outgoing listeners see broadcasts, as socket.io 4.8's adapter calls notifyOutgoingListeners for
// every socket a broadcast reaches: io.emit, to(room), socket.broadcast, broadcast acks, and
// (with connection state recovery, where socket.emit goes through the adapter) exactly once.
// "outgoing-log" is acked after the broadcast's deliveries on the one shard, so the log read
// after a client saw the event holds whatever the listeners were ever going to log for it.
import assert from "node:assert/strict";
import crypto from "node:crypto";
import { afterEach, describe, test } from "node:test";

import { closeAll, connect, skipUnless, startServer, stopAndCheck, T } from "./support.mjs";

const NSP = "/outgoing";

describe("outgoing listeners and broadcasts", { skip: skipUnless("parity") }, () => {
    let server;
    afterEach(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    /** The log entries of `event` (their args without a recovery offset). */
    async function logged(c, event) {
        const log = await c.emitAck("outgoing-log");
        return log.filter((e) => e.event === event).map((e) => [e.by, e.args[0]]);
    }

    test("every watching socket a broadcast reaches, once", T(), async () => {
        server = await startServer("parity");
        const all = await Promise.all(Array.from({ length: 4 }, () => connect(server, { nsp: NSP })));
        const [watcherA, watcherB, bystander, from] = all;
        for (const w of [watcherA, watcherB]) assert.equal(await w.emitAck("watch"), true);

        await from.emitAck("send", { to: "all", event: "news" });
        for (const c of all) await c.waitFor("news");
        for (const w of [watcherA, watcherB]) assert.deepEqual(await logged(w, "news"), [["w", 1]]);
        assert.deepEqual(await bystander.emitAck("outgoing-log"), []);

        // socket.broadcast: everyone but the sender, so the sender's listener sees nothing.
        await watcherA.emitAck("send", { to: "others", event: "others" });
        await watcherB.waitFor("others");
        assert.deepEqual(await logged(watcherB, "others"), [["w", 1]]);
        assert.deepEqual(await logged(watcherA, "others"), []);

        const room = `r-${crypto.randomUUID()}`;
        assert.equal(await watcherA.emitAck("join", room), true);
        await from.emitAck("send", { to: "room", event: "in-room", room });
        await watcherA.waitFor("in-room");
        assert.deepEqual(await logged(watcherA, "in-room"), [["w", 1]]);
        assert.deepEqual(await logged(watcherB, "in-room"), []);
    });

    test("a broadcast with acks calls them too", T(), async () => {
        server = await startServer("parity");
        const watcher = await connect(server, { nsp: NSP });
        const from = await connect(server, { nsp: NSP });
        for (const c of [watcher, from]) c.socket.on("ping-all", (ack) => ack("pong"));
        assert.equal(await watcher.emitAck("watch"), true);
        assert.equal(await from.emitAck("send-with-ack", "ping-all"), 2);
        assert.deepEqual(await logged(watcher, "ping-all"), [["w", undefined]]);
    });

    test("with connection state recovery, a socket's own emit calls them once", T(), async () => {
        server = await startServer("parity", { args: ["--recovery"] });
        const watcher = await connect(server, { nsp: NSP });
        assert.equal(await watcher.emitAck("watch"), true);
        await watcher.emitAck("send", { to: "self", event: "mine" });
        await watcher.waitFor("mine");
        assert.deepEqual(await logged(watcher, "mine"), [["w", 1]]);
        await watcher.emitAck("send", { to: "all", event: "everyone" });
        await watcher.waitFor("everyone");
        assert.deepEqual(await logged(watcher, "everyone"), [["w", 1]]);
    });
});
