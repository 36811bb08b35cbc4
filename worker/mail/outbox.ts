// The default transport: the outbox table is the mailbox. "Sending" hands nothing on; the message
// stays in the table, marked sent, for the developer and the demo to read at GET /v1/outbox.
import type { MailTransport } from "./transport.ts";

export const outboxTransport: MailTransport = {
  name: "outbox",
  send: async (message) => ({ id: message.id }),
};
