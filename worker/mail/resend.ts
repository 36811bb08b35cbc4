// Resend (https://resend.com/docs/api-reference/emails/send-email) over fetch: one POST per message.
// The outbox row id goes as Resend's Idempotency-Key, so a delivery retried after a crash between
// "sent" and "marked sent" is not mailed twice.
import type { MailTransport } from "./transport.ts";

export interface ResendOptions {
  apiKey: string;
  from: string;
  /** Defaults to https://api.resend.com; tests point it at a local server. */
  baseUrl?: string;
}

export class MailRejected extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.name = "MailRejected";
    this.status = status;
  }
}

export function resendTransport(options: ResendOptions): MailTransport {
  const endpoint = `${(options.baseUrl ?? "https://api.resend.com").replace(/\/$/, "")}/emails`;
  return {
    name: "resend",
    send: async (message) => {
      const response = await fetch(endpoint, {
        method: "POST",
        headers: {
          authorization: `Bearer ${options.apiKey}`,
          "content-type": "application/json",
          "idempotency-key": message.id,
        },
        body: JSON.stringify({
          from: options.from,
          to: [message.to],
          subject: message.subject,
          text: message.text,
          html: message.html,
        }),
      });
      const body = (await response.json().catch(() => ({}))) as { id?: string; message?: string };
      if (!response.ok || !body.id) {
        throw new MailRejected(response.status, body.message ?? `Resend answered ${response.status}.`);
      }
      return { id: body.id };
    },
  };
}
