// CSV records from text that arrives in pieces, so a big export is read without holding it whole
// or a second copy of it as rows. Quotes are read the way Papa Parse reads them (a quoted field
// ends at a quote followed by optional spaces and then the delimiter, a line break or the end; ""
// inside is a quote; a quote inside an unquoted field is a character), so the records are Papa's.
// A record whose quotes are broken (a quote never closed, or text after a closing quote) is
// replaced by its first line read on its own and marked `badQuotes`, and reading resumes on the
// next line: one stray quote costs one row, not the rest of the file.
//
// Line numbers: every line counts (blank ones too); a record gets the line it starts on.
// Cells are slices of the reader's buffer: a consumer that keeps one keeps that piece of text.
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
  /** No more text: the last record is emitted. */
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

const QUOTE = 34;
const NEWLINE = 10;
/** A record that needs text not pushed yet. */
const MORE = -1;
/** A cached position that must be searched again (the buffer changed). */
const UNKNOWN = -2;

type Field = { value: string; next: number; ends: "field" | "record" };

export function csvReader(options: CsvReaderOptions): CsvReader {
  const { delimiter, onRecord } = options;
  let buffer = "";
  let line = options.firstLine;
  let bad = 0;
  let pendingCr = false;
  let ended = false;
  // Where the next delimiter and line break are (-1: none in the buffer), searched again only
  // once passed, as Papa does: a one-column file must not rescan the buffer for every record.
  let nextDelimiter = UNKNOWN;
  let nextNewline = UNKNOWN;

  function delimiterFrom(at: number): number {
    if (nextDelimiter === UNKNOWN || (nextDelimiter !== -1 && nextDelimiter < at)) {
      nextDelimiter = buffer.indexOf(delimiter, at);
    }
    return nextDelimiter;
  }

  function newlineFrom(at: number): number {
    if (nextNewline === UNKNOWN || (nextNewline !== -1 && nextNewline < at)) {
      nextNewline = buffer.indexOf("\n", at);
    }
    return nextNewline;
  }

  /** Reads one record starting at `start`; returns where the next begins, or MORE. */
  function readRecord(start: number): number {
    const cells: string[] = [];
    let cursor = start;
    for (;;) {
      if (buffer.charCodeAt(cursor) === QUOTE) {
        const field = quotedField(cursor);
        if (field === MORE) return MORE;
        if (field === null) return repair(start);
        cells.push(field.value);
        if (field.ends === "record") return emit(cells, start, field.next);
        cursor = field.next;
        continue;
      }
      const delimiterAt = delimiterFrom(cursor);
      const newlineAt = newlineFrom(cursor);
      if (delimiterAt !== -1 && (delimiterAt < newlineAt || newlineAt === -1)) {
        cells.push(buffer.substring(cursor, delimiterAt));
        cursor = delimiterAt + delimiter.length;
        continue;
      }
      if (newlineAt !== -1) {
        cells.push(buffer.substring(cursor, newlineAt));
        return emit(cells, start, newlineAt + 1);
      }
      if (!ended) return MORE;
      cells.push(buffer.substring(cursor));
      return emit(cells, start, buffer.length);
    }
  }

  /** A field that opens with a quote at `open`: its value, null when its quotes are broken, or MORE. */
  function quotedField(open: number): Field | null | typeof MORE {
    const length = buffer.length;
    let search = open;
    for (;;) {
      search = buffer.indexOf('"', search + 1);
      if (search === -1) return ended ? null : MORE;
      if (search === length - 1) {
        if (!ended) return MORE;
        return { value: unescape(buffer.substring(open + 1, search)), next: length, ends: "record" };
      }
      if (buffer.charCodeAt(search + 1) === QUOTE) {
        search++;
        continue;
      }
      const delimiterAt = buffer.indexOf(delimiter, search + 1);
      const newlineAt = buffer.indexOf("\n", search + 1);
      // Whether spaces lead to a delimiter or a line break can depend on text not here yet.
      if (newlineAt === -1 && !ended) return MORE;
      const checkUpTo = newlineAt === -1 ? delimiterAt : Math.min(delimiterAt, newlineAt);
      const beforeDelimiter = spacesUntil(search, checkUpTo);
      if (buffer.startsWith(delimiter, search + 1 + beforeDelimiter)) {
        const next = search + 1 + beforeDelimiter + delimiter.length;
        return { value: unescape(buffer.substring(open + 1, search)), next, ends: "field" };
      }
      const beforeNewline = spacesUntil(search, newlineAt);
      if (buffer.charCodeAt(search + 1 + beforeNewline) === NEWLINE) {
        const next = search + 2 + beforeNewline;
        return { value: unescape(buffer.substring(open + 1, search)), next, ends: "record" };
      }
      return null;
    }
  }

  /** Papa's "unnecessary spaces" between a closing quote and the next delimiter or line break. */
  function spacesUntil(quote: number, index: number): number {
    if (index === -1) return 0;
    const between = buffer.substring(quote + 1, index);
    return between && between.trim() === "" ? between.length : 0;
  }

  function emit(cells: string[], start: number, next: number): number {
    onRecord({ cells, line });
    // Line breaks inside quoted values move the line count on too.
    const end = next > start && buffer.charCodeAt(next - 1) === NEWLINE ? next - 1 : next;
    line += 1;
    for (let i = buffer.indexOf("\n", start); i !== -1 && i < end; i = buffer.indexOf("\n", i + 1)) line++;
    return next;
  }

  /** The record starting at `start` has broken quotes: its first line, read alone, stands for it. */
  function repair(start: number): number {
    const newline = buffer.indexOf("\n", start);
    if (newline === -1 && !ended) return MORE;
    bad += 1;
    options.onBadQuotes?.(bad);
    const alone = buffer.substring(start, newline === -1 ? buffer.length : newline);
    const parsed = Papa.parse<string[]>(alone, { delimiter, newline: "\n" });
    onRecord({ cells: parsed.data[0] ?? [""], line, badQuotes: true });
    line += 1;
    return newline === -1 ? buffer.length : newline + 1;
  }

  function drain(): void {
    let start = 0;
    while (start < buffer.length) {
      const next = readRecord(start);
      if (next === MORE) break;
      start = next;
    }
    buffer = buffer.substring(start);
    nextDelimiter = UNKNOWN;
    nextNewline = UNKNOWN;
  }

  return {
    push(text) {
      if (text.length === 0) return;
      let piece = pendingCr ? `\r${text}` : text;
      pendingCr = piece.endsWith("\r");
      if (pendingCr) piece = piece.slice(0, -1);
      buffer += piece.includes("\r") ? piece.replace(/\r\n?/g, "\n") : piece;
      nextDelimiter = UNKNOWN;
      nextNewline = UNKNOWN;
      drain();
    },
    end() {
      if (pendingCr) buffer += "\n";
      pendingCr = false;
      ended = true;
      drain();
    },
  };
}

function unescape(value: string): string {
  return value.includes('"') ? value.replaceAll('""', '"') : value;
}
