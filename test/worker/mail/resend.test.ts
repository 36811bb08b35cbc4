// The Resend transport against a local HTTP server that answers like Resend (127.0.0.1 only).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MailRejected, resendTransport } from "../../../worker/mail/resend.ts";
import { transportFor } from "../../../worker/mail/transport.ts";

interface Received {
  headers: IncomingMessage["headers"];
  body: Record<string, unknown>;
}

let server: Server;
let baseUrl: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let data = "";
    request.on("data", (chunk) => {
      data += chunk;
    });
    request.on("end", () => {
      const body = JSON.parse(data) as Record<string, unknown>;
      received.push({ headers: request.headers, body });
      const [to] = body.to as string[];
      response.setHeader("content-type", "application/json");
      if (request.headers.authorization !== "Bearer re_test") {
        response.statusCode = 401;
        response.end(JSON.stringify({ name: "missing_api_key", message: "API key is invalid" }));
      } else if (to === "bad@acme.test") {
        response.statusCode = 422;
        response.end(JSON.stringify({ name: "validation_error", message: "Invalid `to` field." }));
      } else {
        response.end(JSON.stringify({ id: `re_${received.length}` }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const message = { id: "outbox-1", to: "ada@acme.test", subject: "Hi", text: "text", html: "<p>html</p>" };

describe("resendTransport", () => {
  it("posts the message with the outbox id as idempotency key and returns the provider's id", async () => {
    const transport = resendTransport({ apiKey: "re_test", from: "Acme <people@acme.test>", baseUrl });
    const result = await transport.send(message);
    expect(result.id).toMatch(/^re_\d+$/);
    const last = received.at(-1);
    expect(last?.headers["idempotency-key"]).toBe("outbox-1");
    expect(last?.body).toEqual({
      from: "Acme <people@acme.test>",
      to: ["ada@acme.test"],
      subject: "Hi",
      text: "text",
      html: "<p>html</p>",
    });
  });

  it("turns a refusal into MailRejected with the status and the provider's words", async () => {
    const transport = resendTransport({ apiKey: "re_test", from: "a@acme.test", baseUrl });
    const error = await transport.send({ ...message, to: "bad@acme.test" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailRejected);
    expect(error).toMatchObject({ status: 422, message: "Invalid `to` field." });
  });
});

describe("transportFor", () => {
  it("uses Resend when a key is configured, else the local outbox", async () => {
    expect(transportFor({}).name).toBe("outbox");
    const transport = transportFor({
      RESEND_API_KEY: "re_test",
      MAIL_FROM: "a@acme.test",
      RESEND_API_URL: baseUrl,
    });
    expect(transport.name).toBe("resend");
    await expect(transport.send(message)).resolves.toMatchObject({ id: expect.stringMatching(/^re_/) });
  });
});
