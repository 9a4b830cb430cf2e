// Completion tokens that honour their executor (issue 10, section 4): socketio_guard_server's
// "/exec" asks the client a question with emit_with_ack under each kind of token, and reports
// whether the completion ran where the token said: a coroutine's io_context (use_awaitable), a
// strand (use_awaitable in a coroutine on it), bind_executor, use_future, and a broadcast's
// emit_with_ack awaited on another io_context. npm socket.io-client answers each ack. Before
// the fix, every completion but use_future's ran on the socket's shard.
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";
import { after, afterEach, before, describe, test } from "node:test";

import { closeAll, connect, MODES, stopAndCheck, T } from "./support.mjs";
import { startCommand } from "../support/server.mjs";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

function guardServerCommand() {
    const line = process.env.SIO_GUARD_SERVER;
    if (line && line.trim()) return [line];
    const p = path.join(repoRoot, "build/tests/support/socketio_guard_server");
    return fs.existsSync(p) ? [p] : null;
}

const SKIP = guardServerCommand() ? false : "SIO_GUARD_SERVER is not set and no build/ binary";

describe("emit_with_ack completions run on their token's executor", { skip: SKIP }, () => {
    let server;
    before(async () => {
        server = await startCommand(guardServerCommand(), ["--threads", "2"]);
    });
    after(async () => {
        await stopAndCheck(server);
    });
    afterEach(() => {
        closeAll();
    });

    for (const [transport, opts] of Object.entries(MODES)) {
        for (const mode of ["io_context", "strand", "bind_executor", "use_future", "broadcast"]) {
            test(`${mode} (${transport})`, T(), async () => {
                const c = await connect(server, { nsp: "/exec", ...opts });
                let asked = 0;
                c.socket.on("question", (cb) => {
                    asked += 1;
                    cb("answer", asked);
                });
                const result = await c.emitAck("ack-on", mode);
                assert.deepEqual(result, {
                    ok: true,
                    error: "",
                    on_expected: true,
                    reply: ["answer", 1],
                });
                c.close();
            });
        }
    }
});
