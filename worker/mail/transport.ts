// One small interface between the outbox and whoever delivers mail. The outbox table is the queue
// (rows written in the same batch as the change that causes them); a transport only hands a
// message over. Which one runs is configuration: Resend when RESEND_API_KEY is set, else the
// local outbox, where messages stay readable (GET /v1/outbox in development).
import type { Env } from "../env.ts";
import { outboxTransport } from "./outbox.ts";
import { resendTransport } from "./resend.ts";

export interface MailMessage {
  /** The outbox row's id: a provider uses it as its idempotency key, so a retry never mails twice. */
  id: string;
  to: string;
  subject: string;
  text: string;
  html: string;
}

export interface MailTransport {
  readonly name: string;
  send(message: MailMessage): Promise<{ id: string }>;
}

export function transportFor(
  env: Pick<Env, "RESEND_API_KEY" | "MAIL_FROM" | "RESEND_API_URL">,
): MailTransport {
  if (!env.RESEND_API_KEY) return outboxTransport;
  return resendTransport({
    apiKey: env.RESEND_API_KEY,
    from: env.MAIL_FROM ?? "profile-sync <onboarding@resend.dev>",
    baseUrl: env.RESEND_API_URL,
  });
}
