// A roster's mapped values kept by column, compactly. Most columns repeat a few values
// (departments, titles, countries, statuses, managers, dates): each distinct value is kept once and
// every row holds a code, one or two bytes while the values are few. A column whose values turn out
// nearly all new (emails, employee ids, phones) stops looking them up and keeps one value per row.
// A value is what the row's JSON holds: text, a list (a role column), or null.

/** A mapped value; anything else a mapping gives is kept as the row's JSON holds it. */
export type Value = string | string[];

/** A column of core-field values, which are always text. */
export interface TextColumn {
  at: (r: number) => string | null;
}

type Codes = Uint8Array | Uint16Array | Uint32Array;

// Every WINDOW values, a column that found at least 15 in 16 of them new keeps values per row from
// then on. A long window, so that early rows of a column whose values repeat later (hire dates over
// decades) do not look unique.
const WINDOW = 4096;

export class Column {
  private rows = 0;
  /** By code (0: null) while the column is a dictionary; by row once it is plain. */
  private values: (Value | null)[] = [null];
  /** Each row's code; null once the column is plain. */
  private codes: Codes | null = new Uint8Array(64);
  /** Codes by value while rows are added: text by itself, anything else by its JSON. */
  private byText: Map<string, number> | null = new Map();
  private byJson: Map<string, number> | null = new Map();
  /** The largest code `codes` holds. */
  private widest = 0xff;
  private seen = 0;
  private fresh = 0;

  /** Adds a row's value; returns the column's copy of it. */
  push(value: Value | null): Value | null {
    const r = this.rows++;
    if (this.codes === null) {
      const copy = value === null ? null : kept(value);
      this.values.push(copy);
      return copy;
    }
    if (r === this.codes.length) this.codes = grown(this.codes);
    if (value === null) return null;
    const code = this.codeOf(value);
    if (code > this.widest) this.widen();
    this.codes[r] = code;
    const copy = this.values[code] ?? null;
    if (++this.seen === WINDOW) this.review();
    return copy;
  }

  at(r: number): Value | null {
    const codes = this.codes;
    return (codes === null ? this.values[r] : this.values[codes[r] as number]) ?? null;
  }

  /** Rows are all added: what only adding needs is dropped. */
  finish(): void {
    if (this.codes) this.codes = this.codes.slice(0, this.rows);
    this.byText = null;
    this.byJson = null;
  }

  /** The column's values, each once (a plain column's: one per row), as codeAt indexes them. */
  get dictionary(): readonly (Value | null)[] {
    return this.values;
  }

  codeAt(r: number): number {
    return this.codes === null ? r : (this.codes[r] as number);
  }

  /** A finished column whose rows hold `dictionary[codeAt(r)]`: this one's rows, other values. */
  recoded(dictionary: (Value | null)[]): Column {
    const column = new Column();
    column.rows = this.rows;
    column.values = dictionary;
    column.codes = this.codes;
    column.finish();
    return column;
  }

  private codeOf(value: Value): number {
    const text = typeof value === "string";
    const key = text ? value : JSON.stringify([value]);
    const byKey = (text ? this.byText : this.byJson) as Map<string, number>;
    const known = byKey.get(key);
    if (known !== undefined) return known;
    const code = this.values.length;
    const copy = kept(value);
    this.values.push(copy);
    byKey.set(text ? (copy as string) : key, code);
    this.fresh++;
    return code;
  }

  private widen(): void {
    const codes = this.codes as Codes;
    const wider = this.widest === 0xff ? new Uint16Array(codes.length) : new Uint32Array(codes.length);
    wider.set(codes);
    this.codes = wider;
    this.widest = this.widest === 0xff ? 0xffff : 0xffffffff;
  }

  private review(): void {
    if (this.fresh * 16 >= WINDOW * 15) this.becomePlain();
    this.seen = 0;
    this.fresh = 0;
  }

  private becomePlain(): void {
    const { codes, values } = this;
    const rows: (Value | null)[] = new Array(this.rows);
    for (let r = 0; r < this.rows; r++) rows[r] = values[(codes as Codes)[r] as number] ?? null;
    this.values = rows;
    this.codes = null;
    this.byText = null;
    this.byJson = null;
  }
}

/** A finished column with no values: every row's is null. */
export function emptyColumn(): Column {
  const column = new Column();
  column.finish();
  return column;
}

/**
 * A value copied out of the reader's text, as the row's JSON holds it. Cells are slices of that
 * text, and a kept slice would keep it all. V8 copies substrings under 13 characters itself; a
 * longer one goes through JSON, which gives a flat string of its own (one byte a character when it
 * can be), where slicing a concatenation would give a slice of a copy. A list, or anything odd a
 * mapping gives, is read back from its JSON as the row's JSON always held it.
 */
function kept(value: Value): Value | null {
  if (typeof value !== "string") return (JSON.parse(JSON.stringify([value])) as (Value | null)[])[0] ?? null;
  return value.length < 13 ? value : (JSON.parse(JSON.stringify(value)) as string);
}

/** A typed array twice as long, holding the same numbers first. */
export function grown<T extends Codes | Int32Array | Float64Array>(array: T): T {
  const bigger = new (array.constructor as new (length: number) => T)(array.length * 2);
  bigger.set(array);
  return bigger;
}
