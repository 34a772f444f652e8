// One table per kind of sensitivity floor (max, allowed, required), plus waivers: code, message, line and column.
import { describe, expect, it } from "vitest";
import { compile, stackWith } from "./policy-fixture";

const FILE = "stacks/Pulumi.test.yaml";
const tail = "; change it or add a waiver with a reason";

const BREACHES = [
  {
    name: "max: offline grace at high",
    preset: "high",
    overrides: "offline:\n  grace: 45m",
    code: "KIT_FLOOR_MAX",
    message: `offline.grace (45m) exceeds the high level's maximum of 30m (rule offline.grace.max)${tail}`,
    line: 10,
    column: 18,
  },
  {
    name: "max: any offline grace at critical",
    preset: "critical",
    overrides: "offline:\n  grace: 1s",
    code: "KIT_FLOOR_MAX",
    message: `offline.grace (1s) exceeds the critical level's maximum of 0s (rule offline.grace.max)${tail}`,
    line: 10,
    column: 18,
  },
  {
    name: "max: access TTL at standard",
    preset: "standard",
    overrides: "accessToken:\n  ttl: 2h",
    code: "KIT_FLOOR_MAX",
    message: `accessToken.ttl (2h) exceeds the standard level's maximum of 1h (rule accessToken.ttl.max)${tail}`,
    line: 10,
    column: 16,
  },
  {
    name: "allowed: reusable refresh tokens at critical",
    preset: "critical",
    overrides: "refreshToken:\n  usage: Reusable",
    code: "KIT_FLOOR_ALLOWED",
    message: `refreshToken.usage Reusable is not allowed at the critical level (allowed: OneTimeUse) (rule refreshToken.usage.allowed)${tail}`,
    line: 10,
    column: 18,
  },
  {
    name: "allowed: degraded mode at critical",
    preset: "critical",
    overrides: "offline:\n  degradedMode: read-only",
    code: "KIT_FLOOR_ALLOWED",
    message: `offline.degradedMode read-only is not allowed at the critical level (allowed: none) (rule offline.degradedMode.allowed)${tail}`,
    line: 10,
    column: 25,
  },
  {
    name: "allowed: RSA at high",
    preset: "high",
    overrides: "accessToken:\n  algorithm: RS256",
    code: "KIT_FLOOR_ALLOWED",
    message: `accessToken.algorithm RS256 is not allowed at the high level (allowed: ES256, ES384, ES512, Ed25519) (rule accessToken.algorithm.allowed)${tail}`,
    line: 10,
    column: 22,
  },
  {
    name: "required: revoke on password change at high",
    preset: "high",
    overrides: "refreshToken:\n  revokeOn:\n    passwordChange: false",
    code: "KIT_FLOOR_REQUIRED",
    message: `refreshToken.revokeOn.passwordChange must be true at the high level (rule refreshToken.revokeOn.passwordChange.required)${tail}`,
    line: 11,
    column: 29,
  },
  {
    name: "required: revoke on login prevented at field",
    preset: "field",
    overrides: "refreshToken:\n  revokeOn:\n    loginPrevented: false",
    code: "KIT_FLOOR_REQUIRED",
    message: `refreshToken.revokeOn.loginPrevented must be true at the field level (rule refreshToken.revokeOn.loginPrevented.required)${tail}`,
    line: 11,
    column: 29,
  },
];

describe("floor breaches", () => {
  it.each(BREACHES.map((b) => [b.name, b] as const))("%s", (_n, b) => {
    const r = compile(stackWith(b.preset, b.overrides));
    const found = r.diagnostics.filter((d) => d.code === b.code);
    expect(
      found.map((d) => ({ severity: d.severity, file: d.file, line: d.line, column: d.column, message: d.message })),
    ).toEqual([{ severity: "error", file: FILE, line: b.line, column: b.column, message: b.message }]);
    expect(r.state).toBeUndefined();
  });

  it("an application on a stricter preset is judged on the keys it inherits from its tenant, at its preset", () => {
    const text = stackWith("standard").replace(
      "          redirectUris: [com.example.app:/cb]\n",
      "          redirectUris: [com.example.app:/cb]\n          preset: critical\n",
    );
    const r = compile(text);
    expect(r.lines).toEqual([
      `${FILE}:12:19: KIT_FLOOR_MAX keys.rotationPeriod (90d) exceeds the critical level's maximum of 30d (rule keys.rotationPeriod.max) (inherited from tenant "t1": FusionAuth holds it per tenant)${tail}`,
    ]);
  });
});

describe("waivers", () => {
  const waived = (rule: string, overrides = "offline:\n  grace: 45m") =>
    compile(
      stackWith(
        "high",
        overrides,
        `waivers:\n  - rule: ${rule}\n    reason: Approved in security review SR-1 for basement wards.`,
      ),
    );

  it("a waiver naming the broken rule lets it through, and the state records it", () => {
    const r = compile(
      stackWith(
        "high",
        "offline:\n  grace: 45m\n  checkIn: 1h",
        "waivers:\n  - rule: offline.grace.max\n    reason: Approved in security review SR-1 for basement wards.",
      ),
    );
    expect(r.lines).toEqual([]);
    const tenant = r.state?.tenants[0];
    expect(tenant?.waivers).toEqual([
      {
        rule: "offline.grace.max",
        reason: "Approved in security review SR-1 for basement wards.",
        breach: "offline.grace (45m) exceeds the high level's maximum of 30m (rule offline.grace.max)",
        file: FILE,
        line: 13,
        column: 17,
      },
    ]);
    expect(tenant?.policy.offline.graceSeconds).toBe(45 * 60);
    // The tenant's waiver covers its application, which inherits the override.
    expect(tenant?.applications[0]?.waivers.map((w) => w.rule)).toEqual(["offline.grace.max"]);
  });

  it("a waiver does not excuse an invariant", () => {
    const r = waived("offline.grace.max", "offline:\n  grace: 45m\nkeys:\n  retention: 1m");
    expect(r.lines).toContain(
      `${FILE}:12:22: KIT_INVARIANT_RETENTION keys.retention (1m) must cover max(accessToken.ttl + offline.grace, offline.checkIn) + offline.clockRollbackTolerance (1h5m), or a retired key disappears while its tokens are still accepted offline (full or degraded)`,
    );
  });

  it("a waiver naming an unknown rule is an error with a hint", () => {
    expect(waived("offline.grace.maxx").lines).toContain(
      `${FILE}:12:17: KIT_WAIVER_UNKNOWN_RULE waiver names rule "offline.grace.maxx", which the high level does not have; did you mean "offline.grace.max"?`,
    );
  });

  it("a waiver nothing needs is a warning", () => {
    const r = waived("offline.checkIn.max");
    expect(r.lines).toContain(
      `${FILE}:12:17: KIT_WARN_WAIVER_UNUSED waiver for rule "offline.checkIn.max" is not needed: nothing breaks it; remove it`,
    );
  });
});
