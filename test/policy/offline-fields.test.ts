// The offline fields of issue #13 (claims age, local unlock, MFA stand-in): each bad value gets a located error,
// `critical` allows no offline unlock, and no level goes below OWASP's Argon2id minimum.
import { describe, expect, it } from "vitest";
import { compile, stackWith } from "./policy-fixture";

const CASES: { name: string; preset: string; overrides: string; want: string[] }[] = [
  {
    name: "claimsMaxAge not a duration",
    preset: "standard",
    overrides: "offline:\n  claimsMaxAge: 2 days",
    want: [
      'stacks/Pulumi.test.yaml:10:25: KIT_DURATION_INVALID config.fusionauth-offline-kit:tenants[0].overrides.offline.claimsMaxAge: "2 days" is not a duration; write whole numbers with units d, h, m, s in that order, e.g. 90s, 15m, 1h30m, 7d',
    ],
  },
  {
    name: "claimsMaxAge zero",
    preset: "standard",
    overrides: "offline:\n  claimsMaxAge: 0s",
    want: ["stacks/Pulumi.test.yaml:10:25: KIT_DURATION_ZERO offline.claimsMaxAge must be greater than zero"],
  },
  {
    name: "claimsMaxAge above the high floor",
    preset: "high",
    overrides: "offline:\n  claimsMaxAge: 2h",
    want: [
      "stacks/Pulumi.test.yaml:10:25: KIT_FLOOR_MAX offline.claimsMaxAge (2h) exceeds the high level's maximum of 1h (rule offline.claimsMaxAge.max); change it or add a waiver with a reason",
      "stacks/Pulumi.test.yaml:10:25: KIT_WARN_CLAIMS_MAX_AGE_UNREACHED offline.claimsMaxAge (2h) is longer than accessToken.ttl + offline.grace + offline.checkIn (1h40m); no cached claims live that long, so they are never reported stale",
    ],
  },
  {
    name: "unknown unlock mode",
    preset: "standard",
    overrides: "offline:\n  localUnlock:\n    mode: face",
    want: [
      'stacks/Pulumi.test.yaml:11:19: KIT_SCHEMA_ENUM config.fusionauth-offline-kit:tenants[0].overrides.offline.localUnlock.mode must be one of none, biometric, pin, either; got "face"',
    ],
  },
  {
    name: "misspelt unlock key",
    preset: "standard",
    overrides: "offline:\n  localUnlock:\n    maxAttempt: 3",
    want: [
      'stacks/Pulumi.test.yaml:11:13: KIT_UNKNOWN_KEY unknown key "maxAttempt" in config.fusionauth-offline-kit:tenants[0].overrides.offline.localUnlock; did you mean "maxAttempts"?',
    ],
  },
  {
    name: "maxAttempts zero",
    preset: "standard",
    overrides: "offline:\n  localUnlock:\n    maxAttempts: 0",
    want: [
      "stacks/Pulumi.test.yaml:11:26: KIT_SCHEMA_RANGE config.fusionauth-offline-kit:tenants[0].overrides.offline.localUnlock.maxAttempts must be >= 1",
    ],
  },
  {
    name: "maxAttempts not a number",
    preset: "standard",
    overrides: "offline:\n  localUnlock:\n    maxAttempts: five",
    want: [
      'stacks/Pulumi.test.yaml:11:26: KIT_SCHEMA_TYPE config.fusionauth-offline-kit:tenants[0].overrides.offline.localUnlock.maxAttempts must be an integer, got "five"',
    ],
  },
  {
    name: "maxAttempts above the high floor",
    preset: "high",
    overrides: "offline:\n  localUnlock:\n    maxAttempts: 6",
    want: [
      "stacks/Pulumi.test.yaml:11:26: KIT_FLOOR_MAX offline.localUnlock.maxAttempts (6) exceeds the high level's maximum of 5 (rule offline.localUnlock.maxAttempts.max); change it or add a waiver with a reason",
    ],
  },
  {
    name: "argon2id memory below OWASP's minimum",
    preset: "field",
    overrides: "offline:\n  localUnlock:\n    argon2id:\n      memory: 16MiB",
    want: [
      "stacks/Pulumi.test.yaml:12:23: KIT_ARGON2ID_BELOW_MINIMUM offline.localUnlock.argon2id.memory is 16MiB: OWASP's minimum for Argon2id is 19MiB memory, 2 iterations, parallelism 1; raise it",
    ],
  },
  {
    name: "argon2id memory in decimal units",
    preset: "standard",
    overrides: "offline:\n  localUnlock:\n    argon2id:\n      memory: 19MB",
    want: [
      'stacks/Pulumi.test.yaml:12:23: KIT_SCHEMA_PATTERN config.fusionauth-offline-kit:tenants[0].overrides.offline.localUnlock.argon2id.memory: "19MB" is not a memory size: a whole number of KiB, MiB or GiB (binary units), e.g. 19MiB',
    ],
  },
  {
    name: "argon2id memory beyond a phone",
    preset: "standard",
    overrides: "offline:\n  localUnlock:\n    argon2id:\n      memory: 8GiB",
    want: [
      "stacks/Pulumi.test.yaml:12:23: KIT_SIZE_OUT_OF_RANGE offline.localUnlock.argon2id.memory is 8GiB, more than a phone can spare (at most 4GiB)",
    ],
  },
  {
    name: "argon2id one iteration",
    preset: "standard",
    overrides: "offline:\n  localUnlock:\n    argon2id:\n      iterations: 1",
    want: [
      "stacks/Pulumi.test.yaml:12:27: KIT_ARGON2ID_BELOW_MINIMUM offline.localUnlock.argon2id.iterations is 1: OWASP's minimum for Argon2id is 19MiB memory, 2 iterations, parallelism 1; raise it",
    ],
  },
  {
    name: "argon2id parallelism zero",
    preset: "standard",
    overrides: "offline:\n  localUnlock:\n    argon2id:\n      parallelism: 0",
    want: [
      "stacks/Pulumi.test.yaml:12:28: KIT_SCHEMA_RANGE config.fusionauth-offline-kit:tenants[0].overrides.offline.localUnlock.argon2id.parallelism must be >= 1",
    ],
  },
  {
    name: "unknown MFA stand-in",
    preset: "standard",
    overrides: "offline:\n  mfaStandIn: pin",
    want: [
      'stacks/Pulumi.test.yaml:10:23: KIT_SCHEMA_ENUM config.fusionauth-offline-kit:tenants[0].overrides.offline.mfaStandIn must be one of refuse, local-unlock; got "pin"',
    ],
  },
  {
    name: "critical allows no offline unlock",
    preset: "critical",
    overrides: "offline:\n  localUnlock:\n    mode: biometric",
    want: [
      "stacks/Pulumi.test.yaml:11:19: KIT_FLOOR_ALLOWED offline.localUnlock.mode biometric is not allowed at the critical level (allowed: none) (rule offline.localUnlock.mode.allowed); change it or add a waiver with a reason",
    ],
  },
  {
    name: "critical allows no MFA stand-in",
    preset: "critical",
    overrides: "offline:\n  mfaStandIn: local-unlock\n  localUnlock:\n    mode: pin",
    want: [
      "stacks/Pulumi.test.yaml:10:23: KIT_FLOOR_ALLOWED offline.mfaStandIn local-unlock is not allowed at the critical level (allowed: refuse) (rule offline.mfaStandIn.allowed); change it or add a waiver with a reason",
      "stacks/Pulumi.test.yaml:12:19: KIT_FLOOR_ALLOWED offline.localUnlock.mode pin is not allowed at the critical level (allowed: none) (rule offline.localUnlock.mode.allowed); change it or add a waiver with a reason",
    ],
  },
  {
    name: "a stand-in needs an unlock",
    preset: "standard",
    overrides: "offline:\n  localUnlock:\n    mode: none",
    want: [
      "stacks/Pulumi.test.yaml:11:19: KIT_INVARIANT_STANDIN_WITHOUT_UNLOCK offline.mfaStandIn is local-unlock but offline.localUnlock.mode is none: no local unlock can stand in for MFA; set mfaStandIn to refuse or choose an unlock mode",
    ],
  },
];

describe("offline fields: located errors", () => {
  it.each(CASES.map((c) => [c.name, c] as const))("%s", (_n, c) => {
    const r = compile(stackWith(c.preset, c.overrides));
    expect(r.lines).toEqual(c.want);
    if (c.want.some((l) => / KIT_(?!WARN_)/.test(l))) expect(r.state).toBeUndefined();
  });
});

describe("offline fields: presets", () => {
  it("resolve into the effective policy, with Argon2id memory in KiB", () => {
    const r = compile(stackWith("standard"));
    expect(r.lines).toEqual([]);
    const o = r.state?.tenants[0]?.policy.offline;
    expect(o).toMatchObject({
      claimsMaxAgeSeconds: 24 * 3600,
      localUnlock: { mode: "either", maxAttempts: 10, argon2id: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } },
      mfaStandIn: "local-unlock",
    });
  });

  it.each([
    ["critical", "none", "refuse"],
    ["high", "either", "refuse"],
    ["standard", "either", "local-unlock"],
    ["field", "either", "local-unlock"],
  ])("%s: unlock %s, MFA stand-in %s, at least OWASP's Argon2id", (preset, mode, standIn) => {
    const r = compile(stackWith(preset));
    expect(r.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
    const o = r.state?.tenants[0]?.policy.offline;
    expect(o?.localUnlock.mode).toBe(mode);
    expect(o?.mfaStandIn).toBe(standIn);
    expect(o?.localUnlock.argon2id.memoryKiB).toBeGreaterThanOrEqual(19 * 1024);
    expect(o?.localUnlock.argon2id.iterations).toBeGreaterThanOrEqual(2);
  });

  it("a waiver cannot lower Argon2id below OWASP's minimum: there is no such rule to waive", () => {
    const r = compile(
      stackWith(
        "field",
        "offline:\n  localUnlock:\n    argon2id:\n      iterations: 1",
        "waivers:\n  - rule: offline.localUnlock.argon2id.iterations.min\n    reason: Old rugged devices are too slow for two passes.",
      ),
    );
    expect(r.diagnostics.map((d) => d.code)).toContain("KIT_ARGON2ID_BELOW_MINIMUM");
    expect(r.state).toBeUndefined();
  });
});
