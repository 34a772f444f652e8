import { readFileSync } from "node:fs";
import { join } from "node:path";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applicationId, KIT_ID_NAMESPACE, keyId, tenantId } from "../../src/fusionauth/ids";
import { formatDuration } from "../../src/lib/duration";
import { buildPlanReport } from "../../src/plan/report";
import { compile, REPO, stackWith } from "../policy/policy-fixture";

const stackText = (name: string) => readFileSync(join(REPO, "stacks", `Pulumi.${name}.yaml`), "utf8");

describe("the example stack", () => {
  const r = compile(stackText("example"), { stackName: "example" });
  const state = r.state;
  const tenant = (key: string) => state?.tenants.find((t) => t.key === key);

  it("compiles without errors or warnings", () => {
    expect(r.lines).toEqual([]);
    expect(state?.url).toBe("https://auth.example.com");
    expect(state?.apiKey).toBe("absent");
  });

  it("shows a revocation lag of 24h15m for its standard tenant", () => {
    const t = tenant("workforce");
    expect(t?.preset).toBe("standard");
    expect(formatDuration(t?.figures.revocationLagSeconds ?? -1)).toBe("24h15m");
    expect(t?.figures).toMatchObject({
      degradedRunwaySeconds: 7 * 86_400,
      longestSessionSeconds: 90 * 86_400,
      keyPublicationLeadSeconds: 90 * 86_400,
    });
  });

  it("gives an application on its own preset its own jwtConfiguration but the tenant's keys", () => {
    const inspector = tenant("workforce")?.applications.find((a) => a.key === "inspector");
    const crew = tenant("workforce")?.applications.find((a) => a.key === "crew-app");
    expect(inspector?.ownJwtConfiguration).toBe(true);
    expect(inspector?.policy.accessToken.ttlSeconds).toBe(30 * 60);
    expect(inspector?.policy.keys).toEqual(tenant("workforce")?.policy.keys);
    expect(crew?.ownJwtConfiguration).toBe(false);
  });

  it("derives the tenant's key retention to cover its longest-lived application (max(A + G, C) + S of field)", () => {
    expect(tenant("workforce")?.policy.keys.retentionSeconds).toBe(14 * 86_400 + 5 * 60);
  });

  it("records the documented override and the waiver with its reason", () => {
    const patients = tenant("patients");
    expect(patients?.overrides).toEqual([
      { path: "offline.checkIn", value: "45m", file: "stacks/Pulumi.test.yaml", line: 38, column: 20 },
    ]);
    const ward = patients?.applications[0];
    expect(ward?.ownJwtConfiguration).toBe(false);
    expect(ward?.waivers.map((w) => w.rule)).toEqual(["offline.degradedMode.allowed"]);
    expect(ward?.policy.offline.degradedMode).toBe("read-and-queue-writes");
  });
});

describe("the local stack", () => {
  it("targets the emulator with a field and a high tenant", () => {
    const r = compile(stackText("local"), { stackName: "local" });
    expect(r.lines).toEqual([]);
    expect(r.state?.url).toBe("http://localhost:9011");
    expect(r.state?.tenants.map((t) => [t.key, t.preset, t.applications.map((a) => a.key)])).toEqual([
      ["field-ops", "field", ["inspector"]],
      ["clinic", "high", ["ward-app"]],
    ]);
  });
});

describe("ids", () => {
  it("derives UUIDv5 ids from project, stack and keys", () => {
    const a = tenantId("local", "clinic");
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(tenantId("local", "clinic")).toBe(a);
    expect(tenantId("example", "clinic")).not.toBe(a);
    expect(applicationId("local", "clinic", "ward-app")).not.toBe(applicationId("local", "clinic", "other"));
    expect(keyId("local", "clinic", 0)).not.toBe(keyId("local", "clinic", 1));
    expect(() => keyId("local", "clinic", -1)).toThrow(RangeError);
    expect(KIT_ID_NAMESPACE).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("adopts a given id instead of deriving one", () => {
    const id = "2B2C2F4E-0000-4000-8000-000000000001";
    const r = compile(stackWith("standard", "", `id: ${id}`));
    expect(r.state?.tenants[0]).toMatchObject({ id: id.toLowerCase(), adopted: true });
    expect(r.state?.tenants[0]?.applications[0]).toMatchObject({
      id: applicationId("test", "t1", "app"),
      adopted: false,
    });
  });
});

describe("compilation is deterministic", () => {
  const presets = ["critical", "high", "standard", "field"] as const;
  const tenantArb = fc.record({
    preset: fc.constantFrom(...presets),
    appPreset: fc.option(fc.constantFrom(...presets), { nil: undefined }),
    ttl: fc.option(fc.constantFrom("1m", "2m", "5m"), { nil: undefined }),
    apps: fc.integer({ min: 0, max: 3 }),
  });

  it("the same inputs compile to byte-identical output, twice and from a fresh parse", () => {
    fc.assert(
      fc.property(
        fc.array(tenantArb, { minLength: 1, maxLength: 4 }),
        fc.constantFrom("local", "example", "prod-eu"),
        (tenants, stackName) => {
          const lines = [
            "config:",
            "  fusionauth-offline-kit:url: https://auth.example.com",
            "  fusionauth-offline-kit:tenants:",
          ];
          tenants.forEach((t, i) => {
            lines.push(
              `    - key: t${i}`,
              `      name: T${i}`,
              `      issuer: https://auth.example.com/t${i}`,
              `      preset: ${t.preset}`,
            );
            if (t.ttl !== undefined) lines.push("      overrides:", "        accessToken:", `          ttl: ${t.ttl}`);
            lines.push("      applications:");
            for (let j = 0; j < t.apps; j++) {
              lines.push(`        - key: a${j}`, `          name: A${j}`, "          redirectUris: [com.example:/cb]");
              if (t.appPreset !== undefined) lines.push(`          preset: ${t.appPreset}`);
            }
            if (t.apps === 0) lines.push("        []");
          });
          const text = `${lines.join("\n")}\n`;
          const first = compile(text, { stackName });
          const second = compile(text, { stackName });
          expect(JSON.stringify(second)).toBe(JSON.stringify(first));
          if (first.state !== undefined) {
            const now = new Date("2025-01-01T00:00:00Z");
            expect(JSON.stringify(buildPlanReport(second.state as NonNullable<typeof second.state>, now))).toBe(
              JSON.stringify(buildPlanReport(first.state, now)),
            );
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});

describe("a compiled policy", () => {
  it("is read-only: changing it downstream throws instead of silently diverging from the plan", () => {
    const state = compile(stackText("example"), { stackName: "example" }).state;
    const tenant = state?.tenants[0];
    const app = tenant?.applications[0];
    expect(tenant).toBeDefined();
    expect(() => {
      (tenant?.policy.keys as { retentionSeconds: number }).retentionSeconds = 1;
    }).toThrow(TypeError);
    expect(() => {
      (app?.policy.refreshToken.revokeOn as { loginPrevented: boolean }).loginPrevented = false;
    }).toThrow(TypeError);
    expect(() => {
      (app?.policy as { preset: string }).preset = "other";
    }).toThrow(TypeError);
  });
});
