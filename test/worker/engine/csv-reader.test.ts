// The streaming reader against the reference (Papa over the whole text, as parsing was before):
// the same records, and parseCsv the same table and issues, for text full of quotes, delimiters,
// spaces and line breaks of every style, however the text is split into pieces.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvReader, MAX_RECORD_CHARS, type RawRecord } from "../../../worker/engine/csv-reader.ts";
import { parseCsv } from "../../../worker/engine/parse.ts";
import { referenceParseCsv, referenceRecords } from "./reference-parse.ts";

const messy = fc
  .array(fc.constantFrom("a", "b", " ", ",", ";", '"', '""', "\n", "\r\n", "\r", "é", "x y"), {
    maxLength: 60,
  })
  .map((parts) => parts.join(""));

const csvLike = fc
  .array(
    fc.array(
      fc.oneof(
        fc.constantFrom("", "ada", "x y", "a@b.co", "  "),
        fc.constantFrom('"q,uoted"', '"with ""quotes"""', '"multi\nline"', '"bad"x', '"open', ' "sp" '),
      ),
      { minLength: 1, maxLength: 5 },
    ),
    { minLength: 1, maxLength: 12 },
  )
  .map((rows) => rows.map((r) => r.join(",")).join(fc.sample(fc.constantFrom("\n", "\r\n"), 1)[0]));

function read(text: string, delimiter: string, cuts: number[]): RawRecord[] {
  const records: RawRecord[] = [];
  const reader = csvReader({ delimiter, firstLine: 1, onRecord: (r) => records.push(r) });
  let at = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    reader.push(text.slice(at, Math.max(at, cut)));
    at = Math.max(at, cut);
  }
  reader.push(text.slice(at));
  reader.end();
  return records;
}

/** The reference ends a text that ends with a line break with one empty record: blank, so dropped. */
function comparable(records: RawRecord[]): RawRecord[] {
  return records.filter((r) => r.badQuotes || r.cells.some((c) => c.trim() !== ""));
}

function outcome(parse: () => unknown) {
  try {
    return parse();
  } catch (error) {
    return { error: (error as { code?: string }).code };
  }
}

describe("csvReader", () => {
  it("reads the same records as Papa over the whole text, in any pieces", () => {
    fc.assert(
      fc.property(fc.oneof(messy, csvLike), fc.array(fc.nat(80), { maxLength: 6 }), (text, cuts) => {
        const normalised = text.replace(/\r\n?/g, "\n");
        expect(comparable(read(text, ",", cuts))).toEqual(comparable(referenceRecords(normalised, ",")));
      }),
      { numRuns: 3000 },
    );
  });

  it("parses to the same table and issues as before", () => {
    fc.assert(
      fc.property(fc.oneof(messy, csvLike), (text) => {
        expect(outcome(() => parseCsv(text))).toEqual(outcome(() => referenceParseCsv(text)));
      }),
      { numRuns: 2000 },
    );
  });

  it("counts lines through quoted line breaks and blank lines", () => {
    const records = read('a,b\n"x\ny",z\n\nc,d\n', ",", [3, 7]);
    expect(records.filter((r) => r.cells.join("")).map((r) => [r.line, r.cells])).toEqual([
      [1, ["a", "b"]],
      [2, ["x\ny", "z"]],
      [5, ["c", "d"]],
    ]);
  });

  it("repairs a broken quote by reading its line alone and goes on with the next line", () => {
    const records = read('h1,h2\n"open,x\nok,1\n', ",", [9]);
    expect(records.map((r) => [r.line, r.cells, r.badQuotes ?? false])).toEqual([
      [1, ["h1", "h2"], false],
      [2, ["open,x"], true],
      [3, ["ok", "1"], false],
    ]);
  });

  it("does not hold the rest of the file for a quote that never closes: past the limit its line is repaired", () => {
    const rows = Array.from({ length: 100_000 }, (_, i) => `p${i},plain value ${i},x`);
    const text = `h1,h2,h3\n"open,x\n${rows.join("\n")}\n`;
    expect(text.length).toBeGreaterThan(2 * MAX_RECORD_CHARS);
    const records: RawRecord[] = [];
    const reader = csvReader({ delimiter: ",", firstLine: 1, onRecord: (r) => records.push(r) });
    for (let at = 0; at < text.length; at += 65_536) reader.push(text.slice(at, at + 65_536));
    // Before the end: the open quote was repaired once it passed the limit, and the rows after it read.
    expect(records[1]).toEqual({ cells: ["open,x"], line: 2, badQuotes: true });
    expect(records.length).toBeGreaterThan(rows.length / 2);
    reader.end();
    expect(records).toHaveLength(rows.length + 2);
    expect(records.at(-1)).toEqual({ cells: ["p99999", "plain value 99999", "x"], line: 100_002 });
  });

  it("waits for a long line without quotes to end instead of taking it for a broken quote", () => {
    const long = "x".repeat(MAX_RECORD_CHARS + 10);
    const text = `h1,h2\na,${long}\nb,c\n`;
    const records: RawRecord[] = [];
    const reader = csvReader({ delimiter: ",", firstLine: 1, onRecord: (r) => records.push(r) });
    for (let at = 0; at < text.length; at += 65_536) reader.push(text.slice(at, at + 65_536));
    reader.end();
    expect(records.map((r) => [r.line, r.cells[0], r.cells[1]?.length, r.badQuotes ?? false])).toEqual([
      [1, "h1", 2, false],
      [2, "a", long.length, false],
      [3, "b", 1, false],
    ]);
  });
});
