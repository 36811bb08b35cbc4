// Generations of a tenant's event signing secret. Only the generation number is stored; the
// secret is derived from it (derived-secrets.ts). Rotating keeps the previous generation valid for
// a grace period, so the HRIS can be switched over without dropping events.
import type { Db } from "../../db/client.ts";
import type { eventSecrets } from "../../db/schema.ts";

export interface SecretGenerations {
  current: number;
  /** The previous generation, while it is still accepted. */
  previous: number | null;
}

export async function rotateEventSecret(
  db: Db,
  tenantId: string,
  keepPreviousForHours: number,
  now: Date,
): Promise<{ generation: number; previousValidUntil: string | null }> {
  const until =
    keepPreviousForHours > 0
      ? new Date(now.getTime() + keepPreviousForHours * 3_600_000).toISOString()
      : null;
  // One statement: two rotations at once give two generations, never the same one twice.
  const result = await db.$client.execute({
    sql: `INSERT INTO event_secrets (tenant_id, generation, previous_valid_until, rotated_at) VALUES (?, 1, NULL, ?)
          ON CONFLICT (tenant_id) DO UPDATE SET generation = generation + 1, previous_valid_until = ?, rotated_at = ?
          RETURNING generation, previous_valid_until`,
    args: [tenantId, now.toISOString(), until, now.toISOString()],
  });
  const row = result.rows[0];
  return {
    generation: Number(row?.generation),
    previousValidUntil: (row?.previous_valid_until as string | null | undefined) ?? null,
  };
}

/** The generations that verify now; null when the tenant has never created an event secret. */
export function generationsOf(
  row: Pick<typeof eventSecrets.$inferSelect, "generation" | "previousValidUntil"> | null,
  now: Date,
): SecretGenerations | null {
  if (!row) return null;
  const previousValid =
    row.generation > 1 && row.previousValidUntil !== null && row.previousValidUntil > now.toISOString();
  return { current: row.generation, previous: previousValid ? row.generation - 1 : null };
}
