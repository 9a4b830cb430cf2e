// ctest fixture: makes sure node_modules holds what package-lock.json pins (runs `npm ci` if
// not), so that the interop tests never run against missing or stale npm packages.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const lock = JSON.parse(fs.readFileSync(path.join(root, "package-lock.json"), "utf8"));

function stale() {
    for (const [where, entry] of Object.entries(lock.packages ?? {})) {
        if (!where.startsWith("node_modules/") || entry.optional) continue;
        const manifest = path.join(root, where, "package.json");
        if (!fs.existsSync(manifest)) return `${where} is missing`;
        const { version } = JSON.parse(fs.readFileSync(manifest, "utf8"));
        if (version !== entry.version) return `${where} is ${version}, the lockfile pins ${entry.version}`;
    }
    return null;
}

const why = stale();
if (why === null) {
    console.log("node_modules matches package-lock.json");
    process.exit(0);
}
console.log(`${why}: running npm ci`);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";
const r = spawnSync(npm, ["ci", "--no-audit", "--no-fund"], { cwd: root, stdio: "inherit" });
if (r.status !== 0) {
    console.error(`npm ci failed (status ${r.status}${r.error ? `, ${r.error.message}` : ""})`);
    process.exit(1);
}
const still = stale();
if (still) {
    console.error(`after npm ci: ${still}`);
    process.exit(1);
}
