// The part of a tenant's scheduled run that needs no new export, each as its policy rule allows:
// leavers whose stored termination date passed are deactivated, and starters whose start date
// arrived are invited in hubs whose source gave no snapshot this run. Days are the tenant's own
// (its time zone). Each pass is isolated: a failure is logged on a sync run and the next goes on.
import type { TenantSettings } from "../../db/schema.ts";
import { listHubs } from "../store/tenants.ts";
import type { ApplyContext } from "./apply.ts";
import { offboardLeavers } from "./leavers.ts";
import { scheduledRulesOf } from "./policy.ts";
import { recordFailedRun } from "./run-log.ts";
import { errorSentence } from "./source-error.ts";
import { inviteStarters } from "./starters.ts";
import { isoDateInZone } from "./wall-clock.ts";

export async function runTimeBasedWork(
  ctx: ApplyContext,
  tenant: { id: string; settings: TenantSettings },
  snapshotted: ReadonlySet<string>,
): Promise<{ leaverPlans: number; starterPlans: number }> {
  const done = { leaverPlans: 0, starterPlans: 0 };
  const rules = new Set(scheduledRulesOf(tenant.settings));
  const today = isoDateInZone(ctx.now, tenant.settings.timeZone);
  if (rules.has("leavers")) {
    await isolated(ctx, tenant.id, null, async () => {
      done.leaverPlans = (await offboardLeavers(ctx, tenant.id, today)).length;
    });
  }
  if (!rules.has("starters")) return done;
  const hubs = (await listHubs(ctx.db, tenant.id)).map((h) => h.id);
  for (const hubId of hubs.filter((h) => !snapshotted.has(h))) {
    await isolated(ctx, tenant.id, hubId, async () => {
      if (await inviteStarters(ctx, tenant.id, hubId, today)) done.starterPlans += 1;
    });
  }
  return done;
}

async function isolated(
  ctx: ApplyContext,
  tenantId: string,
  hubId: string | null,
  work: () => Promise<void>,
) {
  try {
    await work();
  } catch (error) {
    await recordFailedRun(ctx.db, { tenantId, hubId, error: errorSentence(error), startedAt: ctx.now });
  }
}
