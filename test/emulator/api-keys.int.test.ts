import { randomUUID } from "node:crypto";
import { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningEmulator, startEmulator } from "../../src/emulator";
import { rejected } from "./support/target";

/** The status of a client call, resolved or rejected. */
async function statusOf(call: Promise<{ statusCode: number }>): Promise<number> {
  try {
    return (await call).statusCode;
  } catch (e) {
    return (e as { statusCode: number }).statusCode;
  }
}

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

// #24: a key locked to one tenant deleted another tenant's refresh token by value, and told existing user ids from
// unknown ones (200 against 404). Every route that takes a token, user id or refresh token now answers another
// tenant's as it answers an unknown one.
describe("a tenant-locked key and another tenant's tokens, users and refresh tokens", () => {
  let emu: RunningEmulator;
  const lockedTenant = randomUUID();
  const otherTenant = randomUUID();
  let userId: string;
  let applicationId: string;
  let refreshToken: string;
  let accessToken: string;
  let superClient: FusionAuthClient;
  beforeAll(async () => {
    emu = await startEmulator({ apiKeys: [{ key: "super" }, { key: "locked", tenantId: lockedTenant }] });
    superClient = new FusionAuthClient("super", emu.url);
    await superClient.createTenant(lockedTenant, { tenant: { name: "locked tenant" } });
    await superClient.createTenant(otherTenant, { tenant: { name: "other tenant" } });
    const other = new FusionAuthClient("super", emu.url, otherTenant);
    applicationId = (
      await other.createApplication(null as never, {
        application: {
          name: "other app",
          loginConfiguration: { generateRefreshTokens: true, allowTokenRefresh: true },
        },
      })
    ).response.application?.id as string;
    const created = await other.register(null as never, {
      user: { email: "other@example.com", password: "password-123" },
      registration: { applicationId },
    });
    userId = created.response.user?.id as string;
    refreshToken = created.response.refreshToken as string;
    accessToken = created.response.token as string;
  });
  afterAll(() => emu.close());

  const tokensLeft = async () => (await superClient.retrieveRefreshTokens(userId)).response.refreshTokens?.length;

  it("cannot revoke them, and cannot tell them from unknown ones", async () => {
    const locked = new FusionAuthClient("locked", emu.url);
    const unknown = randomUUID();
    expect(await statusOf(locked.revokeRefreshTokenByToken(refreshToken))).toBe(404);
    expect(await statusOf(locked.revokeRefreshTokenByToken("no-such-token"))).toBe(404);
    expect(await statusOf(locked.revokeRefreshTokensByUserId(userId))).toBe(404);
    expect(await statusOf(locked.revokeRefreshTokensByUserId(unknown))).toBe(404);
    expect(await statusOf(locked.revokeRefreshTokensByApplicationId(applicationId))).toBe(404);
    expect(await statusOf(locked.revokeRefreshTokensByApplicationId(unknown))).toBe(404);
    expect(await statusOf(locked.retrieveRefreshTokens(userId))).toBe(404);
    expect(await statusOf(locked.retrieveUser(userId))).toBe(404);
    expect(await tokensLeft()).toBe(1);
  });

  it("cannot use or validate them in its scope, nor log in to another tenant's application", async () => {
    // Refresh and validate take no API key: the client sends the tenant scope as X-FusionAuth-TenantId.
    const locked = new FusionAuthClient("locked", emu.url, lockedTenant);
    const refused = await rejected(locked.exchangeRefreshTokenForJWT({ refreshToken }), 400);
    const unknown = await rejected(locked.exchangeRefreshTokenForJWT({ refreshToken: "no-such-token" }), 400);
    expect(refused).toEqual(unknown);
    expect(await statusOf(locked.validateJWT(accessToken))).toBe(401);
    const login = await rejected(
      locked.login({ loginId: "other@example.com", password: "password-123", applicationId }),
      400,
    );
    expect(JSON.stringify(login)).toContain(`The application [${applicationId}] does not exist.`);
    // The token's own tenant still uses it: nothing above revoked or rotated it.
    expect(await tokensLeft()).toBe(1);
    expect((await superClient.exchangeRefreshTokenForJWT({ refreshToken })).statusCode).toBe(200);
  });
});

describe("the API Key API (/api/api-key)", () => {
  let emu: RunningEmulator;
  const tenantId = randomUUID();
  const narrow = { "/api/user": ["GET"], "/api/jwt/refresh": ["DELETE"] };
  beforeAll(async () => {
    emu = await startEmulator({
      apiKeys: [
        { key: "manager", keyManager: true },
        { key: "super-not-manager" },
        {
          key: "narrow-manager",
          keyManager: true,
          permissions: { endpoints: { "/api/api-key": ["GET", "POST", "PUT", "DELETE"], "/api/user": ["GET"] } },
        },
        { key: "locked-manager", keyManager: true, tenantId },
      ],
    });
    await new FusionAuthClient("manager", emu.url).createTenant(tenantId, { tenant: { name: "locked tenant" } });
  });
  afterAll(() => emu.close());

  it("creates a key with its permissions and tenant lock, which then authenticates with exactly those", async () => {
    const manager = new FusionAuthClient("manager", emu.url);
    const id = randomUUID();
    const created = (
      await manager.createAPIKey(id, {
        apiKey: {
          permissions: { endpoints: { "/api/tenant": ["GET"] } },
          metaData: { attributes: { description: "r" } },
        },
      })
    ).response.apiKey;
    expect(created).toMatchObject({ id, keyManager: false, permissions: { endpoints: { "/api/tenant": ["GET"] } } });
    expect(created?.key).toMatch(/^[\w-]{40,}$/);
    expect((await manager.retrieveAPIKey(id)).response.apiKey).toEqual(created);
    const reader = new FusionAuthClient(created?.key as string, emu.url);
    expect((await reader.retrieveTenant(tenantId)).response.tenant?.id).toBe(tenantId);
    await rejected(reader.retrieveKeys(), 401);
    // A second create under the same id is FusionAuth's duplicate-id 400.
    const dup = await rejected(manager.createAPIKey(id, { apiKey: {} }), 400);
    expect(dup.fieldErrors?.keyId?.[0]?.code).toBe("[duplicate]keyId");
    expect(dup.fieldErrors?.keyId?.[0]?.message).toBe(`An API key with id [${id}] already exists.`);
  });

  it("updates a key's permissions in place (its value stays) and deletes it, after which it authenticates no more", async () => {
    const manager = new FusionAuthClient("manager", emu.url);
    const id = randomUUID();
    const key = (await manager.createAPIKey(id, { apiKey: { permissions: { endpoints: { "/api/tenant": ["GET"] } } } }))
      .response.apiKey?.key as string;
    const updated = (
      await manager.updateAPIKey(id, { apiKey: { permissions: { endpoints: { "/api/key": ["GET"] } } } })
    ).response.apiKey;
    expect(updated).toMatchObject({ key, permissions: { endpoints: { "/api/key": ["GET"] } } });
    await rejected(new FusionAuthClient(key, emu.url).retrieveTenants(), 401);
    expect((await new FusionAuthClient(key, emu.url).retrieveKeys()).statusCode).toBe(200);
    expect((await manager.deleteAPIKey(id)).statusCode).toBe(200);
    await rejected(new FusionAuthClient(key, emu.url).retrieveKeys(), 401);
    await rejected(manager.retrieveAPIKey(id), 404);
    await rejected(manager.deleteAPIKey(id), 404);
  });

  it("refuses a key that is not a key manager, even a super key", async () => {
    await rejected(new FusionAuthClient("super-not-manager", emu.url).createAPIKey(randomUUID(), { apiKey: {} }), 401);
  });

  it("lets a restricted key make keys of lesser authority only, and never a super key", async () => {
    const limited = new FusionAuthClient("narrow-manager", emu.url);
    const id = randomUUID();
    expect(
      (await limited.createAPIKey(id, { apiKey: { permissions: { endpoints: { "/api/user": ["GET"] } } } })).statusCode,
    ).toBe(200);
    await rejected(limited.createAPIKey(randomUUID(), { apiKey: { permissions: { endpoints: narrow } } }), 401);
    await rejected(limited.createAPIKey(randomUUID(), { apiKey: {} }), 401);
    // Nor read or change one of greater authority.
    const superId = randomUUID();
    await new FusionAuthClient("manager", emu.url).createAPIKey(superId, { apiKey: {} });
    await rejected(limited.retrieveAPIKey(superId), 401);
    await rejected(limited.deleteAPIKey(superId), 401);
  });

  it("locks the keys a tenant-locked key makes to its tenant, and hides the others from it", async () => {
    const locked = new FusionAuthClient("locked-manager", emu.url);
    const id = randomUUID();
    const made = (await locked.createAPIKey(id, { apiKey: { permissions: { endpoints: narrow } } })).response.apiKey;
    expect(made?.tenantId).toBe(tenantId);
    await rejected(locked.createAPIKey(randomUUID(), { apiKey: { tenantId: randomUUID() } }), 401);
    const globalId = randomUUID();
    await new FusionAuthClient("manager", emu.url).createAPIKey(globalId, {
      apiKey: { permissions: { endpoints: narrow } },
    });
    await rejected(locked.retrieveAPIKey(globalId), 404);
  });

  it("answers FusionAuth's 400 for an unknown tenant and malformed permissions, creating nothing", async () => {
    const manager = new FusionAuthClient("manager", emu.url);
    const id = randomUUID();
    const e1 = await rejected(manager.createAPIKey(id, { apiKey: { tenantId: randomUUID() } }), 400);
    expect(e1.fieldErrors?.["apiKey.tenantId"]?.[0]?.code).toBe("[invalid]apiKey.tenantId");
    const e2 = await rejected(
      manager.createAPIKey(id, { apiKey: { permissions: { endpoints: { "/api/user": ["FETCH"] } } } }),
      400,
    );
    expect(e2.fieldErrors?.["apiKey.permissions.endpoints"]?.[0]?.code).toBe("[invalid]apiKey.permissions.endpoints");
    await rejected(manager.retrieveAPIKey(id), 404);
  });
});
