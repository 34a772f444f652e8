import { randomUUID } from "node:crypto";
import type { FusionAuthClient } from "@fusionauth/typescript-client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientFor, example, rejected, startTarget, type Target, unique } from "./support/target";

// biome-ignore lint/suspicious/noExplicitAny: the client types ids as required strings; null lets the server pick.
const NO_ID = null as any;

describe("keys API contract", () => {
  let t: Target;
  let fa: FusionAuthClient;
  beforeAll(async () => {
    t = await startTarget();
    fa = t.client;
  });
  afterAll(() => t.close());

  it.each([
    ["ES256", undefined, "EC", 256],
    ["ES384", undefined, "EC", 384],
    ["ES512", undefined, "EC", 521],
    ["RS256", 2048, "RSA", 2048],
    ["Ed25519", undefined, "OKP", 32],
    ["HS256", undefined, "HMAC", 256],
  ] as const)("generates a %s key and never returns its private half", async (algorithm, length, type, wantLength) => {
    const id = randomUUID();
    const created = await fa.generateKey(id, {
      key: { algorithm: algorithm as never, name: unique(algorithm), length },
    });
    expect(created.response.key).toMatchObject({ id, algorithm, type, length: wantLength });
    const got = (await fa.retrieveKey(id)).response.key;
    expect(got?.privateKey).toBeUndefined();
    expect(got?.secret).toBeUndefined();
    if (type === "HMAC") expect(got?.publicKey).toBeUndefined();
    else {
      expect(got?.publicKey).toMatch(/^-----BEGIN PUBLIC KEY-----/);
      expect(got?.hasPrivateKey).toBe(true);
    }
    expect(typeof got?.insertInstant).toBe("number");
    await fa.deleteKey(id);
  });

  it("generates with a server-chosen id from the documented example body", async () => {
    const body = example("key-generate-request.json");
    body.key.name = unique(body.key.name);
    const res = await fa.generateKey(NO_ID, body);
    expect(res.response.key?.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.response.key).toMatchObject({ algorithm: "RS256", length: 2048, type: "RSA" });
    await fa.deleteKey(res.response.key?.id as string);
  });

  it("imports the documented certificate as a verify-only key with its thumbprint as kid", async () => {
    const body = example("key-import-request.json");
    body.key.name = unique(body.key.name);
    const want = example("key-response-rsa.json").key;
    const res = await fa.importKey(NO_ID, body);
    expect(res.response.key).toMatchObject({
      algorithm: "RS256",
      type: "RSA",
      kid: body.key.kid,
      hasPrivateKey: false,
      length: 2048,
      publicKey: want.publicKey,
    });
    expect(res.response.key?.certificateInformation?.sha1Thumbprint).toBe(want.certificateInformation.sha1Thumbprint);
    await fa.deleteKey(res.response.key?.id as string);
  });

  it("updates only the name (documented example body)", async () => {
    const id = randomUUID();
    const created = (await fa.generateKey(id, { key: { algorithm: "ES256" as never, name: unique("rename") } }))
      .response.key;
    const body = example("key-update-request.json");
    body.key.name = unique("renamed");
    const updated = (await fa.updateKey(id, { key: { ...body.key, algorithm: "RS256" } })).response.key;
    expect(updated?.name).toBe(body.key.name);
    expect(updated?.algorithm).toBe("ES256");
    expect(updated?.kid).toBe(created?.kid);
    expect(updated?.publicKey).toBe(created?.publicKey);
    await fa.deleteKey(id);
  });

  it("lists keys including the default ones", async () => {
    const keys = (await fa.retrieveKeys()).response.keys ?? [];
    expect(keys.some((k) => k.id === "092dbedc-30af-4149-9c61-b578f2c72f59")).toBe(true);
    expect(keys.some((k) => k.type === "RSA")).toBe(true);
    expect(keys.every((k) => k.privateKey === undefined && k.secret === undefined)).toBe(true);
  });

  it("refuses to delete a key used by a tenant, and deletes it once unused", async () => {
    const keyId = randomUUID();
    await fa.generateKey(keyId, { key: { algorithm: "ES256" as never, name: unique("in-use") } });
    const tenantId = randomUUID();
    await fa.createTenant(tenantId, {
      tenant: { name: unique("uses-key"), jwtConfiguration: { accessTokenKeyId: keyId } },
    });
    const err = await rejected(fa.deleteKey(keyId), 400);
    expect(err.fieldErrors ?? err.generalErrors).toBeDefined();
    expect((await fa.retrieveKey(keyId)).response.key?.id).toBe(keyId);
    await fa.deleteTenant(tenantId);
    await fa.deleteKey(keyId);
    await rejected(fa.retrieveKey(keyId), 404);
  });

  it("refuses to delete a key listed as a verification key of an application", async () => {
    const keyId = randomUUID();
    await fa.generateKey(keyId, { key: { algorithm: "ES256" as never, name: unique("verify") } });
    const appId = randomUUID();
    const signing = randomUUID();
    await fa.generateKey(signing, { key: { algorithm: "ES256" as never, name: unique("signing") } });
    await fa.createApplication(appId, {
      application: {
        name: unique("app"),
        jwtConfiguration: {
          enabled: true,
          timeToLiveInSeconds: 60,
          refreshTokenTimeToLiveInMinutes: 60,
          accessTokenKeyId: signing,
          accessTokenVerificationKeyIds: [keyId],
        },
      },
    });
    await rejected(fa.deleteKey(keyId), 400);
    await fa.deleteApplication(appId);
    await fa.deleteKey(keyId);
    await fa.deleteKey(signing);
  });

  it("answers 404 for unknown keys and 400 for missing fields and duplicate names", async () => {
    const missing = randomUUID();
    await rejected(fa.retrieveKey(missing), 404);
    await rejected(fa.deleteKey(missing), 404);
    await rejected(fa.updateKey(missing, { key: { name: "x" } }), 404);
    const noAlg = await rejected(fa.generateKey(NO_ID, { key: { name: unique("no-alg") } }), 400);
    expect(noAlg.fieldErrors["key.algorithm"]).toBeDefined();
    const noName = await rejected(fa.generateKey(NO_ID, { key: { algorithm: "ES256" as never } }), 400);
    expect(noName.fieldErrors["key.name"]).toBeDefined();
    const name = unique("dup");
    const first = (await fa.generateKey(NO_ID, { key: { algorithm: "ES256" as never, name } })).response.key;
    const dup = await rejected(fa.generateKey(NO_ID, { key: { algorithm: "ES256" as never, name } }), 400);
    expect(dup.fieldErrors["key.name"]).toBeDefined();
    await fa.deleteKey(first?.id as string);
  });

  it("answers 401 with an empty body without a valid API key", async () => {
    const body = await rejected(clientFor(t, { apiKey: "wrong" }).retrieveKeys(), 401);
    expect(body).toBeUndefined();
  });

  it("refuses to remove or rename the OIDC shadow keys", async () => {
    const shadow = "092dbedc-30af-4149-9c61-b578f2c72f59";
    await rejected(fa.deleteKey(shadow), 400);
    await rejected(fa.updateKey(shadow, { key: { name: "renamed shadow" } }), 400);
  });
});
