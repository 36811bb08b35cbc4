// The deprovisioning guard judged lazily: the hub's active members are counted only when the
// verdict depends on them, and the verdict is the one a count would give.
import { describe, expect, it } from "vitest";
import { activeToJudge, guardVerdict } from "../../../worker/engine/guard.ts";

describe("activeToJudge", () => {
  it("does not count the hub while the floor alone allows the plan's deprovisions", async () => {
    let counted = 0;
    const count = async () => {
      counted++;
      return 5_000;
    };
    const guard = { percent: 10, floor: 10, ceiling: 500 };
    expect(await activeToJudge(0, guard, count)).toBe(0);
    expect(await activeToJudge(10, guard, count)).toBe(0);
    expect(counted).toBe(0);
    expect(await activeToJudge(11, guard, count)).toBe(5_000);
    expect(counted).toBe(1);
  });

  it("gives the verdict a count would, for any guard and hub", async () => {
    for (const guard of [
      { percent: 10, floor: 10, ceiling: 500 },
      { percent: 20, floor: 0, ceiling: 50 },
      { percent: 5, floor: 30, ceiling: 3 },
    ]) {
      for (const active of [0, 1, 9, 40, 100, 2_000]) {
        for (const deprovisions of [0, 1, 2, 3, 5, 10, 11, 30, 51, 200]) {
          const judged = await activeToJudge(deprovisions, guard, async () => active);
          const lazy = guardVerdict(deprovisions, judged, guard);
          expect(lazy.blocked).toBe(guardVerdict(deprovisions, active, guard).blocked);
          // Uncounted, the limit shown is one the plan is within.
          if (judged !== active) expect(lazy.deprovisions).toBeLessThanOrEqual(lazy.limit);
        }
      }
    }
  });
});
