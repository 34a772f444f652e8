import { describe, expect, it } from "vitest";
import { compile, stackWith } from "../policy/policy-fixture";

/** The standard preset (K = 90 days, one key published ahead) with `keys.revoked` entries. */
function revoking(...entries: { generation: number | string; at?: string; reason?: string }[]) {
  const lines = ["keys:", "  revoked:"];
  for (const e of entries) {
    lines.push(`    - generation: ${e.generation}`);
    lines.push(`      reason: ${e.reason ?? "signing key leaked in a CI log"}`);
    lines.push(`      at: ${e.at ?? "2026-01-11T09:30:00Z"}`);
  }
  return compile(stackWith("standard", "", lines.join("\n")));
}

describe("a tenant's keys.revoked", () => {
  it("compiles into the tenant's revoked generations, times in seconds", () => {
    const r = revoking({ generation: 0 });
    expect(r.lines).toEqual([]);
    expect(r.state?.tenants[0]?.revokedKeys).toEqual([
      { generation: 0, reason: "signing key leaked in a CI log", at: Date.UTC(2026, 0, 11, 9, 30) / 1000 },
    ]);
  });

  it("is empty for a tenant that revokes nothing", () => {
    expect(compile(stackWith("standard")).state?.tenants[0]?.revokedKeys).toEqual([]);
  });

  it.each([
    [
      "a generation the tenant never published by then",
      [{ generation: 5 }],
      'stacks/Pulumi.test.yaml:10:25: KIT_REVOKED_UNKNOWN_GENERATION tenant "t1" never published generation 5 by 2026-01-11T09:30:00Z: its schedule had reached generation 1 then; check the generation with `fakit plan --live`',
    ],
    [
      "every key that could sign",
      [{ generation: 0 }, { generation: 1 }],
      'stacks/Pulumi.test.yaml:13:25: KIT_REVOKED_ONLY_KEY revoking generations 0, 1 leaves tenant "t1" no key to sign at 2026-01-11T09:30:00Z: generations 0 to 1 are all revoked; keep one of them',
    ],
    [
      "the same generation twice",
      [{ generation: 0 }, { generation: 0, at: "2026-01-12T00:00:00Z" }],
      "stacks/Pulumi.test.yaml:13:25: KIT_REVOKED_DUPLICATE generation 0 is already revoked at keys.revoked[0]; list it once",
    ],
    [
      "a date that does not exist",
      [{ generation: 0, at: "2026-02-31T00:00:00Z" }],
      'stacks/Pulumi.test.yaml:12:17: KIT_REVOKED_AT_INVALID keys.revoked[0].at "2026-02-31T00:00:00Z" is not a real time',
    ],
  ])("refuses %s with a located error and no state", (_name, entries, line) => {
    const r = revoking(...entries);
    expect(r.state).toBeUndefined();
    expect(r.lines).toEqual([line]);
  });

  it("refuses a time without a zone through the schema", () => {
    const r = revoking({ generation: 0, at: "2026-01-11" });
    expect(r.state).toBeUndefined();
    expect(r.lines.join("\n")).toMatch(/^stacks\/Pulumi\.test\.yaml:12:\d+: \S+ .*revoked\[0\]\.at/);
  });
});
