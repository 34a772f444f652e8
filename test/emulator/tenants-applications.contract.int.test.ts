import { randomUUID } from "node:crypto";
import type { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, example, REAL, rejected, startTarget, type Target, unique } from "./support/target";

// biome-ignore lint/suspicious/noExplicitAny: the client types ids as required strings; null lets the server pick.
const NO_ID = null as any;
const FUSIONAUTH_APP = "3c219e58-ed0e-4b18-ad48-f4f92793ae32";

describe("tenants API contract", () => {
  let t: Target;
  let fa: FusionAuthClient;
  beforeAll(async () => {
    t = await startTarget();
    fa = t.client;
  });
  afterAll(() => t.close());

  it("starts with the Default tenant carrying FusionAuth's JWT defaults", async () => {
    const tenants = (await fa.retrieveTenants()).response.tenants ?? [];
    const def = tenants.find((x) => x.name === "Default");
    expect(def?.jwtConfiguration).toMatchObject({
      timeToLiveInSeconds: 3600,
      refreshTokenTimeToLiveInMinutes: 43200,
      refreshTokenExpirationPolicy: "Fixed",
      refreshTokenUsagePolicy: "Reusable",
    });
    expect(def?.jwtConfiguration?.accessTokenKeyId).toBeDefined();
  });

  it("fills defaults on create with a given id, and PUT replaces (omitted fields fall back to defaults)", async () => {
    const id = randomUUID();
    const created = (
      await fa.createTenant(id, {
        tenant: {
          name: unique("t"),
          issuer: "https://issuer.test",
          jwtConfiguration: { timeToLiveInSeconds: 300, refreshTokenUsagePolicy: "OneTimeUse" as never },
        },
      })
    ).response.tenant;
    expect(created).toMatchObject({ id, issuer: "https://issuer.test" });
    expect(created?.jwtConfiguration).toMatchObject({
      timeToLiveInSeconds: 300,
      refreshTokenTimeToLiveInMinutes: 43200,
      refreshTokenUsagePolicy: "OneTimeUse",
      refreshTokenRevocationPolicy: { onLoginPrevented: true, onPasswordChanged: true },
    });
    const replaced = (await fa.updateTenant(id, { tenant: { name: created?.name, issuer: "https://issuer.test" } }))
      .response.tenant;
    expect(replaced?.jwtConfiguration?.timeToLiveInSeconds).toBe(3600);
    expect(replaced?.jwtConfiguration?.refreshTokenUsagePolicy).toBe("Reusable");
    expect(replaced?.insertInstant).toBe(created?.insertInstant);
    await fa.deleteTenant(id);
    await rejected(fa.retrieveTenant(id), 404);
  });

  it("PATCH merges: untouched fields survive", async () => {
    const created = (
      await fa.createTenant(NO_ID, { tenant: { name: unique("patch"), issuer: "keep.me", data: { a: 1 } } })
    ).response.tenant;
    const id = created?.id as string;
    const patched = (await fa.patchTenant(id, { tenant: { jwtConfiguration: { timeToLiveInSeconds: 120 } } })).response
      .tenant;
    expect(patched?.issuer).toBe("keep.me");
    expect(patched?.data).toEqual({ a: 1 });
    expect(patched?.jwtConfiguration?.timeToLiveInSeconds).toBe(120);
    expect(patched?.jwtConfiguration?.refreshTokenTimeToLiveInMinutes).toBe(43200);
    await fa.deleteTenant(id);
  });

  it("validates required and ranged fields with field errors", async () => {
    const noName = await rejected(fa.createTenant(NO_ID, { tenant: {} }), 400);
    expect(noName.fieldErrors["tenant.name"][0].code).toMatch(/^\[\w+\]tenant\.name$/);
    const badTtl = await rejected(
      fa.createTenant(NO_ID, { tenant: { name: unique("ttl"), jwtConfiguration: { timeToLiveInSeconds: 0 } } }),
      400,
    );
    expect(badTtl.fieldErrors["tenant.jwtConfiguration.timeToLiveInSeconds"]).toBeDefined();
    const badMax = await rejected(
      fa.createTenant(NO_ID, {
        tenant: {
          name: unique("max"),
          jwtConfiguration: {
            refreshTokenExpirationPolicy: "SlidingWindowWithMaximumLifetime" as never,
            refreshTokenTimeToLiveInMinutes: 600,
            refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: 60 },
          },
        },
      }),
      400,
    );
    expect(
      badMax.fieldErrors["tenant.jwtConfiguration.refreshTokenSlidingWindowConfiguration.maximumTimeToLiveInMinutes"],
    ).toBeDefined();
  });

  it("answers 404 for unknown tenants", async () => {
    const id = randomUUID();
    await rejected(fa.retrieveTenant(id), 404);
    await rejected(fa.updateTenant(id, { tenant: { name: "x" } }), 404);
    await rejected(fa.patchTenant(id, { tenant: { name: "x" } }), 404);
    await rejected(fa.deleteTenant(id), 404);
  });

  it("copies a tenant and searches by name", async () => {
    const source = (await fa.createTenant(NO_ID, { tenant: { name: unique("Playtronics"), issuer: "copied.issuer" } }))
      .response.tenant;
    const body = example("tenant-copy-request.json");
    body.sourceTenantId = source?.id;
    body.tenant.name = unique(body.tenant.name);
    const copy = (await fa.createTenant(NO_ID, body)).response.tenant;
    expect(copy?.issuer).toBe("copied.issuer");
    expect(copy?.id).not.toBe(source?.id);
    const search = example("tenant-search-request.json");
    search.search.name = String(source?.name).slice(0, -2);
    const found = (await fa.searchTenants(search)).response;
    expect(found.tenants?.map((x) => x.id)).toContain(source?.id);
    await fa.deleteTenant(copy?.id as string);
    await fa.deleteTenant(source?.id as string);
  });

  it.skipIf(REAL)(
    "stores the documented create-request example and answers in the documented response shape",
    async () => {
      await fa
        .generateKey("025233ca-d4f3-2aa4-eca9-7e4200e9b472", {
          key: { algorithm: "ES256" as never, name: unique("example") },
        })
        .catch(() => {});
      const body = example("tenant-create-request.json");
      body.tenant.name = unique(body.tenant.name);
      const tenant = (await fa.createTenant(NO_ID, body)).response.tenant as Record<string, unknown>;
      // Every field sent comes back, plus the response-only fields of the documented response.
      for (const field of Object.keys(body.tenant)) expect(tenant).toHaveProperty(field);
      const shape = example("tenant-response.json").tenant;
      for (const field of ["id", "insertInstant", "lastUpdateInstant", "configured", "state"]) {
        expect(shape).toHaveProperty(field);
        expect(tenant).toHaveProperty(field);
      }
      expect(tenant.emailConfiguration).toEqual(body.tenant.emailConfiguration);
      expect(tenant.state).toBe("Active");
      await fa.deleteTenant(tenant.id as string);
    },
  );
});

describe("applications API contract", () => {
  let t: Target;
  let fa: FusionAuthClient;
  let tenantId: string;
  let scoped: FusionAuthClient;
  beforeAll(async () => {
    t = await startTarget();
    fa = t.client;
    tenantId = (await fa.createTenant(NO_ID, { tenant: { name: unique("apps") } })).response.tenant?.id as string;
    scoped = clientFor(t, { tenantId });
  });
  afterAll(async () => {
    await fa.deleteTenant(tenantId);
    await t.close();
  });

  it("has the FusionAuth application", async () => {
    expect((await fa.retrieveApplication(FUSIONAUTH_APP)).response.application?.name).toBe("FusionAuth");
  });

  it("needs a tenant on create once several tenants exist", async () => {
    const err = await rejected(fa.createApplication(NO_ID, { application: { name: unique("no-tenant") } }), 400);
    expect(err.generalErrors[0].code).toBe("[TenantIdRequired]");
  });

  it("creates with defaults, hides it from other tenants, PATCHes and PUTs it", async () => {
    const id = randomUUID();
    const app = (await scoped.createApplication(id, { application: { name: unique("native") } })).response.application;
    expect(app).toMatchObject({ id, tenantId, active: true });
    expect(app?.oauthConfiguration?.clientId).toBe(id);
    expect(app?.oauthConfiguration?.clientSecret).toBeTruthy();
    expect(app?.loginConfiguration).toMatchObject({
      allowTokenRefresh: false,
      generateRefreshTokens: false,
      requireAuthentication: true,
    });
    const defaultTenant = (await fa.retrieveTenants()).response.tenants?.find((x) => x.name === "Default")
      ?.id as string;
    await rejected(clientFor(t, { tenantId: defaultTenant }).retrieveApplication(id), 404);
    const patched = (
      await scoped.patchApplication(id, { application: { loginConfiguration: { generateRefreshTokens: true } } })
    ).response.application;
    expect(patched?.loginConfiguration).toMatchObject({ generateRefreshTokens: true, requireAuthentication: true });
    expect(patched?.oauthConfiguration?.clientSecret).toBe(app?.oauthConfiguration?.clientSecret);
    const put = (await scoped.updateApplication(id, { application: { name: app?.name } })).response.application;
    expect(put?.loginConfiguration?.generateRefreshTokens).toBe(false);
    expect(put?.oauthConfiguration?.clientSecret).toBe(app?.oauthConfiguration?.clientSecret);
    await scoped.deleteApplication(id);
  });

  it("soft-deletes, lists inactive, reactivates and hard-deletes", async () => {
    const app = (await scoped.createApplication(NO_ID, { application: { name: unique("soft") } })).response.application;
    const id = app?.id as string;
    await scoped.deactivateApplication(id);
    expect((await scoped.retrieveApplication(id)).response.application?.active).toBe(false);
    expect((await scoped.retrieveInactiveApplications()).response.applications?.map((a) => a.id)).toContain(id);
    expect((await scoped.retrieveApplications()).response.applications?.map((a) => a.id)).not.toContain(id);
    await scoped.reactivateApplication(id);
    expect((await scoped.retrieveApplication(id)).response.application?.active).toBe(true);
    await scoped.deleteApplication(id);
    await rejected(scoped.retrieveApplication(id), 404);
  });

  it("validates the name, the application JWT TTLs and key references", async () => {
    const noName = await rejected(scoped.createApplication(NO_ID, { application: {} }), 400);
    expect(noName.fieldErrors["application.name"]).toBeDefined();
    const ttl = await rejected(
      scoped.createApplication(NO_ID, {
        application: { name: unique("ttl"), jwtConfiguration: { enabled: true, timeToLiveInSeconds: -1 } },
      }),
      400,
    );
    expect(ttl.fieldErrors["application.jwtConfiguration.timeToLiveInSeconds"]).toBeDefined();
    const grant = await rejected(
      scoped.createApplication(NO_ID, {
        application: { name: unique("grant"), oauthConfiguration: { enabledGrants: ["bogus" as never] } },
      }),
      400,
    );
    expect(grant.fieldErrors["application.oauthConfiguration.enabledGrants"]).toBeDefined();
  });

  it("reads the OAuth configuration", async () => {
    const app = (
      await scoped.createApplication(NO_ID, {
        application: { name: unique("oauth"), oauthConfiguration: { enabledGrants: ["refresh_token" as never] } },
      })
    ).response.application;
    const oauth = (await scoped.retrieveOauthConfiguration(app?.id as string)).response.oauthConfiguration;
    expect(oauth?.enabledGrants).toEqual(["refresh_token"]);
    await scoped.deleteApplication(app?.id as string);
  });

  it.skipIf(REAL)("accepts the documented create-request and copy-request examples", async () => {
    await fa
      .generateKey("025233ca-d4f3-2aa4-eca9-7e4200e9b472", {
        key: { algorithm: "ES256" as never, name: unique("example") },
      })
      .catch(() => {});
    const body = example("application-create-request.json");
    body.application.name = unique(body.application.name);
    const app = (await scoped.createApplication(NO_ID, body)).response.application as Record<string, unknown>;
    const shape = example("application-response.json").application;
    for (const field of [
      "id",
      "active",
      "jwtConfiguration",
      "loginConfiguration",
      "oauthConfiguration",
      "roles",
      "insertInstant",
      "lastUpdateInstant",
    ]) {
      expect(app).toHaveProperty(field);
      expect(shape).toHaveProperty(field);
    }
    const copyBody = example("application-copy-request.json");
    copyBody.sourceApplicationId = app.id;
    copyBody.application.name = unique(copyBody.application.name);
    const copy = (await scoped.createApplication(NO_ID, copyBody)).response.application;
    expect(copy?.roles?.map((r) => r.name)).toEqual(["admin", "user"]);
    expect(copy?.oauthConfiguration?.clientSecret).not.toBe(body.application.oauthConfiguration.clientSecret);
    await scoped.deleteApplication(copy?.id as string);
    await scoped.deleteApplication(app.id as string);
  });
});
