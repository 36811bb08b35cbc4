import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildAddon } from "../scripts/build-addon.ts";
import { startStack } from "../test/helpers/stack.ts";
import { connect, newTenant, openSpreadsheet } from "../test/addon/environment.ts";

const build = await buildAddon({ outDir: await mkdtemp(path.join(tmpdir(), "addon-")) });
const stack = await startStack();
try {
  const tenant = await newTenant(stack, "Gen");
  const env = openSpreadsheet(build.outDir);
  const orig = env.fetchApp.fetch.bind(env.fetchApp);
  (env.fetchApp as any).fetch = (url: string, params: any) => {
    const t = Date.now();
    const r = orig(url, params);
    console.log(params.method ?? "get", url.replace(stack.url, ""), r.getResponseCode(), Date.now() - t, "ms", (params.payload ?? "").length, r.getResponseCode() >= 300 ? r.getContentText().slice(0, 500) : "");
    return r;
  };
  env.addon.run("showSidebar");
  const N = 10000;
  const header = ["Employee ID", "First Name", "Last Name", "Work Email", "Job Title", "Department", "Hire Date", "Status"];
  const departments = ["Engineering", "Sales", "People", "Finance", "Operations"];
  const rows = Array.from({ length: N }, (_, i) => [
    `E${100000 + i}`, `First${i}`, `Last${i}`, `person${i}@big.example`, `Title ${i % 50}`,
    departments[i % departments.length] ?? "", `${(i % 12) + 1}/${(i % 28) + 1}/${2015 + (i % 10)}`, "Active",
  ]);
  env.spreadsheet.sheet("Export").paste([header, ...rows]);
  connect(env, stack, tenant);
  env.addon.runFromSidebar("autoMap");
  env.addon.runFromSidebar("analyze", { partial: false });
  env.addon.runFromSidebar("approveAllOfKind", "invite");
  const r = env.addon.runFromSidebar("applyApproved") as any;
  console.log(r.complete, r.progress);
} catch (e) { console.log("ERR", String(e).slice(0,300)); console.log("WORKER OUT", stack.worker.output().slice(-3000)); console.log("SQLD OUT", stack.sqld.output().slice(-3000)); } finally {
  await stack.stop();
}
