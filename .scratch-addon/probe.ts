import { readFileSync } from "node:fs";
import Papa from "papaparse";
import { startStack } from "/work/main/test/helpers/stack.ts";
const stack = await startStack();
try {
  const csv = readFileSync("/work/main/examples/bamboohr.csv", "utf8");
  const parsed = Papa.parse<string[]>(csv.trim(), { skipEmptyLines: true });
  const [columns, ...rows] = parsed.data;
  const j = async (p: string, init?: RequestInit) => { const r = await stack.api(p, init); const t = await r.text(); return [r.status, t.length > 3000 ? t.slice(0, 3000) : t]; };
  console.log(await j(`/v1/hubs`));
  console.log(await j(`/v1/hubs/${stack.hubId}/mapping/suggestions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ columns, rows }) }));
  const imp = await stack.api(`/v1/hubs/${stack.hubId}/imports`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ columns, rows, rowNumbers: rows.map((_, i) => i + 2) }) });
  const body = await imp.json() as any;
  console.log(imp.status, JSON.stringify(body.plan), JSON.stringify(body.import).slice(0, 1500));
  console.log(await j(`/v1/plans/${body.plan.id}/actions?limit=5`));
  console.log(await j(`/v1/sync-runs`));
} finally { await stack.stop(); }
