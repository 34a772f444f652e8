// The dynamic providers called directly, as the provider process calls them, against the emulator: the cheap
// tier below the real-CLI tests.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_TENANT_ID, type RunningEmulator, startEmulator } from "../../src/emulator";
import { createFusionAuthPort } from "../../src/fusionauth/client-port";
import { applicationShape, asJson, tenantShape } from "../../src/fusionauth/objects";
import { API_KEY_ROLES, apiKeyProvider } from "../../src/pulumi/kinds/api-key";
import { applicationProvider } from "../../src/pulumi/kinds/application";
import { IMPLEMENTATIONS } from "../../src/pulumi/kinds/registry";
import { signingKeyProvider } from "../../src/pulumi/kinds/signing-key";
import { tenantProvider } from "../../src/pulumi/kinds/tenant";
import { shapeDigest } from "../../src/pulumi/providers/managed-object";
import { testPolicy } from "../helpers/policies";

const API_KEY = "provider-test-key";
let emu: RunningEmulator;

function configured<T extends { configure?: (req: never) => Promise<void> }>(provider: T, apiKey = API_KEY): T {
  const copy = { ...provider };
  const values: Record<string, string> = {
    "fusionauth-offline-kit:url": emu.url,
    "fusionauth-offline-kit:apiKey": apiKey,
  };
  const config = { get: (k: string) => values[k], require: (k: string) => values[k] as string };
  // biome-ignore lint/suspicious/noExplicitAny: the dynamic-provider host passes this shape
  (copy.configure as any).call(copy, { config });
  return copy;
}

beforeAll(async () => {
  // A key manager: the API key provider makes keys.
  emu = await startEmulator({ apiKeys: [{ key: API_KEY, keyManager: true }] });
});
afterAll(async () => emu.close());
beforeEach(() => emu.counters.reset());

const policy = testPolicy("standard");
const port = () => createFusionAuthPort({ url: emu.url, apiKey: API_KEY });

describe("signing key provider", () => {
  it("generates the key inside FusionAuth under the kit's id and reports its kid and creation time", async () => {
    const p = configured(signingKeyProvider);
    const id = "0b7e1c52-8a52-5d0e-9a1f-000000000001";
    const res = await p.create?.({ keyId: id, name: "fakit:t:a:g0", algorithm: "ES256", length: 256 });
    expect(res?.id).toBe(id);
    const key = await port().retrieveKey(id);
    expect(key?.algorithm).toBe("ES256");
    expect(res?.outs?.kid).toBe(key?.kid);
    expect(res?.outs?.insertInstant).toBe(key?.insertInstant);
  });

  it("adopts its own key when a create is replayed", async () => {
    const p = configured(signingKeyProvider);
    const id = "0b7e1c52-8a52-5d0e-9a1f-000000000002";
    const first = await p.create?.({ keyId: id, name: "fakit:t:a:g1", algorithm: "ES256", length: 256 });
    const second = await p.create?.({ keyId: id, name: "fakit:t:a:g1", algorithm: "ES256", length: 256 });
    expect(second?.outs?.kid).toBe(first?.outs?.kid);
    expect((await port().retrieveKeys()).filter((k) => k.id === id)).toHaveLength(1);
  });

  it("refuses to adopt a key of another algorithm at its id", async () => {
    const p = configured(signingKeyProvider);
    const id = "0b7e1c52-8a52-5d0e-9a1f-000000000003";
    await port().generateKey(id, { algorithm: "RS256", name: "someone else's", length: 2048 });
    await expect(p.create?.({ keyId: id, name: "fakit:t:a:g2", algorithm: "ES256", length: 256 })).rejects.toThrow(
      /already exists in FusionAuth with algorithm RS256, not ES256/,
    );
  });

  it("replaces on an algorithm change and updates in place on a rename", async () => {
    const p = configured(signingKeyProvider);
    const olds = { keyId: "k", name: "a", algorithm: "ES256", kid: "x", insertInstant: 1 };
    expect(await p.diff?.("k", olds, { keyId: "k", name: "a", algorithm: "ES384" })).toMatchObject({
      changes: true,
      replaces: ["algorithm"],
    });
    expect(await p.diff?.("k", olds, { keyId: "k", name: "b", algorithm: "ES256" })).toMatchObject({
      changes: true,
      replaces: [],
    });
    expect(await p.diff?.("k", olds, { keyId: "k", name: "a", algorithm: "ES256" })).toMatchObject({ changes: false });
  });

  it("moves to a new serialized provider with an in-place update that calls FusionAuth zero times", async () => {
    const p = configured(signingKeyProvider);
    const id = "0b7e1c52-8a52-5d0e-9a1f-000000000004";
    const inputs = { keyId: id, name: "fakit:t:a:g4", algorithm: "ES256", length: 256 };
    const created = (await p.create?.(inputs))?.outs as unknown as Record<string, unknown>;
    const olds = { ...created, __provider: "the provider code of an earlier kit" };
    const news = { ...inputs, __provider: "a trampoline" };
    emu.counters.reset();
    expect(await p.diff?.(id, olds as never, news)).toMatchObject({ changes: true, replaces: [] });
    expect((await p.update?.(id, olds as never, news))?.outs).toEqual(created);
    expect(emu.counters.snapshot().total).toBe(0);
  });
});

describe("tenant and application providers", () => {
  const tenantId = "5c1f7a52-8a52-5d0e-9a1f-000000000010";
  const appId = "5c1f7a52-8a52-5d0e-9a1f-000000000011";
  let keyRefs: { signingKeyId: string; verificationKeyIds: string[] };

  beforeAll(async () => {
    const key = await port().generateKey("5c1f7a52-8a52-5d0e-9a1f-000000000012", {
      algorithm: "ES256",
      name: "g0",
      length: 256,
    });
    keyRefs = { signingKeyId: key.object.id as string, verificationKeyIds: [] };
  });

  const tenantInputs = () => ({
    objectId: tenantId,
    label: "tenant t",
    adopt: false,
    shape: asJson(tenantShape({ name: "Provider Test", issuer: "https://t.example", policy }, keyRefs)),
  });

  it("creates a tenant with exactly the managed fields of the preset", async () => {
    const p = configured(tenantProvider);
    const res = await p.create?.(tenantInputs());
    const t = await port().retrieveTenant(tenantId);
    expect(t?.issuer).toBe("https://t.example");
    expect(t?.jwtConfiguration).toMatchObject({
      timeToLiveInSeconds: 900,
      refreshTokenTimeToLiveInMinutes: 43_200,
      refreshTokenExpirationPolicy: "SlidingWindowWithMaximumLifetime",
      refreshTokenSlidingWindowConfiguration: { maximumTimeToLiveInMinutes: 129_600 },
      refreshTokenUsagePolicy: "OneTimeUse",
      accessTokenKeyId: keyRefs.signingKeyId,
      refreshTokenRevocationPolicy: {
        onLoginPrevented: true,
        onPasswordChanged: true,
        onMultiFactorEnable: true,
        onOneTimeTokenReuse: true,
      },
    });
    // FusionAuth holds exactly the desired shape: the outputs keep its digest, not a second copy of the inputs.
    expect(res?.outs?.shape).toBeUndefined();
    expect(res?.outs?.shapeDigest).toBe(shapeDigest(tenantInputs().shape));
  });

  it("keeps the digest on a refresh that finds nothing changed, and says no change", async () => {
    const p = configured(tenantProvider);
    const created = (await p.create?.(tenantInputs()))?.outs;
    const refreshed = (await p.read?.(tenantId, created as never))?.props;
    expect(refreshed).toEqual(created);
    expect(await p.diff?.(tenantId, refreshed as never, tenantInputs())).toMatchObject({ changes: false });
    const renamed = { ...tenantInputs(), shape: { ...tenantInputs().shape, name: "Renamed" } };
    expect(await p.diff?.(tenantId, refreshed as never, renamed)).toMatchObject({ changes: true });
  });

  it("after a refresh that finds an out-of-band edit, shows a change and puts it back on update", async () => {
    const p = configured(tenantProvider);
    const created = (await p.create?.(tenantInputs()))?.outs;
    const current = await port().retrieveTenant(tenantId);
    await port().updateTenant(tenantId, { ...current, issuer: "https://edited.example" });
    const refreshed = (await p.read?.(tenantId, created as never))?.props as unknown as Record<string, unknown>;
    // Every managed field FusionAuth holds is recorded, so the next diff can compare it with the desired shape.
    expect(refreshed.shapeDigest).toBeUndefined();
    expect(refreshed.shape).toMatchObject({
      issuer: "https://edited.example",
      jwtConfiguration: { timeToLiveInSeconds: 900 },
    });
    expect(await p.diff?.(tenantId, refreshed as never, tenantInputs())).toMatchObject({ changes: true });
    const updated = (await p.update?.(tenantId, refreshed as never, tenantInputs()))?.outs;
    expect((await port().retrieveTenant(tenantId))?.issuer).toBe("https://t.example");
    expect(updated?.shapeDigest).toBe(shapeDigest(tenantInputs().shape));
  });

  it("reads states written before the digest (the whole observed shape in the outputs) as before", async () => {
    const p = configured(tenantProvider);
    await p.create?.(tenantInputs());
    const legacy = { ...tenantInputs() };
    expect(await p.diff?.(tenantId, legacy as never, tenantInputs())).toMatchObject({ changes: false });
    const changed = { ...tenantInputs(), shape: { ...tenantInputs().shape, name: "Renamed" } };
    expect(await p.diff?.(tenantId, legacy as never, changed)).toMatchObject({ changes: true });
  });

  it("moves to a new serialized provider with an in-place update that calls FusionAuth zero times", async () => {
    const p = configured(tenantProvider);
    const created = (await p.create?.(tenantInputs()))?.outs as unknown as Record<string, unknown>;
    const olds = { ...created, __provider: "the provider code of an earlier kit" };
    const news = { ...tenantInputs(), __provider: "a trampoline" };
    emu.counters.reset();
    // A changed provider must be a change, or the old code stays in the outputs, where delete and read find it.
    expect(await p.diff?.(tenantId, olds as never, news)).toMatchObject({ changes: true, replaces: [] });
    expect((await p.update?.(tenantId, olds as never, news))?.outs).toEqual({ ...created, __provider: "a trampoline" });
    expect(emu.counters.snapshot().total).toBe(0);
  });

  it("does not update every resource when one trampoline replaces another: both load today's implementation", async () => {
    const p = configured(tenantProvider);
    const created = (await p.create?.(tenantInputs()))?.outs as unknown as Record<string, unknown>;
    const v1 =
      'with({ ATTACH: "src/pulumi/providers/attach.js", modulePath: "src/pulumi/providers/managed-object.ts" })';
    const v2 = 'require(join(root, "src/pulumi/providers/attach.js")).attachProvider(this, root, name, req)';
    const news = { ...tenantInputs(), __provider: v2 };
    const diff = await p.diff?.(tenantId, { ...created, __provider: v1 } as never, news);
    expect(diff).toMatchObject({ changes: false });
  });

  it("reports no change when only server defaults differ, and makes no call to say so", async () => {
    const p = configured(tenantProvider);
    const recorded = (await p.read?.(tenantId, { ...tenantInputs() }))?.props;
    emu.counters.reset();
    expect(await p.diff?.(tenantId, recorded as never, tenantInputs())).toMatchObject({ changes: false, replaces: [] });
    expect(emu.counters.snapshot().total).toBe(0);
  });

  it("finds an out-of-band edit on read and puts it back on update, keeping unmanaged fields", async () => {
    const p = configured(tenantProvider);
    const current = await port().retrieveTenant(tenantId);
    await port().updateTenant(tenantId, {
      ...current,
      httpSessionMaxInactiveInterval: 7200,
      jwtConfiguration: { ...current?.jwtConfiguration, timeToLiveInSeconds: 86_400 },
    });
    const recorded = (await p.read?.(tenantId, tenantInputs()))?.props;
    const diff = await p.diff?.(tenantId, recorded as never, tenantInputs());
    expect(diff?.changes).toBe(true);
    await p.update?.(tenantId, recorded as never, tenantInputs());
    const after = await port().retrieveTenant(tenantId);
    expect(after?.jwtConfiguration?.timeToLiveInSeconds).toBe(900);
    expect(after?.httpSessionMaxInactiveInterval).toBe(7200);
  });

  it("creates a public native client in the tenant", async () => {
    const p = configured(applicationProvider);
    const shape = asJson(
      applicationShape({ name: "App", redirectUris: ["com.example:/cb"], policy, ownJwtConfiguration: false }, keyRefs),
    );
    await p.create?.({ objectId: appId, label: "application t/app", tenantId, adopt: false, shape });
    const app = await port().retrieveApplication(appId);
    expect(app?.tenantId).toBe(tenantId);
    expect(app?.oauthConfiguration).toMatchObject({
      authorizedRedirectURLs: ["com.example:/cb"],
      proofKeyForCodeExchangePolicy: "Required",
      clientAuthenticationPolicy: "NotRequiredWhenUsingPKCE",
      enabledGrants: ["authorization_code", "refresh_token"],
      generateRefreshTokens: true,
    });
    expect(app?.loginConfiguration).toMatchObject({ generateRefreshTokens: true, allowTokenRefresh: true });
    expect(app?.jwtConfiguration?.enabled).toBe(false);
  });

  it("releases an adopted tenant on delete, restoring what it found, without deleting it", async () => {
    const p = configured(tenantProvider);
    const before = await port().retrieveTenant(DEFAULT_TENANT_ID);
    const inputs = {
      objectId: DEFAULT_TENANT_ID,
      label: "tenant default",
      adopt: true,
      shape: asJson(tenantShape({ name: "Default", issuer: "https://adopted.example", policy }, keyRefs)),
    };
    const res = await p.create?.(inputs);
    expect((await port().retrieveTenant(DEFAULT_TENANT_ID))?.issuer).toBe("https://adopted.example");
    await p.delete?.(DEFAULT_TENANT_ID, res?.outs as never);
    const after = await port().retrieveTenant(DEFAULT_TENANT_ID);
    expect(after?.issuer).toBe(before?.issuer);
    expect(after?.jwtConfiguration?.accessTokenKeyId).toBe(before?.jwtConfiguration?.accessTokenKeyId);
  });

  it("refuses to adopt an id that does not exist", async () => {
    const p = configured(tenantProvider);
    await expect(
      p.create?.({ ...tenantInputs(), objectId: "00000000-0000-4000-8000-000000000000", adopt: true }),
    ).rejects.toThrow(/names id 00000000-0000-4000-8000-000000000000 to adopt, but FusionAuth has no such object/);
  });

  it("deletes what it created", async () => {
    const a = configured(applicationProvider);
    const t = configured(tenantProvider);
    await a.delete?.(appId, { objectId: appId, label: "application t/app", adopt: false, shape: {} } as never);
    await t.delete?.(tenantId, { ...tenantInputs() } as never);
    expect(await port().retrieveApplication(appId)).toBeUndefined();
    expect(await port().retrieveTenant(tenantId)).toBeUndefined();
  });
});

describe("API key provider", () => {
  const keyId = "3f0e1c2d-4b5a-4697-8e8f-9a0b1c2d3e4f";
  const inputs = (permissions: Record<string, readonly string[]> = API_KEY_ROLES.import) => ({
    keyId,
    label: "import",
    permissions: Object.fromEntries(Object.entries(permissions).map(([e, m]) => [e, [...m]])),
  });
  const plain = (o: unknown) => JSON.parse(JSON.stringify(o));

  it("creates the key with the role's permissions; its value, from FusionAuth, authenticates with exactly those", async () => {
    const p = configured(apiKeyProvider);
    const res = await p.create?.(inputs());
    const key = (res?.outs as { key?: string } | undefined)?.key;
    expect(res?.outs).toEqual({ ...inputs(), key });
    const made = await port().objects.retrieve("k", async (c) => (await c.retrieveAPIKey(keyId)).response.apiKey);
    expect(made?.permissions?.endpoints).toEqual(plain(API_KEY_ROLES.import));
    const reader = createFusionAuthPort({ url: emu.url, apiKey: key as string });
    expect((await reader.retrieveKeys()).length).toBeGreaterThan(0);
    await expect(reader.retrieveUser(keyId)).rejects.toMatchObject({ status: 401 });
  });

  it("reads back what it made as no change, and makes no call to diff", async () => {
    const p = configured(apiKeyProvider);
    const read = (await p.read?.(keyId, { ...inputs(), key: "k" }))?.props;
    emu.counters.reset();
    expect(await p.diff?.(keyId, read as never, inputs())).toMatchObject({ changes: false, replaces: [] });
    expect(emu.counters.snapshot().total).toBe(0);
  });

  it("updates changed permissions in place, keeping the value, and replaces a key locked to another tenant", async () => {
    const p = configured(apiKeyProvider);
    const before = (await p.read?.(keyId, { ...inputs(), key: "k" }))?.props as { key: string };
    const news = inputs(API_KEY_ROLES.revoke);
    expect(await p.diff?.(keyId, before as never, news)).toMatchObject({ changes: true, replaces: [] });
    const outs = (await p.update?.(keyId, before as never, news))?.outs;
    expect(outs).toEqual({ ...news, key: before.key });
    const locked = { ...news, tenantId: DEFAULT_TENANT_ID };
    expect(await p.diff?.(keyId, outs as never, locked)).toMatchObject({ changes: true, replaces: ["tenantId"] });
  });

  it("finds its own key when a create is replayed, and deletes it", async () => {
    const p = configured(apiKeyProvider);
    const again = await p.create?.(inputs(API_KEY_ROLES.revoke));
    expect((again?.outs as { permissions?: unknown } | undefined)?.permissions).toEqual(plain(API_KEY_ROLES.revoke));
    await p.delete?.(keyId, again?.outs as never);
    expect(await p.read?.(keyId, again?.outs as never)).toEqual({});
  });
});

// What the provider process runs (attach.js and the package take IMPLEMENTATIONS): Pulumi shows a provider error's
// message only, so a kit error's code must lead it, as the CLI prints it (`CODE message`).
describe("the providers as the provider process runs them", () => {
  it("lead a provider's own error with its code", async () => {
    const p = configured(IMPLEMENTATIONS.signingKey);
    const id = "0b7e1c52-8a52-5d0e-9a1f-000000000020";
    await port().generateKey(id, { algorithm: "RS256", name: "another tool's", length: 2048 });
    await expect(p.create?.({ keyId: id, name: "fakit:t:a:g9", algorithm: "ES256", length: 256 })).rejects.toThrow(
      /^KIT_PROVIDER_KEY_ALGORITHM_CONFLICT .*already exists in FusionAuth with algorithm RS256, not ES256/,
    );
  });

  it("lead a FusionAuth error with its code, keeping the kit error as the cause", async () => {
    const p = configured(IMPLEMENTATIONS.apiKey, "not-a-key-fusionauth-knows");
    const keyId = "3f0e1c2d-4b5a-4697-8e8f-9a0b1c2d3e50";
    const permissions = Object.fromEntries(Object.entries(API_KEY_ROLES.import).map(([e, m]) => [e, [...m]]));
    const failure = await p.create?.({ keyId, label: "import", permissions }).then(
      () => undefined,
      (err: Error) => err,
    );
    expect(failure?.message).toMatch(/^KIT_FUSIONAUTH_UNAUTHORIZED \S.*: FusionAuth refused the API key \(401\)/);
    expect(failure).toMatchObject({ code: "KIT_FUSIONAUTH_UNAUTHORIZED", cause: { status: 401 } });
  });

  it("lead a configuration error with its code", async () => {
    const p = { ...IMPLEMENTATIONS.tenant };
    const config = { get: () => undefined, require: () => "" };
    await expect(p.configure?.({ config } as never)).rejects.toThrow(
      /^KIT_PROVIDER_NOT_CONFIGURED the stack config needs/,
    );
  });
});
