/**
 * The verifier's crypto seam and strict JOSE parsing (issue 22 item 3, issue 21 item 6): the pure-JS backend
 * (the one Hermes runs) verifies every algorithm a bundle allows exactly as WebCrypto does; repeated JSON members
 * and oversized tokens are refused before any signature work; the custom claim check runs after the built-in
 * checks; the pure-JS Argon2id derives what the WebAssembly one does.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { base64url } from "jose";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Bundle, decide, loadBundle, useCryptoBackend } from "../../packages/verifier/src";
import { fromBase64url, toBase64url } from "../../packages/verifier/src/crypto/bytes";
import { pureJsCrypto } from "../../packages/verifier/src/crypto/pure-js";
import { webCryptoBackend } from "../../packages/verifier/src/crypto/webcrypto";
import { duplicateMember, runConformance } from "../../packages/verifier/src/internal";
import { pureJsArgon2idKdf, wasmArgon2idKdf } from "../../packages/verifier/src/local-unlock";
import type { SigningAlgorithm } from "../../src/policy/types";
import { APP_ID, ISSUER, makeKey, signToken, type TestKey, tenantFixture } from "../../testkit/bundle/fixtures";
import { EPOCH, HOUR } from "../../testkit/rotation/presets";

const T0 = EPOCH + HOUR;
const device = { now: new Date((T0 + 60) * 1000), lastCheckIn: new Date(T0 * 1000), online: false };
const claims = { iss: ISSUER, aud: APP_ID, sub: "user-1", iat: T0, exp: T0 + 900 };

afterEach(() => useCryptoBackend(undefined));

describe("the pure-JS backend", () => {
  const algs: SigningAlgorithm[] = ["ES256", "ES384", "ES512", "Ed25519", "RS256", "RS384", "RS512"];
  it.each(algs)("verifies %s as WebCrypto does, and refuses a changed byte", async (alg) => {
    const key = await makeKey(alg, `k-${alg}`);
    const token = await signToken(key, claims, alg === "Ed25519" ? { alg: "EdDSA" } : {});
    const [h, p, s] = token.split(".") as [string, string, string];
    const data = new TextEncoder().encode(`${h}.${p}`);
    const sig = fromBase64url(s);
    const jwk = { ...key.publicJwk, kid: key.kid, alg, use: "sig" } as never;
    const tokenAlg = alg === "Ed25519" ? "EdDSA" : alg;
    for (const backend of [pureJsCrypto, webCryptoBackend]) {
      const handle = await backend.importKey(jwk);
      expect(await backend.verify(tokenAlg, handle, data, sig), backend.name).toBe(true);
      const bent = sig.slice();
      bent[3] = (bent[3] as number) ^ 1;
      expect(await backend.verify(tokenAlg, handle, data, bent), backend.name).toBe(false);
      const other = new TextEncoder().encode(`${h}.${p}x`);
      expect(await backend.verify(tokenAlg, handle, other, sig), backend.name).toBe(false);
    }
  });

  it("hashes as WebCrypto does", async () => {
    const data = new TextEncoder().encode("manifest.json bytes");
    expect(await pureJsCrypto.sha256(data)).toEqual(await webCryptoBackend.sha256(data));
  });

  it("passes every conformance vector in Node when it is the backend in use", async () => {
    const dir = path.join(__dirname, "../vectors");
    const read = (rel: string) => readFileSync(path.join(dir, rel), "utf8");
    const cases = readdirSync(path.join(dir, "cases")).map((n) => JSON.parse(read(`cases/${n}`)));
    const bundles: Record<string, Record<string, string>> = {};
    for (const b of readdirSync(path.join(dir, "bundles")))
      bundles[b] = Object.fromEntries(
        readdirSync(path.join(dir, "bundles", b)).map((f) => [f, read(`bundles/${b}/${f}`)]),
      );
    useCryptoBackend(pureJsCrypto);
    const results = await runConformance(
      cases,
      bundles,
      JSON.parse(read("pinned-keys.json")).keys,
      JSON.parse(read("device.json")),
    );
    expect(results.filter((r) => !r.pass)).toEqual([]);
    expect(results.length).toBe(cases.length);
  });
});

describe("base64url", () => {
  it("round-trips and refuses what is not canonical base64url", () => {
    for (const n of [0, 1, 2, 3, 4, 31, 32, 33]) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 37 + n) & 255);
      expect(toBase64url(bytes)).toBe(base64url.encode(bytes));
      expect(fromBase64url(toBase64url(bytes))).toEqual(bytes);
    }
    expect(() => fromBase64url("ab+c")).toThrow();
    expect(() => fromBase64url("abcde")).toThrow();
    expect(() => fromBase64url("AB")).toThrow(); // trailing bits set: "AA" is the one encoding of 0x00
  });
});

describe("strict JOSE parsing", () => {
  let bundle: Bundle;
  let g0: TestKey;
  beforeAll(async () => {
    const f = await tenantFixture();
    bundle = await loadBundle(f.files);
    g0 = f.keys.get(0) as TestKey;
  });

  it("finds a member repeated at any depth, escaped or not, and nothing else", () => {
    expect(duplicateMember('{"alg":"none","kid":"k","alg":"ES256"}')).toBe("alg");
    expect(duplicateMember('{"a":1,"\\u0061":2}')).toBe("a");
    expect(duplicateMember('{"x":{"y":1,"y":2}}')).toBe("y");
    expect(duplicateMember('{"x":[{"y":1},{"y":2}],"y":"x","z":"\\"y\\":"}')).toBeUndefined();
  });

  it("refuses a validly signed token whose header repeats alg (accepted as valid before)", async () => {
    const h = base64url.encode(`{"alg":"none","typ":"JWT","kid":"${g0.kid}","alg":"ES256"}`);
    const p = base64url.encode(JSON.stringify(claims));
    const { sign } = await import("node:crypto");
    const s = sign("sha256", Buffer.from(`${h}.${p}`), { key: g0.privateKey, dsaEncoding: "ieee-p1363" });
    const d = await decide({ token: `${h}.${p}.${base64url.encode(s)}`, bundle, device });
    expect([d.decision, d.reason.code, d.reason.message]).toEqual([
      "refused",
      "malformed",
      'the JOSE header repeats the member "alg"',
    ]);
  });

  it("refuses a 10 MB header by its length, before decoding it", async () => {
    const token = `${"e".repeat(10_000_000)}.${base64url.encode(JSON.stringify(claims))}.AAAA`;
    const d = await decide({ token, bundle, device });
    expect([d.decision, d.reason.code, d.reason.message]).toEqual([
      "refused",
      "malformed",
      "the token is longer than 65536 characters",
    ]);
    const header = `${"e".repeat(2_000)}.${base64url.encode(JSON.stringify(claims))}.AAAA`;
    expect((await decide({ token: header, bundle, device })).reason.message).toBe(
      "the JOSE header is longer than 1024 characters",
    );
  });

  it("runs the custom claim check only after the built-in checks, and refuses with its message", async () => {
    const seen: unknown[] = [];
    const inspectorOnly = (c: Record<string, unknown>) => {
      seen.push(c.sub);
      return c.sub === "inspector" ? undefined : "the inspector role is required";
    };
    const user = await decide({ token: await signToken(g0, claims), bundle, device, checkClaims: inspectorOnly });
    expect([user.decision, user.reason.code, user.reason.message]).toEqual([
      "refused",
      "claims-invalid",
      "a custom claim check refused the token: the inspector role is required",
    ]);
    const inspector = await signToken(g0, { ...claims, sub: "inspector" });
    expect((await decide({ token: inspector, bundle, device, checkClaims: inspectorOnly })).decision).toBe("full");
    const expired = await signToken(g0, { ...claims, sub: "inspector", iat: T0 - 90_000, exp: T0 - 89_000 });
    const late = await decide({ token: expired, bundle, device, checkClaims: inspectorOnly });
    expect(late.decision).toBe("refused");
    expect(seen).toEqual(["user-1", "inspector"]);
  });
});

describe("Argon2id without WebAssembly", () => {
  it("the pure-JS derivation equals the WebAssembly one", async () => {
    const salt = new Uint8Array(16).fill(7);
    const params = { memoryKiB: 256, iterations: 2, parallelism: 1 };
    expect(await pureJsArgon2idKdf("2468", salt, params)).toEqual(await wasmArgon2idKdf("2468", salt, params));
  });
});
