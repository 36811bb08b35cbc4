import fc from "fast-check";
import Papa from "papaparse";
import { describe, expect, it } from "vitest";
import { type JsonTable, parseCsv, parseJsonTable, UnreadableFile } from "../../../worker/engine/parse.ts";
import type { Issue, ParseResult } from "../../../worker/engine/types.ts";

const FATAL_CODES = ["empty_file", "no_header", "binary_file", "unbalanced_quotes"];

const utf8 = (text: string) => new TextEncoder().encode(text);
const withBytes = (prefix: number[], body: Uint8Array) => new Uint8Array([...prefix, ...body]);

function utf16(text: string, littleEndian: boolean, bom: boolean): Uint8Array {
  const out = new Uint8Array(text.length * 2 + (bom ? 2 : 0));
  const view = new DataView(out.buffer);
  if (bom) view.setUint16(0, 0xfeff, littleEndian);
  for (let i = 0; i < text.length; i++)
    view.setUint16((bom ? 2 : 0) + i * 2, text.charCodeAt(i), littleEndian);
  return out;
}

function fatalCode(read: () => unknown): string | null {
  try {
    read();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(UnreadableFile);
    return (error as UnreadableFile).code;
  }
}

const codes = (issues: Issue[]) => issues.map((i) => i.code);
const SIMPLE = { columns: ["Name", "Email"], rows: [["José", "jose@example.com"]], rowNumbers: [2] };

describe("parseCsv: encodings", () => {
  const text = "Name,Email\nJosé,jose@example.com\n";
  const cases: [string, Uint8Array | string, string[]][] = [
    ["UTF-8 without BOM", utf8(text), []],
    ["UTF-8 with BOM", withBytes([0xef, 0xbb, 0xbf], utf8(text)), []],
    ["UTF-16 LE with BOM", utf16(text, true, true), []],
    ["UTF-16 BE with BOM", utf16(text, false, true), []],
    ["UTF-16 LE without BOM", utf16(text, true, false), []],
    ["UTF-16 BE without BOM", utf16(text, false, false), []],
    ["Latin-1 (é as 0xE9)", new Uint8Array([...text].map((c) => c.charCodeAt(0))), ["decoded_as_latin1"]],
    ["a string", text, []],
    ["a string starting with a BOM", `\ufeff${text}`, []],
  ];
  it.each(cases)("%s", (_, input, issueCodes) => {
    const { table, issues } = parseCsv(input);
    expect(table).toEqual(SIMPLE);
    expect(codes(issues)).toEqual(issueCodes);
  });

  it("reads Windows-1252 punctuation (0x92 ’, 0x80 €)", () => {
    const bytes = new Uint8Array([...utf8("Name,Note\nAnn,"), 0x92, 0x80, 0x0a]);
    expect(parseCsv(bytes).table.rows).toEqual([["Ann", "’€"]]);
  });

  it("warns when a UTF-8 BOM file holds invalid bytes", () => {
    const bytes = withBytes(
      [0xef, 0xbb, 0xbf],
      new Uint8Array([...utf8("Name\nAnn"), 0xff, ...utf8("\nBob\n")]),
    );
    const { table, issues } = parseCsv(bytes);
    expect(table.rows).toEqual([["Ann\ufffd"], ["Bob"]]);
    expect(codes(issues)).toEqual(["invalid_characters"]);
  });
});

describe("parseCsv: delimiters", () => {
  const cases: [string, string, string[][]][] = [
    ["comma", "Name,Team\nAnn,Sales\n", [["Ann", "Sales"]]],
    ["semicolon", "Name;Team\nAnn;Sales\n", [["Ann", "Sales"]]],
    ["tab", "Name\tTeam\nAnn\tSales\n", [["Ann", "Sales"]]],
    ["pipe", "Name|Team\nAnn|Sales\n", [["Ann", "Sales"]]],
    [
      "comma, values with semicolons",
      "Name,Team\nAnn,a;b;c\nBob,d;e\n",
      [
        ["Ann", "a;b;c"],
        ["Bob", "d;e"],
      ],
    ],
    [
      "comma, more semicolons than commas",
      "Name,Notes\nAnn,x;y;z;w\nBob,x;y;z;w\n",
      [
        ["Ann", "x;y;z;w"],
        ["Bob", "x;y;z;w"],
      ],
    ],
    [
      "semicolon, more commas than semicolons",
      "Name;Pay\nAnn;1,2,3,4\nBob;5,6,7,8\n",
      [
        ["Ann", "1,2,3,4"],
        ["Bob", "5,6,7,8"],
      ],
    ],
    ["comma, values with pipes", "Name,Team\nDoe|Ann,Sales|EMEA|X\n", [["Doe|Ann", "Sales|EMEA|X"]]],
    [
      "semicolon, decimal commas",
      "Name;Salary\nAnn;1,5\nBob;2,0\n",
      [
        ["Ann", "1,5"],
        ["Bob", "2,0"],
      ],
    ],
    ["tab, values with commas", "Name\tTeam\nDoe, Ann\tSales, EMEA\n", [["Doe, Ann", "Sales, EMEA"]]],
    ["pipe, values with commas", "Name|Team\nDoe, Ann|Sales\n", [["Doe, Ann", "Sales"]]],
    ["quoted comma inside a semicolon file", 'Name;Team\n"Doe; Ann";Sales\n', [["Doe; Ann", "Sales"]]],
    ["Excel's sep= line", "sep=;\nName;Team\nAnn;Sales, EMEA\n", [["Ann", "Sales, EMEA"]]],
  ];
  it.each(cases)("%s", (_, text, rows) => {
    const { table, issues } = parseCsv(text);
    expect(table.columns).toHaveLength(2);
    expect(table.rows).toEqual(rows);
    expect(issues).toEqual([]);
  });

  it("a one-column file needs no delimiter", () => {
    expect(parseCsv("Email\na@example.com\nb@example.com\n").table).toEqual({
      columns: ["Email"],
      rows: [["a@example.com"], ["b@example.com"]],
      rowNumbers: [2, 3],
    });
  });
});

describe("parseCsv: lines, quotes and row numbers", () => {
  const cases: [string, string, Partial<ParseResult["table"]>][] = [
    [
      "LF",
      "a,b\n1,2\n3,4",
      {
        rows: [
          ["1", "2"],
          ["3", "4"],
        ],
        rowNumbers: [2, 3],
      },
    ],
    [
      "CRLF",
      "a,b\r\n1,2\r\n3,4\r\n",
      {
        rows: [
          ["1", "2"],
          ["3", "4"],
        ],
        rowNumbers: [2, 3],
      },
    ],
    [
      "CR only (old Mac)",
      "a,b\r1,2\r3,4\r",
      {
        rows: [
          ["1", "2"],
          ["3", "4"],
        ],
        rowNumbers: [2, 3],
      },
    ],
    [
      "mixed CRLF and LF",
      "a,b\r\n1,2\n3,4\r\n",
      {
        rows: [
          ["1", "2"],
          ["3", "4"],
        ],
        rowNumbers: [2, 3],
      },
    ],
    [
      "quoted newline: the row keeps the line it starts on, later rows count lines",
      'a,b\n"line 1\nline 2",x\n3,4\n',
      {
        rows: [
          ["line 1\nline 2", "x"],
          ["3", "4"],
        ],
        rowNumbers: [2, 4],
      },
    ],
    ["quoted CRLF becomes LF", 'a,b\r\n"x\r\ny",1\r\n', { rows: [["x\ny", "1"]], rowNumbers: [2] }],
    ["doubled quotes", 'a,b\n"say ""hi""",2\n', { rows: [['say "hi"', "2"]] }],
    ["quoted delimiter", 'a,b\n"Doe, Ann",2\n', { rows: [["Doe, Ann", "2"]] }],
    ["a quote inside an unquoted value", 'a,b\nAnn,5" screen\n', { rows: [["Ann", '5" screen']] }],
    [
      "blank lines skipped but counted",
      "a,b\n\n1,2\n   \n\n3,4\n\n",
      {
        rows: [
          ["1", "2"],
          ["3", "4"],
        ],
        rowNumbers: [3, 6],
      },
    ],
    ["rows of empty cells skipped", "a,b\n,\n1,2\n , \n", { rows: [["1", "2"]], rowNumbers: [3] }],
    ["blank lines before the header", "\n\na,b\n1,2\n", { columns: ["a", "b"], rowNumbers: [4] }],
    ["values are kept as written", "a,b\n  Ann , 2 \n", { rows: [["  Ann ", " 2 "]] }],
    [
      "trailing empty columns dropped",
      "a,b,,\n1,2,,\n3,4,,\n",
      {
        columns: ["a", "b"],
        rows: [
          ["1", "2"],
          ["3", "4"],
        ],
      },
    ],
    [
      "short rows padded",
      "a,b,c\n1\n1,2\n",
      {
        rows: [
          ["1", "", ""],
          ["1", "2", ""],
        ],
      },
    ],
    ["extra empty cells are ignored quietly", "a,b\n1,2,,,\n", { rows: [["1", "2"]] }],
  ];
  it.each(cases)("%s", (_, text, expected) => {
    const { table, issues } = parseCsv(text);
    expect(table).toMatchObject(expected);
    expect(issues).toEqual([]);
  });
});

describe("parseCsv: header and row issues", () => {
  it("names blank headers and keeps their data", () => {
    const { table, issues } = parseCsv("Name,,Email,\nAnn,x,a@example.com,y\n");
    expect(table.columns).toEqual(["Name", "Column 2", "Email", "Column 4"]);
    expect(table.rows).toEqual([["Ann", "x", "a@example.com", "y"]]);
    expect(issues.map((i) => [i.code, i.column, i.row])).toEqual([
      ["blank_header", "Column 2", null],
      ["blank_header", "Column 4", null],
    ]);
  });

  it("renames duplicate headers, ignoring case, without clashing with real names", () => {
    const { table, issues } = parseCsv("Email,EMAIL,Email (2),email\n1,2,3,4\n");
    expect(table.columns).toEqual(["Email", "EMAIL (3)", "Email (2)", "email (4)"]);
    expect(codes(issues)).toEqual(["duplicate_header", "duplicate_header"]);
    expect(issues[0]?.message).toContain("“EMAIL”");
  });

  it("tidies header whitespace", () => {
    expect(parseCsv('" First\n name ",Email\nAnn,a@example.com\n').table.columns).toEqual([
      "First name",
      "Email",
    ]);
  });

  it("warns about extra non-empty cells on the row they are on", () => {
    const { table, issues } = parseCsv("a,b\n1,2\n3,4,surprise,\n");
    expect(table.rows).toEqual([
      ["1", "2"],
      ["3", "4"],
    ]);
    expect(issues).toEqual([expect.objectContaining({ row: 3, level: "warning", code: "extra_cells" })]);
    expect(issues[0]?.message).toContain("“surprise”");
  });

  it("an unclosed quote costs one row, not the rest of the file", () => {
    const { table, issues } = parseCsv('a,b\n1,"oops\n2,3\n"ok\nstill",4\n5,6\n');
    expect(table.rows).toEqual([
      ["1", "oops"],
      ["2", "3"],
      ["ok\nstill", "4"],
      ["5", "6"],
    ]);
    expect(table.rowNumbers).toEqual([2, 3, 4, 6]);
    expect(issues).toEqual([expect.objectContaining({ row: 2, level: "error", code: "unbalanced_quotes" })]);
  });

  it("a malformed quote mid-file is confined to its row", () => {
    const { table, issues } = parseCsv('a,b\n1,"5" screen\n2,3\n');
    expect(table.rows).toEqual([
      ["1", '5" screen'],
      ["2", "3"],
    ]);
    expect(codes(issues)).toEqual(["unbalanced_quotes"]);
  });

  it("a last field with an unclosed quote is read up to there", () => {
    const { table, issues } = parseCsv('a,b\n1,2\n3,"unfinished');
    expect(table.rows).toEqual([
      ["1", "2"],
      ["3", "unfinished"],
    ]);
    expect(issues).toEqual([expect.objectContaining({ row: 3, code: "unbalanced_quotes" })]);
  });

  it("a header-only file is valid with zero rows and a warning", () => {
    const { table, issues } = parseCsv("Name,Email\n");
    expect(table).toEqual({ columns: ["Name", "Email"], rows: [], rowNumbers: [] });
    expect(codes(issues)).toEqual(["no_rows"]);
  });
});

describe("parseCsv: unreadable files", () => {
  const many = `a,b\n${Array.from({ length: 120 }, (_, i) => `${i},"x`).join("\n")}`;
  const cases: [string, Uint8Array | string, string][] = [
    ["zero bytes", new Uint8Array(), "empty_file"],
    ["empty string", "", "empty_file"],
    ["only a BOM", new Uint8Array([0xef, 0xbb, 0xbf]), "empty_file"],
    ["only blank lines", "\n\r\n  \n", "empty_file"],
    ["only empty cells", ",,,\n , ,\n", "empty_file"],
    ["NUL bytes", new Uint8Array([0x61, 0x2c, 0x00, 0x62, 0x0a, 0x00, 0x01]), "binary_file"],
    ["control-character junk", new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8, 14, 15, 16, 65]), "binary_file"],
    ["an .xlsx workbook", new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), "binary_file"],
    ["an old .xls workbook", new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1]), "binary_file"],
    ["a PDF", utf8("%PDF-1.7\n"), "binary_file"],
    ["a string with NUL", "a,b\n1,\u0000\n", "binary_file"],
    ["a first row that is a person", "Ann,ann@example.com\nBob,bob@example.com\n", "no_header"],
    ["a first row of numbers", "1001,2024-01-05\n1002,2024-02-01\n", "no_header"],
    ["a header with an unclosed quote", '"Name,Email\nAnn,a@example.com\n', "unbalanced_quotes"],
    ["unclosed quotes on more than 100 rows", many, "unbalanced_quotes"],
  ];
  it.each(cases)("%s", (_, input, code) => {
    expect(fatalCode(() => parseCsv(input))).toBe(code);
  });

  it("says what to do in words", () => {
    try {
      parseCsv(new Uint8Array([0x50, 0x4b, 0x03, 0x04]));
    } catch (error) {
      expect((error as Error).message).toMatch(/Excel workbook.*CSV/);
    }
  });
});

describe("parseJsonTable", () => {
  it("reads the add-on's table through the same checks", () => {
    const body: JsonTable = {
      columns: ["Name", "Start", "Active", "Email", "", "email", ""],
      rows: [
        ["Ann", 45296, true, "a@example.com", null, "x", null],
        [null, "", null, "", null, "", null],
        ["Bob", 45296.5, false, "b@example.com", "n", "", ""],
        ["Cy"],
        ["Di", 1, null, "d@example.com", null, null, null, "extra"],
      ],
      rowNumbers: [2, 3, 5, 6, 9],
    };
    const { table, issues } = parseJsonTable(body);
    expect(table).toEqual({
      columns: ["Name", "Start", "Active", "Email", "Column 5", "email (2)"],
      rows: [
        ["Ann", "45296", "true", "a@example.com", "", "x"],
        ["Bob", "45296.5", "false", "b@example.com", "n", ""],
        ["Cy", "", "", "", "", ""],
        ["Di", "1", "", "d@example.com", "", ""],
      ],
      rowNumbers: [2, 5, 6, 9],
    });
    expect(issues.map((i) => [i.code, i.row])).toEqual([
      ["blank_header", null],
      ["duplicate_header", null],
      ["extra_cells", 9],
    ]);
  });

  it("numbers rows from 2 when the add-on sends no row numbers", () => {
    const { table } = parseJsonTable({ columns: ["Name"], rows: [["Ann"], ["Bob"]] });
    expect(table.rowNumbers).toEqual([2, 3]);
  });

  it("a header-only table is valid with a warning", () => {
    expect(codes(parseJsonTable({ columns: ["Name"], rows: [] }).issues)).toEqual(["no_rows"]);
  });

  const bad: [string, unknown, string][] = [
    ["no columns at all", {}, "no_header"],
    ["a blank header row above data", { columns: ["", ""], rows: [["Ann", "x"]] }, "no_header"],
    ["an empty sheet", { columns: ["", ""], rows: [["", null]] }, "empty_file"],
    ["a person in the header row", { columns: ["Ann", "ann@example.com"], rows: [] }, "no_header"],
  ];
  it.each(bad)("%s → UnreadableFile", (_, body, code) => {
    expect(fatalCode(() => parseJsonTable(body as JsonTable))).toBe(code);
  });
});

describe("parseCsv: properties", () => {
  const onlyUnreadable = (read: () => unknown) => {
    const code = fatalCode(read);
    if (code !== null) expect(FATAL_CODES).toContain(code);
  };

  // Whatever comes back is a well-formed table: rows as wide as the header, numbers increasing.
  const wellFormed = (read: () => ParseResult) => {
    let result: ParseResult | null = null;
    onlyUnreadable(() => {
      result = read();
    });
    if (!result) return;
    const { table } = result as ParseResult;
    expect(table.rows).toHaveLength(table.rowNumbers.length);
    for (const row of table.rows) expect(row).toHaveLength(table.columns.length);
    expect(new Set(table.columns.map((c) => c.toLowerCase())).size).toBe(table.columns.length);
    let previous = 1;
    for (const n of table.rowNumbers) {
      expect(n).toBeGreaterThan(previous);
      previous = n;
    }
  };

  it("parse never throws on arbitrary bytes (only UnreadableFile)", () => {
    const bom = fc.constantFrom<number[]>([], [0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]);
    fc.assert(
      fc.property(bom, fc.uint8Array({ maxLength: 400 }), (prefix, bytes) =>
        wellFormed(() => parseCsv(withBytes(prefix, bytes))),
      ),
      { numRuns: 1000 },
    );
  });

  it("parse never throws on arbitrary strings (only UnreadableFile)", () => {
    const csvish = fc.string({
      unit: fc.constantFrom("a", "B", "1", " ", ",", ";", "\t", "|", '"', "\n", "\r", "é", "@"),
    });
    const anyText = fc.oneof(fc.string({ unit: "binary", maxLength: 200 }), csvish);
    fc.assert(
      fc.property(anyText, (text) => wellFormed(() => parseCsv(text))),
      { numRuns: 1000 },
    );
  });

  it("a CSV written from a table reads back as the same table", () => {
    const name = fc.stringMatching(/^[A-Z][a-z]{0,6}( [A-Z][a-z]{0,6})?$/);
    const cell = fc.string({
      unit: fc.constantFrom("a", "Z", "0", " ", ",", ";", "\t", "|", '"', "\n", "é", "’"),
      maxLength: 12,
    });
    const table = fc
      .uniqueArray(name, { minLength: 1, maxLength: 6, selector: (n) => n.toLowerCase() })
      .chain((columns) =>
        fc.record({
          columns: fc.constant(columns),
          rows: fc.array(
            fc
              .array(cell, { minLength: columns.length, maxLength: columns.length })
              .filter((r) => r.some((c) => c.trim())),
            { maxLength: 8 },
          ),
          delimiter: fc.constantFrom(",", ";", "\t", "|"),
        }),
      );
    fc.assert(
      fc.property(table, ({ columns, rows, delimiter }) => {
        const csv = Papa.unparse(
          { fields: columns, data: rows },
          { quotes: true, delimiter, newline: "\r\n" },
        );
        const { table: parsed } = parseCsv(utf8(csv));
        let line = 2;
        const rowNumbers = rows.map((row) => {
          const at = line;
          line += 1 + row.join("").split("\n").length - 1;
          return at;
        });
        expect(parsed).toEqual({ columns, rows, rowNumbers });
      }),
      { numRuns: 300 },
    );
  });
});
