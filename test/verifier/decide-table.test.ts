/**
 * The offline decision over time, for each shipped preset: a token issued at T0 (a refresh, so also the last
 * check-in), then the device's clock at several moments, offline or online. Real keys, real signatures, the
 * clock frozen by the test.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { type Bundle, type DeviceState, decide, loadBundle } from "../../packages/verifier/src";
import { APP_ID, ISSUER, signToken, type TenantFixture, tenantFixture } from "../../testkit/bundle/fixtures";
import { DAY, EPOCH, HOUR, MIN } from "../../testkit/rotation/presets";

const T0 = EPOCH + HOUR;
const at = (s: number) => new Date(s * 1000);

type Row = {
  name: string;
  now: number;
  online?: boolean;
  lastServerTime?: number;
  lastCheckIn?: number;
  want: {
    decision: string;
    code: string;
    deadline?: [string, number];
    degraded?: { mode: string; read: boolean; write: boolean; queueWrites: boolean };
  };
};

const READ_ONLY = { mode: "read-only", read: true, write: false, queueWrites: false };
const QUEUE = { mode: "read-and-queue-writes", read: true, write: false, queueWrites: true };

const TABLES: Record<"critical" | "high" | "standard" | "field", Row[]> = {
  // A = 5m, G = 0, C = 15m, no degraded mode.
  critical: [
    {
      name: "before exp",
      now: T0 + 2 * MIN,
      want: { decision: "full", code: "valid", deadline: ["token-expiry", T0 + 5 * MIN] },
    },
    { name: "past exp offline (no grace)", now: T0 + 5 * MIN + 1, want: { decision: "refused", code: "expired" } },
    {
      name: "past exp online",
      now: T0 + 5 * MIN + 1,
      online: true,
      want: { decision: "refused", code: "refresh-required" },
    },
    { name: "where degraded would be", now: T0 + 10 * MIN, want: { decision: "refused", code: "expired" } },
    { name: "past check-in", now: T0 + 15 * MIN, want: { decision: "refused", code: "check-in-overdue" } },
    {
      name: "clock moved back",
      now: T0 + 2 * MIN - 5 * MIN - 1,
      lastServerTime: T0 + 2 * MIN,
      want: { decision: "refused", code: "clock-rollback" },
    },
  ],
  // A = 10m, G = 30m, C = 1h, read-only.
  high: [
    {
      name: "before exp",
      now: T0 + 5 * MIN,
      want: { decision: "full", code: "valid", deadline: ["token-expiry", T0 + 10 * MIN] },
    },
    {
      name: "inside grace offline",
      now: T0 + 20 * MIN,
      want: { decision: "full", code: "offline-grace", deadline: ["grace-end", T0 + 40 * MIN] },
    },
    {
      name: "inside grace online",
      now: T0 + 20 * MIN,
      online: true,
      want: { decision: "refused", code: "refresh-required" },
    },
    {
      name: "degraded",
      now: T0 + 50 * MIN,
      want: {
        decision: "degraded",
        code: "offline-degraded",
        deadline: ["check-in-due", T0 + HOUR],
        degraded: READ_ONLY,
      },
    },
    { name: "past check-in", now: T0 + HOUR, want: { decision: "refused", code: "check-in-overdue" } },
    {
      name: "clock moved back",
      now: T0 + 20 * MIN - 6 * MIN,
      lastServerTime: T0 + 20 * MIN,
      want: { decision: "refused", code: "clock-rollback" },
    },
  ],
  // A = 15m, G = 24h, C = 7d, read-only.
  standard: [
    {
      name: "before exp",
      now: T0 + 10 * MIN,
      want: { decision: "full", code: "valid", deadline: ["token-expiry", T0 + 15 * MIN] },
    },
    {
      name: "inside grace offline",
      now: T0 + 12 * HOUR,
      want: { decision: "full", code: "offline-grace", deadline: ["grace-end", T0 + 15 * MIN + 24 * HOUR] },
    },
    {
      name: "inside grace online",
      now: T0 + 12 * HOUR,
      online: true,
      want: { decision: "refused", code: "refresh-required" },
    },
    {
      name: "degraded",
      now: T0 + 3 * DAY,
      want: {
        decision: "degraded",
        code: "offline-degraded",
        deadline: ["check-in-due", T0 + 7 * DAY],
        degraded: READ_ONLY,
      },
    },
    {
      name: "degraded after a later check-in",
      now: T0 + 8 * DAY,
      lastCheckIn: T0 + 2 * DAY,
      want: {
        decision: "degraded",
        code: "offline-degraded",
        deadline: ["check-in-due", T0 + 9 * DAY],
        degraded: READ_ONLY,
      },
    },
    { name: "past check-in", now: T0 + 7 * DAY, want: { decision: "refused", code: "check-in-overdue" } },
    {
      name: "clock moved back",
      now: T0 + 3 * DAY - 5 * MIN - 1,
      lastServerTime: T0 + 3 * DAY,
      want: { decision: "refused", code: "clock-rollback" },
    },
    {
      name: "clock back within tolerance uses the server time",
      now: T0 + 3 * DAY - 4 * MIN,
      lastServerTime: T0 + 3 * DAY,
      want: {
        decision: "degraded",
        code: "offline-degraded",
        deadline: ["check-in-due", T0 + 7 * DAY],
        degraded: READ_ONLY,
      },
    },
  ],
  // A = 30m, G = 72h, C = 14d, read and queue writes.
  field: [
    {
      name: "before exp",
      now: T0 + 20 * MIN,
      want: { decision: "full", code: "valid", deadline: ["token-expiry", T0 + 30 * MIN] },
    },
    {
      name: "inside grace offline",
      now: T0 + 36 * HOUR,
      want: { decision: "full", code: "offline-grace", deadline: ["grace-end", T0 + 30 * MIN + 72 * HOUR] },
    },
    {
      name: "inside grace online",
      now: T0 + 36 * HOUR,
      online: true,
      want: { decision: "refused", code: "refresh-required" },
    },
    {
      name: "degraded",
      now: T0 + 7 * DAY,
      want: {
        decision: "degraded",
        code: "offline-degraded",
        deadline: ["check-in-due", T0 + 14 * DAY],
        degraded: QUEUE,
      },
    },
    { name: "past check-in", now: T0 + 14 * DAY, want: { decision: "refused", code: "check-in-overdue" } },
    { name: "clock moved back", now: T0 - 5 * MIN - 1, want: { decision: "refused", code: "clock-rollback" } },
  ],
};

describe.each(Object.keys(TABLES) as (keyof typeof TABLES)[])("offline decisions of the %s preset", (level) => {
  let fixture: TenantFixture;
  let bundle: Bundle;
  let token: string;
  beforeAll(async () => {
    fixture = await tenantFixture({ level });
    bundle = await loadBundle(fixture.files);
    const g0 = fixture.keys.get(0);
    if (g0 === undefined) throw new Error("fixture has no g0");
    token = await signToken(g0, {
      iss: ISSUER,
      aud: APP_ID,
      sub: "user-1",
      iat: T0,
      exp: T0 + fixture.policy.accessToken.ttlSeconds,
    });
  });

  it.each(TABLES[level])("$name", async (row) => {
    const device: DeviceState = {
      now: at(row.now),
      online: row.online ?? false,
      lastServerTime: row.lastServerTime === undefined ? at(T0) : at(row.lastServerTime),
      lastCheckIn: row.lastCheckIn === undefined ? at(T0) : at(row.lastCheckIn),
    };
    const result = await decide({ token, bundle, device });
    expect(result.decision).toBe(row.want.decision);
    expect(result.reason.code).toBe(row.want.code);
    expect(result.keyId).toBe(fixture.keys.get(0)?.kid);
    expect(result.nextDeadline).toEqual(
      row.want.deadline ? { kind: row.want.deadline[0], at: at(row.want.deadline[1]) } : undefined,
    );
    expect(result.degraded).toEqual(row.want.degraded);
    if (result.decision !== "refused") expect(result.claims?.sub).toBe("user-1");
  });
});

describe("Ed25519 tokens", () => {
  it("verify under FusionAuth's `Ed25519` label and the older `EdDSA` one", async () => {
    const f = await tenantFixture({ alg: "Ed25519" });
    const bundle = await loadBundle(f.files);
    const g0 = f.keys.get(0);
    if (g0 === undefined) throw new Error("fixture has no g0");
    const claims = { iss: ISSUER, aud: APP_ID, sub: "u", iat: T0, exp: T0 + 900 };
    const device = { now: at(T0 + 60), online: true };
    expect((await decide({ token: await signToken(g0, claims), bundle, device })).reason.code).toBe("valid");
    expect((await decide({ token: await signToken(g0, claims, { alg: "EdDSA" }), bundle, device })).reason.code).toBe(
      "valid",
    );
    const other = f.keys.get(1);
    if (other === undefined) throw new Error("fixture has no g1");
    const forged = (await signToken(other, claims)).split(".");
    const token = [(await signToken(g0, claims)).split(".")[0], forged[1], forged[2]].join(".");
    expect((await decide({ token, bundle, device })).reason.code).toBe("signature-invalid");
  });
});

describe("the stateless decide and a token forged with a leaked key", () => {
  it("counts the check-in from device.lastCheckIn, not from a fresh iat; without lastCheckIn the iat stands in", async () => {
    const f = await tenantFixture();
    const bundle = await loadBundle(f.files);
    const g0 = f.keys.get(0);
    if (g0 === undefined) throw new Error("fixture has no g0");
    const C = f.policy.offline.checkInSeconds;
    const now = T0 + 30 * DAY;
    // The forger signs a fresh token with the leaked key a minute before use.
    const forged = await signToken(g0, {
      iss: ISSUER,
      aud: APP_ID,
      sub: "user-1",
      iat: now - MIN,
      exp: now + 14 * MIN,
    });
    const device: DeviceState = { now: at(now), online: false, lastServerTime: at(T0), lastCheckIn: at(T0) };
    expect(now).toBeGreaterThan(T0 + C);
    expect((await decide({ token: forged, bundle, device })).reason.code).toBe("check-in-overdue");
    // The documented risk: a caller keeping no check-in record is bound by nothing but the token's word.
    const { lastCheckIn: _none, ...noRecord } = device;
    expect((await decide({ token: forged, bundle, device: noRecord })).reason.code).toBe("valid");
  });
});
