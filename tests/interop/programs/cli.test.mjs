// Every program of the project says what it accepts (issue 10, §7): `--help` prints its usage on
// stdout and exits 0; an unknown flag, a flag without its value, or a value that does not parse
// is a message on stderr naming the flag and exit status 2 — before anything listens, so each
// run here must end by itself (a program that starts serving instead is killed at the deadline
// and the case fails).
//
// Programs: SIO_PROGRAMS (comma-separated target names) and SIO_PROGRAM_<NAME> for each (ctest
// sets both, see CMakeLists.txt). By hand: `node --test tests/interop/programs/` uses build/.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import process from "node:process";
import { after, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");

const FALLBACK = {
    "sio-server": "build/apps/sio-server/sio-server",
    chat_server: "build/apps/chat/chat_server",
    bench_server: "build/apps/bench_server/bench_server",
    conformance_server: "build/apps/conformance/conformance_server",
    feed_example: "build/apps/feed_example/feed_example",
    engine_echo: "build/apps/demo/engine_echo",
    "sio-bench": "build/bench/sio-bench",
    "eio-bench": "build/bench/eio-bench",
    "feed-latency": "build/bench/feed-latency",
};

// The bad command lines of each program, beyond the --bogus and --help every one gets. `flag`
// must appear in the message. Positional words first where the program needs them (sio-bench's
// scenario), so that the flag, not a missing scenario, is what is wrong.
const CASES = {
    "sio-server": [
        { argv: ["--port", "abc"], flag: "--port" },
        { argv: ["--port", "70000"], flag: "--port" },
        { argv: ["--port", "-1"], flag: "--port" },
        { argv: ["--port"], flag: "--port" },
        { argv: ["--threads", "two"], flag: "--threads" },
        { argv: ["--retain", "10k"], flag: "--retain" },
        { argv: ["--db"], flag: "--db" },
        { argv: ["--db", "--port", "0"], flag: "--db" },
        { argv: ["--db", "mysql://root@127.0.0.1:3306/app", "--port", "0"], flag: "mysql" },
        { argv: ["--admin", "--port", "0"], flag: "--admin" },
    ],
    chat_server: [
        { argv: ["--port", "abc"], flag: "--port" },
        { argv: ["--port", "3000x"], flag: "--port" },
        { argv: ["--port"], flag: "--port" },
        { argv: ["--parser", "msgpack", "--port", "0"], flag: "--parser" },
        { argv: ["--parser", "json", "--port", "0"], flag: "--parser" },
        { argv: ["--redis", "redis://127.0.0.1:6379", "--port", "0"], flag: "--redis" },
        { argv: ["--allow-eio3", "--port", "0"], flag: "--allow-eio3" },
        { argv: ["--threads", "two", "--port", "0"], flag: "--threads" },
    ],
    bench_server: [
        { argv: ["--port", "abc"], flag: "--port" },
        { argv: ["--port", "65536"], flag: "--port" },
        { argv: ["--threads", "-2", "--port", "0"], flag: "--threads" },
        { argv: ["--threads"], flag: "--threads" },
        { argv: ["--redis", "redis://127.0.0.1:6379", "--port", "0"], flag: "--redis" },
    ],
    conformance_server: [
        { argv: ["--port", "abc"], flag: "--port" },
        { argv: ["--ping-interval-ms", "soon", "--port", "0"], flag: "--ping-interval-ms" },
        { argv: ["--max-connections", "1.5", "--port", "0"], flag: "--max-connections" },
        { argv: ["--require-header"], flag: "--require-header" },
        { argv: ["--tls-cert", "cert.pem", "--port", "0"], flag: "--tls-key" },
        { argv: ["--tls-cert", "missing.pem", "--tls-key", "missing.pem", "--port", "0"], flag: "--tls-cert" },
    ],
    feed_example: [
        { argv: ["--port", "abc"], flag: "--port" },
        { argv: ["--db"], flag: "--db" },
        { argv: ["--db", "no-orders.db", "--port", "0"], flag: "--db" },
    ],
    engine_echo: [
        { argv: ["--port", "abc"], flag: "--port" },
        { argv: ["--client-js"], flag: "--client-js" },
    ],
    "sio-bench": [
        { argv: ["echo", "--connections", "abc"], flag: "--connections" },
        { argv: ["echo", "--duration"], flag: "--duration" },
        { argv: ["echo", "--url", "http://127.0.0.1:port"], flag: "--url" },
        { argv: ["echo", "--url", "ws://127.0.0.1:3000"], flag: "--url" },
        { argv: ["no-such-scenario", "--url", "http://127.0.0.1:1"], flag: "no-such-scenario" },
        { argv: ["--url", "http://127.0.0.1:1"], flag: "scenario" },
    ],
    "eio-bench": [
        { argv: ["--connections", "abc"], flag: "--connections" },
        { argv: ["--url"], flag: "--url" },
        { argv: ["--url", "http://127.0.0.1:99999"], flag: "--url" },
    ],
    "feed-latency": [
        { argv: ["--clients", "many"], flag: "--clients" },
        { argv: ["--clients", "0"], flag: "--clients" },
        { argv: ["--url", "http://127.0.0.1:abc"], flag: "--url" },
        { argv: ["--duration"], flag: "--duration" },
    ],
};

// Generous: the programs answer in milliseconds, but the machine may be loaded. Reaching it is
// a failure (the program went on to serve or to connect), never a pass.
const DEADLINE_MS = 30000;

function programs() {
    const names = (process.env.SIO_PROGRAMS ?? Object.keys(FALLBACK).join(","))
        .split(",")
        .filter(Boolean);
    return names.map((name) => {
        const env = `SIO_PROGRAM_${name.toUpperCase().replaceAll("-", "_")}`;
        const file = process.env[env] || path.join(repoRoot, FALLBACK[name] ?? "");
        return { name, file };
    });
}

// A scratch working directory, so that a program that defaults to a database file in its
// working directory (sio-server's app.db, feed_example's shop.db) never writes into the tree.
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "sio-cli-"));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** Runs `file argv...` to its end; resolves {code, signal, stdout, stderr, timedOut}. */
function run(file, argv) {
    return new Promise((resolve, reject) => {
        const child = spawn(file, argv, { cwd: scratch, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        let timedOut = false;
        child.stdout.setEncoding("utf8").on("data", (d) => (stdout += d));
        child.stderr.setEncoding("utf8").on("data", (d) => (stderr += d));
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill("SIGKILL");
        }, DEADLINE_MS);
        child.on("error", (err) => {
            clearTimeout(timer);
            reject(err);
        });
        child.on("close", (code, signal) => {
            clearTimeout(timer);
            resolve({ code, signal, stdout, stderr, timedOut });
        });
    });
}

function describeRun(r) {
    return `exit ${r.code} signal ${r.signal}${r.timedOut ? " (killed at the deadline)" : ""}\n` +
        `stdout: ${r.stdout}\nstderr: ${r.stderr}`;
}

function assertRefused(r, flag) {
    assert.equal(r.timedOut, false, `did not exit by itself: ${describeRun(r)}`);
    assert.equal(r.code, 2, describeRun(r));
    assert.ok(r.stderr.includes(flag), `stderr does not name ${flag}: ${describeRun(r)}`);
    assert.doesNotMatch(r.stdout, /listening/, describeRun(r));
}

for (const { name, file } of programs()) {
    describe(name, () => {
        test("the program is built", () => {
            assert.ok(fs.existsSync(file), `${file} missing (build it, or set SIO_PROGRAM_*)`);
        });

        test("--help prints the usage on stdout and exits 0", async () => {
            const r = await run(file, ["--help"]);
            assert.equal(r.timedOut, false, describeRun(r));
            assert.equal(r.code, 0, describeRun(r));
            assert.match(r.stdout, new RegExp(`^usage: ${name} `), describeRun(r));
            assert.equal(r.stderr, "", describeRun(r));
        });

        test("an unknown flag exits 2 naming it", async () => {
            assertRefused(await run(file, ["--bogus", "--port", "0"]), "--bogus");
        });

        for (const { argv, flag } of CASES[name] ?? []) {
            test(`${argv.join(" ")} exits 2 naming ${flag}`, async () => {
                assertRefused(await run(file, argv), flag);
            });
        }
    });
}
