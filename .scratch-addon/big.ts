import { startStack } from "../test/helpers/stack.ts";
const stack = await startStack();
try {
  const N = 10000;
  const columns = ["Employee ID", "First Name", "Last Name", "Work Email", "Hire Date", "Status"];
  const rows = Array.from({ length: N }, (_, i) => [`E${i}`, `F${i}`, `L${i}`, `p${i}@big.example`, "2020-01-01", "Active"]);
  let t = Date.now();
  let r = await stack.api(`/v1/hubs/${stack.hubId}/imports`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ columns, rows }) });
  const body = await r.json() as any; console.log("import", r.status, Date.now() - t, body.plan?.summary);
  const planId = body.plan.id;
  const ids: string[] = [];
  let cursor: string | null = null;
  t = Date.now();
  do {
    const res = await stack.api(`/v1/plans/${planId}/actions?limit=1000${cursor ? `&cursor=${cursor}` : ""}`);
    const page = await res.json() as any; ids.push(...page.actions.map((a: any) => a.id)); cursor = page.nextCursor;
  } while (cursor);
  console.log("list", Date.now() - t, ids.length);
  for (const chunk of [ids.slice(0, 5000), ids.slice(5000)]) {
    t = Date.now();
    r = await stack.api(`/v1/plans/${planId}/approvals`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ approved: true, actionIds: chunk }) });
    console.log("approve", r.status, Date.now() - t, (await r.text()).slice(0, 300));
  }
  t = Date.now();
  r = await stack.api(`/v1/plans/${planId}/execute`, { method: "POST" });
  console.log("execute", r.status, Date.now() - t, (await r.text()).slice(0, 100));
  cursor = null;
  do {
    t = Date.now();
    const res = await stack.api(`/v1/plans/${planId}/actions?limit=1000${cursor ? `&cursor=${cursor}` : ""}`, { signal: AbortSignal.timeout(30000) });
    const page = await res.json() as any; cursor = page.nextCursor; console.log("page", res.status, Date.now() - t);
  } while (cursor);
} finally { await stack.stop(); }
