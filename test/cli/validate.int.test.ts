// `fakit validate` spawned as a process: exit codes and output.
import { describe, expect, it } from "vitest";
import { fakit, scratchRepo } from "./cli-fixture";

const GOOD = `config:
  fusionauth-offline-kit:url: https://auth.example.com
  fusionauth-offline-kit:apiKey:
    secure: v1:c2VjcmV0LWNpcGhlcnRleHQ=
  pulumi:tags:
    team: identity
  fusionauth-offline-kit:tenants:
    - key: t1
      name: T1
      issuer: https://auth.example.com/t1
      preset: standard
encryptionsalt: v1:abcdef==
`;

describe("fakit validate", () => {
  it("passes on the shipped presets, floors and stacks", () => {
    const r = fakit(["validate"]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^fakit validate: \d+ files valid\n$/);
    expect(r.code).toBe(0);
  });

  it("accepts a secure apiKey, foreign config namespaces and encryptionsalt, and never prints the secret", () => {
    const dir = scratchRepo({ "stacks/Pulumi.prod.yaml": GOOD });
    const r = fakit(["validate", "stacks/Pulumi.prod.yaml"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("fakit validate: 1 file valid\n");
    expect(r.stdout + r.stderr).not.toContain("c2VjcmV0");
  });

  it("reports every seeded mistake as path:line:col: CODE message, then fails once with exit 1", () => {
    const bad = GOOD.replace(
      "preset: standard",
      "preset: standard\n      overrides:\n        offline:\n          grace: 2x\n        accessToken:\n          ttll: 5m",
    ).replace("      name: T1\n", "");
    const dir = scratchRepo({ "stacks/Pulumi.prod.yaml": bad });
    const r = fakit(["validate"], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.split("\n")).toEqual([
      'stacks/Pulumi.prod.yaml:8:7: KIT_MISSING_KEY missing required key "name" in config.fusionauth-offline-kit:tenants[0]',
      'stacks/Pulumi.prod.yaml:13:18: KIT_DURATION_INVALID config.fusionauth-offline-kit:tenants[0].overrides.offline.grace: "2x" is not a duration; write whole numbers with units d, h, m, s in that order, e.g. 90s, 15m, 1h30m, 7d',
      'stacks/Pulumi.prod.yaml:15:11: KIT_UNKNOWN_KEY unknown key "ttll" in config.fusionauth-offline-kit:tenants[0].overrides.accessToken; did you mean "ttl"?',
      "fakit validate: 3 errors, 0 warnings in 6 files",
      "",
    ]);
  });

  it("refuses bad apiKeys (what `up` would make) at their lines, before anything is applied", () => {
    const keys =
      "  fusionauth-offline-kit:apiKeys:\n    - role: import\n    - role: import\n    - {role: revoke, tenant: t2}\n";
    const dir = scratchRepo({ "stacks/Pulumi.prod.yaml": GOOD.replace("encryptionsalt", `${keys}encryptionsalt`) });
    const r = fakit(["validate", "stacks/Pulumi.prod.yaml"], dir);
    expect(r.code).toBe(1);
    expect(r.stderr.split("\n").slice(0, 2)).toEqual([
      "stacks/Pulumi.prod.yaml:14:7: KIT_DUPLICATE_KEY apiKeys[1]: the import key is declared twice; each role (and tenant) makes one FusionAuth key: delete one of them",
      'stacks/Pulumi.prod.yaml:15:30: KIT_UNKNOWN_REFERENCE apiKeys[2].tenant "t2" is no tenant of this stack (t1): name one of them, or delete tenant for a key of every tenant; did you mean "t1"?',
    ]);
  });

  it("prints warnings but exits 0 when there is no error", () => {
    const dir = scratchRepo({
      "stacks/Pulumi.prod.yaml": GOOD.replace(
        "preset: standard",
        "preset: standard\n      overrides:\n        offline:\n          checkIn: 12h",
      ),
    });
    const r = fakit(["validate", "stacks/Pulumi.prod.yaml"], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe(
      "stacks/Pulumi.prod.yaml:14:20: KIT_WARN_GRACE_EXCEEDS_CHECKIN offline.grace (24h) is longer than offline.checkIn (12h); the part beyond the check-in is never usable\n",
    );
    expect(r.stdout).toBe("fakit validate: 1 file valid, 1 warning\n");
  });

  it("validates a single preset file", () => {
    const dir = scratchRepo({});
    const r = fakit(["validate", "policies/presets/high.yaml"], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("fakit validate: 1 file valid\n");
  });

  it("reports a file that does not exist", () => {
    const r = fakit(["validate", "stacks/Pulumi.nope.yaml"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("stacks/Pulumi.nope.yaml:1:1: KIT_FILE_NOT_FOUND file does not exist\n");
  });

  it.each([[["--bogus"]], [["README.md"]]])("exits 2 on usage errors: %j", (args) => {
    const r = fakit(["validate", ...args]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("usage: fakit validate");
  });
});
