// The shape import accepts from each FusionAuth response: located problems, one per place, unknown fields free.
import { describe, expect, it } from "vitest";
import { checkResponse, jsonPath, kindOf } from "../../src/import/response-check";
import { validBodies } from "../../testkit/import/hostile-server";

const T = "0b7c8a52-3f4e-4d7a-9a61-2f0c6f5b1e01";

describe("checkResponse", () => {
  it("accepts FusionAuth's bodies, with fields the import does not read", () => {
    const b = validBodies();
    expect(checkResponse("/api/tenant", { ...b["/api/tenant"], extra: { anything: [1] } })).toEqual([]);
    expect(checkResponse("/api/application", b["/api/application"])).toEqual([]);
    expect(checkResponse("/api/key", b["/api/key"])).toEqual([]);
    expect(checkResponse("/api/key", {})).toEqual([]);
  });

  it("lists every problem with its JSON path and the kind of value found, one per place", () => {
    const body = {
      tenants: [
        { id: T, name: 5, jwtConfiguration: { timeToLiveInSeconds: -5, refreshTokenTimeToLiveInMinutes: "900" } },
        { name: "x" },
      ],
    };
    expect(checkResponse("/api/tenant", body)).toEqual([
      "tenants[0].name is the number 5, expected a string",
      "tenants[0].jwtConfiguration.timeToLiveInSeconds is the number -5, expected a whole number of at least 1",
      "tenants[0].jwtConfiguration.refreshTokenTimeToLiveInMinutes is a string of 3 character(s), expected a whole number",
      "tenants[1].id is missing",
    ]);
  });

  it("refuses what the stack file cannot hold through Pulumi's rewrite, and caps the list", () => {
    const apps = Array.from({ length: 12 }, () => ({ id: T, tenantId: T, name: "\nx" }));
    const out = checkResponse("/api/application", { applications: apps });
    expect(out[0]).toBe(
      "applications[0].name is a string of 2 character(s) that starts with a line break, which a stack file cannot hold through Pulumi's rewrite",
    );
    expect(out).toHaveLength(11);
    expect(out[10]).toBe("and 2 more");
  });

  it("names the path and kind as a reader expects", () => {
    expect(jsonPath("/tenants/3/jwtConfiguration/a~1b")).toBe("tenants[3].jwtConfiguration.a/b");
    expect(jsonPath("")).toBe("(the whole response)");
    expect([null, [], {}, true, 2, "ab"].map(kindOf)).toEqual([
      "null",
      "a list",
      "an object",
      "the boolean true",
      "the number 2",
      "a string of 2 character(s)",
    ]);
  });
});
