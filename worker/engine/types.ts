// Shapes passed between the engine's steps: parse → map → match → plan → execute.
// Pure data; no storage or HTTP here.
import type { ActionKind, FieldChange, MemberSource, MemberStatus } from "../../db/schema.ts";

export const CORE_FIELDS = [
  "firstName",
  "lastName",
  "email",
  "employeeId",
  "jobTitle",
  "manager",
  "department",
  "location",
  "country",
  "startDate",
  "terminationDate",
  "employmentStatus",
] as const;
export type CoreField = (typeof CORE_FIELDS)[number];

export interface Issue {
  /** 1-based row number in the source (the header is row 1 of a CSV); null for file-level issues. */
  row: number | null;
  level: "error" | "warning";
  /** Stable, machine-readable: `duplicate_header`, `ambiguous_date_order`, `invalid_email`... */
  code: string;
  /** A sentence an HR admin understands. */
  message: string;
  column?: string;
}

/** A parsed export: header plus data rows as strings, each with the row number it came from. */
export interface Table {
  columns: string[];
  rows: string[][];
  /** rowNumbers[i] is the source row of rows[i] (so messages point at the right line). */
  rowNumbers: number[];
}

export interface ParseResult {
  table: Table;
  issues: Issue[];
}

/** "Month first" (US) or "day first" for slash dates like 03/04/2025. */
export type DateOrder = "MDY" | "DMY";

/** Fields computed from mapped ones: approver from manager, content region from country. */
export const DERIVED_FIELDS = ["approverId", "contentRegion"] as const;
export type DerivedField = (typeof DERIVED_FIELDS)[number];

/** One person from the export after mapping: only mapped fields are present. */
export interface PersonRecord {
  row: number;
  core: Partial<Record<CoreField, string | null>>;
  /** Present only when the field they come from is mapped. */
  derived: Partial<Record<DerivedField, string | null>>;
  /** Not errors: the row still syncs, but the admin should look (unknown manager, manager cycle…). */
  warnings: string[];
  /** Segment and role values by field key. */
  profile: Record<string, string | string[]>;
  /** Fields this record may write (mapped columns): nothing else is ever touched. */
  mapped: ReadonlySet<string>;
}

/**
 * Members' snapshots by id. Storage keeps each as its JSON text and reads it when asked: a big
 * plan needs thousands, which as objects would take several times the memory.
 */
export interface SnapshotLookup {
  get: (id: string) => MemberSnapshot | undefined;
  readonly size: number;
}

/** A member as the planner sees it. */
export interface MemberSnapshot {
  id: string;
  employeeId: string | null;
  email: string;
  status: MemberStatus;
  source: MemberSource;
  version: number;
  inHub: boolean;
  core: Partial<Record<CoreField, string | null>>;
  derived: Record<DerivedField, string | null>;
  profile: Record<string, string | string[]>;
}

export interface PlannedAction {
  kind: ActionKind;
  row: number | null;
  memberId: string | null;
  memberVersion: number | null;
  email: string | null;
  employeeId: string | null;
  name: string | null;
  changes: FieldChange[];
  payload: Record<string, unknown> | null;
  reason: string;
  warnings: string[];
}
