/**
 * What the tenant, application and key APIs answer through the generic collection (src/emulator/collection.ts)
 * where the three APIs differ from one another: the duplicate-id message, and whether a body's types are checked
 * before or after the id (the duplicate on create, the lookup on update). Pinned as the emulator answered before
 * the routes moved onto the collection.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";

const KEY = "collection-routes-super-key";

describe("the collection-served tenant, application and key routes", () => {
  let emu: RunningEmulator;
  const tenantId = randomUUID();
  const applicationId = randomUUID();
  const keyId = randomUUID();
  const send = async (method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { authorization: KEY };
    if (body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(`${emu.url}${path}`, { method, headers, body: JSON.stringify(body) });
    return { status: res.status, text: await res.text() };
  };
  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [KEY] });
    expect((await send("POST", `/api/tenant/${tenantId}`, { tenant: { name: "collection" } })).status).toBe(200);
    const app = { application: { name: "collection", tenantId } };
    expect((await send("POST", `/api/application/${applicationId}`, app)).status).toBe(200);
    const key = { key: { algorithm: "ES256", name: "collection" } };
    expect((await send("POST", `/api/key/generate/${keyId}`, key)).status).toBe(200);
  });
  afterAll(() => emu.close());

  it("names the object, with its article, when a create reuses an id", async () => {
    const tenant = await send("POST", `/api/tenant/${tenantId}`, { tenant: { name: "again" } });
    expect(JSON.parse(tenant.text).fieldErrors.tenantId[0]).toEqual({
      code: "[duplicate]tenantId",
      message: `A tenant with id [${tenantId}] already exists.`,
    });
    const app = await send("POST", `/api/application/${applicationId}`, { application: { name: "again", tenantId } });
    expect(JSON.parse(app.text).fieldErrors.applicationId[0]).toEqual({
      code: "[duplicate]applicationId",
      message: `An application with id [${applicationId}] already exists.`,
    });
    const key = await send("POST", `/api/key/import/${keyId}`, { key: { name: "again" } });
    expect(JSON.parse(key.text).fieldErrors.keyId[0]).toEqual({
      code: "[duplicate]keyId",
      message: `A key with id [${keyId}] already exists.`,
    });
  });

  it("checks a create's types after the duplicate id for tenants, before it for applications and keys", async () => {
    const tenant = await send("POST", `/api/tenant/${tenantId}`, { tenant: { name: 5 } });
    expect(tenant.status).toBe(400);
    expect(tenant.text).toContain("[duplicate]tenantId");
    const app = await send("POST", `/api/application/${applicationId}`, { application: { name: 5 } });
    expect(app.status).toBe(400);
    expect(app.text).not.toContain("[duplicate]");
    const key = await send("POST", `/api/key/generate/${keyId}`, { key: { algorithm: 5 } });
    expect(key.status).toBe(400);
    expect(key.text).not.toContain("[duplicate]");
  });

  it("checks an update's types before the lookup for applications only", async () => {
    const missing = randomUUID();
    expect(await send("PUT", `/api/tenant/${missing}`, { tenant: { name: 5 } })).toEqual({ status: 404, text: "" });
    expect((await send("PUT", `/api/application/${missing}`, { application: { name: 5 } })).status).toBe(400);
    expect(await send("PUT", `/api/key/${missing}`, { key: { name: 5 } })).toEqual({ status: 404, text: "" });
  });

  it("serves PATCH for tenants and applications, not for keys", async () => {
    expect((await send("PATCH", `/api/tenant/${tenantId}`, { tenant: { name: "patched" } })).status).toBe(200);
    const app = { application: { name: "patched" } };
    expect((await send("PATCH", `/api/application/${applicationId}`, app)).status).toBe(200);
    expect((await send("PATCH", `/api/key/${keyId}`, { key: { name: "patched" } })).status).toBe(405);
  });
});
