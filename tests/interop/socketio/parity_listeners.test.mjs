// Removing one listener, as socket.io 4.8's Socket: off(event, listener) leaves the event's other
// handlers, prependAny runs first, offAny / offAnyOutgoing remove one listener or all of them.
// Each step is followed by an acked event: its ack comes after whatever the step made the server
// send, so "nothing more arrived" is checked against that marker, not a delay.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";

import { closeAll, connect, MODES, skipUnless, startServer, stopAndCheck, T } from "./support.mjs";

describe("listeners", { skip: skipUnless("parity") }, () => {
    let server;
    before(async () => {
        server = await startServer("parity");
    });
    after(async () => {
        closeAll();
        await stopAndCheck(server);
    });

    /** Emits `event` then an acked marker; returns what `of` arrived between the two. */
    async function between(c, event, of, ...args) {
        const from = c.events.length;
        c.socket.emit(event, ...args);
        await c.emitAck("off-tick", "none"); // a no-op, acked after `event`'s effects
        return c.events.slice(from).filter((e) => e.event === of).map((e) => e.args);
    }

    for (const [mode, opts] of Object.entries(MODES)) {
        test(`off(event, id) removes that handler only (${mode})`, T(), async () => {
            const c = await connect(server, { ...opts, nsp: "/listeners" });
            assert.deepEqual(await between(c, "tick", "got"), [["a"], ["b"], ["c"]]);
            assert.deepEqual(await between(c, "tick", "got"), [["a"], ["b"]], "once ran once");
            assert.equal(await c.emitAck("off-tick", "a"), true);
            assert.deepEqual(await between(c, "tick", "got"), [["b"]]);
            assert.equal(await c.emitAck("off-tick", "a"), true); // already gone: nothing
            assert.deepEqual(await between(c, "tick", "got"), [["b"]]);
            assert.equal(await c.emitAck("off-tick", "all"), true);
            assert.deepEqual(await between(c, "tick", "got"), []);
        });

        test(`prepend_any runs first; off_any removes one or all (${mode})`, T(), async () => {
            const c = await connect(server, { ...opts, nsp: "/listeners" });
            const probe = async () =>
                (await between(c, "probe", "any")).filter(([, ev]) => ev === "probe");
            assert.deepEqual(await probe(), [["p", "probe"], ["x", "probe"], ["y", "probe"]]);
            assert.equal(await c.emitAck("off-any", "x"), true);
            assert.deepEqual(await probe(), [["p", "probe"], ["y", "probe"]]);
            assert.equal(await c.emitAck("off-any", "all"), true);
            assert.deepEqual(await probe(), []);
        });

        test(`prepend_any_outgoing runs first; off_any_outgoing removes one or all (${mode})`,
            T(), async () => {
                const c = await connect(server, { ...opts, nsp: "/listeners" });
                const said = async () => {
                    await c.emitAck("say");
                    const log = await c.emitAck("outgoing-log");
                    return log.filter((e) => e.event === "said");
                };
                assert.deepEqual(await said(), [
                    { by: "o0", event: "said", args: [1] },
                    { by: "o1", event: "said", args: [1] },
                ]);
                assert.equal(await c.emitAck("off-outgoing", "o1"), true);
                assert.deepEqual(await said(), [{ by: "o0", event: "said", args: [1] }]);
                assert.equal(await c.emitAck("off-outgoing", "all"), true);
                assert.deepEqual(await said(), []);
            });
    }
});
