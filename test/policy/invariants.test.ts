// One table per invariant of docs/design.md section 4 (errors and warnings): code, message, exact line and column.
// Each row overrides the named preset in a one-tenant stack (overrides start at line 9 of stacks/Pulumi.test.yaml).
import { describe, expect, it } from "vitest";
import { compile, stackWith } from "./policy-fixture";

interface Row {
  name: string;
  preset: string;
  overrides: string;
  code: string;
  message: string;
  line: number;
  column: number;
}

function findingOf(row: Row) {
  const r = compile(stackWith(row.preset, row.overrides));
  return { result: r, found: r.diagnostics.filter((d) => d.code === row.code) };
}

const ERRORS: Row[] = [
  {
    name: "A >= R",
    preset: "standard",
    overrides: "refreshToken:\n  lifetime: 10m",
    code: "KIT_INVARIANT_ACCESS_GE_REFRESH",
    message: "accessToken.ttl (15m) must be shorter than refreshToken.lifetime (10m)",
    line: 10,
    column: 21,
  },
  {
    name: "A == R",
    preset: "field",
    overrides: "accessToken:\n  ttl: 30m\nrefreshToken:\n  lifetime: 30m",
    code: "KIT_INVARIANT_ACCESS_GE_REFRESH",
    message: "accessToken.ttl (30m) must be shorter than refreshToken.lifetime (30m)",
    line: 10,
    column: 16,
  },
  {
    name: "M < R",
    preset: "standard",
    overrides: "refreshToken:\n  maximumLifetime: 7d",
    code: "KIT_INVARIANT_MAXIMUM_LT_REFRESH",
    message: "refreshToken.maximumLifetime (7d) must not be shorter than refreshToken.lifetime (30d)",
    line: 10,
    column: 28,
  },
  {
    name: "HS* algorithm",
    preset: "standard",
    overrides: "accessToken:\n  algorithm: HS256",
    code: "KIT_INVARIANT_HMAC_ALGORITHM",
    message:
      "accessToken.algorithm HS256 is a shared-secret algorithm: a device cannot verify it offline without holding the secret; use ES256",
    line: 10,
    column: 22,
  },
  {
    name: "P*K below J + C + S",
    preset: "standard",
    overrides: "keys:\n  rotationPeriod: 7d",
    code: "KIT_INVARIANT_KEY_LEAD",
    message:
      "key publication lead keys.publishedAhead x keys.rotationPeriod (1 x 7d = 7d) must cover offline.jwksRefresh + offline.checkIn + offline.clockRollbackTolerance (14d5m), or a device may meet a signing key it has never seen",
    line: 10,
    column: 27,
  },
  {
    name: "check-in raised past the key lead",
    preset: "field",
    overrides: "keys:\n  rotationPeriod: 7d\n  publishedAhead: 3",
    code: "KIT_INVARIANT_KEY_LEAD",
    message:
      "key publication lead keys.publishedAhead x keys.rotationPeriod (3 x 7d = 21d) must cover offline.jwksRefresh + offline.checkIn + offline.clockRollbackTolerance (21d5m), or a device may meet a signing key it has never seen",
    line: 10,
    column: 27,
  },
  {
    name: "retention below max(A + G, C) + S",
    preset: "standard",
    overrides: "keys:\n  retention: 1h",
    code: "KIT_INVARIANT_RETENTION",
    message:
      "keys.retention (1h) must cover max(accessToken.ttl + offline.grace, offline.checkIn) + offline.clockRollbackTolerance (7d5m), or a retired key disappears while its tokens are still accepted offline (full or degraded)",
    line: 10,
    column: 22,
  },
];

const WARNINGS: Row[] = [
  {
    name: "G > C",
    preset: "standard",
    overrides: "offline:\n  checkIn: 12h",
    code: "KIT_WARN_GRACE_EXCEEDS_CHECKIN",
    message: "offline.grace (24h) is longer than offline.checkIn (12h); the part beyond the check-in is never usable",
    line: 10,
    column: 20,
  },
  {
    name: "R < C",
    preset: "standard",
    overrides: "refreshToken:\n  lifetime: 5d",
    code: "KIT_WARN_REFRESH_BELOW_CHECKIN",
    message: "refreshToken.lifetime (5d) is shorter than offline.checkIn (7d); every check-in will need a full login",
    line: 10,
    column: 21,
  },
  {
    name: "RS* algorithm",
    preset: "standard",
    overrides: "accessToken:\n  algorithm: RS256",
    code: "KIT_WARN_RSA_ALGORITHM",
    message: "accessToken.algorithm RS256 is RSA PKCS#1 v1.5, not approved by OWASP ASVS 5.0 appendix C; prefer ES256",
    line: 10,
    column: 22,
  },
  {
    name: "sliding window without maximum",
    preset: "standard",
    overrides: "refreshToken:\n  expiration: SlidingWindow",
    code: "KIT_WARN_NO_ABSOLUTE_LIFETIME",
    message:
      "refreshToken.expiration SlidingWindow has no absolute lifetime (OWASP ASVS 5.0 10.4.8); use SlidingWindowWithMaximumLifetime",
    line: 10,
    column: 23,
  },
  {
    name: "maximum ignored with Fixed",
    preset: "standard",
    overrides: "refreshToken:\n  expiration: Fixed",
    code: "KIT_WARN_MAXIMUM_IGNORED",
    message: "refreshToken.maximumLifetime is ignored with refreshToken.expiration Fixed",
    line: 10,
    column: 23,
  },
];

describe("invariant errors", () => {
  it.each(ERRORS.map((r) => [r.name, r] as const))("%s", (_n, row) => {
    const { result, found } = findingOf(row);
    expect(
      found.map((d) => ({ severity: d.severity, file: d.file, line: d.line, column: d.column, message: d.message })),
    ).toEqual([
      { severity: "error", file: "stacks/Pulumi.test.yaml", line: row.line, column: row.column, message: row.message },
    ]);
    expect(result.state).toBeUndefined();
  });

  it("the shipped presets break none of them", () => {
    for (const preset of ["critical", "high", "standard", "field"]) {
      const r = compile(stackWith(preset));
      expect(r.lines).toEqual([]);
      expect(r.state).toBeDefined();
    }
  });
});

describe("invariant warnings", () => {
  it.each(WARNINGS.map((r) => [r.name, r] as const))("%s", (_n, row) => {
    const { found } = findingOf(row);
    expect(
      found.map((d) => ({ severity: d.severity, file: d.file, line: d.line, column: d.column, message: d.message })),
    ).toEqual([
      {
        severity: "warning",
        file: "stacks/Pulumi.test.yaml",
        line: row.line,
        column: row.column,
        message: row.message,
      },
    ]);
  });

  it("a warning alone does not stop compilation, and is kept on the tenant", () => {
    const r = compile(stackWith("standard", "offline:\n  checkIn: 12h"));
    // (The fixture names an issuer that is not {url}/{tenantId}: that warning is the issuer's, not the policy's.)
    const codes = r.state?.tenants[0]?.warnings
      .map((w) => w.code)
      .filter((c) => c !== "KIT_WARN_ISSUER_NOT_DISCOVERABLE");
    expect(codes).toEqual(["KIT_WARN_GRACE_EXCEEDS_CHECKIN"]);
  });
});
