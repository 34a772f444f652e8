// The stack's `apiKeys` are checked when the stack compiles (so `fakit validate`, `fakit plan` and `up` all refuse a
// bad declaration before anything is applied), each mistake at its file, line and field.
import { describe, expect, it } from "vitest";
import { tenantId } from "../../src/fusionauth/ids";
import { compile, stackWith } from "../policy/policy-fixture";

/** The one-tenant stack (tenant `t1`, 11 lines) with `apiKeys` given as YAML list items (4 spaces). */
const withKeys = (...items: string[]) =>
  `${stackWith("standard")}  fusionauth-offline-kit:apiKeys:\n${items.map((i) => `    - ${i}`).join("\n")}\n`;

describe("a stack's apiKeys", () => {
  it("compile to the declared keys, in order, a tenant-locked one with its tenant's id", () => {
    const r = compile(withKeys("role: import", "role: revoke", "{role: revoke, tenant: t1}"));
    expect(r.lines).toEqual([]);
    expect(r.state?.apiKeys).toEqual([
      { role: "import", label: "import" },
      { role: "revoke", label: "revoke" },
      { role: "revoke", label: "revoke/t1", tenant: { key: "t1", id: tenantId("test", "t1") } },
    ]);
  });

  it("are none when the stack declares none", () => {
    expect(compile(stackWith("standard")).state?.apiKeys).toEqual([]);
  });

  it("refuse a tenant the stack does not declare, at its line, naming the stack's tenants", () => {
    const r = compile(withKeys("role: import", "{role: revoke, tenant: t2}"));
    expect(r.state).toBeUndefined();
    expect(r.lines).toEqual([
      'stacks/Pulumi.test.yaml:14:30: KIT_UNKNOWN_REFERENCE apiKeys[1].tenant "t2" is no tenant of this stack (t1): name one of them, or delete tenant for a key of every tenant; did you mean "t1"?',
    ]);
  });

  it("refuse a key declared twice (one FusionAuth key), global or tenant-locked", () => {
    const r = compile(
      withKeys("role: import", "role: import", "{role: revoke, tenant: t1}", "{role: revoke, tenant: t1}"),
    );
    expect(r.state).toBeUndefined();
    expect(r.diagnostics.map((d) => [d.code, d.line, d.pointer])).toEqual([
      ["KIT_DUPLICATE_KEY", 14, "/config/fusionauth-offline-kit:apiKeys/1"],
      ["KIT_DUPLICATE_KEY", 16, "/config/fusionauth-offline-kit:apiKeys/3"],
    ]);
    expect(r.lines[1]).toContain("the revoke/t1 key is declared twice");
  });

  it("refuse a tenant on the import key (it reads every tenant), at its line", () => {
    const r = compile(withKeys("{role: import, tenant: t1}"));
    expect(r.state).toBeUndefined();
    expect(r.lines).toEqual([
      "stacks/Pulumi.test.yaml:13:30: KIT_DECLARATION_INVALID apiKeys[0].tenant: the import key cannot be locked to a tenant (fakit import reads every tenant); delete tenant",
    ]);
  });
});
