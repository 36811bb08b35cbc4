// The pure engine end to end (parse → map → match → derive → plan) for the regression tests of
// bugs the hostile corpus found: one call from CSV text and members to planned actions.
import type { MappingColumn } from "../../../db/schema.ts";
import { deriveFields } from "../../../worker/engine/derive.ts";
import { applyMapping } from "../../../worker/engine/mapping.ts";
import { indexMembers, matchRecords } from "../../../worker/engine/match.ts";
import { parseCsv } from "../../../worker/engine/parse.ts";
import { planActions } from "../../../worker/engine/plan.ts";
import type { CoreField, MemberSnapshot } from "../../../worker/engine/types.ts";

export const TODAY = "2026-11-21";

/** Each column maps to the core field of the same name ("email", "employeeId", …). */
export function coreMapping(columns: CoreField[]): MappingColumn[] {
  return columns.map((column) => ({
    column,
    field: column,
    kind: "core",
    visibility: "private",
    values: {},
    reviewed: true,
  }));
}

export function member(id: string, email: string, employeeId: string | null = null): MemberSnapshot {
  return {
    id,
    employeeId,
    email,
    status: "active",
    source: "hris",
    version: 1,
    inHub: true,
    core: { email, employeeId },
    derived: { approverId: null, contentRegion: null },
    profile: {},
  };
}

export function planCsv(csv: string, members: MemberSnapshot[] = []) {
  const { table, issues } = parseCsv(csv);
  const columns = table.columns as CoreField[];
  const mapped = applyMapping(table, coreMapping(columns), null, issues);
  let n = 0;
  const matches = deriveFields(matchRecords(mapped.records, indexMembers(members)), members, {
    newId: () => `new-${++n}`,
    regions: {},
    today: TODAY,
  });
  const actions = planActions(matches, mapped.rejected, members, {
    hubId: "hub",
    today: TODAY,
    partial: false,
  });
  return { mapped, actions };
}
