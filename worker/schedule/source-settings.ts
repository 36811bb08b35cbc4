// Sources between the API and storage: ids given to new sources, a CSV's bearer token sealed on
// the way in (kept across saves while the source keeps its id and host), and never shown on the
// way out, only whether there is one.
import type { z } from "@hono/zod-openapi";
import type { SyncSource } from "../../db/schema.ts";
import type { SettingsPatch, SourceView } from "../contract/settings.ts";
import type { Env } from "../env.ts";
import { AppError, type ProblemDetail } from "../errors.ts";
import { sealSecret, sourceContext, sourcesKeyOf } from "./source-secrets.ts";

type SourceInput = NonNullable<z.infer<typeof SettingsPatch>["sources"]>[number];

/** A stored source's id; sources saved before ids existed are known by their position. */
export function sourceIdOf(source: SyncSource, index: number): string {
  return source.id ?? String(index);
}

export function publicSources(stored: SyncSource[]): z.infer<typeof SourceView>[] {
  return stored.map((s, i) =>
    s.type === "sheet"
      ? {
          id: sourceIdOf(s, i),
          type: s.type,
          hubId: s.hubId,
          spreadsheetId: s.spreadsheetId,
          range: s.range,
          partial: s.partial ?? false,
        }
      : {
          id: sourceIdOf(s, i),
          type: s.type,
          hubId: s.hubId,
          url: s.url,
          partial: s.partial ?? false,
          hasBearerToken: Boolean(s.bearer),
        },
  );
}

/** The sources to store for `incoming`, given what is stored now. */
export async function storedSources(
  env: Env,
  tenantId: string,
  incoming: SourceInput[],
  current: SyncSource[],
): Promise<SyncSource[]> {
  checkUrls(incoming, env.ENVIRONMENT === "development");
  const byId = new Map(current.map((s, i) => [sourceIdOf(s, i), s]));
  const problems: ProblemDetail[] = [];
  const result: SyncSource[] = [];
  for (const [i, input] of incoming.entries()) {
    if (input.id !== undefined && !byId.has(input.id)) {
      problems.push({
        field: `json.sources.${i}.id`,
        message: `No source ${input.id}; omit the id for a new one.`,
      });
      continue;
    }
    const id = input.id ?? crypto.randomUUID();
    const partial = input.partial ?? false;
    if (input.type === "sheet") {
      const { spreadsheetId, range, hubId } = input;
      result.push({ id, type: "sheet", hubId, spreadsheetId, range, partial });
      continue;
    }
    const before = byId.get(id);
    const bearer = await bearerFor(env, tenantId, id, input, before, () =>
      problems.push({
        field: `json.sources.${i}.bearerToken`,
        message: "The URL's host changed: send the token again, or null for none.",
      }),
    );
    result.push({
      id,
      type: "csv",
      hubId: input.hubId,
      url: input.url,
      partial,
      ...(bearer ? { bearer } : {}),
    });
  }
  if (problems.length)
    throw new AppError("unprocessable", "Some sources cannot be saved; see `errors`.", problems);
  return result;
}

async function bearerFor(
  env: Env,
  tenantId: string,
  id: string,
  input: Extract<SourceInput, { type: "csv" }>,
  before: SyncSource | undefined,
  hostChanged: () => void,
) {
  if (input.bearerToken === null) return undefined;
  if (input.bearerToken !== undefined) {
    return sealSecret(sourcesKeyOf(env), sourceContext(tenantId, id), input.bearerToken);
  }
  if (before?.type !== "csv" || !before.bearer) return undefined;
  // A token is kept only for the host it was given for, so editing the URL cannot leak it elsewhere.
  if (new URL(before.url).origin !== new URL(input.url).origin) {
    hostChanged();
    return undefined;
  }
  return before.bearer;
}

/** https only; a local server on 127.0.0.1 is allowed in development, for trying things out. */
function checkUrls(incoming: SourceInput[], development: boolean) {
  const problems = incoming.flatMap((s, i) => {
    if (s.type !== "csv") return [];
    const url = new URL(s.url);
    if (url.protocol === "https:") return [];
    if (development && url.protocol === "http:" && url.hostname === "127.0.0.1") return [];
    const message = development ? "https, or http://127.0.0.1 in development." : "https only.";
    return [{ field: `json.sources.${i}.url`, message }];
  });
  if (problems.length) throw new AppError("invalid_request", "A source URL must use https.", problems);
}
