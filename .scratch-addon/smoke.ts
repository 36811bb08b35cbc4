import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildAddon } from "../scripts/build-addon.ts";
import { startStack } from "../test/helpers/stack.ts";
import { connect, exampleRows, newTenant, openSpreadsheet } from "../test/addon/environment.ts";

const build = await buildAddon({ outDir: await mkdtemp(path.join(tmpdir(), "addon-")) });
const stack = await startStack();
try {
  const tenant = await newTenant(stack, "Smoke");
  const env = openSpreadsheet(build.outDir);
  env.addon.run("showSidebar");
  env.spreadsheet.sheet("Export").paste(exampleRows("bamboohr"));
  connect(env, stack, tenant);
  env.calls.reset();
  console.log(env.addon.runFromSidebar("autoMap"), env.calls.total());
  console.log(env.spreadsheet.sheet("Mapping").displayed().slice(0, 6));
  env.calls.reset();
  const view = env.addon.runFromSidebar("analyze", { partial: false }) as any;
  console.log(JSON.stringify(view), env.calls.total(), env.calls.snapshot());
  console.log(env.spreadsheet.sheet("Review").displayed().slice(0, 3));
  env.calls.reset();
  console.log(JSON.stringify(env.addon.runFromSidebar("approveAllOfKind", "invite")).slice(0, 300), env.calls.total());
  env.calls.reset();
  const r = env.addon.runFromSidebar("applyApproved") as any;
  console.log(r.complete, r.progress, r.written, env.calls.total(), env.calls.snapshot());
  console.log(env.spreadsheet.sheet("Review").displayed().slice(0, 3));
  console.log(env.spreadsheet.sheet("Log").displayed(), env.spreadsheet.sheet("Log").notes);
  console.log(JSON.stringify(env.addon.runFromSidebar("getState")).slice(0, 500));
} finally {
  await stack.stop();
}
