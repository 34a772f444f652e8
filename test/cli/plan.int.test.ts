// `fakit plan` spawned as a process: text and JSON output, exit codes.
import { describe, expect, it } from "vitest";
import { fakit, scratchRepo } from "./cli-fixture";

const NOW = "2025-03-01T12:00:00Z";

describe("fakit plan", () => {
  it("prints effective settings, figures, overrides, waivers and the NIST note of the example stack", () => {
    const r = fakit(["plan", "--stack", "example", "--now", NOW]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    const out = r.stdout;
    expect(out).toContain(
      'tenant workforce "Workforce": preset standard (level standard), issuer https://auth.example.com/workforce',
    );
    expect(out).toContain("    revocation lag         24h15m\n");
    expect(out).toContain("  access token      15m, ES256\n");
    // Issue #13: the offline unlock, claims age and MFA stand-in of each policy.
    expect(out).toContain(
      "  offline unlock    biometric or PIN, session wiped after 10 failed attempt(s), Argon2id 19MiB, 2 iterations, parallelism 1\n",
    );
    expect(out).toContain("  offline trust     claims stale after 24h; MFA offline: a local unlock stands in\n");
    expect(out).toContain("  offline trust     claims stale after 30m; MFA offline: actions needing MFA refused\n");
    expect(out).toContain("  override  offline.checkIn = 45m  (stacks/Pulumi.example.yaml:38:20)");
    expect(out).toContain("    waiver    offline.degradedMode.allowed: Basement wards lose the network");
    expect(out).toMatch(
      /note {6}longest session without re-authentication \(90 days\) exceeds the 30 days NIST SP 800-63B-4/,
    );
    expect(out).toContain('application inspector "Site Inspector": preset field (level field), own jwtConfiguration');
  });

  it("prints the documented JSON document with --json", () => {
    const r = fakit(["plan", "--stack", "example", "--json", `--now=${NOW}`]);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      formatVersion: 1,
      project: "fusionauth-offline-kit",
      stack: "example",
      url: "https://auth.example.com",
      apiKey: "absent",
      now: "2025-03-01T12:00:00.000Z",
      warnings: [],
    });
    const workforce = doc.tenants[0];
    expect(workforce.figuresText.revocationLag).toBe("24h15m");
    expect(workforce.figures.revocationLagSeconds).toBe(87_300);
    expect(workforce.policy.refreshToken).toMatchObject({
      lifetimeMinutes: 43_200,
      expirationPolicy: "SlidingWindowWithMaximumLifetime",
      usagePolicy: "OneTimeUse",
    });
    expect(workforce.policy.offline).toMatchObject({
      claimsMaxAgeSeconds: 86_400,
      localUnlock: { mode: "either", maxAttempts: 10, argon2id: { memoryKiB: 19_456, iterations: 2, parallelism: 1 } },
      mfaStandIn: "local-unlock",
    });
    expect(doc.tenants[1].policy.offline.mfaStandIn).toBe("refuse");
    expect(
      workforce.applications.map((a: { key: string; ownJwtConfiguration: boolean }) => [a.key, a.ownJwtConfiguration]),
    ).toEqual([
      ["crew-app", false],
      ["inspector", true],
    ]);
    // Stable: the same command prints the same bytes.
    expect(fakit(["plan", "--stack", "example", "--json", `--now=${NOW}`]).stdout).toBe(r.stdout);
  });

  it("prints the exposure of every application of a tenant with a revoked key, without FusionAuth", () => {
    const dir = scratchRepo({
      "stacks/Pulumi.leak.yaml": [
        "config:",
        "  fusionauth-offline-kit:url: https://x",
        "  fusionauth-offline-kit:tenants:",
        "    - key: t1",
        "      name: T",
        "      issuer: https://x/t1",
        "      preset: standard",
        "      keys:",
        "        revoked:",
        '          - { generation: 0, reason: leaked, at: "2026-01-11T00:00:00Z" }',
        "      applications:",
        "        - { key: a, name: A, redirectUris: [com.example.a:/cb] }",
        "        - { key: b, name: B, redirectUris: [com.example.b:/cb] }",
        "",
      ].join("\n"),
    });
    const json = JSON.parse(fakit(["plan", "--stack", "leak", "--json", "--now", "2026-01-11T01:00:00Z"], dir).stdout);
    expect(json.exposure.map((e: { application: string; kid: null }) => [e.application, e.kid])).toEqual([
      ["t1/a", null],
      ["t1/b", null],
    ]);
    // Planned an hour after the revocation: the `up` that deletes the key runs at the earliest now, and C counts from it.
    expect(json.exposure[0].staleDevicesAcceptUntil).toBe("2026-01-18T01:00:00Z");
    const text = fakit(["plan", "--stack", "leak", "--now", "2026-01-11T01:00:00Z"], dir).stdout;
    expect(text).toContain("EXPOSURE of t1/b to revoked generation 0 (revoked 2026-01-11T00:00:00Z: leaked):");
    expect(fakit(["plan", "--stack", "example", "--json", `--now=${NOW}`]).stdout).toContain('"exposure": []');
  });

  it("fails with every diagnostic on an invalid stack", () => {
    const dir = scratchRepo({
      "stacks/Pulumi.bad.yaml":
        "config:\n  fusionauth-offline-kit:url: https://x\n  fusionauth-offline-kit:tenants:\n    - key: t1\n      name: T\n      issuer: https://x/t1\n      preset: critical\n      overrides:\n        offline:\n          grace: 1h\n",
    });
    const r = fakit(["plan", "--stack", "bad", "--now", NOW], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe(
      "stacks/Pulumi.bad.yaml:10:18: KIT_FLOOR_MAX offline.grace (1h) exceeds the critical level's maximum of 0s (rule offline.grace.max); change it or add a waiver with a reason\n" +
        "stacks/Pulumi.bad.yaml:10:18: KIT_WARN_GRACE_EXCEEDS_CHECKIN offline.grace (1h) is longer than offline.checkIn (15m); the part beyond the check-in is never usable\n" +
        'fakit plan: stack "bad" is invalid (1 error); nothing planned\n',
    );
  });

  it("names the known stacks when the stack file does not exist", () => {
    const r = fakit(["plan", "--stack", "nope"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^fakit plan: KIT_STACK_NOT_FOUND stack "nope" has no file stacks\/Pulumi\.nope\.yaml \(stacks: .*example.*local.*\)\n$/,
    );
  });

  it.each([
    [[]],
    [["--stack"]],
    [["--stack", "example", "--now", "yesterday"]],
    [["--stack", "example", "--frobnicate"]],
  ])("exits 2 on usage errors: %j", (args) => {
    const r = fakit(["plan", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("usage: fakit plan --stack NAME");
  });
});

describe("fakit plan --diff", () => {
  it("lists only what prod does differently from staging, from the shared kit.yaml", () => {
    const r = fakit(["plan", "--stack", "staging", "--diff", "prod", "--json"]);
    expect(r.code).toBe(0);
    const { stacks, differences } = JSON.parse(r.stdout) as {
      stacks: string[];
      differences: { where: string; setting: string; a: string; b: string }[];
    };
    expect(stacks).toEqual(["staging", "prod"]);
    expect(differences.filter((d) => d.setting === "offline.checkIn")).toEqual([
      { where: "tenant clinic", setting: "offline.checkIn", a: "1h", b: "45m" },
      { where: "application clinic/ward-app", setting: "offline.checkIn", a: "1h", b: "45m" },
    ]);
    expect(differences.find((d) => d.where === "tenant clinic" && d.setting === "name")).toEqual({
      where: "tenant clinic",
      setting: "name",
      a: "Clinic (staging)",
      b: "Clinic (prod)",
    });
  });

  it("says the same when two stacks do not differ", () => {
    const r = fakit(["plan", "--stack", "local", "--diff", "local"]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe("stacks local and local are the same in every setting");
  });
});
