// Where an identity provider's userName is kept when it is not the member's email (Entra sends the
// UPN, which often differs). Not a member field: no plan writes it; it is stored beside the member,
// audited, and unique per tenant case-insensitively.
import type { Db } from "../../db/client.ts";
import { normaliseEmail } from "../engine/mapping.ts";
import { type Actor, auditStatement } from "../store/audit.ts";
import { foldUserName } from "./directory.ts";
import { ScimError } from "./errors.ts";

export async function saveUserName(
  db: Db,
  change: { tenantId: string; memberId: string; userName: string; email: string; before: string | null },
  actor: Actor,
  now: Date,
): Promise<void> {
  const { tenantId, memberId } = change;
  const folded = foldUserName(change.userName);
  const isEmail = folded === normaliseEmail(change.email);
  const at = now.toISOString();
  const write = isEmail
    ? { sql: "DELETE FROM scim_user_names WHERE tenant_id = ? AND member_id = ?", args: [tenantId, memberId] }
    : {
        sql: `INSERT INTO scim_user_names (tenant_id, member_id, user_name, folded, updated_at) VALUES (?, ?, ?, ?, ?)
              ON CONFLICT (tenant_id, member_id) DO UPDATE SET user_name = excluded.user_name,
                folded = excluded.folded, updated_at = excluded.updated_at`,
        args: [tenantId, memberId, change.userName.trim(), folded, at],
      };
  if (isEmail && change.before === null) return;
  try {
    await db.$client.batch(
      [
        // A purged member's name is free again, whether or not the database cascades deletes.
        {
          sql: `DELETE FROM scim_user_names WHERE tenant_id = ? AND folded = ?
                AND member_id NOT IN (SELECT id FROM members WHERE tenant_id = ?)`,
          args: [tenantId, folded, tenantId],
        },
        write,
        auditStatement(
          {
            tenantId,
            actor,
            actionId: null,
            memberId,
            change: "scim_user_name",
            before: { userName: change.before },
            after: { userName: isEmail ? null : change.userName.trim() },
            at,
          },
          "1",
          [],
        ),
      ],
      "write",
    );
  } catch (error) {
    if (/UNIQUE constraint failed/i.test(String((error as Error).message))) {
      throw new ScimError(409, "uniqueness", `Another user already has the userName "${change.userName}".`);
    }
    throw error;
  }
}
