/**
 * Tokens an attacker (or a bug) would present, each refused with its reason. Real keys and signatures; the
 * clock is frozen at one minute after issuance.
 */
import { createPublicKey, sign as nodeSign } from "node:crypto";
import { base64url, generateKeyPair, SignJWT } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { type Bundle, decide, loadBundle } from "../../packages/verifier/src";
import { APP_ID, makeKey, signToken, type TenantFixture, type TestKey } from "../../testkit/bundle/fixtures";
import { claimsAt, signedTenant, T0 } from "./signed-tenant";

const device = {
  now: new Date((T0 + 60) * 1000),
  lastServerTime: new Date(T0 * 1000),
  lastCheckIn: new Date(T0 * 1000),
  online: false,
};
const claims = claimsAt(T0);
const enc = (v: unknown) => base64url.encode(typeof v === "string" ? v : JSON.stringify(v));

let f: TenantFixture;
let bundle: Bundle;
let g0: TestKey;
let valid: string;

beforeAll(async () => {
  ({ fixture: f, g0, token: valid } = await signedTenant());
  bundle = await loadBundle(f.files);
});

async function reasonOf(token: string): Promise<string> {
  const result = await decide({ token, bundle, device });
  if (result.decision !== "refused") throw new Error(`accepted: ${JSON.stringify(result.reason)}`);
  expect(result.nextDeadline).toBeUndefined();
  expect(result.claims).toBeUndefined();
  return result.reason.code;
}

describe("adversarial tokens", () => {
  it("the baseline token is accepted", async () => {
    expect((await decide({ token: valid, bundle, device })).decision).toBe("full");
  });

  it("alg none", async () => {
    expect(await reasonOf(`${enc({ alg: "none", kid: g0.kid })}.${enc(claims)}.`)).toBe("alg-not-allowed");
  });

  it("HS256 signed with the public key as the secret", async () => {
    const pem = createPublicKey(g0.privateKey).export({ type: "spki", format: "pem" }) as string;
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: g0.kid })
      .sign(new TextEncoder().encode(pem));
    expect(await reasonOf(token)).toBe("alg-not-allowed");
    const jwkSecret = await new SignJWT(claims)
      .setProtectedHeader({ alg: "HS256", kid: g0.kid })
      .sign(new TextEncoder().encode(JSON.stringify(g0.publicJwk)));
    expect(await reasonOf(jwkSecret)).toBe("alg-not-allowed");
  });

  it("an algorithm outside the allow-list", async () => {
    const rsa = await makeKey("RS256", g0.kid);
    expect(await reasonOf(await signToken(rsa, claims))).toBe("alg-not-allowed");
    const es384 = await makeKey("ES384", g0.kid);
    expect(await reasonOf(await signToken(es384, claims))).toBe("alg-not-allowed");
  });

  it("an unknown kid", async () => {
    expect(await reasonOf(await signToken(await makeKey("ES256", "no-such-kid"), claims))).toBe("kid-unknown");
  });

  it("the kid of a key from another tenant (present in FusionAuth's global JWKS)", async () => {
    expect(f.jwks.keys.map((k) => k.kid)).toContain(f.foreign.kid);
    expect(await reasonOf(await signToken(f.foreign, claims))).toBe("kid-unknown");
  });

  it("no kid", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    expect(await reasonOf(await new SignJWT(claims).setProtectedHeader({ alg: "ES256" }).sign(privateKey))).toBe(
      "kid-missing",
    );
  });

  it("a bad signature (another key under this tenant's kid)", async () => {
    expect(await reasonOf(await signToken(await makeKey("ES256", g0.kid), claims))).toBe("signature-invalid");
  });

  it("a tampered payload", async () => {
    const [h, , s] = valid.split(".");
    expect(await reasonOf(`${h}.${enc({ ...claims, sub: "admin" })}.${s}`)).toBe("signature-invalid");
  });

  it("a wrong issuer", async () => {
    expect(await reasonOf(await signToken(g0, { ...claims, iss: "https://evil.test" }))).toBe("issuer-mismatch");
  });

  it("a wrong audience", async () => {
    expect(await reasonOf(await signToken(g0, { ...claims, aud: "another-app" }))).toBe("audience-mismatch");
    expect(
      (await decide({ token: await signToken(g0, { ...claims, aud: ["x", APP_ID] }), bundle, device })).decision,
    ).toBe("full");
  });

  it("nbf in the future", async () => {
    expect(await reasonOf(await signToken(g0, { ...claims, nbf: T0 + 10 * 60 }))).toBe("not-yet-valid");
  });

  it("missing exp", async () => {
    const { exp: _, ...noExp } = claims;
    expect(await reasonOf(await signToken(g0, noExp))).toBe("exp-missing");
  });

  it("iat after exp", async () => {
    expect(await reasonOf(await signToken(g0, { ...claims, iat: claims.exp + 1 }))).toBe("claims-invalid");
  });

  it("a crit header", async () => {
    // jose will not sign an unknown crit, so the JWS is assembled here and signed with node's crypto.
    const input = `${enc({ alg: "ES256", kid: g0.kid, crit: ["urn:example:must-understand"], "urn:example:must-understand": true })}.${enc(claims)}`;
    const sig = nodeSign("sha256", Buffer.from(input), { key: g0.privateKey, dsaEncoding: "ieee-p1363" });
    expect(await reasonOf(`${input}.${base64url.encode(sig)}`)).toBe("crit-unsupported");
  });

  it("malformed base64 and JSON", async () => {
    const [h, p, s] = valid.split(".");
    expect(await reasonOf(`${h}.${p}`)).toBe("malformed");
    expect(await reasonOf(`${h}.p$yl*ad.${s}`)).toBe("malformed");
    expect(await reasonOf(`h!d.${p}.${s}`)).toBe("malformed");
    expect(await reasonOf(`${enc("{not json")}.${p}.${s}`)).toBe("malformed");
    expect(await reasonOf(`${enc("[1,2]")}.${p}.${s}`)).toBe("malformed");
    expect(await reasonOf("")).toBe("malformed");
  });

  it("a payload that is not JSON, validly signed", async () => {
    const h = enc({ alg: "ES256", kid: g0.kid });
    const p = enc("not json");
    const { CompactSign } = await import("jose");
    const token = await new CompactSign(new TextEncoder().encode("not json"))
      .setProtectedHeader({ alg: "ES256", kid: g0.kid })
      .sign(g0.privateKey);
    expect(token.startsWith(`${h}.${p}.`)).toBe(true);
    expect(await reasonOf(token)).toBe("malformed");
  });
});
