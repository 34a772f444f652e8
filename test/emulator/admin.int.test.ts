import { randomUUID } from "node:crypto";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { EmulatorAdminClient } from "../../src/emulator/admin-client";
import { rejected } from "./support/target";

/** A client call that must fail without any HTTP response (connection dropped). */
async function networkFailure(call: Promise<unknown>): Promise<{ statusCode?: number; exception?: unknown }> {
  try {
    await call;
  } catch (e) {
    return e as { statusCode?: number; exception?: unknown };
  }
  throw new Error("expected the call to fail");
}

describe("emulator admin routes", () => {
  let emu: RunningEmulator;
  let fa: FusionAuthClient;
  let admin: EmulatorAdminClient;
  beforeAll(async () => {
    emu = await startEmulator({ admin: true, now: new Date("2030-06-01T00:00:00Z") });
    fa = new FusionAuthClient(emu.apiKeys[0] as string, emu.url);
    admin = new EmulatorAdminClient(emu.url);
  });
  afterAll(() => emu.close());

  it("is off unless enabled", async () => {
    const off = await startEmulator();
    expect((await fetch(`${off.url}/_emulator/counters`)).status).toBe(404);
    await off.close();
  });

  it("sets and advances the clock, which stamps insertInstant", async () => {
    await admin.setClock(new Date("2031-01-01T00:00:00Z"));
    const key = (await fa.generateKey(randomUUID(), { key: { algorithm: "ES256" as never, name: "clocked" } })).response
      .key;
    expect(key?.insertInstant).toBe(Date.parse("2031-01-01T00:00:00Z"));
    expect((await admin.advanceClock(1500)).now).toBe(Date.parse("2031-01-01T00:00:01.500Z"));
  });

  it("counts by method and route template, with writes apart from reads and sessions", async () => {
    await admin.resetCounters();
    const id = randomUUID();
    await fa.createTenant(id, { tenant: { name: "counted" } });
    await fa.retrieveTenant(id);
    await fa.patchTenant(id, { tenant: { issuer: "x" } });
    await fa.searchTenants({ search: { name: "counted" } });
    await admin.getClock();
    const c = await admin.counters();
    expect(c.byRoute).toEqual({
      "POST /api/tenant/{tenantId}": 1,
      "GET /api/tenant/{tenantId}": 1,
      "PATCH /api/tenant/{tenantId}": 1,
      "POST /api/tenant/search": 1,
    });
    expect(c).toMatchObject({ total: 4, reads: 2, writes: 2, sessions: 0 });
  });

  it("injects a 503 with Retry-After on the Nth matching request only", async () => {
    await admin.clearFaults();
    await admin.addFault({ method: "GET", route: "/api/tenant", nth: 2, status: 503, retryAfterSeconds: 7 });
    await fa.retrieveTenants();
    const res = await fetch(`${emu.url}/api/tenant`, { headers: { Authorization: emu.apiKeys[0] as string } });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("7");
    await fa.retrieveTenants();
    expect((await admin.listFaults())[0]).toMatchObject({ matched: 3, fired: 1 });
  });

  it("fires rate-based faults deterministically for a given seed", async () => {
    const pattern = async () => {
      await admin.clearFaults();
      await admin.addFault({ route: "/.well-known/jwks.json", rate: 0.5, seed: 42, status: 500 });
      const out: number[] = [];
      for (let i = 0; i < 12; i++) out.push((await fetch(`${emu.url}/.well-known/jwks.json`)).status);
      return out;
    };
    const first = await pattern();
    expect(first).toEqual(await pattern());
    expect(first).toContain(500);
    expect(first).toContain(200);
  });

  it("drops the connection without a response", async () => {
    await admin.clearFaults();
    await admin.addFault({ route: "/api/key", drop: true });
    const failure = await networkFailure(fa.retrieveKeys());
    expect(failure.statusCode).toBeUndefined();
    expect(failure.exception).toBeInstanceOf(Error);
    await admin.clearFaults();
  });

  it("loses the response of an applied create, so a retry finds the object", async () => {
    await admin.clearFaults();
    await admin.addFault({ method: "POST", route: "/api/tenant/{tenantId}", loseResponse: true, nth: 1 });
    const id = randomUUID();
    const failure = await networkFailure(fa.createTenant(id, { tenant: { name: "lost response" } }));
    expect(failure.statusCode).toBeUndefined();
    expect((await fa.retrieveTenant(id)).response.tenant?.name).toBe("lost response");
    const dup = await rejected(fa.createTenant(id, { tenant: { name: "lost response" } }), 400);
    expect(dup.fieldErrors.tenantId[0].code).toBe("[duplicate]tenantId");
  });

  it("rejects invalid fault rules", async () => {
    await expect(admin.addFault({ route: "/api/key", rate: 2, status: 500 })).rejects.toMatchObject({
      code: "KIT_EMULATOR_ADMIN_REQUEST_FAILED",
    });
  });
});
