// The keys import gives tenants and applications: known keys kept, slugs stable whatever order FusionAuth lists.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assignKeys, slugOf } from "../../src/import/keys";

const obj = (id: string, name: string) => ({ id, name });

describe("assignKeys", () => {
  it("keeps a key a stack file gives (field-ops, not field-operations from the name)", () => {
    const keys = assignKeys([obj("t1", "Field Operations")], new Map([["t1", "field-ops"]]));
    expect(keys.get("t1")).toBe("field-ops");
    expect(assignKeys([obj("t1", "Field Operations")]).get("t1")).toBe("field-operations");
  });

  it("gives a slug to an object whose known key another object already holds, or that is not a slug", () => {
    const keys = assignKeys(
      [obj("a", "Alpha"), obj("b", "Beta"), obj("c", "Gamma")],
      new Map([
        ["a", "shared"],
        ["b", "shared"],
        ["c", "Not A Slug"],
      ]),
    );
    expect([keys.get("a"), keys.get("b"), keys.get("c")]).toEqual(["shared", "beta", "gamma"]);
  });

  it("a name slugged to a known key gets a suffix, never the known object's key", () => {
    const keys = assignKeys([obj("x", "Crews"), obj("known", "Other")], new Map([["known", "crews"]]));
    expect(keys.get("known")).toBe("crews");
    expect(keys.get("x")).toBe("crews-2");
  });

  it("is the same whatever order FusionAuth lists the objects in, and every key is a unique slug", () => {
    const objects = fc.uniqueArray(
      fc.record({ id: fc.uuid(), name: fc.constantFrom("Crews", "crews", "App", "2024") }),
      {
        selector: (o) => o.id,
        maxLength: 8,
      },
    );
    fc.assert(
      fc.property(objects, fc.nat(), (list, shift) => {
        const rotated = [...list.slice(shift % (list.length || 1)), ...list.slice(0, shift % (list.length || 1))];
        const a = assignKeys(list);
        expect(assignKeys([...rotated].reverse())).toEqual(a);
        const values = [...a.values()];
        expect(new Set(values).size).toBe(values.length);
        for (const k of values) expect(k).toMatch(/^[a-z][a-z0-9-]{0,62}$/);
      }),
      { seed: 24 },
    );
  });

  it("slugOf still makes a slug of any name", () => {
    expect(slugOf("2024 Pilot", new Set())).toBe("t-2024-pilot");
  });
});
