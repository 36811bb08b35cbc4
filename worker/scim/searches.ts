// GET /Users and /Groups with `filter`, `startIndex`, `count`: matching resources in a stable
// order (creation, then id), so `totalResults` and the pages hold still while nothing changes. A
// User filter on an identity key reads only those rows (narrowing.ts); any other filter is checked
// against every user, which a tenant too large for that answers with tooMany.

import { countUsers, listUserRecords } from "./directory.ts";
import { badRequest } from "./errors.ts";
import { matches, type Resource } from "./evaluate.ts";
import { type Filter, FilterSyntaxError, parseFilter } from "./filter.ts";
import { renderGroup } from "./groups.ts";
import type { Page } from "./lists.ts";
import { narrowingOf } from "./narrowing.ts";
import { listGroups } from "./provision-groups.ts";
import { type ScimContext, userContext } from "./provision-users.ts";
import { GROUP_SCHEMAS, type ResourceSchemas, userSchemas } from "./schemas.ts";
import { renderUser } from "./users.ts";

/** Users a filter is checked against one by one, at most; beyond, narrow the filter. */
export const MAX_SCAN = 10_000;

export interface Found {
  total: number;
  resources: Resource[];
  schemas: ResourceSchemas;
}

export async function searchUsers(
  ctx: ScimContext,
  filterText: string | undefined,
  page: Page,
): Promise<Found> {
  const { db, caller } = ctx;
  const uctx = await userContext(db, caller.tenantId, ctx.base);
  const schemas = userSchemas(uctx.fields);
  const render = (records: Awaited<ReturnType<typeof listUserRecords>>) =>
    records.map((r) => renderUser(r, uctx));
  if (!filterText?.trim()) {
    const [total, records] = await Promise.all([
      countUsers(db, caller.tenantId),
      listUserRecords(db, caller.tenantId, null, { offset: page.startIndex - 1, limit: page.count }),
    ]);
    return { total, resources: render(records), schemas };
  }
  const filter = filterOf(filterText);
  const narrowing = narrowingOf(filter, schemas);
  if (!narrowing && (await countUsers(db, caller.tenantId)) > MAX_SCAN) {
    throw badRequest(
      "tooMany",
      `This tenant has more than ${MAX_SCAN.toLocaleString("en-US")} users: filter on id, externalId, userName or emails with eq.`,
    );
  }
  const matching = select(render(await listUserRecords(db, caller.tenantId, narrowing)), filter, schemas);
  return { total: matching.length, resources: pageIn(matching, page), schemas };
}

export async function searchGroups(
  ctx: ScimContext,
  filterText: string | undefined,
  page: Page,
): Promise<Found> {
  const all = (await listGroups(ctx)).map((g) => renderGroup(g.hub, g.members, ctx.base));
  const matching = filterText?.trim() ? select(all, filterOf(filterText), GROUP_SCHEMAS) : all;
  return { total: matching.length, resources: pageIn(matching, page), schemas: GROUP_SCHEMAS };
}

function filterOf(text: string): Filter {
  try {
    return parseFilter(text);
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw badRequest("invalidFilter", `The filter ${error.message}.`);
    throw error;
  }
}

function select(resources: Resource[], filter: Filter, schemas: ResourceSchemas): Resource[] {
  try {
    return resources.filter((r) => matches(filter, r, schemas));
  } catch (error) {
    if (error instanceof FilterSyntaxError) throw badRequest("invalidFilter", `The filter ${error.message}.`);
    throw error;
  }
}

function pageIn(resources: Resource[], page: Page): Resource[] {
  return resources.slice(page.startIndex - 1, page.startIndex - 1 + page.count);
}
