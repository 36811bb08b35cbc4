import { createRoute, type OpenAPIHono, z } from "@hono/zod-openapi";
import { commonErrors, problem } from "../contract/common.ts";
import { HubParams } from "../contract/hubs.ts";
import { ImportQuery, ImportResult, JsonTable } from "../contract/imports.ts";
import type { AppEnv } from "../env.ts";
import { AppError } from "../errors.ts";
import { importLimits, rowLimit, tooLargeUpload } from "../import-limits.ts";
import { importAndPlan, type Snapshot } from "../sync.ts";
import { planBody } from "./plans.ts";

const CSV_TYPES = ["text/csv", "text/tab-separated-values", "text/plain", "application/octet-stream"];

const route = createRoute({
  method: "post",
  path: "/v1/hubs/{hubId}/imports",
  tags: ["imports"],
  summary: "Import an HRIS snapshot and plan the sync",
  description:
    "Send a CSV/TSV export (`text/csv`) or the add-on's JSON table. The snapshot is parsed, mapped with the hub's " +
    "mapping, matched to members and planned; the plan comes back with counts per kind.",
  security: [{ bearer: [] }],
  request: {
    params: HubParams,
    query: ImportQuery,
    body: {
      // Required in practice; declared optional because the JSON validator would otherwise also
      // run on CSV bodies. An empty body is refused by the parser as an empty file.
      required: false,
      description: "The export: CSV/TSV as a file, or the add-on's JSON table.",
      content: {
        "application/json": { schema: JsonTable },
        ...Object.fromEntries(
          CSV_TYPES.map((type) => [type, { schema: z.string().openapi({ format: "binary" }) }]),
        ),
      },
    },
  },
  responses: {
    201: {
      description: "The import and its plan",
      content: { "application/json": { schema: ImportResult } },
    },
    ...commonErrors,
    413: problem(
      "The file is larger, or has more rows, than one import takes (by default 24 MB, and 100,000 rows of CSV or 50,000 of JSON)",
    ),
    415: problem("Neither CSV nor JSON"),
    422: problem("The file cannot be read at all"),
  },
});

export function registerImports(app: OpenAPIHono<AppEnv>) {
  app.openapi(route, async (c) => {
    const { hubId } = c.req.valid("param");
    const { partial, filename } = c.req.valid("query");
    const caller = c.get("caller");
    // The body goes straight to importAndPlan, which lets it go once its rows are read: nothing
    // here keeps it (nor Hono's body cache: the raw request is read).
    // With an Idempotency-Key the middleware has already read (and Hono cached) the body to hash it.
    const bytes = () => (c.req.raw.bodyUsed ? c.req.arrayBuffer() : c.req.raw.arrayBuffer());
    const body = { json: () => c.req.valid("json"), bytes };
    const type = c.req.header("content-type");
    const length = c.req.header("content-length");
    const limits = importLimits(c.env);
    const result = await importAndPlan(
      c.get("db"),
      caller.tenantId,
      hubId,
      await readSnapshot(type, length, body, limits.bytes),
      {
        source: "upload",
        filename: filename ?? null,
        partial,
        createdBy: `api_key:${caller.keyId}`,
        now: new Date(),
        maxRows: rowLimit(limits, mediaType(type) === "application/json" ? "json" : "csv"),
      },
    );
    return c.json({ import: result.import, plan: planBody(result.plan) }, 201);
  });
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

interface Body {
  json: () => Snapshot["body"];
  bytes: () => Promise<ArrayBuffer>;
}

async function readSnapshot(
  contentType: string | undefined,
  contentLength: string | undefined,
  body: Body,
  maxBytes: number,
): Promise<Snapshot> {
  const length = Number(contentLength ?? 0);
  if (length > maxBytes) throw tooLargeUpload(length, maxBytes);
  const type = mediaType(contentType);
  if (type === "application/json") {
    // Validated against JsonTable by the route before the handler runs.
    return { format: "json", body: JsonTable.parse(body.json()) };
  }
  if (!CSV_TYPES.includes(type)) {
    throw new AppError(
      "unsupported_media_type",
      "Send the export as text/csv (or TSV) or as the JSON table.",
    );
  }
  const bytes = new Uint8Array(await body.bytes());
  if (bytes.byteLength > maxBytes) throw tooLargeUpload(bytes.byteLength, maxBytes);
  return { format: "csv", body: bytes };
}
