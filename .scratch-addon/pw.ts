console.log("start");
import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
import { buildAddon } from "../scripts/build-addon.ts";
import { openSpreadsheet } from "../test/addon/environment.ts";
const build = await buildAddon({ outDir: await mkdtemp(path.join(tmpdir(), "addon-")) });
console.log("built"); const env = openSpreadsheet(build.outDir);
env.addon.run("showSidebar");
const html = env.ui.sidebars[0]!.getContent();
const ctx = await chromium.launchPersistentContext(await mkdtemp(path.join(tmpdir(), "ud-")), {
  executablePath: "/usr/bin/chromium", headless: true,
  args: ["--headless","--no-sandbox","--disable-gpu","--disable-quic","--no-first-run","--disable-background-networking","--disable-component-update","--disable-sync"],
});
console.log("launched"); const page = await ctx.newPage();
page.on("console", (m) => console.log("console", m.type(), m.text()));
page.on("pageerror", (e) => console.log("pageerror", e.message));
await page.exposeFunction("__googleScriptRun", (name: string, args: unknown[]) => {
  console.log("call", name, args);
  try { return { ok: true, value: env.addon.runFromSidebar(name, ...args) ?? null }; }
  catch (e) { return { ok: false, message: String(e) }; }
});
await page.addInitScript(`console.log("init ran", typeof window.__googleScriptRun)`);
await page.setContent(html);
await page.waitForTimeout(2000);
console.log(await page.locator("#connect-status").textContent());
await ctx.close();
