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
