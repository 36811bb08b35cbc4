// CSV records through Papa Parse, with the two things an HR export needs on top: the line each
// record starts on (so messages point at the line a person sees), and containment of broken quotes.
// Papa reads a quote that never closes as running to the end of the file; here such a record is
// replaced by its first line read on its own and marked `badQuotes`, and reading resumes on the
// next line: one stray quote costs one row, not the rest of the file.
//
// Text arrives in pieces (push) and is read at end(): the parse itself is Papa's, never ours.
// Line numbers: every line counts (blank ones too); a record gets the line it starts on.
import Papa from "papaparse";

export interface RawRecord {
  cells: string[];
  line: number;
  /** A quote that never closes: the cells are a best effort read of that one line. */
  badQuotes?: boolean;
}

export interface CsvReader {
  /** More text; line breaks may be \r\n, \r or \n, split anywhere. */
  push: (text: string) => void;
  /** No more text: every record is emitted. */
  end: () => void;
}

export interface CsvReaderOptions {
  delimiter: string;
  /** The line number of the first line of text pushed. */
  firstLine: number;
  onRecord: (record: RawRecord) => void;
  /** Called with the running count when a record's quotes are broken; throw to stop reading. */
  onBadQuotes?: (count: number) => void;
}

export function csvReader(options: CsvReaderOptions): CsvReader {
  const pieces: string[] = [];
  return {
    push(text) {
      if (text.length > 0) pieces.push(text);
    },
    end() {
      const text = pieces.join("").replace(/\r\n?/g, "\n");
      pieces.length = 0;
      readRecords(text, options);
    },
  };
}

function readRecords(text: string, options: CsvReaderOptions): void {
  const { delimiter, firstLine } = options;
  const starts = lineStarts(text);
  let line = firstLine;
  for (let repairs = 0; ; ) {
    const start = starts[line - firstLine];
    if (start === undefined || start >= text.length) return;
    const parsed = Papa.parse<string[]>(text.slice(start), { delimiter, newline: "\n" });
    // Papa reads the empty text after a final line break as one more, empty record.
    const last = parsed.data.at(-1);
    const data =
      text.endsWith("\n") && last?.length === 1 && last[0] === "" ? parsed.data.slice(0, -1) : parsed.data;
    const bad = parsed.errors.reduce((min, e) => Math.min(min, e.row ?? 0), data.length);
    for (const cells of data.slice(0, bad)) {
      options.onRecord({ cells, line });
      line += 1 + cells.reduce((n, cell) => n + cell.split("\n").length - 1, 0);
    }
    if (bad >= data.length) return;
    repairs += 1;
    options.onBadQuotes?.(repairs);
    const end = (starts[line - firstLine + 1] ?? text.length + 1) - 1;
    const alone = Papa.parse<string[]>(text.slice(starts[line - firstLine], end), {
      delimiter,
      newline: "\n",
    });
    options.onRecord({ cells: alone.data[0] ?? [""], line, badQuotes: true });
    line += 1;
  }
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}
