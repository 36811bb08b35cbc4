// An in-process libSQL database (a temp file: `:memory:` loses data across libSQL transactions),
// migrated exactly as production is.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { type Db, openDb } from "../../db/client.ts";
import { applyMigrations } from "../../db/migrate.ts";

export interface TestDb {
  db: Db;
  close: () => void;
}

export async function testDb(): Promise<TestDb> {
  const dir = mkdtempSync(join(tmpdir(), "profile-sync-"));
  const client = createClient({ url: `file:${join(dir, "test.db")}` });
  const db = openDb(client);
  await applyMigrations(db);
  return {
    db,
    close: () => {
      client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
