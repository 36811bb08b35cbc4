// The hostile corpus's big files, made at test time instead of committed (the repo stays small):
// manifest.json names each with `generated`. Deterministic: the same bytes on every run. The ones
// just over a limit take it from the engine, so they stay one over when the limit moves.
import { MAX_CELLS } from "../../worker/engine/parse.ts";
import { DEFAULT_IMPORT_LIMITS } from "../../worker/import-limits.ts";

const HEADER = "Employee ID,First Name,Last Name,Work Email,Start Date,Status\n";

function person(i: number): string {
  return `E${i},First${i},Last${i},person${i}@acme.test,2020-01-15,Active\n`;
}

/** 60 MB of people written straight into one buffer; the last row is cut short, like a broken download. */
function sixtyMegabytes(): Uint8Array {
  const size = 60 * 1024 * 1024;
  const buffer = Buffer.alloc(size, "\n");
  let at = buffer.write(HEADER);
  for (let i = 1; at < size; i++) at += buffer.write(person(i), at);
  return buffer;
}

/** The add-on's JSON table with 60 MB of people: the JSON path meets the same limits. */
function sixtyMegabytesJson(): string {
  const rows: string[] = [];
  let size = 0;
  for (let i = 1; size < 60 * 1024 * 1024; i++) {
    const row = JSON.stringify([
      `E${i}`,
      `First${i}`,
      `Last${i}`,
      `person${i}@acme.test`,
      "2020-01-15",
      "Active",
    ]);
    rows.push(row);
    size += row.length + 1;
  }
  const columns = HEADER.trim().split(",");
  return `{"columns":${JSON.stringify(columns)},"rows":[${rows.join(",")}]}`;
}

function tooManyRows(): string {
  return HEADER + Array.from({ length: DEFAULT_IMPORT_LIMITS.rows + 1 }, (_, i) => person(i + 1)).join("");
}

/** 1,000 columns, and one row more than the value limit allows. */
function tooManyCells(): string {
  const header = ["Work Email", ...Array.from({ length: 999 }, (_, i) => `Column ${i + 2}`)].join(",");
  const padding = ",".repeat(999);
  const rows = Math.floor(MAX_CELLS / 1_000) + 1;
  return `${header}\n${Array.from({ length: rows }, (_, i) => `p${i}@acme.test${padding}\n`).join("")}`;
}

function hundredThousandCharCell(): string {
  const long = "x".repeat(100_000);
  const header = HEADER.replace("\n", ",Notes\n");
  return [
    header.trimEnd(),
    `E1,${long},Long,long.name@acme.test,2020-01-15,Active,`,
    `E2,Nora,Notes,nora@acme.test,2020-01-15,Active,${long}`,
    "E3,Ada,Lovelace,ada@acme.test,2020-01-15,Active,",
    "E4,Bob,Builder,bob@acme.test,2020-01-15,Active,",
  ].join("\n");
}

function tenThousandIdenticalRows(): string {
  return HEADER + "E1,Ada,Lovelace,ada@acme.test,2020-01-15,Active\n".repeat(10_000);
}

export const GENERATORS: Record<string, () => Uint8Array | string> = {
  sixtyMegabytes,
  sixtyMegabytesJson,
  tooManyRows,
  tooManyCells,
  hundredThousandCharCell,
  tenThousandIdenticalRows,
};
