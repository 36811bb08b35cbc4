import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { chromium } from "playwright-core";
for (const args of [["--headless","--no-sandbox","--disable-gpu","--disable-quic","--no-first-run","--disable-background-networking","--disable-component-update","--disable-sync"], ["--no-sandbox"]]) {
const ctx = await chromium.launchPersistentContext(await mkdtemp(path.join(tmpdir(), "ud-")), { executablePath: "/usr/bin/chromium", headless: true, args });
const page = await ctx.newPage();
page.on("console", (m) => console.log("console", m.type(), m.text()));
await page.addInitScript(`console.log("init ran")`);
await page.setContent("<p id=x>a</p><script>document.getElementById('x').textContent='b'; console.log('inline')</script>");
console.log(args.length, await page.evaluate("1+1"), await page.locator("#x").textContent());
await ctx.close();
}
