import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../worker/cursor.ts";
import { AppError } from "../../worker/errors.ts";

describe("keyset cursors", () => {
  it("round-trip their key, URL-safe", () => {
    const cursor = encodeCursor("members", ["2026-03-02T09:30:00.000Z", "ü/id+?"]);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor("members", cursor, 2)).toEqual(["2026-03-02T09:30:00.000Z", "ü/id+?"]);
  });

  it("refuse a cursor of another list, another shape, or garbage, naming the query field", () => {
    const members = encodeCursor("members", ["a", "b"]);
    for (const [kind, cursor, arity] of [
      ["sync-runs", members, 2],
      ["members", members, 3],
      ["members", "not base64!", 2],
      ["members", btoa("[1,2"), 2],
      ["members", encodeCursor("members", [{} as never, "b"]), 2],
    ] as const) {
      try {
        decodeCursor(kind, cursor, arity);
        expect.unreachable();
      } catch (error) {
        expect(error).toBeInstanceOf(AppError);
        expect((error as AppError).details[0]?.field).toBe("query.cursor");
      }
    }
  });
});
