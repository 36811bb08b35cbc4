import Papa from "papaparse";
import { generateExports } from "/work/main/scripts/bench/data.ts";
const ex = generateExports(100000);
const text = ex.current;
const bytes = new TextEncoder().encode(text);
global.gc!();
const h0 = process.memoryUsage().heapUsed;
let t = performance.now();
const dec = new TextDecoder().decode(bytes);
console.log("decode", (performance.now()-t).toFixed(0));
t = performance.now();
const r = Papa.parse<string[]>(dec, { delimiter: ",", newline: "\n" });
console.log("papa", (performance.now()-t).toFixed(0), r.data.length);
global.gc!();
console.log("heap papa MB", ((process.memoryUsage().heapUsed - h0)/1e6).toFixed(0));
// offsets-only scan
t = performance.now();
const offs = new Int32Array(2_200_000 * 2);
let n = 0, start = 0, i = 0, len = dec.length;
while (i < len) {
  const c = dec.charCodeAt(i);
  if (c === 44 || c === 10) { offs[n++] = start; offs[n++] = i; start = i + 1; }
  else if (c === 34) { i++; while (i < len && !(dec.charCodeAt(i) === 34 && dec.charCodeAt(i+1) !== 34)) { if (dec.charCodeAt(i)===34) i++; i++; } }
  i++;
}
console.log("scan", (performance.now()-t).toFixed(0), n/2);
t = performance.now();
let tot = 0;
for (let k = 0; k < n; k += 2) { const s = dec.slice(offs[k], offs[k+1]); tot += s.length; }
console.log("slices", (performance.now()-t).toFixed(0), tot);
t = performance.now();
const lines = dec.split("\n"); let cells = 0; for (const l of lines) cells += l.split(",").length;
console.log("split", (performance.now()-t).toFixed(0), cells);
