// A tenant declared in code (an OfflineAuthTenant's arguments) compiles exactly as the same tenant in a stack
// file: the same state, and the same codes and messages, located by field path instead of line.
import { describe, expect, it } from "vitest";
import { parseYamlSource } from "../../src/diagnostics/yaml-source";
import {
  compileDeclaredTenant,
  type DeclaredTenant,
  fieldPath,
  formatComponentDiagnostic,
} from "../../src/pulumi/components/declared";
import { compileStack } from "../../src/stack/compile";
import { loadPolicySources } from "../../src/stack/load";
import { REPO_ROOT } from "../../src/toolchain/pulumi-cli";

const sources = loadPolicySources(REPO_ROOT);
const URL = "https://auth.example.com";

const clinic: DeclaredTenant = {
  key: "clinic",
  name: "Clinic",
  issuer: `${URL}/clinic`,
  preset: "high",
  overrides: { offline: { checkIn: "2h" } },
  applications: [
    {
      key: "ward-app",
      name: "Ward App",
      redirectUris: ["com.example.ward:/cb"],
      overrides: { offline: { grace: "2h" } },
    },
  ],
};

function fromFile(tenant: DeclaredTenant) {
  const text = JSON.stringify({
    config: { "fusionauth-offline-kit:url": URL, "fusionauth-offline-kit:tenants": [tenant] },
  });
  const { doc } = parseYamlSource({ path: "stacks/Pulumi.s.yaml", text });
  return compileStack({ stackName: "s", stack: doc, ...sources });
}

const declared = (tenant: DeclaredTenant) =>
  compileDeclaredTenant({ name: tenant.key, stackName: "s", url: URL, tenant, sources });

describe("a tenant declared in code", () => {
  it("breaks the same floors with the same codes and messages as in a stack file", () => {
    const inCode = declared(clinic).diagnostics;
    const inFile = fromFile(clinic).diagnostics;
    expect(inCode.filter((d) => d.severity === "error").length).toBeGreaterThanOrEqual(2);
    const key = (d: { code: string; message: string; pointer: string }) => `${d.pointer} ${d.code} ${d.message}`;
    expect(inCode.map(key).sort()).toEqual(inFile.map(key).sort());
    expect(inCode.map(formatComponentDiagnostic)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^OfflineAuthTenant "clinic": overrides\.offline\.checkIn: KIT_FLOOR_MAX /),
        expect.stringMatching(
          /^OfflineAuthTenant "clinic": applications\[0\]\.overrides\.offline\.grace: KIT_FLOOR_MAX /,
        ),
      ]),
    );
  });

  it("compiles to the state a stack file gives when a waiver covers the breach", () => {
    const waived: DeclaredTenant = {
      ...clinic,
      applications: [],
      waivers: [{ rule: "offline.checkIn.max", reason: "the clinic's wards have no network at night" }],
    };
    const inCode = declared(waived);
    expect(inCode.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    expect(inCode.state?.tenants[0]?.policy).toEqual(fromFile(waived).state?.tenants[0]?.policy);
    expect(inCode.state?.tenants[0]?.waivers.map((w) => w.rule)).toEqual(["offline.checkIn.max"]);
  });

  it("names a missing or mistyped field by its path", () => {
    const broken = { ...clinic, preset: "hihg", applications: [] } as DeclaredTenant;
    const lines = declared(broken).diagnostics.map(formatComponentDiagnostic);
    expect(lines).toEqual([
      expect.stringMatching(/^OfflineAuthTenant "clinic": preset: KIT_PRESET_UNKNOWN preset "hihg" does not exist/),
    ]);
  });

  it("turns pointers into field paths", () => {
    expect(fieldPath("/config/fusionauth-offline-kit:tenants/0/applications/1/overrides/offline/grace")).toBe(
      "applications[1].overrides.offline.grace",
    );
    expect(fieldPath("/config/fusionauth-offline-kit:tenants/0")).toBe("(the tenant)");
    expect(fieldPath("/config/fusionauth-offline-kit:url")).toBe("fusionauth-offline-kit:url (stack config)");
  });
});
