// The "match" step: which member, if any, each record is. Employee id first, then email, so an
// email change in the HRIS updates the same person instead of inviting a stranger.
import type { MemberSnapshot, PersonRecord } from "./types.ts";

export type Match =
  | { record: PersonRecord; member: MemberSnapshot | null; error?: undefined }
  | { record: PersonRecord; member: null; error: string };

export interface MemberIndex {
  byEmployeeId: Map<string, MemberSnapshot>;
  byEmail: Map<string, MemberSnapshot>;
}

export function indexMembers(members: MemberSnapshot[]): MemberIndex {
  const byEmployeeId = new Map<string, MemberSnapshot>();
  const byEmail = new Map<string, MemberSnapshot>();
  for (const m of members) {
    if (m.employeeId) byEmployeeId.set(m.employeeId, m);
    byEmail.set(m.email, m);
  }
  return { byEmployeeId, byEmail };
}

export function matchRecords(records: PersonRecord[], index: MemberIndex): Match[] {
  const duplicates = findDuplicates(records);
  return records.map((record) => {
    const duplicate = duplicates.get(record.row);
    if (duplicate) return { record, member: null, error: duplicate };
    return matchOne(record, index);
  });
}

function matchOne(record: PersonRecord, index: MemberIndex): Match {
  const employeeId = record.core.employeeId ?? null;
  const email = record.core.email ?? "";
  const byId = employeeId ? index.byEmployeeId.get(employeeId) : undefined;
  if (byId) {
    const owner = index.byEmail.get(email);
    if (owner && owner.id !== byId.id) {
      return { record, member: null, error: emailTakenMessage(employeeId as string, email) };
    }
    return { record, member: byId };
  }
  const byEmail = index.byEmail.get(email);
  if (byEmail?.employeeId && employeeId && byEmail.employeeId !== employeeId) {
    return { record, member: null, error: otherEmployeeMessage(email, byEmail.employeeId, employeeId) };
  }
  return { record, member: byEmail ?? null };
}

/** Two rows for one person: both are errors, so neither silently wins. */
function findDuplicates(records: PersonRecord[]): Map<number, string> {
  const errors = new Map<number, string>();
  const flag = (key: (r: PersonRecord) => string | null | undefined, label: string) => {
    const rows = new Map<string, number[]>();
    for (const r of records) {
      const k = key(r);
      if (!k) continue;
      rows.set(k, [...(rows.get(k) ?? []), r.row]);
    }
    for (const [k, list] of rows) {
      if (list.length < 2) continue;
      for (const row of list) {
        if (errors.has(row)) continue;
        errors.set(
          row,
          duplicateMessage(
            label,
            k,
            list.filter((x) => x !== row),
          ),
        );
      }
    }
  };
  flag((r) => r.core.employeeId, "employee id");
  flag((r) => r.core.email, "email");
  return errors;
}

export function emailTakenMessage(employeeId: string, email: string): string {
  return `Employee ${employeeId} would take the email ${email}, which belongs to another member.`;
}

export function otherEmployeeMessage(email: string, memberEmployeeId: string, employeeId: string): string {
  return `The email ${email} belongs to employee ${memberEmployeeId}, not ${employeeId}.`;
}

/** `label` ("employee id", "email") `key` is also on rows `others`. */
export function duplicateMessage(label: string, key: string, others: number[]): string {
  return `The same ${label} ${key} appears again on row ${rowList(others)}; fix the export so each person appears once.`;
}

// A person repeated 10,000 times must not write 10,000 messages of 10,000 row numbers each.
const LISTED_ROWS = 5;

function rowList(rows: number[]): string {
  const listed = rows.slice(0, LISTED_ROWS).join(", ");
  const more = rows.length - LISTED_ROWS;
  return more > 0 ? `${listed} and ${more.toLocaleString("en-US")} more` : listed;
}
