// CSV records through Papa Parse, with the two things an HR export needs on top: the line each
// record starts on (so messages point at the line a person sees), and containment of broken quotes.
// Papa reads a quote that never closes as running to the end of the file; here such a record is
// replaced by its first line read on its own and marked `badQuotes`, and reading resumes on the
// next line: one stray quote costs one row, not the rest of the file.
//
// Text arrives in pieces (push) and is read as it arrives, by Papa's own parser (Papa.Parser, the
// engine under Papa.parse, with `ignoreLastRow` as Papa's own streamers use it): only the record
// a piece ends inside waits for the next piece, so a big export is never held as one string, nor
// as one array of records. Line numbers: every line counts (blank ones too); a record gets the
// line it starts on.
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

/**
 * A record still open after this many characters is a quote that never closes: no HR record is
 * a megabyte long, and waiting for the end of the file would hold the rest of it.
 */
export const MAX_RECORD_CHARS = 1 << 20;

export function csvReader(options: CsvReaderOptions): CsvReader {
  // Text not yet read into records: the start of a record the next piece may continue.
  let pending = "";
  // A piece ending in "\r" may be half of a "\r\n": it is decided with the next piece.
  let carriage = false;
  let line = options.firstLine;
  let repairs = 0;

  const emit = (cells: string[], badQuotes: boolean) => {
    options.onRecord(badQuotes ? { cells, line, badQuotes } : { cells, line });
    line += 1;
    for (const cell of cells) {
      for (let at = cell.indexOf("\n"); at >= 0; at = cell.indexOf("\n", at + 1)) line += 1;
    }
  };

  // The record at `text[at]` read as its first line alone; returns where the next line starts.
  const repair = (text: string, at: number): number => {
    repairs += 1;
    options.onBadQuotes?.(repairs);
    const end = text.indexOf("\n", at);
    const alone = Papa.parse<string[]>(text.slice(at, end < 0 ? text.length : end), {
      delimiter: options.delimiter,
      newline: "\n",
    });
    emit(alone.data[0] ?? [""], true);
    return end < 0 ? text.length : end + 1;
  };

  const read = (final: boolean) => {
    let at = 0;
    // After a final line break there is no record (Papa would read one empty record there).
    const last = final && !pending.endsWith("\n");
    while (at < pending.length) {
      const result = readWhole(pending, at, last);
      at = result.end;
      // What is left open at the end, or past the limit and over more than one line, is a quote
      // that never closes (one long line still arriving is only waited for).
      const open = final
        ? at < pending.length
        : pending.length - at > MAX_RECORD_CHARS && pending.indexOf("\n", at) >= 0;
      if (result.bad || open) at = repair(pending, at);
      else break;
    }
    pending = at >= pending.length ? "" : pending.slice(at);
  };

  // Records of text from `at` until one has broken quotes (bad) or only an open one is left.
  const readWhole = (text: string, at: number, final: boolean): { end: number; bad: boolean } => {
    let end = at;
    let bad = false;
    // Papa.Parser hands its step the row wrapped in an array (Papa.parse unwraps it).
    const step = (results: { data: string[][]; errors: unknown[]; meta: { cursor: number } }) => {
      if (results.errors.length > 0) {
        bad = true;
        parser.abort();
        return;
      }
      emit(results.data[0] ?? [""], false);
      end = at + results.meta.cursor;
    };
    const parser = new Papa.Parser({ delimiter: options.delimiter, newline: "\n", step: step as never });
    parser.parse(at === 0 ? text : text.slice(at), 0, !final);
    return { end, bad };
  };

  return {
    push(piece) {
      if (piece.length === 0) return;
      let text = carriage ? `\r${piece}` : piece;
      carriage = text.endsWith("\r");
      if (carriage) text = text.slice(0, -1);
      pending += text.includes("\r") ? text.replace(/\r\n?/g, "\n") : text;
      read(false);
    },
    end() {
      if (carriage) pending += "\n";
      carriage = false;
      read(true);
    },
  };
}
