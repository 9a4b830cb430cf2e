// fetch_sockets entries as socket.io 4.8's RemoteSocket: the socket's handshake (headers, time,
// address, xdomain, secure, issued, url, query, auth), and emit / join / leave / disconnect that
// reach the socket through the adapter.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { closeAll, connect, MODES, skipUnless, startServer, stopAndCheck, T } from "./support.mjs";

describe("RemoteSocket", { skip: skipUnless("parity") }, () => {
    let server;
    before(async () => {
        server = await startServer("parity");
    });
    after(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`a fetched socket has Node's handshake (${mode})`, T(), async () => {
            const asker = await connect(server, opts);
            const before = Date.now();
            const target = await connect(server, {
                ...opts,
                auth: { token: "t-1" },
                query: { room: "lobby" },
                extraHeaders: { "x-parity": "yes" },
            });
            const info = await asker.emitAck("remote", { op: "info", id: target.id });
            assert.equal(info.id, target.id);
            assert.deepEqual(info.rooms, [target.id]);
            const hs = info.handshake;
            assert.deepEqual(
                Object.keys(hs).sort(),
                ["address", "auth", "headers", "issued", "query", "secure", "time", "url", "xdomain"]);
            assert.deepEqual(hs.auth, { token: "t-1" });
            assert.equal(hs.query.room, "lobby");
            assert.equal(hs.query.EIO, "4");
            assert.equal(hs.headers["x-parity"], "yes");
            assert.equal(hs.headers.host, `127.0.0.1:${server.port}`);
            assert.match(hs.address, /127\.0\.0\.1$/);
            assert.equal(hs.secure, false);
            assert.equal(hs.xdomain, false);
            assert.equal(typeof hs.issued, "number");
            assert.ok(hs.issued >= before - 1000 && hs.issued <= Date.now() + 1000, String(hs.issued));
            assert.equal(new Date(hs.time).getTime(), Math.floor(hs.issued / 1000) * 1000, hs.time);
            assert.match(hs.url, /^\/socket\.io\/\?.*EIO=4/);
        });
    }

    test("emit, join, leave and disconnect reach the socket", T(), async () => {
        const asker = await connect(server);
        const target = await connect(server, MODES.websocket);
        const remote = (op, more = {}) => asker.emitAck("remote", { op, id: target.id, ...more });

        assert.equal(await remote("emit"), true);
        assert.deepEqual(await target.waitFor("remote-hello"), [[1]]);

        assert.equal(await remote("join", { room: "blue" }), true);
        assert.deepEqual((await remote("info")).rooms.sort(), [target.id, "blue"].sort());
        assert.equal(await remote("leave", { room: "blue" }), true);
        assert.deepEqual((await remote("info")).rooms, [target.id]);

        const gone = target.nextDisconnect();
        assert.equal(await remote("disconnect"), true);
        assert.deepEqual((await gone)[0], "io server disconnect");
        assert.equal(await remote("info"), null);
    });
});
