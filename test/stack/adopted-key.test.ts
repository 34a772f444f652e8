import { describe, expect, it } from "vitest";
import { compile, stackWith } from "../policy/policy-fixture";

const TENANT_ID = "0b7c8a52-3f4e-4d7a-9a61-2f0c6f5b1e01";
const KEY_ID = "5A6B7C8D-9E0F-4A1B-8C2D-3E4F5A6B7C8D";

/** The standard preset with `keys.adopted` (rotateFrom on line 12), on an adopted tenant unless `id` is null. */
function adopting(rotateFrom: string, id: string | null = TENANT_ID) {
  const lines = ["keys:", "  adopted:", `    id: ${KEY_ID}`, `    rotateFrom: ${rotateFrom}`];
  return compile(stackWith("standard", "", [...(id === null ? [] : [`id: ${id}`]), ...lines].join("\n")));
}

describe("a tenant's keys.adopted", () => {
  it("compiles into the adopted key id (lower case) and rotateFrom in seconds", () => {
    const r = adopting('"2027-05-30T04:40:00Z"');
    expect(r.lines).toEqual([]);
    expect(r.state?.tenants[0]?.adoptedKey).toEqual({
      id: KEY_ID.toLowerCase(),
      rotateFrom: Date.UTC(2027, 4, 30, 4, 40) / 1000,
    });
  });

  it("is null for a tenant without the block", () => {
    expect(compile(stackWith("standard")).state?.tenants[0]?.adoptedKey).toBeNull();
  });

  it.each([
    [
      "on a tenant without id (nothing to adopt)",
      adopting('"2027-05-30T04:40:00Z"', null),
      'stacks/Pulumi.test.yaml:10:11: KIT_ADOPTED_KEY_NOT_ADOPTED tenant "t1" has keys.adopted but no id: only a tenant that existed before the kit (adopted by its id) has a key to adopt; add the tenant\'s id or delete keys.adopted',
    ],
    [
      "a date that does not exist",
      adopting('"2027-02-30T04:40:00Z"'),
      'stacks/Pulumi.test.yaml:12:23: KIT_ADOPTED_KEY_ROTATE_FROM_INVALID keys.adopted.rotateFrom "2027-02-30T04:40:00Z" is not a real time',
    ],
  ])("refuses keys.adopted %s with a located error and no state", (_name, r, line) => {
    expect(r.state).toBeUndefined();
    expect(r.lines).toEqual([line]);
  });

  it.each([
    ["as Pulumi's YAML 1.1 rewrite leaves a bare time", "2027-05-30 04:40:00 +0000 UTC"],
    ["without a zone", '"2027-05-30T04:40:00"'],
  ])("refuses a rotateFrom %s through the schema, located", (_name, value) => {
    const r = adopting(value);
    expect(r.state).toBeUndefined();
    expect(r.lines.join("\n")).toMatch(/^stacks\/Pulumi\.test\.yaml:12:23: KIT_SCHEMA_PATTERN .*adopted\.rotateFrom/);
  });
});
