import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { buildAddon } from "../scripts/build-addon.ts";
import { startStack } from "../test/helpers/stack.ts";
import { connect, newTenant, openSpreadsheet } from "../test/addon/environment.ts";

const build = await buildAddon({ outDir: await mkdtemp(path.join(tmpdir(), "addon-")) });
const stack = await startStack();
try {
  {
  const tenant = await newTenant(stack, "Hostile");
  const env = openSpreadsheet(build.outDir);
  env.addon.run("showSidebar");
  const hostile = ['=HYPERLINK("https://evil.example","Click")', "+SUM(1,2)", "-2+3", "@SUM(A1)"];
  const header = ["Email", "First Name", "Last Name", "=Employee Id"];
  const rows = hostile.map((text, i) => [`p${i}@hostile.example`, text, `Row${i}`, `E${i}`]);
  env.spreadsheet.sheet("Export").paste([header, ...rows].map((line) => line.map((cell) => `'${cell}`)));
  connect(env, stack, tenant);
  console.log(env.addon.runFromSidebar("autoMap"));
  console.log(env.spreadsheet.sheet("Mapping").displayed());
  console.log(JSON.stringify(env.addon.runFromSidebar("analyze", { partial: false })));
  console.log(env.spreadsheet.sheet("Review").displayed());
  }
  {
  const tenant = await newTenant(stack, "Gen");
  const env = openSpreadsheet(build.outDir);
  env.addon.run("showSidebar");
    const header = ["Employee ID", "First Name", "Last Name", "Work Email", "Job Title", "Department", "Hire Date", "Status"];
    const departments = ["Engineering", "Sales", "People", "Finance", "Operations"];
    const rows = Array.from({ length: 10 }, (_, i) => [
      `E${100000 + i}`, `First${i}`, `Last${i}`, `person${i}@big.example`, `Title ${i % 50}`,
      departments[i % departments.length] ?? "", `${(i % 12) + 1}/${(i % 28) + 1}/${2015 + (i % 10)}`, "Active",
    ]);
  env.spreadsheet.sheet("Export").paste([header, ...rows]);
  connect(env, stack, tenant);
  console.log(env.addon.runFromSidebar("autoMap"));
  console.log(env.spreadsheet.sheet("Mapping").displayed());
  console.log(JSON.stringify(env.addon.runFromSidebar("analyze", { partial: false })));
  console.log(env.spreadsheet.sheet("Review").displayed().slice(0,3));
  }
} finally {
  await stack.stop();
}
