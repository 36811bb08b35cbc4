// Request body limits: imports take files up to what an isolate can plan (import-limits.ts); every other body is a
// small JSON document. Over the limit: 413, from the declared length before anything is read, or
// as soon as a streamed (chunked) body passes the limit.
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "./env.ts";
import { AppError } from "./errors.ts";
import { importLimits, tooLargeUpload } from "./import-limits.ts";

export const JSON_BODY_LIMIT = 1024 * 1024;

export const bodyLimits = createMiddleware<AppEnv>(async (c, next) => {
  const body = c.req.raw.body;
  if (!body) return next();
  const isImport = /^\/v1\/hubs\/[^/]+\/imports$/.test(new URL(c.req.url).pathname);
  const limit = isImport ? importLimits(c.env).bytes : JSON_BODY_LIMIT;
  const tooLarge = (size: number) =>
    isImport
      ? tooLargeUpload(size, limit)
      : new AppError(
          "payload_too_large",
          `The request body is larger than the ${describe(limit)} allowed here.`,
        );
  const declared = c.req.header("content-length");
  if (declared !== undefined && !c.req.raw.headers.has("transfer-encoding")) {
    if (Number(declared) > limit) throw tooLarge(Number(declared));
    return next();
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      // Keep nothing more, but read to the end: a half-read request body leaves the connection
      // (and, under wrangler dev, the worker) unusable. The platform caps a body's size anyway.
      await drain(reader);
      throw tooLarge(size);
    }
    chunks.push(value);
  }
  const whole = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    whole.set(chunk, offset);
    offset += chunk.byteLength;
  }
  c.req.raw = new Request(c.req.raw, { body: whole });
  return next();
});

async function drain(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  for (;;) {
    const { done } = await reader.read();
    if (done) return;
  }
}

function describe(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;
}
