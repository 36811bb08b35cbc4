// The real stack (sqld + the worker under wrangler dev) run from a worker thread. The add-on's fake
// UrlFetchApp blocks the test's thread while each request is answered (Apps Script's fetch is
// synchronous); the stack's child processes write logs into pipes their parent must keep reading, so
// their parent must be a thread that is not blocked, or a long run fills a pipe and stalls the stack.
import { parentPort, Worker, workerData } from "node:worker_threads";
import { startStack } from "../helpers/stack.ts";
import { newTenant, type Tenant } from "./tenants.ts";

export interface ThreadStack {
  url: string;
  /** A tenant of its own with a hub and an admin key. */
  newTenant(name: string): Promise<Tenant>;
  stop(): Promise<void>;
}

// Marks the thread this module starts; vitest may itself run test files in worker threads.
const STACK_THREAD = "profileSyncStackThread";

type Request = { id: number; kind: "tenant"; name: string } | { id: number; kind: "stop" };
type Reply = { id: number; tenant?: Tenant; error?: string };

export async function startThreadStack(): Promise<ThreadStack> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { [STACK_THREAD]: true } });
  const url = await new Promise<string>((resolve, reject) => {
    worker.once("message", (message: { url?: string; error?: string }) =>
      message.url ? resolve(message.url) : reject(new Error(message.error)),
    );
    worker.once("error", reject);
  });
  let next = 0;
  const ask = (request: { kind: "tenant"; name: string } | { kind: "stop" }) =>
    new Promise<Reply>((resolve, reject) => {
      const id = ++next;
      const onMessage = (reply: Reply) => {
        if (reply.id !== id) return;
        worker.off("message", onMessage);
        if (reply.error) reject(new Error(reply.error));
        else resolve(reply);
      };
      worker.on("message", onMessage);
      worker.postMessage({ ...request, id });
    });
  return {
    url,
    newTenant: async (name) => {
      const reply = await ask({ kind: "tenant", name });
      if (!reply.tenant) throw new Error("The stack thread made no tenant.");
      return reply.tenant;
    },
    stop: async () => {
      await ask({ kind: "stop" });
      await worker.terminate();
    },
  };
}

async function serve(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  let stack: Awaited<ReturnType<typeof startStack>>;
  try {
    stack = await startStack();
  } catch (error) {
    port.postMessage({ error: String(error) });
    return;
  }
  port.postMessage({ url: stack.url });
  port.on("message", async (request: Request) => {
    try {
      if (request.kind === "stop") {
        await stack.stop();
        port.postMessage({ id: request.id });
      } else {
        port.postMessage({ id: request.id, tenant: await newTenant(stack.db, request.name) });
      }
    } catch (error) {
      port.postMessage({ id: request.id, error: String(error) });
    }
  });
}

if ((workerData as Record<string, unknown> | null)?.[STACK_THREAD] === true) await serve();
