import { randomUUID } from "node:crypto";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { rejected } from "./support/target";

describe("restricted and tenant-locked API keys", () => {
  let emu: RunningEmulator;
  const tenantId = randomUUID();
  beforeAll(async () => {
    emu = await startEmulator({
      apiKeys: [
        { key: "super" },
        { key: "tenant-reader", permissions: { endpoints: { "/api/tenant": ["GET"] } } },
        { key: "locked", tenantId },
      ],
    });
    await new FusionAuthClient("super", emu.url).createTenant(tenantId, { tenant: { name: "locked tenant" } });
  });
  afterAll(() => emu.close());

  it("allows only the permitted endpoint and method", async () => {
    const reader = new FusionAuthClient("tenant-reader", emu.url);
    expect((await reader.retrieveTenant(tenantId)).response.tenant?.id).toBe(tenantId);
    await rejected(reader.patchTenant(tenantId, { tenant: { issuer: "x" } }), 401);
    await rejected(reader.retrieveKeys(), 401);
  });

  it("scopes a tenant-locked key to its tenant and refuses it on global APIs", async () => {
    const locked = new FusionAuthClient("locked", emu.url);
    expect((await locked.retrieveTenants()).response.tenants?.map((t) => t.id)).toEqual([tenantId]);
    const app = (await locked.createApplication(null as never, { application: { name: "in locked tenant" } })).response
      .application;
    expect(app?.tenantId).toBe(tenantId);
    await rejected(locked.retrieveKeys(), 401);
  });

  it("rejects the documented default key when other keys are configured", async () => {
    await rejected(new FusionAuthClient("fakit-local-api-key", emu.url).retrieveTenants(), 401);
  });
});
