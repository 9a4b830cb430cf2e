// The connect timeout, as socket.io 4.8's Client: an Engine.IO session that has joined no
// namespace connect_timeout after its handshake is closed, whatever CONNECTs it sent — a refused
// one, or one whose middleware never answers. Only a namespace actually joined stops it.
// Raw engine.io-client sockets on /socket.io/ (messages are Socket.IO packets: "0/private," is a
// CONNECT), since socket.io-client's Manager closes the session itself once its last socket is
// refused.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { closed, collectMessages, nextMessage, openClient } from "../support/eio.mjs";
import { skipUnless, startServer, stopAndCheck, T } from "./support.mjs";

// Long enough for a loaded 2-core machine to answer the joining client's CONNECT in time.
const CONNECT_TIMEOUT_MS = 2500;
const TRANSPORTS = ["polling", "websocket"];

describe("connect timeout", { skip: skipUnless("parity") }, () => {
    let server;
    const sockets = [];
    before(async () => {
        server = await startServer("parity", {
            args: ["--connect-timeout-ms", String(CONNECT_TIMEOUT_MS)],
        });
    });
    after(async () => {
        for (const s of sockets) s.close();
        await stopAndCheck(server);
    });

    async function open(transport) {
        const s = await openClient(server, { path: "/socket.io/", transports: [transport] });
        sockets.push(s);
        return s;
    }

    for (const transport of TRANSPORTS) {
        test(`a refused CONNECT does not stop it (${transport})`, T(), async () => {
            const s = await open(transport);
            const gone = closed(s, 10000);
            s.send("0/private,");
            assert.equal(await nextMessage(s), '4/private,{"message":"not allowed"}');
            await gone; // before the fix: the session was kept forever
        });

        test(`a CONNECT still in its middleware does not stop it (${transport})`, T(), async () => {
            const s = await open(transport);
            const gone = closed(s, 10000);
            s.send("0/stall,");
            await gone;
        });

        test(`a joined namespace stops it (${transport})`, T(), async () => {
            const joined = await open(transport);
            joined.send("0");
            assert.match(await nextMessage(joined), /^0\{"sid":"[^"]+"\}$/);
            // Opened after `joined`, so its timeout ends after the one `joined` would have had.
            const refused = await open(transport);
            const gone = closed(refused, 10000);
            refused.send("0/private,");
            await gone;
            const reply = collectMessages(joined, 1);
            joined.send('21["echo","still here"]');
            assert.deepEqual(await reply, ['31["still here"]']);
        });
    }
});
