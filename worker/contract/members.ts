// The member directory: list with filters, get, and an admin's status changes.
import { z } from "@hono/zod-openapi";
import { MEMBER_SOURCES, MEMBER_STATUSES } from "../../db/schema.ts";

export const MemberStatus = z.enum(MEMBER_STATUSES).openapi("MemberStatus");
export const MemberSource = z.enum(MEMBER_SOURCES).openapi("MemberSource");

export const Member = z
  .object({
    id: z.string(),
    email: z.string(),
    employeeId: z.string().nullable(),
    firstName: z.string().nullable(),
    lastName: z.string().nullable(),
    jobTitle: z.string().nullable(),
    manager: z.string().nullable(),
    approverId: z.string().nullable(),
    department: z.string().nullable(),
    location: z.string().nullable(),
    country: z.string().nullable(),
    contentRegion: z.string().nullable(),
    startDate: z.string().nullable(),
    terminationDate: z.string().nullable(),
    employmentStatus: z.string().nullable(),
    profile: z.record(z.string(), z.union([z.string(), z.array(z.string())])),
    status: MemberStatus,
    source: MemberSource,
    version: z
      .number()
      .int()
      .openapi({ description: "Moves on every change; plans made before it go stale." }),
    hubIds: z.array(z.string()),
    deletedAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Member");

export const MemberPage = z
  .object({
    members: z.array(Member),
    nextCursor: z
      .string()
      .nullable()
      .openapi({ description: "Pass as `cursor` for the next page; null at the end." }),
  })
  .openapi("MemberPage");

export const MemberQuery = z.object({
  status: MemberStatus.optional(),
  source: MemberSource.optional(),
  hubId: z.string().optional(),
  q: z.string().trim().min(1).max(200).optional().openapi({
    description: "Start of the email, first name, last name or full name; case-insensitive.",
  }),
  cursor: z.string().optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const MemberParams = z.object({
  memberId: z.string().openapi({ param: { name: "memberId", in: "path" } }),
});
