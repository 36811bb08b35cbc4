// A roster column gives back every row's value as it was added, whether it keeps values once each
// (with codes as wide as the number of values needs) or, once they turn out nearly all new, one
// per row.
import { describe, expect, it } from "vitest";
import { Column, emptyColumn, type Value } from "../../../worker/engine/columns.ts";

function filled(values: (Value | null)[]): Column {
  const column = new Column();
  for (const value of values) column.push(value);
  column.finish();
  return column;
}

const rowsOf = (column: Column, size: number) => Array.from({ length: size }, (_, r) => column.at(r));

describe("Column", () => {
  it("gives back text, lists and nulls, keeping repeated values once", () => {
    const values = ["a", null, ["x", "y"], "a", ["x", "y"], "a long value of its own", null, "a"];
    const column = filled(values);
    expect(rowsOf(column, values.length)).toStrictEqual(values);
    expect(column.dictionary).toStrictEqual([null, "a", ["x", "y"], "a long value of its own"]);
  });

  it("keeps values past 255 and 65,535 distinct ones", () => {
    const values = Array.from({ length: 70_000 }, (_, r) => (r % 3 === 0 ? `v${r % 66_000}` : "same"));
    const column = filled(values);
    expect(rowsOf(column, values.length)).toStrictEqual(values);
    expect(column.dictionary.length).toBeLessThan(values.length);
  });

  it("keeps one value per row once its values turn out nearly all new, from then on", () => {
    const values = Array.from({ length: 20_000 }, (_, r) =>
      r < 2_000 ? ["Ops", "Sales"][r % 2] : `person ${r}`,
    );
    const column = filled(values as string[]);
    expect(rowsOf(column, values.length)).toStrictEqual(values);
    expect(column.dictionary.length).toBe(values.length);
  });

  it("keeps hire dates as codes, though its first rows bring mostly new ones", () => {
    // 20 years of days, drawn at random: about 4 in 5 of the first rows are new.
    let seed = 1;
    const day = () => {
      seed = (seed * 48_271) % 2_147_483_647;
      return seed % 7_300;
    };
    const values = Array.from({ length: 20_000 }, () =>
      new Date(Date.UTC(2000, 0, 1 + day())).toISOString().slice(0, 10),
    );
    const column = filled(values);
    expect(rowsOf(column, values.length)).toStrictEqual(values);
    expect(column.dictionary.length).toBeLessThan(7_302);
  });

  it("keeps what a value is as the row's JSON holds it", () => {
    const odd = [() => 1, Object.prototype, ["a", undefined]] as unknown as Value[];
    expect(rowsOf(filled(odd), 3)).toStrictEqual([null, {}, ["a", null]]);
  });

  it("recodes a finished column's values, row for row", () => {
    const column = filled(["1/2/2020", null, "1/2/2020", "3/4/2020"]);
    const recoded = column.recoded(column.dictionary.map((v) => (v === null ? null : `read ${v}`)));
    expect(rowsOf(recoded, 4)).toStrictEqual(["read 1/2/2020", null, "read 1/2/2020", "read 3/4/2020"]);
    expect(emptyColumn().at(3)).toBeNull();
  });
});
