import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addOptions, createCustomField, listCustomFields } from "../../../worker/store/custom-fields.ts";
import { createTenant } from "../../../worker/store/tenants.ts";
import { type TestDb, testDb } from "../../helpers/db.ts";

let t: TestDb;
let tenantId: string;

beforeEach(async () => {
  t = await testDb();
  tenantId = (await createTenant(t.db, "T")).id;
  await createCustomField(
    t.db,
    tenantId,
    { key: "dept", label: "Dept", kind: "segment", visibility: "private" },
    ["Sales & Marketing"],
  );
});
afterEach(() => t.close());

describe("addOptions", () => {
  it("adds each new option once, by folded form, and says what matched what", async () => {
    const result = await addOptions(t.db, tenantId, "dept", [
      "marketing, SALES",
      "  Research   &  Development ",
      "development / RESEARCH",
      "Développement, recherche",
      "",
      "  ",
      "---",
    ]);
    expect(result.added).toEqual(["Research & Development", "Développement, recherche"]);
    expect(result.matched).toEqual([
      { value: "marketing, SALES", option: "Sales & Marketing" },
      { value: "development / RESEARCH", option: "Research & Development" },
    ]);
    expect(result.field.options).toEqual([
      "Développement, recherche",
      "Research & Development",
      "Sales & Marketing",
    ]);
  });

  it("is safe to paste twice at once: each option exists once", async () => {
    await Promise.all([
      addOptions(t.db, tenantId, "dept", ["Finance", "Legal"]),
      addOptions(t.db, tenantId, "dept", ["finance", "LEGAL"]),
    ]);
    const [field] = await listCustomFields(t.db, tenantId);
    expect(field?.options.filter((o) => /finance|legal/i.test(o))).toHaveLength(2);
  });

  it("refuses an unknown field and keeps tenants apart", async () => {
    const other = (await createTenant(t.db, "Other")).id;
    await expect(addOptions(t.db, other, "dept", ["x"])).rejects.toMatchObject({ code: "not_found" });
    expect(await listCustomFields(t.db, other)).toEqual([]);
  });
});
