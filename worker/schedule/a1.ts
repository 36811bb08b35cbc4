// A1 notation, as far as the scheduled sync needs it: where a range the Sheets API answered with
// starts ("'My Tab'!B3:H40" → tab 'My Tab', column 2, row 3), and column letters for a status
// column written beside the data.

export interface RangeStart {
  /** The tab as written in A1 notation (quoted when it must be); null for the first tab. */
  sheet: string | null;
  /** 1-based. */
  column: number;
  row: number;
}

/** Reads a qualified range such as the `range` of a ValueRange ("Export!A1:F20", "'HR data'!C2:D"). */
export function rangeStart(a1: string): RangeStart {
  const bang = a1.lastIndexOf("!");
  const sheet = bang >= 0 ? a1.slice(0, bang) : null;
  const cells = bang >= 0 ? a1.slice(bang + 1) : a1;
  const first = /^([A-Za-z]*)(\d*)/.exec(cells.split(":")[0] ?? "");
  const letters = first?.[1] ?? "";
  const digits = first?.[2] ?? "";
  return {
    sheet,
    column: letters ? columnNumber(letters) : 1,
    row: digits ? Number(digits) : 1,
  };
}

export function columnNumber(letters: string): number {
  let n = 0;
  for (const ch of letters.toUpperCase()) n = n * 26 + (ch.charCodeAt(0) - 64);
  return n;
}

export function columnLetters(n: number): string {
  let letters = "";
  for (let rest = n; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  }
  return letters;
}

/** "Tab!H2:H9" for one column from row `from` to row `to`. */
export function columnRange(sheet: string | null, column: number, from: number, to: number): string {
  const letters = columnLetters(column);
  const cells = `${letters}${from}:${letters}${to}`;
  return sheet === null ? cells : `${sheet}!${cells}`;
}
