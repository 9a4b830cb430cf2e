// Spawns the server under test and stops it by PID.
//
// SIO_SERVER_CMD is a command line: the path to conformance_server, or
// "node bench/node/engine_echo_server.mjs" for the Node twin. Unset, the Node twin is used.
// SIO_REFERENCE=node says the server is Node's; tests of behaviour that only our server adds
// skip themselves then (see `onlyOurs`).
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

import { spawnServer, stopAndCheck, threadArgs } from "../../support/process.mjs";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const twinScript = path.join(repoRoot, "bench/node/engine_echo_server.mjs");

/** True when the server under test is the Node reference (explicitly, or by default). */
export const isNodeReference =
    process.env.SIO_REFERENCE === "node" || !process.env.SIO_SERVER_CMD;

/**
 * Server flags for files that test something other than heartbeats: the conformance settings
 * (ping every 300 ms, 200 ms to answer) would let CPU contention on a shared 2-core machine drop
 * a client mid-test.
 */
export const RELAXED_HEARTBEAT = ["--ping-interval-ms", "2000", "--ping-timeout-ms", "5000"];

/**
 * The conformance pingInterval (300 ms, so heartbeats are frequent) with a pingTimeout that a
 * loaded machine can meet: with 200 ms, a client whose process is not scheduled in time to pong
 * is dropped mid-test. For files that exercise transports and the upgrade, not the deadline.
 */
export const PATIENT_PING_TIMEOUT_MS = 3000;
export const PATIENT_HEARTBEAT = ["--ping-interval-ms", "300", "--ping-timeout-ms", String(PATIENT_PING_TIMEOUT_MS)];

/** Skip option for node:test: skips, with a reason, behaviour that Node's engine.io lacks. */
export function onlyOurs(reason) {
    return isNodeReference ? `Node's engine.io lacks this behaviour: ${reason}` : false;
}

/** Splits a command line on blanks, honouring '...' and "..." quotes (no other shell syntax). */
export function splitCommand(line) {
    const words = [];
    let word = null;
    let quote = null;
    for (const ch of line) {
        if (quote) {
            if (ch === quote) quote = null;
            else word += ch;
        } else if (ch === "'" || ch === '"') {
            quote = ch;
            word ??= "";
        } else if (/\s/.test(ch)) {
            if (word !== null) words.push(word);
            word = null;
        } else {
            word = (word ?? "") + ch;
        }
    }
    if (quote) throw new Error(`unbalanced ${quote} in SIO_SERVER_CMD: ${line}`);
    if (word !== null) words.push(word);
    return words;
}

function serverCommand() {
    const line = process.env.SIO_SERVER_CMD;
    if (!line || !line.trim()) return [process.execPath, twinScript];
    return splitCommand(line);
}

const LISTENING = /^listening on 127\.0\.0\.1:(\d+)\s*$/;

/**
 * The handle the interop tests use, made from spawnServer's (../../support/process.mjs):
 * {port, host, url, pid, exited, output(), stop()} where `exited` is null while the server runs,
 * then {code, signal}. stopAndCheck applies to it.
 */
function interopHandle(server) {
    return {
        port: server.port,
        host: "127.0.0.1",
        url: `http://127.0.0.1:${server.port}`,
        pid: server.pid,
        name: server.name,
        graceMs: server.graceMs,
        /** null while running, else {code, signal}. */
        get exited() {
            return server.status;
        },
        output: server.output,
        stop: () => server.stop(),
    };
}

/**
 * Starts `command` ([file, ...args]) with `--port 0` plus `extraArgs`, waits (15 s at most) for its
 * "listening on 127.0.0.1:<port>" line and returns {port, url, host, pid, exited, output(),
 * stop()} (see interopHandle). stop() sends SIGTERM, then SIGKILL after 3 s, and resolves to
 * {code, signal, killed, diedEarly} — diedEarly is set when the process had exited before stop()
 * was called.
 */
export async function startCommand(command, extraArgs = [], { startTimeoutMs = 15000 } = {}) {
    return interopHandle(await spawnServer(command, {
        extraArgs,
        listening: LISTENING,
        startTimeoutMs,
        graceMs: 3000,
        cwd: repoRoot,
        name: "server",
    }));
}

/**
 * Starts the server under test (SIO_SERVER_CMD) as startCommand does, with `--threads N` first
 * when SIO_THREADS is set and the server is ours (see threadArgs).
 */
export async function startServer(extraArgs = [], { startTimeoutMs = 15000 } = {}) {
    const threads = isNodeReference ? [] : threadArgs();
    return startCommand(serverCommand(), [...threads, ...extraArgs], { startTimeoutMs });
}

/**
 * Stops the server and fails if it had died on its own, needed SIGKILL, or exited with an error
 * (a sanitizer report makes the exit code non-zero; death by the SIGTERM itself is fine). For
 * node:test `after` hooks.
 */
export { stopAndCheck };
